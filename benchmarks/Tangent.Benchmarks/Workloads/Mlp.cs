using System;
using Tangent;

// Workload 5: the loss of a 2-layer tanh MLP on a mini-batch. The [Differentiable] Mlp.Loss is the sample's own
// (samples/DigitsMlp/Model.cs, linked by the .csproj, global namespace); this file adds the hand-written gradient.
public static partial class Mlp
{
    /// <summary>
    /// Backpropagation by hand, fused per sample (forward, softmax, backward, accumulate), with the per-sample
    /// scratch on the stack. Writes (does not add) into the four gradient arrays; returns the loss.
    /// </summary>
    public static double HandGradient(double[,] w1, double[] b1, double[,] w2, double[] b2,
                                      double[,] x, int[] labels, int start, int count,
                                      double[,] dW1, double[] dB1, double[,] dW2, double[] dB2)
    {
        int hidden = b1.Length, classes = b2.Length, inputs = x.GetLength(1);
        Array.Clear(dW1);
        Array.Clear(dB1);
        Array.Clear(dW2);
        Array.Clear(dB2);
        Span<double> h = stackalloc double[hidden];
        Span<double> z = stackalloc double[classes];
        Span<double> p = stackalloc double[classes];
        Span<double> dA = stackalloc double[hidden];
        double scale = 1.0 / count, total = 0;
        for (int s = start; s < start + count; s++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double a = b1[j];
                for (int k = 0; k < inputs; k++)
                    a += w1[j, k] * x[s, k];
                h[j] = Math.Tanh(a);
            }
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double zc = b2[c];
                for (int j = 0; j < hidden; j++)
                    zc += w2[c, j] * h[j];
                z[c] = zc;
                max = Math.Max(max, zc);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                p[c] = Math.Exp(z[c] - max);
                sum += p[c];
            }
            int label = labels[s];
            total += max + Math.Log(sum) - z[label];

            // Backward: dz = (softmax − onehot)/count; dW2 += dz·hᵀ; dh = W2ᵀ·dz; da = dh·(1 − h²); dW1 += da·xᵀ.
            dA.Clear();
            for (int c = 0; c < classes; c++)
            {
                double dz = (p[c] / sum - (c == label ? 1 : 0)) * scale;
                dB2[c] += dz;
                for (int j = 0; j < hidden; j++)
                {
                    dW2[c, j] += dz * h[j];
                    dA[j] += w2[c, j] * dz;
                }
            }
            for (int j = 0; j < hidden; j++)
            {
                double da = dA[j] * (1 - h[j] * h[j]);
                dB1[j] += da;
                for (int k = 0; k < inputs; k++)
                    dW1[j, k] += da * x[s, k];
            }
        }
        return total * scale;
    }

    /// <summary>
    /// Forward mode by hand: the loss and its directional derivative along (tW1, tB1, tW2, tB2), fused per sample with
    /// the scratch on the stack, as a careful person would write it. The tangent of the hidden layer is a second
    /// matrix-vector product as large as the first (tW1·x beside W1·x), and the output layer's is two (tW2·h and W2·th):
    /// the floor for any forward mode along a dense direction in weight space.
    /// </summary>
    public static (double Value, double Tangent) HandTangent(double[,] w1, double[] b1, double[,] w2, double[] b2,
                                                             double[,] x, int[] labels, int start, int count,
                                                             double[,] tW1, double[] tB1, double[,] tW2, double[] tB2)
    {
        int hidden = b1.Length, classes = b2.Length, inputs = x.GetLength(1);
        Span<double> h = stackalloc double[hidden];
        Span<double> th = stackalloc double[hidden];
        Span<double> z = stackalloc double[classes];
        Span<double> tz = stackalloc double[classes];
        double total = 0, tangent = 0;
        for (int s = start; s < start + count; s++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double a = b1[j], ta = tB1[j];
                for (int k = 0; k < inputs; k++)
                {
                    double xk = x[s, k];
                    a += w1[j, k] * xk;
                    ta += tW1[j, k] * xk;
                }
                double hj = Math.Tanh(a);
                h[j] = hj;
                th[j] = (1 - hj * hj) * ta;
            }
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double zc = b2[c], tzc = tB2[c];
                for (int j = 0; j < hidden; j++)
                {
                    zc += w2[c, j] * h[j];
                    tzc += tW2[c, j] * h[j] + w2[c, j] * th[j];
                }
                z[c] = zc;
                tz[c] = tzc;
                max = Math.Max(max, zc);
            }
            // d(log Σ exp z_c) = Σ softmax_c · dz_c.
            double sum = 0, weighted = 0;
            for (int c = 0; c < classes; c++)
            {
                double e = Math.Exp(z[c] - max);
                sum += e;
                weighted += e * tz[c];
            }
            int label = labels[s];
            total += max + Math.Log(sum) - z[label];
            tangent += weighted / sum - tz[label];
        }
        return (total / count, tangent / count);
    }
}
