using BenchmarkDotNet.Attributes;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks;

/// <summary>
/// The helper-call loop with the helper's body written inline: the baseline for the call overhead measured by
/// HelperCallBenchmarks (Workloads/HelperCall.cs).
/// </summary>
[MemoryDiagnoser]
[Workload(7, "The same 1000 steps with the helper inlined (ChainInlined)", "a and x0: 2")]
public class HelperInlinedBenchmarks
{
    private const double H = 1e-7;
    private double _a = 0.8, _x0 = 0.1, _tA = 1, _tX0 = 0.5;
    private double _cdA, _cdX0;

    [GlobalSetup]
    public void Setup()
    {
        double value = Helper.HandGradient(_a, _x0, out double hA, out double hX0);
        double[] hand = { hA, hX0 };
        Agreement.Scalar("Helper inlined: hand-written value", value, Helper.ChainInlined(_a, _x0));

        double dA = 0, dX0 = 0;
        Agreement.Scalar("Helper inlined: adjoint value", Helper.ChainInlinedAdjoint(_a, _x0, ref dA, ref dX0), value);
        Agreement.Gradient("Helper inlined: adjoint gradient", new[] { dA, dX0 }, hand);

        var e1 = Helper.ChainInlinedForward(_a, _x0, 1, 0);
        var e2 = Helper.ChainInlinedForward(_a, _x0, 0, 1);
        Agreement.Scalar("Helper inlined: forward value", e1.Value, value);
        Agreement.Gradient("Helper inlined: forward gradient (2 directions)", new[] { e1.Tangent, e2.Tangent }, hand);

        CentralDifferences();
        Agreement.Numerically("Helper inlined: central differences", new[] { _cdA, _cdX0 }, hand);
    }

    [Benchmark(Baseline = true)]
    public double Primal() => Helper.ChainInlined(_a, _x0);

    [Benchmark]
    public double Adjoint()
    {
        double dA = 0, dX0 = 0;
        return Helper.ChainInlinedAdjoint(_a, _x0, ref dA, ref dX0) + dA + dX0;
    }

    [Benchmark]
    public double Forward()
    {
        var (value, tangent) = Helper.ChainInlinedForward(_a, _x0, _tA, _tX0);
        return value + tangent;
    }

    [Benchmark]
    public double ForwardGradient()
    {
        var e1 = Helper.ChainInlinedForward(_a, _x0, 1, 0);
        var e2 = Helper.ChainInlinedForward(_a, _x0, 0, 1);
        return e1.Value + e1.Tangent + e2.Tangent;
    }

    [Benchmark]
    public double HandWritten() => Helper.HandGradient(_a, _x0, out double dA, out double dX0) + dA + dX0;

    [Benchmark]
    public double CentralDifferences()
    {
        _cdA = (Helper.ChainInlined(_a + H, _x0) - Helper.ChainInlined(_a - H, _x0)) / (2 * H);
        _cdX0 = (Helper.ChainInlined(_a, _x0 + H) - Helper.ChainInlined(_a, _x0 - H)) / (2 * H);
        return _cdA + _cdX0;
    }
}
