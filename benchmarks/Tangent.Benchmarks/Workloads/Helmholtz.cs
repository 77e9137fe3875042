using System;
using Tangent;

namespace Tangent.Benchmarks.Workloads;

/// <summary>
/// Workload 2: the Helmholtz free energy of a mixture (Peng–Robinson form, R·T = 1), the survey's Table 4:
/// f(x) = Σᵢ xᵢ·ln(xᵢ / (1 − bᵀx)) − xᵀAx / (√8·bᵀx) · ln((1 + (1 + √2)·bᵀx) / (1 + (1 − √2)·bᵀx)).
/// </summary>
public static partial class Helmholtz
{
    /// <summary>The primal, written as samples/Optimization writes it (A·x in a local array).</summary>
    [Differentiable]
    public static double Energy(double[] x, [NoDerivative] double[,] a, [NoDerivative] double[] b)
    {
        const double RT = 1;
        int n = x.Length;

        double bx = 0;                                   // bᵀx
        for (int i = 0; i < n; i++)
            bx += b[i] * x[i];

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

    /// <summary>
    /// The same f written the way <see cref="HandGradient"/> computes its value: each row of A·x summed in a local and
    /// folded into xᵀAx at once (no A·x array, no load and store of <c>ax[i]</c> per element). It shows what the
    /// generated adjoint costs when the primal is written as carefully as the hand-written gradient.
    /// </summary>
    [Differentiable]
    public static double EnergyAccumulated(double[] x, [NoDerivative] double[,] a, [NoDerivative] double[] b)
    {
        int n = x.Length;
        double bx = 0, xAx = 0;
        for (int i = 0; i < n; i++)
        {
            bx += b[i] * x[i];
            double axi = 0;                              // (A·x)ᵢ
            for (int j = 0; j < n; j++)
                axi += a[i, j] * x[j];
            xAx += x[i] * axi;
        }

        double entropy = 0;
        for (int i = 0; i < n; i++)
            entropy += x[i] * Math.Log(x[i] / (1 - bx));

        double sqrt2 = Math.Sqrt(2);
        double attraction = xAx / (Math.Sqrt(8) * bx)
                          * Math.Log((1 + (1 + sqrt2) * bx) / (1 + (1 - sqrt2) * bx));
        return entropy - attraction;
    }

    /// <summary>
    /// The gradient written by hand, as a careful person would: one pass for bᵀx, Σx and A·x (A is symmetric,
    /// so ∇(xᵀAx) = 2·A·x and no second n² pass is needed), then one pass for the value and the gradient.
    /// Allocates nothing (A·x goes into the caller's scratch). Writes (does not add) into <paramref name="dX"/>;
    /// returns f.
    /// </summary>
    /// <remarks>
    /// With s = bᵀx, Q = xᵀAx, L = ln((1 + (1+√2)s) / (1 + (1−√2)s)), S = Σxᵢ:
    /// ∂f/∂xₖ = ln(xₖ / (1 − s)) + 1 + S·bₖ / (1 − s) − [2(Ax)ₖ·L / (√8 s) + Q·bₖ/√8 · (L′/s − L/s²)],
    /// L′ = (1+√2) / (1 + (1+√2)s) − (1−√2) / (1 + (1−√2)s).
    /// </remarks>
    public static double HandGradient(double[] x, double[,] a, double[] b, double[] dX, double[] ax)
    {
        int n = x.Length;
        double s = 0, sum = 0, q = 0;
        for (int i = 0; i < n; i++)
        {
            double xi = x[i];
            s += b[i] * xi;
            sum += xi;
            double axi = 0;
            for (int j = 0; j < n; j++)
                axi += a[i, j] * x[j];
            ax[i] = axi;
            q += xi * axi;
        }

        double sqrt2 = Math.Sqrt(2), sqrt8 = Math.Sqrt(8);
        double oneMinusS = 1 - s, logOneMinusS = Math.Log(oneMinusS);
        double up = 1 + (1 + sqrt2) * s, down = 1 + (1 - sqrt2) * s;
        double l = Math.Log(up / down);
        double dL = (1 + sqrt2) / up - (1 - sqrt2) / down;
        double attractionPerQ = l / (sqrt8 * s);                               // ∂(attraction)/∂Q
        double attractionPerS = q / sqrt8 * (dL / s - l / (s * s));            // ∂(attraction)/∂s
        double entropyPerS = sum / oneMinusS;                                  // ∂(entropy)/∂s

        double entropy = 0;
        for (int k = 0; k < n; k++)
        {
            double logRatio = Math.Log(x[k]) - logOneMinusS;
            entropy += x[k] * logRatio;
            dX[k] = logRatio + 1 + (entropyPerS - attractionPerS) * b[k] - 2 * ax[k] * attractionPerQ;
        }
        return entropy - q * attractionPerQ;
    }
}
