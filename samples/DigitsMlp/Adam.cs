using System;

/// <summary>
/// The Adam optimizer (Kingma &amp; Ba, 2015) for several parameter blocks, each seen as a flat span.
/// Call <see cref="NextStep"/> once per step, then <see cref="Update"/> for every block with its gradient.
/// </summary>
public sealed class Adam(double learningRate, params int[] blockSizes)
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly double[][] _m = Array.ConvertAll(blockSizes, n => new double[n]);  // first moments
    private readonly double[][] _v = Array.ConvertAll(blockSizes, n => new double[n]);  // second moments
    private double _correction1 = 1, _correction2 = 1;                                   // β1^t, β2^t

    public void NextStep()
    {
        _correction1 *= Beta1;
        _correction2 *= Beta2;
    }

    public void Update(int block, Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        double[] m = _m[block], v = _v[block];
        double stepSize = learningRate / (1 - _correction1), scale2 = 1 / (1 - _correction2);
        for (int i = 0; i < parameters.Length; i++)
        {
            m[i] = Beta1 * m[i] + (1 - Beta1) * gradient[i];
            v[i] = Beta2 * v[i] + (1 - Beta2) * gradient[i] * gradient[i];
            parameters[i] -= stepSize * m[i] / (Math.Sqrt(v[i] * scale2) + Epsilon);
        }
    }
}
