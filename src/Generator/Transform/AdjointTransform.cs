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
        private readonly Dictionary<Stmt, string> _savedLocals = new Dictionary<Stmt, string>(ReferenceComparer.Instance);
        private readonly Dictionary<Stmt, string> _counters = new Dictionary<Stmt, string>(ReferenceComparer.Instance);
        private readonly Dictionary<Stmt, Expr> _restoredByInverse = new Dictionary<Stmt, Expr>(ReferenceComparer.Instance);
        private readonly List<CStmt> _hoisted = new List<CStmt>();
        private string _result = "result";

        private AdjointTransform(TransformContext context, CMethod method)
        {
            _context = context;
            _method = method;
            _recording = new Recording(context);
        }

        public static CMethod Build(MethodIR original)
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
            new AdjointTransform(context, method).Run(body);
            return method;
        }

        private void Run(List<CStmt> body)
        {
            var ir = _context.Ir;
            foreach (var p in ir.Parameters)
            {
                _method.Pinned.Add(p.Name);
                if (p.IsActive) _method.Pinned.Add(p.DerivativeName);
            }
            foreach (var local in ir.Locals)
            {
                body.Add(new CDecl(local.Type, local.Name, null));
                if (local.Kind == VariableKind.Temp) _method.Inlinable.Add(local.Name);
                if (local.Kind != VariableKind.User && _context.IsActive(local.Name)) _method.Inlinable.Add(local.DerivativeName);
            }
            _result = _context.Names.Allocate("result");
            _method.Pinned.Add(_result);
            _method.TapeName = _context.Names.Allocate("tape");
            _method.TapeMarkName = _context.Names.Allocate("tapeMark");

            var forward = new List<CStmt>();
            foreach (var p in ir.Parameters.Where(p => p.IsActive && p.Type.IsCollection))
            {
                forward.Add(new CExprStmt(new CallExpr("global::Tangent.Shadows.CheckNotAliased",
                    new Expr[] { new VarExpr(p.Name), new VarExpr(p.DerivativeName), new ConstExpr("\"" + p.DerivativeName + "\"", TypeKind.Other) }.ToEquatableArray(), null, false)));
            }
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
            if (shadows.Count > 0) reverse.Add(new CComment("The adjoints of local arrays go back to the pool."));
            foreach (var shadow in shadows)
            {
                reverse.Add(new CExprStmt(new CallExpr("global::Tangent.Shadows.Return", new Expr[] { new VarExpr(shadow) }.ToEquatableArray(), null, false)));
            }

            body.AddRange(_hoisted);
            body.Add(new CComment("Forward sweep"));
            body.AddRange(forward);
            body.Add(new CComment(""));
            body.Add(new CComment("Reverse sweep"));
            body.AddRange(reverse);
            body.Add(new CComment(""));
            body.Add(new CReturn(new VarExpr(_result)));
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
                        output.Add(new CAssign(a.Target, a.Value));
                        if (a.Value is NewArrayExpr && _context.IsActive(a.Target))
                        {
                            output.Add(new CAssign(_context.DerivativeOf(a.Target),
                                new CallExpr("global::Tangent.Shadows.Rent", new Expr[] { new VarExpr(a.Target) }.ToEquatableArray(), null, false)));
                        }
                        break;
                    }
                    case StoreStmt st:
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
                        loop.Add(new CIf(Simplify(new OpExpr(Ops.Not, w.Condition)), new List<CStmt> { new CJump(isBreak: true) }, new List<CStmt>()));
                        Forward(w.After, loop, loopDepth + 1, topLevel: false);
                        if (counter != null) loop.Add(new CAssign(counter, ConstExpr.One, "+="));
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

        // ------------------------------------------------------------ reverse sweep

        private void Reverse(IReadOnlyList<Stmt> statements, List<CStmt> output, int loopDepth, int enclosingOrigin = -1)
        {
            int k = statements.Count - 1;
            while (k >= 0)
            {
                int origin = statements[k].Origin;
                if (origin != enclosingOrigin) output.Add(new CComment("Grad of: " + _context.Ir.Origins[origin]));
                for (; k >= 0 && statements[k].Origin == origin; k--)
                {
                    ReverseStatement(statements[k], output, loopDepth);
                }
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
                        output.Add(new CExprStmt(new CallExpr("global::Tangent.Shadows.Accumulate", new Expr[] { new VarExpr(shadow), new VarExpr("dResult") }.ToEquatableArray(), null, false)));
                    }
                    else
                    {
                        output.Add(new CAssign(shadow, new VarExpr("dResult"), "+="));
                    }
                    break;
                }
                case StoreStmt st when _context.IsActive(st.Array):
                {
                    // a[i] = v hands the element's adjoint to v and clears it; a[i] += v shares it with v.
                    var indices = _context.RecomputeIndices(st.Indices);
                    var element = new IndexExpr(new VarExpr(_context.DerivativeOf(st.Array)), indices);
                    if (_context.IsActive(st.Value))
                    {
                        output.Add(new CAssign(_context.DerivativeOf(((VarExpr)st.Value).Name), element, st.Op == "-=" ? "-=" : "+="));
                    }
                    if (st.Op == "=") output.Add(new CStore(_context.DerivativeOf(st.Array), indices, ConstExpr.Zero));
                    break;
                }
                case AssignStmt a when _context.TypeOf(a.Target).IsCollection:
                    break;
                case AssignStmt a:
                {
                    if (_context.IsActive(a.Target))
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
                    if (_restoredByInverse.TryGetValue(statement, out var inverse))
                    {
                        output.Add(new CAssign(a.Target, inverse));
                    }
                    else if (_savedLocals.TryGetValue(statement, out var saved))
                    {
                        output.Add(new CAssign(a.Target, new VarExpr(saved)));
                    }
                    else if (loopDepth > 0 && _recording.NeedsSave(a))
                    {
                        output.Add(new CAssign(a.Target, TapeCall("Pop" + TapeSuffix(_context.TypeOf(a.Target)))));
                    }
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

        /// <summary>For <c>i = i ± c</c> on an int, the expression that recovers the old value (<c>i ∓ c</c>).</summary>
        private static Expr? Inverse(AssignStmt a)
            => a.Value is OpExpr o && (o.Op == Ops.Add || o.Op == Ops.Subtract) && o.Args[0] is VarExpr v && v.Name == a.Target
               && o.Args[1] is ConstExpr c && c.Kind == TypeKind.Int
                ? new OpExpr(o.Op == Ops.Add ? Ops.Subtract : Ops.Add, v, c)
                : null;

        private CallExpr TapeCall(string operation, params Expr[] args)
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

        private sealed class ReferenceComparer : IEqualityComparer<Stmt>
        {
            public static readonly ReferenceComparer Instance = new ReferenceComparer();

            public bool Equals(Stmt? x, Stmt? y) => ReferenceEquals(x, y);

            public int GetHashCode(Stmt obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
        }
    }
}
