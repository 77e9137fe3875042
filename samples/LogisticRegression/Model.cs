using System;
using Tangent;

/// <summary>
/// L2-regularized logistic regression. The class is <c>partial</c> because the generator adds the
/// derivative methods of <see cref="Loss"/> to it (see obj/Generated after a build).
/// </summary>
public static partial class Model
{
    /// <summary>
    /// Mean negative log-likelihood of labels <paramref name="y"/> (0 or 1) under
    /// p(y = 1 | xᵢ) = σ(w·xᵢ + b), plus λ/2·|w|².
    /// </summary>
    /// <remarks>
    /// With z = w·xᵢ + b, −log p(yᵢ | xᵢ) = softplus(z) − yᵢ·z where softplus(z) = log(1 + eᶻ).
    /// Written naively, eᶻ overflows for large z; the branch below uses the identity
    /// softplus(z) = z + log(1 + e⁻ᶻ) for z &gt; 0, so the exponent is never positive.
    ///
    /// <c>w</c> and <c>b</c> are the active parameters: the generator differentiates with respect to them.
    /// The data and λ are marked <see cref="NoDerivativeAttribute"/>: they are constants to the derivative.
    /// From this method the generator adds (same class, same accessibility):
    /// <code>
    /// // reverse mode, allocation-free: ADDS ∂Loss/∂w into dW and ∂Loss/∂b into dB (the caller zeroes them)
    /// double LossAdjoint(double[] w, double b, double[,] x, double[] y, double lambda,
    ///                    double[] dW, ref double dB, double dResult = 1)
    /// // reverse mode, convenient: value and a freshly allocated gradient
    /// (double Value, double[] dW, double dB) LossGradient(double[] w, double b, double[,] x, double[] y, double lambda)
    /// // forward mode: value and the directional derivative along (dW, dB)
    /// (double Value, double Tangent) LossForward(double[] w, double b, double[,] x, double[] y, double lambda,
    ///                                            double[] dW, double dB)
    /// </code>
    /// </remarks>
    [Differentiable]
    public static double Loss(double[] w, double b,
                              [NoDerivative] double[,] x, [NoDerivative] double[] y, [NoDerivative] double lambda)
    {
        int samples = x.GetLength(0), features = x.GetLength(1);

        double total = 0;
        for (int i = 0; i < samples; i++)
        {
            double z = b;
            for (int j = 0; j < features; j++)
                z += w[j] * x[i, j];

            double softplus;
            if (z > 0)
                softplus = z + Math.Log(1 + Math.Exp(-z));
            else
                softplus = Math.Log(1 + Math.Exp(z));

            total += softplus - y[i] * z;
        }

        double squaredNorm = 0;
        for (int j = 0; j < features; j++)
            squaredNorm += w[j] * w[j];

        return total / samples + 0.5 * lambda * squaredNorm;
    }

    /// <summary>Fraction of rows whose predicted class (σ(w·x + b) ≥ ½, i.e. w·x + b ≥ 0) equals the label.</summary>
    /// <remarks>An ordinary method: only <see cref="Loss"/> needs derivatives.</remarks>
    public static double Accuracy(double[] w, double b, double[,] x, double[] y)
    {
        int samples = x.GetLength(0), correct = 0;
        for (int i = 0; i < samples; i++)
        {
            double z = b;
            for (int j = 0; j < w.Length; j++)
                z += w[j] * x[i, j];
            double predicted = z >= 0 ? 1 : 0;
            if (predicted == y[i])
                correct++;
        }
        return (double)correct / samples;
    }
}
