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

    /// <summary>A type as the generated code spells it, with the kind the analyses need.</summary>
    public sealed record IrType(TypeKind Kind, string Name)
    {
        public static readonly IrType Double = new IrType(TypeKind.Double, "double");
        public static readonly IrType Float = new IrType(TypeKind.Float, "float");
        public static readonly IrType Int = new IrType(TypeKind.Int, "int");
        public static readonly IrType Bool = new IrType(TypeKind.Bool, "bool");

        /// <summary>True for the types that have tangents and adjoints.</summary>
        public bool IsDifferentiable => Kind == TypeKind.Double || Kind == TypeKind.Float;

        /// <summary>The math class whose functions the derivative templates call for this type.</summary>
        public string MathClass => Kind == TypeKind.Float ? "global::System.MathF" : "global::System.Math";

        public override string ToString() => Name;
    }
}
