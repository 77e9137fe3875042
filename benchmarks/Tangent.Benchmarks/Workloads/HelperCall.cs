using System;
using Tangent;

namespace Tangent.Benchmarks.Workloads;

// Workload 6: the Euler loop calling a [Differentiable] helper, differentiated through the helper's generated
// methods (StepForward; StepRecord/StepReverse in the adjoint). HelperInlined.cs has the same loop written inline.
public static partial class Helper
{
    /// <summary>One explicit Euler step of dx/dt = a·cos x − x.</summary>
    [Differentiable]
    public static double Step(double a, double x) => x + 0.01 * (a * Math.Cos(x) - x);

    /// <summary>1000 steps through the helper: the generated derivatives call StepForward, or StepRecord and StepReverse, 1000 times.</summary>
    [Differentiable]
    public static double Chain(double a, double x0)
    {
        double x = x0;
        for (int i = 0; i < 1000; i++)
            x = Step(a, x);
        return x;
    }
}
