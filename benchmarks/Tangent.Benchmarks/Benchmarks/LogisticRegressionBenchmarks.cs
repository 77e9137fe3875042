using System;
using BenchmarkDotNet.Attributes;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks;

[MemoryDiagnoser]
[Workload(3, "Logistic-regression negative log-likelihood, N = 1000 samples, d = 20", "w ∈ ℝ²⁰ and b: 21")]
public class LogisticRegressionBenchmarks
{
    public const int Samples = 1000, Features = 20;
    private const double H = 1e-6;

    private double[,] _x = new double[0, 0];
    private double[] _y = Array.Empty<double>(), _w = Array.Empty<double>(), _dW = Array.Empty<double>();
    private double[] _directionW = Array.Empty<double>(), _unit = Array.Empty<double>(), _forwardGradient = Array.Empty<double>();
    private double[] _work = Array.Empty<double>(), _differences = Array.Empty<double>();
    private double _b, _directionB;

    /// <summary>Standard normal features, labels drawn from a true model, and a point near (not at) the optimum.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1000_20);
        _x = new double[Samples, Features];
        _y = new double[Samples];
        var truth = new double[Features];
        for (int j = 0; j < Features; j++)
            truth[j] = Gaussian(random);
        for (int i = 0; i < Samples; i++)
        {
            double z = 0.3;
            for (int j = 0; j < Features; j++)
            {
                _x[i, j] = Gaussian(random);
                z += truth[j] * _x[i, j];
            }
            _y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }
        _w = new double[Features];
        for (int j = 0; j < Features; j++)
            _w[j] = 0.5 * truth[j] + 0.1 * Gaussian(random);
        _b = 0.1;
        _dW = new double[Features];
        _unit = new double[Features];
        _forwardGradient = new double[Features + 1];
        _work = (double[])_w.Clone();
        _differences = new double[Features + 1];
        _directionW = new double[Features];
        for (int j = 0; j < Features; j++)
            _directionW[j] = random.NextDouble() - 0.5;
        _directionB = 0.25;

        var handW = new double[Features];
        double value = LogisticRegression.HandGradient(_w, _b, _x, _y, handW, out double handB);
        double[] hand = Concat(handW, handB);
        Agreement.Scalar("Logistic regression: hand-written value", value, LogisticRegression.Nll(_w, _b, _x, _y));

        Array.Clear(_dW);
        double dB = 0;
        Agreement.Scalar("Logistic regression: adjoint value", LogisticRegression.NllAdjoint(_w, _b, _x, _y, _dW, ref dB), value);
        Agreement.Gradient("Logistic regression: adjoint gradient", Concat(_dW, dB), hand);

        ForwardGradient();
        Agreement.Gradient("Logistic regression: forward gradient (21 directions)", _forwardGradient, hand);
        var (forwardValue, tangent) = LogisticRegression.NllForward(_w, _b, _x, _y, _directionW, _directionB);
        Agreement.Scalar("Logistic regression: forward value", forwardValue, value);
        Agreement.Scalar("Logistic regression: forward directional derivative", tangent,
            Agreement.Dot(handW, _directionW) + handB * _directionB);

        CentralDifferences();
        Agreement.Numerically("Logistic regression: central differences", _differences, hand);
    }

    [Benchmark(Baseline = true)]
    public double Primal() => LogisticRegression.Nll(_w, _b, _x, _y);

    [Benchmark]
    public double Adjoint()
    {
        Array.Clear(_dW);
        double dB = 0;
        return LogisticRegression.NllAdjoint(_w, _b, _x, _y, _dW, ref dB) + dB;
    }

    [Benchmark]
    public double Forward()
    {
        var (value, tangent) = LogisticRegression.NllForward(_w, _b, _x, _y, _directionW, _directionB);
        return value + tangent;
    }

    /// <summary>21 forward calls: one per weight and one for the bias.</summary>
    [Benchmark]
    public double ForwardGradient()
    {
        double[] unit = _unit;
        for (int j = 0; j < unit.Length; j++)
        {
            unit[j] = 1;
            _forwardGradient[j] = LogisticRegression.NllForward(_w, _b, _x, _y, unit, 0).Tangent;
            unit[j] = 0;
        }
        _forwardGradient[Features] = LogisticRegression.NllForward(_w, _b, _x, _y, unit, 1).Tangent;
        return _forwardGradient[0];
    }

    [Benchmark]
    public double HandWritten() => LogisticRegression.HandGradient(_w, _b, _x, _y, _dW, out double dB) + dB;

    /// <summary>Central differences: 2·21 primal calls.</summary>
    [Benchmark]
    public double CentralDifferences()
    {
        double[] work = _work;
        for (int j = 0; j < work.Length; j++)
        {
            double wj = work[j];
            work[j] = wj + H;
            double plus = LogisticRegression.Nll(work, _b, _x, _y);
            work[j] = wj - H;
            double minus = LogisticRegression.Nll(work, _b, _x, _y);
            work[j] = wj;
            _differences[j] = (plus - minus) / (2 * H);
        }
        _differences[Features] = (LogisticRegression.Nll(work, _b + H, _x, _y) - LogisticRegression.Nll(work, _b - H, _x, _y)) / (2 * H);
        return _differences[0];
    }

    private static double[] Concat(double[] w, double b)
    {
        var all = new double[w.Length + 1];
        w.CopyTo(all, 0);
        all[w.Length] = b;
        return all;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
