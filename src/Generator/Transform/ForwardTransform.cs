using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;

namespace Tangent.Generator.Transform
{
    /// <summary>
    /// Forward (tangent) mode: every active assignment <c>t = f(a, b)</c> is followed by its tangent
    /// <c>dT = ∂f/∂a·dA + ∂f/∂b·dB</c>; control flow is kept as it is. The result is the pair
    /// (value, directional derivative).
    /// </summary>
    internal static class ForwardTransform
    {
        public static CMethod Build(TransformContext context)
        {
            var ir = context.Ir;
            var body = new List<CStmt>();
            var method = new CMethod(
                $"Forward mode of <see cref=\"{ir.CrefSignature}\"/>: returns its value and its directional derivative along the tangents {DerivativeList(ir)}.",
                $"[global::Tangent.GeneratedDerivative(\"{ir.Name}\", global::Tangent.DerivativeKind.Forward)]",
                $"{Modifiers(ir)}({ir.ReturnType.Name} Value, {ir.ReturnType.Name} Tangent) {ir.ForwardName}({ParameterList(ir, forward: true)})",
                body);

            foreach (var local in ir.Locals)
            {
                body.Add(new CDecl(local.Type, local.Name, null));
                if (context.IsActive(local.Name)) body.Add(new CDecl(local.Type, local.DerivativeName, null));
            }
            method.NoteVariables(ir, context.IsActive);

            var calls = new CallForms(context, body, method);
            Transform(context, ir.Body, body, new List<LoopStmt>(), calls);
            return method;
        }

        /// <summary>A call of a method with derivatives, in forward mode: <c>(value, tangent) = FForward(args, tangents)</c>.</summary>
        private sealed class CallForms
        {
            private readonly TransformContext _context;
            private readonly List<CStmt> _declarations;
            private readonly CMethod _method;
            private readonly Dictionary<string, string> _zeros = new Dictionary<string, string>();

            public CallForms(TransformContext context, List<CStmt> declarations, CMethod method)
            {
                _context = context;
                _declarations = declarations;
                _method = method;
            }

            public void Emit(string target, CallExpr call, List<CStmt> output)
            {
                var callee = call.Callee!;
                var (args, before, after) = _context.DerivativeArguments(call, forward: true, Zeros);
                string pair = _context.Names.Allocate(LowerFirst(Last(call.Function)) + "Call");
                var type = _context.TypeOf(target);
                _declarations.Insert(0, new CDecl(new IrType(TypeKind.Other, $"({type.Name} Value, {type.Name} Tangent)"), pair, null));
                _method.Inlinable.Add(pair);
                output.AddRange(before);
                output.Add(new CAssign(pair, call with { Function = callee.Forward!, Args = args.ToArray().ToEquatableArrayFast(), Callee = null }));
                output.AddRange(after);
                output.Add(new CAssign(target, new MemberExpr(new VarExpr(pair), "Value")));
                output.Add(new CAssign(_context.DerivativeOf(target), new MemberExpr(new VarExpr(pair), "Tangent")));
            }

            private string Zeros(IrType type)
            {
                // One pooled zero array per type and call site would do; one per call site keeps it simple.
                string name = _context.Names.Allocate("zeroTangent");
                _declarations.Insert(0, new CDecl(type, name, null));
                return name;
            }
        }

        internal static string Last(string function) => function.Substring(function.LastIndexOf('.') + 1);

        internal static string LowerFirst(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

        private static void Transform(TransformContext context, IEnumerable<Stmt> statements, List<CStmt> output, List<LoopStmt> loops, CallForms calls)
        {
            foreach (var statement in statements)
            {
                switch (statement)
                {
                    case AssignStmt a when a.Value is CallExpr { Callee: not null } call && context.IsActive(a.Target):
                        calls.Emit(a.Target, call, output);
                        break;
                    case AssignStmt a when context.TypeOf(a.Target).IsCollection:
                        output.Add(new CAssign(a.Target, a.Value));
                        // A new local array that carries derivatives gets a tangent array of the same shape.
                        if (context.IsActive(a.Target) && a.Value is NewArrayExpr created)
                        {
                            output.Add(new CAssign(context.DerivativeOf(a.Target), created));
                        }
                        break;
                    case StoreStmt st:
                    {
                        output.Add(new CStore(st.Array, st.Indices, st.Value, st.Op));
                        if (!context.IsActive(st.Array)) break;
                        string shadow = context.DerivativeOf(st.Array);
                        if (context.IsActive(st.Value)) output.Add(new CStore(shadow, st.Indices, new VarExpr(context.DerivativeOf(((VarExpr)st.Value).Name)), st.Op));
                        else if (st.Op == "=") output.Add(new CStore(shadow, st.Indices, ConstExpr.Zero));
                        break;
                    }
                    case AssignStmt a:
                    {
                        var primal = new CAssign(a.Target, a.Value);
                        if (!context.IsActive(a.Target))
                        {
                            output.Add(primal);
                            break;
                        }
                        Expr? tangent = context.ShadowElement(a.Value);
                        foreach (var (operand, contribution) in context.Contributions(a.Target, a.Value, forward: true))
                        {
                            var term = contribution(new VarExpr(context.DerivativeOf(operand)));
                            tangent = tangent is null ? term : new OpExpr(Ops.Add, tangent, term);
                        }
                        var tangentAssign = new CAssign(context.DerivativeOf(a.Target), tangent ?? ConstExpr.Zero);
                        // The tangent goes first unless its rule reads the result (exp, tanh, sqrt...): then the
                        // operands' tangents can still be folded into it before an operand is overwritten, and
                        // the collected coefficients keep the tangent's dependency chain as short as the value's.
                        if (tangent != null && Optimization.Optimizer.CountReads(tangent, a.Target) > 0)
                        {
                            output.Add(primal);
                            output.Add(tangentAssign);
                        }
                        else
                        {
                            output.Add(tangentAssign);
                            output.Add(primal);
                        }
                        break;
                    }
                    case ExprStmt e:
                        output.Add(new CExprStmt(e.Value));
                        break;
                    case ReturnStmt r:
                        // An array parameter's tangent belongs to the caller: the result gets a copy.
                        var tangentOfResult = context.IsActive(r.Value) && context.Ir.ReturnType.IsCollection && context.IsParameter(((VarExpr)r.Value).Name)
                            ? new CallExpr("global::Tangent.Shadows.Copy", new Expr[] { new VarExpr(context.DerivativeOf(((VarExpr)r.Value).Name)) }.ToEquatableArrayFast(), null, true)
                            : context.IsActive(r.Value) ? new VarExpr(context.DerivativeOf(((VarExpr)r.Value).Name))
                            : context.Ir.ReturnType.IsCollection ? new CallExpr("global::Tangent.Shadows.ZerosLike", new[] { r.Value }.ToEquatableArrayFast(), null, true)
                            : (Expr)ConstExpr.Zero;
                        output.Add(new CReturn(new TupleExpr(new[] { r.Value, tangentOfResult }.ToEquatableArrayFast())));
                        break;
                    case IfStmt i:
                    {
                        var then = new List<CStmt>();
                        var otherwise = new List<CStmt>();
                        Transform(context, i.Then, then, loops, calls);
                        Transform(context, i.Else, otherwise, loops, calls);
                        output.Add(new CIf(i.Condition, then, otherwise));
                        break;
                    }
                    case LoopStmt l:
                    {
                        var body = new List<CStmt>();
                        loops.Add(l);
                        Transform(context, l.Body, body, loops, calls);
                        Transform(context, l.Step, body, loops, calls);
                        loops.RemoveAt(loops.Count - 1);
                        output.Add(new CWhile(new ConstExpr("true", TypeKind.Bool), body));
                        break;
                    }
                    case BreakStmt _:
                        output.Add(new CJump(isBreak: true));
                        break;
                    case ContinueStmt _:
                    {
                        // continue runs the loop's step first (for-loop increments, do-while tests).
                        var loop = loops[loops.Count - 1];
                        var enclosing = loops.Take(loops.Count - 1).ToList();
                        Transform(context, loop.Step, output, enclosing, calls);
                        output.Add(new CJump(isBreak: false));
                        break;
                    }
                }
            }
        }

        internal static string Modifiers(MethodIR ir) => ir.Accessibility + " " + (ir.IsStatic ? "static " : "");

        internal static string DerivativeList(MethodIR ir, string none = "(none: no parameter is differentiated)")
        {
            var names = ir.Parameters.Where(p => p.IsActive).Select(p => "<paramref name=\"" + p.DerivativeName + "\"/>").ToList();
            return names.Count == 0 ? none : string.Join(", ", names);
        }

        internal static string ParameterList(MethodIR ir, bool forward)
        {
            var parts = ir.Parameters.Select(p => p.Type.Name + " " + p.Name).ToList();
            foreach (var p in ir.Parameters.Where(p => p.IsActive))
            {
                // Scalars: a tangent value, or the caller's accumulator by ref. Arrays and spans: a shadow
                // of the same shape (an adjoint span is writable).
                string type = forward ? p.Type.Name : p.Type.AdjointShadow.Name;
                parts.Add((forward || p.Type.IsCollection ? "" : "ref ") + type + " " + p.DerivativeName);
            }
            if (!forward) parts.Add(ir.ReturnType.Name + (ir.ReturnType.IsCollection ? " dResult" : " dResult = 1"));
            return string.Join(", ", parts);
        }
    }

    internal static class EquatableArrayExtensions
    {
        public static Helpers.EquatableArray<Expr> ToEquatableArrayFast(this Expr[] items) => new Helpers.EquatableArray<Expr>(items);
    }
}
