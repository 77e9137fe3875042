using Tangent.Generator.Diagnostics;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;

namespace Tangent.Generator.Parsing
{
    /// <summary>
    /// What discovery produces for one [Differentiable] method: the lowered IR (null when the method has
    /// errors) and its diagnostics, kept apart so that moving code around re-reports diagnostics without
    /// regenerating code.
    /// </summary>
    public sealed record MethodModel(MethodIR? Code, EquatableArray<DiagnosticInfo> Diagnostics);
}
