using Tangent.Generator.Helpers;
using Tangent.Generator.IR;

namespace Tangent.Generator.Optimization
{
    /// <summary>What <see cref="ExprMap.Map"/> does at each node.</summary>
    internal interface IExprRewrite
    {
        /// <summary>The node's replacement (not descended into; the node itself to keep it as it is), or null to rewrite its children.</summary>
        Expr? Visit(Expr e);
    }

    /// <summary>
    /// The one bottom-up expression rewrite of the optimizer: an unchanged subtree comes back as the same instance, so
    /// a rewrite that changes nothing allocates nothing. The rewrite is a struct, so a call allocates no closure.
    /// </summary>
    internal static class ExprMap
    {
        public static Expr Map<T>(Expr e, ref T rewrite) where T : struct, IExprRewrite
        {
            if (rewrite.Visit(e) is Expr replaced) return replaced;
            switch (e)
            {
                case OpExpr o:
                {
                    var args = MapAll(o.Args, ref rewrite);
                    return args is null ? o : new OpExpr(o.Op, args.Value);
                }
                case CallExpr c:
                {
                    var args = MapAll(c.Args, ref rewrite);
                    var receiver = c.Receiver is null ? null : Map(c.Receiver, ref rewrite);
                    return args is null && ReferenceEquals(receiver, c.Receiver) ? c : c with { Args = args ?? c.Args, Receiver = receiver };
                }
                case CastExpr k:
                {
                    var operand = Map(k.Operand, ref rewrite);
                    return ReferenceEquals(operand, k.Operand) ? k : new CastExpr(k.Type, operand);
                }
                case CondExpr k:
                {
                    var condition = Map(k.Condition, ref rewrite);
                    var whenTrue = Map(k.WhenTrue, ref rewrite);
                    var whenFalse = Map(k.WhenFalse, ref rewrite);
                    return ReferenceEquals(condition, k.Condition) && ReferenceEquals(whenTrue, k.WhenTrue) && ReferenceEquals(whenFalse, k.WhenFalse)
                        ? k : new CondExpr(condition, whenTrue, whenFalse);
                }
                case TupleExpr t:
                {
                    var items = MapAll(t.Items, ref rewrite);
                    return items is null ? t : new TupleExpr(items.Value);
                }
                case MemberExpr m:
                {
                    var receiver = Map(m.Receiver, ref rewrite);
                    return ReferenceEquals(receiver, m.Receiver) ? m : new MemberExpr(receiver, m.Member);
                }
                case IndexExpr x:
                {
                    var array = Map(x.Array, ref rewrite);
                    var indices = MapAll(x.Indices, ref rewrite);
                    return indices is null && ReferenceEquals(array, x.Array) ? x : new IndexExpr(array, indices ?? x.Indices);
                }
                case NewArrayExpr n:
                {
                    var sizes = MapAll(n.Sizes, ref rewrite);
                    return sizes is null ? n : n with { Sizes = sizes.Value };
                }
                case InterpolatedExpr s:
                {
                    var holes = MapAll(s.Holes, ref rewrite);
                    return holes is null ? s : s with { Holes = holes.Value };
                }
                default:
                    return e;
            }
        }

        /// <summary>The items with <see cref="Map"/> applied, or null when no item changes.</summary>
        public static EquatableArray<Expr>? MapAll<T>(EquatableArray<Expr> items, ref T rewrite) where T : struct, IExprRewrite
        {
            Expr[]? result = null;
            for (int i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var mapped = Map(item, ref rewrite);
                if (result is null)
                {
                    if (ReferenceEquals(mapped, item)) continue;
                    result = new Expr[items.Count];
                    for (int k = 0; k < i; k++) result[k] = items[k];
                }
                result[i] = mapped;
            }
            return result is null ? null : Optimizer.Own(result);
        }
    }
}
