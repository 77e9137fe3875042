using System;
using Tangent;

namespace Tangent.Benchmarks.Workloads;

/// <summary>
/// Workload 7: 1000 explicit Euler steps of dx/dt = a·cos x − x, with the step
/// written inline. HelperCall.cs has the same loop calling a [Differentiable] helper <c>Step</c>; comparing the
/// two measures what a call between differentiated methods costs.
/// </summary>
public static partial class Helper
{
    public const int Steps = 1000;

    [Differentiable]
    public static double ChainInlined(double a, double x0)
    {
        double x = x0;
        for (int i = 0; i < 1000; i++)
            x = x + 0.01 * (a * Math.Cos(x) - x);
        return x;
    }

    /// <summary>
    /// Both partials carried forward beside x: with s = ∂x′/∂x = 1 − 0.01·(a·sin x + 1),
    /// ∂x′/∂a = s·∂x/∂a + 0.01·cos x and ∂x′/∂x0 = s·∂x/∂x0. Returns x after 1000 steps.
    /// </summary>
    public static double HandGradient(double a, double x0, out double dA, out double dX0)
    {
        double x = x0, ga = 0, gx = 1;
        for (int i = 0; i < Steps; i++)
        {
            double sin = Math.Sin(x), cos = Math.Cos(x);
            double slope = 1 - 0.01 * (a * sin + 1);
            ga = slope * ga + 0.01 * cos;
            gx = slope * gx;
            x = x + 0.01 * (a * cos - x);
        }
        dA = ga;
        dX0 = gx;
        return x;
    }
}
