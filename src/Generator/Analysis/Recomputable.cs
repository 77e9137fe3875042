using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;

namespace Tangent.Generator.Analysis
{
    /// <summary>
    /// Finds temporaries the reverse sweep can recompute instead of recording: <c>t = x[i]</c> where
    /// <c>t</c> is assigned nowhere else, nothing ever writes into <c>x</c>, every use of <c>t</c> follows in
    /// the same block, and no statement from the definition to the last use assigns an index. Then at
    /// every use <c>x[i]</c> still has the value <c>t</c> took, and reading it again costs less than a
    /// tape push and pop (this is how a dot product's adjoint reads <c>y[i]</c> directly).
    /// </summary>
    internal static class Recomputable
    {
        public static Dictionary<string, IndexExpr> Find(MethodIR ir)
        {
            var result = new Dictionary<string, IndexExpr>();
            var assignments = new Dictionary<string, int>();
            var stored = new HashSet<string>();
            Count(ir.Body, assignments, stored);
            var temps = new HashSet<string>(ir.Locals.Where(l => l.Kind == VariableKind.Temp && l.Type.IsScalar).Select(l => l.Name));
            Visit(ir.Body, ir.Body, temps, assignments, stored, result);
            return result;
        }

        private static void Visit(IReadOnlyList<Stmt> list, IReadOnlyList<Stmt> root, HashSet<string> temps, Dictionary<string, int> assignments,
            HashSet<string> stored, Dictionary<string, IndexExpr> result)
        {
            for (int j = 0; j < list.Count; j++)
            {
                switch (list[j])
                {
                    case AssignStmt a when a.Value is IndexExpr element && element.Array is VarExpr array
                                           && temps.Contains(a.Target) && assignments[a.Target] == 1
                                           && !stored.Contains(array.Name) && Stable(root, assignments, array.Name):
                    {
                        int uses = CountUses(root, a.Target);
                        int last = -1, found = 0;
                        for (int k = j + 1; k < list.Count; k++)
                        {
                            int n = CountUses(list[k], a.Target);
                            if (n > 0) { last = k; found += n; }
                        }
                        if (found != uses) break;
                        var indices = element.Indices.OfType<VarExpr>().Select(v => v.Name).ToList();
                        bool stable = true;
                        for (int k = j + 1; k <= last && stable; k++)
                        {
                            stable = !indices.Any(i => Assigns(list[k], i));
                        }
                        if (stable) result[a.Target] = element;
                        break;
                    }
                    case IfStmt i:
                        Visit(i.Then, root, temps, assignments, stored, result);
                        Visit(i.Else, root, temps, assignments, stored, result);
                        break;
                    case LoopStmt l:
                        Visit(l.Body, root, temps, assignments, stored, result);
                        Visit(l.Step, root, temps, assignments, stored, result);
                        break;
                    case WhileStmt w:
                        Visit(w.Before, root, temps, assignments, stored, result);
                        Visit(w.After, root, temps, assignments, stored, result);
                        break;
                }
            }
        }

        private static int Count(Dictionary<string, int> assignments, string name) => assignments.TryGetValue(name, out int n) ? n : 0;

        /// <summary>The array variable always refers to the same array: a parameter, or a local assigned once outside loops and branches.</summary>
        private static bool Stable(IReadOnlyList<Stmt> root, Dictionary<string, int> assignments, string array)
        {
            int n = Count(assignments, array);
            return n == 0 || n == 1 && root.Any(s => s is AssignStmt a && a.Target == array);
        }

        private static void Count(IEnumerable<Stmt> statements, Dictionary<string, int> assignments, HashSet<string> stored)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case AssignStmt a:
                        assignments[a.Target] = Count(assignments, a.Target) + 1;
                        break;
                    case StoreStmt st:
                        stored.Add(st.Array);
                        break;
                    case IfStmt i:
                        Count(i.Then, assignments, stored);
                        Count(i.Else, assignments, stored);
                        break;
                    case LoopStmt l:
                        Count(l.Body, assignments, stored);
                        Count(l.Step, assignments, stored);
                        break;
                    case WhileStmt w:
                        Count(w.Before, assignments, stored);
                        Count(w.After, assignments, stored);
                        break;
                }
            }
        }

        private static bool Assigns(Stmt s, string name) => s switch
        {
            AssignStmt a => a.Target == name,
            IfStmt i => i.Then.Any(t => Assigns(t, name)) || i.Else.Any(t => Assigns(t, name)),
            LoopStmt l => l.Body.Any(t => Assigns(t, name)) || l.Step.Any(t => Assigns(t, name)),
            WhileStmt w => w.Before.Any(t => Assigns(t, name)) || w.After.Any(t => Assigns(t, name)),
            _ => false,
        };

        private static int CountUses(IEnumerable<Stmt> statements, string name) => statements.Sum(s => CountUses(s, name));

        private static int CountUses(Stmt s, string name) => s switch
        {
            AssignStmt a => Uses(a.Value, name),
            StoreStmt st => Uses(st.Value, name) + st.Indices.Sum(i => Uses(i, name)),
            ExprStmt e => Uses(e.Value, name),
            ReturnStmt r => Uses(r.Value, name),
            IfStmt i => Uses(i.Condition, name) + CountUses(i.Then, name) + CountUses(i.Else, name),
            LoopStmt l => CountUses(l.Body, name) + CountUses(l.Step, name),
            WhileStmt w => Uses(w.Condition, name) + CountUses(w.Before, name) + CountUses(w.After, name),
            _ => 0,
        };

        private static int Uses(Expr e, string name)
            => (e is VarExpr v && v.Name == name ? 1 : 0) + e.Children.Sum(c => Uses(c, name));
    }
}
