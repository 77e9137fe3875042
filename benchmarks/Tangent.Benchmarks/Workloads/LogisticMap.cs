using Tangent;

namespace Tangent.Benchmarks.Workloads;

/// <summary>Workload 4: the logistic map xₖ₊₁ = r·xₖ·(1 − xₖ) iterated <c>steps</c> times (a loop that overwrites its variable).</summary>
public static partial class LogisticMap
{
    [Differentiable]
    public static double Iterate(double r, double x0, int steps)
    {
        double x = x0;
        for (int i = 0; i < steps; i++)
            x = r * x * (1 - x);
        return x;
    }

    /// <summary>
    /// Both partial derivatives by hand, carried forward beside x (the way one writes it without AD: no
    /// storage, two more multiply-adds per step): ∂xₖ₊₁/∂r = xₖ(1 − xₖ) + r(1 − 2xₖ)·∂xₖ/∂r,
    /// ∂xₖ₊₁/∂x0 = r(1 − 2xₖ)·∂xₖ/∂x0. Returns x_steps.
    /// </summary>
    public static double HandGradient(double r, double x0, int steps, out double dR, out double dX0)
    {
        double x = x0, gr = 0, gx = 1;
        for (int i = 0; i < steps; i++)
        {
            double slope = r * (1 - 2 * x);
            gr = x * (1 - x) + slope * gr;
            gx = slope * gx;
            x = r * x * (1 - x);
        }
        dR = gr;
        dX0 = gx;
        return x;
    }
}
