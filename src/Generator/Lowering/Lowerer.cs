using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using TypeKind = Tangent.Generator.IR.TypeKind;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Tangent.Generator.Diagnostics;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;
using Tangent.Generator.Parsing;
using Tangent.Generator.Templates;

namespace Tangent.Generator.Lowering
{
    /// <summary>
    /// A diagnostic that applies only if, after activity analysis, <see cref="Variable"/> turns out varied
    /// (depends on a differentiated parameter), or active with <see cref="WhenActive"/>: "this call has no
    /// derivative" is an error only when a derivative would have to flow through it.
    /// </summary>
    internal sealed record DeferredDiagnostic(DiagnosticInfo Diagnostic, string Variable, bool WhenActive = false);

    /// <summary>
    /// An operation whose derivative is zero everywhere (Math.Floor, a cast to an integer type, a comparison,
    /// Convert.ToInt32...) applied to <see cref="Operand"/>: TN3001 when, after lowering, the operand turns out
    /// varied and the variable <see cref="Operation"/> is assigned to feeds the result. <see cref="Operation"/>
    /// is the very instance placed in the IR (found again by reference).
    /// </summary>
    internal sealed record ZeroDerivativeUse(Expr Operation, string Operand, LocationInfo? Where, string What, string OperandText);

    /// <summary>
    /// A differentiated call of a [Differentiable] method of this compilation, through the derivative methods
    /// generated for it: <see cref="Diagnostic"/> (TN2006) applies when the callee has errors (so generates
    /// nothing) and one of <see cref="ActiveArguments"/> turns out active.
    /// </summary>
    internal sealed record CalleeCall(IMethodSymbol Callee, DiagnosticInfo Diagnostic, IReadOnlyList<string> ActiveArguments);

    /// <summary>
    /// Lowers a method body (C# operations) to the IR in A-normal form: one operation per statement,
    /// operands are atoms, nested expressions get named temporaries, every loop becomes
    /// <see cref="LoopStmt"/>. Unsupported constructs become diagnostics located at their syntax.
    /// This and <see cref="MethodParser"/> are the only places that touch Roslyn's semantic model.
    /// </summary>
    internal sealed class Lowerer
    {
        private static readonly Regex s_whitespace = new Regex(@"\s+", RegexOptions.Compiled);

        private readonly IMethodSymbol _method;
        private readonly CancellationToken _cancellationToken;
        private readonly NameAllocator _names;
        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly List<DeferredDiagnostic> _deferred = new List<DeferredDiagnostic>();
        private readonly List<ZeroDerivativeUse> _zeroDerivativeUses = new List<ZeroDerivativeUse>();
        private readonly List<CalleeCall> _calleeCalls = new List<CalleeCall>();
        private readonly Dictionary<ISymbol, string> _symbolNames = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        private readonly List<VariableInfo> _locals = new List<VariableInfo>();
        private readonly List<string> _origins = new List<string>();
        private readonly List<Stmt> _prologue = new List<Stmt>();
        private List<Stmt> _current = new List<Stmt>();
        private readonly HashSet<string> _generatedNames;
        private readonly HashSet<string> _userNames = new HashSet<string>();
        private readonly HashSet<string> _claimed = new HashSet<string>();
        private int _origin;
        private bool _inDiscardedCall;
        private int _loopDepth;
        private SyntaxNode? _valueSyntax;
        private readonly Dictionary<string, List<ArrayAssignment>> _arrayAssignments = new Dictionary<string, List<ArrayAssignment>>();
        private readonly HashSet<string> _storedArrays = new HashSet<string>();

        /// <summary>An assignment of a local array of doubles or floats, for the rules on arrays that carry derivatives.</summary>
        private sealed record ArrayAssignment(bool IsNew, bool InLoop, LocationInfo Where, bool FromCall = false);

        public Lowerer(IMethodSymbol method, NameAllocator names, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            _method = method;
            _names = names;
            _diagnostics = diagnostics;
            _cancellationToken = cancellationToken;
            // Parameters, derivative parameters and dResult: user locals never take these names.
            _generatedNames = names.Snapshot();
        }

        public IReadOnlyList<VariableInfo> Locals => _locals;

        public IReadOnlyList<string> Origins => _origins;

        public IReadOnlyList<DeferredDiagnostic> Deferred => _deferred;

        /// <summary>Zero-derivative operations on differentiable values, for TN3001.</summary>
        public IReadOnlyList<ZeroDerivativeUse> ZeroDerivativeUses => _zeroDerivativeUses;

        /// <summary>Differentiated calls through the generated derivatives of [Differentiable] methods of this compilation, for TN2006.</summary>
        public IReadOnlyList<CalleeCall> CalleeCalls => _calleeCalls;

        /// <summary>Lowers the body. Parameter symbols map to their own names unless the body writes them.</summary>
        public List<Stmt> LowerBody(IOperation body, MethodDeclarationSyntax syntax)
        {
            // Reserve every name the user declared, so temporaries never shadow them.
            foreach (var token in syntax.DescendantTokens())
            {
                if (token.Parent is VariableDeclaratorSyntax || token.Parent is SingleVariableDesignationSyntax
                    || token.Parent is ForEachStatementSyntax || token.Parent is ParameterSyntax)
                {
                    if (token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken))
                    {
                        _names.Reserve(token.ValueText);
                        _userNames.Add(token.ValueText);
                    }
                }
            }

            foreach (var p in _method.Parameters) _symbolNames[p] = Escape(p.Name);

            // A parameter the body assigns to gets a local copy: parameters themselves stay read-only,
            // so that their adjoints (the caller's accumulators) are never reset.
            var written = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
            foreach (var op in body.Descendants())
            {
                IOperation? target = op switch
                {
                    IAssignmentOperation a => a.Target,
                    IIncrementOrDecrementOperation inc => inc.Target,
                    _ => null,
                };
                if (target is IParameterReferenceOperation pr) written.Add(pr.Parameter);
            }
            if (written.Count > 0)
            {
                _origin = AddOrigin("(copies of the parameters the method assigns)");
                foreach (var p in _method.Parameters.Where(written.Contains))
                {
                    var type = TypeNames.ToIr(p.Type);
                    string copy = NewVariable(p.Name, type, VariableKind.ParameterCopy);
                    _prologue.Add(new AssignStmt(copy, new VarExpr(p.Name), _origin));
                    _symbolNames[p] = copy;
                }
            }

            _current = new List<Stmt>(_prologue);
            if (body is IMethodBodyOperation methodBody)
            {
                var block = methodBody.BlockBody ?? methodBody.ExpressionBody;
                if (block != null) LowerStatements(block.Operations);
            }
            else if (body is IBlockOperation block)
            {
                LowerStatements(block.Operations);
            }
            return _current;
        }

        // ---------------------------------------------------------------- statements

        private void LowerStatements(IEnumerable<IOperation> operations)
        {
            foreach (var op in operations) LowerStatement(op);
        }

        private void LowerStatement(IOperation op)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            switch (op)
            {
                case IBlockOperation block:
                    LowerStatements(block.Operations);
                    return;
                case IEmptyOperation _:
                    return;
                case ILabeledOperation labeled when labeled.Operation != null:
                    LowerStatement(labeled.Operation);
                    return;
            }

            _origin = AddOrigin(OriginText(op.Syntax));
            switch (op)
            {
                case IVariableDeclarationGroupOperation group:
                    foreach (var declaration in group.Declarations)
                    {
                        foreach (var declarator in declaration.Declarators)
                        {
                            string name = DeclareLocal(declarator.Symbol);
                            var init = declarator.Initializer ?? declaration.Initializer;
                            if (init != null) AssignTo(name, init.Value);
                        }
                    }
                    return;

                case IExpressionStatementOperation statement:
                    LowerExpressionStatement(statement.Operation);
                    return;

                case IReturnOperation ret when ret.ReturnedValue != null:
                    _current.Add(new ReturnStmt(LowerAtom(ret.ReturnedValue, "result"), _origin));
                    return;

                case IConditionalOperation conditional:
                {
                    var condition = LowerAtom(conditional.Condition, "condition");
                    int origin = _origin;
                    var then = LowerNested(conditional.WhenTrue);
                    var otherwise = conditional.WhenFalse is null ? new List<Stmt>() : LowerNested(conditional.WhenFalse);
                    _current.Add(new IfStmt(condition, then.ToEquatableArray(), otherwise.ToEquatableArray(), origin));
                    return;
                }

                case IWhileLoopOperation loop:
                    LowerWhile(loop);
                    return;

                case IForLoopOperation loop:
                    LowerFor(loop);
                    return;

                case IForEachLoopOperation loop when ForEachCollection(loop) is IOperation collection:
                    LowerForEach(loop, collection);
                    return;

                case IBranchOperation branch when branch.BranchKind == BranchKind.Break:
                    _current.Add(new BreakStmt(_origin));
                    return;

                case IBranchOperation branch when branch.BranchKind == BranchKind.Continue:
                    _current.Add(new ContinueStmt(_origin));
                    return;
            }

            ReportStatement(op);
        }

        private List<Stmt> LowerNested(IOperation statement)
        {
            var saved = _current;
            _current = new List<Stmt>();
            LowerStatement(statement);
            var result = _current;
            _current = saved;
            return result;
        }

        private void LowerWhile(IWhileLoopOperation loop)
        {
            _loopDepth++; _loops.Push(++_loopSerial);
            try { LowerWhileCore(loop); }
            finally { _loopDepth--; _loops.Pop(); }
        }

        private void LowerWhileCore(IWhileLoopOperation loop)
        {
            int origin = _origin;
            var saved = _current;
            _current = new List<Stmt>();
            if (loop.ConditionIsTop)
            {
                if (loop.Condition != null) AddExitTest(loop.Condition, loop.ConditionIsUntil, origin);
                LowerStatement(loop.Body);
                var body = _current;
                _current = saved;
                saved.Add(new LoopStmt(body.ToEquatableArray(), EquatableArray<Stmt>.Empty, origin));
            }
            else
            {
                LowerStatement(loop.Body);
                var body = _current;
                _current = new List<Stmt>();
                _origin = origin;
                if (loop.Condition != null) AddExitTest(loop.Condition, loop.ConditionIsUntil, origin);
                var step = _current;
                _current = saved;
                saved.Add(new LoopStmt(body.ToEquatableArray(), step.ToEquatableArray(), origin));
            }
        }

        private void LowerFor(IForLoopOperation loop)
        {
            int origin = _origin;
            foreach (var before in loop.Before) LowerForPart(before);
            _loopDepth++; _loops.Push(++_loopSerial);
            try { LowerForLoop(loop, origin); }
            finally { _loopDepth--; _loops.Pop(); }
        }

        private void LowerForLoop(IForLoopOperation loop, int origin)
        {
            var saved = _current;
            _current = new List<Stmt>();
            _origin = origin;
            if (loop.Condition != null) AddExitTest(loop.Condition, false, origin);
            LowerStatement(loop.Body);
            var body = _current;
            _current = new List<Stmt>();
            _origin = origin;
            foreach (var after in loop.AtLoopBottom) LowerForPart(after);
            var step = _current;
            _current = saved;
            saved.Add(new LoopStmt(body.ToEquatableArray(), step.ToEquatableArray(), origin));
        }

        private void LowerForPart(IOperation part)
        {
            switch (part)
            {
                case IVariableDeclarationGroupOperation _:
                    int origin = _origin;
                    LowerStatement(part);
                    _origin = origin;
                    break;
                case IExpressionStatementOperation statement:
                    LowerExpressionStatement(statement.Operation);
                    break;
                default:
                    LowerExpressionStatement(part);
                    break;
            }
        }

        /// <summary>Adds <c>if (!condition) break;</c> (or <c>if (condition) break;</c> for until-loops).</summary>
        private void AddExitTest(IOperation condition, bool isUntil, int origin)
        {
            var atom = LowerAtom(condition, "condition");
            Expr exit = isUntil ? atom : Negate(atom);
            if (!exit.IsAtom) exit = Atomize(exit, IrType.Bool, "done");
            _current.Add(new IfStmt(exit, new Stmt[] { new BreakStmt(origin) }.ToEquatableArray(), EquatableArray<Stmt>.Empty, origin));
        }

        private static Expr Negate(Expr condition)
            => condition is ConstExpr c && (c.Text == "true" || c.Text == "false")
                ? new ConstExpr(c.Text == "true" ? "false" : "true", TypeKind.Bool)
                : new OpExpr(Ops.Not, condition);

        private void LowerExpressionStatement(IOperation op)
        {
            switch (op)
            {
                case ISimpleAssignmentOperation assignment:
                    LowerAssignment(assignment);
                    return;
                case ICompoundAssignmentOperation compound:
                    LowerCompound(compound);
                    return;
                case IIncrementOrDecrementOperation increment:
                    LowerIncrement(increment);
                    return;
                case IInvocationOperation invocation:
                {
                    // A discarded call (logging): runs once in the forward sweep, no derivative.
                    var call = LowerCall(invocation, discarded: true);
                    if (call != null) _current.Add(new ExprStmt(call, _origin));
                    return;
                }
            }
            ReportExpression(op);
        }

        // ---------------------------------------------------------------- assignments

        private string? TargetName(IOperation target)
        {
            switch (target)
            {
                case ILocalReferenceOperation local:
                    return LocalName(local.Local);
                case IParameterReferenceOperation parameter:
                    return _symbolNames[parameter.Parameter];
                default:
                    Report(DiagnosticDescriptors.UnsupportedWrite, target.Syntax, target.Syntax.ToString());
                    return null;
            }
        }

        private Expr? LowerAssignment(ISimpleAssignmentOperation assignment)
        {
            if (IsElement(assignment.Target))
            {
                var element = ElementTarget(assignment.Target);
                if (element is null) return null;
                var value = LowerAtom(assignment.Value, "element");
                Store(element.Value.Array, element.Value.Indices, value, "=", assignment.Syntax);
                return value;
            }
            string? name = TargetName(assignment.Target);
            if (name is null) return null;
            AssignTo(name, assignment.Value);
            return new VarExpr(name);
        }

        private void AssignTo(string name, IOperation value)
        {
            _valueSyntax = value.Syntax;
            if (value is IArrayCreationOperation { Initializer: not null } || value is ICollectionExpressionOperation
                || value is IConversionOperation { Operand: ICollectionExpressionOperation or IArrayCreationOperation { Initializer: not null } })
            {
                var creation = value is IConversionOperation c ? c.Operand : value;
                if (creation.Type != null && TypeNames.ToIr(creation.Type) is { IsCollection: true, IsSpan: false })
                {
                    LowerArrayCreationInto(name, creation);
                    return;
                }
            }
            var lowered = LowerValue(value, name);
            Emit(name, lowered);
        }

        /// <summary>Emits <c>name = value</c>, keeping the A-normal-form rule that the target is not an operand.</summary>
        private void Emit(string name, Expr value)
        {
            // x = x changes nothing (and as an assignment it would break "the target is never an operand").
            if (value is VarExpr self && self.Name == name) return;
            RecordArrayAssignment(name, value);
            if (!value.IsAtom && Mentions(value, name) && !IsCounterStep(name, value))
            {
                value = Atomize(value, VariableType(name), name);
            }
            _current.Add(new AssignStmt(name, value, _origin));
        }

        /// <summary><c>i = i + c</c> on an int with a constant c: kept in place; the adjoint undoes it by subtracting.</summary>
        private bool IsCounterStep(string name, Expr value)
            => VariableType(name).Kind == TypeKind.Int && VariableType(name).IsScalar
               && value is OpExpr o && (o.Op == Ops.Add || o.Op == Ops.Subtract)
               && o.Args[0] is VarExpr v && v.Name == name && o.Args[1] is ConstExpr c && c.Kind == TypeKind.Int;

        private void LowerCompound(ICompoundAssignmentOperation compound)
        {
            if (IsElement(compound.Target))
            {
                LowerElementCompound(compound);
                return;
            }
            string? name = TargetName(compound.Target);
            if (name is null) return;
            string? op = BinaryOp(compound.OperatorKind);
            if (op is null || compound.OperatorMethod != null)
            {
                ReportExpression(compound);
                return;
            }
            var targetType = VariableType(name);
            var operandType = compound.InConversion.IsIdentity ? targetType : TypeNames.ToIr(compound.Value.Type!);
            var right = LowerAtom(compound.Value, "operand");
            if (!Equals(right, null) && compound.Value.Type != null && TypeNames.ToIr(compound.Value.Type) != operandType)
            {
                right = Atomize(new CastExpr(operandType, right), operandType, "converted");
            }
            Expr left = new VarExpr(name);
            if (operandType != targetType) left = Atomize(new CastExpr(operandType, left), operandType, "converted");
            Expr result = new OpExpr(op!, new Expr[] { left, right! });
            if (operandType != targetType)
            {
                result = new CastExpr(targetType, Atomize(result, operandType, TempHint(op)));
            }
            Emit(name, result);
        }

        private void LowerIncrement(IIncrementOrDecrementOperation increment)
        {
            if (IsElement(increment.Target))
            {
                var element = ElementTarget(increment.Target);
                if (element is null || increment.Type is null) return;
                var (array, indices) = element.Value;
                var type = TypeNames.ToIr(increment.Type);
                var old = Atomize(new IndexExpr(new VarExpr(array), indices), type, "element");
                var updated = Atomize(new OpExpr(increment.Kind == OperationKind.Increment ? Ops.Add : Ops.Subtract, old, ConstExpr.One), type, "updated");
                Store(array, indices, updated, "=", increment.Syntax);
                return;
            }
            string? name = TargetName(increment.Target);
            if (name is null) return;
            string op = increment.Kind == OperationKind.Increment ? Ops.Add : Ops.Subtract;
            Emit(name, new OpExpr(op, new VarExpr(name), ConstExpr.One));
        }

        // ---------------------------------------------------------------- expressions

        /// <summary>Lowers an expression to an atom, naming a temporary after <paramref name="hint"/> when needed.</summary>
        private Expr LowerAtom(IOperation op, string hint)
        {
            var value = LowerValue(op, hint);
            if (value.IsAtom) return value;
            return Atomize(value, op.Type is null ? IrType.Double : TypeNames.ToIr(op.Type), TempHint(value) ?? hint);
        }

        private Expr Atomize(Expr value, IrType type, string hint)
        {
            if (value.IsAtom) return value;
            string temp = NewVariable(TempHint(value) ?? hint, type, VariableKind.Temp);
            _current.Add(new AssignStmt(temp, value, _origin));
            return new VarExpr(temp);
        }

        /// <summary>Lowers an expression to an atom or one operation on atoms.</summary>
        private Expr LowerValue(IOperation op, string hint)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (op.ConstantValue.HasValue && op.Type != null)
            {
                var constant = Constant(op.ConstantValue.Value, op.Type);
                if (constant != null) return constant;
            }

            switch (op)
            {
                case ILocalReferenceOperation local:
                    return new VarExpr(LocalName(local.Local));

                case IParameterReferenceOperation parameter:
                    return new VarExpr(_symbolNames[parameter.Parameter]);

                case IBinaryOperation binary when binary.OperatorMethod is null:
                {
                    if (binary.OperatorKind == BinaryOperatorKind.ConditionalAnd || binary.OperatorKind == BinaryOperatorKind.ConditionalOr)
                    {
                        return LowerShortCircuit(binary);
                    }
                    string? symbol = BinaryOp(binary.OperatorKind);
                    if (symbol is null) break;
                    var left = LowerAtom(binary.LeftOperand, "left");
                    var right = LowerAtom(binary.RightOperand, "right");
                    var operation = new OpExpr(symbol, left, right);
                    if (Ops.IsComparison(symbol))
                    {
                        // A comparison of differentiated values used as a value (not only as a condition): TN3001.
                        string what = "The comparison '" + Shorten(binary.Syntax.ToString()) + "'";
                        if (left is VarExpr l && binary.LeftOperand.Type != null && TypeNames.IsDifferentiableScalar(binary.LeftOperand.Type))
                            NoteZeroDerivative(operation, l.Name, binary.LeftOperand.Syntax, what);
                        if (right is VarExpr r && binary.RightOperand.Type != null && TypeNames.IsDifferentiableScalar(binary.RightOperand.Type))
                            NoteZeroDerivative(operation, r.Name, binary.RightOperand.Syntax, what);
                    }
                    return operation;
                }

                case IUnaryOperation unary when unary.OperatorMethod is null:
                {
                    string? symbol = unary.OperatorKind switch
                    {
                        UnaryOperatorKind.Minus => Ops.Negate,
                        UnaryOperatorKind.Plus => Ops.Plus,
                        UnaryOperatorKind.Not => Ops.Not,
                        _ => null,
                    };
                    if (symbol is null) break;
                    var operand = LowerAtom(unary.Operand, "operand");
                    return symbol == Ops.Plus ? operand : new OpExpr(symbol, operand);
                }

                case IConversionOperation conversion:
                {
                    if (conversion.OperatorMethod != null || conversion.Type is null || conversion.Operand.Type is null) break;
                    if (SymbolEqualityComparer.Default.Equals(conversion.Type, conversion.Operand.Type)) return LowerValue(conversion.Operand, hint);
                    var operand = LowerAtom(conversion.Operand, hint);
                    if (!IsNumeric(conversion.Type) || !IsNumeric(conversion.Operand.Type))
                    {
                        // Boxing and other conversions: fine for logging; an error if a differentiated
                        // value leaves the numbers on its way to the result.
                        if (!_inDiscardedCall && operand is VarExpr boxed && TypeNames.IsDifferentiableScalar(conversion.Operand.Type))
                        {
                            _deferred.Add(new DeferredDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedExpression, LocationInfo.From(conversion.Syntax),
                                Describe(conversion), "converting a differentiated value to '" + conversion.Type.ToDisplayString() + "' loses its derivative; keep the computation in double or float, or wrap the value in Autodiff.StopGradient"), boxed.Name));
                        }
                    }
                    var cast = new CastExpr(TypeNames.ToIr(conversion.Type), operand);
                    if (operand is VarExpr converted && IsIntegral(conversion.Type) && TypeNames.IsDifferentiableScalar(conversion.Operand.Type))
                    {
                        NoteZeroDerivative(cast, converted.Name, conversion.Operand.Syntax, "The conversion to '" + conversion.Type.ToDisplayString() + "'");
                    }
                    return cast;
                }

                case IInvocationOperation invocation:
                    return LowerCall(invocation, discarded: false) ?? ConstExpr.Zero;

                case IArrayElementReferenceOperation element:
                    return LowerElementRead(element.ArrayReference, element.Indices);

                case IPropertyReferenceOperation indexer when IsSpanIndexer(indexer):
                    return LowerElementRead(indexer.Instance!, indexer.Arguments.Select(a => a.Value).ToList());

                case IArrayCreationOperation _:
                case ICollectionExpressionOperation _:
                {
                    // new double[n] is one operation; an initializer fills a new temporary array.
                    if (op is IArrayCreationOperation { Initializer: null } creation && op.Type != null && TypeNames.ToIr(op.Type).IsCollection)
                    {
                        return new NewArrayExpr(TypeNames.ToIr(op.Type), creation.DimensionSizes.Select(d => LowerAtom(d, "size")).ToEquatableArray());
                    }
                    if (op.Type is null || op is IArrayCreationOperation { Initializer: null } || !TypeNames.ToIr(op.Type).IsCollection || TypeNames.ToIr(op.Type).IsSpan) break;
                    string temp = NewVariable(hint == "result" ? "values" : hint + "Values", TypeNames.ToIr(op.Type), VariableKind.Temp);
                    if (!LowerArrayCreationInto(temp, op)) return ConstExpr.Zero;
                    return new VarExpr(temp);
                }

                case IFieldReferenceOperation field:
                    return MemberRead(field, field.Field);

                case IPropertyReferenceOperation property when property.Arguments.Length == 0:
                    return MemberRead(property, property.Property);

                case IInstanceReferenceOperation _:
                    return new RawExpr("this");

                case IInterpolatedStringOperation interpolated:
                {
                    var texts = new List<string>();
                    var holes = new List<Expr>();
                    var text = new System.Text.StringBuilder();
                    foreach (var part in interpolated.Parts)
                    {
                        if (part is IInterpolatedStringTextOperation literal)
                        {
                            text.Append(literal.Text.ConstantValue.Value as string);
                        }
                        else if (part is IInterpolationOperation hole)
                        {
                            texts.Add(text.ToString());
                            text.Clear();
                            string suffix = (hole.Alignment?.ConstantValue.Value is object align ? "," + Convert.ToString(align, CultureInfo.InvariantCulture) : "")
                                + (hole.FormatString?.ConstantValue.Value is string format ? ":" + format : "");
                            var atom = LowerAtom(hole.Expression, "part");
                            if (!_inDiscardedCall && atom is VarExpr v && hole.Expression.Type != null && TypeNames.IsDifferentiableScalar(hole.Expression.Type))
                            {
                                // Text cannot carry a derivative: an error if a differentiated value is formatted into a result.
                                _deferred.Add(new DeferredDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedExpression, LocationInfo.From(interpolated.Syntax),
                                    Describe(interpolated), "strings cannot carry derivatives; keep string formatting out of the computation, or wrap the value in Autodiff.StopGradient"), v.Name));
                            }
                            holes.Add(atom);
                            texts.Add(suffix);
                        }
                        else
                        {
                            ReportExpression(op);
                            return ConstExpr.Zero;
                        }
                    }
                    texts.Add(text.ToString());
                    return new InterpolatedExpr(texts.ToEquatableArray(), holes.ToEquatableArray());
                }

                case IDefaultValueOperation _ when op.Type != null:
                    return (Expr?)Constant(0, op.Type) ?? new RawExpr("default");

                case ISimpleAssignmentOperation assignment:
                    return LowerAssignment(assignment) ?? ConstExpr.Zero;

                case IIncrementOrDecrementOperation increment when increment.Target is ILocalReferenceOperation && op.Type != null:
                {
                    // i++ used as a value: the old value for postfix, the new one for prefix.
                    string? name = TargetName(increment.Target);
                    if (name is null) return ConstExpr.Zero;
                    Expr old = new VarExpr(name);
                    if (increment.IsPostfix)
                    {
                        string copy = NewVariable(name.TrimStart('@') + "Before", TypeNames.ToIr(op.Type), VariableKind.Temp);
                        _current.Add(new AssignStmt(copy, new VarExpr(name), _origin));
                        old = new VarExpr(copy);
                    }
                    LowerIncrement(increment);
                    return increment.IsPostfix ? old : new VarExpr(name);
                }

                case IConditionalOperation conditional when conditional.WhenFalse != null && op.Type != null:
                {
                    // c ? a : b becomes: if (c) t = a; else t = b; so that only the chosen side runs.
                    var type = TypeNames.ToIr(op.Type);
                    var condition = LowerAtom(conditional.Condition, "condition");
                    string temp = NewVariable(hint == "result" ? "chosen" : hint + "Choice", type, VariableKind.Temp);
                    int origin = _origin;
                    var then = LowerInto(temp, conditional.WhenTrue);
                    var otherwise = LowerInto(temp, conditional.WhenFalse);
                    _current.Add(new IfStmt(condition, then.ToEquatableArray(), otherwise.ToEquatableArray(), origin));
                    return new VarExpr(temp);
                }
            }

            ReportExpression(op);
            return ConstExpr.Zero;
        }

        private List<Stmt> LowerInto(string target, IOperation value)
        {
            var saved = _current;
            _current = new List<Stmt>();
            AssignTo(target, value);
            var result = _current;
            _current = saved;
            return result;
        }

        private Expr LowerShortCircuit(IBinaryOperation binary)
        {
            var left = LowerAtom(binary.LeftOperand, "left");
            var saved = _current;
            _current = new List<Stmt>();
            var right = LowerAtom(binary.RightOperand, "right");
            var rightStatements = _current;
            _current = saved;
            bool isAnd = binary.OperatorKind == BinaryOperatorKind.ConditionalAnd;
            if (rightStatements.Count == 0) return new OpExpr(isAnd ? Ops.And : Ops.Or, left, right);

            // The right operand has work of its own: run it only when it decides the result.
            string temp = NewVariable(isAnd ? "both" : "either", IrType.Bool, VariableKind.Temp);
            _current.Add(new AssignStmt(temp, left, _origin));
            rightStatements.Add(new AssignStmt(temp, right, _origin));
            var guard = isAnd ? (Expr)new VarExpr(temp) : Atomize(new OpExpr(Ops.Not, new VarExpr(temp)), IrType.Bool, "neither");
            _current.Add(new IfStmt(guard, rightStatements.ToEquatableArray(), EquatableArray<Stmt>.Empty, _origin));
            return new VarExpr(temp);
        }

        private Expr MemberRead(IMemberReferenceOperation op, ISymbol member)
        {
            if (member.IsStatic)
            {
                return new RawExpr(member.ContainingType.ToDisplayString(TypeNames.Qualified) + "." + member.Name);
            }
            if (op.Instance is IInstanceReferenceOperation)
            {
                return new RawExpr("this." + member.Name);
            }
            if (op.Instance != null)
            {
                var receiver = LowerAtom(op.Instance, "receiver");
                return new MemberExpr(receiver, member.Name);
            }
            ReportExpression(op);
            return ConstExpr.Zero;
        }

        private static readonly HashSet<string> s_mathTypes = new HashSet<string>
        {
            "global::System.Math", "global::System.MathF", "double", "float",
        };

        private Expr? LowerCall(IInvocationOperation invocation, bool discarded)
        {
            var target = invocation.TargetMethod;
            if (invocation.Arguments.Any(a => a.Parameter?.RefKind != RefKind.None && a.Parameter?.RefKind != null))
            {
                Report(DiagnosticDescriptors.UnsupportedExpression, invocation.Syntax,
                    Describe(invocation), "arguments passed by ref, out or in are not supported in a [Differentiable] method; compute the value into a local and pass it by value");
                return null;
            }

            // Arguments are evaluated in source order, then passed in parameter order.
            // Everything inside the arguments of a discarded (logging) call is discarded too.
            bool wasDiscarded = _inDiscardedCall;
            _inDiscardedCall = discarded || wasDiscarded;
            try
            {
                return LowerCallCore(invocation, discarded);
            }
            finally
            {
                _inDiscardedCall = wasDiscarded;
            }
        }

        private Expr? LowerCallCore(IInvocationOperation invocation, bool discarded)
        {
            var target = invocation.TargetMethod;
            var atoms = new Expr[target.Parameters.Length];
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is null || argument.ArgumentKind == ArgumentKind.ParamArray)
                {
                    ReportExpression(invocation);
                    return null;
                }
                // An array given to a span parameter is passed as the array: the generated call converts it the same way.
                var value = argument.Value;
                // So is one given to IEnumerable<double> or object: its derivative must not vanish in a temporary of that type.
                if (value is IConversionOperation { IsImplicit: true } widened && widened.Operand.Type is IArrayTypeSymbol arrayType
                    && (TypeNames.IsDifferentiable(arrayType) || value.Type != null && TypeNames.CollectionShape(value.Type, out _, out var spanShape) && (spanShape == Shape.Span || spanShape == Shape.ReadOnlySpan)))
                {
                    value = widened.Operand;
                }
                atoms[argument.Parameter.Ordinal] = LowerAtom(value, argument.Parameter.Name);
            }
            var args = atoms.ToEquatableArray();

            string containing = target.ContainingType.ToDisplayString(TypeNames.Qualified);
            bool returnsDifferentiable = TypeNames.IsDifferentiableScalar(target.ReturnType);

            // Math, MathF, double.X, float.X: a derivative template, unless the user registered their own.
            if (s_mathTypes.Contains(containing) && target.IsStatic
                && !(invocation.SemanticModel?.Compilation is Compilation c && DerivativeResolver.HasRegistrations(c) && DerivativeResolver.Registrations(c, target).Any()))
            {
                var template = TemplateRegistry.ForFunction(target.Name, target.Parameters.Length);
                // Zero-derivative functions (Sign returns int) are fine whatever they return.
                if (template != null && (returnsDifferentiable || template.IsZeroDerivative))
                {
                    var call = new CallExpr(containing + "." + target.Name, args, template.Key, true);
                    if (template.IsZeroDerivative) NoteZeroDerivativeArguments(call, invocation, args);
                    return call;
                }
            }

            // Convert.ToInt32(x) and the other conversions of a double or float to an integer or bool: like a cast, no derivative.
            if (containing == "global::System.Convert" && target.IsStatic && target.Parameters.Length == 1
                && TypeNames.IsDifferentiableScalar(target.Parameters[0].Type)
                && (IsIntegral(target.ReturnType) || target.ReturnType.SpecialType == SpecialType.System_Boolean)
                && !(invocation.SemanticModel?.Compilation is Compilation registered && DerivativeResolver.HasRegistrations(registered) && DerivativeResolver.Registrations(registered, target).Any()))
            {
                // The same call as any other method's (so code generated for inactive arguments is unchanged).
                var call = new CallExpr(containing + "." + target.Name, args, null, false);
                NoteZeroDerivativeArguments(call, invocation, args);
                return call;
            }

            if (containing == "global::Tangent.Autodiff" && target.Name == "StopGradient")
            {
                return new CallExpr(containing + "." + target.Name, args, "StopGradient/1", true);
            }

            // The shape of an array: never differentiated.
            if (!target.IsStatic && invocation.Instance != null && target.ContainingType.SpecialType == SpecialType.System_Array
                && (target.Name == "GetLength" || target.Name == "GetUpperBound" || target.Name == "GetLowerBound"))
            {
                return new CallExpr(target.Name, args, null, true, LowerAtom(invocation.Instance, "array"));
            }

            // Any other method: allowed while no argument carries a derivative.
            Expr? receiver = null;
            string function;
            if (target.IsStatic)
            {
                function = containing + "." + target.Name;
            }
            else if (invocation.Instance is null || invocation.Instance is IInstanceReferenceOperation)
            {
                function = "this." + target.Name;
            }
            else
            {
                receiver = LowerAtom(invocation.Instance, "receiver");
                function = target.Name;
            }
            if (target.IsGenericMethod)
            {
                function += "<" + string.Join(", ", target.TypeArguments.Select(t => t.ToDisplayString(TypeNames.Qualified))) + ">";
            }

            // Local functions and delegates are reported where they are declared (TN1001, TN1002).
            bool reportedElsewhere = target.MethodKind == MethodKind.LocalFunction || target.MethodKind == MethodKind.DelegateInvoke;
            string display = target.ContainingType.Name + "." + target.Name;

            // A [Differentiable] method, or one with registered derivatives: differentiated through its derivative methods.
            if (!_inDiscardedCall && !reportedElsewhere && invocation.SemanticModel?.Compilation is Compilation compilation
                && TypeNames.IsSupportedReturn(target.ReturnType) && !target.IsGenericMethod
                && DerivativeResolver.Resolve(target, function, compilation, out bool usesGenerated) is CalleeInfo callee)
            {
                if (receiver is VarExpr local && !_method.Parameters.Any(p => Escape(p.Name) == local.Name))
                {
                    Report(DiagnosticDescriptors.UnsupportedExpression, invocation.Syntax, Describe(invocation),
                        "a [Differentiable] instance method is differentiated through only when called on this, a field or a parameter; call it on one of those");
                    return null;
                }
                return DifferentiableCall(invocation, function, args, receiver, callee, display, usesGenerated ? target : null);
            }

            if (!_inDiscardedCall && !reportedElsewhere)
            {
                // A [Differentiable] method of this compilation that gets no derivative methods (generic, or with an
                // unsupported result): it has errors of its own, reported on it.
                bool failedCallee = DerivativeResolver.IsDifferentiableInSource(target);
                foreach (var argument in invocation.Arguments)
                {
                    var atom = atoms[argument.Parameter!.Ordinal];
                    // The type before an implicit conversion: a double[] passed as IEnumerable<double> still carries derivatives.
                    var argumentType = (argument.Value is IConversionOperation { IsImplicit: true } widened ? widened.Operand.Type : null) ?? argument.Value.Type;
                    if (atom is VarExpr v && TypeNames.IsDifferentiable(argumentType ?? target.ReturnType))
                    {
                        var info = failedCallee
                            ? CalleeHasErrors(invocation, target, display)
                            : DiagnosticInfo.Create(DiagnosticDescriptors.NoDerivative, LocationInfo.From(argument.Syntax), LocationInfo.From(invocation.Syntax), display, argument.Syntax.ToString());
                        _deferred.Add(new DeferredDiagnostic(info, v.Name));
                    }
                }
                if (receiver is VarExpr r && invocation.Instance?.Type != null && TypeNames.IsDifferentiable(invocation.Instance.Type))
                {
                    _deferred.Add(new DeferredDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.NoDerivative, LocationInfo.From(invocation.Instance.Syntax), LocationInfo.From(invocation.Syntax), display, invocation.Instance.Syntax.ToString()), r.Name));
                }
            }
            return new CallExpr(function, args, null, false, receiver);
        }


        /// <summary>
        /// A call differentiated through the callee's derivative methods. Diagnostics that depend on
        /// activity: a missing mode, and a local array argument that is written after the call (the
        /// callee's reverse sweep reads the argument's elements as they were at the call).
        /// </summary>
        private Expr DifferentiableCall(IInvocationOperation invocation, string function, EquatableArray<Expr> args, Expr? receiver, CalleeInfo callee, string display, IMethodSymbol? generatedHere)
        {
            var activeArgs = callee.ActiveIndices.Select(i => args[i]).OfType<VarExpr>().Select(v => v.Name).Distinct().ToList();
            if (generatedHere != null && activeArgs.Count > 0)
            {
                // Its derivative methods exist only if it has no errors: checked once every method is lowered.
                _calleeCalls.Add(new CalleeCall(generatedHere.OriginalDefinition, CalleeHasErrors(invocation, generatedHere, display), activeArgs));
            }
            if (callee.Forward is null || callee.Reverse is null)
            {
                string has = callee.Forward is null ? "an adjoint" : "a forward";
                string missing = callee.Forward is null ? "forward" : "adjoint";
                var info = DiagnosticInfo.Create(DiagnosticDescriptors.MissingDerivativeMode, LocationInfo.From(invocation.Syntax), display, has, missing);
                foreach (var v in activeArgs) _deferred.Add(new DeferredDiagnostic(info, v, WhenActive: true));
            }
            foreach (var argument in invocation.Arguments)
            {
                // A differentiated value given to a parameter that takes no derivative would lose it silently.
                int i = argument.Parameter!.Ordinal;
                if (!callee.ActiveParameters[i] && args[i] is VarExpr v && argument.Value.Type != null && TypeNames.IsDifferentiable(argument.Value.Type))
                {
                    _deferred.Add(new DeferredDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.ArgumentLosesDerivative, LocationInfo.From(argument.Syntax),
                        display, argument.Syntax.ToString(), argument.Parameter.Name), v.Name));
                }
            }
            foreach (int i in Enumerable.Range(0, args.Count))
            {
                if (args[i] is VarExpr a && callee.ParameterTypes[i].IsCollection && _locals.Any(l => l.Name == a.Name))
                {
                    _arrayArguments.Add(new ArrayEvent(a.Name, _events++, _loops.ToArray(), LocationInfo.From(invocation.Syntax), display, activeArgs));
                }
            }
            return new CallExpr(function, args, null, false, receiver, callee);
        }

        /// <summary>A local array passed to a differentiated call, or stored into: when and inside which loops.</summary>
        private sealed record ArrayEvent(string Array, int Order, int[] Loops, LocationInfo? Where, string Callee, List<string> ActiveArguments);

        private readonly List<ArrayEvent> _arrayArguments = new List<ArrayEvent>();
        private readonly List<ArrayEvent> _arrayStores = new List<ArrayEvent>();
        private readonly Stack<int> _loops = new Stack<int>();
        private int _events;
        private int _loopSerial;

        /// <summary>A local array given to a differentiated call must keep its values: no store may run after the call.</summary>
        private void CheckArraysPassedToCalls()
        {
            foreach (var call in _arrayArguments)
            {
                var store = _arrayStores.FirstOrDefault(s => s.Array == call.Array && (s.Order > call.Order || s.Loops.Intersect(call.Loops).Any()));
                if (store is null) continue;
                var info = DiagnosticInfo.Create(DiagnosticDescriptors.ArrayWrittenAfterCall, store.Where!, call.Where!, call.Array.TrimStart('@'), call.Callee);
                foreach (var v in call.ActiveArguments) _deferred.Add(new DeferredDiagnostic(info, v, WhenActive: true));
            }
        }

        // ---------------------------------------------------------------- arrays

        private static bool IsSpanIndexer(IPropertyReferenceOperation p)
            => p.Property.IsIndexer && p.Arguments.Length == 1 && p.Instance?.Type is ITypeSymbol t
               && TypeNames.CollectionShape(t, out _, out var shape) && (shape == Shape.Span || shape == Shape.ReadOnlySpan);

        private static bool IsElement(IOperation target)
            => target is IArrayElementReferenceOperation || target is IPropertyReferenceOperation p && IsSpanIndexer(p);

        private Expr LowerElementRead(IOperation array, IReadOnlyList<IOperation> indices)
        {
            var arrayAtom = LowerAtom(array, "array");
            var atoms = indices.Select(i => LowerAtom(i, "index")).ToEquatableArray();
            return new IndexExpr(arrayAtom, atoms);
        }

        /// <summary>The local array and indices an element write goes to; a write into a parameter or a field is reported.</summary>
        private (string Array, EquatableArray<Expr> Indices)? ElementTarget(IOperation target)
        {
            IOperation array;
            IReadOnlyList<IOperation> indices;
            if (target is IArrayElementReferenceOperation element)
            {
                array = element.ArrayReference;
                indices = element.Indices;
            }
            else
            {
                var indexer = (IPropertyReferenceOperation)target;
                array = indexer.Instance!;
                indices = indexer.Arguments.Select(a => a.Value).ToList();
            }
            string name;
            switch (array)
            {
                case ILocalReferenceOperation local:
                    name = LocalName(local.Local);
                    break;
                case IParameterReferenceOperation parameter:
                    Report(DiagnosticDescriptors.WriteToInput, target.Syntax, Shorten(target.Syntax.ToString()), parameter.Parameter.Name);
                    return null;
                default:
                    Report(DiagnosticDescriptors.UnsupportedWrite, target.Syntax, target.Syntax.ToString());
                    return null;
            }
            var atoms = indices.Select(i => LowerAtom(i, "index")).ToEquatableArray();
            return (name, atoms);
        }

        private void Store(string array, EquatableArray<Expr> indices, Expr value, string op, SyntaxNode where)
        {
            _storedArrays.Add(array);
            _arrayStores.Add(new ArrayEvent(array, _events++, _loops.ToArray(), LocationInfo.From(where), "", new List<string>()));
            _current.Add(new StoreStmt(array, indices, value, op, _origin));
        }

        /// <summary><c>a[i] += v</c> and <c>a[i] -= v</c> accumulate; other operators read, combine and store.</summary>
        private void LowerElementCompound(ICompoundAssignmentOperation compound)
        {
            string? op = BinaryOp(compound.OperatorKind);
            if (op is null || compound.OperatorMethod != null || compound.Type is null || compound.Value.Type is null)
            {
                ReportExpression(compound);
                return;
            }
            var element = ElementTarget(compound.Target);
            if (element is null) return;
            var (array, indices) = element.Value;
            var elementType = TypeNames.ToIr(compound.Type);
            var right = LowerAtom(compound.Value, "operand");
            bool sameType = compound.InConversion.IsIdentity && TypeNames.ToIr(compound.Value.Type) == elementType;
            if (sameType && (op == Ops.Add || op == Ops.Subtract))
            {
                Store(array, indices, right, op == Ops.Add ? "+=" : "-=", compound.Syntax);
                return;
            }
            var operandType = compound.InConversion.IsIdentity ? elementType : TypeNames.ToIr(compound.Value.Type);
            if (TypeNames.ToIr(compound.Value.Type) != operandType) right = Atomize(new CastExpr(operandType, right), operandType, "converted");
            Expr left = Atomize(new IndexExpr(new VarExpr(array), indices), elementType, "element");
            if (operandType != elementType) left = Atomize(new CastExpr(operandType, left), operandType, "converted");
            Expr result = Atomize(new OpExpr(op, left, right), operandType, TempHint(op));
            if (operandType != elementType) result = Atomize(new CastExpr(elementType, result), elementType, "converted");
            Store(array, indices, result, "=", compound.Syntax);
        }

        /// <summary><c>name = new T[n] { ... }</c> or a collection expression: evaluate the elements, create, store them.</summary>
        private bool LowerArrayCreationInto(string name, IOperation creation)
        {
            var type = TypeNames.ToIr(creation.Type!);
            var sizes = new List<Expr>();
            var values = new List<(Expr[] Index, Expr Value)>();
            if (creation is ICollectionExpressionOperation collection)
            {
                if (type.Shape != Shape.Array || collection.Elements.Any(e => e is ISpreadOperation))
                {
                    ReportExpression(creation);
                    return false;
                }
                for (int k = 0; k < collection.Elements.Length; k++)
                {
                    values.Add((new Expr[] { Index(k) }, LowerAtom(collection.Elements[k], "element")));
                }
                sizes.Add(Index(collection.Elements.Length));
            }
            else
            {
                var array = (IArrayCreationOperation)creation;
                var rows = array.Initializer!.ElementValues;
                if (type.Shape == Shape.Array2D)
                {
                    for (int r = 0; r < rows.Length; r++)
                    {
                        if (!(rows[r] is IArrayInitializerOperation row))
                        {
                            ReportExpression(creation);
                            return false;
                        }
                        for (int c = 0; c < row.ElementValues.Length; c++)
                        {
                            values.Add((new Expr[] { Index(r), Index(c) }, LowerAtom(row.ElementValues[c], "element")));
                        }
                    }
                }
                else
                {
                    for (int k = 0; k < rows.Length; k++) values.Add((new Expr[] { Index(k) }, LowerAtom(rows[k], "element")));
                }
                foreach (var size in array.DimensionSizes) sizes.Add(LowerAtom(size, "size"));
            }
            _valueSyntax = creation.Syntax;
            Emit(name, new NewArrayExpr(type, sizes.ToEquatableArray()));
            foreach (var (index, value) in values)
            {
                if (value is ConstExpr c && c.IsZero) continue;
                Store(name, index.ToEquatableArray(), value, "=", creation.Syntax);
            }
            return true;
        }

        private static ConstExpr Index(int k) => new ConstExpr(k.ToString(CultureInfo.InvariantCulture), TypeKind.Int);

        private void RecordArrayAssignment(string name, Expr value)
        {
            var type = VariableType(name);
            if (!type.IsCollection || !type.IsDifferentiable) return;
            var where = LocationInfo.From(_valueSyntax ?? _method.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken));
            if (!_arrayAssignments.TryGetValue(name, out var list)) _arrayAssignments[name] = list = new List<ArrayAssignment>();
            list.Add(new ArrayAssignment(value is NewArrayExpr, _loopDepth > 0, where!, value is CallExpr { Callee: not null }));
        }

        /// <summary>
        /// The rules for local arrays of doubles and floats. One that is written into must hold only arrays
        /// created here (or it could be an input). One that carries derivatives (checked after activity
        /// analysis) must be created once, outside loops, so that it has exactly one shadow.
        /// </summary>
        public void CheckArrays()
        {
            CheckArraysPassedToCalls();
            foreach (var pair in _arrayAssignments)
            {
                string name = pair.Key;
                var list = pair.Value;
                string display = name.TrimStart('@');
                bool isCopy = _locals.Any(l => l.Name == name && l.Kind == VariableKind.ParameterCopy);
                if (isCopy)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ArrayNotCreatedOnce, list[0].Where, display,
                        "it is a parameter that the method reassigns; assign the new array to a new local instead"));
                    continue;
                }
                var aliased = list.FirstOrDefault(a => !a.IsNew);
                if (aliased != null && _storedArrays.Contains(name))
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ArrayNotCreatedOnce, aliased.Where, display,
                        "it is written into, but here it is given an array that was not created in this method (it may be an input); create it with new and copy the elements"));
                    continue;
                }
                string? reason = null;
                LocationInfo? at = null;
                // The result of a differentiated call gets its own adjoint, like a new array.
                aliased = list.FirstOrDefault(a => !a.IsNew && !a.FromCall);
                if (aliased != null) { reason = "here it is given another array, so the two names would share the values but not the derivatives; create it with new and copy the elements"; at = aliased.Where; }
                else if (list.Count > 1) { reason = "it is assigned more than once; create it once and overwrite its elements, or use another local"; at = list[1].Where; }
                else if (list[0].InLoop) { reason = "it is created inside a loop; create it once before the loop and overwrite its elements"; at = list[0].Where; }
                if (reason != null)
                {
                    _deferred.Add(new DeferredDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.ArrayNotCreatedOnce, at!, display, reason), name, WhenActive: true));
                }
            }
        }

        private static IOperation? ForEachCollection(IForEachLoopOperation loop)
        {
            var collection = loop.Collection;
            while (collection is IConversionOperation { IsImplicit: true } conversion) collection = conversion.Operand;
            if (collection.Type is null || !TypeNames.CollectionShape(collection.Type, out _, out var shape) || shape == Shape.Array2D) return null;
            if (!(loop.LoopControlVariable is IVariableDeclaratorOperation)) return null;
            return collection;
        }

        /// <summary><c>foreach (var v in a) body</c> is <c>for (int k = 0; k &lt; a.Length; k++) { var v = a[k]; body }</c>.</summary>
        private void LowerForEach(IForEachLoopOperation loop, IOperation collection)
        {
            int origin = _origin;
            var declarator = (IVariableDeclaratorOperation)loop.LoopControlVariable;
            var array = LowerAtom(collection, "collection");
            string variable = DeclareLocal(declarator.Symbol);
            string index = NewVariable(variable.TrimStart('@') + "Index", IrType.Int, VariableKind.Temp);
            _current.Add(new AssignStmt(index, ConstExpr.Zero, origin));
            var saved = _current;
            _loopDepth++; _loops.Push(++_loopSerial);
            try
            {
                _current = new List<Stmt>();
                var length = Atomize(new MemberExpr(array, "Length"), IrType.Int, "length");
                var done = Atomize(new OpExpr(Ops.GreaterOrEqual, new VarExpr(index), length), IrType.Bool, "done");
                _current.Add(new IfStmt(done, new Stmt[] { new BreakStmt(origin) }.ToEquatableArray(), EquatableArray<Stmt>.Empty, origin));
                _valueSyntax = collection.Syntax;
                Emit(variable, new IndexExpr(array, new VarExpr(index)));
                LowerStatement(loop.Body);
                var body = _current;
                _current = new List<Stmt>();
                _origin = origin;
                _current.Add(new AssignStmt(index, new OpExpr(Ops.Add, new VarExpr(index), ConstExpr.One), origin));
                var step = _current;
                saved.Add(new LoopStmt(body.ToEquatableArray(), step.ToEquatableArray(), origin));
            }
            finally
            {
                _current = saved;
                _loopDepth--; _loops.Pop();
            }
        }

        // ---------------------------------------------------------------- helpers

        private static bool IsNumeric(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Double:
                case SpecialType.System_Single:
                case SpecialType.System_Int32:
                case SpecialType.System_Int64:
                case SpecialType.System_Int16:
                case SpecialType.System_Byte:
                case SpecialType.System_SByte:
                case SpecialType.System_UInt16:
                case SpecialType.System_UInt32:
                case SpecialType.System_UInt64:
                    return true;
                default:
                    return false;
            }
        }

        private static bool IsIntegral(ITypeSymbol type) => IsNumeric(type) && !TypeNames.IsDifferentiableScalar(type);

        private static string? BinaryOp(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.Add => Ops.Add,
            BinaryOperatorKind.Subtract => Ops.Subtract,
            BinaryOperatorKind.Multiply => Ops.Multiply,
            BinaryOperatorKind.Divide => Ops.Divide,
            BinaryOperatorKind.Remainder => Ops.Remainder,
            BinaryOperatorKind.LessThan => Ops.Less,
            BinaryOperatorKind.LessThanOrEqual => Ops.LessOrEqual,
            BinaryOperatorKind.GreaterThan => Ops.Greater,
            BinaryOperatorKind.GreaterThanOrEqual => Ops.GreaterOrEqual,
            BinaryOperatorKind.Equals => Ops.Equal,
            BinaryOperatorKind.NotEquals => Ops.NotEqual,
            BinaryOperatorKind.ConditionalAnd => Ops.And,
            BinaryOperatorKind.ConditionalOr => Ops.Or,
            BinaryOperatorKind.And => "&",
            BinaryOperatorKind.Or => "|",
            BinaryOperatorKind.ExclusiveOr => "^",
            _ => null,
        };

        private static string? TempHint(Expr value) => value switch
        {
            OpExpr o => TempHint(o.Op),
            CallExpr c when c.TemplateKey != null || c.Callee != null => LowerFirst(c.Function.Substring(c.Function.LastIndexOf('.') + 1)),
            CastExpr k => k.Type.Kind == TypeKind.Float ? "asFloat" : k.Type.Kind == TypeKind.Double ? "asDouble" : "converted",
            _ => null,
        };

        private static string TempHint(string op) => op switch
        {
            Ops.Add => "sum",
            Ops.Subtract => "difference",
            Ops.Multiply => "product",
            Ops.Divide => "quotient",
            Ops.Remainder => "remainder",
            Ops.Negate => "negated",
            Ops.Not => "not",
            _ => Ops.IsComparison(op) ? "test" : "value",
        };

        private static string LowerFirst(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s.Substring(1);

        private static bool Mentions(Expr e, string name)
            => e is VarExpr v ? v.Name == name : e.Children.Any(c => Mentions(c, name));

        private string DeclareLocal(ILocalSymbol local)
        {
            if (_symbolNames.TryGetValue(local, out var existing)) return existing;
            var type = TypeNames.ToIr(local.Type);
            // The first declaration of a user name keeps it, unless generated code needs that name
            // (a local called dX beside a parameter x) or another scope already took it.
            string name = _userNames.Contains(local.Name) && !_generatedNames.Contains(local.Name) && _claimed.Add(local.Name)
                ? ClaimReserved(local.Name, type)
                : NewVariable(local.Name, type, VariableKind.User);
            _symbolNames[local] = name;
            return name;
        }

        /// <summary>The first declaration of a user name takes the name itself (it was reserved up front).</summary>
        private string ClaimReserved(string name, IrType type)
        {
            string escaped = Escape(name);
            _locals.Add(new VariableInfo(escaped, type, VariableKind.User, DerivativeNameFor(name, type)));
            return escaped;
        }

        private static string Escape(string name)
            => Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

        private string LocalName(ILocalSymbol local) => _symbolNames.TryGetValue(local, out var name) ? name : DeclareLocal(local);

        private string NewVariable(string preferred, IrType type, VariableKind kind)
        {
            string name = _names.Allocate(preferred);
            _locals.Add(new VariableInfo(name, type, kind, DerivativeNameFor(name, type)));
            return name;
        }

        private string DerivativeNameFor(string name, IrType type)
            => type.IsDifferentiable ? _names.Allocate(NameAllocator.DerivativeName(name)) : "";

        private IrType VariableType(string name)
        {
            foreach (var local in _locals)
            {
                if (local.Name == name) return local.Type;
            }
            foreach (var p in _method.Parameters)
            {
                if (p.Name == name) return TypeNames.ToIr(p.Type);
            }
            return IrType.Double;
        }

        private int AddOrigin(string text)
        {
            _origins.Add(text);
            return _origins.Count - 1;
        }

        private static string OriginText(SyntaxNode syntax)
        {
            string text = syntax switch
            {
                IfStatementSyntax s => "if (" + s.Condition + ")",
                WhileStatementSyntax s => "while (" + s.Condition + ")",
                DoStatementSyntax s => "do ... while (" + s.Condition + ")",
                ForStatementSyntax s => "for (" + s.Declaration + (s.Initializers.Count > 0 ? string.Join(", ", s.Initializers) : "") + "; " + s.Condition + "; " + string.Join(", ", s.Incrementors) + ")",
                ForEachStatementSyntax s => "foreach (" + s.Type + " " + s.Identifier + " in " + s.Expression + ")",
                ArrowExpressionClauseSyntax s => "return " + s.Expression + ";",
                ExpressionSyntax s => "return " + s + ";",
                _ => syntax.ToString(),
            };
            return s_whitespace.Replace(text, " ").Trim();
        }

        internal static ConstExpr? Constant(object? value, ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Double:
                    return new ConstExpr(FormatDouble(Convert.ToDouble(value, CultureInfo.InvariantCulture)), TypeKind.Double);
                case SpecialType.System_Single:
                    return new ConstExpr(FormatFloat(Convert.ToSingle(value, CultureInfo.InvariantCulture)), TypeKind.Float);
                case SpecialType.System_Int32:
                    return new ConstExpr(Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture), TypeKind.Int);
                case SpecialType.System_Boolean:
                    return new ConstExpr((bool)value! ? "true" : "false", TypeKind.Bool);
                case SpecialType.System_Int64:
                    return new ConstExpr(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "L", TypeKind.Other);
                case SpecialType.System_String when value is string text:
                    return new ConstExpr(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true), TypeKind.Other);
                case SpecialType.System_Char when value is char c:
                    return new ConstExpr(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true), TypeKind.Other);
                case SpecialType.System_UInt32:
                    return new ConstExpr(Convert.ToUInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "U", TypeKind.Other);
                case SpecialType.System_UInt64:
                    return new ConstExpr(Convert.ToUInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "UL", TypeKind.Other);
                case SpecialType.System_Decimal:
                    return new ConstExpr(Convert.ToDecimal(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "M", TypeKind.Other);
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                case SpecialType.System_Byte:
                case SpecialType.System_SByte:
                    return new ConstExpr("(" + type.ToDisplayString() + ")" + Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture), TypeKind.Other);
                default:
                    return value is null && type.IsReferenceType ? new ConstExpr("null", TypeKind.Other) : null;
            }
        }

        internal static string FormatDouble(double d)
        {
            if (double.IsNaN(d)) return "double.NaN";
            if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
            if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
            string s = d.ToString("R", CultureInfo.InvariantCulture);
            if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0) s += ".0";
            return s;
        }

        internal static string FormatFloat(float f)
        {
            if (float.IsNaN(f)) return "float.NaN";
            if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
            if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
            return f.ToString("R", CultureInfo.InvariantCulture) + "f";
        }

        // ---------------------------------------------------------------- diagnostics

        /// <summary>TN2006 at the call, with the callee's name as an additional location.</summary>
        private static DiagnosticInfo CalleeHasErrors(IInvocationOperation invocation, IMethodSymbol callee, string display)
            => DiagnosticInfo.Create(DiagnosticDescriptors.CalleeHasErrors, LocationInfo.From(invocation.Syntax),
                LocationInfo.From(callee.OriginalDefinition.Locations.FirstOrDefault(l => l.IsInSource)), display);

        /// <summary>Notes a zero-derivative operation on the atom <paramref name="operand"/> (whose source is <paramref name="syntax"/>), for TN3001.</summary>
        private void NoteZeroDerivative(Expr operation, string operand, SyntaxNode syntax, string what)
            => _zeroDerivativeUses.Add(new ZeroDerivativeUse(operation, operand, LocationInfo.From(syntax), what, Shorten(syntax.ToString())));

        /// <summary>The double and float arguments of a zero-derivative call (Math.Floor, Convert.ToInt32...).</summary>
        private void NoteZeroDerivativeArguments(CallExpr call, IInvocationOperation invocation, EquatableArray<Expr> args)
        {
            var target = invocation.TargetMethod;
            string what = "'" + target.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "." + target.Name + "'";
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is null || !(args[argument.Parameter.Ordinal] is VarExpr v)) continue;
                if (argument.Value.Type is null || !TypeNames.IsDifferentiableScalar(argument.Value.Type)) continue;
                NoteZeroDerivative(call, v.Name, argument.Value.Syntax, what);
            }
        }

        private void Report(DiagnosticDescriptor descriptor, SyntaxNode at, params string[] args)
            => _diagnostics.Add(DiagnosticInfo.Create(descriptor, LocationInfo.From(at), args));

        private void ReportStatement(IOperation op)
        {
            string advice = op switch
            {
                ITryOperation _ => "exception handling is not supported; move the try/catch to the caller",
                ILockOperation _ => "locks are not supported; take the lock in the caller",
                IUsingOperation _ => "using blocks are not supported; create and dispose the resource in the caller",
                IUsingDeclarationOperation _ => "using declarations are not supported; create and dispose the resource in the caller",
                ISwitchOperation _ => "switch statements are not supported yet; use if/else",
                IForEachLoopOperation _ => "foreach is supported over double[], float[] and spans with a simple loop variable; use for loops with GetLength over a 2-D array",
                IBranchOperation b when b.BranchKind == BranchKind.GoTo => "goto is not supported; use structured loops with break and continue",
                ILocalFunctionOperation _ => "local functions are not supported; make it a [Differentiable] method of the type",
                IThrowOperation _ => "throw is not supported yet; validate the input in the caller",
                IReturnOperation _ => "a [Differentiable] method must return a value",
                _ => "this kind of statement is not supported in a [Differentiable] method; move it to the caller",
            };
            string what = DescribeKind(op.Syntax);
            Report(DiagnosticDescriptors.UnsupportedStatement, FirstLine(op.Syntax), what, advice);
        }

        private void ReportExpression(IOperation op)
        {
            string advice = op switch
            {
                IAnonymousFunctionOperation _ => "lambdas are not supported; write the function as a [Differentiable] method",
                IDelegateCreationOperation _ => "lambdas and delegates are not supported; write the function as a [Differentiable] method",
                IArrayCreationOperation _ => "this form of array creation is not supported; create the array with new T[n] and fill it in a loop",
                ICollectionExpressionOperation _ => "only collection expressions of plain elements that make a 1-D array are supported; create the array with new T[n] and fill it in a loop",
                IInterpolatedStringOperation _ => "strings cannot carry derivatives; keep string formatting out of the computation",
                IDynamicInvocationOperation _ => "dynamic is not supported; use static types",
                IDynamicMemberReferenceOperation _ => "dynamic is not supported; use static types",
                IAwaitOperation _ => "await is not supported",
                IBinaryOperation b when b.OperatorMethod != null => "user-defined operators are not supported; write the arithmetic on double or float",
                IUnaryOperation u when u.OperatorMethod != null => "user-defined operators are not supported; write the arithmetic on double or float",
                IObjectCreationOperation _ => "creating objects is not supported in a [Differentiable] method; create it in the caller and pass the values you need as parameters",
                _ => "this expression is not supported in a [Differentiable] method; compute it in the caller and pass the result as a parameter",
            };
            Report(DiagnosticDescriptors.UnsupportedExpression, op.Syntax, Describe(op), advice);
        }

        private static SyntaxNode FirstLine(SyntaxNode syntax) => syntax;

        private static string Describe(IOperation op) => "'" + Shorten(op.Syntax.ToString()) + "'";

        private static string DescribeKind(SyntaxNode syntax)
        {
            string kind = syntax switch
            {
                TryStatementSyntax _ => "try",
                LockStatementSyntax _ => "lock",
                UsingStatementSyntax _ => "using",
                SwitchStatementSyntax _ => "switch",
                ForEachStatementSyntax _ => "foreach",
                GotoStatementSyntax _ => "goto",
                LocalFunctionStatementSyntax _ => "local function",
                ThrowStatementSyntax _ => "throw",
                UnsafeStatementSyntax _ => "unsafe",
                FixedStatementSyntax _ => "fixed",
                CheckedStatementSyntax _ => "checked",
                LabeledStatementSyntax _ => "labeled",
                YieldStatementSyntax _ => "yield",
                _ => null,
            } ?? "";
            return kind.Length > 0 ? "The '" + kind + "' statement" : "The statement '" + Shorten(syntax.ToString()) + "'";
        }

        private static string Shorten(string text)
        {
            text = s_whitespace.Replace(text, " ").Trim();
            return text.Length > 60 ? text.Substring(0, 57) + "..." : text;
        }
    }
}
