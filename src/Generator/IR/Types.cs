using System;

namespace Tangent.Generator.IR
{
    /// <summary>The kinds of values the IR distinguishes. Only Double and Float carry derivatives.</summary>
    public enum TypeKind
    {
        Double,
        Float,
        Int,
        Bool,
        /// <summary>Any other type (string, long, user types): never differentiated, passed through verbatim.</summary>
        Other,
    }

    /// <summary>Whether a value is a scalar or a collection of elements of its <see cref="TypeKind"/>.</summary>
    public enum Shape
    {
        Scalar,
        /// <summary><c>T[]</c></summary>
        Array,
        /// <summary><c>T[,]</c></summary>
        Array2D,
        /// <summary><c>Span&lt;T&gt;</c></summary>
        Span,
        /// <summary><c>ReadOnlySpan&lt;T&gt;</c></summary>
        ReadOnlySpan,
    }

    /// <summary>
    /// A type as the generated code spells it, with the kind the analyses need. For arrays and spans
    /// <see cref="Kind"/> is the element's kind.
    /// </summary>
    public sealed record IrType(TypeKind Kind, string Name, Shape Shape = Shape.Scalar)
    {
        public static readonly IrType Double = new IrType(TypeKind.Double, "double");
        public static readonly IrType Float = new IrType(TypeKind.Float, "float");
        public static readonly IrType Int = new IrType(TypeKind.Int, "int");
        public static readonly IrType Bool = new IrType(TypeKind.Bool, "bool");

        /// <summary>True for the types that have tangents and adjoints: double and float scalars, arrays and spans.</summary>
        public bool IsDifferentiable => Kind == TypeKind.Double || Kind == TypeKind.Float;

        public bool IsScalar => Shape == Shape.Scalar;

        /// <summary>True for arrays and spans.</summary>
        public bool IsCollection => Shape != Shape.Scalar;

        public bool IsSpan => Shape == Shape.Span || Shape == Shape.ReadOnlySpan;

        /// <summary>The number of indices an element access takes.</summary>
        public int Rank => Shape == Shape.Array2D ? 2 : Shape == Shape.Scalar ? 0 : 1;

        /// <summary>The type of one element (the type itself for scalars).</summary>
        public IrType Element => Shape == Shape.Scalar ? this : ScalarOf(Kind);

        /// <summary>The type of the adjoint shadow: a span's adjoint is a writable <c>Span&lt;T&gt;</c>.</summary>
        public IrType AdjointShadow => Shape == Shape.ReadOnlySpan ? Collection(Kind, Shape.Span) : this;

        /// <summary>The math class whose functions the derivative templates call for this type.</summary>
        public string MathClass => Kind == TypeKind.Float ? "global::System.MathF" : "global::System.Math";

        public static IrType ScalarOf(TypeKind kind) => kind switch
        {
            TypeKind.Double => Double,
            TypeKind.Float => Float,
            TypeKind.Int => Int,
            TypeKind.Bool => Bool,
            _ => new IrType(TypeKind.Other, "object"),
        };

        /// <summary>An array or span of doubles or floats, spelled as generated code spells it.</summary>
        public static IrType Collection(TypeKind element, Shape shape)
        {
            string e = element == TypeKind.Float ? "float" : element == TypeKind.Int ? "int" : element == TypeKind.Bool ? "bool" : "double";
            string name = shape switch
            {
                Shape.Array => e + "[]",
                Shape.Array2D => e + "[,]",
                Shape.Span => "global::System.Span<" + e + ">",
                Shape.ReadOnlySpan => "global::System.ReadOnlySpan<" + e + ">",
                _ => e,
            };
            return new IrType(element, name, shape);
        }

        public override string ToString() => Name;
    }
}
