using System.Linq;
using System.Text;

namespace Tangent.Generator.IR
{
    /// <summary>Prints expressions as C#, with the fewest parentheses that keep the meaning (and the evaluation order).</summary>
    public static class ExprPrinter
    {
        private const int Conditional = 10;
        private const int OrOr = 20;
        private const int AndAnd = 30;
        private const int Equality = 40;
        private const int Relational = 50;
        private const int Additive = 60;
        private const int Multiplicative = 70;
        private const int Unary = 80;
        private const int Primary = 90;

        public static string Print(Expr e)
        {
            var sb = new StringBuilder();
            Write(sb, e);
            return sb.ToString();
        }

        /// <summary>The items separated by ", ", each printed on its own (no parentheses added).</summary>
        private static void WriteList(StringBuilder sb, Helpers.EquatableArray<Expr> items)
        {
            for (int i = 0; i < items.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                Write(sb, items[i]);
            }
        }

        private static int Precedence(Expr e)
        {
            switch (e)
            {
                case ConstExpr c:
                    return c.IsNegative ? Unary : Primary;
                case OpExpr o:
                    return BinaryPrecedence(o.Op);
                case CastExpr _:
                    return Unary;
                case CondExpr _:
                    return Conditional;
                default:
                    return Primary;
            }
        }

        private static int BinaryPrecedence(string op)
        {
            switch (op)
            {
                case Ops.Negate:
                case Ops.Plus:
                case Ops.Not:
                    return Unary;
                case Ops.Multiply:
                case Ops.Divide:
                case Ops.Remainder:
                    return Multiplicative;
                case Ops.Add:
                case Ops.Subtract:
                    return Additive;
                case Ops.Less:
                case Ops.LessOrEqual:
                case Ops.Greater:
                case Ops.GreaterOrEqual:
                    return Relational;
                case Ops.Equal:
                case Ops.NotEqual:
                    return Equality;
                case Ops.And:
                    return AndAnd;
                case Ops.Or:
                    return OrOr;
                default:
                    return Primary;
            }
        }

        private static string EscapeInterpolated(string text)
        {
            string quoted = Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: false);
            return quoted.Replace("{", "{{").Replace("}", "}}");
        }

        private static void WriteOperand(StringBuilder sb, Expr e, int minPrecedence)
        {
            if (Precedence(e) < minPrecedence)
            {
                sb.Append('(');
                Write(sb, e);
                sb.Append(')');
            }
            else
            {
                Write(sb, e);
            }
        }

        /// <summary>Appends the expression as <see cref="Print"/> spells it.</summary>
        internal static void Write(StringBuilder sb, Expr e)
        {
            switch (e)
            {
                case VarExpr v:
                    sb.Append(v.Name);
                    break;
                case ConstExpr c:
                    sb.Append(c.Text);
                    break;
                case RawExpr r:
                    sb.Append(r.Text);
                    break;
                case OpExpr o when Ops.IsUnary(o.Op):
                {
                    string symbol = o.Op == Ops.Negate ? "-" : o.Op == Ops.Plus ? "+" : "!";
                    sb.Append(symbol);
                    var operand = o.Args[0];
                    bool sameSign = (o.Op == Ops.Negate || o.Op == Ops.Plus)
                        && (operand is OpExpr inner && (inner.Op == Ops.Negate || inner.Op == Ops.Plus)
                            || operand is ConstExpr k && k.IsNegative);
                    if (sameSign)
                    {
                        sb.Append('(');
                        Write(sb, operand);
                        sb.Append(')');
                    }
                    else
                    {
                        WriteOperand(sb, operand, Unary);
                    }
                    break;
                }
                case OpExpr o:
                {
                    int p = BinaryPrecedence(o.Op);
                    WriteOperand(sb, o.Args[0], p);
                    sb.Append(' ').Append(o.Op).Append(' ');
                    WriteOperand(sb, o.Args[1], p + 1);
                    break;
                }
                case MemberExpr m:
                    WriteOperand(sb, m.Receiver, Primary);
                    sb.Append('.').Append(m.Member);
                    break;
                case CallExpr call:
                    if (call.Receiver != null)
                    {
                        WriteOperand(sb, call.Receiver, Primary);
                        sb.Append('.');
                    }
                    sb.Append(call.Function).Append('(');
                    for (int i = 0; i < call.Args.Count; i++)
                    {
                        if (i > 0) sb.Append(", ");
                        Write(sb, call.Args[i]);
                    }
                    sb.Append(')');
                    break;
                case CastExpr cast:
                    sb.Append('(').Append(cast.Type.Name).Append(')');
                    WriteOperand(sb, cast.Operand, Primary);
                    break;
                case CondExpr cond:
                    WriteOperand(sb, cond.Condition, OrOr);
                    sb.Append(" ? ");
                    WriteOperand(sb, cond.WhenTrue, Conditional);
                    sb.Append(" : ");
                    WriteOperand(sb, cond.WhenFalse, Conditional);
                    break;
                case InterpolatedExpr s:
                    sb.Append("$\"");
                    for (int i = 0; i < s.Holes.Count; i++)
                    {
                        sb.Append(EscapeInterpolated(s.Texts[2 * i]));
                        sb.Append('{');
                        var hole = Print(s.Holes[i]);
                        sb.Append(hole.IndexOf(':') >= 0 || hole.IndexOf('?') >= 0 ? "(" + hole + ")" : hole);
                        sb.Append(s.Texts[2 * i + 1]);
                        sb.Append('}');
                    }
                    sb.Append(EscapeInterpolated(s.Texts[s.Texts.Count - 1]));
                    sb.Append('"');
                    break;
                case RefExpr r:
                    sb.Append("ref ").Append(r.Name);
                    break;
                case TupleExpr t:
                    sb.Append('(');
                    WriteList(sb, t.Items);
                    sb.Append(')');
                    break;
                case IndexExpr index:
                    WriteOperand(sb, index.Array, Primary);
                    sb.Append('[');
                    WriteList(sb, index.Indices);
                    sb.Append(']');
                    break;
                case NewArrayExpr array:
                {
                    string element = array.Type.Element.Name;
                    sb.Append("new ").Append(element).Append('[');
                    WriteList(sb, array.Sizes);
                    sb.Append(']');
                    break;
                }
                default:
                    sb.Append("/* ? */");
                    break;
            }
        }
    }
}
