using BenchmarkDotNet.Attributes;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks;

[MemoryDiagnoser]
[Workload(4, "Logistic map x ← r·x·(1 − x), 1000 steps", "r and x0: 2")]
public class LogisticMapBenchmarks
{
    public const int Steps = 1000;
    private const double H = 1e-7;

    /// <summary>r = 3.2: a stable 2-cycle, so the derivatives neither overflow (as they do in the chaotic range) nor vanish at once.</summary>
    private double _r = 3.2, _x0 = 0.2, _tR = 1, _tX0 = 0.5;
    private double _cdR, _cdX0;

    [GlobalSetup]
    public void Setup()
    {
        double value = LogisticMap.HandGradient(_r, _x0, Steps, out double hR, out double hX0);
        double[] hand = { hR, hX0 };
        Agreement.Scalar("Logistic map: hand-written value", value, LogisticMap.Iterate(_r, _x0, Steps));

        double dR = 0, dX0 = 0;
        Agreement.Scalar("Logistic map: adjoint value", LogisticMap.IterateAdjoint(_r, _x0, Steps, ref dR, ref dX0), value);
        Agreement.Gradient("Logistic map: adjoint gradient", new[] { dR, dX0 }, hand);

        var e1 = LogisticMap.IterateForward(_r, _x0, Steps, 1, 0);
        var e2 = LogisticMap.IterateForward(_r, _x0, Steps, 0, 1);
        Agreement.Scalar("Logistic map: forward value", e1.Value, value);
        Agreement.Gradient("Logistic map: forward gradient (2 directions)", new[] { e1.Tangent, e2.Tangent }, hand);

        CentralDifferences();
        Agreement.Numerically("Logistic map: central differences", new[] { _cdR, _cdX0 }, hand);
    }

    [Benchmark(Baseline = true)]
    public double Primal() => LogisticMap.Iterate(_r, _x0, Steps);

    [Benchmark]
    public double Adjoint()
    {
        double dR = 0, dX0 = 0;
        return LogisticMap.IterateAdjoint(_r, _x0, Steps, ref dR, ref dX0) + dR + dX0;
    }

    [Benchmark]
    public double Forward()
    {
        var (value, tangent) = LogisticMap.IterateForward(_r, _x0, Steps, _tR, _tX0);
        return value + tangent;
    }

    [Benchmark]
    public double ForwardGradient()
    {
        var e1 = LogisticMap.IterateForward(_r, _x0, Steps, 1, 0);
        var e2 = LogisticMap.IterateForward(_r, _x0, Steps, 0, 1);
        return e1.Value + e1.Tangent + e2.Tangent;
    }

    [Benchmark]
    public double HandWritten() => LogisticMap.HandGradient(_r, _x0, Steps, out double dR, out double dX0) + dR + dX0;

    [Benchmark]
    public double CentralDifferences()
    {
        _cdR = (LogisticMap.Iterate(_r + H, _x0, Steps) - LogisticMap.Iterate(_r - H, _x0, Steps)) / (2 * H);
        _cdX0 = (LogisticMap.Iterate(_r, _x0 + H, Steps) - LogisticMap.Iterate(_r, _x0 - H, Steps)) / (2 * H);
        return _cdR + _cdX0;
    }
}
