using System;
using Tangent;

/// <summary>
/// The two functions this sample differentiates. The class is <c>partial</c> because the generator adds
/// their derivative methods to it; after a build, read them in obj/Generated.
/// </summary>
public static partial class Model
{
    /// <summary>
    /// The Rosenbrock function in any dimension: f(x) = Σᵢ 100·(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², minimum 0 at x = (1, …, 1).
    /// </summary>
    /// <remarks>
    /// <c>x</c> is the active parameter. The generator adds
    /// <code>
    /// // reverse mode, allocation-free: ADDS ∂f/∂x into dX (the caller zeroes it) and returns f(x)
    /// double RosenbrockAdjoint(double[] x, double[] dX, double dResult = 1)
    /// // reverse mode, convenient: f(x) and a freshly allocated gradient
    /// (double Value, double[] dX) RosenbrockGradient(double[] x)
    /// // forward mode: f(x) and the directional derivative ∇f(x)·dX
    /// (double Value, double Tangent) RosenbrockForward(double[] x, double[] dX)
    /// </code>
    /// </remarks>
    [Differentiable]
    public static double Rosenbrock(double[] x)
    {
        double f = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double valley = x[i + 1] - x[i] * x[i];
            double offset = 1 - x[i];
            f += 100 * valley * valley + offset * offset;
        }
        return f;
    }

    /// <summary>
    /// Helmholtz free energy of a mixture (Peng–Robinson form, R·T = 1), the classic AD benchmark:
    /// f(x) = Σᵢ xᵢ·ln(xᵢ / (1 − bᵀx)) − xᵀAx / (√8·bᵀx) · ln((1 + (1 + √2)·bᵀx) / (1 + (1 − √2)·bᵀx)).
    /// </summary>
    /// <remarks>
    /// Only the mole numbers <c>x</c> are active; the interaction matrix <c>a</c> and the co-volumes <c>b</c>
    /// are data, marked <see cref="NoDerivativeAttribute"/>. The generator adds
    /// <code>
    /// double HelmholtzAdjoint(double[] x, double[,] a, double[] b, double[] dX, double dResult = 1)
    /// (double Value, double[] dX) HelmholtzGradient(double[] x, double[,] a, double[] b)
    /// (double Value, double Tangent) HelmholtzForward(double[] x, double[,] a, double[] b, double[] dX)
    /// </code>
    /// </remarks>
    [Differentiable]
    public static double Helmholtz(double[] x, [NoDerivative] double[,] a, [NoDerivative] double[] b)
    {
        const double RT = 1;
        int n = x.Length;

        double bx = 0;                                   // bᵀx
        for (int i = 0; i < n; i++)
            bx += b[i] * x[i];

        // A·x goes into a local array, created once with new outside the loops (the rule for local arrays
        // that carry derivatives). The adjoint never records array element writes, so this keeps its tape
        // small; a scalar accumulator `double ax` reset in the outer loop would be recorded on every pass.
        var ax = new double[n];                          // A·x
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                ax[i] += a[i, j] * x[j];

        double xAx = 0;                                  // xᵀAx
        for (int i = 0; i < n; i++)
            xAx += x[i] * ax[i];

        double entropy = 0;                              // Σ xᵢ·ln(xᵢ / (1 − bᵀx))
        for (int i = 0; i < n; i++)
            entropy += x[i] * Math.Log(x[i] / (1 - bx));

        double sqrt2 = Math.Sqrt(2);
        double attraction = xAx / (Math.Sqrt(8) * bx)
                          * Math.Log((1 + (1 + sqrt2) * bx) / (1 + (1 - sqrt2) * bx));
        return RT * entropy - attraction;
    }
}
