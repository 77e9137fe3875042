using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.Analysis;
using Tangent.Generator.IR;

namespace Tangent.Generator.Transform
{
    /// <summary>
    /// Adjoint (reverse) mode, joint motion: a forward sweep runs the primal and keeps the values the
    /// reverse sweep will read that the primal overwrites; the reverse sweep visits the statements
    /// backwards, each under a <c>// Grad of:</c> comment, adding <c>∂f/∂a·dT</c> into each active
    /// operand's adjoint and then resetting <c>dT</c>. Adjoints of parameters accumulate into the
    /// caller's <c>ref</c> arguments.
    /// </summary>
    internal static class AdjointTransform
    {
        public static CMethod Build(TransformContext context)
        {
            var ir = context.Ir;
            var body = new List<CStmt>();
            var method = new CMethod(
                $"Adjoint mode of <see cref=\"{ir.CrefSignature}\"/>: returns its value and adds <paramref name=\"dResult\"/> times its partial derivatives into {DerivativeListOrNone(ir)} (the caller zeroes them first).",
                $"[global::Tangent.GeneratedDerivative(\"{ir.Name}\", global::Tangent.DerivativeKind.Adjoint)]",
                $"{ForwardTransform.Modifiers(ir)}{ir.ReturnType.Name} {ir.AdjointName}({ForwardTransform.ParameterList(ir, forward: false)})",
                body);

            foreach (var p in ir.Parameters)
            {
                method.Pinned.Add(p.Name);
                if (p.IsActive) method.Pinned.Add(p.DerivativeName);
            }
            foreach (var local in ir.Locals)
            {
                body.Add(new CDecl(local.Type, local.Name, null));
                if (local.Kind == VariableKind.Temp) method.Inlinable.Add(local.Name);
                if (local.Kind != VariableKind.User && context.IsActive(local.Name)) method.Inlinable.Add(local.DerivativeName);
            }

            string result = context.Names.Allocate("result");
            var statements = ir.Body;
            var saves = Recording.StraightLineSaves(context, statements);
            var savedNames = new Dictionary<int, string>();

            // Forward sweep.
            body.Add(new CComment("Forward sweep"));
            for (int k = 0; k < statements.Count; k++)
            {
                switch (statements[k])
                {
                    case AssignStmt a:
                        if (saves.Contains(k))
                        {
                            string saved = context.Names.Allocate(a.Target + "Before");
                            savedNames[k] = saved;
                            body.Add(new CDecl(context.TypeOf(a.Target), saved, new VarExpr(a.Target),
                                $"{a.Target} is overwritten next; the reverse sweep needs its current value."));
                        }
                        body.Add(new CAssign(a.Target, a.Value));
                        break;
                    case ExprStmt e:
                        body.Add(new CExprStmt(e.Value));
                        break;
                    case ReturnStmt r:
                        body.Add(new CDecl(ir.ReturnType, result, r.Value));
                        break;
                }
            }

            // Reverse sweep.
            body.Add(new CComment(""));
            body.Add(new CComment("Reverse sweep"));
            foreach (var local in ir.Locals)
            {
                if (context.IsActive(local.Name)) body.Add(new CDecl(local.Type, local.DerivativeName, ConstExpr.Zero));
            }
            int k2 = statements.Count - 1;
            while (k2 >= 0)
            {
                int origin = statements[k2].Origin;
                body.Add(new CComment("Grad of: " + ir.Origins[origin]));
                for (; k2 >= 0 && statements[k2].Origin == origin; k2--)
                {
                    switch (statements[k2])
                    {
                        case ReturnStmt r when context.IsActive(r.Value):
                            body.Add(new CAssign(context.DerivativeOf(((VarExpr)r.Value).Name), new VarExpr("dResult"), "+="));
                            break;
                        case AssignStmt a:
                            if (context.IsActive(a.Target))
                            {
                                var adjoint = new VarExpr(context.DerivativeOf(a.Target));
                                foreach (var (operand, contribution) in context.Contributions(a.Target, a.Value, forward: false))
                                {
                                    body.Add(new CAssign(context.DerivativeOf(operand), contribution(adjoint), "+="));
                                }
                                body.Add(new CAssign(adjoint.Name, ConstExpr.Zero));
                            }
                            if (savedNames.TryGetValue(k2, out var saved))
                            {
                                body.Add(new CAssign(a.Target, new VarExpr(saved)));
                            }
                            break;
                    }
                }
            }
            body.Add(new CComment(""));
            body.Add(new CReturn(new VarExpr(result)));
            method.Pinned.Add(result);
            return method;
        }

        private static string DerivativeListOrNone(MethodIR ir)
        {
            var names = ir.Parameters.Where(p => p.IsActive).Select(p => "<paramref name=\"" + p.DerivativeName + "\"/>").ToList();
            return names.Count == 0 ? "nothing (no parameter is differentiated)" : string.Join(", ", names);
        }
    }
}
