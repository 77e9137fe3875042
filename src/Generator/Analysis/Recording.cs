using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;
using Tangent.Generator.Transform;

namespace Tangent.Generator.Analysis
{
    /// <summary>
    /// To-be-recorded analysis: which values the primal overwrites that the reverse sweep still needs.
    /// The reverse sweep reads the operands (and sometimes the result) of active operations, and the
    /// conditions of branches. An assignment keeps the old value of its target only when the target is
    /// such a value and may have an earlier value that someone reads: so straight-line code records
    /// nothing unless it overwrites a value a derivative needs, and a loop that only accumulates
    /// (<c>s += a * b</c>) records nothing but its pass count.
    /// </summary>
    internal sealed class Recording
    {
        private readonly TransformContext _context;
        private readonly HashSet<string> _reverseReads = new HashSet<string>();
        private readonly Dictionary<string, int> _assignments = new Dictionary<string, int>();
        private readonly HashSet<string> _assignedInLoop = new HashSet<string>();
        private readonly HashSet<Stmt> _counterResets = new HashSet<Stmt>(Helpers.ReferenceComparer<Stmt>.Instance);
        private readonly Dictionary<Stmt, AssignStmt> _counterFinals = new Dictionary<Stmt, AssignStmt>(Helpers.ReferenceComparer<Stmt>.Instance);

        public Recording(TransformContext context)
        {
            _context = context;
            Scan(context.Ir.Body, inLoop: false);
            // A branch decision is read by the reverse sweep only if a branch has reverse work; what
            // has reverse work depends on what is recorded, so iterate to a fixpoint.
            while (true)
            {
                int before = _reverseReads.Count;
                AddDecisions(context.Ir.Body);
                if (_reverseReads.Count == before) break;
            }
        }

        private void AddDecisions(IEnumerable<Stmt> statements)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case IfStmt i:
                        if (i.Condition is VarExpr c && HasReverseWork(i)) _reverseReads.Add(c.Name);
                        AddDecisions(i.Then);
                        AddDecisions(i.Else);
                        break;
                    case WhileStmt w:
                        AddDecisions(w.Before);
                        AddDecisions(w.After);
                        break;
                }
            }
        }

        /// <summary>True when the reverse sweep of the statement does anything: adjoints, restores or loops.</summary>
        public bool HasReverseWork(Stmt s) => s switch
        {
            AssignStmt a => _context.IsActive(a.Target) || NeedsSave(a),
            StoreStmt st => _context.IsActive(st.Array) && (st.Op == "=" || _context.IsActive(st.Value)) || _context.SavesStores(st.Array),
            ReturnStmt r => _context.IsActive(r.Value),
            IfStmt i => i.Then.Any(HasReverseWork) || i.Else.Any(HasReverseWork),
            WhileStmt w => w.Before.Any(HasReverseWork) || w.After.Any(HasReverseWork),
            _ => false,
        };

        /// <summary>The variables the reverse sweep reads.</summary>
        public IReadOnlyCollection<string> ReverseReads => _reverseReads;

        private void Scan(IReadOnlyList<Stmt> statements, bool inLoop)
        {
            for (int k = 0; k < statements.Count; k++)
            {
                var s = statements[k];
                if (inLoop && k + 1 < statements.Count && s is AssignStmt reset && statements[k + 1] is WhileStmt loop
                    && CounterStart(reset, loop) is Expr final)
                {
                    _counterResets.Add(reset);
                    _counterFinals[loop] = new AssignStmt(reset.Target, final, reset.Origin);
                }
                switch (s)
                {
                    case AssignStmt a:
                        foreach (var name in _context.AdjointReads(a.Target, a.Value)) _reverseReads.Add(name);
                        _assignments[a.Target] = _assignments.TryGetValue(a.Target, out int n) ? n + 1 : 1;
                        if (inLoop) _assignedInLoop.Add(a.Target);
                        break;
                    case StoreStmt st:
                        foreach (var name in _context.AdjointReads(st)) _reverseReads.Add(name);
                        break;
                    case IfStmt i:
                        Scan(i.Then, inLoop);
                        Scan(i.Else, inLoop);
                        break;
                    case WhileStmt w:
                        Scan(w.Before, inLoop: true);
                        Scan(w.After, inLoop: true);
                        break;
                }
            }
        }

        /// <summary>
        /// A loop counter reset inside an enclosing loop (<c>j = 0</c> before <c>for (j...; j++)</c>) keeps no
        /// old value: its only other assignment is the step at the end of every counted pass, and it is read
        /// nowhere but in that loop, so the reverse sweep sets it to its final value, start + step·passes, just
        /// before replaying the loop (<see cref="CounterFinal"/>), instead of recording it once per enclosing pass.
        /// </summary>
        private Expr? CounterStart(AssignStmt reset, WhileStmt loop)
        {
            var type = _context.TypeOf(reset.Target);
            if (type != IrType.Int || _context.IsActive(reset.Target)) return null;
            string k = reset.Target;
            // The start is a constant or a parameter nobody assigns.
            if (!(reset.Value is ConstExpr { Kind: TypeKind.Int } || reset.Value is VarExpr v && _context.IsParameter(v.Name) && !Assigned(_context.Ir.Body, v.Name))) return null;
            // The step: the last statement of every counted pass, k = k ± c, and no other assignment of k in the loop.
            if (loop.After.Count == 0 || !(loop.After[loop.After.Count - 1] is AssignStmt step)) return null;
            if (!(step.Target == k && step.Value is OpExpr o && (o.Op == Ops.Add || o.Op == Ops.Subtract) && o.Args[0] is VarExpr self
                  && self.Name == k && o.Args[1] is ConstExpr { Kind: TypeKind.Int } c)) return null;
            if (loop.Before.Any(s => Recomputable.Assigns(s, k)) || loop.After.Take(loop.After.Count - 1).Any(s => Recomputable.Assigns(s, k))) return null;
            // Nowhere else assigns or reads k.
            if (Recomputable.CountAssignments(_context.Ir.Body, k) != 2 || Recomputable.CountUses(_context.Ir.Body, k) != Recomputable.CountUses(loop, k)) return null;
            var passes = new OpExpr(Ops.Multiply, c, new VarExpr(CounterPlaceholder));
            return Optimization.Simplifier.Simplify(new OpExpr(o.Op, reset.Value, passes));
        }

        /// <summary>Stands for the loop's pass counter in <see cref="CounterFinal"/>; the transformation substitutes its name.</summary>
        public const string CounterPlaceholder = "<passes>";

        /// <summary>For a loop whose counter is reset without recording (<see cref="CounterStart"/>): the assignment of its final value, in terms of <see cref="CounterPlaceholder"/>.</summary>
        public AssignStmt? CounterFinal(WhileStmt loop) => _counterFinals.TryGetValue(loop, out var a) ? a : null;

        private static bool Assigned(IEnumerable<Stmt> statements, string name) => statements.Any(s => Recomputable.Assigns(s, name));

        /// <summary>
        /// Whether this assignment (anywhere but a straight-line top-level block) must keep the old
        /// value of its target: the reverse sweep reads the target, and it has another assignment, or
        /// this one repeats in a loop.
        /// </summary>
        public bool NeedsSave(AssignStmt a)
            => !_counterResets.Contains(a) && _reverseReads.Contains(a.Target) && (_assignments[a.Target] > 1 || _assignedInLoop.Contains(a.Target))
               && (_context.TypeOf(a.Target) == IrType.Int || ReadSincePrevious(a));

        // ------------------------------------------------------------ what is read between two assignments

        /// <summary>Where a statement list sits: the method body, a branch, or a loop's <c>Before</c>/<c>After</c> part.</summary>
        private enum Part { Body, Branch, Before, After }

        private sealed class Block
        {
            public Block(IReadOnlyList<Stmt> items, Part part, Stmt? parent)
            {
                Items = items;
                Part = part;
                Parent = parent;
            }

            public IReadOnlyList<Stmt> Items { get; }
            public Part Part { get; }
            public Stmt? Parent { get; }
        }

        private Dictionary<Stmt, (Block Block, int Index)>? _places;
        private readonly Dictionary<Stmt, (Block Before, Block After)> _loopParts = new Dictionary<Stmt, (Block, Block)>(Helpers.ReferenceComparer<Stmt>.Instance);
        private readonly Dictionary<Stmt, bool> _readSincePrevious = new Dictionary<Stmt, bool>(Helpers.ReferenceComparer<Stmt>.Instance);

        private Block Place(IReadOnlyList<Stmt> items, Part part, Stmt? parent)
        {
            var block = new Block(items, part, parent);
            for (int k = 0; k < items.Count; k++)
            {
                var s = items[k];
                _places![s] = (block, k);
                switch (s)
                {
                    case IfStmt i:
                        Place(i.Then, Part.Branch, i);
                        Place(i.Else, Part.Branch, i);
                        break;
                    case WhileStmt w:
                        _loopParts[w] = (Place(w.Before, Part.Before, w), Place(w.After, Part.After, w));
                        break;
                }
            }
            return block;
        }

        /// <summary>
        /// Whether the reverse sweep reads the value an assignment overwrites: some statement that can run after the
        /// previous assignment of the target (in the same pass, an earlier pass of an enclosing loop, or before the loop)
        /// and before this one reads the target in its adjoint. Walks the statements backwards from the assignment, around
        /// loops, and stops on each path at an assignment of the target. A loop that only accumulates into a variable
        /// (<c>s = s + a * b</c>) then records nothing for it, and neither does <c>t = 0</c> before an inner loop that sums
        /// into <c>t</c> when only the final sum is read: the reverse sweep needs one old value per pass of the outer
        /// loop, not one per inner pass. Conservative where it must guess (a nested loop that reads the target counts as a read).
        /// Not for integers: <c>i = i ± c</c> is undone by its inverse, from the current value, so every step of a chain
        /// must be undone or none.
        /// </summary>
        private bool ReadSincePrevious(AssignStmt assignment)
        {
            if (_readSincePrevious.TryGetValue(assignment, out bool known)) return known;
            if (_places is null)
            {
                _places = new Dictionary<Stmt, (Block, int)>(Helpers.ReferenceComparer<Stmt>.Instance);
                Place(_context.Ir.Body, Part.Body, null);
            }
            string target = assignment.Target;
            bool result;
            if (!_places.TryGetValue(assignment, out var place) || ReadsOf(assignment).Contains(target))
            {
                // Unknown place, or its own adjoint reads the target (its result, or its old value restored first).
                result = true;
            }
            else
            {
                result = false;
                var visited = new HashSet<(Block, int)>();
                var pending = new Stack<(Block Block, int From)>();
                pending.Push((place.Block, place.Index));
                while (pending.Count > 0 && !result)
                {
                    var (block, from) = pending.Pop();
                    if (!visited.Add((block, from))) continue;
                    var walk = Backwards(block.Items, from, target);
                    if (walk == Seen.Read) result = true;
                    else if (walk == Seen.Nothing) Predecessors(block, pending);
                }
            }
            _readSincePrevious[assignment] = result;
            return result;
        }

        private enum Seen { Nothing, Read, Assigned }

        private readonly Dictionary<Stmt, HashSet<string>> _adjointReads = new Dictionary<Stmt, HashSet<string>>(Helpers.ReferenceComparer<Stmt>.Instance);

        /// <summary>What the statement's adjoint reads (<see cref="TransformContext.AdjointReads(string, Expr)"/>), computed once per statement.</summary>
        private HashSet<string> ReadsOf(Stmt s)
        {
            if (!_adjointReads.TryGetValue(s, out var reads))
            {
                reads = s switch
                {
                    AssignStmt a => new HashSet<string>(_context.AdjointReads(a.Target, a.Value)),
                    StoreStmt st => new HashSet<string>(_context.AdjointReads(st)),
                    _ => new HashSet<string>(),
                };
                _adjointReads[s] = reads;
            }
            return reads;
        }

        /// <summary>Where control comes from into the start of a block.</summary>
        private void Predecessors(Block block, Stack<(Block, int)> pending)
        {
            switch (block.Part)
            {
                case Part.Branch:
                {
                    var (parent, index) = _places![block.Parent!];
                    pending.Push((parent, index));
                    break;
                }
                case Part.After:
                {
                    var before = _loopParts[block.Parent!].Before;
                    pending.Push((before, before.Items.Count));
                    break;
                }
                case Part.Before:
                {
                    // The first pass comes from before the loop, the others from the end of the previous pass.
                    var (parent, index) = _places![block.Parent!];
                    pending.Push((parent, index));
                    var after = _loopParts[block.Parent!].After;
                    pending.Push((after, after.Items.Count));
                    break;
                }
            }
        }

        /// <summary>Walks <paramref name="items"/> backwards from just before <paramref name="from"/>: the first read or assignment of the target it meets.</summary>
        private Seen Backwards(IReadOnlyList<Stmt> items, int from, string target)
        {
            for (int k = from - 1; k >= 0; k--)
            {
                var seen = Examine(items[k], target);
                if (seen != Seen.Nothing) return seen;
            }
            return Seen.Nothing;
        }

        private Seen Examine(Stmt s, string target)
        {
            switch (s)
            {
                case AssignStmt a:
                    return ReadsOf(a).Contains(target) ? Seen.Read : a.Target == target ? Seen.Assigned : Seen.Nothing;
                case StoreStmt st:
                    return ReadsOf(st).Contains(target) ? Seen.Read : Seen.Nothing;
                case IfStmt i:
                {
                    // The reverse sweep replays the decision.
                    if (i.Condition is VarExpr c && c.Name == target) return Seen.Read;
                    var then = Backwards(i.Then, i.Then.Count, target);
                    var otherwise = Backwards(i.Else, i.Else.Count, target);
                    if (then == Seen.Read || otherwise == Seen.Read) return Seen.Read;
                    return then == Seen.Assigned && otherwise == Seen.Assigned ? Seen.Assigned : Seen.Nothing;
                }
                case WhileStmt w:
                    // It may run no pass: it never hides what came before; a read anywhere in it counts.
                    return ReadsAnywhere(w.Before, target) || ReadsAnywhere(w.After, target) ? Seen.Read : Seen.Nothing;
                case ReturnStmt _:
                case ExprStmt _:
                    return Seen.Nothing;
                default:
                    return Seen.Read;
            }
        }

        private bool ReadsAnywhere(IReadOnlyList<Stmt> items, string target)
        {
            foreach (var s in items)
            {
                switch (s)
                {
                    case AssignStmt a when ReadsOf(a).Contains(target):
                    case StoreStmt st when ReadsOf(st).Contains(target):
                    case IfStmt i when i.Condition is VarExpr c && c.Name == target:
                        return true;
                    case IfStmt i when ReadsAnywhere(i.Then, target) || ReadsAnywhere(i.Else, target):
                        return true;
                    case WhileStmt w when ReadsAnywhere(w.Before, target) || ReadsAnywhere(w.After, target):
                        return true;
                    case AssignStmt _:
                    case StoreStmt _:
                    case IfStmt _:
                    case WhileStmt _:
                    case ReturnStmt _:
                    case ExprStmt _:
                        break;
                    default:
                        return true;
                }
            }
            return false;
        }

        /// <summary>
        /// The precise rule for a straight-line block: an assignment keeps the old value exactly when
        /// some statement between the previous assignment of the target and this one reads it in its
        /// adjoint.
        /// </summary>
        public HashSet<int> StraightLineSaves(IReadOnlyList<Stmt> statements)
        {
            var saves = new HashSet<int>();
            var assigned = new HashSet<string>();
            var readSince = new HashSet<string>();
            for (int k = 0; k < statements.Count; k++)
            {
                if (statements[k] is StoreStmt st)
                {
                    foreach (var name in _context.AdjointReads(st)) readSince.Add(name);
                    continue;
                }
                if (!(statements[k] is AssignStmt a)) continue;
                if (assigned.Contains(a.Target) && readSince.Contains(a.Target)) saves.Add(k);
                var reads = _context.AdjointReads(a.Target, a.Value).ToList();
                foreach (var name in reads) readSince.Add(name);
                assigned.Add(a.Target);
                // This statement's own adjoint may read the value it assigns (Exp reads its result).
                if (reads.Contains(a.Target)) readSince.Add(a.Target);
                else readSince.Remove(a.Target);
            }
            return saves;
        }
    }
}
