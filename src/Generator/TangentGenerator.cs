using System.Linq;
using Microsoft.CodeAnalysis;
using Tangent.Generator.Emit;
using Tangent.Generator.Parsing;

namespace Tangent.Generator
{
    /// <summary>
    /// Tangent.Net: compile-time automatic differentiation. For every method marked
    /// <c>[Differentiable]</c> it adds <c>MForward</c>, <c>MAdjoint</c> and <c>MGradient</c> to the partial type.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class TangentGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // 1. Discovery, fence and lowering: each [Differentiable] method becomes a value-equatable
            //    model holding its IR (no symbols, syntax or positions) and its diagnostics.
            var methods = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    "Tangent.DifferentiableAttribute",
                    predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                    transform: static (ctx, ct) => MethodParser.Parse(ctx, ct))
                .WithTrackingName(TrackingNames.Methods);

            // 2. Diagnostics travel on their own: moving a method re-reports them without regenerating code.
            var diagnostics = methods
                .Select(static (m, _) => m.Diagnostics)
                .WithTrackingName(TrackingNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics, static (spc, list) =>
            {
                foreach (var d in list) spc.ReportDiagnostic(d.ToDiagnostic());
            });

            // 3. Code: analysis, forward and adjoint transformation, optimization and emission, from the
            //    position-free IR alone. Methods with errors generate nothing.
            var code = methods
                .Where(static m => m.Code != null)
                .Select(static (m, _) => m.Code!)
                .WithTrackingName(TrackingNames.Code);
            context.RegisterSourceOutput(code, static (spc, ir) =>
            {
                string source;
                try
                {
                    source = CSharpEmitter.Emit(ir);
                }
                catch (System.Exception ex)
                {
                    // Never crash the build: report and emit nothing for this method.
                    spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.DiagnosticDescriptors.InternalError, Location.None, ir.Name, ex.GetType().Name + ": " + ex.Message));
                    return;
                }
                spc.AddSource(ir.HintName, source);
            });
        }
    }
}
