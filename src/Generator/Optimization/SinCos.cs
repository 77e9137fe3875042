using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;
using Tangent.Generator.Transform;

namespace Tangent.Generator.Optimization
{
    /// <summary>
    /// <c>Math.Sin(e)</c> and <c>Math.Cos(e)</c> of the same argument in one block (the primal's sine and the
    /// cosine its derivative needs) become one <c>Math.SinCos(e)</c>, which costs about as much as one of
    /// them: what a careful person writes by hand. The argument must read nothing that the block assigns
    /// between the first and the last use, and the pair is computed where the first one was.
    /// </summary>
    internal static class SinCos
    {
        private static readonly string[] Classes = { "global::System.Math.", "global::System.MathF." };

        public static void Fuse(CMethod method)
        {
            // Most methods call neither: one walk, no allocation, and nothing else to do.
            if (!Calls(method.Body)) return;
            HashSet<string>? names = null;
            Fuse(method.Body, method, ref names);
        }

        private static void Fuse(List<CStmt> block, CMethod method, ref HashSet<string>? names)
        {
            foreach (var s in block)
            {
                if (s is CIf i)
                {
                    Fuse(i.Then, method, ref names);
                    Fuse(i.Else, method, ref names);
                }
                else if (s is CWhile w)
                {
                    Fuse(w.Body, method, ref names);
                }
            }
            foreach (var mathClass in Classes)
            {
                while (FuseOne(block, mathClass, method, ref names))
                {
                }
            }
        }

        /// <summary>Where one function's one-argument calls are in a block: the first statement of each argument.</summary>
        private sealed class Uses
        {
            public readonly string Sin, Cos;
            public readonly Dictionary<Expr, int> Sines = new Dictionary<Expr, int>();
            public readonly Dictionary<Expr, int> Cosines = new Dictionary<Expr, int>();
            /// <summary>The last statement that calls either function of the argument.</summary>
            public readonly Dictionary<Expr, int> Last = new Dictionary<Expr, int>();

            public Uses(string mathClass)
            {
                Sin = mathClass + "Sin";
                Cos = mathClass + "Cos";
            }

            public void Collect(Expr e, int at)
            {
                if (e is CallExpr c && c.Args.Count == 1)
                {
                    bool sine = c.Function == Sin;
                    if (sine || c.Function == Cos)
                    {
                        var into = sine ? Sines : Cosines;
                        if (!into.ContainsKey(c.Args[0])) into[c.Args[0]] = at;
                        Last[c.Args[0]] = at;
                    }
                }
                foreach (var child in e.Children) Collect(child, at);
            }
        }

        /// <summary>Fuses the first argument that has both a sine and a cosine in this block; false when there is none.</summary>
        private static bool FuseOne(List<CStmt> block, string mathClass, CMethod method, ref HashSet<string>? names)
        {
            Uses? uses = null;
            for (int k = 0; k < block.Count; k++)
            {
                foreach (var e in Expressions(block[k]))
                {
                    if (!Calls(e)) continue;
                    uses ??= new Uses(mathClass);
                    uses.Collect(e, k);
                }
            }
            if (uses is null || uses.Sines.Count == 0 || uses.Cosines.Count == 0) return false;
            foreach (var pair in uses.Sines)
            {
                if (!uses.Cosines.TryGetValue(pair.Key, out int cosineAt) || !pair.Key.IsPure) continue;
                var argument = pair.Key;
                int first = System.Math.Min(pair.Value, cosineAt);
                int last = uses.Last[argument];
                var reads = new HashSet<string>();
                Optimizer.Reads(argument, reads);
                bool stable = true;
                for (int k = first; k < last && stable; k++)
                {
                    stable = !Writes(block[k]).Overlaps(reads);
                }
                // The statements in between are straight-line code: a nested block could use the pair before it exists.
                for (int k = first; k <= last && stable; k++)
                {
                    stable = !(block[k] is CIf || block[k] is CWhile);
                }
                if (!stable) continue;
                if (names is null)
                {
                    names = new HashSet<string>();
                    Names(method.Body, names);
                }
                string name = Fresh(names, "sinCos");
                var type = mathClass.EndsWith("MathF.", System.StringComparison.Ordinal) ? "float" : "double";
                var rewrite = new PairRewrite(argument, uses.Sin, uses.Cos, new VarExpr(name));
                for (int k = first; k <= last; k++) Rewrite(block[k], ref rewrite);
                block.Insert(first, new CDecl(new IrType(TypeKind.Other, $"({type} Sin, {type} Cos)"), name,
                    new CallExpr(mathClass + "SinCos", new Helpers.EquatableArray<Expr>(new[] { argument }), null, true)));
                return true;
            }
            return false;
        }

        /// <summary>True when a block (nested blocks included) calls a sine or a cosine.</summary>
        private static bool Calls(List<CStmt> block)
        {
            foreach (var s in block)
            {
                switch (s)
                {
                    case CIf i:
                        if (Calls(i.Then) || Calls(i.Else)) return true;
                        break;
                    case CWhile w:
                        if (Calls(w.Body)) return true;
                        break;
                    default:
                        foreach (var e in Expressions(s))
                        {
                            if (Calls(e)) return true;
                        }
                        break;
                }
            }
            return false;
        }

        private static bool Calls(Expr e)
        {
            switch (e)
            {
                case VarExpr _:
                case ConstExpr _:
                case RawExpr _:
                    return false;
                case OpExpr o:
                    foreach (var a in o.Args)
                    {
                        if (Calls(a)) return true;
                    }
                    return false;
                case CallExpr c:
                    if (c.Args.Count == 1 && IsSineOrCosine(c.Function)) return true;
                    if (c.Receiver != null && Calls(c.Receiver)) return true;
                    foreach (var a in c.Args)
                    {
                        if (Calls(a)) return true;
                    }
                    return false;
                default:
                    foreach (var child in e.Children)
                    {
                        if (Calls(child)) return true;
                    }
                    return false;
            }
        }

        private static bool IsSineOrCosine(string function)
        {
            if (!(function.EndsWith("Sin", System.StringComparison.Ordinal) || function.EndsWith("Cos", System.StringComparison.Ordinal))) return false;
            foreach (var mathClass in Classes)
            {
                if (function.Length == mathClass.Length + 3 && function.StartsWith(mathClass, System.StringComparison.Ordinal)) return true;
            }
            return false;
        }

        /// <summary>The expressions a simple statement evaluates (none for compound statements: their blocks are fused on their own).</summary>
        private static IEnumerable<Expr> Expressions(CStmt s) => s switch
        {
            CDecl d when d.Init != null => new[] { d.Init },
            CAssign a => new[] { a.Value },
            CStore st => st.Indices.Concat(new[] { st.Value }),
            CExprStmt x => new[] { x.Value },
            CReturn r => new[] { r.Value },
            _ => System.Array.Empty<Expr>(),
        };

        private static HashSet<string> Writes(CStmt s)
        {
            var writes = new HashSet<string>();
            switch (s)
            {
                case CDecl d: writes.Add(d.Name); break;
                case CAssign a: writes.Add(a.Name); break;
                case CStore st: writes.Add(st.Array); break;
            }
            foreach (var e in Expressions(s)) Refs(e, writes);
            return writes;
        }

        private static void Refs(Expr e, HashSet<string> into)
        {
            if (e is RefExpr r) into.Add(r.Name);
            foreach (var c in e.Children) Refs(c, into);
        }

        /// <summary>Each sine or cosine of the argument becomes the pair's member.</summary>
        private readonly struct PairRewrite : IExprRewrite
        {
            private readonly Expr _argument;
            private readonly string _sin, _cos;
            private readonly VarExpr _pair;

            public PairRewrite(Expr argument, string sin, string cos, VarExpr pair)
            {
                _argument = argument;
                _sin = sin;
                _cos = cos;
                _pair = pair;
            }

            public Expr? Visit(Expr e) => e is CallExpr c && c.Args.Count == 1 && (c.Function == _sin || c.Function == _cos) && c.Args[0].Equals(_argument)
                ? new MemberExpr(_pair, c.Function == _sin ? "Sin" : "Cos")
                : null;
        }

        private static void Rewrite(CStmt s, ref PairRewrite rewrite)
        {
            switch (s)
            {
                case CDecl d when d.Init != null: d.Init = ExprMap.Map(d.Init, ref rewrite); break;
                case CAssign a: a.Value = ExprMap.Map(a.Value, ref rewrite); break;
                case CStore st:
                    if (ExprMap.MapAll(st.Indices, ref rewrite) is { } indices) st.Indices = indices;
                    st.Value = ExprMap.Map(st.Value, ref rewrite);
                    break;
                case CExprStmt x: x.Value = ExprMap.Map(x.Value, ref rewrite); break;
                case CReturn r: r.Value = ExprMap.Map(r.Value, ref rewrite); break;
            }
        }

        private static string Fresh(HashSet<string> names, string stem)
        {
            string name = stem;
            for (int n = 1; names.Contains(name); n++) name = stem + n;
            names.Add(name);
            return name;
        }

        private static void Names(List<CStmt> block, HashSet<string> names)
        {
            foreach (var s in block)
            {
                Optimizer.AllReads(s, names);
                switch (s)
                {
                    case CDecl d: names.Add(d.Name); break;
                    case CAssign a: names.Add(a.Name); break;
                    case CIf i: Names(i.Then, names); Names(i.Else, names); break;
                    case CWhile w: Names(w.Body, names); break;
                }
            }
        }
    }
}
