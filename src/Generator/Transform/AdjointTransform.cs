using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.Analysis;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;

namespace Tangent.Generator.Transform
{
    /// <summary>
    /// Adjoint (reverse) mode, joint motion. The body is first made jump-free
    /// (<see cref="JumpElimination"/>). The forward sweep runs the primal and keeps what the reverse
    /// sweep will read that the primal overwrites (<see cref="Recording"/>): in a local when the
    /// statement runs at most once, on the thread's <c>Tangent.Tape</c> inside loops, plus the pass
    /// count of each loop. The reverse sweep visits the statements backwards, each block under a
    /// <c>// Grad of:</c> comment: it adds <c>∂f/∂a·dT</c> into each active operand's adjoint, resets
    /// <c>dT</c>, and restores the overwritten value. Branches replay their decision; loops run their
    /// reverse body once per recorded pass. Parameter adjoints accumulate into the caller's <c>ref</c>s.
    /// </summary>
    internal sealed class AdjointTransform
    {
        private readonly TransformContext _context;
        private readonly CMethod _method;
        private readonly Recording _recording;
        private readonly Dictionary<Stmt, string> _savedLocals = new Dictionary<Stmt, string>(ReferenceComparer<Stmt>.Instance);
        private readonly Dictionary<Stmt, string> _counters = new Dictionary<Stmt, string>(ReferenceComparer<Stmt>.Instance);
        private readonly Dictionary<Stmt, Expr> _restoredByInverse = new Dictionary<Stmt, Expr>(ReferenceComparer<Stmt>.Instance);
        private readonly List<CStmt> _hoisted = new List<CStmt>();
        private string _result = "result";

        private AdjointTransform(TransformContext context, CMethod method)
        {
            _context = context;
            _method = method;
            _recording = new Recording(context);
        }

        /// <summary>
        /// The adjoint, and its split form, which generated code calls when it differentiates through a call
        /// of this method: <c>MRecord</c> runs the forward sweep and pushes on the thread's tape what the
        /// reverse sweep reads; <c>MReverse</c> pops it and runs the reverse sweep. Every call costs one
        /// forward and one reverse sweep, so call-heavy and recursive code stays linear. All three come from
        /// one run of the transformation (the split form from copies: the optimizer edits statements in place).
        /// </summary>
        public static (CMethod Adjoint, CMethod Record, CMethod Reverse) Build(MethodIR original)
        {
            var names = new TransformContext(original).Names;
            var ir = JumpElimination.Run(original, names);
            var context = new TransformContext(ir, names);

            var body = new List<CStmt>();
            var method = new CMethod(
                $"Adjoint mode of <see cref=\"{ir.CrefSignature}\"/>: returns its value and adds <paramref name=\"dResult\"/> times its partial derivatives into {ForwardTransform.DerivativeList(ir, "nothing (no parameter is differentiated)")} (the caller zeroes them first).",
                $"[global::Tangent.GeneratedDerivative(\"{ir.Name}\", global::Tangent.DerivativeKind.Adjoint)]",
                $"{ForwardTransform.Modifiers(ir)}{ir.ReturnType.Name} {ir.AdjointName}({ForwardTransform.ParameterList(ir, forward: false)})",
                body);
            var transform = new AdjointTransform(context, method);
            var (declarations, checks, forward, reverse) = transform.Sweeps();
            var (record, reverseMethod) = Split(ir, transform, Copy(declarations), Copy(checks), Copy(forward), Copy(reverse));

            body.AddRange(declarations);
            body.AddRange(checks);
            body.Add(new CComment("Forward sweep"));
            body.AddRange(forward);
            body.Add(new CComment(""));
            body.Add(new CComment("Reverse sweep"));
            body.AddRange(reverse);
            body.Add(new CComment(""));
            body.Add(new CReturn(new VarExpr(transform._result)));
            return (method, record, reverseMethod);
        }

        private static List<CStmt> Copy(List<CStmt> statements) => Optimization.Optimizer.Clone(statements);

        private static (CMethod Record, CMethod Reverse) Split(MethodIR ir, AdjointTransform transform,
            List<CStmt> declarations, List<CStmt> checks, List<CStmt> forward, List<CStmt> reverse)
        {
            var joint = transform._method;
            var recordBody = new List<CStmt>();
            var record = new CMethod(
                $"The forward half of the split adjoint of <see cref=\"{ir.CrefSignature}\"/>: returns its value and records on the thread's tape what <c>{ir.Name}Reverse</c> needs. Generated code calls the pair when it differentiates through a call.",
                $"[global::Tangent.GeneratedDerivative(\"{ir.Name}\", global::Tangent.DerivativeKind.Record), global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]",
                $"{ForwardTransform.Modifiers(ir)}{ir.ReturnType.Name} {ir.Name}Record({string.Join(", ", ir.Parameters.Select(p => p.Type.Name + " " + p.Name))})",
                recordBody) { OpensFrame = false, UsesTape = joint.UsesTape, TapeName = joint.TapeName, TapeMarkName = joint.TapeMarkName };
            record.Pinned.UnionWith(joint.Pinned);
            record.Inlinable.UnionWith(joint.Inlinable);
            record.Derivatives.UnionWith(joint.Derivatives);
            record.Floating.UnionWith(joint.Floating);

            var reverseBody = new List<CStmt>();
            string signature = ForwardTransform.ParameterList(ir, forward: false);
            if (signature.EndsWith(" = 1", System.StringComparison.Ordinal)) signature = signature.Substring(0, signature.Length - 4);
            var reverseMethod = new CMethod(
                $"The reverse half of the split adjoint of <see cref=\"{ir.CrefSignature}\"/>: pops what <c>{ir.Name}Record</c> recorded and adds <paramref name=\"dResult\"/> times the partial derivatives into {ForwardTransform.DerivativeList(ir, "nothing")}.",
                $"[global::Tangent.GeneratedDerivative(\"{ir.Name}\", global::Tangent.DerivativeKind.Reverse), global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]",
                $"{ForwardTransform.Modifiers(ir)}void {ir.Name}Reverse({signature})",
                reverseBody) { OpensFrame = false, TapeName = joint.TapeName, TapeMarkName = joint.TapeMarkName };
            reverseMethod.Pinned.UnionWith(record.Pinned);
            reverseMethod.Inlinable.UnionWith(record.Inlinable);
            reverseMethod.Derivatives.UnionWith(record.Derivatives);
            reverseMethod.Floating.UnionWith(record.Floating);
            record.Pinned.RemoveWhere(n => ir.Parameters.Any(p => p.IsActive && p.DerivativeName == n));

            // The reverse half first, optimized: what it still reads before writing is what the forward half hands over.
            reverseBody.AddRange(Copy(declarations));
            reverseBody.AddRange(checks);
            reverseBody.AddRange(reverse);
            Optimization.Optimizer.Optimize(reverseMethod, finish: false);
            var types = declarations.OfType<CDecl>().GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.First().Type);
            var live = UpwardExposed(reverseBody).Where(types.ContainsKey).ToList();

            // Cheap values computed once from the parameters are computed again; the rest travels on the tape.
            var recompute = Rematerializable(forward, ir);
            var again = new List<CStmt>();
            var pushed = new List<string>();
            var needed = new HashSet<string>(live);
            foreach (var statement in forward)
            {
                if (statement is CAssign a && recompute.ContainsKey(a.Name) && Needs(a.Name, needed, recompute)) again.Add(new CAssign(a.Name, a.Value));
            }
            foreach (var name in live)
            {
                if (!recompute.ContainsKey(name)) pushed.Add(name);
            }
            var prologue = new List<CStmt>();
            for (int k = pushed.Count - 1; k >= 0; k--) prologue.Add(new CAssign(pushed[k], PopCall(transform, types[pushed[k]])));
            prologue.AddRange(again);
            foreach (var name in prologue.OfType<CAssign>().Select(a => a.Name).Distinct().ToList())
            {
                // The value now comes from the tape or is computed again: declare it there.
                int at = reverseBody.FindIndex(x => x is CDecl d && d.Name == name);
                if (at >= 0)
                {
                    var d = (CDecl)reverseBody[at];
                    reverseBody.RemoveAt(at);
                    if (d.Init != null) reverseBody.Insert(at, new CAssign(name, d.Init));
                }
                int first = prologue.FindIndex(x => x is CAssign a && a.Name == name);
                var assign = (CAssign)prologue[first];
                prologue[first] = new CDecl(types[name], name, assign.Value);
            }
            reverseBody.InsertRange(0, prologue);
            Optimization.Optimizer.FinishDeclarations(reverseBody);
            reverseMethod.UsesTape = pushed.Count > 0 || reverseBody.Any(MentionsTape(record.TapeName!));

            recordBody.AddRange(declarations);
            recordBody.AddRange(forward);
            if (pushed.Count > 0)
            {
                recordBody.Add(new CComment($"What {ir.Name}Reverse reads."));
                foreach (var name in pushed) recordBody.Add(new CExprStmt(transform.TapeCall(PushName(types[name]), new VarExpr(name))));
                record.UsesTape = true;
            }
            recordBody.Add(new CReturn(new VarExpr(transform._result)));
            Optimization.Optimizer.Optimize(record);
            return (record, reverseMethod);
        }

        /// <summary>Whether a recomputed value is needed: it is live, or a needed recomputed value reads it.</summary>
        private static bool Needs(string name, HashSet<string> live, Dictionary<string, Expr> recompute)
        {
            if (live.Contains(name)) return true;
            foreach (var pair in recompute)
            {
                var reads = new HashSet<string>();
                Optimization.Optimizer.Reads(pair.Value, reads);
                if (reads.Contains(name) && pair.Key != name && Needs(pair.Key, live, recompute)) return true;
            }
            return false;
        }

        /// <summary>
        /// Top-level assignments of the forward sweep, made once, of an arithmetic operation on parameters,
        /// constants and such values: cheaper to compute again than to push and pop.
        /// </summary>
        private static Dictionary<string, Expr> Rematerializable(List<CStmt> forward, MethodIR ir)
        {
            var writes = new Dictionary<string, int>();
            void Count(List<CStmt> list)
            {
                foreach (var s in list)
                {
                    switch (s)
                    {
                        case CAssign a: writes[a.Name] = writes.TryGetValue(a.Name, out int n) ? n + 1 : 1; break;
                        case CIf i: Count(i.Then); Count(i.Else); break;
                        case CWhile w: Count(w.Body); break;
                    }
                }
            }
            Count(forward);
            var result = new Dictionary<string, Expr>();
            var parameters = new HashSet<string>(ir.Parameters.Select(p => p.Name));
            foreach (var s in forward)
            {
                if (!(s is CAssign a) || a.Op != "=" || writes[a.Name] != 1 || !Cheap(a.Value)) continue;
                var reads = new HashSet<string>();
                Optimization.Optimizer.Reads(a.Value, reads);
                if (reads.All(r => parameters.Contains(r) || result.ContainsKey(r))) result[a.Name] = a.Value;
            }
            return result;
        }

        private static bool Cheap(Expr e) => e switch
        {
            VarExpr _ => true,
            ConstExpr _ => true,
            OpExpr o => (o.Op == Ops.Add || o.Op == Ops.Subtract || o.Op == Ops.Multiply || o.Op == Ops.Negate || Ops.IsComparison(o.Op)) && o.Args.All(Cheap),
            CastExpr c => Cheap(c.Operand),
            _ => false,
        };

        /// <summary>Variables the statements may read before they write them (a read anywhere in a block counts unless a write surely came first).</summary>
        private static List<string> UpwardExposed(List<CStmt> statements)
        {
            var exposed = new List<string>();
            Exposed(statements, new HashSet<string>(), exposed);
            return exposed;
        }

        private static void Exposed(List<CStmt> statements, HashSet<string> written, List<string> exposed)
        {
            void Read(Expr e)
            {
                var reads = new HashSet<string>();
                Optimization.Optimizer.Reads(e, reads);
                foreach (var name in reads.OrderBy(n => n, System.StringComparer.Ordinal))
                {
                    if (!written.Contains(name) && !exposed.Contains(name)) exposed.Add(name);
                }
            }
            foreach (var s in statements)
            {
                switch (s)
                {
                    case CDecl d:
                        if (d.Init != null)
                        {
                            Read(d.Init);
                            written.Add(d.Name);
                        }
                        break;
                    case CAssign a:
                        Read(a.Value);
                        if (a.Op != "=") Read(new VarExpr(a.Name));
                        written.Add(a.Name);
                        break;
                    case CStore st:
                        Read(new VarExpr(st.Array));
                        foreach (var i in st.Indices) Read(i);
                        Read(st.Value);
                        break;
                    case CExprStmt e:
                        Read(e.Value);
                        break;
                    case CReturn r:
                        Read(r.Value);
                        break;
                    case CIf i:
                    {
                        Read(i.Condition);
                        var then = new HashSet<string>(written);
                        var otherwise = new HashSet<string>(written);
                        Exposed(i.Then, then, exposed);
                        Exposed(i.Else, otherwise, exposed);
                        then.IntersectWith(otherwise);
                        written.UnionWith(then);
                        break;
                    }
                    case CWhile w:
                        Read(w.Condition);
                        Exposed(w.Body, new HashSet<string>(written), exposed);
                        break;
                }
            }
        }

        private static string PushName(IrType type) => type.IsScalar && type.Kind != TypeKind.Other ? "Push" + TapeSuffix(type) : "PushObject";

        private static Expr PopCall(AdjointTransform transform, IrType type)
            => type.IsScalar && type.Kind != TypeKind.Other
                ? transform.TapeCall("Pop" + TapeSuffix(type))
                : transform.TapeCall("PopObject<" + type.Name + ">");

        private static System.Func<CStmt, bool> MentionsTape(string tape) => s =>
        {
            var reads = new HashSet<string>();
            Optimization.Optimizer.AllReads(s, reads);
            return reads.Contains(tape);
        };

        private (List<CStmt> Declarations, List<CStmt> Checks, List<CStmt> Forward, List<CStmt> Reverse) Sweeps()
        {
            var ir = _context.Ir;
            var declarations = new List<CStmt>();
            _method.NoteVariables(ir, _context.IsActive);
            _method.Derivatives.Add("dResult");
            if (ir.ReturnType.IsScalar && (ir.ReturnType.Kind == TypeKind.Double || ir.ReturnType.Kind == TypeKind.Float)) _method.Floating.Add("dResult");
            foreach (var local in ir.Locals) declarations.Add(new CDecl(local.Type, local.Name, null));
            _result = _context.Names.Allocate("result");
            _method.Pinned.Add(_result);
            _method.TapeName = _context.Names.Allocate("tape");
            _method.TapeMarkName = _context.Names.Allocate("tapeMark");

            var checks = new List<CStmt>();
            foreach (var p in ir.Parameters.Where(p => p.IsActive && p.Type.IsCollection))
            {
                checks.Add(new CExprStmt(TransformContext.Shadows("CheckNotAliased", new VarExpr(p.Name), new VarExpr(p.DerivativeName), new ConstExpr("\"" + p.DerivativeName + "\"", TypeKind.Other))));
            }
            var forward = new List<CStmt>();
            Forward(ir.Body, forward, loopDepth: 0, topLevel: true);
            var reverse = new List<CStmt>();
            var shadows = new List<string>();
            foreach (var local in ir.Locals)
            {
                if (!_context.IsActive(local.Name)) continue;
                if (local.Type.IsCollection)
                {
                    // Local arrays' adjoints come from the pool when the array is created, and go back at the end.
                    _hoisted.Add(new CDecl(local.Type, local.DerivativeName, null));
                    shadows.Add(local.DerivativeName);
                }
                else
                {
                    reverse.Add(new CDecl(local.Type, local.DerivativeName, ConstExpr.Zero));
                }
            }
            Reverse(ir.Body, reverse, loopDepth: 0);
            foreach (var p in ir.Parameters)
            {
                if (p.IsActive && p.Type.IsScalar && (p.Type.Kind == TypeKind.Double || p.Type.Kind == TypeKind.Float)) SumLoopsLocally(reverse, p.DerivativeName, p.Type);
            }
            if (shadows.Count > 0) reverse.Add(new CComment("The adjoints of local arrays go back to the pool."));
            foreach (var shadow in shadows)
            {
                reverse.Add(new CExprStmt(TransformContext.Shadows("Return", new VarExpr(shadow))));
            }
            declarations.AddRange(_hoisted);
            return (declarations, checks, forward, reverse);
        }

        /// <summary>
        /// A parameter's adjoint is the caller's variable, reached through a <c>ref</c>: adding into it on every pass
        /// of a loop is a load and a store per pass on the loop-carried chain. A loop that only adds into it (and hands it
        /// to callees' adjoints by <c>ref</c>, which only add into it) sums into a local instead, added to the parameter's adjoint once
        /// after the loop. The outermost such loops of <paramref name="list"/> are rewritten.
        /// </summary>
        private void SumLoopsLocally(List<CStmt> list, string adjoint, IrType type)
        {
            for (int k = 0; k < list.Count; k++)
            {
                switch (list[k])
                {
                    case CIf branch:
                        SumLoopsLocally(branch.Then, adjoint, type);
                        SumLoopsLocally(branch.Else, adjoint, type);
                        break;
                    case CWhile loop when Optimization.Optimizer.CountReads(loop, adjoint) + Optimization.Optimizer.CountWrites(loop, adjoint) > 0:
                    {
                        if (Optimization.Optimizer.CountReads(loop.Condition, adjoint) > 0 || !OnlyAddsInto(loop.Body, adjoint)) break;
                        string sum = _context.Names.Allocate(adjoint + "Sum");
                        _method.Derivatives.Add(sum);
                        _method.Floating.Add(sum);
                        RenameAdjoint(loop.Body, adjoint, sum);
                        list.Insert(k, new CDecl(type, sum, ConstExpr.Zero));
                        list.Insert(k + 2, new CAssign(adjoint, new VarExpr(sum), "+="));
                        k += 2;
                        break;
                    }
                }
            }
        }

        /// <summary>Whether the statements mention <paramref name="adjoint"/> only to add into it: <c>+=</c>/<c>-=</c> of a value that does not read it, or a <c>ref</c> argument (a callee adds into it).</summary>
        private static bool OnlyAddsInto(List<CStmt> statements, string adjoint)
        {
            foreach (var s in statements)
            {
                bool ok = s switch
                {
                    CAssign a when a.Name == adjoint => (a.Op == "+=" || a.Op == "-=") && Optimization.Optimizer.CountReads(a.Value, adjoint) == 0,
                    CExprStmt { Value: CallExpr { Callee: null } call } when Optimization.Optimizer.CountReads(call, adjoint) > 0
                        => (call.Receiver is null || Optimization.Optimizer.CountReads(call.Receiver, adjoint) == 0)
                           && call.Args.All(arg => arg is RefExpr r ? true : Optimization.Optimizer.CountReads(arg, adjoint) == 0),
                    CIf i => Optimization.Optimizer.CountReads(i.Condition, adjoint) == 0 && OnlyAddsInto(i.Then, adjoint) && OnlyAddsInto(i.Else, adjoint),
                    CWhile w => Optimization.Optimizer.CountReads(w.Condition, adjoint) == 0 && OnlyAddsInto(w.Body, adjoint),
                    CDecl d => d.Name != adjoint && Optimization.Optimizer.CountReads(d, adjoint) == 0,
                    _ => Optimization.Optimizer.CountReads(s, adjoint) == 0 && Optimization.Optimizer.CountWrites(s, adjoint) == 0,
                };
                if (!ok) return false;
            }
            return true;
        }

        /// <summary>Renames the additions into <paramref name="from"/> (checked by <see cref="OnlyAddsInto"/>) to additions into <paramref name="to"/>.</summary>
        private static void RenameAdjoint(List<CStmt> statements, string from, string to)
        {
            for (int k = 0; k < statements.Count; k++)
            {
                switch (statements[k])
                {
                    case CAssign a when a.Name == from:
                        statements[k] = new CAssign(to, a.Value, a.Op, a.Comment);
                        break;
                    case CExprStmt { Value: CallExpr call } e:
                        e.Value = call with { Args = call.Args.Select(arg => arg is RefExpr r && r.Name == from ? new RefExpr(to) : arg).ToEquatableArray() };
                        break;
                    case CIf i:
                        RenameAdjoint(i.Then, from, to);
                        RenameAdjoint(i.Else, from, to);
                        break;
                    case CWhile w:
                        RenameAdjoint(w.Body, from, to);
                        break;
                }
            }
        }

        /// <summary>A scratch variable for an adjoint nobody reads (a call argument that carries none).</summary>
        private string Scratch(IrType type)
        {
            string name = _context.Names.Allocate(type.IsScalar ? "unusedAdjoint" : "unusedShadow");
            _hoisted.Add(new CDecl(type, name, type.IsScalar ? ConstExpr.Zero : null));
            _method.Pinned.Add(name);
            return name;
        }

        // ------------------------------------------------------------ forward sweep

        private void Forward(IReadOnlyList<Stmt> statements, List<CStmt> output, int loopDepth, bool topLevel)
        {
            var straightLineSaves = topLevel && statements.All(s => s is AssignStmt || s is StoreStmt || s is ExprStmt || s is ReturnStmt)
                ? _recording.StraightLineSaves(statements)
                : null;
            for (int k = 0; k < statements.Count; k++)
            {
                var statement = statements[k];
                switch (statement)
                {
                    case AssignStmt a:
                    {
                        bool save = straightLineSaves != null ? straightLineSaves.Contains(k) : _recording.NeedsSave(a);
                        if (save && _context.TypeOf(a.Target) == IrType.Int && Inverse(a) is Expr inverse)
                        {
                            // i = i + c is undone by i = i - c in the reverse sweep: nothing to record.
                            _restoredByInverse[statement] = inverse;
                        }
                        else if (save)
                        {
                            var type = _context.TypeOf(a.Target);
                            if (loopDepth > 0)
                            {
                                _method.UsesTape = true;
                                output.Add(new CExprStmt(TapeCall("Push" + TapeSuffix(type), new VarExpr(a.Target)))
                                    { Comment = $"{a.Target} is overwritten on every pass; the reverse sweep reads its current value." });
                            }
                            else
                            {
                                string saved = _context.Names.Allocate(a.Target + "Before");
                                _savedLocals[statement] = saved;
                                _hoisted.Add(new CDecl(type, saved, null));
                                output.Add(new CAssign(saved, new VarExpr(a.Target), comment: $"{a.Target} is overwritten next; the reverse sweep reads its current value."));
                            }
                        }
                        if (a.Value is CallExpr { Callee: { Record: not null } callee } split && _context.IsActive(a.Target))
                        {
                            // The callee's forward half runs it and records what its reverse half needs.
                            _method.UsesTape = true;
                            output.Add(new CAssign(a.Target, split with { Function = callee.Record!, Callee = null }));
                        }
                        else
                        {
                            output.Add(new CAssign(a.Target, a.Value));
                        }
                        // An array with derivatives gets its adjoint from the pool where it is created, where a call
                        // returns it, or where it gets another name (the result of an early return; the reverse sweep
                        // then adds that adjoint into the named array's).
                        if ((a.Value is NewArrayExpr || a.Value is VarExpr || a.Value is CallExpr { Callee: not null })
                            && _context.IsActive(a.Target) && _context.TypeOf(a.Target).IsCollection)
                        {
                            output.Add(new CAssign(_context.DerivativeOf(a.Target), TransformContext.Shadows("Rent", new VarExpr(a.Target))));
                        }
                        break;
                    }
                    case StoreStmt st:
                        if (_context.SavesStores(st.Array))
                        {
                            _method.UsesTape = true;
                            output.Add(new CExprStmt(TapeCall("Push" + TapeSuffix(_context.TypeOf(st.Array).Element), new IndexExpr(new VarExpr(st.Array), st.Indices)))
                                { Comment = $"The element of {st.Array} overwritten here, for the reverse sweep, which reads {st.Array} again." });
                        }
                        output.Add(new CStore(st.Array, st.Indices, st.Value, st.Op));
                        break;
                    case ExprStmt e:
                        output.Add(new CExprStmt(e.Value));
                        break;
                    case ReturnStmt r:
                        output.Add(new CAssign(_result, r.Value));
                        _hoisted.Add(new CDecl(_context.Ir.ReturnType, _result, null));
                        break;
                    case IfStmt i:
                    {
                        var then = new List<CStmt>();
                        var otherwise = new List<CStmt>();
                        Forward(i.Then, then, loopDepth, topLevel: false);
                        Forward(i.Else, otherwise, loopDepth, topLevel: false);
                        output.Add(new CIf(i.Condition, then, otherwise));
                        break;
                    }
                    case WhileStmt w:
                    {
                        // A loop with no reverse work runs as it is; otherwise it counts its passes.
                        bool counted = _recording.HasReverseWork(w);
                        string? counter = null;
                        if (counted)
                        {
                            counter = _context.Names.Allocate("passes");
                            _counters[statement] = counter;
                            _hoisted.Add(new CDecl(IrType.Int, counter, null));
                            output.Add(new CAssign(counter, ConstExpr.Zero));
                        }
                        var loop = new List<CStmt>();
                        Forward(w.Before, loop, loopDepth + 1, topLevel: false);
                        int exit = loop.Count;
                        loop.Add(new CIf(Simplify(new OpExpr(Ops.Not, w.Condition)), new List<CStmt> { new CJump(isBreak: true) }, new List<CStmt>()));
                        Forward(w.After, loop, loopDepth + 1, topLevel: false);
                        if (counter != null) loop.Add(new CAssign(counter, ConstExpr.One, "+="));
                        if (counter != null) ReservePushes(w, loop, exit, output);
                        output.Add(new CWhile(new ConstExpr("true", TypeKind.Bool), loop));
                        if (counter != null && loopDepth > 0)
                        {
                            _method.UsesTape = true;
                            output.Add(new CExprStmt(TapeCall("PushInt", new VarExpr(counter))) { Comment = "The number of passes, for the reverse sweep of this loop." });
                        }
                        break;
                    }
                }
            }
        }

        /// <summary>
        /// For a counted loop (<see cref="PassCount"/>) whose body records nothing through nested loops or calls: reserves
        /// on the tape, before the loop, room for every type the body pushes on every pass, and makes those pushes
        /// <c>PushReserved*</c>, which have no growth path. The loop then calls nothing, so the JIT can keep its
        /// doubles in registers. A type is reserved only when every pass pushes it at least once (a push in one branch
        /// only does not count), so the room reserved is at most a small multiple of what the loop pushes.
        /// </summary>
        private void ReservePushes(WhileStmt w, List<CStmt> loop, int exit, List<CStmt> output)
        {
            if (ContainsCall(w.Before) || ContainsCall(w.After) || !(PassCount(w) is Expr passes)) return;
            var before = new Dictionary<string, (int Min, int Max)>();
            var after = new Dictionary<string, (int Min, int Max)>();
            if (!CountPushes(loop.Take(exit), before) || !CountPushes(loop.Skip(exit + 1), after)) return;
            var reserved = new HashSet<string>();
            var described = new List<string>();
            int first = ReservationPoint(output, ref passes);
            var reservations = new List<CStmt>();
            foreach (var type in new[] { "Double", "Float", "Int", "Bool" })
            {
                var (minBefore, maxBefore) = before.TryGetValue(type, out var b) ? b : (0, 0);
                var (minAfter, maxAfter) = after.TryGetValue(type, out var a) ? a : (0, 0);
                if (minBefore + minAfter == 0) continue;
                // The exiting pass runs Before only: Before pushes passes + 1 times, After passes times.
                Expr? count = null;
                if (maxAfter > 0) count = Times(maxAfter, passes);
                if (maxBefore > 0)
                {
                    var beforeCount = Times(maxBefore, new OpExpr(Ops.Add, passes, ConstExpr.One));
                    count = count is null ? beforeCount : new OpExpr(Ops.Add, count, beforeCount);
                }
                int most = maxBefore + maxAfter;
                string what = most == 1 ? "one " + type.ToLowerInvariant() : (minBefore + minAfter == most ? most + " " : "up to " + most + " ") + type.ToLowerInvariant() + "s";
                reservations.Add(new CExprStmt(TapeCall("Reserve" + type + "s", Simplify(count!))));
                described.Add(what);
                reserved.Add(type);
            }
            if (reservations.Count == 0) return;
            ((CExprStmt)reservations[0]).Comment = $"Room on the tape for what the loop records per pass: {string.Join(", ", described)}.";
            output.InsertRange(first, reservations);
            if (reserved.Count > 0) UseReservedPushes(loop, reserved);
        }

        /// <summary>
        /// Where the reservation goes: before the plain assignments that precede the loop in the same list, as far up as
        /// what it reads allows (the counter's start value is read from its assignment). The reservation may call into the
        /// tape to grow it; a call where the loop's doubles are already live makes the JIT keep them in memory through the
        /// loop (the logistic map's adjoint ran at 5.5 µs with the reservation just before the loop, 3.8 µs with it above
        /// <c>x = x0</c>). Nothing it passes records on the tape, so the room is still there when the loop starts.
        /// </summary>
        private static int ReservationPoint(List<CStmt> output, ref Expr passes)
        {
            var reads = new HashSet<string>();
            Optimization.Optimizer.Reads(passes, reads);
            int at = output.Count;
            while (at > 0 && output[at - 1] is CAssign a && a.Op == "=" && Optimization.Optimizer.IsPure(a.Value))
            {
                if (reads.Contains(a.Name))
                {
                    // The loop's counter (or a bound) starts at a value computed from what is known further up: read that instead.
                    var valueReads = new HashSet<string>();
                    Optimization.Optimizer.Reads(a.Value, valueReads);
                    if (!(a.Value is ConstExpr || a.Value is VarExpr) || valueReads.Contains(a.Name)) break;
                    passes = Optimization.Optimizer.Replace(passes, a.Name, a.Value);
                    reads.Remove(a.Name);
                    reads.UnionWith(valueReads);
                }
                at--;
            }
            return at;
        }

        private static Expr Times(int factor, Expr e) => factor == 1 ? e : new OpExpr(Ops.Multiply, new ConstExpr(factor.ToString(System.Globalization.CultureInfo.InvariantCulture), TypeKind.Int), e);

        /// <summary>Whether the statements call a method that may record on the tape (a callee's forward half) or run user code.</summary>
        private static bool ContainsCall(IEnumerable<Stmt> statements)
        {
            foreach (var s in statements)
            {
                bool calls = s switch
                {
                    AssignStmt a => HasCallee(a.Value),
                    ExprStmt e => HasCallee(e.Value),
                    StoreStmt st => HasCallee(st.Value),
                    IfStmt i => ContainsCall(i.Then) || ContainsCall(i.Else),
                    WhileStmt w => ContainsCall(w.Before) || ContainsCall(w.After),
                    _ => false,
                };
                if (calls) return true;
            }
            return false;

            static bool HasCallee(Expr e) => e is CallExpr { Callee: not null } || e.Children.Any(HasCallee);
        }

        /// <summary>Adds the tape pushes of the statements by type, as (fewest, most) per run; false when a nested loop pushes.</summary>
        private bool CountPushes(IEnumerable<CStmt> statements, Dictionary<string, (int Min, int Max)> counts)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case CExprStmt { Value: CallExpr call } when IsTapeCall(call, "Push"):
                    {
                        string type = call.Function.Substring("Push".Length);
                        var (min, max) = counts.TryGetValue(type, out var c) ? c : (0, 0);
                        counts[type] = (min + 1, max + 1);
                        break;
                    }
                    case CIf i:
                    {
                        var then = new Dictionary<string, (int Min, int Max)>();
                        var otherwise = new Dictionary<string, (int Min, int Max)>();
                        if (!CountPushes(i.Then, then) || !CountPushes(i.Else, otherwise)) return false;
                        foreach (var type in then.Keys.Union(otherwise.Keys).ToList())
                        {
                            var t = then.TryGetValue(type, out var x) ? x : (0, 0);
                            var e = otherwise.TryGetValue(type, out var y) ? y : (0, 0);
                            var (min, max) = counts.TryGetValue(type, out var c) ? c : (0, 0);
                            counts[type] = (min + System.Math.Min(t.Item1, e.Item1), max + System.Math.Max(t.Item2, e.Item2));
                        }
                        break;
                    }
                    case CWhile nested:
                        if (nested.Body.Any(MentionsTape(_method.TapeName!))) return false;
                        break;
                }
            }
            return true;
        }

        private bool IsTapeCall(CallExpr call, string prefix)
            => call.Receiver is VarExpr { Name: var receiver } && receiver == _method.TapeName && call.Function.StartsWith(prefix, System.StringComparison.Ordinal);

        /// <summary>Turns the pushes of the reserved types into <c>PushReserved*</c>.</summary>
        private void UseReservedPushes(List<CStmt> statements, HashSet<string> reserved)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case CExprStmt { Value: CallExpr call } e when IsTapeCall(call, "Push") && reserved.Contains(call.Function.Substring("Push".Length)):
                        e.Value = call with { Function = "PushReserved" + call.Function.Substring("Push".Length) };
                        break;
                    case CIf i:
                        UseReservedPushes(i.Then, reserved);
                        UseReservedPushes(i.Else, reserved);
                        break;
                }
            }
        }

        /// <summary>
        /// An upper bound of the passes of <c>for (…; k &lt; n; k += c)</c> (or <c>&lt;=</c>, or counting down with <c>&gt;</c>,
        /// <c>&gt;=</c>), evaluated just before the loop, as a <c>long</c>: the loop is the counter's only writer, by its
        /// last statement (<c>k = k ± c</c>, c a positive constant), and the bound is an integer the loop does not change
        /// (a constant, an int variable, an array's Length or GetLength, or sums and products of these). Null otherwise.
        /// </summary>
        private Expr? PassCount(WhileStmt w)
        {
            if (!(Resolve(w.Condition, w, 0) is OpExpr { Args: { Count: 2 } } condition) || !(condition.Args[0] is VarExpr counter) || _context.TypeOf(counter.Name) != IrType.Int) return null;
            bool up = condition.Op == Ops.Less || condition.Op == Ops.LessOrEqual;
            bool down = condition.Op == Ops.Greater || condition.Op == Ops.GreaterOrEqual;
            if (!up && !down) return null;
            var bound = condition.Args[1];
            if (!IsInvariantInt(bound, w)) return null;
            if (w.After.Count == 0 || !(w.After[w.After.Count - 1] is AssignStmt step) || step.Target != counter.Name
                || !(step.Value is OpExpr { Args: { Count: 2 } } change) || change.Op != (up ? Ops.Add : Ops.Subtract)
                || !(change.Args[0] is VarExpr self) || self.Name != counter.Name
                || !(change.Args[1] is ConstExpr { Kind: TypeKind.Int } stride)
                || !int.TryParse(stride.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int c) || c <= 0) return null;
            if (w.Before.Any(s => Recomputable.Assigns(s, counter.Name)) || w.After.Take(w.After.Count - 1).Any(s => Recomputable.Assigns(s, counter.Name))) return null;
            Expr wide(Expr e) => e is ConstExpr constant ? new ConstExpr(constant.Text + "L", TypeKind.Other) : new CastExpr(new IrType(TypeKind.Other, "long"), e);
            Expr distance = up ? new OpExpr(Ops.Subtract, wide(bound), counter) : new OpExpr(Ops.Subtract, wide(counter), bound);
            bool inclusive = condition.Op == Ops.LessOrEqual || condition.Op == Ops.GreaterOrEqual;
            // ceil(distance / c) passes, or floor(distance / c) + 1 with an inclusive bound.
            if (inclusive) distance = new OpExpr(Ops.Add, distance, new ConstExpr(c.ToString(System.Globalization.CultureInfo.InvariantCulture), TypeKind.Int));
            else if (c > 1) distance = new OpExpr(Ops.Add, distance, new ConstExpr((c - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), TypeKind.Int));
            return c == 1 ? distance : new OpExpr(Ops.Divide, distance, new ConstExpr(c.ToString(System.Globalization.CultureInfo.InvariantCulture), TypeKind.Int));
        }

        /// <summary>
        /// The loop's condition with the temporaries it reads replaced by their values: lowering computes it in the
        /// loop's <c>Before</c> block (<c>test = i &lt; n; not = !test;</c>, condition <c>!not</c>), and negations are
        /// pushed into comparisons. A temporary is replaced only when that top-level assignment is its only one in the loop.
        /// </summary>
        private static Expr Resolve(Expr e, WhileStmt w, int depth)
        {
            if (depth > 8) return e;
            switch (e)
            {
                case VarExpr v:
                {
                    var assignment = w.Before.OfType<AssignStmt>().FirstOrDefault(a => a.Target == v.Name);
                    if (assignment is null || Recomputable.CountAssignments(w.Before, v.Name) + Recomputable.CountAssignments(w.After, v.Name) != 1) return e;
                    return Resolve(assignment.Value, w, depth + 1);
                }
                case OpExpr { Op: Ops.Not } not:
                {
                    var inner = Resolve(not.Args[0], w, depth + 1);
                    if (inner is OpExpr { Op: Ops.Not } twice) return twice.Args[0];
                    if (inner is OpExpr { Args: { Count: 2 } } comparison)
                    {
                        string? flipped = comparison.Op switch
                        {
                            Ops.Less => Ops.GreaterOrEqual,
                            Ops.LessOrEqual => Ops.Greater,
                            Ops.Greater => Ops.LessOrEqual,
                            Ops.GreaterOrEqual => Ops.Less,
                            _ => null,
                        };
                        if (flipped != null) return new OpExpr(flipped, comparison.Args);
                    }
                    return new OpExpr(Ops.Not, new[] { inner }.ToEquatableArray());
                }
                case OpExpr o:
                {
                    var args = o.Args.Select(a => Resolve(a, w, depth + 1)).ToArray();
                    return new OpExpr(o.Op, args.ToEquatableArray());
                }
                default:
                    return e;
            }
        }

        private bool IsInvariantInt(Expr e, WhileStmt w)
        {
            bool Unchanged(string name) => !w.Before.Any(s => Recomputable.Assigns(s, name)) && !w.After.Any(s => Recomputable.Assigns(s, name));
            switch (e)
            {
                case ConstExpr { Kind: TypeKind.Int }:
                    return true;
                case VarExpr v:
                    return _context.TypeOf(v.Name) == IrType.Int && Unchanged(v.Name);
                case MemberExpr { Receiver: VarExpr array, Member: "Length" }:
                    return _context.TypeOf(array.Name).IsCollection && Unchanged(array.Name);
                case CallExpr { Function: "GetLength", Receiver: VarExpr array, Args: { Count: 1 } } call:
                    return _context.TypeOf(array.Name).IsCollection && Unchanged(array.Name) && IsInvariantInt(call.Args[0], w);
                case OpExpr { Args: { Count: 2 } } o when o.Op == Ops.Add || o.Op == Ops.Subtract || o.Op == Ops.Multiply:
                    return IsInvariantInt(o.Args[0], w) && IsInvariantInt(o.Args[1], w);
                default:
                    return false;
            }
        }

        // ------------------------------------------------------------ reverse sweep

        private void Reverse(IReadOnlyList<Stmt> statements, List<CStmt> output, int loopDepth, int enclosingOrigin = -1)
        {
            int k = statements.Count - 1;
            while (k >= 0)
            {
                int origin = statements[k].Origin;
                int start = output.Count;
                if (origin != enclosingOrigin) output.Add(new CComment("Grad of: " + _context.Ir.Origins[origin]));
                for (; k >= 0 && statements[k].Origin == origin; k--)
                {
                    ReverseStatement(statements[k], output, loopDepth);
                }
                // A statement with nothing to undo gets no comment.
                if (origin != enclosingOrigin && output.Count == start + 1) output.RemoveAt(start);
            }
        }

        private void ReverseStatement(Stmt statement, List<CStmt> output, int loopDepth)
        {
            switch (statement)
            {
                case ReturnStmt r when _context.IsActive(r.Value):
                {
                    string shadow = _context.DerivativeOf(((VarExpr)r.Value).Name);
                    if (_context.TypeOf(((VarExpr)r.Value).Name).IsCollection)
                    {
                        output.Add(new CExprStmt(TransformContext.Shadows("Accumulate", new VarExpr(shadow), new VarExpr("dResult"))));
                    }
                    else
                    {
                        output.Add(new CAssign(shadow, new VarExpr("dResult"), "+="));
                    }
                    break;
                }
                case StoreStmt st when _context.IsActive(st.Array) || _context.SavesStores(st.Array):
                {
                    if (!_context.IsActive(st.Array))
                    {
                        // The overwritten element comes back.
                        output.Add(new CStore(st.Array, _context.RecomputeIndices(st.Indices), TapeCall("Pop" + TapeSuffix(_context.TypeOf(st.Array).Element))));
                        break;
                    }
                    // a[i] = v hands the element's adjoint to v and clears it; a[i] += v shares it with v.
                    var indices = _context.RecomputeIndices(st.Indices);
                    var element = new IndexExpr(new VarExpr(_context.DerivativeOf(st.Array)), indices);
                    if (_context.IsActive(st.Value))
                    {
                        output.Add(new CAssign(_context.DerivativeOf(((VarExpr)st.Value).Name), element, st.Op == "-=" ? "-=" : "+="));
                    }
                    if (st.Op == "=") output.Add(new CStore(_context.DerivativeOf(st.Array), indices, ConstExpr.Zero));
                    if (_context.SavesStores(st.Array)) output.Add(new CStore(st.Array, indices, TapeCall("Pop" + TapeSuffix(_context.TypeOf(st.Array).Element))));
                    break;
                }
                case AssignStmt a when _context.TypeOf(a.Target).IsCollection:
                    if (a.Value is CallExpr { Callee: not null } arrayCall && _context.IsActive(a.Target)) ReverseCall(a.Target, arrayCall, output);
                    if (a.Value is VarExpr copied && _context.IsActive(a.Target) && _context.IsActive(copied.Name))
                    {
                        output.Add(new CExprStmt(TransformContext.Shadows("Accumulate", new VarExpr(_context.DerivativeOf(copied.Name)), new VarExpr(_context.DerivativeOf(a.Target)))));
                    }
                    break;
                case AssignStmt a:
                {
                    // The old value comes back before the adjoint propagates when a recomputed temporary read
                    // here is defined from it (x = t * u with t = r * x); otherwise after, as usual.
                    var restore = Restore(a, loopDepth);
                    bool restoreFirst = restore != null && _context.RestoresFirst(statement);
                    if (restoreFirst) output.Add(restore!);
                    if (_context.IsActive(a.Target) && a.Value is CallExpr { Callee: not null } call)
                    {
                        ReverseCall(a.Target, call, output);
                        output.Add(new CAssign(_context.DerivativeOf(a.Target), ConstExpr.Zero));
                    }
                    else if (_context.IsActive(a.Target))
                    {
                        var adjoint = new VarExpr(_context.DerivativeOf(a.Target));
                        if (_context.ShadowElement(a.Value) is IndexExpr shadowElement)
                        {
                            output.Add(new CStore(((VarExpr)shadowElement.Array).Name, _context.RecomputeIndices(shadowElement.Indices), adjoint, "+="));
                        }
                        foreach (var (operand, contribution) in _context.Contributions(a.Target, a.Value, forward: false))
                        {
                            output.Add(new CAssign(_context.DerivativeOf(operand), _context.Recompute(contribution(adjoint)), "+="));
                        }
                        output.Add(new CAssign(adjoint.Name, ConstExpr.Zero));
                    }
                    if (restore != null && !restoreFirst) output.Add(restore);
                    break;
                }
                case IfStmt i when _recording.HasReverseWork(i):
                {
                    var then = new List<CStmt>();
                    var otherwise = new List<CStmt>();
                    Reverse(i.Then, then, loopDepth, i.Origin);
                    Reverse(i.Else, otherwise, loopDepth, i.Origin);
                    output.Add(new CIf(i.Condition, then, otherwise));
                    break;
                }
                case WhileStmt w when _recording.HasReverseWork(w):
                {
                    string counter = _counters[statement];
                    if (loopDepth > 0) output.Add(new CAssign(counter, TapeCall("PopInt")));
                    if (_recording.CounterFinal(w) is AssignStmt final)
                    {
                        // Its counter was reset without recording: it ended at start + step·passes.
                        output.Add(new CAssign(final.Target, Optimization.Optimizer.Replace(final.Value, Recording.CounterPlaceholder, new VarExpr(counter))));
                    }
                    // The last, exiting pass ran Before only; every counted pass ran Before and After.
                    if (!w.Before.Any(_recording.HasReverseWork))
                    {
                        var loop = new List<CStmt>();
                        Reverse(w.After, loop, loopDepth + 1, w.Origin);
                        loop.Add(new CAssign(counter, ConstExpr.One, "-="));
                        output.Add(new CWhile(new OpExpr(Ops.Greater, new VarExpr(counter), ConstExpr.Zero), loop));
                    }
                    else
                    {
                        // Before, then (After, Before) once per counted pass: each reverse body appears once.
                        var loop = new List<CStmt>();
                        Reverse(w.Before, loop, loopDepth + 1, w.Origin);
                        loop.Add(new CIf(new OpExpr(Ops.Equal, new VarExpr(counter), ConstExpr.Zero), new List<CStmt> { new CJump(isBreak: true) }, new List<CStmt>()));
                        loop.Add(new CAssign(counter, ConstExpr.One, "-="));
                        Reverse(w.After, loop, loopDepth + 1, w.Origin);
                        output.Add(new CWhile(new ConstExpr("true", TypeKind.Bool), loop));
                    }
                    break;
                }
            }
        }

        // ------------------------------------------------------------ helpers

        /// <summary>The statement that gives an assignment's target back its old value in the reverse sweep, if it needs one.</summary>
        private CStmt? Restore(AssignStmt a, int loopDepth)
        {
            if (_restoredByInverse.TryGetValue(a, out var inverse)) return new CAssign(a.Target, inverse);
            if (_savedLocals.TryGetValue(a, out var saved)) return new CAssign(a.Target, new VarExpr(saved));
            if (loopDepth > 0 && _recording.NeedsSave(a)) return new CAssign(a.Target, TapeCall("Pop" + TapeSuffix(_context.TypeOf(a.Target))));
            return null;
        }

        /// <summary>The reverse of <c>y = F(args)</c>: <c>FReverse(args, ref dArgs, dY)</c> (or the registered adjoint).</summary>
        private void ReverseCall(string target, CallExpr call, List<CStmt> output)
        {
            var callee = call.Callee!;
            var (args, before, after) = _context.DerivativeArguments(call, forward: false, Scratch);
            // The primal arguments as the reverse sweep spells them: a recomputed temporary is read again
            // from its definition (it was not recorded, and holds a later pass's value by now).
            for (int i = 0; i < call.Args.Count; i++) args[i] = _context.Recompute(args[i]);
            args.Add(new VarExpr(_context.DerivativeOf(target)));
            output.AddRange(before);
            output.Add(new CExprStmt(call with { Function = callee.Reverse!, Args = args.ToEquatableArray(), Callee = null, Pure = false }));
            output.AddRange(after);
        }

        /// <summary>For <c>i = i ± c</c> on an int, the expression that recovers the old value (<c>i ∓ c</c>).</summary>
        private static Expr? Inverse(AssignStmt a)
            => a.Value is OpExpr o && (o.Op == Ops.Add || o.Op == Ops.Subtract) && o.Args[0] is VarExpr v && v.Name == a.Target
               && o.Args[1] is ConstExpr c && c.Kind == TypeKind.Int
                ? new OpExpr(o.Op == Ops.Add ? Ops.Subtract : Ops.Add, v, c)
                : null;

        internal CallExpr TapeCall(string operation, params Expr[] args)
            => new CallExpr(operation, args.ToEquatableArray(), null, false, new VarExpr(_method.TapeName!));

        private static string TapeSuffix(IrType type) => type.Kind switch
        {
            TypeKind.Double => "Double",
            TypeKind.Float => "Float",
            TypeKind.Int => "Int",
            TypeKind.Bool => "Bool",
            _ => "Double",
        };

        private static Expr Simplify(Expr e) => Optimization.Simplifier.Simplify(e);
    }
}
