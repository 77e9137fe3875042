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
            => !_counterResets.Contains(a) && _reverseReads.Contains(a.Target) && (_assignments[a.Target] > 1 || _assignedInLoop.Contains(a.Target));

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
