using System;
using System.Collections.Generic;
using System.Collections.Concurrent;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using Tangent.Generator.Analysis;
using Tangent.Generator.Diagnostics;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;
using Tangent.Generator.Lowering;

namespace Tangent.Generator.Parsing
{
    /// <summary>
    /// The fence for declarations: checks a [Differentiable] method against the contract (partial
    /// types, parameter and return types, names) and lowers its body. Returns a value-equatable model;
    /// never throws (an unexpected exception becomes TN9999 at the method).
    /// </summary>
    internal static class MethodParser
    {
        /// <summary>
        /// What the checks and the lowering of one method find on their own, before its callees are looked at:
        /// its IR (null with errors), its errors (and TN0010), its zero-derivative warnings (only without errors),
        /// and its differentiated calls through the generated derivatives of [Differentiable] methods of this
        /// compilation, with the TN2006 each gets if that callee cannot be differentiated.
        /// </summary>
        private sealed class OwnAnalysis
        {
            public OwnAnalysis(MethodIR? ir, List<DiagnosticInfo> diagnostics, List<DiagnosticInfo> warnings, List<CalleeCall> calls, LocationInfo? identifier)
            {
                HasErrors = diagnostics.Any(IsError);
                Ir = HasErrors ? null : ir;
                Diagnostics = diagnostics;
                Warnings = HasErrors ? new List<DiagnosticInfo>() : warnings;
                Calls = calls;
                Identifier = identifier;
            }

            public MethodIR? Ir { get; }
            public IReadOnlyList<DiagnosticInfo> Diagnostics { get; }
            public IReadOnlyList<DiagnosticInfo> Warnings { get; }
            public IReadOnlyList<CalleeCall> Calls { get; }
            public LocationInfo? Identifier { get; }
            public bool HasErrors { get; }
        }

        /// <summary>
        /// The own analyses of the methods of one compilation, by declaration: a method called by other
        /// [Differentiable] methods is lowered once per compilation, whichever transform asks first (the
        /// pipeline's transform of every method runs again on every new compilation anyway). Holds symbols and
        /// syntax, so it lives only as long as its compilation and never reaches the pipeline's models.
        /// </summary>
        private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<(SyntaxTree Tree, TextSpan Span), OwnAnalysis>> s_analyses
            = new ConditionalWeakTable<Compilation, ConcurrentDictionary<(SyntaxTree Tree, TextSpan Span), OwnAnalysis>>();

        public static MethodModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var method = (IMethodSymbol)context.TargetSymbol;
            var syntax = (MethodDeclarationSyntax)context.TargetNode;
            var compilation = context.SemanticModel.Compilation;
            var own = Analyze(compilation, method, syntax, context.SemanticModel, cancellationToken);
            var diagnostics = new List<DiagnosticInfo>(own.Diagnostics);
            try
            {
                // A call differentiated through the generated derivatives of a method that has errors (its own,
                // or of a method it differentiates through) would call members that are never generated.
                foreach (var call in own.Calls)
                {
                    if (!diagnostics.Contains(call.Diagnostic) && CannotBeDifferentiated(compilation, call.Callee, cancellationToken)) diagnostics.Add(call.Diagnostic);
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, own.Identifier, method.Name, ex.GetType().Name + ": " + ex.Message));
            }
            bool hasErrors = diagnostics.Any(IsError);
            // Zero-derivative warnings only for a method that has no errors: its body may be lowered only in part,
            // and the errors come first.
            if (!hasErrors) diagnostics.AddRange(own.Warnings);
            return new MethodModel(hasErrors ? null : own.Ir, InTheMethod(diagnostics, own.Identifier).ToEquatableArray());
        }

        /// <summary>
        /// A model of the same tree that binds bodies without the nullable flow analysis. Lowering reads types,
        /// symbols and constants, never nullable flow states, and in a project with nullable reference types
        /// enabled the flow analysis of each body was about a fifth of the generator's cold run (the compiler's own
        /// binding for emit is separate, so this work was the generator's alone).
        /// </summary>
        private static SemanticModel WithoutNullableAnalysis(SemanticModel model)
        {
#pragma warning disable RSEXPERIMENTAL001 // SemanticModelOptions: experimental since Roslyn 4.9, still present in the SDK's compiler.
            return model.Compilation.GetSemanticModel(model.SyntaxTree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
        }

        private static bool IsError(DiagnosticInfo d) => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error;

        /// <summary>
        /// Every error gets the method's name as its last additional location ("in the [Differentiable] method
        /// M"), unless it is reported there already.
        /// </summary>
        private static IEnumerable<DiagnosticInfo> InTheMethod(List<DiagnosticInfo> diagnostics, LocationInfo? identifier)
        {
            foreach (var d in diagnostics)
            {
                if (identifier is null || !IsError(d) || Equals(d.Location, identifier) || d.AdditionalLocations.Contains(identifier)) yield return d;
                else yield return d with { AdditionalLocations = d.AdditionalLocations.Concat(new[] { identifier }).ToEquatableArray() };
            }
        }

        /// <summary>
        /// True when the generated derivatives of <paramref name="callee"/> (a [Differentiable] method of this
        /// compilation) will not exist: it has errors, or differentiates through a method that has (the methods
        /// reachable through differentiated calls; cycles are fine).
        /// </summary>
        private static bool CannotBeDifferentiated(Compilation compilation, IMethodSymbol callee, CancellationToken ct)
        {
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { callee };
            var pending = new Stack<IMethodSymbol>();
            pending.Push(callee);
            while (pending.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                var own = AnalyzeDeclared(compilation, pending.Pop(), ct);
                if (own is null || own.HasErrors) return true;
                foreach (var call in own.Calls)
                {
                    if (visited.Add(call.Callee)) pending.Push(call.Callee);
                }
            }
            return false;
        }

        /// <summary>The own analysis of a method found as a callee: of the declaration the pipeline sees (the one with the attribute).</summary>
        private static OwnAnalysis? AnalyzeDeclared(Compilation compilation, IMethodSymbol method, CancellationToken ct)
        {
            MethodDeclarationSyntax? syntax = null;
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (!(reference.GetSyntax(ct) is MethodDeclarationSyntax declaration)) continue;
                if (syntax is null || (!HasDifferentiableAttribute(syntax) && HasDifferentiableAttribute(declaration))) syntax = declaration;
            }
            if (syntax is null) return null;
            var model = compilation.GetSemanticModel(syntax.SyntaxTree);
            var symbol = model.GetDeclaredSymbol(syntax, ct) ?? method;
            return Analyze(compilation, symbol, syntax, model, ct);
        }

        private static bool HasDifferentiableAttribute(MethodDeclarationSyntax method)
            => method.AttributeLists.SelectMany(l => l.Attributes).Any(a =>
            {
                string name = a.Name is QualifiedNameSyntax q ? q.Right.Identifier.ValueText
                    : a.Name is AliasQualifiedNameSyntax alias ? alias.Name.Identifier.ValueText
                    : a.Name is SimpleNameSyntax simple ? simple.Identifier.ValueText : "";
                return name == "Differentiable" || name == "DifferentiableAttribute";
            });

        private static OwnAnalysis Analyze(Compilation compilation, IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken ct)
        {
            var cache = s_analyses.GetValue(compilation, _ => new ConcurrentDictionary<(SyntaxTree, TextSpan), OwnAnalysis>());
            var key = (syntax.SyntaxTree, syntax.Span);
            if (cache.TryGetValue(key, out var cached)) return cached;
            var own = AnalyzeCore(method, syntax, model, ct);
            return cache.GetOrAdd(key, own);
        }

        private static OwnAnalysis AnalyzeCore(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken ct)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var warnings = new List<DiagnosticInfo>();
            var calls = new List<CalleeCall>();
            MethodIR? ir;
            try
            {
                ir = ParseCore(method, syntax, model, diagnostics, warnings, calls, ct);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(syntax.Identifier), method.Name, ex.GetType().Name + ": " + ex.Message));
                ir = null;
                calls.Clear();
            }
            return new OwnAnalysis(ir, diagnostics, warnings, calls, LocationInfo.From(syntax.Identifier));
        }

        private static MethodIR? ParseCore(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, List<DiagnosticInfo> diagnostics,
            List<DiagnosticInfo> warnings, List<CalleeCall> calls, CancellationToken ct)
        {
            int errorsBefore = diagnostics.Count;

            // Containing types must all be partial.
            var containing = new List<ContainingTypeInfo>();
            for (var type = method.ContainingType; type != null; type = type.ContainingType)
            {
                var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().ToList();
                if (!declarations.Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                {
                    var first = declarations.FirstOrDefault();
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial,
                        first is null ? LocationInfo.From(syntax.Identifier) : LocationInfo.From(first.Identifier), type.Name, method.Name));
                }
                containing.Insert(0, new ContainingTypeInfo(TypeKeyword(type), EscapeIdentifier(type.Name),
                    type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(t => t.Name)) + ">"));
            }

            if (method.IsGenericMethod)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, LocationInfo.From(syntax.TypeParameterList ?? (SyntaxNode)syntax), method.Name));
            }

            var asyncKeyword = syntax.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.AsyncKeyword));
            if (asyncKeyword.IsKind(SyntaxKind.AsyncKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AsyncMethod, LocationInfo.From(asyncKeyword), method.Name));
            }

            SyntaxNode? bodySyntax = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody;
            if (bodySyntax is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoBody, LocationInfo.From(syntax.Identifier), method.Name));
            }
            else
            {
                var firstYield = bodySyntax.DescendantNodes(n => !(n is AnonymousFunctionExpressionSyntax) && !(n is LocalFunctionStatementSyntax))
                    .OfType<YieldStatementSyntax>().FirstOrDefault();
                if (firstYield != null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.IteratorMethod, LocationInfo.From(firstYield.YieldKeyword), method.Name));
                }
            }

            // Return type.
            if (!TypeNames.IsSupportedReturn(method.ReturnType))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturnType, LocationInfo.From(syntax.ReturnType), method.Name,
                    method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
            }

            // Parameters and their derivative names.
            var names = new NameAllocator();
            var parameters = new List<ParameterInfo>();
            var derivedOwners = new Dictionary<string, string>();
            foreach (var p in method.Parameters) names.Reserve(p.Name);
            names.Reserve("dResult");
            foreach (var p in method.Parameters)
            {
                var pSyntax = p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) as ParameterSyntax;
                var location = LocationInfo.From((SyntaxNode?)pSyntax ?? syntax);
                if (p.RefKind != RefKind.None)
                {
                    string keyword = p.RefKind == RefKind.Out ? "out" : p.RefKind == RefKind.Ref ? "ref" : "in";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ByRefParameter, location, p.Name, keyword));
                    continue;
                }
                if (p.Name == "dResult")
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DerivedNameCollision, location, p.Name, "dResult", "the name of the adjoint's seed parameter"));
                }
                bool noDerivative = p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Tangent.NoDerivativeAttribute");
                bool active = !noDerivative && TypeNames.IsDifferentiable(p.Type);
                if (!noDerivative && TypeNames.IsUnsupportedDifferentiable(p.Type))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameterType, location, p.Name,
                        p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
                }
                string derived = "";
                if (active)
                {
                    derived = NameAllocator.DerivativeName(p.Name);
                    string? clash = null;
                    if (derivedOwners.TryGetValue(derived, out var owner)) clash = "the derivative parameter of '" + owner + "'";
                    else if (method.Parameters.Any(q => q.Name == derived)) clash = "the name of a parameter";
                    else if (derived == "dResult") clash = "the name of the adjoint's seed parameter";
                    if (clash != null)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DerivedNameCollision, location, p.Name, derived, clash));
                    }
                    derivedOwners[derived] = p.Name;
                    names.Reserve(derived);
                }
                parameters.Add(new ParameterInfo(EscapeIdentifier(p.Name), TypeNames.ToIr(p.Type), active, derived));
            }

            // Generated names must be free in the type.
            string[] generated = { method.Name + "Forward", method.Name + "Adjoint", method.Name + "Gradient", method.Name + "Record", method.Name + "Reverse" };
            foreach (var name in generated)
            {
                var existing = method.ContainingType.GetMembers(name).FirstOrDefault(m => !m.IsImplicitlyDeclared);
                if (existing != null)
                {
                    var at = existing.Locations.FirstOrDefault(l => l.IsInSource);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameCollision,
                        at != null ? LocationInfo.From(at) : LocationInfo.From(syntax.Identifier), name, method.ContainingType.Name, method.Name));
                }
            }

            if (!parameters.Any(p => p.IsActive) && diagnostics.Count == errorsBefore)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoActiveParameter, LocationInfo.From(syntax.Identifier), method.Name));
            }

            // Errors that leave the body well-formed (a type not partial, a name in use) do not stop its
            // lowering, so that all the method's problems are reported at once; the others do.
            if (diagnostics.Skip(errorsBefore).Any(d => !s_bodyStillLowered.Contains(d.Id))) return null;
            if (bodySyntax is null) return null;

            var body = WithoutNullableAnalysis(model).GetOperation(syntax, ct);
            if (body is null) return null;
            var lowerer = new Lowerer(method, names, diagnostics, ct);
            var statements = lowerer.LowerBody(body, syntax);
            lowerer.CheckArrays();

            var ir = new MethodIR(
                HintName(method),
                method.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
                containing.ToEquatableArray(),
                EscapeIdentifier(method.Name),
                Accessibility(method.DeclaredAccessibility),
                method.IsStatic,
                TypeNames.ToIr(method.ReturnType),
                parameters.ToEquatableArray(),
                lowerer.Locals.ToEquatableArray(),
                statements.ToEquatableArray(),
                lowerer.Origins.ToEquatableArray(),
                method.Name + "(" + string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(TypeNames.Qualified))) + ")");

            // Diagnostics that depend on activity: a call without a derivative is an error only
            // when a derivative has to flow through it.
            var activity = ActivityAnalysis.Analyze(ir);
            foreach (var deferred in lowerer.Deferred)
            {
                if ((deferred.WhenActive ? activity.IsActive(deferred.Variable) : activity.IsVaried(deferred.Variable)) && !diagnostics.Contains(deferred.Diagnostic)) diagnostics.Add(deferred.Diagnostic);
            }

            // Calls that will use the callee's generated derivatives (a recursive call needs no check: the
            // method's own errors are reported anyway).
            foreach (var call in lowerer.CalleeCalls)
            {
                if (call.ActiveArguments.Any(activity.IsActive) && !SymbolEqualityComparer.Default.Equals(call.Callee, method.OriginalDefinition)) calls.Add(call);
            }

            if (!diagnostics.Skip(errorsBefore).Any(IsError))
            {
                ZeroDerivativeWarnings(method, syntax, body, ir, activity, lowerer.ZeroDerivativeUses, warnings);
            }
            return ir;
        }

        /// <summary>Declaration errors after which the body is still lowered (and its errors reported).</summary>
        private static readonly HashSet<string> s_bodyStillLowered = new HashSet<string>
        {
            DiagnosticDescriptors.NoActiveParameter.Id, DiagnosticDescriptors.TypeNotPartial.Id,
            DiagnosticDescriptors.NameCollision.Id, DiagnosticDescriptors.DerivedNameCollision.Id,
        };

        /// <summary>
        /// TN3003 (a differentiated parameter never used), TN3001 (a zero-derivative operation on a varied value
        /// whose result feeds the result) and TN3002 (a result that depends on no differentiated parameter, when
        /// neither of the others explains why).
        /// </summary>
        private static void ZeroDerivativeWarnings(IMethodSymbol method, MethodDeclarationSyntax syntax, IOperation body, MethodIR ir, ActivityAnalysis activity,
            IReadOnlyList<ZeroDerivativeUse> uses, List<DiagnosticInfo> warnings)
        {
            var active = method.Parameters.Where(DerivativeResolver.IsActiveParameter).ToList();
            if (active.Count == 0) return;

            var used = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
            foreach (var op in body.Descendants())
            {
                if (op is IParameterReferenceOperation reference) used.Add(reference.Parameter);
            }
            // The signature of an override or an interface implementation is not the method's to change.
            bool signatureFixed = method.IsOverride || method.IsVirtual || method.IsAbstract || method.ExplicitInterfaceImplementations.Length > 0 || ImplementsInterface(method);
            foreach (var p in active)
            {
                if (used.Contains(p) || signatureFixed || (method.IsExtensionMethod && p.Ordinal == 0) || p.Name.All(c => c == '_')) continue;
                var pSyntax = p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as ParameterSyntax;
                warnings.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedParameter, LocationInfo.From((SyntaxNode?)pSyntax ?? syntax.Identifier.Parent), p.Name, method.Name));
            }

            int before = warnings.Count;
            warnings.AddRange(ZeroDerivativeAnalysis.Operations(ir, activity, uses));
            if (warnings.Count > before) return;

            var usedActive = active.Where(used.Contains).ToList();
            if (usedActive.Count > 0 && !ZeroDerivativeAnalysis.ResultIsVaried(ir, activity))
            {
                string names = usedActive.Count == 1 ? "'" + usedActive[0].Name + "'"
                    : string.Join(", ", usedActive.Take(usedActive.Count - 1).Select(p => "'" + p.Name + "'")) + " and '" + usedActive[usedActive.Count - 1].Name + "'";
                warnings.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ResultNotDifferentiated, LocationInfo.From(syntax.Identifier), method.Name,
                    (usedActive.Count == 1 ? "its differentiated parameter " : "its differentiated parameters ") + names, usedActive.Count == 1 ? "it" : "them"));
            }
        }

        private static bool ImplementsInterface(IMethodSymbol method)
        {
            foreach (var type in method.ContainingType.AllInterfaces)
            {
                foreach (var member in type.GetMembers(method.Name))
                {
                    if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method)) return true;
                }
            }
            return false;
        }

        private static string TypeKeyword(INamedTypeSymbol type)
        {
            string keyword;
            if (type.IsRecord) keyword = type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Struct ? "record struct" : "record";
            else if (type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Struct) keyword = "struct";
            else if (type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Interface) keyword = "interface";
            else keyword = "class";
            if (type.IsStatic) keyword = "static partial " + keyword;
            else keyword = "partial " + keyword;
            return keyword;
        }

        private static string Accessibility(Microsoft.CodeAnalysis.Accessibility accessibility) => accessibility switch
        {
            Microsoft.CodeAnalysis.Accessibility.Public => "public",
            Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
            Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
            Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
            Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };

        private static string HintName(IMethodSymbol method)
        {
            var parts = new List<string>();
            if (method.ContainingNamespace is { IsGlobalNamespace: false } ns) parts.Add(ns.ToDisplayString());
            var types = new List<string>();
            for (var t = method.ContainingType; t != null; t = t.ContainingType) types.Insert(0, t.Name + (t.Arity > 0 ? "`" + t.Arity : ""));
            parts.AddRange(types);
            parts.Add(method.Name + "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString())) + ")");
            var chars = string.Join(".", parts).Select(c => char.IsLetterOrDigit(c) || c == '.' || c == '_' || c == ',' || c == '(' || c == ')' || c == '`' ? c : '_').ToArray();
            return new string(chars) + ".g.cs";
        }

        private static string EscapeIdentifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
    }
}
