using Tangent.Generator.Helpers;

namespace Tangent.Generator.IR
{
    /// <summary>How a variable came to be.</summary>
    public enum VariableKind
    {
        /// <summary>A local the user declared.</summary>
        User,

        /// <summary>A temporary introduced by lowering to A-normal form.</summary>
        Temp,

        /// <summary>A local copy of a parameter the method assigns to (parameters themselves are never written).</summary>
        ParameterCopy,
    }

    /// <summary>A local variable of the IR: unique name within the method, type, origin.</summary>
    public sealed record VariableInfo(string Name, IrType Type, VariableKind Kind, string DerivativeName);

    /// <summary>
    /// A parameter of the primal. <see cref="IsActive"/> is the contract's notion (differentiable type,
    /// not [NoDerivative]); <see cref="DerivativeName"/> is its tangent/adjoint name (<c>x1</c> → <c>dX1</c>).
    /// </summary>
    public sealed record ParameterInfo(string Name, IrType Type, bool IsActive, string DerivativeName);

    /// <summary>One type of the chain that contains the method, outermost first, as its partial declaration spells it.</summary>
    public sealed record ContainingTypeInfo(string Keyword, string Name, string TypeParameters);

    /// <summary>
    /// A [Differentiable] method lowered to the IR: everything code generation needs, and nothing else
    /// (no symbols, no syntax, no source positions), so that it caches by value.
    /// </summary>
    public sealed record MethodIR(
        string HintName,
        string Namespace,
        EquatableArray<ContainingTypeInfo> ContainingTypes,
        string Name,
        string Accessibility,
        bool IsStatic,
        IrType ReturnType,
        EquatableArray<ParameterInfo> Parameters,
        EquatableArray<VariableInfo> Locals,
        EquatableArray<Stmt> Body,
        EquatableArray<string> Origins,
        string CrefSignature)
    {
        public string ForwardName => Name + "Forward";
        public string AdjointName => Name + "Adjoint";
        public string GradientName => Name + "Gradient";
    }
}
