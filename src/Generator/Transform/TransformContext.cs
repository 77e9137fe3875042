using System;
using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.Analysis;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;
using Tangent.Generator.Templates;

namespace Tangent.Generator.Transform
{
    /// <summary>What both transformations need to know about a method: types, derivative names, activity, fresh names.</summary>
    internal sealed class TransformContext
    {
        private readonly Dictionary<string, IrType> _types = new Dictionary<string, IrType>();
        private readonly Dictionary<string, string> _derivativeNames = new Dictionary<string, string>();

        public TransformContext(MethodIR ir, NameAllocator? names = null)
        {
            if (names != null) Names = names;
            Ir = ir;
            Activity = ActivityAnalysis.Analyze(ir);
            foreach (var p in ir.Parameters)
            {
                _types[p.Name] = p.Type;
                Names.Reserve(p.Name);
                if (p.IsActive)
                {
                    _derivativeNames[p.Name] = p.DerivativeName;
                    Names.Reserve(p.DerivativeName);
                }
            }
            foreach (var l in ir.Locals)
            {
                _types[l.Name] = l.Type;
                Names.Reserve(l.Name);
                if (l.Type.IsDifferentiable)
                {
                    _derivativeNames[l.Name] = l.DerivativeName;
                    Names.Reserve(l.DerivativeName);
                }
            }
            Names.Reserve("dResult");
        }

        /// <summary>
        /// What the adjoint records and what it computes again (<see cref="Recomputable"/>): analysed on first use, so
        /// that forward mode, which needs none of it, does not pay for it.
        /// </summary>
        private Dictionary<string, Expr> RecordingAnalysis()
        {
            if (_recomputedStore != null) return _recomputedStore;
            var elements = Recomputable.Find(Ir, _savedArrays);
            // Set before the adjoint reads are collected: they expand the recomputed elements found so far.
            _recomputedStore = elements.ToDictionary(p => p.Key, p => (Expr)p.Value);
            var reverseReads = new HashSet<string>();
            CollectAdjointReads(Ir.Body, reverseReads);
            foreach (var pair in Recomputable.FindArithmetic(Ir, elements, reverseReads, CanRestoreFirst, _restoreFirst))
            {
                _recomputedStore[pair.Key] = pair.Value;
            }
            return _recomputedStore;
        }

        private Dictionary<string, Expr>? _recomputedStore;
        private readonly Dictionary<string, string[]> _recomputedReads = new Dictionary<string, string[]>();
        private readonly HashSet<string> _savedArrays = new HashSet<string>();

        /// <summary>
        /// Whether stores into this local array record the element they overwrite (and the reverse sweep puts
        /// it back), so that the reverse sweep can read its elements again instead of recording every read.
        /// </summary>
        public bool SavesStores(string array)
        {
            RecordingAnalysis();
            return _savedArrays.Contains(array);
        }
        private readonly HashSet<Stmt> _restoreFirst = new HashSet<Stmt>(ReferenceComparer<Stmt>.Instance);

        /// <summary>
        /// Temporaries the reverse sweep reads again from their definition instead of recording them: an
        /// element of an array nobody writes (<c>t = x[i]</c>) whose index is not reassigned while <c>t</c> is in
        /// use, and cheap arithmetic inside loops whose operands keep their values (see <see cref="Recomputable"/>).
        /// </summary>
        public IReadOnlyDictionary<string, Expr> Recomputed => RecordingAnalysis();

        /// <summary>
        /// Whether the reverse sweep of this assignment restores its target's old value before propagating its
        /// adjoint (rather than after): a recomputed temporary read there is defined from that old value.
        /// </summary>
        public bool RestoresFirst(Stmt statement)
        {
            RecordingAnalysis();
            return _restoreFirst.Contains(statement);
        }

        /// <summary>An assignment whose adjoint does not read the value it assigns, and that is not a differentiated call.</summary>
        private bool CanRestoreFirst(AssignStmt a)
            => TypeOf(a.Target).IsScalar && !(a.Value is CallExpr { Callee: not null }) && !AdjointReadsCore(a.Target, a.Value).Contains(a.Target);

        private void CollectAdjointReads(IEnumerable<Stmt> statements, HashSet<string> reads)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case AssignStmt a: reads.UnionWith(AdjointReads(a.Target, a.Value)); break;
                    case StoreStmt st: reads.UnionWith(AdjointReads(st)); break;
                    case IfStmt i: CollectAdjointReads(i.Then, reads); CollectAdjointReads(i.Else, reads); break;
                    case LoopStmt l: CollectAdjointReads(l.Body, reads); CollectAdjointReads(l.Step, reads); break;
                    case WhileStmt w: CollectAdjointReads(w.Before, reads); CollectAdjointReads(w.After, reads); break;
                }
            }
        }

        /// <summary>Replaces recomputable temporaries in a reverse-sweep expression by the element they hold.</summary>
        public Expr Recompute(Expr e)
        {
            foreach (var pair in RecordingAnalysis())
            {
                e = Optimization.Optimizer.Replace(e, pair.Key, pair.Value);
            }
            return e;
        }

        /// <summary>What reading these variables in the reverse sweep really reads, once recomputed elements are expanded.</summary>
        private IEnumerable<string> Expand(IEnumerable<string> names)
        {
            foreach (var name in names)
            {
                if (RecordingAnalysis().TryGetValue(name, out var definition))
                {
                    if (!_recomputedReads.TryGetValue(name, out var reads))
                    {
                        var set = new HashSet<string>();
                        Optimization.Optimizer.Reads(definition, set);
                        _recomputedReads[name] = reads = set.OrderBy(r => r, StringComparer.Ordinal).ToArray();
                    }
                    foreach (var read in reads) yield return read;
                }
                else
                {
                    yield return name;
                }
            }
        }

        public MethodIR Ir { get; }

        public ActivityAnalysis Activity { get; }

        public NameAllocator Names { get; } = new NameAllocator();

        public IrType TypeOf(string name) => _types.TryGetValue(name, out var t) ? t : IrType.Double;

        public string DerivativeOf(string name) => _derivativeNames[name];

        public bool IsActive(string name) => _derivativeNames.ContainsKey(name) && Activity.IsActive(name);

        public bool IsActive(Expr atom) => atom is VarExpr v && IsActive(v.Name);

        public bool IsParameter(string name) => Ir.Parameters.Any(p => p.Name == name);

        public bool IsTemp(string name) => Ir.Locals.Any(l => l.Name == name && l.Kind == VariableKind.Temp);

        /// <summary>
        /// The derivative contributions of <c>target = value</c>: for each active operand, the operand and
        /// its contribution as a function of <c>g</c> (the operand's tangent in forward mode, the
        /// target's adjoint in adjoint mode). Every rule comes from <see cref="TemplateRegistry"/>.
        /// </summary>
        public IEnumerable<(string Operand, Func<Expr, Expr> Contribution)> Contributions(string target, Expr value, bool forward)
        {
            var targetType = TypeOf(target);
            switch (value)
            {
                case VarExpr v when IsActive(v.Name) && TypeOf(v.Name).IsScalar:
                    yield return (v.Name, g => g);
                    break;

                case CastExpr c when c.Operand is VarExpr v && IsActive(v.Name) && c.Type.IsDifferentiable:
                {
                    var operandType = TypeOf(v.Name);
                    var to = forward ? targetType : operandType;
                    var from = forward ? operandType : targetType;
                    bool narrowing = from.Kind == TypeKind.Double && to.Kind == TypeKind.Float;
                    yield return (v.Name, g => narrowing ? new CastExpr(to, g) : g);
                    break;
                }

                case OpExpr o when TemplateRegistry.ForOperator(o.Op) is DerivativeTemplate template:
                    foreach (var c in FromTemplate(template, o.Args, target, targetType)) yield return c;
                    break;

                case CallExpr call when call.TemplateKey != null && TemplateRegistry.ForKey(call.TemplateKey) is DerivativeTemplate template:
                    foreach (var c in FromTemplate(template, call.Args, target, targetType)) yield return c;
                    break;
            }
        }

        private IEnumerable<(string, Func<Expr, Expr>)> FromTemplate(DerivativeTemplate template, EquatableArray<Expr> args, string target, IrType targetType)
        {
            var list = args.ToList();
            for (int i = 0; i < args.Count; i++)
            {
                int index = i;
                if (template.Partials[i] != null && args[i] is VarExpr v && IsActive(v.Name))
                {
                    yield return (v.Name, g => template.Instantiate(index, list, new VarExpr(target), g, targetType.MathClass));
                }
            }
        }

        /// <summary>A call of the runtime's <c>Tangent.Shadows</c> helpers (pooled adjoint arrays), which has effects.</summary>
        public static CallExpr Shadows(string function, params Expr[] args)
            => new CallExpr("global::Tangent.Shadows." + function, args.ToEquatableArray(), null, false);

        /// <summary>
        /// The arguments of a call's derivative method: the primal arguments, then one derivative
        /// argument per active parameter of the callee — the argument's tangent (forward) or adjoint
        /// (reverse; scalars by <c>ref</c>), or, for an argument that carries none, a zero tangent or a
        /// scratch adjoint. Scratch arrays are rented before the call and returned after it.
        /// </summary>
        public (List<Expr> Args, List<CStmt> Before, List<CStmt> After) DerivativeArguments(CallExpr call, bool forward, Func<IrType, string> scratch)
        {
            var callee = call.Callee!;
            var args = new List<Expr>(call.Args);
            var before = new List<CStmt>();
            var after = new List<CStmt>();
            foreach (int i in callee.ActiveIndices)
            {
                var arg = call.Args[i];
                var type = callee.ParameterTypes[i];
                if (IsActive(arg))
                {
                    string shadow = DerivativeOf(((VarExpr)arg).Name);
                    args.Add(!forward && type.IsScalar ? new RefExpr(shadow) : (Expr)new VarExpr(shadow));
                }
                else if (type.IsScalar)
                {
                    args.Add(forward ? (Expr)ConstExpr.Zero : new RefExpr(scratch(type)));
                }
                else
                {
                    // A zero tangent, or somewhere to put an adjoint nobody reads: a pooled array of the argument's shape.
                    string name = scratch(type.IsSpan ? IrType.Collection(type.Kind, Shape.Array) : type);
                    before.Add(new CAssign(name, Shadows("Rent", arg)));
                    args.Add(new VarExpr(name));
                    after.Add(new CExprStmt(Shadows("Return", new VarExpr(name))));
                }
            }
            return (args, before, after);
        }

        /// <summary>
        /// The derivative of an element read <c>target = a[i]</c>, when <c>a</c> carries one: the shadow
        /// element <c>dA[i]</c> (the target's tangent in forward mode; the adjoint accumulates into it).
        /// </summary>
        public IndexExpr? ShadowElement(Expr value)
            => value is IndexExpr index && index.Array is VarExpr array && IsActive(array.Name)
                ? new IndexExpr(new VarExpr(DerivativeOf(array.Name)), index.Indices)
                : null;

        /// <summary>Indices as the reverse sweep spells them (recomputable temporaries replaced).</summary>
        public Helpers.EquatableArray<Expr> RecomputeIndices(Helpers.EquatableArray<Expr> indices)
            => new Helpers.EquatableArray<Expr>(indices.Select(Recompute));

        /// <summary>The variables the reverse sweep of an element store reads: its indices, when the array carries a derivative.</summary>
        public IEnumerable<string> AdjointReads(StoreStmt store)
        {
            if (SavesStores(store.Array)) return Expand(store.Indices.OfType<VarExpr>().Select(v => v.Name)).Distinct();
            if (!IsActive(store.Array) || (store.Op != "=" && !IsActive(store.Value))) return Enumerable.Empty<string>();
            return Expand(store.Indices.OfType<VarExpr>().Select(v => v.Name)).Distinct();
        }

        /// <summary>The variables whose values the adjoint of <c>target = value</c> reads.</summary>
        public IEnumerable<string> AdjointReads(string target, Expr value) => Expand(AdjointReadsCore(target, value)).Distinct();

        private IEnumerable<string> AdjointReadsCore(string target, Expr value)
        {
            if (!IsActive(target)) yield break;
            if (value is CallExpr { Callee: not null } call)
            {
                // The callee's reverse half takes all the arguments again.
                foreach (var child in call.Children.OfType<VarExpr>()) yield return child.Name;
                yield break;
            }
            if (value is IndexExpr index)
            {
                if (ShadowElement(index) != null)
                {
                    foreach (var v in index.Indices.OfType<VarExpr>()) yield return v.Name;
                }
                yield break;
            }
            DerivativeTemplate? template = value switch
            {
                OpExpr o => TemplateRegistry.ForOperator(o.Op),
                CallExpr c when c.TemplateKey != null => TemplateRegistry.ForKey(c.TemplateKey),
                _ => null,
            };
            if (template is null) yield break;
            var args = value.Children.ToList();
            for (int i = 0; i < args.Count; i++)
            {
                if (template.Partials[i] is null || !IsActive(args[i])) continue;
                for (int j = 0; j < args.Count; j++)
                {
                    if (args[j] is VarExpr v && template.PartialReadsArgument(i, j)) yield return v.Name;
                }
                if (template.PartialReadsResult(i)) yield return target;
            }
        }
    }
}
