using BenchmarkDotNet.Attributes;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks;

/// <summary>
/// The 1000-step Euler loop of workload 6, benchmarked the same way whether the step is a call of a
/// [Differentiable] helper (<see cref="HelperCallBenchmarks"/>) or written inline (<see cref="HelperInlinedBenchmarks"/>):
/// comparing the two measures what a call between differentiated methods costs. Each subclass names its methods.
/// </summary>
public abstract class ChainBenchmarks
{
    private const double H = 1e-7;
    private double _a = 0.8, _x0 = 0.1, _tA = 1, _tX0 = 0.5;
    private double _cdA, _cdX0;

    protected abstract string Label { get; }

    protected abstract double Run(double a, double x0);

    protected abstract double RunAdjoint(double a, double x0, ref double dA, ref double dX0);

    protected abstract (double Value, double Tangent) RunForward(double a, double x0, double dA, double dX0);

    [GlobalSetup]
    public void Setup()
    {
        double value = Helper.HandGradient(_a, _x0, out double hA, out double hX0);
        double[] hand = { hA, hX0 };
        Agreement.Scalar($"{Label}: hand-written value", value, Run(_a, _x0));

        double dA = 0, dX0 = 0;
        Agreement.Scalar($"{Label}: adjoint value", RunAdjoint(_a, _x0, ref dA, ref dX0), value);
        Agreement.Gradient($"{Label}: adjoint gradient", new[] { dA, dX0 }, hand);

        var e1 = RunForward(_a, _x0, 1, 0);
        var e2 = RunForward(_a, _x0, 0, 1);
        Agreement.Scalar($"{Label}: forward value", e1.Value, value);
        Agreement.Gradient($"{Label}: forward gradient (2 directions)", new[] { e1.Tangent, e2.Tangent }, hand);

        CentralDifferences();
        Agreement.Numerically($"{Label}: central differences", new[] { _cdA, _cdX0 }, hand);
    }

    [Benchmark(Baseline = true)]
    public double Primal() => Run(_a, _x0);

    [Benchmark]
    public double Adjoint()
    {
        double dA = 0, dX0 = 0;
        return RunAdjoint(_a, _x0, ref dA, ref dX0) + dA + dX0;
    }

    [Benchmark]
    public double Forward()
    {
        var (value, tangent) = RunForward(_a, _x0, _tA, _tX0);
        return value + tangent;
    }

    [Benchmark]
    public double ForwardGradient()
    {
        var e1 = RunForward(_a, _x0, 1, 0);
        var e2 = RunForward(_a, _x0, 0, 1);
        return e1.Value + e1.Tangent + e2.Tangent;
    }

    [Benchmark]
    public double HandWritten() => Helper.HandGradient(_a, _x0, out double dA, out double dX0) + dA + dX0;

    [Benchmark]
    public double CentralDifferences()
    {
        _cdA = (Run(_a + H, _x0) - Run(_a - H, _x0)) / (2 * H);
        _cdX0 = (Run(_a, _x0 + H) - Run(_a, _x0 - H)) / (2 * H);
        return _cdA + _cdX0;
    }
}

/// <summary>The loop calling the [Differentiable] helper <c>Step</c> 1000 times (Workloads/HelperCall.cs).</summary>
[MemoryDiagnoser]
[Workload(6, "Helper called 1000 times: Chain(a, x0) loops over x = Step(a, x)", "a and x0: 2")]
public class HelperCallBenchmarks : ChainBenchmarks
{
    protected override string Label => "Helper call";
    protected override double Run(double a, double x0) => Helper.Chain(a, x0);
    protected override double RunAdjoint(double a, double x0, ref double dA, ref double dX0) => Helper.ChainAdjoint(a, x0, ref dA, ref dX0);
    protected override (double Value, double Tangent) RunForward(double a, double x0, double dA, double dX0) => Helper.ChainForward(a, x0, dA, dX0);
}

/// <summary>The same loop with the helper's body written inline: the baseline for the call overhead.</summary>
[MemoryDiagnoser]
[Workload(7, "The same 1000 steps with the helper inlined (ChainInlined)", "a and x0: 2")]
public class HelperInlinedBenchmarks : ChainBenchmarks
{
    protected override string Label => "Helper inlined";
    protected override double Run(double a, double x0) => Helper.ChainInlined(a, x0);
    protected override double RunAdjoint(double a, double x0, ref double dA, ref double dX0) => Helper.ChainInlinedAdjoint(a, x0, ref dA, ref dX0);
    protected override (double Value, double Tangent) RunForward(double a, double x0, double dA, double dX0) => Helper.ChainInlinedForward(a, x0, dA, dX0);
}
