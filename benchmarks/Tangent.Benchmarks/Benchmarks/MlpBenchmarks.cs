using System;
using BenchmarkDotNet.Attributes;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks;

/// <summary>
/// The DigitsMlp sample's shape on synthetic data: 64 inputs → 32 tanh units → 10 classes, a mini-batch of 32.
/// 2410 parameters, so there is no n-direction forward gradient (it would take 2410 forward calls).
/// </summary>
[MemoryDiagnoser]
[Workload(5, "2-layer tanh MLP, softmax cross-entropy on a mini-batch (64 → 32 → 10, batch 32)", "w1, b1, w2, b2: 2410")]
public class MlpBenchmarks
{
    public const int Inputs = 64, Hidden = 32, Classes = 10, Rows = 256, Start = 64, Batch = 32;
    private const double H = 1e-6;

    private double[,] _w1 = new double[0, 0], _w2 = new double[0, 0], _x = new double[0, 0];
    private double[] _b1 = Array.Empty<double>(), _b2 = Array.Empty<double>();
    private int[] _labels = Array.Empty<int>();
    private double[,] _dW1 = new double[0, 0], _dW2 = new double[0, 0], _tW1 = new double[0, 0], _tW2 = new double[0, 0];
    private double[] _dB1 = Array.Empty<double>(), _dB2 = Array.Empty<double>(), _tB1 = Array.Empty<double>(), _tB2 = Array.Empty<double>();
    private double[] _differences = Array.Empty<double>();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(64_32_10);
        _x = new double[Rows, Inputs];
        _labels = new int[Rows];
        for (int s = 0; s < Rows; s++)
        {
            _labels[s] = random.Next(Classes);
            for (int k = 0; k < Inputs; k++)
                _x[s, k] = random.NextDouble();
        }
        _w1 = Uniform(random, Hidden, Inputs, 1 / Math.Sqrt(Inputs));
        _b1 = new double[Hidden];
        _w2 = Uniform(random, Classes, Hidden, 1 / Math.Sqrt(Hidden));
        _b2 = new double[Classes];
        for (int j = 0; j < Hidden; j++)
            _b1[j] = 0.1 * (random.NextDouble() - 0.5);
        for (int c = 0; c < Classes; c++)
            _b2[c] = 0.1 * (random.NextDouble() - 0.5);
        _dW1 = new double[Hidden, Inputs];
        _dB1 = new double[Hidden];
        _dW2 = new double[Classes, Hidden];
        _dB2 = new double[Classes];
        _tW1 = Uniform(random, Hidden, Inputs, 1);
        _tB1 = new double[Hidden];
        _tW2 = Uniform(random, Classes, Hidden, 1);
        _tB2 = new double[Classes];
        for (int j = 0; j < Hidden; j++)
            _tB1[j] = random.NextDouble() - 0.5;
        for (int c = 0; c < Classes; c++)
            _tB2[c] = random.NextDouble() - 0.5;
        _differences = new double[Hidden * Inputs + Hidden + Classes * Hidden + Classes];

        double value = Mlp.HandGradient(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _dW1, _dB1, _dW2, _dB2);
        double[] hand = Flatten(_dW1, _dB1, _dW2, _dB2);
        Agreement.Scalar("MLP: hand-written value", value, Primal());

        Array.Clear(_dW1);
        Array.Clear(_dB1);
        Array.Clear(_dW2);
        Array.Clear(_dB2);
        double adjointValue = Mlp.LossAdjoint(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _dW1, _dB1, _dW2, _dB2);
        Agreement.Scalar("MLP: adjoint value", adjointValue, value);
        Agreement.Gradient("MLP: adjoint gradient", Flatten(_dW1, _dB1, _dW2, _dB2), hand);

        var (forwardValue, tangent) = Mlp.LossForward(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _tW1, _tB1, _tW2, _tB2);
        Agreement.Scalar("MLP: forward value", forwardValue, value);
        Agreement.Scalar("MLP: forward directional derivative", tangent, Agreement.Dot(hand, Flatten(_tW1, _tB1, _tW2, _tB2)));
        var (handValue, handTangent) = Mlp.HandTangent(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _tW1, _tB1, _tW2, _tB2);
        Agreement.Scalar("MLP: hand-written forward value", handValue, value);
        Agreement.Scalar("MLP: hand-written directional derivative", handTangent, tangent);

        CentralDifferences();
        Agreement.Numerically("MLP: central differences", _differences, hand);
    }

    [Benchmark(Baseline = true)]
    public double Primal() => Mlp.Loss(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch);

    [Benchmark]
    public double Adjoint()
    {
        Array.Clear(_dW1);
        Array.Clear(_dB1);
        Array.Clear(_dW2);
        Array.Clear(_dB2);
        return Mlp.LossAdjoint(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _dW1, _dB1, _dW2, _dB2) + _dB2[0];
    }

    [Benchmark]
    public double Forward()
    {
        var (value, tangent) = Mlp.LossForward(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _tW1, _tB1, _tW2, _tB2);
        return value + tangent;
    }

    /// <summary>Forward mode along the same direction, written by hand (<see cref="Mlp.HandTangent"/>).</summary>
    [Benchmark]
    public double ForwardHandWritten()
    {
        var (value, tangent) = Mlp.HandTangent(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _tW1, _tB1, _tW2, _tB2);
        return value + tangent;
    }

    [Benchmark]
    public double HandWritten() =>
        Mlp.HandGradient(_w1, _b1, _w2, _b2, _x, _labels, Start, Batch, _dW1, _dB1, _dW2, _dB2) + _dB2[0];

    /// <summary>Central differences over all 2410 parameters: 4820 primal calls.</summary>
    [Benchmark]
    public double CentralDifferences()
    {
        int index = 0;
        for (int j = 0; j < Hidden; j++)
            for (int k = 0; k < Inputs; k++)
                _differences[index++] = Difference(ref _w1[j, k]);
        for (int j = 0; j < Hidden; j++)
            _differences[index++] = Difference(ref _b1[j]);
        for (int c = 0; c < Classes; c++)
            for (int j = 0; j < Hidden; j++)
                _differences[index++] = Difference(ref _w2[c, j]);
        for (int c = 0; c < Classes; c++)
            _differences[index++] = Difference(ref _b2[c]);
        return _differences[0];
    }

    private double Difference(ref double parameter)
    {
        double saved = parameter;
        parameter = saved + H;
        double plus = Primal();
        parameter = saved - H;
        double minus = Primal();
        parameter = saved;
        return (plus - minus) / (2 * H);
    }

    private static double[,] Uniform(Random random, int rows, int columns, double scale)
    {
        var m = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                m[i, j] = scale * (2 * random.NextDouble() - 1);
        return m;
    }

    private static double[] Flatten(double[,] w1, double[] b1, double[,] w2, double[] b2)
    {
        var all = new double[w1.Length + b1.Length + w2.Length + b2.Length];
        int index = 0;
        foreach (double v in w1) all[index++] = v;
        foreach (double v in b1) all[index++] = v;
        foreach (double v in w2) all[index++] = v;
        foreach (double v in b2) all[index++] = v;
        return all;
    }
}
