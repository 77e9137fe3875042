using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.Helpers;

namespace Tangent.Generator.IR
{
    /// <summary>
    /// How generated code differentiates through a call of another method (a <c>[Differentiable]</c>
    /// method of this or another assembly, or a method with derivatives registered by
    /// <c>[DerivativeOf]</c>). Function names are spelled like <see cref="CallExpr.Function"/>.
    /// </summary>
    /// <param name="Display">The callee as a person names it (<c>Helpers.Square</c>), for comments.</param>
    /// <param name="ParameterTypes">The callee's parameter types, in order.</param>
    /// <param name="ActiveParameters">Which parameters take a tangent and an adjoint.</param>
    /// <param name="ReturnType">The callee's result type.</param>
    /// <param name="Forward"><c>(R Value, R Tangent) F(p.., dP..)</c>, or null when no forward derivative is known.</param>
    /// <param name="Record">
    /// The forward half of a split adjoint (<c>R MRecord(p..)</c>: runs the callee and records on the
    /// tape), or null when the adjoint is a joint one that recomputes the callee (a registered adjoint).
    /// </param>
    /// <param name="Reverse">
    /// With <see cref="Record"/>: <c>void MReverse(p.., ref dP.., R dResult)</c>, which replays the record.
    /// Without it: the joint adjoint <c>R A(p.., ref dP.., R dResult)</c>. Null when no adjoint is known.
    /// </param>
    /// <param name="Registered">True when the derivatives are the user's (<c>[DerivativeOf]</c>).</param>
    public sealed record CalleeInfo(
        string Display,
        EquatableArray<IrType> ParameterTypes,
        EquatableArray<bool> ActiveParameters,
        IrType ReturnType,
        string? Forward,
        string? Record,
        string? Reverse,
        bool Registered)
    {
        /// <summary>The arguments passed in positions that take a derivative.</summary>
        public IEnumerable<int> ActiveIndices => Enumerable.Range(0, ActiveParameters.Count).Where(i => ActiveParameters[i]);
    }

    /// <summary><c>ref name</c>: an argument the callee adds into (generated code only).</summary>
    public sealed record RefExpr(string Name) : Expr
    {
        public override bool IsAtom => false;
        public override IEnumerable<Expr> Children => new Expr[] { new VarExpr(Name) };
    }
}
