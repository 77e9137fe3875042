using System;
using Tangent;

namespace Tangent.Benchmarks.Workloads;

/// <summary>Workload 3: the negative log-likelihood of L2-regularized logistic regression (as tests/Tangent.Tests/Models.cs writes it).</summary>
public static partial class LogisticRegression
{
    /// <summary>The L2 weight.</summary>
    public const double Lambda = 0.05;

    /// <summary>
    /// Σᵢ [log(1 + exp(zᵢ)) − yᵢ·zᵢ] + (λ/2)·|w|² with zᵢ = b + w·xᵢ (x: N × d, labels 0/1), the softplus
    /// written stably with a branch.
    /// </summary>
    [Differentiable]
    public static double Nll(double[] w, double b, [NoDerivative] double[,] x, [NoDerivative] double[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double z = b;
            for (int j = 0; j < d; j++)
                z += w[j] * x[i, j];
            double softplus;
            if (z > 0)
                softplus = z + Math.Log(1 + Math.Exp(-z));
            else
                softplus = Math.Log(1 + Math.Exp(z));
            total += softplus - y[i] * z;
        }
        double l2 = 0;
        for (int j = 0; j < w.Length; j++)
            l2 += w[j] * w[j];
        return total + 0.5 * Lambda * l2;
    }

    /// <summary>
    /// The gradient by hand, fused into the primal's one pass over the samples: ∂/∂zᵢ = σ(zᵢ) − yᵢ, so
    /// ∇w = Σᵢ (σ(zᵢ) − yᵢ)·xᵢ + λw and ∂b = Σᵢ (σ(zᵢ) − yᵢ). σ comes from the same exp as the softplus.
    /// Writes (does not add) into <paramref name="dW"/> and <paramref name="dB"/>; returns the NLL.
    /// </summary>
    public static double HandGradient(double[] w, double b, double[,] x, double[] y, double[] dW, out double dB)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        for (int j = 0; j < d; j++)
            dW[j] = Lambda * w[j];
        double total = 0, db = 0;
        for (int i = 0; i < n; i++)
        {
            double z = b;
            for (int j = 0; j < d; j++)
                z += w[j] * x[i, j];
            double softplus, sigma;
            if (z > 0)
            {
                double e = Math.Exp(-z);
                softplus = z + Math.Log(1 + e);
                sigma = 1 / (1 + e);
            }
            else
            {
                double e = Math.Exp(z);
                softplus = Math.Log(1 + e);
                sigma = e / (1 + e);
            }
            total += softplus - y[i] * z;
            double g = sigma - y[i];
            db += g;
            for (int j = 0; j < d; j++)
                dW[j] += g * x[i, j];
        }
        double l2 = 0;
        for (int j = 0; j < d; j++)
            l2 += w[j] * w[j];
        dB = db;
        return total + 0.5 * Lambda * l2;
    }
}
