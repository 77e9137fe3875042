using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
        public static MethodModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var method = (IMethodSymbol)context.TargetSymbol;
            var syntax = (MethodDeclarationSyntax)context.TargetNode;
            var diagnostics = new List<DiagnosticInfo>();
            try
            {
                var ir = ParseCore(method, syntax, context.SemanticModel, diagnostics, cancellationToken);
                bool hasErrors = diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
                return new MethodModel(hasErrors ? null : ir, diagnostics.ToEquatableArray());
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(syntax.Identifier), method.Name, ex.GetType().Name + ": " + ex.Message));
                return new MethodModel(null, diagnostics.ToEquatableArray());
            }
        }

        private static MethodIR? ParseCore(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, List<DiagnosticInfo> diagnostics, CancellationToken ct)
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

            if (diagnostics.Count > errorsBefore && diagnostics.Skip(errorsBefore).Any(d => d.Id != DiagnosticDescriptors.NoActiveParameter.Id)) return null;
            if (bodySyntax is null) return null;

            var body = model.GetOperation(syntax, ct);
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
            if (lowerer.Deferred.Count > 0)
            {
                var activity = ActivityAnalysis.Analyze(ir);
                foreach (var deferred in lowerer.Deferred)
                {
                    if ((deferred.WhenActive ? activity.IsActive(deferred.Variable) : activity.IsVaried(deferred.Variable)) && !diagnostics.Contains(deferred.Diagnostic)) diagnostics.Add(deferred.Diagnostic);
                }
            }

            return ir;
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
