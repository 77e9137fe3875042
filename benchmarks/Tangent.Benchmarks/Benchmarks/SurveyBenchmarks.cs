using BenchmarkDotNet.Attributes;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks;

[MemoryDiagnoser]
[Workload(1, "Survey example f(x1, x2) = ln x1 + x1·x2 − sin x2", "2 scalars")]
public class SurveyBenchmarks
{
    // Fields, not constants, so that the JIT cannot fold the calls.
    private double _x1 = 2, _x2 = 5, _t1 = 1, _t2 = 0;
    private const double H = 1e-6;

    [GlobalSetup]
    public void Setup()
    {
        double value = Survey.HandGradient(_x1, _x2, out double h1, out double h2);
        double[] hand = { h1, h2 };

        double d1 = 0, d2 = 0;
        double adjointValue = Survey.FAdjoint(_x1, _x2, ref d1, ref d2);
        Agreement.Scalar("Survey: adjoint value", adjointValue, value);
        Agreement.Gradient("Survey: adjoint gradient", new[] { d1, d2 }, hand);

        var e1 = Survey.FForward(_x1, _x2, 1, 0);
        var e2 = Survey.FForward(_x1, _x2, 0, 1);
        Agreement.Scalar("Survey: forward value", e1.Value, value);
        Agreement.Gradient("Survey: forward gradient (2 directions)", new[] { e1.Tangent, e2.Tangent }, hand);

        CentralDifferences();
        Agreement.Numerically("Survey: central differences", new[] { _cd1, _cd2 }, hand);
    }

    private double _cd1, _cd2;

    [Benchmark(Baseline = true)]
    public double Primal() => Survey.F(_x1, _x2);

    [Benchmark]
    public double Adjoint()
    {
        double d1 = 0, d2 = 0;
        double value = Survey.FAdjoint(_x1, _x2, ref d1, ref d2);
        return value + d1 + d2;
    }

    [Benchmark]
    public double Forward()
    {
        var (value, tangent) = Survey.FForward(_x1, _x2, _t1, _t2);
        return value + tangent;
    }

    [Benchmark]
    public double ForwardGradient()
    {
        var e1 = Survey.FForward(_x1, _x2, 1, 0);
        var e2 = Survey.FForward(_x1, _x2, 0, 1);
        return e1.Value + e1.Tangent + e2.Tangent;
    }

    [Benchmark]
    public double HandWritten()
    {
        double value = Survey.HandGradient(_x1, _x2, out double d1, out double d2);
        return value + d1 + d2;
    }

    [Benchmark]
    public double CentralDifferences()
    {
        _cd1 = (Survey.F(_x1 + H, _x2) - Survey.F(_x1 - H, _x2)) / (2 * H);
        _cd2 = (Survey.F(_x1, _x2 + H) - Survey.F(_x1, _x2 - H)) / (2 * H);
        return _cd1 + _cd2;
    }
}
