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
            var work = new Workspace();
            // Passes only move, copy and drop what the body reads and writes: the names numbered now are all there will be
            // (a new one would still get a number).
            work.Names.Build(method.Body, method.Pinned);
            // Rounds of the passes until a round changes nothing. Each pass is a function of the body alone, so
            // once every pass in a row has left the body as it was, the rest of the round and the round after
            // it would change nothing either: the loop stops there (same result, fewer passes).
            int quiet = 0;
            for (int round = 0; round < 50 && quiet < PassCount; round++)
            {
                for (int pass = 0; pass < PassCount && quiet < PassCount; pass++)
                {
                    if (Run(pass, method, work)) quiet = 0;
                    else quiet++;
                }
            }
            if (finish) FinishDeclarations(method.Body);
        }

        private const int PassCount = 7;

        /// <summary>Runs one pass of a round; true when it changed the body.</summary>
        private static bool Run(int pass, CMethod method, Workspace work) => pass switch
        {
            0 => SimplifyAll(method.Body),
            1 => ForwardZeros(method.Body, work.Names, method.Derivatives),
            2 => RemoveDeadStores(method, work.Names),
            3 => MergeDeclarations(method.Body, work),
            4 => Inline(method, work),
            5 => RemoveCopiesBack(method.Body, work),
            _ => LinearTerms.Collect(method),
        };

        // ------------------------------------------------------------ reads and writes

        // The walks below visit an expression's nodes in the order of Expr.Children (the node, then its
        // children left to right) without allocating: they run for every statement of every pass.

        /// <summary>Something that sees each variable an expression reads (a <c>ref x</c> argument reads <c>x</c>).</summary>
        private interface IReadVisitor
        {
            void Read(string name);
        }

        private static void VisitReads<T>(Expr e, ref T visitor) where T : struct, IReadVisitor
        {
            switch (e)
            {
                case VarExpr v:
                    visitor.Read(v.Name);
                    break;
                case ConstExpr _:
                case RawExpr _:
                    break;
                case OpExpr o:
                    foreach (var a in o.Args) VisitReads(a, ref visitor);
                    break;
                case CallExpr c:
                    if (c.Receiver != null) VisitReads(c.Receiver, ref visitor);
                    foreach (var a in c.Args) VisitReads(a, ref visitor);
                    break;
                case CastExpr k:
                    VisitReads(k.Operand, ref visitor);
                    break;
                case CondExpr k:
                    VisitReads(k.Condition, ref visitor);
                    VisitReads(k.WhenTrue, ref visitor);
                    VisitReads(k.WhenFalse, ref visitor);
                    break;
                case MemberExpr m:
                    VisitReads(m.Receiver, ref visitor);
                    break;
                case IndexExpr x:
                    VisitReads(x.Array, ref visitor);
                    foreach (var a in x.Indices) VisitReads(a, ref visitor);
                    break;
                case TupleExpr t:
                    foreach (var a in t.Items) VisitReads(a, ref visitor);
                    break;
                case NewArrayExpr n:
                    foreach (var a in n.Sizes) VisitReads(a, ref visitor);
                    break;
                case InterpolatedExpr h:
                    foreach (var a in h.Holes) VisitReads(a, ref visitor);
                    break;
                case RefExpr r:
                    // Its one child is the variable itself.
                    visitor.Read(r.Name);
                    break;
                default:
                    foreach (var c in e.Children) VisitReads(c, ref visitor);
                    break;
            }
        }

        private struct CollectReads : IReadVisitor
        {
            public HashSet<string> Into;
            public void Read(string name) => Into.Add(name);
        }

        private struct CountName : IReadVisitor
        {
            public string Name;
            public int Count;
            public void Read(string name)
            {
                if (name == Name) Count++;
            }
        }

        private struct AddReadCounts : IReadVisitor
        {
            public Workspace Work;
            public int Sign;
            public void Read(string name) => Work.AddRead(name, Sign);
        }

        internal static void Reads(Expr e, HashSet<string> into)
        {
            var visitor = new CollectReads { Into = into };
            VisitReads(e, ref visitor);
        }

        internal static int CountReads(Expr e, string name)
        {
            var visitor = new CountName { Name = name };
            VisitReads(e, ref visitor);
            return visitor.Count;
        }

        /// <summary>Every variable a statement reads, nested statements included.</summary>
        internal static void AllReads(CStmt s, HashSet<string> reads) => Mentions(s, reads, new HashSet<string>());

        /// <summary>Calls <paramref name="action"/> on the name of every <c>ref</c> argument in an expression: the callee may change them.</summary>
        private static void VisitRefs<TState>(Expr e, TState state, System.Action<TState, string> action)
        {
            switch (e)
            {
                case RefExpr r:
                    action(state, r.Name);
                    break;
                case VarExpr _:
                case ConstExpr _:
                case RawExpr _:
                    break;
                case OpExpr o:
                    foreach (var a in o.Args) VisitRefs(a, state, action);
                    break;
                case CallExpr c:
                    if (c.Receiver != null) VisitRefs(c.Receiver, state, action);
                    foreach (var a in c.Args) VisitRefs(a, state, action);
                    break;
                default:
                    foreach (var c in e.Children) VisitRefs(c, state, action);
                    break;
            }
        }

        private static readonly System.Action<HashSet<string>, string> AddName = (set, name) => set.Add(name);
        private static readonly System.Action<HashSet<string>, string> RemoveName = (set, name) => set.Remove(name);

        /// <summary>The variables passed by <c>ref</c> in an expression: the callee may change them.</summary>
        private static void RefTargets(Expr e, HashSet<string> into) => VisitRefs(e, into, AddName);

        private static int CountRefs(Expr e, string name)
        {
            switch (e)
            {
                case RefExpr r:
                    return r.Name == name ? 1 : 0;
                case VarExpr _:
                case ConstExpr _:
                case RawExpr _:
                    return 0;
                case OpExpr o:
                {
                    int n = 0;
                    foreach (var a in o.Args) n += CountRefs(a, name);
                    return n;
                }
                case CallExpr c:
                {
                    int n = c.Receiver != null ? CountRefs(c.Receiver, name) : 0;
                    foreach (var a in c.Args) n += CountRefs(a, name);
                    return n;
                }
                default:
                {
                    int n = 0;
                    foreach (var c in e.Children) n += CountRefs(c, name);
                    return n;
                }
            }
        }

        /// <summary><see cref="Expr.IsPure"/> without allocating: false when some call of user code or impure raw read is in it.</summary>
        internal static bool IsPure(Expr e)
        {
            switch (e)
            {
                case VarExpr _:
                case ConstExpr _:
                case RefExpr _:
                    return true;
                case RawExpr r:
                    return r.Pure;
                case OpExpr o:
                    foreach (var a in o.Args)
                    {
                        if (!IsPure(a)) return false;
                    }
                    return true;
                case CallExpr c:
                    if (!c.Pure) return false;
                    if (c.Receiver != null && !IsPure(c.Receiver)) return false;
                    foreach (var a in c.Args)
                    {
                        if (!IsPure(a)) return false;
                    }
                    return true;
                case CastExpr k:
                    return IsPure(k.Operand);
                case CondExpr k:
                    return IsPure(k.Condition) && IsPure(k.WhenTrue) && IsPure(k.WhenFalse);
                case MemberExpr m:
                    return IsPure(m.Receiver);
                case IndexExpr x:
                    if (!IsPure(x.Array)) return false;
                    foreach (var a in x.Indices)
                    {
                        if (!IsPure(a)) return false;
                    }
                    return true;
                default:
                    return e.IsPure;
            }
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

        internal static int CountReads(CStmt s, string name)
        {
            switch (s)
            {
                case CDecl d: return d.Init is null ? 0 : CountReads(d.Init, name);
                case CAssign a: return CountReads(a.Value, name) + (a.Op != "=" && a.Name == name ? 1 : 0);
                case CStore st:
                {
                    int n = CountReads(st.Value, name);
                    foreach (var x in st.Indices) n += CountReads(x, name);
                    return n + (st.Array == name ? 1 : 0);
                }
                case CExprStmt e: return CountReads(e.Value, name);
                case CReturn r: return CountReads(r.Value, name);
                case CIf i:
                {
                    int n = CountReads(i.Condition, name);
                    foreach (var t in i.Then) n += CountReads(t, name);
                    foreach (var t in i.Else) n += CountReads(t, name);
                    return n;
                }
                case CWhile w:
                {
                    int n = CountReads(w.Condition, name);
                    foreach (var t in w.Body) n += CountReads(t, name);
                    return n;
                }
                default: return 0;
            }
        }

        internal static int CountWrites(CStmt s, string name)
        {
            switch (s)
            {
                case CDecl d: return d.Init != null && d.Name == name ? 1 : 0;
                case CAssign a: return a.Name == name ? 1 : 0;
                case CStore st: return st.Array == name ? 1 : 0;
                case CExprStmt e: return CountRefs(e.Value, name);
                case CIf i:
                {
                    int n = 0;
                    foreach (var t in i.Then) n += CountWrites(t, name);
                    foreach (var t in i.Else) n += CountWrites(t, name);
                    return n;
                }
                case CWhile w:
                {
                    int n = 0;
                    foreach (var t in w.Body) n += CountWrites(t, name);
                    return n;
                }
                default: return 0;
            }
        }

        /// <summary>
        /// Adds <paramref name="sign"/> times what <see cref="CountReads(CStmt, string)"/> and
        /// <see cref="CountWrites(CStmt, string)"/> count, for every name at once, to the workspace's counts.
        /// </summary>
        private static void AddCounts(CStmt s, Workspace work, int sign)
        {
            var visitor = new AddReadCounts { Work = work, Sign = sign };
            switch (s)
            {
                case CDecl d:
                    if (d.Init != null)
                    {
                        VisitReads(d.Init, ref visitor);
                        work.AddWrite(d.Name, sign);
                    }
                    break;
                case CAssign a:
                    VisitReads(a.Value, ref visitor);
                    if (a.Op != "=") work.AddRead(a.Name, sign);
                    work.AddWrite(a.Name, sign);
                    break;
                case CStore st:
                    VisitReads(st.Value, ref visitor);
                    foreach (var x in st.Indices) VisitReads(x, ref visitor);
                    work.AddRead(st.Array, sign);
                    work.AddWrite(st.Array, sign);
                    break;
                case CExprStmt e:
                    VisitReads(e.Value, ref visitor);
                    VisitRefs(e.Value, (work, sign), (state, name) => state.work.AddWrite(name, state.sign));
                    break;
                case CReturn r:
                    VisitReads(r.Value, ref visitor);
                    break;
                case CIf i:
                    VisitReads(i.Condition, ref visitor);
                    foreach (var t in i.Then) AddCounts(t, work, sign);
                    foreach (var t in i.Else) AddCounts(t, work, sign);
                    break;
                case CWhile w:
                    VisitReads(w.Condition, ref visitor);
                    foreach (var t in w.Body) AddCounts(t, work, sign);
                    break;
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
                        if (Simplified(d.Init) is { } dInit) { d.Init = dInit; changed = true; }
                        break;
                    case CAssign a:
                    {
                        if (Simplified(a.Value) is { } aValue) { a.Value = aValue; changed = true; }
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
                        if (Simplified(st.Value) is { } stValue) { st.Value = stValue; changed = true; }
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
                        if (Simplified(e.Value) is { } eValue) { e.Value = eValue; changed = true; }
                        break;
                    case CReturn r:
                        if (Simplified(r.Value) is { } rValue) { r.Value = rValue; changed = true; }
                        break;
                    case CIf c:
                        if (Simplified(c.Condition) is { } cCondition) { c.Condition = cCondition; changed = true; }
                        changed |= SimplifyAll(c.Then);
                        changed |= SimplifyAll(c.Else);
                        if (OnlyComments(c.Then) && OnlyComments(c.Else) && IsPure(c.Condition))
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

        private static bool OnlyComments(List<CStmt> list)
        {
            foreach (var t in list)
            {
                if (!(t is CComment)) return false;
            }
            return true;
        }

        /// <summary>
        /// The simplified expression, or null when it equals <paramref name="e"/> (the simplifier returns the same
        /// instance when it changes nothing, which spares comparing the trees).
        /// </summary>
        private static Expr? Simplified(Expr e)
        {
            var simplified = Simplifier.Simplify(e);
            return ReferenceEquals(simplified, e) || simplified.Equals(e) ? null : simplified;
        }

        // ------------------------------------------------------------ scratch space

        /// <summary>What the passes of one <see cref="Optimize"/> call reuse from round to round instead of allocating anew.</summary>
        private sealed class Workspace
        {
            public readonly NameIndex Names = new NameIndex();

            /// <summary>The statement lists of a body (see <see cref="CollectLists"/>).</summary>
            public readonly List<List<CStmt>> Lists = new List<List<CStmt>>();

            // Inline: reads and writes of each name of the body, by Names' numbers.
            public int[] Reads = new int[64];
            public int[] Writes = new int[64];
            public readonly HashSet<string> ValueReads = new HashSet<string>();
            public readonly List<int> Uses = new List<int>();

            // MergeDeclarations: by statement, the next mention of its name; by name number, the next mention (+1, 0 for none) in the sweep.
            private int[] _firstMentions = new int[64];
            private int[] _nextMention = new int[64];

            /// <summary>A buffer of at least <paramref name="count"/> entries, and a fresh backward sweep.</summary>
            public int[] FirstMentions(int count)
            {
                if (_firstMentions.Length < count) _firstMentions = new int[System.Math.Max(count, 2 * _firstMentions.Length)];
                System.Array.Clear(_nextMention, 0, _nextMention.Length);
                return _firstMentions;
            }

            public void MentionedAt(string name, int index)
            {
                int i = Names.GetOrAdd(name);
                if (i >= _nextMention.Length) System.Array.Resize(ref _nextMention, System.Math.Max(i + 1, 2 * _nextMention.Length));
                _nextMention[i] = index + 1;
            }

            public int NextMentionOf(string name, int none)
            {
                int at = Names.TryGet(name, out int i) && i < _nextMention.Length ? _nextMention[i] : 0;
                return at == 0 ? none : at - 1;
            }

            public void ClearCounts()
            {
                System.Array.Clear(Reads, 0, Reads.Length);
                System.Array.Clear(Writes, 0, Writes.Length);
            }

            public void AddRead(string name, int delta)
            {
                int i = Slot(name);
                Reads[i] += delta;
            }

            public void AddWrite(string name, int delta)
            {
                int i = Slot(name);
                Writes[i] += delta;
            }

            public int ReadCount(string name) => Names.TryGet(name, out int i) && i < Reads.Length ? Reads[i] : 0;

            public int WriteCount(string name) => Names.TryGet(name, out int i) && i < Writes.Length ? Writes[i] : 0;

            private int Slot(string name)
            {
                int i = Names.GetOrAdd(name);
                if (i >= Reads.Length)
                {
                    int size = System.Math.Max(Reads.Length * 2, i + 1);
                    System.Array.Resize(ref Reads, size);
                    System.Array.Resize(ref Writes, size);
                }
                return i;
            }
        }

        /// <summary>The statement lists of a body, each before the lists nested in it (in statement order), into <paramref name="into"/>.</summary>
        private static List<List<CStmt>> CollectLists(List<CStmt> root, List<List<CStmt>> into)
        {
            into.Clear();
            Collect(root, into);
            return into;

            static void Collect(List<CStmt> list, List<List<CStmt>> into)
            {
                into.Add(list);
                foreach (var s in list)
                {
                    if (s is CIf i)
                    {
                        Collect(i.Then, into);
                        Collect(i.Else, into);
                    }
                    else if (s is CWhile w)
                    {
                        Collect(w.Body, into);
                    }
                }
            }
        }

        // ------------------------------------------------------------ sets of names

        /// <summary>Numbers every name a body mentions, so that the flow analyses work on bit sets instead of copying hash sets.</summary>
        private sealed class NameIndex
        {
            private readonly Dictionary<string, int> _index = new Dictionary<string, int>();

            public int Count => _index.Count;

            /// <summary>Numbers the names <paramref name="body"/> mentions or declares and <paramref name="more"/>.</summary>
            public void Build(List<CStmt> body, HashSet<string> more)
            {
                _index.Clear();
                var visitor = new Numbering { Index = _index };
                foreach (var name in more) visitor.Read(name);
                foreach (var s in body) Number(s, ref visitor);
            }

            private static void Number(CStmt s, ref Numbering visitor)
            {
                switch (s)
                {
                    case CIf i:
                        VisitReads(i.Condition, ref visitor);
                        foreach (var t in i.Then) Number(t, ref visitor);
                        foreach (var t in i.Else) Number(t, ref visitor);
                        break;
                    case CWhile w:
                        VisitReads(w.Condition, ref visitor);
                        foreach (var t in w.Body) Number(t, ref visitor);
                        break;
                    case CDecl d:
                        // Declared even without a value (the zero analysis forgets it there).
                        visitor.Read(d.Name);
                        VisitMentions(s, ref visitor);
                        break;
                    default:
                        VisitMentions(s, ref visitor);
                        break;
                }
            }

            /// <summary>The name's number; a name not seen yet gets the next one.</summary>
            public int this[string name] => GetOrAdd(name);

            public bool TryGet(string name, out int index) => _index.TryGetValue(name, out index);

            public int GetOrAdd(string name)
            {
                if (!_index.TryGetValue(name, out int index)) _index.Add(name, index = _index.Count);
                return index;
            }

            public Bits NewSet() => new Bits(Count);

            public Bits NewSet(HashSet<string> names)
            {
                var set = new Bits(Count);
                foreach (var name in names) set.Add(GetOrAdd(name));
                return set;
            }

            /// <summary>Adds to <paramref name="set"/> every variable <paramref name="e"/> reads (as <see cref="Reads(Expr, HashSet{string})"/>).</summary>
            public void AddReads(Expr e, Bits set)
            {
                var visitor = new MarkReads { Index = this, Set = set };
                VisitReads(e, ref visitor);
            }

            private struct Numbering : IReadVisitor
            {
                public Dictionary<string, int> Index;
                public void Read(string name)
                {
                    if (!Index.ContainsKey(name)) Index.Add(name, Index.Count);
                }
            }

            private struct MarkReads : IReadVisitor
            {
                public NameIndex Index;
                public Bits Set;
                public void Read(string name) => Set.Add(Index.GetOrAdd(name));
            }
        }

        /// <summary>A set of names as bits over a <see cref="NameIndex"/> (it grows if the index does).</summary>
        private sealed class Bits
        {
            private ulong[] _words;

            public Bits(int count) => _words = new ulong[(count + 63) >> 6];

            private Bits(ulong[] words) => _words = words;

            public Bits Copy()
            {
                var words = new ulong[_words.Length];
                for (int k = 0; k < words.Length; k++) words[k] = _words[k];
                return new Bits(words);
            }

            public bool Contains(int i) => (i >> 6) < _words.Length && (_words[i >> 6] & (1UL << i)) != 0;

            public void Add(int i)
            {
                if ((i >> 6) >= _words.Length) System.Array.Resize(ref _words, (i >> 6) + 1);
                _words[i >> 6] |= 1UL << i;
            }

            public void Remove(int i)
            {
                if ((i >> 6) < _words.Length) _words[i >> 6] &= ~(1UL << i);
            }

            public void Clear() => System.Array.Clear(_words, 0, _words.Length);

            public void UnionWith(Bits other)
            {
                if (other._words.Length > _words.Length) System.Array.Resize(ref _words, other._words.Length);
                for (int k = 0; k < other._words.Length; k++) _words[k] |= other._words[k];
            }

            public void IntersectWith(Bits other)
            {
                int common = System.Math.Min(_words.Length, other._words.Length);
                for (int k = 0; k < common; k++) _words[k] &= other._words[k];
                for (int k = common; k < _words.Length; k++) _words[k] = 0;
            }

            public void CopyFrom(Bits other)
            {
                if (other._words.Length > _words.Length) _words = new ulong[other._words.Length];
                for (int k = 0; k < other._words.Length; k++) _words[k] = other._words[k];
                for (int k = other._words.Length; k < _words.Length; k++) _words[k] = 0;
            }

            public bool SetEquals(Bits other)
            {
                var (shorter, longer) = _words.Length <= other._words.Length ? (_words, other._words) : (other._words, _words);
                for (int k = 0; k < shorter.Length; k++)
                {
                    if (shorter[k] != longer[k]) return false;
                }
                for (int k = shorter.Length; k < longer.Length; k++)
                {
                    if (longer[k] != 0) return false;
                }
                return true;
            }
        }

        // ------------------------------------------------------------ dead stores

        private static bool RemoveDeadStores(CMethod method, NameIndex names)
        {
            var pinned = names.NewSet(method.Pinned);
            var live = pinned.Copy();
            return Liveness(method.Body, live, pinned, null, null, remove: true, names);
        }

        /// <summary>
        /// Backward liveness over a list; with <paramref name="remove"/>, deletes pure stores to locals
        /// nobody reads afterwards. <paramref name="live"/> is live-out on entry and live-in on exit.
        /// <paramref name="atBreak"/> and <paramref name="atContinue"/> are what is live where the
        /// innermost loop's break and continue go.
        /// </summary>
        private static bool Liveness(List<CStmt> list, Bits live, Bits pinned,
            Bits? atBreak, Bits? atContinue, bool remove, NameIndex names)
        {
            bool changed = false;
            for (int i = list.Count - 1; i >= 0; i--)
            {
                switch (list[i])
                {
                    case CAssign a:
                    {
                        int name = names[a.Name];
                        if (remove && !live.Contains(name) && !pinned.Contains(name) && IsPure(a.Value))
                        {
                            list[i] = Removed.Instance;
                            changed = true;
                            break;
                        }
                        if (a.Op == "=") live.Remove(name);
                        else live.Add(name);
                        names.AddReads(a.Value, live);
                        break;
                    }
                    case CDecl d:
                        if (d.Init != null)
                        {
                            int name = names[d.Name];
                            if (remove && !live.Contains(name) && !pinned.Contains(name) && IsPure(d.Init))
                            {
                                d.Init = null;
                                changed = true;
                                break;
                            }
                            live.Remove(name);
                            names.AddReads(d.Init, live);
                        }
                        break;
                    case CStore st:
                        live.Add(names[st.Array]);
                        foreach (var index in st.Indices) names.AddReads(index, live);
                        names.AddReads(st.Value, live);
                        break;
                    case CExprStmt e:
                        names.AddReads(e.Value, live);
                        break;
                    case CReturn r:
                        live.CopyFrom(pinned);
                        names.AddReads(r.Value, live);
                        break;
                    case CJump j:
                    {
                        var target = j.IsBreak ? atBreak : atContinue;
                        if (target != null) live.CopyFrom(target);
                        else live.Clear();
                        live.UnionWith(pinned);
                        break;
                    }
                    case CIf c:
                    {
                        // live becomes what the then-branch needs; the else-branch starts from a copy.
                        var elseLive = live.Copy();
                        changed |= Liveness(c.Then, live, pinned, atBreak, atContinue, remove, names);
                        changed |= Liveness(c.Else, elseLive, pinned, atBreak, atContinue, remove, names);
                        live.UnionWith(elseLive);
                        names.AddReads(c.Condition, live);
                        break;
                    }
                    case CWhile w:
                    {
                        // Fixpoint: live at the loop head = live after the loop, what the condition
                        // reads, and what the body needs at its start (for the next pass).
                        var after = live.Copy();
                        var head = after.Copy();
                        names.AddReads(w.Condition, head);
                        var bodyLive = names.NewSet();
                        for (int round = 0; round < 100; round++)
                        {
                            bodyLive.CopyFrom(head);
                            Liveness(w.Body, bodyLive, pinned, after, head, remove: false, names);
                            var next = after.Copy();
                            names.AddReads(w.Condition, next);
                            next.UnionWith(bodyLive);
                            if (next.SetEquals(head)) break;
                            head = next;
                        }
                        if (remove)
                        {
                            bodyLive.CopyFrom(head);
                            changed |= Liveness(w.Body, bodyLive, pinned, after, head, remove: true, names);
                        }
                        live.CopyFrom(head);
                        break;
                    }
                }
            }
            if (changed && remove) Compact(list);
            return changed;
        }

        // ------------------------------------------------------------ known zeros

        /// <summary>
        /// <c>x += e</c> where x is known to hold zero becomes <c>x = e</c> (adjoints start at zero and
        /// are reset after use), so that the zeroing and the temporary itself can then disappear. And a derivative
        /// known to hold zero is a zero in the derivative expressions that read it, which then fold: in the reverse
        /// sweep of <c>x *= Math.Sqrt(-1.0)</c> after x's last use, <c>dX = dX * sqrt</c> with dX still zero is
        /// <c>dX = 0</c>, not the NaN that <c>0 * NaN</c> would give (a value that no longer reaches the result
        /// contributes nothing, as in forward mode).
        /// </summary>
        private static bool ForwardZeros(List<CStmt> body, NameIndex names, HashSet<string> derivatives)
        {
            return ForwardZeros(body, names.NewSet(), new ZeroScope(names, derivatives), apply: true);
        }

        /// <summary>What <see cref="ForwardZeros(List{CStmt}, Bits, ZeroScope, bool)"/> needs besides the set of zeros.</summary>
        private sealed class ZeroScope
        {
            public ZeroScope(NameIndex names, HashSet<string> derivatives)
            {
                Names = names;
                Derivatives = derivatives;
            }

            public NameIndex Names { get; }
            public HashSet<string> Derivatives { get; }
        }

        /// <summary>
        /// The value of a derivative statement with each derivative known to hold zero read as a zero, simplified
        /// (multiplying by zero gives zero); <paramref name="value"/> itself when it reads none. Only operands of
        /// arithmetic are replaced: a call's argument keeps its type.
        /// </summary>
        private static Expr WithKnownZeros(Expr value, Bits zero, ZeroScope scope)
        {
            var rewrite = new KnownZeros(zero, scope);
            var replaced = ExprMap.Map(value, ref rewrite);
            return ReferenceEquals(replaced, value) ? value : Simplifier.Simplify(replaced);
        }

        /// <summary>Reads of known-zero derivatives become 0, through arithmetic operators only.</summary>
        private readonly struct KnownZeros : IExprRewrite
        {
            private readonly Bits _zero;
            private readonly ZeroScope _scope;

            public KnownZeros(Bits zero, ZeroScope scope)
            {
                _zero = zero;
                _scope = scope;
            }

            public Expr? Visit(Expr e) => e switch
            {
                VarExpr v => _scope.Derivatives.Contains(v.Name) && _zero.Contains(_scope.Names[v.Name]) ? ConstExpr.Zero : v,
                OpExpr o when !(Ops.IsComparison(o.Op) || o.Op == Ops.Not || o.Op == Ops.And || o.Op == Ops.Or || o.Op == Ops.Remainder) => null,
                _ => e,
            };
        }

        /// <summary>
        /// <paramref name="zero"/> holds the names known to be zero on entry and on exit. Without
        /// <paramref name="apply"/> nothing is rewritten: a dry run that gives the same sets as a run on a copy.
        /// </summary>
        private static bool ForwardZeros(List<CStmt> list, Bits zero, ZeroScope scope, bool apply)
        {
            bool changed = false;
            var names = scope.Names;
            foreach (var s in list)
            {
                switch (s)
                {
                    case CDecl d:
                        if (d.Init != null && scope.Derivatives.Contains(d.Name))
                        {
                            var init = WithKnownZeros(d.Init, zero, scope);
                            if (apply && !ReferenceEquals(init, d.Init))
                            {
                                d.Init = init;
                                changed = true;
                            }
                            if (init is ConstExpr k && k.IsZero)
                            {
                                zero.Add(names[d.Name]);
                                break;
                            }
                        }
                        if (d.Init is ConstExpr c && c.IsZero) zero.Add(names[d.Name]);
                        else zero.Remove(names[d.Name]);
                        break;
                    case CAssign a:
                    {
                        int name = names[a.Name];
                        string op = a.Op;
                        Expr value = a.Value;
                        if (scope.Derivatives.Contains(a.Name))
                        {
                            value = WithKnownZeros(value, zero, scope);
                            if (apply && !ReferenceEquals(value, a.Value))
                            {
                                a.Value = value;
                                changed = true;
                            }
                        }
                        if (op != "=" && zero.Contains(name) && CountReads(value, a.Name) == 0)
                        {
                            if (op == "-=") value = Simplifier.Negate(value);
                            op = "=";
                            if (apply)
                            {
                                a.Value = value;
                                a.Op = op;
                                changed = true;
                            }
                        }
                        if (op == "=" && value is ConstExpr z && z.IsZero) zero.Add(name);
                        else zero.Remove(name);
                        break;
                    }
                    case CStore st when apply && scope.Derivatives.Contains(st.Array):
                    {
                        var stored = WithKnownZeros(st.Value, zero, scope);
                        if (!ReferenceEquals(stored, st.Value))
                        {
                            st.Value = stored;
                            changed = true;
                        }
                        break;
                    }
                    case CExprStmt e:
                        // A call may add into what it gets by ref.
                        VisitRefs(e.Value, (zero, names), (state, name) => state.zero.Remove(state.names[name]));
                        break;
                    case CIf i:
                    {
                        var thenZero = zero.Copy();
                        var elseZero = zero.Copy();
                        changed |= ForwardZeros(i.Then, thenZero, scope, apply);
                        changed |= ForwardZeros(i.Else, elseZero, scope, apply);
                        zero.IntersectWith(thenZero);
                        zero.IntersectWith(elseZero);
                        break;
                    }
                    case CWhile w:
                    {
                        // Zero at the head: zero before the loop and again at the end of every pass.
                        // Loops containing jumps are left alone.
                        bool hasJumps = ContainsJump(w.Body);
                        var head = hasJumps ? names.NewSet() : zero.Copy();
                        var end = names.NewSet();
                        for (int round = 0; round < 100; round++)
                        {
                            end.CopyFrom(head);
                            ForwardZeros(w.Body, end, scope, apply: false);
                            var next = head.Copy();
                            next.IntersectWith(end);
                            if (next.SetEquals(head)) break;
                            head = next;
                        }
                        var bodyZero = head.Copy();
                        changed |= ForwardZeros(w.Body, bodyZero, scope, apply);
                        zero.IntersectWith(head);
                        if (hasJumps)
                        {
                            var writes = new HashSet<string>();
                            Mentions(w, new HashSet<string>(), writes);
                            foreach (var name in writes) zero.Remove(names[name]);
                        }
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
        private static bool MergeDeclarations(List<CStmt> root, Workspace work)
        {
            bool changed = false;
            foreach (var list in CollectLists(root, work.Lists))
            {
                if (!HasMergeCandidate(list)) continue;

                // For each declaration or assignment, the first later statement that mentions its name (list.Count
                // if none), from one backward sweep. The answers stay right while the list is rewritten: a merge
                // removes the declaration (a tombstone until the end, so no index moves; it lies before every
                // statement still asked about) and turns the assignment into a declaration of the same name whose
                // value reads the same variables, so it mentions the same names.
                int count = list.Count;
                int[] next = work.FirstMentions(count);
                var sweep = new MarkMentions { Work = work };
                for (int k = count - 1; k >= 0; k--)
                {
                    var statement = list[k];
                    string? own = statement is CDecl od ? od.Name : statement is CAssign oa ? oa.Name : null;
                    next[k] = own is null ? count : work.NextMentionOf(own, count);
                    sweep.Index = k;
                    if (statement is CDecl sd) sweep.Read(sd.Name);
                    VisitMentions(statement, ref sweep);
                }

                bool removed = false;
                for (int i = 0; i < count; i++)
                {
                    if (!(list[i] is CDecl d)) continue;
                    bool zeroInit = d.Init is ConstExpr c && c.IsZero;
                    if (d.Init != null && !zeroInit) continue;
                    int j = next[i];
                    if (j == count)
                    {
                        list[i] = Removed.Instance;
                        removed = true;
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
                    list[i] = Removed.Instance;
                    removed = true;
                    changed = true;
                }
                if (removed) Compact(list);
            }
            return changed;
        }

        private static bool HasMergeCandidate(List<CStmt> list)
        {
            foreach (var s in list)
            {
                if (s is CDecl d && (d.Init is null || d.Init is ConstExpr c && c.IsZero)) return true;
            }
            return false;
        }

        /// <summary>Notes, in a backward sweep, the statement index as the next mention of each name the statement mentions.</summary>
        private struct MarkMentions : IReadVisitor
        {
            public Workspace Work;
            public int Index;
            public void Read(string name) => Work.MentionedAt(name, Index);
        }

        /// <summary>Every variable a statement reads or writes, nested statements included, as <see cref="Mentions"/> collects them.</summary>
        private static void VisitMentions<T>(CStmt s, ref T visitor) where T : struct, IReadVisitor
        {
            switch (s)
            {
                case CDecl d:
                    if (d.Init != null) { VisitReads(d.Init, ref visitor); visitor.Read(d.Name); }
                    break;
                case CAssign a:
                    VisitReads(a.Value, ref visitor);
                    visitor.Read(a.Name);
                    break;
                case CStore st:
                    visitor.Read(st.Array);
                    foreach (var index in st.Indices) VisitReads(index, ref visitor);
                    VisitReads(st.Value, ref visitor);
                    break;
                case CExprStmt e:
                    // A ref argument is also a read.
                    VisitReads(e.Value, ref visitor);
                    break;
                case CReturn r:
                    VisitReads(r.Value, ref visitor);
                    break;
                case CIf i:
                    VisitReads(i.Condition, ref visitor);
                    foreach (var t in i.Then) VisitMentions(t, ref visitor);
                    foreach (var t in i.Else) VisitMentions(t, ref visitor);
                    break;
                case CWhile w:
                    VisitReads(w.Condition, ref visitor);
                    foreach (var t in w.Body) VisitMentions(t, ref visitor);
                    break;
            }
        }

        /// <summary>A statement removed from a list while the list is being walked by index (see <see cref="Compact"/>).</summary>
        private sealed class Removed : CStmt
        {
            public static readonly Removed Instance = new Removed();
        }

        private static void Compact(List<CStmt> list) => list.RemoveAll(s => s is Removed);

        /// <summary>Declarations still without a value start at zero (their first write is nested or conditional).</summary>
        internal static void FinishDeclarations(List<CStmt> root)
        {
            foreach (var list in CollectLists(root, new List<List<CStmt>>()))
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
        private static bool RemoveCopiesBack(List<CStmt> root, Workspace work)
        {
            bool changed = false;
            foreach (var list in CollectLists(root, work.Lists))
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

        private static bool Inline(CMethod method, Workspace work)
        {
            bool changed = false;
            // How often each name is read and written in the whole body (as CountReads and CountWrites count),
            // counted once and kept up to date as statements are rewritten and removed.
            work.ClearCounts();
            foreach (var s in method.Body) AddCounts(s, work, +1);
            var valueReads = work.ValueReads;
            var uses = work.Uses;
            foreach (var list in CollectLists(method.Body, work.Lists))
            {
                // Removed definitions stay in place as tombstones until the list is done (no shifting of the list per removal).
                bool removed = false;
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
                    if (!method.Inlinable.Contains(name) || !IsPure(value)) continue;
                    int totalWrites = work.WriteCount(name);
                    int totalReads = work.ReadCount(name);
                    if (totalWrites != 1) continue;
                    if (totalReads == 0) continue;
                    valueReads.Clear();
                    Reads(value, valueReads);

                    if (value.IsAtom)
                    {
                        // Copy propagation: every read follows in this list, and what the copy reads is not written before the last read.
                        // (Once all reads are found, no later statement reads the name: the last one stays the last.)
                        int last = -1, found = 0;
                        uses.Clear();
                        for (int j = i + 1; j < list.Count && found < totalReads; j++)
                        {
                            int n = CountReads(list[j], name);
                            if (n > 0) { last = j; found += n; uses.Add(j); }
                        }
                        if (found != totalReads) continue;
                        bool clobbered = false;
                        for (int j = i + 1; j < last && !clobbered; j++)
                        {
                            clobbered = WritesAny(list[j], valueReads);
                        }
                        if (clobbered || WritesBeforeReadAny(list[last], valueReads)) continue;
                        // Only the statements that read the name change.
                        foreach (int j in uses)
                        {
                            AddCounts(list[j], work, -1);
                            Substitute(list[j], name, value);
                            AddCounts(list[j], work, +1);
                        }
                        AddCounts(list[i], work, -1);
                        list[i] = Removed.Instance;
                        removed = true;
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
                        blocked = WritesAny(list[j], valueReads) || list[j] is CExprStmt;
                    }
                    if (blocked) continue;
                    AddCounts(list[use], work, -1);
                    Substitute(list[use], name, value);
                    AddCounts(list[use], work, +1);
                    AddCounts(list[i], work, -1);
                    list[i] = Removed.Instance;
                    removed = true;
                    changed = true;
                }
                if (removed) Compact(list);
            }
            return changed;
        }

        /// <summary>Whether a statement writes any of the names.</summary>
        private static bool WritesAny(CStmt s, HashSet<string> names)
        {
            foreach (var v in names)
            {
                if (CountWrites(s, v) > 0) return true;
            }
            return false;
        }

        private static bool WritesBeforeReadAny(CStmt s, HashSet<string> names)
        {
            foreach (var v in names)
            {
                if (WritesBeforeRead(s, v)) return true;
            }
            return false;
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
                    if (ReplaceAll(st.Indices, name, value) is { } indices) st.Indices = indices;
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

        /// <summary>
        /// <paramref name="e"/> with every read of <paramref name="name"/> replaced by <paramref name="value"/>; the
        /// same instance (and sub-trees) where nothing is replaced.
        /// </summary>
        internal static Expr Replace(Expr e, string name, Expr value)
        {
            var rewrite = new ReplaceName(name, value);
            return ExprMap.Map(e, ref rewrite);
        }

        /// <summary>The items with <see cref="Replace"/> applied, or null when no item changes.</summary>
        private static Helpers.EquatableArray<Expr>? ReplaceAll(Helpers.EquatableArray<Expr> items, string name, Expr value)
        {
            var rewrite = new ReplaceName(name, value);
            return ExprMap.MapAll(items, ref rewrite);
        }

        private readonly struct ReplaceName : IExprRewrite
        {
            private readonly string _name;
            private readonly Expr _value;

            public ReplaceName(string name, Expr value)
            {
                _name = name;
                _value = value;
            }

            public Expr? Visit(Expr e) => e is VarExpr v ? (v.Name == _name ? _value : v) : null;
        }

        /// <summary>An array just filled and held by nothing else, handed over without a copy.</summary>
        internal static Helpers.EquatableArray<Expr> Own(Expr[] fresh)
            => new Helpers.EquatableArray<Expr>(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(fresh));
    }
}
