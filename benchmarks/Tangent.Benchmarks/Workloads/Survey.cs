using System;
using Tangent;

namespace Tangent.Benchmarks.Workloads;

/// <summary>Workload 1: the survey's example f(x1, x2) = ln x1 + x1·x2 − sin x2 (Baydin et al., 2018, §3).</summary>
public static partial class Survey
{
    [Differentiable]
    public static double F(double x1, double x2) => Math.Log(x1) + x1 * x2 - Math.Sin(x2);

    /// <summary>The gradient by hand: ∂f/∂x1 = 1/x1 + x2, ∂f/∂x2 = x1 − cos x2; returns f.</summary>
    public static double HandGradient(double x1, double x2, out double dX1, out double dX2)
    {
        dX1 = 1 / x1 + x2;
        dX2 = x1 - Math.Cos(x2);
        return Math.Log(x1) + x1 * x2 - Math.Sin(x2);
    }
}
