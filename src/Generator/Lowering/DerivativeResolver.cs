using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;
using Tangent.Generator.Parsing;

namespace Tangent.Generator.Lowering
{
    /// <summary>
    /// Finds the derivatives of a called method: registered ones (<c>[DerivativeOf]</c> in this
    /// compilation or in a referenced assembly, which override everything else), the generated ones of
    /// a <c>[Differentiable]</c> method of this compilation, or the generated ones of another assembly,
    /// found through their <c>[GeneratedDerivative]</c> markers.
    /// </summary>
    internal static class DerivativeResolver
    {
        public const string DifferentiableAttribute = "Tangent.DifferentiableAttribute";
        public const string NoDerivativeAttribute = "Tangent.NoDerivativeAttribute";
        public const string DerivativeOfAttribute = "Tangent.DerivativeOfAttribute";
        public const string GeneratedDerivativeAttribute = "Tangent.GeneratedDerivativeAttribute";
        public const string RegistrationsAttribute = "Tangent.DerivativeRegistrationsAttribute";

        private static readonly ConditionalWeakTable<Compilation, Dictionary<string, List<IMethodSymbol>>> s_registrations
            = new ConditionalWeakTable<Compilation, Dictionary<string, List<IMethodSymbol>>>();

        /// <summary>
        /// How to differentiate through a call of <paramref name="target"/>, whose primal the generated
        /// code spells <paramref name="function"/>; null when the method has no derivative.
        /// </summary>
        public static CalleeInfo? Resolve(IMethodSymbol target, string function, Compilation compilation)
            => Resolve(target, function, compilation, out _);

        /// <summary>
        /// Like <see cref="Resolve(IMethodSymbol, string, Compilation)"/>; <paramref name="usesGeneratedInSource"/> is
        /// true when the derivative methods used include ones generated for a [Differentiable] method of this
        /// compilation, which exist only if that method has no errors.
        /// </summary>
        public static CalleeInfo? Resolve(IMethodSymbol target, string function, Compilation compilation, out bool usesGeneratedInSource)
        {
            usesGeneratedInSource = false;
            target = target.OriginalDefinition;
            if (target.IsGenericMethod) return null;
            string prefix = function.Substring(0, function.Length - target.Name.Length);
            var parameterTypes = target.Parameters.Select(p => TypeNames.ToIr(p.Type)).ToEquatableArray();
            var active = target.Parameters.Select(IsActiveParameter).ToEquatableArray();
            string display = target.ContainingType.Name + "." + target.Name;

            string? forward = null, record = null, reverse = null;
            bool registered = false;

            // 1. The user's registrations win.
            foreach (var candidate in Registrations(compilation, target))
            {
                var kind = Shapes.Match(target, candidate, out _);
                string spelled = candidate.ContainingType.ToDisplayString(TypeNames.Qualified) + "." + candidate.Name;
                if (kind == DerivativeShape.Forward && forward is null) { forward = spelled; registered = true; }
                if (kind == DerivativeShape.Adjoint && reverse is null) { reverse = spelled; registered = true; }
            }

            // 2. Generated derivatives: of this compilation, or found in metadata.
            bool generated;
            if (target.DeclaringSyntaxReferences.Length > 0)
            {
                generated = target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute)
                            && TypeNames.IsSupportedReturn(target.ReturnType)
                            && target.Parameters.All(p => p.RefKind == RefKind.None);
            }
            else
            {
                generated = HasGenerated(target, "Forward", 0) && HasGenerated(target, "Record", 3) && HasGenerated(target, "Reverse", 4);
            }
            if (generated)
            {
                bool inSource = target.DeclaringSyntaxReferences.Length > 0;
                if (forward is null)
                {
                    forward = prefix + target.Name + "Forward";
                    usesGeneratedInSource |= inSource;
                }
                if (reverse is null)
                {
                    record = prefix + target.Name + "Record";
                    reverse = prefix + target.Name + "Reverse";
                    usesGeneratedInSource |= inSource;
                }
            }
            if (forward is null && reverse is null) return null;
            return new CalleeInfo(display, parameterTypes, active, TypeNames.ToIr(target.ReturnType), forward, record, reverse, registered);
        }

        /// <summary>A method of this compilation marked [Differentiable].</summary>
        public static bool IsDifferentiableInSource(IMethodSymbol method)
            => method.OriginalDefinition.DeclaringSyntaxReferences.Length > 0
               && method.OriginalDefinition.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute);

        public static bool IsActiveParameter(IParameterSymbol p)
            => TypeNames.IsDifferentiable(p.Type) && !p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDerivativeAttribute);

        /// <summary>A generated member <c>M{suffix}</c> of another assembly that carries the marker for <c>M</c> and kind.</summary>
        private static bool HasGenerated(IMethodSymbol target, string suffix, int kind)
        {
            foreach (var member in target.ContainingType.GetMembers(target.Name + suffix).OfType<IMethodSymbol>())
            {
                if (member.IsStatic != target.IsStatic || member.Parameters.Length < target.Parameters.Length) continue;
                bool prefixMatches = true;
                for (int i = 0; i < target.Parameters.Length; i++)
                {
                    if (!SymbolEqualityComparer.Default.Equals(member.Parameters[i].Type, target.Parameters[i].Type)) prefixMatches = false;
                }
                if (!prefixMatches) continue;
                foreach (var a in member.GetAttributes())
                {
                    if (a.AttributeClass?.ToDisplayString() == GeneratedDerivativeAttribute && a.ConstructorArguments.Length == 2
                        && a.ConstructorArguments[0].Value as string == target.Name && a.ConstructorArguments[1].Value is int k && k == kind)
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        /// <summary>The methods registered with <c>[DerivativeOf]</c> for the type and name of <paramref name="target"/>.</summary>
        public static IEnumerable<IMethodSymbol> Registrations(Compilation compilation, IMethodSymbol target)
        {
            var index = s_registrations.GetValue(compilation, BuildIndex);
            return index.TryGetValue(Key(target.ContainingType, target.Name), out var list) ? list : Enumerable.Empty<IMethodSymbol>();
        }

        /// <summary>True when some registration names this method's type and name (cheap, for the common case of none).</summary>
        public static bool HasRegistrations(Compilation compilation) => s_registrations.GetValue(compilation, BuildIndex).Count > 0;

        private static string Key(ITypeSymbol type, string name) => type.OriginalDefinition.ToDisplayString(TypeNames.Qualified) + "." + name;

        private static Dictionary<string, List<IMethodSymbol>> BuildIndex(Compilation compilation)
        {
            var index = new Dictionary<string, List<IMethodSymbol>>();
            void Add(IMethodSymbol method)
            {
                foreach (var a in method.GetAttributes())
                {
                    if (a.AttributeClass?.ToDisplayString() != DerivativeOfAttribute || a.ConstructorArguments.Length != 2) continue;
                    if (!(a.ConstructorArguments[0].Value is ITypeSymbol type) || !(a.ConstructorArguments[1].Value is string name)) continue;
                    string key = Key(type, name);
                    if (!index.TryGetValue(key, out var list)) index[key] = list = new List<IMethodSymbol>();
                    if (!list.Contains(method, SymbolEqualityComparer.Default)) list.Add(method);
                }
            }

            // This compilation: only declarations with an attribute named like DerivativeOf are bound.
            foreach (var tree in compilation.SyntaxTrees)
            {
                var root = tree.GetRoot();
                SemanticModel? model = null;
                foreach (var node in root.DescendantNodes(n => n is CompilationUnitSyntax || n is BaseNamespaceDeclarationSyntax || n is TypeDeclarationSyntax))
                {
                    if (!(node is MethodDeclarationSyntax method)) continue;
                    if (!method.AttributeLists.SelectMany(l => l.Attributes).Any(IsDerivativeOfName)) continue;
                    model ??= compilation.GetSemanticModel(tree);
                    if (model.GetDeclaredSymbol(method) is IMethodSymbol symbol) Add(symbol);
                }
            }

            // Referenced assemblies list the types that hold their registrations.
            foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                foreach (var a in assembly.GetAttributes())
                {
                    if (a.AttributeClass?.ToDisplayString() != RegistrationsAttribute || a.ConstructorArguments.Length != 1) continue;
                    if (!(a.ConstructorArguments[0].Value is INamedTypeSymbol type)) continue;
                    foreach (var m in type.GetMembers().OfType<IMethodSymbol>()) Add(m);
                }
            }
            return index;
        }

        private static bool IsDerivativeOfName(AttributeSyntax attribute)
        {
            string name = attribute.Name is QualifiedNameSyntax q ? q.Right.Identifier.ValueText
                : attribute.Name is AliasQualifiedNameSyntax a ? a.Name.Identifier.ValueText
                : attribute.Name is SimpleNameSyntax s ? s.Identifier.ValueText : "";
            return name == "DerivativeOf" || name == "DerivativeOfAttribute";
        }
    }

    internal enum DerivativeShape
    {
        None,
        Forward,
        Adjoint,
    }

    /// <summary>The contract's derivative signatures (DESIGN §2), for checking registrations.</summary>
    internal static class Shapes
    {
        private static readonly SymbolDisplayFormat Short = SymbolDisplayFormat.MinimallyQualifiedFormat;

        /// <summary>
        /// Whether <paramref name="candidate"/> has the forward or the adjoint shape of <paramref name="target"/>.
        /// When it has neither, <paramref name="mismatch"/> says what differs from the shape its result type suggests.
        /// </summary>
        public static DerivativeShape Match(IMethodSymbol target, IMethodSymbol candidate, out string mismatch)
        {
            mismatch = "";
            if (!candidate.IsStatic)
            {
                mismatch = "a registered derivative must be static";
                return DerivativeShape.None;
            }
            if (!target.IsStatic)
            {
                mismatch = "derivatives can be registered for static methods only";
                return DerivativeShape.None;
            }
            bool forward = candidate.ReturnType is INamedTypeSymbol tuple && tuple.IsTupleType;
            var expected = Expected(target, forward);
            var actual = candidate.Parameters.Select(p => (Ref(p.RefKind) + p.Type.ToDisplayString(Short))).ToList();
            if (forward)
            {
                var elements = ((INamedTypeSymbol)candidate.ReturnType).TupleElements;
                string r = target.ReturnType.ToDisplayString(Short);
                if (elements.Length != 2 || elements.Any(e => !SymbolEqualityComparer.Default.Equals(e.Type, target.ReturnType)))
                {
                    mismatch = $"the result is '{candidate.ReturnType.ToDisplayString(Short)}' but the forward shape returns '({r} Value, {r} Tangent)'";
                    return DerivativeShape.None;
                }
            }
            else if (!SymbolEqualityComparer.Default.Equals(candidate.ReturnType, target.ReturnType))
            {
                mismatch = $"the result is '{candidate.ReturnType.ToDisplayString(Short)}' but the adjoint shape returns '{target.ReturnType.ToDisplayString(Short)}' (and the forward shape a tuple)";
                return DerivativeShape.None;
            }
            for (int i = 0; i < System.Math.Max(expected.Count, actual.Count); i++)
            {
                if (i >= actual.Count)
                {
                    mismatch = $"parameter {i + 1} '{expected[i].Type} {expected[i].Name}' is missing";
                    return DerivativeShape.None;
                }
                if (i >= expected.Count)
                {
                    mismatch = $"parameter {i + 1} '{candidate.Parameters[i].Name}' is one too many";
                    return DerivativeShape.None;
                }
                if (actual[i] != expected[i].Type)
                {
                    mismatch = $"parameter {i + 1} '{candidate.Parameters[i].Name}' is '{actual[i]}' but '{expected[i].Type}' was expected ({expected[i].Name})";
                    return DerivativeShape.None;
                }
            }
            return forward ? DerivativeShape.Forward : DerivativeShape.Adjoint;
        }

        /// <summary>The expected forward and adjoint signatures of <paramref name="target"/>, as text for messages.</summary>
        public static string Describe(IMethodSymbol target, string name)
        {
            string r = target.ReturnType.ToDisplayString(Short);
            string Params(bool forward) => string.Join(", ", Expected(target, forward).Select(p => p.Type + " " + p.Name));
            return $"'static ({r} Value, {r} Tangent) {name}({Params(true)})' or 'static {r} {name}({Params(false)})'";
        }

        private static List<(string Type, string Name)> Expected(IMethodSymbol target, bool forward)
        {
            var list = target.Parameters.Select(p => (p.Type.ToDisplayString(Short), p.Name)).ToList();
            foreach (var p in target.Parameters.Where(DerivativeResolver.IsActiveParameter))
            {
                string derived = NameAllocator.DerivativeName(p.Name);
                string type = p.Type.ToDisplayString(Short);
                if (!forward)
                {
                    if (TypeNames.IsDifferentiableScalar(p.Type)) type = "ref " + type;
                    else if (TypeNames.CollectionShape(p.Type, out var element, out var shape) && shape == Shape.ReadOnlySpan)
                        type = "Span<" + element.ToDisplayString(Short) + ">";
                }
                list.Add((type, derived));
            }
            if (!forward) list.Add((target.ReturnType.ToDisplayString(Short), "dResult"));
            return list;
        }

        private static string Ref(RefKind kind) => kind switch
        {
            RefKind.Ref => "ref ",
            RefKind.Out => "out ",
            RefKind.In => "in ",
            _ => "",
        };
    }
}
