using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;
using Tangent.Generator.Templates;

namespace Tangent.Generator.Analysis
{
    /// <summary>
    /// Which variables carry derivatives. A variable is <em>varied</em> when its value depends on an
    /// active parameter through operations with derivatives, <em>useful</em> when its value reaches the
    /// result through such operations, and <em>active</em> when both: only active variables get
    /// tangents and adjoints. The analysis is flow-insensitive (a fixpoint over all assignments), which
    /// is conservative and handles loops without special cases.
    /// </summary>
    public sealed class ActivityAnalysis
    {
        private readonly HashSet<string> _varied = new HashSet<string>();
        private readonly HashSet<string> _useful = new HashSet<string>();

        public bool IsVaried(string name) => _varied.Contains(name);

        public bool IsUseful(string name) => _useful.Contains(name);

        public bool IsActive(string name) => _varied.Contains(name) && _useful.Contains(name);

        public bool IsActive(Expr atom) => atom is VarExpr v && IsActive(v.Name);

        public static ActivityAnalysis Analyze(MethodIR method)
        {
            var result = new ActivityAnalysis();
            var types = new Dictionary<string, IrType>();
            foreach (var p in method.Parameters) types[p.Name] = p.Type;
            foreach (var l in method.Locals) types[l.Name] = l.Type;

            var assignments = new List<AssignStmt>();
            var returns = new List<ReturnStmt>();
            var stores = new List<StoreStmt>();
            Collect(method.Body, assignments, returns, stores);

            foreach (var p in method.Parameters)
            {
                if (p.IsActive) result._varied.Add(p.Name);
            }

            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (var a in assignments)
                {
                    if (result._varied.Contains(a.Target)) continue;
                    if (!types.TryGetValue(a.Target, out var t) || !t.IsDifferentiable) continue;
                    if (DifferentiableOperands(a.Value).Any(v => result._varied.Contains(v)))
                    {
                        result._varied.Add(a.Target);
                        changed = true;
                    }
                }
                // Storing a varied value into an element makes the whole array varied.
                foreach (var s in stores)
                {
                    if (result._varied.Contains(s.Array)) continue;
                    if (!types.TryGetValue(s.Array, out var t) || !t.IsDifferentiable) continue;
                    if (s.Value is VarExpr v && result._varied.Contains(v.Name))
                    {
                        result._varied.Add(s.Array);
                        changed = true;
                    }
                }
            }

            foreach (var r in returns)
            {
                if (r.Value is VarExpr v) result._useful.Add(v.Name);
            }
            changed = true;
            while (changed)
            {
                changed = false;
                foreach (var a in assignments)
                {
                    if (!result._useful.Contains(a.Target)) continue;
                    foreach (var v in DifferentiableOperands(a.Value))
                    {
                        if (result._useful.Add(v)) changed = true;
                    }
                }
                foreach (var s in stores)
                {
                    if (result._useful.Contains(s.Array) && s.Value is VarExpr v && result._useful.Add(v.Name)) changed = true;
                }
            }
            return result;
        }

        /// <summary>The variables among an operation's operands that have a derivative rule in it.</summary>
        public static IEnumerable<string> DifferentiableOperands(Expr value)
        {
            switch (value)
            {
                case VarExpr v:
                    yield return v.Name;
                    break;
                case CastExpr c when c.Operand is VarExpr v && c.Type.IsDifferentiable:
                    yield return v.Name;
                    break;
                case IndexExpr index when index.Array is VarExpr array:
                    yield return array.Name;
                    break;
                case OpExpr o:
                {
                    var template = TemplateRegistry.ForOperator(o.Op);
                    if (template is null) break;
                    for (int i = 0; i < o.Args.Count; i++)
                    {
                        if (template.Partials[i] != null && o.Args[i] is VarExpr v) yield return v.Name;
                    }
                    break;
                }
                case CallExpr { Callee: not null } call:
                    foreach (int i in call.Callee.ActiveIndices)
                    {
                        if (call.Args[i] is VarExpr v) yield return v.Name;
                    }
                    break;
                case CallExpr call when call.TemplateKey != null:
                {
                    var template = TemplateRegistry.ForKey(call.TemplateKey);
                    if (template is null) break;
                    for (int i = 0; i < call.Args.Count; i++)
                    {
                        if (template.Partials[i] != null && call.Args[i] is VarExpr v) yield return v.Name;
                    }
                    break;
                }
            }
        }

        private static void Collect(IEnumerable<Stmt> statements, List<AssignStmt> assignments, List<ReturnStmt> returns, List<StoreStmt> stores)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case AssignStmt a:
                        assignments.Add(a);
                        break;
                    case ReturnStmt r:
                        returns.Add(r);
                        break;
                    case StoreStmt store:
                        stores.Add(store);
                        break;
                    case IfStmt i:
                        Collect(i.Then, assignments, returns, stores);
                        Collect(i.Else, assignments, returns, stores);
                        break;
                    case LoopStmt l:
                        Collect(l.Body, assignments, returns, stores);
                        Collect(l.Step, assignments, returns, stores);
                        break;
                    case WhileStmt w:
                        Collect(w.Before, assignments, returns, stores);
                        Collect(w.After, assignments, returns, stores);
                        break;
                }
            }
        }
    }
}
