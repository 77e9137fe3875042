using Tangent.Generator.Helpers;

namespace Tangent.Generator.IR
{
    /// <summary>
    /// A statement of the primal IR. <see cref="Origin"/> indexes <see cref="MethodIR.Origins"/>: the
    /// source text of the C# statement it was lowered from, printed over its derivative code.
    /// </summary>
    public abstract record Stmt(int Origin);

    /// <summary><c>Target = Value</c>: one operation on atoms (A-normal form); the target is never an operand.</summary>
    public sealed record AssignStmt(string Target, Expr Value, int Origin) : Stmt(Origin);

    /// <summary>A call whose result is discarded (<c>Console.WriteLine(x)</c>): runs once, takes no part in derivatives.</summary>
    public sealed record ExprStmt(Expr Value, int Origin) : Stmt(Origin);

    /// <summary><c>return Value</c> where Value is an atom.</summary>
    public sealed record ReturnStmt(Expr Value, int Origin) : Stmt(Origin);

    /// <summary><c>if (Condition) Then else Else</c>, Condition an atom.</summary>
    public sealed record IfStmt(Expr Condition, EquatableArray<Stmt> Then, EquatableArray<Stmt> Else, int Origin) : Stmt(Origin);

    /// <summary>
    /// <c>while (true) { Body; Step }</c>: every loop is lowered to this form, its condition becoming an
    /// <c>if (!c) break;</c> in Body (for, while) or in Step (do). <c>continue</c> jumps to Step.
    /// </summary>
    public sealed record LoopStmt(EquatableArray<Stmt> Body, EquatableArray<Stmt> Step, int Origin) : Stmt(Origin);

    /// <summary><c>break</c> out of the innermost loop.</summary>
    public sealed record BreakStmt(int Origin) : Stmt(Origin);

    /// <summary><c>continue</c> with the innermost loop's Step.</summary>
    public sealed record ContinueStmt(int Origin) : Stmt(Origin);
}

namespace Tangent.Generator.IR
{
    /// <summary>
    /// A loop without jumps, made by <see cref="Transform.JumpElimination"/> for the adjoint:
    /// <c>while (true) { Before; if (!Condition) break; After; }</c>. Its adjoint counts the passes.
    /// </summary>
    public sealed record WhileStmt(Helpers.EquatableArray<Stmt> Before, Expr Condition, Helpers.EquatableArray<Stmt> After, int Origin) : Stmt(Origin);
}

namespace Tangent.Generator.IR
{
    /// <summary>
    /// An element store <c>Array[Indices] Op Value</c> with Op <c>=</c>, <c>+=</c> or <c>-=</c>; Value and
    /// the indices are atoms. Only local arrays are written (parameters are read-only).
    /// </summary>
    public sealed record StoreStmt(string Array, Helpers.EquatableArray<Expr> Indices, Expr Value, string Op, int Origin) : Stmt(Origin);
}
