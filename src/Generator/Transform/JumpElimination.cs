using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;

namespace Tangent.Generator.Transform
{
    /// <summary>
    /// Rewrites <c>break</c>, <c>continue</c> and early <c>return</c> into flags and guards, and every
    /// loop into a <see cref="WhileStmt"/>, so that the adjoint sees only structured, jump-free code:
    /// each statement either runs or is skipped by an <c>if</c> whose decision the reverse sweep can
    /// replay. The common loop (a test at the top or bottom, no other jump) needs no flag at all.
    /// </summary>
    internal sealed class JumpElimination
    {
        private sealed class LoopFrame
        {
            public LoopFrame(string exit, string skip)
            {
                Exit = exit;
                Skip = skip;
            }

            public string Exit { get; }
            public string Skip { get; }
        }

        private readonly NameAllocator _names;
        private readonly List<VariableInfo> _newLocals = new List<VariableInfo>();
        private readonly List<LoopFrame> _loops = new List<LoopFrame>();
        private readonly Dictionary<string, IrType> _types;
        private int _guardOrigin;
        private string? _returned;
        private string? _result;
        private IrType _returnType = IrType.Double;

        private JumpElimination(NameAllocator names, Dictionary<string, IrType> types)
        {
            _names = names;
            _types = types;
        }

        public static MethodIR Run(MethodIR ir, NameAllocator names)
        {
            var types = new Dictionary<string, IrType>();
            foreach (var p in ir.Parameters) types[p.Name] = p.Type;
            foreach (var l in ir.Locals) types[l.Name] = l.Type;
            var pass = new JumpElimination(names, types) { _returnType = ir.ReturnType, _guardOrigin = ir.Origins.Count };

            var body = ir.Body.ToList();
            bool earlyReturn = HasEarlyReturn(body);
            var output = new List<Stmt>();
            int origin = body.Count > 0 ? body[body.Count - 1].Origin : 0;
            if (earlyReturn)
            {
                pass._returned = pass.NewLocal("returned", IrType.Bool);
                pass._result = pass.NewLocal("returnValue", ir.ReturnType);
                output.Add(new AssignStmt(pass._returned, False, origin));
            }
            output.AddRange(pass.Block(body, 0));
            if (earlyReturn) output.Add(new ReturnStmt(new VarExpr(pass._result!), origin));

            return ir with
            {
                Origins = ir.Origins.Concat(new[] { "(what follows a break, continue or return runs only if none happened)" }).ToEquatableArray(),
                Body = output.ToEquatableArray(),
                Locals = ir.Locals.Concat(pass._newLocals).ToEquatableArray(),
            };
        }

        private static readonly ConstExpr True = new ConstExpr("true", TypeKind.Bool);
        private static readonly ConstExpr False = new ConstExpr("false", TypeKind.Bool);

        private string NewLocal(string preferred, IrType type)
        {
            string name = _names.Allocate(preferred);
            string derivative = type.IsDifferentiable ? _names.Allocate(NameAllocator.DerivativeName(name)) : "";
            _newLocals.Add(new VariableInfo(name, type, VariableKind.Temp, derivative));
            _types[name] = type;
            return name;
        }

        private static bool HasEarlyReturn(List<Stmt> body)
        {
            for (int i = 0; i < body.Count; i++)
            {
                if (body[i] is ReturnStmt) { if (i != body.Count - 1) return true; }
                else if (ContainsReturn(body[i])) return true;
            }
            return false;
        }

        private static bool ContainsReturn(Stmt s) => s switch
        {
            ReturnStmt _ => true,
            IfStmt i => i.Then.Any(ContainsReturn) || i.Else.Any(ContainsReturn),
            LoopStmt l => l.Body.Any(ContainsReturn) || l.Step.Any(ContainsReturn),
            _ => false,
        };

        /// <summary>True when <paramref name="s"/> may break or continue the loop it is directly in.</summary>
        private static bool ContainsLoopJump(Stmt s) => s switch
        {
            BreakStmt _ => true,
            ContinueStmt _ => true,
            IfStmt i => i.Then.Any(ContainsLoopJump) || i.Else.Any(ContainsLoopJump),
            _ => false,
        };

        private static bool Assigns(Stmt s, string name) => s switch
        {
            AssignStmt a => a.Target == name,
            IfStmt i => i.Then.Any(t => Assigns(t, name)) || i.Else.Any(t => Assigns(t, name)),
            LoopStmt l => l.Body.Any(t => Assigns(t, name)) || l.Step.Any(t => Assigns(t, name)),
            _ => false,
        };

        /// <summary>Lowers a list; after a statement that may jump, the rest runs under a guard.</summary>
        private List<Stmt> Block(IReadOnlyList<Stmt> statements, int start)
        {
            var output = new List<Stmt>();
            for (int i = start; i < statements.Count; i++)
            {
                bool mayJump = Statement(statements[i], output);
                bool isLast = i == statements.Count - 1;
                if (mayJump && !isLast)
                {
                    string skipFlag = _loops.Count > 0 ? _loops[_loops.Count - 1].Skip : _returned!;
                    int origin = _guardOrigin;
                    string proceed = NewLocal("proceed", IrType.Bool);
                    output.Add(new AssignStmt(proceed, new OpExpr(Ops.Not, new VarExpr(skipFlag)), origin));
                    var rest = Block(statements, i + 1);
                    output.Add(new IfStmt(new VarExpr(proceed), rest.ToEquatableArray(), EquatableArray<Stmt>.Empty, origin));
                    return output;
                }
            }
            return output;
        }

        /// <summary>Appends the lowered statement; returns true when it may skip what follows it.</summary>
        private bool Statement(Stmt s, List<Stmt> output)
        {
            switch (s)
            {
                case BreakStmt b:
                {
                    var frame = _loops[_loops.Count - 1];
                    output.Add(new AssignStmt(frame.Exit, True, b.Origin));
                    output.Add(new AssignStmt(frame.Skip, True, b.Origin));
                    return true;
                }
                case ContinueStmt c:
                    output.Add(new AssignStmt(_loops[_loops.Count - 1].Skip, True, c.Origin));
                    return true;
                case ReturnStmt r when _returned != null:
                    output.Add(new AssignStmt(_result!, r.Value, r.Origin));
                    output.Add(new AssignStmt(_returned, True, r.Origin));
                    foreach (var frame in _loops)
                    {
                        output.Add(new AssignStmt(frame.Exit, True, r.Origin));
                        output.Add(new AssignStmt(frame.Skip, True, r.Origin));
                    }
                    return true;
                case IfStmt i:
                {
                    var condition = i.Condition;
                    if (condition is VarExpr v && (i.Then.Any(t => Assigns(t, v.Name)) || i.Else.Any(t => Assigns(t, v.Name))))
                    {
                        // The branch overwrites its own condition: keep the decision in a variable of its own.
                        string decision = NewLocal("decision", IrType.Bool);
                        output.Add(new AssignStmt(decision, v, i.Origin));
                        condition = new VarExpr(decision);
                    }
                    var then = Block(i.Then, 0);
                    var otherwise = Block(i.Else, 0);
                    output.Add(new IfStmt(condition, then.ToEquatableArray(), otherwise.ToEquatableArray(), i.Origin));
                    return i.Then.Any(t => ContainsLoopJump(t) || ContainsReturn(t)) || i.Else.Any(t => ContainsLoopJump(t) || ContainsReturn(t));
                }
                case LoopStmt l:
                    output.AddRange(Loop(l));
                    return ContainsReturn(l);
                default:
                    output.Add(s);
                    return false;
            }
        }

        private List<Stmt> Loop(LoopStmt loop)
        {
            var sequence = loop.Body.Concat(loop.Step).ToList();
            bool anyReturn = sequence.Any(ContainsReturn);

            // Fast path: exactly one top-level "if (x) break;" and no other jump.
            int exitIndex = -1;
            bool simple = !anyReturn;
            for (int k = 0; k < sequence.Count && simple; k++)
            {
                if (sequence[k] is IfStmt test && test.Else.Count == 0 && test.Then.Count == 1 && test.Then[0] is BreakStmt && exitIndex < 0)
                {
                    exitIndex = k;
                }
                else if (ContainsLoopJump(sequence[k]))
                {
                    simple = false;
                }
            }
            bool hasContinue = loop.Body.Any(ContainsContinue);
            if (simple && exitIndex >= 0 && !hasContinue)
            {
                var exitTest = (IfStmt)sequence[exitIndex];
                _loops.Add(new LoopFrame("", ""));
                var before = Block(sequence.Take(exitIndex).ToList(), 0);
                var after = Block(sequence.Skip(exitIndex + 1).ToList(), 0);
                _loops.RemoveAt(_loops.Count - 1);
                return new List<Stmt>
                {
                    new WhileStmt(before.ToEquatableArray(), Negate(exitTest.Condition), after.ToEquatableArray(), loop.Origin),
                };
            }

            // General path: flags for leaving the loop and for skipping the rest of an iteration.
            var frame = new LoopFrame(NewLocal("stop", IrType.Bool), NewLocal("skip", IrType.Bool));
            var output = new List<Stmt> { new AssignStmt(frame.Exit, False, loop.Origin) };
            _loops.Add(frame);
            var pass = new List<Stmt> { new AssignStmt(frame.Skip, False, loop.Origin) };
            pass.AddRange(Block(loop.Body, 0));
            if (loop.Step.Count > 0)
            {
                string proceed = NewLocal("proceed", IrType.Bool);
                pass.Add(new AssignStmt(proceed, new OpExpr(Ops.Not, new VarExpr(frame.Exit)), loop.Origin));
                pass.Add(new IfStmt(new VarExpr(proceed), Block(loop.Step, 0).ToEquatableArray(), EquatableArray<Stmt>.Empty, loop.Origin));
            }
            _loops.RemoveAt(_loops.Count - 1);
            output.Add(new WhileStmt(pass.ToEquatableArray(), new OpExpr(Ops.Not, new VarExpr(frame.Exit)), EquatableArray<Stmt>.Empty, loop.Origin));
            return output;
        }

        private static bool ContainsContinue(Stmt s) => s switch
        {
            ContinueStmt _ => true,
            IfStmt i => i.Then.Any(ContainsContinue) || i.Else.Any(ContainsContinue),
            _ => false,
        };

        private static Expr Negate(Expr condition) => condition switch
        {
            ConstExpr c when c.Text == "true" => False,
            ConstExpr c when c.Text == "false" => True,
            _ => new OpExpr(Ops.Not, condition),
        };
    }
}
