using System.Globalization;
using System.Linq;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;

namespace Tangent.Generator.Optimization
{
    /// <summary>
    /// Algebraic clean-up of generated expressions: multiplying by one, adding zero, double negation,
    /// pulling a negation out of a product so that <c>dx += -a * b</c> becomes <c>dx -= a * b</c>,
    /// and folding arithmetic on literals. Multiplying by zero gives zero (as every AD tool does).
    /// </summary>
    internal static class Simplifier
    {
        /// <summary>The simplified expression; the same instance when there is nothing to simplify (the optimizer relies on it only for speed).</summary>
        public static Expr Simplify(Expr e)
        {
            switch (e)
            {
                case OpExpr o:
                {
                    var args = SimplifyAll(o.Args);
                    return SimplifyOp(o.Op, args is null ? o.Args.AsImmutableArray().AsSpan() : args)
                           ?? (args is null ? o : new OpExpr(o.Op, Optimizer.Own(args)));
                }
                case CallExpr c:
                {
                    var args = SimplifyAll(c.Args);
                    var receiver = c.Receiver is null ? null : Simplify(c.Receiver);
                    return args != null || !ReferenceEquals(receiver, c.Receiver) ? c with { Args = args is null ? c.Args : Optimizer.Own(args), Receiver = receiver } : c;
                }
                case CastExpr k:
                {
                    var operand = Simplify(k.Operand);
                    if (operand is ConstExpr lit && lit.Kind != TypeKind.Bool && TryValue(lit, out double v))
                    {
                        return k.Type.Kind == TypeKind.Float ? Float(v) : k.Type.Kind == TypeKind.Double ? Double(v) : ReferenceEquals(operand, k.Operand) ? k : new CastExpr(k.Type, operand);
                    }
                    if (operand is OpExpr neg && neg.Op == Ops.Negate) return new OpExpr(Ops.Negate, new CastExpr(k.Type, neg.Args[0]));
                    return ReferenceEquals(operand, k.Operand) ? k : new CastExpr(k.Type, operand);
                }
                case CondExpr k:
                {
                    var condition = Simplify(k.Condition);
                    var a = Simplify(k.WhenTrue);
                    var b = Simplify(k.WhenFalse);
                    if (a.Equals(b)) return a;
                    if (condition is ConstExpr c && c.Text == "true") return a;
                    if (condition is ConstExpr f && f.Text == "false") return b;
                    return ReferenceEquals(condition, k.Condition) && ReferenceEquals(a, k.WhenTrue) && ReferenceEquals(b, k.WhenFalse)
                        ? k : new CondExpr(condition, a, b);
                }
                case TupleExpr t:
                {
                    var items = SimplifyAll(t.Items);
                    return items is null ? t : new TupleExpr(Optimizer.Own(items));
                }
                default:
                    return e;
            }
        }

        /// <summary>The simplified items, or null when each simplifies to itself.</summary>
        private static Expr[]? SimplifyAll(EquatableArray<Expr> items)
        {
            Expr[]? result = null;
            for (int i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var simplified = Simplify(item);
                if (result is null)
                {
                    if (ReferenceEquals(simplified, item)) continue;
                    result = new Expr[items.Count];
                    for (int k = 0; k < i; k++) result[k] = items[k];
                }
                result[i] = simplified;
            }
            return result;
        }

        public static bool IsZero(Expr e) => e is ConstExpr c && c.IsZero;

        public static bool IsOne(Expr e) => e is ConstExpr c && c.IsOne;

        public static Expr Negate(Expr e)
        {
            if (e is OpExpr o && o.Op == Ops.Negate) return o.Args[0];
            if (e is ConstExpr c && c.Kind != TypeKind.Bool && TryValue(c, out double v)) return Literal(-v, c.Kind);
            return new OpExpr(Ops.Negate, e);
        }

        private static Expr? SimplifyOp(string op, System.ReadOnlySpan<Expr> a)
        {
            switch (op)
            {
                case Ops.Negate:
                    return Negate(a[0]);
                case Ops.Not:
                    if (a[0] is OpExpr inner && inner.Op == Ops.Not) return inner.Args[0];
                    if (a[0] is ConstExpr b && b.Kind == TypeKind.Bool) return new ConstExpr(b.Text == "true" ? "false" : "true", TypeKind.Bool);
                    return null;
                case Ops.Add:
                    if (IsZero(a[0])) return a[1];
                    if (IsZero(a[1])) return a[0];
                    if (a[1] is OpExpr n1 && n1.Op == Ops.Negate) return new OpExpr(Ops.Subtract, a[0], n1.Args[0]);
                    if (a[0] is OpExpr n0 && n0.Op == Ops.Negate) return new OpExpr(Ops.Subtract, a[1], n0.Args[0]);
                    return Fold(op, a);
                case Ops.Subtract:
                    if (IsZero(a[1])) return a[0];
                    if (IsZero(a[0])) return Negate(a[1]);
                    if (a[1] is OpExpr m && m.Op == Ops.Negate) return new OpExpr(Ops.Add, a[0], m.Args[0]);
                    return Fold(op, a);
                case Ops.Multiply:
                    // The zero keeps its own literal (0.0 stays a double: Math.Floor(0) would be ambiguous).
                    if (IsZero(a[0]) && Optimizer.IsPure(a[1])) return a[0];
                    if (IsZero(a[1]) && Optimizer.IsPure(a[0])) return a[1];
                    if (IsOne(a[0])) return a[1];
                    if (IsOne(a[1])) return a[0];
                    if (a[0] is OpExpr l && l.Op == Ops.Negate) return Negate(new OpExpr(Ops.Multiply, l.Args[0], a[1]));
                    if (a[1] is OpExpr r && r.Op == Ops.Negate) return Negate(new OpExpr(Ops.Multiply, a[0], r.Args[0]));
                    return Fold(op, a);
                case Ops.Divide:
                    if (IsZero(a[0]) && Optimizer.IsPure(a[1])) return a[0];
                    if (IsOne(a[1])) return a[0];
                    if (a[0] is OpExpr d && d.Op == Ops.Negate) return Negate(new OpExpr(Ops.Divide, d.Args[0], a[1]));
                    return null;
                default:
                    return null;
            }
        }

        /// <summary>Folds +, -, * on two numeric literals (never / on integers).</summary>
        private static Expr? Fold(string op, System.ReadOnlySpan<Expr> a)
        {
            if (!(a[0] is ConstExpr x) || !(a[1] is ConstExpr y)) return null;
            if (x.Kind == TypeKind.Bool || y.Kind == TypeKind.Bool || x.Kind == TypeKind.Other || y.Kind == TypeKind.Other) return null;
            if (!TryValue(x, out double u) || !TryValue(y, out double v)) return null;
            double value = op == Ops.Add ? u + v : op == Ops.Subtract ? u - v : u * v;
            var kind = x.Kind == TypeKind.Double || y.Kind == TypeKind.Double ? TypeKind.Double
                : x.Kind == TypeKind.Float || y.Kind == TypeKind.Float ? TypeKind.Float : TypeKind.Int;
            if (kind == TypeKind.Int && (value != System.Math.Floor(value) || System.Math.Abs(value) > int.MaxValue)) return null;
            return Literal(value, kind);
        }

        private static Expr Literal(double value, TypeKind kind)
        {
            Expr lit = kind == TypeKind.Double ? Double(value) : kind == TypeKind.Float ? Float(value)
                : new ConstExpr(((long)value).ToString(CultureInfo.InvariantCulture), TypeKind.Int);
            return lit;
        }

        private static ConstExpr Double(double v) => new ConstExpr(Lowering.Lowerer.FormatDouble(v), TypeKind.Double);

        private static ConstExpr Float(double v) => new ConstExpr(Lowering.Lowerer.FormatFloat((float)v), TypeKind.Float);

        private static bool TryValue(ConstExpr c, out double value)
        {
            string text = c.Text;
            if (text.EndsWith("f", System.StringComparison.Ordinal) || text.EndsWith("d", System.StringComparison.Ordinal)) text = text.Substring(0, text.Length - 1);
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
