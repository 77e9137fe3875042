using System;
using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.Helpers;

namespace Tangent.Generator.IR
{
    /// <summary>
    /// An expression. In the primal IR (A-normal form) an assigned value is either an atom
    /// (<see cref="VarExpr"/>, <see cref="ConstExpr"/>, <see cref="RawExpr"/>) or one operation whose
    /// operands are atoms. The generated code uses full expression trees of the same types.
    /// </summary>
    public abstract record Expr
    {
        /// <summary>True for atoms: variables, constants and raw inactive reads.</summary>
        public virtual bool IsAtom => false;

        /// <summary>The direct sub-expressions.</summary>
        public abstract IEnumerable<Expr> Children { get; }

        /// <summary>False when evaluating the expression may have effects (a call of user code), so it must not be moved or removed.</summary>
        public virtual bool IsPure
        {
            get
            {
                foreach (var c in Children)
                {
                    if (!c.IsPure) return false;
                }
                return true;
            }
        }

        public override string ToString() => ExprPrinter.Print(this);
    }

    /// <summary>A reference to a variable (parameter, local, temporary, tangent or adjoint).</summary>
    public sealed record VarExpr(string Name) : Expr
    {
        public override bool IsAtom => true;
        public override IEnumerable<Expr> Children => Array.Empty<Expr>();
        public override string ToString() => Name;
    }

    /// <summary>A literal, already spelled as C# (<c>2</c>, <c>0.5</c>, <c>1.5f</c>, <c>true</c>).</summary>
    public sealed record ConstExpr(string Text, TypeKind Kind) : Expr
    {
        public static readonly ConstExpr Zero = new ConstExpr("0", TypeKind.Int);
        public static readonly ConstExpr One = new ConstExpr("1", TypeKind.Int);

        public override bool IsAtom => true;
        public override IEnumerable<Expr> Children => Array.Empty<Expr>();

        public bool IsZero => Text == "0" || Text == "0.0" || Text == "0f" || Text == "0.0f" || Text == "0d";
        public bool IsOne => Text == "1" || Text == "1.0" || Text == "1f" || Text == "1.0f" || Text == "1d";
        public bool IsNegative => Text.StartsWith("-", StringComparison.Ordinal);
    }

    /// <summary>An inactive read the generated code repeats verbatim (<c>this.scale</c>, <c>global::N.T.Rate</c>).</summary>
    public sealed record RawExpr(string Text, bool Pure = true) : Expr
    {
        public override bool IsAtom => true;
        public override bool IsPure => Pure;
        public override IEnumerable<Expr> Children => Array.Empty<Expr>();
    }

    /// <summary>
    /// An operator application. <see cref="Op"/> is one of <see cref="Ops"/>; unary operators have one argument.
    /// </summary>
    public sealed record OpExpr(string Op, EquatableArray<Expr> Args) : Expr
    {
        /// <summary>Takes ownership of <paramref name="args"/> (every caller passes a fresh array): no copy.</summary>
        public OpExpr(string op, params Expr[] args) : this(op, new EquatableArray<Expr>(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(args))) { }

        public override IEnumerable<Expr> Children => Args;
    }

    /// <summary>
    /// A call of a static function. <see cref="Function"/> is spelled as the generated code calls it
    /// (<c>global::System.Math.Sin</c>). <see cref="TemplateKey"/> names the derivative template for
    /// differentiable intrinsics; <see cref="Pure"/> is false for calls of user code. <see cref="Callee"/>
    /// says how to differentiate through a call of a method with generated or registered derivatives.
    /// </summary>
    public sealed record CallExpr(string Function, EquatableArray<Expr> Args, string? TemplateKey, bool Pure, Expr? Receiver = null, CalleeInfo? Callee = null) : Expr
    {
        public override IEnumerable<Expr> Children => Receiver is null ? (IEnumerable<Expr>)Args : new[] { Receiver }.Concat(Args);
        public override bool IsPure => Pure && base.IsPure;
    }

    /// <summary>A member read on an atom (<c>name.Length</c>); never differentiated.</summary>
    public sealed record MemberExpr(Expr Receiver, string Member) : Expr
    {
        public override IEnumerable<Expr> Children => new[] { Receiver };
    }

    /// <summary>An explicit numeric conversion <c>(T)x</c>.</summary>
    public sealed record CastExpr(IrType Type, Expr Operand) : Expr
    {
        public override IEnumerable<Expr> Children => new[] { Operand };
    }

    /// <summary>The conditional operator <c>c ? a : b</c> (used by templates and control-flow lowering).</summary>
    public sealed record CondExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr
    {
        public override IEnumerable<Expr> Children => new[] { Condition, WhenTrue, WhenFalse };
    }

    /// <summary>A tuple literal <c>(a, b)</c>, used for the results of generated methods.</summary>
    public sealed record TupleExpr(EquatableArray<Expr> Items) : Expr
    {
        public override IEnumerable<Expr> Children => Items;
    }

    /// <summary>The operator spellings the IR uses.</summary>
    public static class Ops
    {
        public const string Add = "+";
        public const string Subtract = "-";
        public const string Multiply = "*";
        public const string Divide = "/";
        public const string Remainder = "%";
        public const string Negate = "neg";
        public const string Plus = "pos";
        public const string Not = "!";
        public const string Less = "<";
        public const string LessOrEqual = "<=";
        public const string Greater = ">";
        public const string GreaterOrEqual = ">=";
        public const string Equal = "==";
        public const string NotEqual = "!=";
        public const string And = "&&";
        public const string Or = "||";

        public static bool IsUnary(string op) => op == Negate || op == Plus || op == Not;

        public static bool IsComparison(string op)
            => op == Less || op == LessOrEqual || op == Greater || op == GreaterOrEqual || op == Equal || op == NotEqual;
    }
}

namespace Tangent.Generator.IR
{
    /// <summary>
    /// An interpolated string (for logging): Texts alternate literal text and hole suffixes
    /// (<c>,alignment:format</c>) around the Holes: text0 {hole0 suffix0} text1 {hole1 suffix1} ... textN.
    /// </summary>
    public sealed record InterpolatedExpr(EquatableArray<string> Texts, EquatableArray<Expr> Holes) : Expr
    {
        public override IEnumerable<Expr> Children => Holes;
    }
}

namespace Tangent.Generator.IR
{
    /// <summary>An element read <c>a[i]</c> or <c>a[i, j]</c>: the array and the indices are atoms.</summary>
    public sealed record IndexExpr(Expr Array, EquatableArray<Expr> Indices) : Expr
    {
        /// <summary>Takes ownership of <paramref name="indices"/> (every caller passes a fresh array): no copy.</summary>
        public IndexExpr(Expr array, params Expr[] indices) : this(array, new EquatableArray<Expr>(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(indices))) { }

        public override IEnumerable<Expr> Children => new[] { Array }.Concat(Indices);
    }

    /// <summary>A new zeroed array <c>new double[n]</c> or <c>new double[n, m]</c>; <see cref="Type"/> is the array type.</summary>
    public sealed record NewArrayExpr(IrType Type, EquatableArray<Expr> Sizes) : Expr
    {
        public override IEnumerable<Expr> Children => Sizes;
    }
}
