using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tangent.CodeFixes
{
    /// <summary>
    /// Names from Tangent.Runtime that the fixes write into user code, each as the shortest spelling that binds
    /// where it is written: <c>Autodiff</c> under <c>using Tangent;</c> (or inside namespace <c>Tangent</c>),
    /// otherwise <c>Tangent.Autodiff</c>, or <c>global::Tangent.Autodiff</c> when something else is called
    /// <c>Tangent</c> there. The fixes add no <c>using</c>.
    /// </summary>
    internal static class TangentNames
    {
        /// <summary>The metadata name of the class that holds <c>StopGradient</c>.</summary>
        public const string Autodiff = "Tangent.Autodiff";

        /// <summary>The metadata name of the attribute that marks a parameter as data.</summary>
        public const string NoDerivativeAttribute = "Tangent.NoDerivativeAttribute";

        /// <summary>The shortest name of <paramref name="type"/> (a type in namespace Tangent) that binds to it, as an expression, at <paramref name="position"/>.</summary>
        public static NameSyntax TypeInExpression(SemanticModel model, int position, INamedTypeSymbol type)
        {
            foreach (NameSyntax name in Spellings(type.Name))
            {
                ISymbol? bound = model.GetSpeculativeSymbolInfo(position, name, SpeculativeBindingOption.BindAsExpression).Symbol;
                if (SymbolEqualityComparer.Default.Equals(bound, type))
                    return name;
            }
            return FullyQualified(type.Name);
        }

        /// <summary>
        /// The shortest name of the attribute class <paramref name="attribute"/> (in namespace Tangent, named
        /// <c>XAttribute</c>) that binds to it in an attribute at <paramref name="position"/>: <c>X</c>, <c>Tangent.X</c>, ...
        /// </summary>
        public static NameSyntax Attribute(SemanticModel model, int position, INamedTypeSymbol attribute)
        {
            const string suffix = nameof(System.Attribute);
            string name = attribute.Name.EndsWith(suffix, System.StringComparison.Ordinal) ? attribute.Name.Substring(0, attribute.Name.Length - suffix.Length) : attribute.Name;
            foreach (NameSyntax spelling in Spellings(name))
            {
                ISymbol? constructor = model.GetSpeculativeSymbolInfo(position, SyntaxFactory.Attribute(spelling)).Symbol;
                if (SymbolEqualityComparer.Default.Equals(constructor?.ContainingType, attribute))
                    return spelling;
            }
            return FullyQualified(name);
        }

        /// <summary><c>Name</c>, <c>Tangent.Name</c>, <c>global::Tangent.Name</c>.</summary>
        private static NameSyntax[] Spellings(string name) => new NameSyntax[]
        {
            SyntaxFactory.IdentifierName(name),
            SyntaxFactory.QualifiedName(SyntaxFactory.IdentifierName("Tangent"), SyntaxFactory.IdentifierName(name)),
            FullyQualified(name),
        };

        private static NameSyntax FullyQualified(string name) => SyntaxFactory.QualifiedName(
            SyntaxFactory.AliasQualifiedName(SyntaxFactory.IdentifierName(SyntaxFactory.Token(SyntaxKind.GlobalKeyword)), SyntaxFactory.IdentifierName("Tangent")),
            SyntaxFactory.IdentifierName(name));
    }
}
