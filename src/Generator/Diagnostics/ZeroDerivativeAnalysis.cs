using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Tangent.Generator.Analysis;
using Tangent.Generator.IR;
using Tangent.Generator.Lowering;

namespace Tangent.Generator.Diagnostics
{
    /// <summary>
    /// The zero-derivative warnings that need the lowered IR: which zero-derivative operations on varied
    /// values feed the result (TN3001), and whether the result is varied at all (TN3002).
    /// </summary>
    internal static class ZeroDerivativeAnalysis
    {
        /// <summary>
        /// TN3001 for each zero-derivative operation whose operand is varied (depends on a differentiated
        /// parameter through operations with derivatives) and whose result feeds the method's result.
        /// </summary>
        public static List<DiagnosticInfo> Operations(MethodIR ir, ActivityAnalysis activity, IReadOnlyList<ZeroDerivativeUse> uses)
        {
            var found = new List<DiagnosticInfo>();
            if (!uses.Any(u => activity.IsVaried(u.Operand))) return found;
            var assignedTo = new Dictionary<Expr, string>(ByReference.Instance);
            var feeding = FeedingTheResult(ir, assignedTo);
            foreach (var use in uses)
            {
                if (!activity.IsVaried(use.Operand) || !assignedTo.TryGetValue(use.Operation, out var target) || !feeding.Contains(target)) continue;
                var info = DiagnosticInfo.Create(DiagnosticDescriptors.ZeroDerivativeOperation, use.Where, use.What, use.OperandText);
                if (!found.Contains(info)) found.Add(info);
            }
            return found;
        }

        /// <summary>True when some returned value is varied.</summary>
        public static bool ResultIsVaried(MethodIR ir, ActivityAnalysis activity)
        {
            var statements = new Statements();
            statements.Collect(ir.Body);
            return statements.Returns.Any(r => r.Value is VarExpr v && activity.IsVaried(v.Name));
        }

        /// <summary>
        /// The variables whose values flow into a returned value by data, through any operation (with a
        /// derivative or not): operands, arguments and indices, but not conditions (control flow), array sizes
        /// and lengths (shapes) or discarded calls. Fills <paramref name="assignedTo"/> with the target of every
        /// assigned value, by reference.
        /// </summary>
        private static HashSet<string> FeedingTheResult(MethodIR ir, Dictionary<Expr, string> assignedTo)
        {
            var statements = new Statements();
            statements.Collect(ir.Body);
            foreach (var a in statements.Assignments) assignedTo[a.Value] = a.Target;

            var feeding = new HashSet<string>();
            foreach (var r in statements.Returns)
            {
                if (r.Value is VarExpr v) feeding.Add(v.Name);
            }
            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (var a in statements.Assignments)
                {
                    if (!feeding.Contains(a.Target)) continue;
                    foreach (var name in Values(a.Value)) changed |= feeding.Add(name);
                }
                foreach (var s in statements.Stores)
                {
                    if (!feeding.Contains(s.Array)) continue;
                    foreach (var name in Values(s.Value).Concat(s.Indices.SelectMany(Values))) changed |= feeding.Add(name);
                }
            }
            return feeding;
        }

        private static IEnumerable<string> Values(Expr e)
        {
            switch (e)
            {
                case VarExpr v:
                    yield return v.Name;
                    break;
                case NewArrayExpr _:
                case MemberExpr _:
                    break;
                default:
                    foreach (var child in e.Children)
                    {
                        foreach (var name in Values(child)) yield return name;
                    }
                    break;
            }
        }

        private sealed class Statements
        {
            public List<AssignStmt> Assignments { get; } = new List<AssignStmt>();
            public List<StoreStmt> Stores { get; } = new List<StoreStmt>();
            public List<ReturnStmt> Returns { get; } = new List<ReturnStmt>();

            public void Collect(IEnumerable<Stmt> body)
            {
                foreach (var s in body)
                {
                    switch (s)
                    {
                        case AssignStmt a: Assignments.Add(a); break;
                        case StoreStmt store: Stores.Add(store); break;
                        case ReturnStmt r: Returns.Add(r); break;
                        case IfStmt i: Collect(i.Then); Collect(i.Else); break;
                        case LoopStmt l: Collect(l.Body); Collect(l.Step); break;
                        case WhileStmt w: Collect(w.Before); Collect(w.After); break;
                    }
                }
            }
        }

        private sealed class ByReference : IEqualityComparer<Expr>
        {
            public static readonly ByReference Instance = new ByReference();

            public bool Equals(Expr? x, Expr? y) => ReferenceEquals(x, y);

            public int GetHashCode(Expr obj) => RuntimeHelpers.GetHashCode(obj);
        }
    }
}
