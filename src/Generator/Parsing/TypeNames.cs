using Microsoft.CodeAnalysis;
using TypeKind = Tangent.Generator.IR.TypeKind;
using Tangent.Generator.IR;

namespace Tangent.Generator.Parsing
{
    /// <summary>Maps Roslyn types to the IR's types.</summary>
    internal static class TypeNames
    {
        public static readonly SymbolDisplayFormat Qualified = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

        public static IrType ToIr(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Double: return IrType.Double;
                case SpecialType.System_Single: return IrType.Float;
                case SpecialType.System_Int32: return IrType.Int;
                case SpecialType.System_Boolean: return IrType.Bool;
                default: return new IrType(TypeKind.Other, type.ToDisplayString(Qualified));
            }
        }

        public static bool IsDifferentiableScalar(ITypeSymbol type)
            => type.SpecialType == SpecialType.System_Double || type.SpecialType == SpecialType.System_Single;

        /// <summary>Types the contract makes active but this version does not differentiate yet.</summary>
        public static bool IsUnsupportedDifferentiable(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array) return IsDifferentiableScalar(array.ElementType);
            if (type is INamedTypeSymbol named && named.IsGenericType && named.TypeArguments.Length == 1
                && (named.Name == "Span" || named.Name == "ReadOnlySpan")
                && named.ContainingNamespace?.ToDisplayString() == "System")
            {
                return IsDifferentiableScalar(named.TypeArguments[0]);
            }
            return false;
        }
    }
}
