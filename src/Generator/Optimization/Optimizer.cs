using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;
using Tangent.Generator.Transform;

namespace Tangent.Generator.Optimization
{
    /// <summary>
    /// Cleans generated code until nothing changes: algebraic simplification, dead-store elimination
    /// (liveness), moving each declaration to its first assignment, and folding temporaries (and their
    /// derivatives) into their single use. What is left reads like hand-written derivative code.
    /// </summary>
    internal static class Optimizer
    {
        public static void Optimize(CMethod method, bool finish = true)
        {
            for (int round = 0; round < 50; round++)
            {
                bool changed = false;
                changed |= SimplifyAll(method.Body);
                changed |= ForwardZeros(method.Body, new HashSet<string>());
                changed |= RemoveDeadStores(method);
                changed |= MergeDeclarations(method.Body);
                changed |= Inline(method);
                changed |= RemoveCopiesBack(method.Body);
                if (!changed) break;
            }
            if (finish) FinishDeclarations(method.Body);
        }

        // ------------------------------------------------------------ reads and writes

        internal static void Reads(Expr e, HashSet<string> into)
        {
            if (e is VarExpr v) into.Add(v.Name);
            foreach (var c in e.Children) Reads(c, into);
        }

        private static int CountReads(Expr e, string name)
        {
            int n = e is VarExpr v && v.Name == name ? 1 : 0;
            foreach (var c in e.Children) n += CountReads(c, name);
            return n;
        }

        /// <summary>Every variable a statement reads, nested statements included.</summary>
        internal static void AllReads(CStmt s, HashSet<string> reads) => Mentions(s, reads, new HashSet<string>());

        /// <summary>The variables passed by <c>ref</c> in an expression: the callee may change them.</summary>
        private static void RefTargets(Expr e, HashSet<string> into)
        {
            if (e is RefExpr r) into.Add(r.Name);
            foreach (var c in e.Children) RefTargets(c, into);
        }

        private static int CountRefs(Expr e, string name)
        {
            int n = e is RefExpr r && r.Name == name ? 1 : 0;
            foreach (var c in e.Children) n += CountRefs(c, name);
            return n;
        }

        /// <summary>Every variable a statement reads or writes, nested statements included.</summary>
        private static void Mentions(CStmt s, HashSet<string> reads, HashSet<string> writes)
        {
            switch (s)
            {
                case CDecl d:
                    if (d.Init != null) { Reads(d.Init, reads); writes.Add(d.Name); }
                    break;
                case CAssign a:
                    Reads(a.Value, reads);
                    if (a.Op != "=") reads.Add(a.Name);
                    writes.Add(a.Name);
                    break;
                case CStore st:
                    // An element write reads the array reference and counts as a write of the array.
                    reads.Add(st.Array);
                    foreach (var index in st.Indices) Reads(index, reads);
                    Reads(st.Value, reads);
                    writes.Add(st.Array);
                    break;
                case CExprStmt e:
                    Reads(e.Value, reads);
                    RefTargets(e.Value, writes);
                    break;
                case CReturn r:
                    Reads(r.Value, reads);
                    break;
                case CIf i:
                    Reads(i.Condition, reads);
                    foreach (var t in i.Then) Mentions(t, reads, writes);
                    foreach (var t in i.Else) Mentions(t, reads, writes);
                    break;
                case CWhile w:
                    Reads(w.Condition, reads);
                    foreach (var t in w.Body) Mentions(t, reads, writes);
                    break;
            }
        }

        private static bool MentionsName(CStmt s, string name)
        {
            if (s is CDecl d && d.Name == name) return true;
            var reads = new HashSet<string>();
            var writes = new HashSet<string>();
            Mentions(s, reads, writes);
            return reads.Contains(name) || writes.Contains(name);
        }

        private static int CountReads(CStmt s, string name)
        {
            switch (s)
            {
                case CDecl d: return d.Init is null ? 0 : CountReads(d.Init, name);
                case CAssign a: return CountReads(a.Value, name) + (a.Op != "=" && a.Name == name ? 1 : 0);
                case CStore st: return CountReads(st.Value, name) + st.Indices.Sum(x => CountReads(x, name)) + (st.Array == name ? 1 : 0);
                case CExprStmt e: return CountReads(e.Value, name);
                case CReturn r: return CountReads(r.Value, name);
                case CIf i: return CountReads(i.Condition, name) + i.Then.Sum(t => CountReads(t, name)) + i.Else.Sum(t => CountReads(t, name));
                case CWhile w: return CountReads(w.Condition, name) + w.Body.Sum(t => CountReads(t, name));
                default: return 0;
            }
        }

        private static int CountWrites(CStmt s, string name)
        {
            switch (s)
            {
                case CDecl d: return d.Init != null && d.Name == name ? 1 : 0;
                case CAssign a: return a.Name == name ? 1 : 0;
                case CStore st: return st.Array == name ? 1 : 0;
                case CExprStmt e: return CountRefs(e.Value, name);
                case CIf i: return i.Then.Sum(t => CountWrites(t, name)) + i.Else.Sum(t => CountWrites(t, name));
                case CWhile w: return w.Body.Sum(t => CountWrites(t, name));
                default: return 0;
            }
        }

        private static IEnumerable<List<CStmt>> AllLists(List<CStmt> list)
        {
            yield return list;
            foreach (var s in list)
            {
                if (s is CIf i)
                {
                    foreach (var l in AllLists(i.Then)) yield return l;
                    foreach (var l in AllLists(i.Else)) yield return l;
                }
                else if (s is CWhile w)
                {
                    foreach (var l in AllLists(w.Body)) yield return l;
                }
            }
        }

        // ------------------------------------------------------------ simplification

        private static bool SimplifyAll(List<CStmt> list)
        {
            bool changed = false;
            for (int i = 0; i < list.Count; i++)
            {
                switch (list[i])
                {
                    case CDecl d when d.Init != null:
                        changed |= Update(d.Init, Simplifier.Simplify(d.Init), e => d.Init = e);
                        break;
                    case CAssign a:
                    {
                        changed |= Update(a.Value, Simplifier.Simplify(a.Value), e => a.Value = e);
                        if (a.Op != "=" && Simplifier.IsZero(a.Value))
                        {
                            list.RemoveAt(i--);
                            changed = true;
                            break;
                        }
                        if (a.Op != "=" && a.Value is OpExpr n && n.Op == Ops.Negate)
                        {
                            a.Op = a.Op == "+=" ? "-=" : "+=";
                            a.Value = n.Args[0];
                            changed = true;
                        }
                        if (a.Op == "=" && a.Value is OpExpr o && (o.Op == Ops.Add || o.Op == Ops.Subtract)
                            && o.Args[0] is VarExpr self && self.Name == a.Name && CountReads(o.Args[1], a.Name) == 0)
                        {
                            a.Op = o.Op == Ops.Add ? "+=" : "-=";
                            a.Value = o.Args[1];
                            changed = true;
                        }
                        if (a.Op == "=" && a.Value is VarExpr same && same.Name == a.Name)
                        {
                            list.RemoveAt(i--);
                            changed = true;
                        }
                        break;
                    }
                    case CStore st:
                    {
                        changed |= Update(st.Value, Simplifier.Simplify(st.Value), x => st.Value = x);
                        if (st.Op != "=" && Simplifier.IsZero(st.Value))
                        {
                            list.RemoveAt(i--);
                            changed = true;
                            break;
                        }
                        if (st.Op != "=" && st.Value is OpExpr n && n.Op == Ops.Negate)
                        {
                            st.Op = st.Op == "+=" ? "-=" : "+=";
                            st.Value = n.Args[0];
                            changed = true;
                        }
                        break;
                    }
                    case CExprStmt e:
                        changed |= Update(e.Value, Simplifier.Simplify(e.Value), x => e.Value = x);
                        break;
                    case CReturn r:
                        changed |= Update(r.Value, Simplifier.Simplify(r.Value), x => r.Value = x);
                        break;
                    case CIf c:
                        changed |= Update(c.Condition, Simplifier.Simplify(c.Condition), x => c.Condition = x);
                        changed |= SimplifyAll(c.Then);
                        changed |= SimplifyAll(c.Else);
                        if (c.Then.All(t => t is CComment) && c.Else.All(t => t is CComment) && c.Condition.IsPure)
                        {
                            list.RemoveAt(i--);
                            changed = true;
                        }
                        break;
                    case CWhile w:
                        changed |= SimplifyAll(w.Body);
                        break;
                }
            }
            return changed;
        }

        private static bool Update(Expr before, Expr after, System.Action<Expr> set)
        {
            if (before.Equals(after)) return false;
            set(after);
            return true;
        }

        // ------------------------------------------------------------ dead stores

        private static bool RemoveDeadStores(CMethod method)
        {
            var live = new HashSet<string>(method.Pinned);
            return Liveness(method.Body, live, method.Pinned, null, null, remove: true);
        }

        /// <summary>
        /// Backward liveness over a list; with <paramref name="remove"/>, deletes pure stores to locals
        /// nobody reads afterwards. <paramref name="live"/> is live-out on entry and live-in on exit.
        /// <paramref name="atBreak"/> and <paramref name="atContinue"/> are what is live where the
        /// innermost loop's break and continue go.
        /// </summary>
        private static bool Liveness(List<CStmt> list, HashSet<string> live, HashSet<string> pinned,
            HashSet<string>? atBreak, HashSet<string>? atContinue, bool remove)
        {
            bool changed = false;
            for (int i = list.Count - 1; i >= 0; i--)
            {
                switch (list[i])
                {
                    case CAssign a:
                        if (remove && !live.Contains(a.Name) && !pinned.Contains(a.Name) && a.Value.IsPure)
                        {
                            list.RemoveAt(i);
                            changed = true;
                            break;
                        }
                        if (a.Op == "=") live.Remove(a.Name);
                        else live.Add(a.Name);
                        Reads(a.Value, live);
                        break;
                    case CDecl d:
                        if (d.Init != null)
                        {
                            if (remove && !live.Contains(d.Name) && !pinned.Contains(d.Name) && d.Init.IsPure)
                            {
                                d.Init = null;
                                changed = true;
                                break;
                            }
                            live.Remove(d.Name);
                            Reads(d.Init, live);
                        }
                        break;
                    case CStore st:
                        live.Add(st.Array);
                        foreach (var index in st.Indices) Reads(index, live);
                        Reads(st.Value, live);
                        break;
                    case CExprStmt e:
                        Reads(e.Value, live);
                        break;
                    case CReturn r:
                        live.Clear();
                        live.UnionWith(pinned);
                        Reads(r.Value, live);
                        break;
                    case CJump j:
                        live.Clear();
                        var target = j.IsBreak ? atBreak : atContinue;
                        if (target != null) live.UnionWith(target);
                        live.UnionWith(pinned);
                        break;
                    case CIf c:
                    {
                        var thenLive = new HashSet<string>(live);
                        var elseLive = new HashSet<string>(live);
                        changed |= Liveness(c.Then, thenLive, pinned, atBreak, atContinue, remove);
                        changed |= Liveness(c.Else, elseLive, pinned, atBreak, atContinue, remove);
                        live.Clear();
                        live.UnionWith(thenLive);
                        live.UnionWith(elseLive);
                        Reads(c.Condition, live);
                        break;
                    }
                    case CWhile w:
                    {
                        // Fixpoint: live at the loop head = live after the loop, what the condition
                        // reads, and what the body needs at its start (for the next pass).
                        var after = new HashSet<string>(live);
                        var head = new HashSet<string>(after);
                        Reads(w.Condition, head);
                        for (int round = 0; round < 100; round++)
                        {
                            var bodyLive = new HashSet<string>(head);
                            Liveness(w.Body, bodyLive, pinned, after, head, remove: false);
                            var next = new HashSet<string>(after);
                            Reads(w.Condition, next);
                            next.UnionWith(bodyLive);
                            if (next.SetEquals(head)) break;
                            head = next;
                        }
                        if (remove)
                        {
                            var bodyLive = new HashSet<string>(head);
                            changed |= Liveness(w.Body, bodyLive, pinned, after, head, remove: true);
                        }
                        live.Clear();
                        live.UnionWith(head);
                        break;
                    }
                }
            }
            return changed;
        }

        // ------------------------------------------------------------ known zeros

        /// <summary>
        /// <c>x += e</c> where x is known to hold zero becomes <c>x = e</c> (adjoints start at zero and
        /// are reset after use), so that the zeroing and the temporary itself can then disappear.
        /// </summary>
        private static bool ForwardZeros(List<CStmt> list, HashSet<string> zero)
        {
            bool changed = false;
            foreach (var s in list)
            {
                switch (s)
                {
                    case CDecl d:
                        if (d.Init is ConstExpr c && c.IsZero) zero.Add(d.Name);
                        else zero.Remove(d.Name);
                        break;
                    case CAssign a:
                        if (a.Op != "=" && zero.Contains(a.Name) && CountReads(a.Value, a.Name) == 0)
                        {
                            if (a.Op == "-=") a.Value = Simplifier.Negate(a.Value);
                            a.Op = "=";
                            changed = true;
                        }
                        if (a.Op == "=" && a.Value is ConstExpr z && z.IsZero) zero.Add(a.Name);
                        else zero.Remove(a.Name);
                        break;
                    case CExprStmt e:
                    {
                        // A call may add into what it gets by ref.
                        var changedByCall = new HashSet<string>();
                        RefTargets(e.Value, changedByCall);
                        zero.ExceptWith(changedByCall);
                        break;
                    }
                    case CIf i:
                    {
                        var thenZero = new HashSet<string>(zero);
                        var elseZero = new HashSet<string>(zero);
                        changed |= ForwardZeros(i.Then, thenZero);
                        changed |= ForwardZeros(i.Else, elseZero);
                        zero.IntersectWith(thenZero);
                        zero.IntersectWith(elseZero);
                        break;
                    }
                    case CWhile w:
                    {
                        // Zero at the head: zero before the loop and again at the end of every pass.
                        // Loops containing jumps are left alone.
                        bool hasJumps = ContainsJump(w.Body);
                        var head = new HashSet<string>(hasJumps ? new HashSet<string>() : zero);
                        for (int round = 0; round < 100; round++)
                        {
                            var end = new HashSet<string>(head);
                            ForwardZeros(Clone(w.Body), end);
                            var next = new HashSet<string>(head);
                            next.IntersectWith(end);
                            if (next.SetEquals(head)) break;
                            head = next;
                        }
                        var bodyZero = new HashSet<string>(head);
                        changed |= ForwardZeros(w.Body, bodyZero);
                        zero.IntersectWith(head);
                        var reads = new HashSet<string>();
                        var writes = new HashSet<string>();
                        Mentions(w, reads, writes);
                        if (hasJumps) zero.ExceptWith(writes);
                        break;
                    }
                    case CJump _:
                        break;
                }
            }
            return changed;
        }

        private static bool ContainsJump(List<CStmt> list)
            => list.Any(s => s is CJump || s is CIf i && (ContainsJump(i.Then) || ContainsJump(i.Else)));

        /// <summary>A shallow structural copy for dry runs (expressions are immutable and shared).</summary>
        /// <summary>A deep copy: the optimizer edits statements in place.</summary>
        internal static List<CStmt> Clone(List<CStmt> list) => list.Select(Clone).ToList();

        private static CStmt Clone(CStmt s) => s switch
        {
            CAssign a => new CAssign(a.Name, a.Value, a.Op, a.Comment),
            CStore st => new CStore(st.Array, st.Indices, st.Value, st.Op, st.Comment),
            CDecl d => new CDecl(d.Type, d.Name, d.Init, d.Comment),
            CIf i => new CIf(i.Condition, Clone(i.Then), Clone(i.Else)),
            CWhile w => new CWhile(w.Condition, Clone(w.Body)),
            CExprStmt e => new CExprStmt(e.Value) { Comment = e.Comment },
            CReturn r => new CReturn(r.Value),
            _ => s,
        };

        // ------------------------------------------------------------ declarations

        /// <summary><c>T v; ... v = e;</c> becomes <c>T v = e;</c> at the first assignment; <c>T v = 0; v += e;</c> becomes <c>T v = e;</c>.</summary>
        private static bool MergeDeclarations(List<CStmt> root)
        {
            bool changed = false;
            foreach (var list in AllLists(root).ToList())
            {
                for (int i = 0; i < list.Count; i++)
                {
                    if (!(list[i] is CDecl d)) continue;
                    bool zeroInit = d.Init is ConstExpr c && c.IsZero;
                    if (d.Init != null && !zeroInit) continue;
                    int j = i + 1;
                    while (j < list.Count && !MentionsName(list[j], d.Name)) j++;
                    if (j == list.Count)
                    {
                        list.RemoveAt(i--);
                        changed = true;
                        continue;
                    }
                    if (!(list[j] is CAssign a) || a.Name != d.Name || CountReads(a.Value, d.Name) > 0) continue;
                    Expr? init = a.Op == "=" ? a.Value
                        : zeroInit && a.Op == "+=" ? a.Value
                        : zeroInit && a.Op == "-=" ? Simplifier.Negate(a.Value)
                        : null;
                    if (init is null) continue;
                    list[j] = new CDecl(d.Type, d.Name, init, a.Comment ?? d.Comment);
                    list.RemoveAt(i--);
                    changed = true;
                }
            }
            return changed;
        }

        /// <summary>Declarations still without a value start at zero (their first write is nested or conditional).</summary>
        internal static void FinishDeclarations(List<CStmt> root)
        {
            foreach (var list in AllLists(root))
            {
                foreach (var s in list)
                {
                    if (s is CDecl d && d.Init is null)
                    {
                        d.Init = d.Type.IsCollection ? new RawExpr(d.Type.IsSpan ? "default" : "null!")
                            : d.Type.Kind == TypeKind.Bool ? new ConstExpr("false", TypeKind.Bool)
                            : d.Type.IsDifferentiable || d.Type.Kind == TypeKind.Int ? ConstExpr.Zero
                            : new RawExpr("default");
                    }
                }
            }
        }

        // ------------------------------------------------------------ copies back

        /// <summary>
        /// <c>t = a; ... a = t;</c> with neither written in between: the second copy changes nothing
        /// (this is what the adjoint of <c>s = s + x</c> leaves behind once its temporary is folded).
        /// </summary>
        private static bool RemoveCopiesBack(List<CStmt> root)
        {
            bool changed = false;
            foreach (var list in AllLists(root).ToList())
            {
                for (int k = 0; k < list.Count; k++)
                {
                    if (!(list[k] is CAssign back) || back.Op != "=" || !(back.Value is VarExpr t)) continue;
                    string a = back.Name;
                    for (int j = k - 1; j >= 0; j--)
                    {
                        var s = list[j];
                        bool isCopy = s is CAssign c && c.Op == "=" && c.Name == t.Name && c.Value is VarExpr v && v.Name == a
                                      || s is CDecl d && d.Name == t.Name && d.Init is VarExpr w && w.Name == a;
                        if (isCopy)
                        {
                            list.RemoveAt(k--);
                            changed = true;
                            break;
                        }
                        if (CountWrites(s, a) > 0 || CountWrites(s, t.Name) > 0 || s is CDecl e && (e.Name == a || e.Name == t.Name) || s is CJump) break;
                    }
                }
            }
            return changed;
        }

        // ------------------------------------------------------------ inlining

        private static bool Inline(CMethod method)
        {
            bool changed = false;
            foreach (var list in AllLists(method.Body).ToList())
            {
                for (int i = 0; i < list.Count; i++)
                {
                    string? name;
                    Expr? value;
                    switch (list[i])
                    {
                        case CDecl d when d.Init != null: name = d.Name; value = d.Init; break;
                        case CAssign a when a.Op == "=": name = a.Name; value = a.Value; break;
                        default: continue;
                    }
                    if (!method.Inlinable.Contains(name) || !value.IsPure) continue;
                    int totalWrites = method.Body.Sum(s => CountWrites(s, name));
                    int totalReads = method.Body.Sum(s => CountReads(s, name));
                    if (totalWrites != 1) continue;
                    if (totalReads == 0) continue;
                    var valueReads = new HashSet<string>();
                    Reads(value, valueReads);

                    if (value.IsAtom)
                    {
                        // Copy propagation: every read follows in this list, and what the copy reads is not written before the last read.
                        int last = -1, found = 0;
                        for (int j = i + 1; j < list.Count; j++)
                        {
                            int n = CountReads(list[j], name);
                            if (n > 0) { last = j; found += n; }
                        }
                        if (found != totalReads) continue;
                        bool clobbered = false;
                        for (int j = i + 1; j < last && !clobbered; j++)
                        {
                            clobbered = valueReads.Any(v => CountWrites(list[j], v) > 0);
                        }
                        if (clobbered || valueReads.Any(v => WritesBeforeRead(list[last], v))) continue;
                        for (int j = i + 1; j <= last; j++) Substitute(list[j], name, value);
                        list.RemoveAt(i--);
                        changed = true;
                        continue;
                    }

                    if (totalReads != 1) continue;
                    int use = -1;
                    for (int j = i + 1; j < list.Count; j++)
                    {
                        if (CountReads(list[j], name) > 0) { use = j; break; }
                    }
                    if (use < 0 || !ReadsAtTopLevel(list[use], name)) continue;
                    bool blocked = false;
                    for (int j = i + 1; j < use && !blocked; j++)
                    {
                        blocked = valueReads.Any(v => CountWrites(list[j], v) > 0) || list[j] is CExprStmt;
                    }
                    if (blocked) continue;
                    Substitute(list[use], name, value);
                    list.RemoveAt(i--);
                    changed = true;
                }
            }
            return changed;
        }

        private static bool WritesBeforeRead(CStmt s, string name) => (s is CIf || s is CWhile) && CountWrites(s, name) > 0;

        /// <summary>True when the read is evaluated exactly once, in the statement itself (not in a nested block).</summary>
        private static bool ReadsAtTopLevel(CStmt s, string name) => s switch
        {
            CDecl d => d.Init != null && CountReads(d.Init, name) == 1,
            CAssign a => CountReads(a.Value, name) == 1,
            CStore st => CountReads(st.Value, name) + st.Indices.Sum(x => CountReads(x, name)) == 1,
            CExprStmt e => CountReads(e.Value, name) == 1,
            CReturn r => CountReads(r.Value, name) == 1,
            CIf c => CountReads(c.Condition, name) == 1,
            _ => false,
        };

        private static void Substitute(CStmt s, string name, Expr value)
        {
            switch (s)
            {
                case CDecl d when d.Init != null: d.Init = Replace(d.Init, name, value); break;
                case CAssign a: a.Value = Replace(a.Value, name, value); break;
                case CStore st:
                    st.Indices = new Helpers.EquatableArray<Expr>(st.Indices.Select(x => Replace(x, name, value)));
                    st.Value = Replace(st.Value, name, value);
                    break;
                case CExprStmt e: e.Value = Replace(e.Value, name, value); break;
                case CReturn r: r.Value = Replace(r.Value, name, value); break;
                case CIf c:
                    c.Condition = Replace(c.Condition, name, value);
                    foreach (var t in c.Then) Substitute(t, name, value);
                    foreach (var t in c.Else) Substitute(t, name, value);
                    break;
                case CWhile w:
                    w.Condition = Replace(w.Condition, name, value);
                    foreach (var t in w.Body) Substitute(t, name, value);
                    break;
            }
        }

        internal static Expr Replace(Expr e, string name, Expr value)
        {
            switch (e)
            {
                case VarExpr v: return v.Name == name ? value : v;
                case OpExpr o: return new OpExpr(o.Op, o.Args.Select(a => Replace(a, name, value)).ToArray());
                case CallExpr c: return c with { Args = new Helpers.EquatableArray<Expr>(c.Args.Select(a => Replace(a, name, value))), Receiver = c.Receiver is null ? null : Replace(c.Receiver, name, value) };
                case CastExpr k: return new CastExpr(k.Type, Replace(k.Operand, name, value));
                case CondExpr k: return new CondExpr(Replace(k.Condition, name, value), Replace(k.WhenTrue, name, value), Replace(k.WhenFalse, name, value));
                case TupleExpr t: return new TupleExpr(new Helpers.EquatableArray<Expr>(t.Items.Select(a => Replace(a, name, value))));
                case MemberExpr m: return new MemberExpr(Replace(m.Receiver, name, value), m.Member);
                case IndexExpr x: return new IndexExpr(Replace(x.Array, name, value), new Helpers.EquatableArray<Expr>(x.Indices.Select(a => Replace(a, name, value))));
                case NewArrayExpr n: return n with { Sizes = new Helpers.EquatableArray<Expr>(n.Sizes.Select(a => Replace(a, name, value))) };
                case InterpolatedExpr s: return s with { Holes = new Helpers.EquatableArray<Expr>(s.Holes.Select(a => Replace(a, name, value))) };
                default: return e;
            }
        }
    }
}
