using System;
using System.Linq;
using C = Tangent.Tests.CallCorpus;

namespace Tangent.Tests;

/// <summary>
/// Calls between [Differentiable] methods and registered derivatives, in both modes, against central
/// differences at random points (and analytic derivatives where they are known).
/// </summary>
public class CallTests
{
    [Fact]
    public void AddOfMulThroughHelpers()
        => new CfCase
        {
            Name = "AddMul",
            F = x => C.AddMul(x[0], x[1], x[2]),
            Forward = (x, v) => C.AddMulForward(x[0], x[1], x[2], v[0], v[1], v[2]),
            Adjoint = (x, acc, w) => C.AddMulAdjoint(x[0], x[1], x[2], ref acc[0], ref acc[1], ref acc[2], w),
            Gradient = x => { var (v, a, b, c) = C.AddMulGradient(x[0], x[1], x[2]); return (v, new[] { a, b, c }); },
            Sample = r => new[] { r.U(-3, 3), r.U(-3, 3), r.U(-3, 3) },
            Analytic = x => new[] { x[1], x[0], 1.0 },
        }.Run(51);

    [Fact]
    public void OneHelperCalledThreeTimesWithDifferentActiveArguments()
        => CfCase.Two("ThreeCalls", C.ThreeCalls, C.ThreeCallsForward, C.ThreeCallsAdjoint, C.ThreeCallsGradient,
                r => new[] { r.U(-2, 2), r.U(-2, 2) }).With(analytic:
            // d/dx [xy + y²·3x] = y + 3y², d/dy = x + 6xy
            x => new[] { x[1] + 3 * x[1] * x[1], x[0] + 6 * x[0] * x[1] }).Run(52);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void HelpersWithInactiveArgumentsOverloadAndNestedType(int k)
        => CfCase.Two($"InactiveArguments(k = {k})", (x, y) => C.InactiveArguments(x, y, k),
                (x, y, dx, dy) => C.InactiveArgumentsForward(x, y, k, dx, dy),
                (double x, double y, ref double dx, ref double dy, double w) => C.InactiveArgumentsAdjoint(x, y, k, ref dx, ref dy, w),
                (x, y) => C.InactiveArgumentsGradient(x, y, k), r => new[] { r.U(-2, 2), r.U(-2, 2) }).Run(53 + k);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void RecursivePowerHasGradient_n_a_to_the_n_minus_1(int n)
        => CfCase.One($"Pow(n = {n})", a => C.Pow(a, n), (a, da) => C.PowForward(a, n, da),
                (double a, ref double da, double w) => C.PowAdjoint(a, n, ref da, w), a => C.PowGradient(a, n),
                r => r.U(0.5, 1.05)).With(analytic: a => new[] { n == 0 ? 0 : n * Math.Pow(a[0], n - 1) }).Run(60 + n);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    public void MutualRecursion(int n)
        => CfCase.One($"Even(n = {n})", x => C.Even(x, n), (x, dx) => C.EvenForward(x, n, dx),
                (double x, ref double dx, double w) => C.EvenAdjoint(x, n, ref dx, w), x => C.EvenGradient(x, n),
                r => r.U(-1.5, 1.5)).Run(70 + n);

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(60)]
    public void HelperCalledInALoop(int n)
        => CfCase.Two($"Chain(n = {n})", (r, x) => C.Chain(r, x, n), (r, x, dr, dx) => C.ChainForward(r, x, n, dr, dx),
                (double r, double x, ref double dr, ref double dx, double w) => C.ChainAdjoint(r, x, n, ref dr, ref dx, w),
                (r, x) => C.ChainGradient(r, x, n), g => new[] { g.U(1.5, 2.8), g.U(0.2, 0.8) }).With(analytic: p =>
            // The logistic map with r < 3 converges; its derivative is checked against the recurrence too.

            {
                double r = p[0], x = p[1], dr = 0, dx = 1;
                for (int i = 0; i < n; i++)
                {
                    dr = x * (1 - x) + r * (1 - 2 * x) * dr;
                    dx = r * (1 - 2 * x) * dx;
                    x = r * x * (1 - x);
                }
                return new[] { dr, dx };
            }).Run(80 + n);

    [Fact]
    public void HelperCalledAThousandTimesAllocatesNothingAfterWarmUp()
    {
        double dr = 0, dx = 0;
        C.ChainAdjoint(2.5, 0.3, 1000, ref dr, ref dx);
        var forward = C.ChainForward(2.5, 0.3, 1000, 1, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 10; k++)
        {
            dr = dx = 0;
            C.ChainAdjoint(2.5, 0.3, 1000, ref dr, ref dx);
            forward = C.ChainForward(2.5, 0.3, 1000, 1, 0);
        }
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, bytes);
        Assert.Equal(forward.Tangent, dr, 1e-12 * Math.Max(1, Math.Abs(dr)));
        Assert.True(Tape.Current.IsEmpty);
    }

    [Fact]
    public void CallsInBranchesAndLoopsWithBreak()
        => CfCase.Two("Branches", C.Branches, C.BranchesForward, C.BranchesAdjoint, C.BranchesGradient,
                r => new[] { r.U(-2, 3), r.U(-1, 2) }).With(path: p => string.Concat(Enumerable.Range(0, 5).Select(i => (p[0] - i * 0.3 > 0 ? "+" : "-"))) + (C.Branches(p[0], p[1]) > 4 ? "b" : "")).Run(90);

    [Fact]
    public void InstanceMethodsCallingEachOtherOnThis()
    {
        var p = new Polynomial(0.3, -0.7, 0.4);
        CfCase.One("Polynomial.Composed", p.Composed, p.ComposedForward, p.ComposedAdjoint, p.ComposedGradient, r => r.U(-2, 2)).Run(91);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void HelperReturningAnArray(int n)
        => new ArrCase
        {
            Name = $"SumOfScaled(n = {n})",
            Dim = n + 1,
            F = v => C.SumOfScaled(v[..n], v[n]),
            Forward = (v, t) => C.SumOfScaledForward(v[..n], v[n], t[..n], t[n]),
            Adjoint = (v, acc, w) =>
            {
                var dx = acc[..n];
                double dk = acc[n];
                double value = C.SumOfScaledAdjoint(v[..n], v[n], dx, ref dk, w);
                dx.CopyTo(acc, 0);
                acc[n] = dk;
                return value;
            },
            // f = k Σ sin(xᵢ) xᵢ
            Analytic = v => v[..n].Select(x => v[n] * (Math.Cos(x) * x + Math.Sin(x))).Append(v[..n].Sum(x => Math.Sin(x) * x)).ToArray(),
        }.Run();

    [Fact]
    public void FloatHelpers()
        => new CfCase
        {
            Name = "UsesFloat",
            F = x => C.UsesFloat((float)x[0], (float)x[1]),
            Forward = (x, v) => C.UsesFloatForward((float)x[0], (float)x[1], (float)v[0], (float)v[1]),
            Adjoint = (x, acc, w) =>
            {
                float da = (float)acc[0], db = (float)acc[1];
                float value = C.UsesFloatAdjoint((float)x[0], (float)x[1], ref da, ref db, (float)w);
                acc[0] = da;
                acc[1] = db;
                return value;
            },
            Gradient = x => { var (v, a, b) = C.UsesFloatGradient((float)x[0], (float)x[1]); return (v, new double[] { a, b }); },
            Sample = r => new[] { (double)(float)r.U(-1.5, 1.5), (double)(float)r.U(-1.5, 1.5) },
            // a²b² + sin(b²): ∂a = 2ab², ∂b = 2a²b + 2b cos(b²)
            Analytic = x => new[] { 2 * x[0] * x[1] * x[1], 2 * x[0] * x[0] * x[1] + 2 * x[1] * Math.Cos(x[1] * x[1]) },
            CentralDifferences = false,
            IsFloat = true,
            Tolerance = 2e-5,
            SameTolerance = 1e-5,
        }.Run(94);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void SpanHelperGivenArraysAndInactiveData(int n)
    {
        var data = Enumerable.Range(0, n).Select(i => Math.Cos(i + 0.5)).ToArray();
        new ArrCase
        {
            Name = $"WithData(n = {n})",
            Dim = n,
            F = w => C.WithData(w, data),
            Forward = (w, t) => C.WithDataForward(w, data, t),
            Adjoint = (w, acc, r) => C.WithDataAdjoint(w, data, acc, r),
            // (w·d)(w·w): ∇ = d (w·w) + 2 w (w·d)
            Analytic = w =>
            {
                double wd = w.Zip(data, (a, b) => a * b).Sum(), ww = w.Sum(a => a * a);
                return w.Select((a, i) => data[i] * ww + 2 * a * wd).ToArray();
            },
        }.Run();
    }

    [Fact]
    public void StopGradientOfTheFactorGivesX()
        => CfCase.One("StopTimes", C.StopTimes, C.StopTimesForward, C.StopTimesAdjoint, C.StopTimesGradient, r => r.U(-3, 3)).With(centralDifferences: false, analytic: x => new[] { x[0] }).Run(92);

    [Fact]
    public void StopGradientAroundCallsAndArrays()
    {
        // s = k·(k²)_stopped + Σ frozen(xᵢ)·xᵢ: ds/dk = k², ds/dxᵢ = xᵢ.
        var x = new[] { 0.5, -1.25, 2.0 };
        double k = 1.7;
        var (value, dX, dK) = C.StopAroundCallsGradient(x, k);
        Assert.Equal(k * k * k + x.Sum(e => e * e), value, 12);
        Assert.Equal(k * k, dK, 12);
        Assert.Equal(x, dX);
        var (_, tangent) = C.StopAroundCallsForward(x, k, new[] { 1.0, 2.0, 3.0 }, 0.5);
        Assert.Equal(0.5 * k * k + 0.5 * 1 - 1.25 * 2 + 2.0 * 3, tangent, 12);
    }

    [Fact]
    public void RegisteredDerivativesAreUsedInBothModes()
    {
        int before = RegisteredDerivatives.AdjointCalls;
        CfCase.Two("Registered", C.Registered, C.RegisteredForward, C.RegisteredAdjoint, C.RegisteredGradient,
            r => new[] { r.U(-3, 3), r.U(-3, 3) }).With(analytic: p =>
            // SoftPlus' = σ, Log10' = 1/(x ln 10)
 new[]
            {
                p[1] * Activations.Sigmoid(p[0] * p[1]) + 2 * p[0] / ((1 + p[0] * p[0]) * Math.Log(10)),
                p[0] * Activations.Sigmoid(p[0] * p[1]),
            }).Run(93);
        Assert.True(RegisteredDerivatives.AdjointCalls > before, "the registered SoftPlus adjoint was not called");
    }
}

internal static class CfCaseExtensions
{
    /// <summary>A copy of the case with an analytic reference, a path identifier, or without central differences.</summary>
    public static CfCase With(this CfCase c, Func<double[], double[]>? analytic = null, Func<double[], string>? path = null, bool centralDifferences = true)
        => new()
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
            Analytic = analytic ?? c.Analytic, Path = path ?? c.Path, CentralDifferences = centralDifferences && c.CentralDifferences,
            Cases = c.Cases, Tolerance = c.Tolerance, FdTolerance = c.FdTolerance, SameTolerance = c.SameTolerance, IsFloat = c.IsFloat,
        };
}
