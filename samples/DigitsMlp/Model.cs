using System;
using Tangent;

/// <summary>
/// A one-hidden-layer perceptron for 8×8 digits: 64 pixels → <c>hidden</c> tanh units → 10 logits.
/// Parameters: w1[hidden, 64], b1[hidden], w2[10, hidden], b2[10].
/// </summary>
/// <remarks>
/// <see cref="Loss"/> is the only method written by hand that has derivatives. From it the Tangent
/// generator adds, in this same partial class (see obj/Generated/.../Mlp.Loss(...).g.cs):
/// <list type="bullet">
/// <item><c>LossAdjoint(w1, b1, w2, b2, x, labels, start, count, dW1, dB1, dW2, dB2, dResult = 1)</c>:
///   reverse mode. Returns the loss and <em>adds</em> its gradient into the four shadow arrays.
///   The training loop uses this one: the shadows are allocated once and cleared before each step, and
///   the adjoint's own scratch (the tape, the shadows of <c>h</c> and <c>z</c> below) is pooled per
///   thread, so a training step allocates nothing but the two small scratch arrays of the primal.</item>
/// <item><c>LossGradient(w1, b1, w2, b2, x, labels, start, count)</c>: the same, returning a tuple of
///   freshly allocated gradient arrays. Convenient, used once for the gradient check.</item>
/// <item><c>LossForward(w1, b1, w2, b2, x, labels, start, count, dW1, dB1, dW2, dB2)</c>: forward mode.
///   Returns the loss and its directional derivative along the given tangents; the gradient check
///   uses it to confirm that both modes agree.</item>
/// </list>
/// </remarks>
public static partial class Mlp
{
    public const int Inputs = 64;
    public const int Classes = 10;

    /// <summary>
    /// Mean softmax cross-entropy of the samples <c>start .. start + count − 1</c> (rows of <paramref name="x"/>).
    /// </summary>
    /// <remarks>
    /// Written as one method with plain loops (a helper per layer, each [Differentiable], would work too: the
    /// generated code calls the helpers' own derivatives). Local arrays are created once with <c>new</c> before
    /// the sample loop and overwritten for every sample. The data, labels and batch bounds are [NoDerivative]:
    /// they get no shadow. The benchmarks (benchmarks/Tangent.Benchmarks, MLP workload) time this method.
    /// </remarks>
    [Differentiable]
    public static double Loss(double[,] w1, double[] b1, double[,] w2, double[] b2,
                              [NoDerivative] double[,] x, [NoDerivative] int[] labels,
                              [NoDerivative] int start, [NoDerivative] int count)
    {
        int hidden = b1.Length, classes = b2.Length, inputs = x.GetLength(1);
        var h = new double[hidden];    // hidden activations, overwritten for every sample
        var z = new double[classes];   // logits, overwritten for every sample
        double total = 0;
        for (int s = start; s < start + count; s++)
        {
            // Hidden layer: h = tanh(W1·x + b1).
            for (int j = 0; j < hidden; j++)
            {
                double a = b1[j];
                for (int k = 0; k < inputs; k++)
                    a += w1[j, k] * x[s, k];
                h[j] = Math.Tanh(a);
            }

            // Output layer: z = W2·h + b2, and the largest logit.
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double zc = b2[c];
                for (int j = 0; j < hidden; j++)
                    zc += w2[c, j] * h[j];
                z[c] = zc;
                max = Math.Max(max, zc);
            }

            // Cross-entropy −log softmax(z)[label] = log Σ exp(z_c) − z_label, with the log-sum-exp shifted
            // by the largest logit so that exp never overflows. The shift cancels in the value and in the
            // derivative, so it is kept out of the differentiation with StopGradient.
            double shift = Autodiff.StopGradient(max);
            double sum = 0;
            for (int c = 0; c < classes; c++)
                sum += Math.Exp(z[c] - shift);
            total += shift + Math.Log(sum) - z[labels[s]];
        }
        return total / count;
    }

    /// <summary>The most likely digit for row <paramref name="s"/> of <paramref name="x"/> (plain C#, no derivatives).</summary>
    public static int Predict(double[,] w1, double[] b1, double[,] w2, double[] b2, double[,] x, int s)
    {
        int hidden = b1.Length;
        Span<double> h = stackalloc double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double a = b1[j];
            for (int k = 0; k < x.GetLength(1); k++)
                a += w1[j, k] * x[s, k];
            h[j] = Math.Tanh(a);
        }

        int best = 0;
        double bestLogit = double.NegativeInfinity;
        for (int c = 0; c < b2.Length; c++)
        {
            double zc = b2[c];
            for (int j = 0; j < hidden; j++)
                zc += w2[c, j] * h[j];
            if (zc > bestLogit)
            {
                bestLogit = zc;
                best = c;
            }
        }
        return best;
    }

    /// <summary>Fraction of the rows of <paramref name="x"/> whose prediction equals the label.</summary>
    public static double Accuracy(double[,] w1, double[] b1, double[,] w2, double[] b2, double[,] x, int[] labels)
    {
        int correct = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            if (Predict(w1, b1, w2, b2, x, s) == labels[s])
                correct++;
        }
        return (double)correct / labels.Length;
    }
}
