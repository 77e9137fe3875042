using System;

namespace Tangent.Tests;

/// <summary>
/// Realistic models over arrays, differentiated by the generator and checked by <see cref="ModelTests"/>:
/// softmax cross-entropy (one example and a batch), logistic regression, a 2-layer tanh MLP and a Gaussian
/// mixture. Each is written the way a numerical C# developer would write it: stable log-sum-exp, a branch for
/// the softplus, scratch arrays created once before the sample loop and overwritten per sample.
/// </summary>
public static partial class Models
{
    // ---- 1. Softmax cross-entropy --------------------------------------------------------------------------

    /// <summary>−log softmax(z)[label] = logsumexp(z) − z[label], with the max subtracted (stable).</summary>
    [Differentiable]
    public static double Loss(double[] z, int label)
    {
        double m = z[0];
        foreach (double zk in z)
            m = Math.Max(m, zk);
        double s = 0;
        for (int k = 0; k < z.Length; k++)
            s += Math.Exp(z[k] - m);
        return m + Math.Log(s) - z[label];
    }

    /// <summary>
    /// Mean over the n samples of the softmax cross-entropy of the logits x[i, ·]·w (x: n × d, w: d × K), with a
    /// logits array created once before the sample loop and overwritten per sample.
    /// </summary>
    [Differentiable]
    public static double Loss(double[,] w, [NoDerivative] double[,] x, [NoDerivative] int[] labels)
    {
        int n = x.GetLength(0), d = x.GetLength(1), classes = w.GetLength(1);
        double[] z = new double[classes];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                double zk = 0;
                for (int j = 0; j < d; j++)
                    zk += x[i, j] * w[j, k];
                z[k] = zk;
            }
            double m = z[0];
            for (int k = 1; k < classes; k++)
                m = Math.Max(m, z[k]);
            double s = 0;
            for (int k = 0; k < classes; k++)
                s += Math.Exp(z[k] - m);
            total += m + Math.Log(s) - z[labels[i]];
        }
        return total / n;
    }

    /// <summary><see cref="Loss(double[], int)"/> over a span (the adjoint's shadow is a Span&lt;double&gt;).</summary>
    [Differentiable]
    public static double SpanLoss(ReadOnlySpan<double> z, int label)
    {
        double m = z[0];
        for (int k = 1; k < z.Length; k++)
            m = Math.Max(m, z[k]);
        double s = 0;
        foreach (double zk in z)
            s += Math.Exp(zk - m);
        return m + Math.Log(s) - z[label];
    }

    // ---- 2. Logistic regression ----------------------------------------------------------------------------

    /// <summary>The L2 weight of <see cref="Nll"/>.</summary>
    public const double Lambda = 0.05;

    /// <summary>
    /// Σᵢ [log(1 + exp(zᵢ)) − yᵢ·zᵢ] + (λ/2)·|w|² with zᵢ = b + w·xᵢ: the negative log-likelihood of logistic
    /// regression (labels 0/1), the softplus written stably with a branch (log(1 + exp(z)) = z + log(1 + exp(−z))).
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

    // ---- 3. Two-layer tanh MLP -----------------------------------------------------------------------------

    /// <summary>
    /// ½·mean over samples of |y − t|² for y = w2ᵀ·tanh(w1ᵀ·x + b1) + b2 (x: n × d, w1: d × H, b1: H, w2: H × O,
    /// b2: O, t: n·O row-major targets). The hidden layer is a local array created once before the sample loop
    /// and overwritten for every sample.
    /// </summary>
    [Differentiable]
    public static double MlpLoss(double[,] w1, double[] b1, double[,] w2, double[] b2,
                                 [NoDerivative] double[,] x, [NoDerivative] double[] t)
    {
        int n = x.GetLength(0), d = x.GetLength(1), hidden = w1.GetLength(1), outputs = w2.GetLength(1);
        double[] h = new double[hidden];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < hidden; k++)
            {
                double a = b1[k];
                for (int j = 0; j < d; j++)
                    a += x[i, j] * w1[j, k];
                h[k] = Math.Tanh(a);
            }
            for (int o = 0; o < outputs; o++)
            {
                double yo = b2[o];
                for (int k = 0; k < hidden; k++)
                    yo += h[k] * w2[k, o];
                double e = yo - t[i * outputs + o];
                total += e * e;
            }
        }
        return 0.5 * total / n;
    }

    /// <summary>
    /// <see cref="MlpLoss"/> written in place: the pre-activations accumulate into the hidden array (h[k] +=),
    /// which is then overwritten by its tanh, and the outputs go through a second scratch array — every element
    /// is overwritten several times per sample and across samples.
    /// </summary>
    [Differentiable]
    public static double MlpLossInPlace(double[,] w1, double[] b1, double[,] w2, double[] b2,
                                        [NoDerivative] double[,] x, [NoDerivative] double[] t)
    {
        int n = x.GetLength(0), d = x.GetLength(1), hidden = w1.GetLength(1), outputs = w2.GetLength(1);
        double[] h = new double[hidden];
        double[] y = new double[outputs];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < hidden; k++)
            {
                h[k] = b1[k];
                for (int j = 0; j < d; j++)
                    h[k] += x[i, j] * w1[j, k];
                h[k] = Math.Tanh(h[k]);
            }
            for (int o = 0; o < outputs; o++)
            {
                y[o] = b2[o];
                for (int k = 0; k < hidden; k++)
                    y[o] += h[k] * w2[k, o];
            }
            for (int o = 0; o < outputs; o++)
            {
                double e = y[o] - t[i * outputs + o];
                total += e * e;
            }
        }
        return 0.5 * total / n;
    }

    // ---- 4. Gaussian mixture -------------------------------------------------------------------------------

    /// <summary>
    /// Σₓ log Σₖ πₖ·N(x; μₖ, σₖ²) with π = softmax(logits), σₖ = exp(logSigmasₖ); both sums over components by a
    /// stable log-sum-exp, the per-component log-densities in a local array created before the data loop.
    /// </summary>
    [Differentiable]
    public static double LogLik(double[] means, double[] logSigmas, double[] logits, [NoDerivative] double[] data)
    {
        int components = means.Length;
        double halfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

        double lm = logits[0];
        for (int k = 1; k < components; k++)
            lm = Math.Max(lm, logits[k]);
        double ls = 0;
        for (int k = 0; k < components; k++)
            ls += Math.Exp(logits[k] - lm);
        double logNorm = lm + Math.Log(ls);

        double[] terms = new double[components];
        double total = 0;
        foreach (double xv in data)
        {
            for (int k = 0; k < components; k++)
            {
                double u = (xv - means[k]) * Math.Exp(-logSigmas[k]);
                terms[k] = logits[k] - logNorm - halfLog2Pi - logSigmas[k] - 0.5 * u * u;
            }
            double m = terms[0];
            for (int k = 1; k < components; k++)
                m = Math.Max(m, terms[k]);
            double s = 0;
            for (int k = 0; k < components; k++)
                s += Math.Exp(terms[k] - m);
            total += m + Math.Log(s);
        }
        return total;
    }
}
