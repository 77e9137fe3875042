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
            }
            if (CollectionShape(type, out var element, out var shape))
            {
                var kind = ElementKind(element);
                if (kind != TypeKind.Other) return IrType.Collection(kind, shape);
            }
            return new IrType(TypeKind.Other, type.ToDisplayString(Qualified));
        }

        private static TypeKind ElementKind(ITypeSymbol element) => element.SpecialType switch
        {
            SpecialType.System_Double => TypeKind.Double,
            SpecialType.System_Single => TypeKind.Float,
            SpecialType.System_Int32 => TypeKind.Int,
            SpecialType.System_Boolean => TypeKind.Bool,
            _ => TypeKind.Other,
        };

        /// <summary>Recognizes <c>T[]</c>, <c>T[,]</c>, <c>Span&lt;T&gt;</c> and <c>ReadOnlySpan&lt;T&gt;</c>.</summary>
        public static bool CollectionShape(ITypeSymbol type, out ITypeSymbol element, out Shape shape)
        {
            element = type;
            shape = Shape.Scalar;
            if (type is IArrayTypeSymbol array && (array.Rank == 1 || array.Rank == 2) && (array.Rank == 2 || array.IsSZArray))
            {
                element = array.ElementType;
                shape = array.Rank == 1 ? Shape.Array : Shape.Array2D;
                return true;
            }
            if (type is INamedTypeSymbol named && named.IsGenericType && named.TypeArguments.Length == 1
                && (named.Name == "Span" || named.Name == "ReadOnlySpan")
                && named.ContainingNamespace?.ToDisplayString() == "System")
            {
                element = named.TypeArguments[0];
                shape = named.Name == "Span" ? Shape.Span : Shape.ReadOnlySpan;
                return true;
            }
            return false;
        }

        public static bool IsDifferentiableScalar(ITypeSymbol type)
            => type.SpecialType == SpecialType.System_Double || type.SpecialType == SpecialType.System_Single;

        /// <summary>double, float, and arrays (rank 1 or 2) and spans of them: the types with derivatives.</summary>
        public static bool IsDifferentiable(ITypeSymbol type)
            => IsDifferentiableScalar(type) || CollectionShape(type, out var element, out _) && IsDifferentiableScalar(element);

        /// <summary>The types a [Differentiable] method may return: double, float, and their 1-D and 2-D arrays.</summary>
        public static bool IsSupportedReturn(ITypeSymbol type)
            => IsDifferentiableScalar(type) || CollectionShape(type, out var element, out var shape) && IsDifferentiableScalar(element)
               && (shape == Shape.Array || shape == Shape.Array2D);

        /// <summary>Collections of doubles or floats the contract does not cover: jagged arrays and arrays of rank 3 or more.</summary>
        public static bool IsUnsupportedDifferentiable(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol array)
            {
                ITypeSymbol element = array.ElementType;
                while (element is IArrayTypeSymbol inner) element = inner.ElementType;
                return IsDifferentiableScalar(element) && !IsDifferentiable(type);
            }
            return false;
        }
    }
}
