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
        /// <param name="savedArrays">
        /// Local arrays whose element stores record the old element (pushed before the store, popped in its
        /// reverse) so that their elements can be read again: chosen when every store into the array sits in
        /// a loop, shallower than the reads it serves (a hidden layer written once per sample and read once per
        /// output: one record per store instead of one per read).
        /// </param>
        public static Dictionary<string, IndexExpr> Find(MethodIR ir, ISet<string> savedArrays)
        {
            var result = new Dictionary<string, IndexExpr>();
            var assignments = new Dictionary<string, int>();
            var stored = new HashSet<string>();
            Count(ir.Body, assignments, stored);
            var storeDepths = new Dictionary<string, (int Min, int Max)>();
            StoreDepths(ir.Body, 0, storeDepths);
            var locals = new HashSet<string>(ir.Locals.Select(l => l.Name));
            var temps = new HashSet<string>(ir.Locals.Where(l => l.Kind == VariableKind.Temp && l.Type.IsScalar).Select(l => l.Name));
            Visit(ir.Body, ir.Body, 0, temps, assignments, stored, storeDepths, locals, savedArrays, result);
            return result;
        }

        private static void StoreDepths(IEnumerable<Stmt> statements, int depth, Dictionary<string, (int Min, int Max)> depths)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case StoreStmt st:
                        depths[st.Array] = depths.TryGetValue(st.Array, out var d) ? (System.Math.Min(d.Min, depth), System.Math.Max(d.Max, depth)) : (depth, depth);
                        break;
                    case IfStmt i:
                        StoreDepths(i.Then, depth, depths);
                        StoreDepths(i.Else, depth, depths);
                        break;
                    case LoopStmt l:
                        StoreDepths(l.Body, depth + 1, depths);
                        StoreDepths(l.Step, depth + 1, depths);
                        break;
                    case WhileStmt w:
                        StoreDepths(w.Before, depth + 1, depths);
                        StoreDepths(w.After, depth + 1, depths);
                        break;
                }
            }
        }

        private static void Visit(IReadOnlyList<Stmt> list, IReadOnlyList<Stmt> root, int depth, HashSet<string> temps, Dictionary<string, int> assignments,
            HashSet<string> stored, Dictionary<string, (int Min, int Max)> storeDepths, HashSet<string> locals, ISet<string> savedArrays,
            Dictionary<string, IndexExpr> result)
        {
            for (int j = 0; j < list.Count; j++)
            {
                switch (list[j])
                {
                    case AssignStmt a when a.Value is IndexExpr element && element.Array is VarExpr array
                                           && temps.Contains(a.Target) && assignments[a.Target] == 1
                                           && Stable(root, assignments, array.Name)
                                           && (!stored.Contains(array.Name)
                                               || locals.Contains(array.Name) && storeDepths[array.Name].Min >= 1 && storeDepths[array.Name].Max < depth
                                                  && !Escapes(root, array.Name)):
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
                            stable = !indices.Any(i => Assigns(list[k], i)) && !Stores(list[k], array.Name);
                        }
                        if (stable)
                        {
                            result[a.Target] = element;
                            if (stored.Contains(array.Name)) savedArrays.Add(array.Name);
                        }
                        break;
                    }
                    case IfStmt i:
                        Visit(i.Then, root, depth, temps, assignments, stored, storeDepths, locals, savedArrays, result);
                        Visit(i.Else, root, depth, temps, assignments, stored, storeDepths, locals, savedArrays, result);
                        break;
                    case LoopStmt l:
                        Visit(l.Body, root, depth + 1, temps, assignments, stored, storeDepths, locals, savedArrays, result);
                        Visit(l.Step, root, depth + 1, temps, assignments, stored, storeDepths, locals, savedArrays, result);
                        break;
                    case WhileStmt w:
                        Visit(w.Before, root, depth + 1, temps, assignments, stored, storeDepths, locals, savedArrays, result);
                        Visit(w.After, root, depth + 1, temps, assignments, stored, storeDepths, locals, savedArrays, result);
                        break;
                }
            }
        }

        /// <summary>
        /// Temporaries inside loops that hold a cheap arithmetic value of other variables (<c>t = r * x</c>,
        /// <c>t = 1 - x</c>): the reverse sweep computes them again from their operands instead of recording
        /// them on every pass. A temporary qualifies when it is assigned once, every use follows in the same
        /// block and is one the reverse sweep spells through <see cref="Transform.TransformContext.Recompute"/>
        /// (an assignment's value or a store), and its operands keep their values up to the last use: no
        /// statement in between assigns one, and each is a parameter, is never assigned in a loop, or is read
        /// by the reverse sweep anyway (so it is restored, and recomputing records nothing new). The last use
        /// may itself overwrite an operand (<c>x = t * u</c> with <c>t = r * x</c>) when its adjoint does not
        /// read the value it assigns: the reverse sweep then restores the operand first
        /// (<paramref name="restoreFirst"/>). This is how the logistic map records one value per step, not three.
        /// </summary>
        public static Dictionary<string, Expr> FindArithmetic(MethodIR ir, IReadOnlyDictionary<string, IndexExpr> elements,
            ISet<string> reverseReads, System.Func<AssignStmt, bool> canRestoreFirst, ISet<Stmt> restoreFirst)
        {
            var result = new Dictionary<string, Expr>();
            var assignments = new Dictionary<string, int>();
            var stored = new HashSet<string>();
            Count(ir.Body, assignments, stored);
            var assignedInLoop = new HashSet<string>();
            var excluded = new HashSet<string>();
            Classify(ir.Body, inLoop: false, assignedInLoop, excluded);
            // A counter stepped by a constant (i = i + 1) comes back by the inverse step: restoring it records nothing.
            var ints = new HashSet<string>(ir.Locals.Where(l => l.Type == IrType.Int).Select(l => l.Name));
            foreach (var name in SteppedOnly(ir.Body, inLoop: false)) if (ints.Contains(name)) assignedInLoop.Remove(name);
            foreach (var element in elements.Values)
            {
                foreach (var index in element.Indices) Names(index, excluded);
            }
            // Temporaries and the user's own locals: assigned once inside a loop, a local is a temporary of each pass.
            var temps = new HashSet<string>(ir.Locals.Where(l => l.Type.IsScalar).Select(l => l.Name));
            var parameters = new HashSet<string>(ir.Parameters.Select(p => p.Name));
            VisitArithmetic(ir.Body, ir.Body, inLoop: false, temps, assignments, stored, assignedInLoop, excluded, elements, parameters, reverseReads,
                canRestoreFirst, restoreFirst, result);
            return result;
        }

        private static void VisitArithmetic(IReadOnlyList<Stmt> list, IReadOnlyList<Stmt> root, bool inLoop, HashSet<string> temps,
            Dictionary<string, int> assignments, HashSet<string> stored, HashSet<string> assignedInLoop, HashSet<string> excluded,
            IReadOnlyDictionary<string, IndexExpr> elements, HashSet<string> parameters, ISet<string> reverseReads,
            System.Func<AssignStmt, bool> canRestoreFirst, ISet<Stmt> restoreFirst, Dictionary<string, Expr> result)
        {
            for (int j = 0; j < list.Count; j++)
            {
                switch (list[j])
                {
                    case AssignStmt a when inLoop && temps.Contains(a.Target) && Count(assignments, a.Target) == 1
                                           && !excluded.Contains(a.Target) && !elements.ContainsKey(a.Target):
                    {
                        // Elements read into temporaries count as the element itself (left = v[i]; d = left - y).
                        var value = a.Value;
                        foreach (var pair in elements) value = Optimization.Optimizer.Replace(value, pair.Key, pair.Value);
                        foreach (var pair in result) value = Optimization.Optimizer.Replace(value, pair.Key, pair.Value);
                        if (!Cheap(value, stored)) break;
                        var operands = new HashSet<string>();
                        Names(value, operands);
                        if (operands.Count == 0 || operands.Contains(a.Target)) break;
                        if (operands.Any(o => elements.ContainsKey(o) || result.ContainsKey(o))) break;
                        if (!operands.All(o => parameters.Contains(o) && Count(assignments, o) == 0 || !assignedInLoop.Contains(o) || reverseReads.Contains(o))) break;
                        int uses = CountUses(root, a.Target);
                        int last = -1, found = 0;
                        for (int k = j + 1; k < list.Count; k++)
                        {
                            int n = CountUses(list[k], a.Target);
                            if (n > 0) { last = k; found += n; }
                        }
                        if (last < 0 || found != uses) break;
                        bool stable = true;
                        for (int k = j + 1; k < last && stable; k++)
                        {
                            stable = !operands.Any(o => Assigns(list[k], o));
                        }
                        if (!stable) break;
                        Stmt? first = null;
                        if (operands.Any(o => Assigns(list[last], o)))
                        {
                            if (!(list[last] is AssignStmt user) || !operands.Contains(user.Target) || !canRestoreFirst(user)) break;
                            first = user;
                        }
                        result[a.Target] = value;
                        if (first != null) restoreFirst.Add(first);
                        break;
                    }
                    case IfStmt i:
                        VisitArithmetic(i.Then, root, inLoop, temps, assignments, stored, assignedInLoop, excluded, elements, parameters, reverseReads, canRestoreFirst, restoreFirst, result);
                        VisitArithmetic(i.Else, root, inLoop, temps, assignments, stored, assignedInLoop, excluded, elements, parameters, reverseReads, canRestoreFirst, restoreFirst, result);
                        break;
                    case LoopStmt l:
                        VisitArithmetic(l.Body, root, true, temps, assignments, stored, assignedInLoop, excluded, elements, parameters, reverseReads, canRestoreFirst, restoreFirst, result);
                        VisitArithmetic(l.Step, root, true, temps, assignments, stored, assignedInLoop, excluded, elements, parameters, reverseReads, canRestoreFirst, restoreFirst, result);
                        break;
                    case WhileStmt w:
                        VisitArithmetic(w.Before, root, true, temps, assignments, stored, assignedInLoop, excluded, elements, parameters, reverseReads, canRestoreFirst, restoreFirst, result);
                        VisitArithmetic(w.After, root, true, temps, assignments, stored, assignedInLoop, excluded, elements, parameters, reverseReads, canRestoreFirst, restoreFirst, result);
                        break;
                }
            }
        }

        /// <summary>
        /// Which variables are assigned inside a loop, and which are read where the reverse sweep does not
        /// recompute: conditions, expression statements, returns, and arguments of differentiated calls.
        /// </summary>
        private static void Classify(IEnumerable<Stmt> statements, bool inLoop, HashSet<string> assignedInLoop, HashSet<string> excluded)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case AssignStmt a:
                        if (inLoop) assignedInLoop.Add(a.Target);
                        CallArguments(a.Value, excluded);
                        break;
                    case StoreStmt st:
                        CallArguments(st.Value, excluded);
                        break;
                    case ExprStmt e:
                        Names(e.Value, excluded);
                        break;
                    case ReturnStmt r:
                        Names(r.Value, excluded);
                        break;
                    case IfStmt i:
                        Names(i.Condition, excluded);
                        Classify(i.Then, inLoop, assignedInLoop, excluded);
                        Classify(i.Else, inLoop, assignedInLoop, excluded);
                        break;
                    case LoopStmt l:
                        Classify(l.Body, true, assignedInLoop, excluded);
                        Classify(l.Step, true, assignedInLoop, excluded);
                        break;
                    case WhileStmt w:
                        Names(w.Condition, excluded);
                        Classify(w.Before, true, assignedInLoop, excluded);
                        Classify(w.After, true, assignedInLoop, excluded);
                        break;
                }
            }
        }

        private static void CallArguments(Expr e, HashSet<string> names)
        {
            if (e is CallExpr { Callee: not null } call)
            {
                foreach (var arg in call.Args) Names(arg, names);
            }
            foreach (var child in e.Children) CallArguments(child, names);
        }

        private static void Names(Expr e, HashSet<string> names)
        {
            if (e is VarExpr v) names.Add(v.Name);
            foreach (var child in e.Children) Names(child, names);
        }

        /// <summary>
        /// Arithmetic worth computing again rather than recording: sums, differences, products, negation and
        /// casts of variables, constants and elements of arrays nobody writes.
        /// </summary>
        private static bool Cheap(Expr e, HashSet<string> stored) => e switch
        {
            VarExpr _ => true,
            ConstExpr _ => true,
            OpExpr o => (o.Op == Ops.Add || o.Op == Ops.Subtract || o.Op == Ops.Multiply || o.Op == Ops.Negate) && o.Args.All(a => Cheap(a, stored)),
            CastExpr c => Cheap(c.Operand, stored),
            IndexExpr i => i.Array is VarExpr array && !stored.Contains(array.Name) && i.Indices.All(x => x is VarExpr || x is ConstExpr),
            _ => false,
        };

        /// <summary>Variables whose every assignment inside a loop steps them by an integer constant (<c>i = i ± c</c>).</summary>
        private static HashSet<string> SteppedOnly(IEnumerable<Stmt> body, bool inLoop)
        {
            var stepped = new HashSet<string>();
            var other = new HashSet<string>();
            void Walk(IEnumerable<Stmt> statements, bool loop)
            {
                foreach (var s in statements)
                {
                    switch (s)
                    {
                        case AssignStmt a when loop:
                            if (a.Value is OpExpr o && (o.Op == Ops.Add || o.Op == Ops.Subtract) && o.Args[0] is VarExpr v && v.Name == a.Target
                                && o.Args[1] is ConstExpr { Kind: TypeKind.Int }) stepped.Add(a.Target);
                            else other.Add(a.Target);
                            break;
                        case IfStmt i: Walk(i.Then, loop); Walk(i.Else, loop); break;
                        case LoopStmt l: Walk(l.Body, true); Walk(l.Step, true); break;
                        case WhileStmt w: Walk(w.Before, true); Walk(w.After, true); break;
                    }
                }
            }
            Walk(body, inLoop);
            stepped.ExceptWith(other);
            return stepped;
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

        /// <summary>
        /// Whether the array is used other than by indexing it or asking its length: returned, copied, or passed
        /// to a call. Restoring its elements in the reverse sweep would then change what someone else sees
        /// (the adjoint returns the very array the primal filled).
        /// </summary>
        private static bool Escapes(IEnumerable<Stmt> statements, string array)
        {
            bool In(Expr e) => e switch
            {
                VarExpr v => v.Name == array,
                IndexExpr index => (!(index.Array is VarExpr) && In(index.Array)) || index.Indices.Any(In),
                MemberExpr m => !(m.Receiver is VarExpr) && In(m.Receiver),
                CallExpr { Callee: null, Pure: true, Receiver: VarExpr } call => call.Args.Any(In),
                _ => e.Children.Any(In),
            };
            foreach (var s in statements)
            {
                bool escapes = s switch
                {
                    AssignStmt a => In(a.Value),
                    StoreStmt st => In(st.Value) || st.Indices.Any(In),
                    ExprStmt e => In(e.Value),
                    ReturnStmt r => In(r.Value),
                    IfStmt i => In(i.Condition) || Escapes(i.Then, array) || Escapes(i.Else, array),
                    LoopStmt l => Escapes(l.Body, array) || Escapes(l.Step, array),
                    WhileStmt w => In(w.Condition) || Escapes(w.Before, array) || Escapes(w.After, array),
                    _ => false,
                };
                if (escapes) return true;
            }
            return false;
        }

        private static bool Stores(Stmt s, string array) => s switch
        {
            StoreStmt st => st.Array == array,
            IfStmt i => i.Then.Any(t => Stores(t, array)) || i.Else.Any(t => Stores(t, array)),
            LoopStmt l => l.Body.Any(t => Stores(t, array)) || l.Step.Any(t => Stores(t, array)),
            WhileStmt w => w.Before.Any(t => Stores(t, array)) || w.After.Any(t => Stores(t, array)),
            _ => false,
        };

        /// <summary>How many assignments of the variable the statements hold, nested ones included.</summary>
        internal static int CountAssignments(IEnumerable<Stmt> statements, string name)
        {
            var assignments = new Dictionary<string, int>();
            Count(statements, assignments, new HashSet<string>());
            return Count(assignments, name);
        }

        internal static bool Assigns(Stmt s, string name) => s switch
        {
            AssignStmt a => a.Target == name,
            IfStmt i => i.Then.Any(t => Assigns(t, name)) || i.Else.Any(t => Assigns(t, name)),
            LoopStmt l => l.Body.Any(t => Assigns(t, name)) || l.Step.Any(t => Assigns(t, name)),
            WhileStmt w => w.Before.Any(t => Assigns(t, name)) || w.After.Any(t => Assigns(t, name)),
            _ => false,
        };

        internal static int CountUses(IEnumerable<Stmt> statements, string name) => statements.Sum(s => CountUses(s, name));

        internal static int CountUses(Stmt s, string name) => s switch
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
