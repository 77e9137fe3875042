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
            StoreStmt st => _context.IsActive(st.Array) && (st.Op == "=" || _context.IsActive(st.Value)),
            ReturnStmt r => _context.IsActive(r.Value),
            IfStmt i => i.Then.Any(HasReverseWork) || i.Else.Any(HasReverseWork),
            WhileStmt w => w.Before.Any(HasReverseWork) || w.After.Any(HasReverseWork),
            _ => false,
        };

        /// <summary>The variables the reverse sweep reads.</summary>
        public IReadOnlyCollection<string> ReverseReads => _reverseReads;

        private void Scan(IEnumerable<Stmt> statements, bool inLoop)
        {
            foreach (var s in statements)
            {
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
        /// Whether this assignment (anywhere but a straight-line top-level block) must keep the old
        /// value of its target: the reverse sweep reads the target, and it has another assignment, or
        /// this one repeats in a loop.
        /// </summary>
        public bool NeedsSave(AssignStmt a)
            => _reverseReads.Contains(a.Target) && (_assignments[a.Target] > 1 || _assignedInLoop.Contains(a.Target));

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
