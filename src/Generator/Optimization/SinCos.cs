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
            var names = new HashSet<string>();
            Names(method.Body, names);
            Fuse(method.Body, names);
        }

        private static void Fuse(List<CStmt> block, HashSet<string> names)
        {
            foreach (var s in block)
            {
                if (s is CIf i)
                {
                    Fuse(i.Then, names);
                    Fuse(i.Else, names);
                }
                else if (s is CWhile w)
                {
                    Fuse(w.Body, names);
                }
            }
            foreach (var mathClass in Classes)
            {
                while (FuseOne(block, mathClass, names))
                {
                }
            }
        }

        /// <summary>Fuses the first argument that has both a sine and a cosine in this block; false when there is none.</summary>
        private static bool FuseOne(List<CStmt> block, string mathClass, HashSet<string> names)
        {
            var sines = new Dictionary<Expr, int>();
            var cosines = new Dictionary<Expr, int>();
            for (int k = 0; k < block.Count; k++)
            {
                foreach (var e in Expressions(block[k]))
                {
                    Collect(e, mathClass + "Sin", sines, k);
                    Collect(e, mathClass + "Cos", cosines, k);
                }
            }
            foreach (var pair in sines)
            {
                if (!cosines.TryGetValue(pair.Key, out int cosineAt) || !pair.Key.IsPure) continue;
                var argument = pair.Key;
                int first = System.Math.Min(pair.Value, cosineAt);
                int last = LastUse(block, argument, mathClass);
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
                string name = Fresh(names, "sinCos");
                var type = mathClass.EndsWith("MathF.", System.StringComparison.Ordinal) ? "float" : "double";
                var sinCos = new VarExpr(name);
                for (int k = first; k <= last; k++)
                {
                    Rewrite(block[k], e => e is CallExpr c && c.Args.Count == 1 && c.Args[0].Equals(argument)
                        ? c.Function == mathClass + "Sin" ? new MemberExpr(sinCos, "Sin")
                        : c.Function == mathClass + "Cos" ? new MemberExpr(sinCos, "Cos") : null
                        : null);
                }
                block.Insert(first, new CDecl(new IrType(TypeKind.Other, $"({type} Sin, {type} Cos)"), name,
                    new CallExpr(mathClass + "SinCos", new Helpers.EquatableArray<Expr>(new[] { argument }), null, true)));
                return true;
            }
            return false;
        }

        private static int LastUse(List<CStmt> block, Expr argument, string mathClass)
        {
            int last = -1;
            for (int k = 0; k < block.Count; k++)
            {
                var found = new Dictionary<Expr, int>();
                foreach (var e in Expressions(block[k]))
                {
                    Collect(e, mathClass + "Sin", found, k);
                    Collect(e, mathClass + "Cos", found, k);
                }
                if (found.ContainsKey(argument)) last = k;
            }
            return last;
        }

        private static void Collect(Expr e, string function, Dictionary<Expr, int> into, int at)
        {
            if (e is CallExpr c && c.Function == function && c.Args.Count == 1 && !into.ContainsKey(c.Args[0])) into[c.Args[0]] = at;
            foreach (var child in e.Children) Collect(child, function, into, at);
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

        private static void Rewrite(CStmt s, System.Func<Expr, Expr?> f)
        {
            switch (s)
            {
                case CDecl d when d.Init != null: d.Init = Rewrite(d.Init, f); break;
                case CAssign a: a.Value = Rewrite(a.Value, f); break;
                case CStore st:
                    st.Indices = new Helpers.EquatableArray<Expr>(st.Indices.Select(i => Rewrite(i, f)));
                    st.Value = Rewrite(st.Value, f);
                    break;
                case CExprStmt x: x.Value = Rewrite(x.Value, f); break;
                case CReturn r: r.Value = Rewrite(r.Value, f); break;
            }
        }

        private static Expr Rewrite(Expr e, System.Func<Expr, Expr?> f)
        {
            if (f(e) is Expr replaced) return replaced;
            Helpers.EquatableArray<Expr> All(IEnumerable<Expr> items) => new Helpers.EquatableArray<Expr>(items.Select(a => Rewrite(a, f)));
            return e switch
            {
                OpExpr o => new OpExpr(o.Op, o.Args.Select(a => Rewrite(a, f)).ToArray()),
                CallExpr c => c with { Args = All(c.Args), Receiver = c.Receiver is null ? null : Rewrite(c.Receiver, f) },
                CastExpr k => new CastExpr(k.Type, Rewrite(k.Operand, f)),
                CondExpr k => new CondExpr(Rewrite(k.Condition, f), Rewrite(k.WhenTrue, f), Rewrite(k.WhenFalse, f)),
                TupleExpr t => new TupleExpr(All(t.Items)),
                MemberExpr m => new MemberExpr(Rewrite(m.Receiver, f), m.Member),
                IndexExpr x => new IndexExpr(Rewrite(x.Array, f), All(x.Indices)),
                NewArrayExpr n => n with { Sizes = All(n.Sizes) },
                InterpolatedExpr s => s with { Holes = All(s.Holes) },
                _ => e,
            };
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
