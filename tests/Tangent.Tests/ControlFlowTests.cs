using System;
using System.Collections.Generic;
using System.Threading;
using Xunit.Sdk;
using C = Tangent.Tests.ControlFlowCorpus;
using P = Tangent.Tests.ControlFlowPaths;

namespace Tangent.Tests;

/// <summary>
/// Issue 3's required tests: every construct of <see cref="ControlFlowCorpus"/> in forward mode, adjoint mode and
/// MGradient against central differences (and analytic derivatives where known) at seeded random points away
/// from branch switches (see <see cref="CfCase"/>).
/// </summary>
public class ControlFlowTests
{
    private static int Seed(string name)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (char c in name) h = (h ^ c) * 16777619;
            return (int)(h & 0x7fffffff);
        }
    }

    private static void Run(CfCase c) => c.Run(Seed(c.Name));

    private static double[] Pair(Random r, double lo0, double hi0, double lo1, double hi1) => new[] { r.U(lo0, hi0), r.U(lo1, hi1) };

    // ---- The seed's example -------------------------------------------------------------------------------

    [Fact]
    public void Seed_GradientIsCOverA()
    {
        foreach (var (name, f, fwd, adj, grad) in new (string, Func<double, double>, Func<double, double, (double, double)>, CfAdjoint1, Func<double, (double, double)>)[]
                 {
                     ("Seed", C.Seed, (a, d) => C.SeedForward(a, d), (double a, ref double d, double w) => C.SeedAdjoint(a, ref d, w), a => C.SeedGradient(a)),
                     ("SeedIf", C.SeedIf, (a, d) => C.SeedIfForward(a, d), (double a, ref double d, double w) => C.SeedIfAdjoint(a, ref d, w), a => C.SeedIfGradient(a)),
                 })
        {
            var c = CfCase.One(name, f, fwd, adj, grad, r => r.PlusMinusLog(1e-3, 2e3));
            Run(new CfCase
            {
                Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
                Path = x => P.Seed(x[0]),
                Analytic = x => new[] { f(x[0]) / x[0] },
                Cases = 300,
            });
        }
    }

    // ---- Logistic map -------------------------------------------------------------------------------------

    /// <summary>l, ∂l/∂x, ∂l/∂r of l ← 4·r·l·(1 − l) by the recurrences l'ₓ ← 4r(1 − 2l)·l'ₓ, l'ᵣ ← 4l(1 − l) + 4r(1 − 2l)·l'ᵣ.</summary>
    private static (double L, double Dx, double Dr) LogisticRecurrence(double x, double r, int n)
    {
        double l = x, dx = 1, dr = 0;
        for (int i = 0; i < n; i++)
        {
            double slope = 4 * r * (1 - 2 * l);
            dr = 4 * l * (1 - l) + slope * dr;
            dx = slope * dx;
            l = 4 * r * l * (1 - l);
        }
        return (l, dx, dr);
    }

    private static CfCase Logistic(int n, string name) => CfCase.Two(name,
        (x, r) => C.Logistic(x, r, n),
        (x, r, dx, dr) => C.LogisticForward(x, r, n, dx, dr),
        (double x, double r, ref double dx, ref double dr, double w) => C.LogisticAdjoint(x, r, n, ref dx, ref dr, w),
        (x, r) => C.LogisticGradient(x, r, n),
        // 4r = ρ ∈ [2.5, 2.95]: the stable regime (a fixed point 1 − 1/ρ with |f'| = |2 − ρ| < 1).
        rnd => new[] { rnd.U(0.02, 0.98), rnd.U(2.5, 2.95) / 4 });

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(1000)]
    public void Logistic_StableRegime_AgainstRecurrenceAndCentralDifferences(int n)
    {
        var c = Logistic(n, $"Logistic(n = {n})");
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
            Analytic = x => { var (_, dx, dr) = LogisticRecurrence(x[0], x[1], n); return new[] { dx, dr }; },
            Tolerance = 1e-10,
            FdTolerance = 1e-6,
            StepFloor = 0,   // x reaches 0.02
            Cases = n == 1000 ? 40 : 100,
        });
    }

    /// <summary>4r = 3.9: chaotic, derivatives ~e^(λn); only the recurrence is a valid reference.</summary>
    [Fact]
    public void Logistic_Chaotic_AgainstRecurrenceOnly()
    {
        const int n = 1000;
        const double r = 3.9 / 4;
        var c = Logistic(n, "Logistic(chaotic, n = 1000)");
        int finite = 0;
        var rnd = new Random(7);
        for (int k = 0; k < 20; k++)
        {
            double x = rnd.U(0.05, 0.95);
            var (l, dx, dr) = LogisticRecurrence(x, r, n);
            if (double.IsFinite(dx) && double.IsFinite(dr)) finite++;
        }
        Assert.True(finite > 0, "the chaotic recurrence overflows everywhere; pick a shorter n");
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
            Sample = rr => new[] { rr.U(0.05, 0.95), r },
            Analytic = x => { var (_, dx, dr) = LogisticRecurrence(x[0], x[1], n); return new[] { dx, dr }; },
            CentralDifferences = false,
            Cases = 20,
            // ∂l/∂r sums 1000 terms of alternating sign and size up to e^(λn): allow for cancellation.
            Tolerance = 1e-6,
            SameTolerance = 1e-6,
        });
    }

    [Fact]
    public void LogisticF_AgainstDoubleRecurrence()
    {
        const int n = 10;
        Run(new CfCase
        {
            Name = "LogisticF",
            IsFloat = true,
            F = x => C.LogisticF((float)x[0], (float)x[1], n),
            Forward = (x, v) => C.LogisticFForward((float)x[0], (float)x[1], n, (float)v[0], (float)v[1]),
            Adjoint = (x, acc, w) =>
            {
                float a = (float)acc[0], b = (float)acc[1];
                float value = C.LogisticFAdjoint((float)x[0], (float)x[1], n, ref a, ref b, (float)w);
                acc[0] = a; acc[1] = b;
                return value;
            },
            Gradient = x => { var (v, g0, g1) = C.LogisticFGradient((float)x[0], (float)x[1], n); return (v, new double[] { g0, g1 }); },
            Sample = rnd => new[] { rnd.U(0.05, 0.95), rnd.U(2.5, 2.95) / 4 },
            Analytic = x => { var (_, dx, dr) = LogisticRecurrence(x[0], x[1], n); return new[] { dx, dr }; },
            CentralDifferences = false,
            Tolerance = 2e-4,
            SameTolerance = 1e-5,
        });
    }

    // ---- Repeated squaring, Newton ------------------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void SquareLoop_Is2TimesAToThe2ToTheN(int n)
    {
        var c = CfCase.One($"SquareLoop(n = {n})", a => C.SquareLoop(a, n), (a, d) => C.SquareLoopForward(a, n, d),
            (double a, ref double d, double w) => C.SquareLoopAdjoint(a, n, ref d, w), a => C.SquareLoopGradient(a, n),
            r => r.PlusMinusLog(0.5, 1.15));
        double p = Math.Pow(2, n);
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
            Analytic = x => new[] { 2 * p * Math.Pow(x[0], p - 1) },
        });
    }

    [Fact]
    public void NewtonSqrt_DerivativeIsOneOverTwoSqrtC()
    {
        var c = CfCase.One("NewtonSqrt", C.NewtonSqrt, (a, d) => C.NewtonSqrtForward(a, d),
            (double a, ref double d, double w) => C.NewtonSqrtAdjoint(a, ref d, w), a => C.NewtonSqrtGradient(a),
            r => Math.Exp(r.U(Math.Log(0.01), Math.Log(1000))));
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
            Analytic = x => new[] { 1 / (2 * Math.Sqrt(x[0])) },
            StepFloor = 0,
        });
    }

    // ---- Loops and branches nested in each other ----------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    public void LoopWithIf(int n)
    {
        var c = CfCase.Two($"LoopWithIf(n = {n})", (x, y) => C.LoopWithIf(x, y, n), (x, y, dx, dy) => C.LoopWithIfForward(x, y, n, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.LoopWithIfAdjoint(x, y, n, ref dx, ref dy, w),
            (x, y) => C.LoopWithIfGradient(x, y, n), r => Pair(r, -2, 2, -2, 2));
        Run(With(c, x => P.LoopWithIf(x[0], x[1], n)));
    }

    [Fact]
    public void IfWithLoop()
        => Run(With(CfCase.Two("IfWithLoop", C.IfWithLoop, (x, y, dx, dy) => C.IfWithLoopForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.IfWithLoopAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.IfWithLoopGradient(x, y), r => Pair(r, -1.5, 1.5, -1.5, 1.5)), x => P.IfWithLoop(x[0], x[1])));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void NestedLoops_InnerTripCountDependsOnOuterIndex(int n)
        => Run(CfCase.Two($"NestedLoops(n = {n})", (x, y) => C.NestedLoops(x, y, n), (x, y, dx, dy) => C.NestedLoopsForward(x, y, n, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.NestedLoopsAdjoint(x, y, n, ref dx, ref dy, w),
            (x, y) => C.NestedLoopsGradient(x, y, n), r => Pair(r, -1.2, 1.2, -1.2, 1.2)));

    [Fact]
    public void BreakOnDataDependentCondition()
    {
        var c = With(CfCase.Two("BreakOnData", C.BreakOnData, (x, y, dx, dy) => C.BreakOnDataForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.BreakOnDataAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.BreakOnDataGradient(x, y), r => Pair(r, 0.3, 3, -1, 1)), x => P.BreakOnData(x[0], x[1]));
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample, Path = c.Path,
            // Hand-written forward recurrence of s ← s + x·(i + 1) + sin(s·y), stopped at the same break.
            Analytic = x =>
            {
                double a = x[0], b = x[1], s = 0, sa = 0, sb = 0;
                for (int i = 0; i < 100; i++)
                {
                    double cs = Math.Cos(s * b);
                    sa = sa + (i + 1) + cs * b * sa;
                    sb = sb + cs * (sb * b + s);
                    s = s + a * (i + 1) + Math.Sin(s * b);
                    if (s > 20) break;
                }
                return new[] { sa * b, sb * b + s };
            },
            Tolerance = 1e-10,
            FdTolerance = 1e-5,   // up to 11 iterations of a map with |∂/∂s| up to 2: central differences good to ~1e-6
        });
    }

    [Fact]
    public void WhileTrueWithBreak()
        => Run(With(CfCase.One("WhileTrueBreak", C.WhileTrueBreak, (x, d) => C.WhileTrueBreakForward(x, d),
            (double x, ref double d, double w) => C.WhileTrueBreakAdjoint(x, ref d, w), x => C.WhileTrueBreakGradient(x),
            r => r.U(0, 10)), x => P.WhileTrueBreak(x[0])));

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Continue(int n)
        => Run(With(CfCase.Two($"ContinueLoop(n = {n})", (x, y) => C.ContinueLoop(x, y, n), (x, y, dx, dy) => C.ContinueLoopForward(x, y, n, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.ContinueLoopAdjoint(x, y, n, ref dx, ref dy, w),
            (x, y) => C.ContinueLoopGradient(x, y, n), r => Pair(r, -2, 2, -2, 2)), x => P.ContinueLoop(x[0], x[1], n)));

    [Fact]
    public void EarlyReturnFromNestedLoop()
    {
        var c = With(CfCase.Two("EarlyReturnNested", C.EarlyReturnNested, (x, y, dx, dy) => C.EarlyReturnNestedForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.EarlyReturnNestedAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.EarlyReturnNestedGradient(x, y), r => Pair(r, 0.2, 3, -1, 2)), x => P.EarlyReturnNested(x[0], x[1]));
        Run(c);
        // Both exits are exercised by the domain.
        Assert.Equal("end", P.EarlyReturnNested(0.2, -1));
        Assert.StartsWith("return", P.EarlyReturnNested(3, 2));
    }

    [Fact]
    public void PiecewiseWithFiveBranches()
    {
        var c = With(CfCase.Two("Piecewise5", C.Piecewise5, (x, y, dx, dy) => C.Piecewise5Forward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.Piecewise5Adjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.Piecewise5Gradient(x, y), r => Pair(r, -3, 2.5, -1, 1)), x => P.Piecewise5(x[0], x[1]));
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample, Path = c.Path,
            Cases = 200,
            Analytic = x =>
            {
                double a = x[0], b = x[1];
                return a < -2 ? new[] { 2 * b * a, a * a }
                     : a < -1 ? new[] { Math.Exp(a + b), Math.Exp(a + b) }
                     : a < 0 ? new[] { 2 * b * Math.Cos(a * b), 2 * a * Math.Cos(a * b) }
                     : a < 1 ? new[] { 6 * a * a, -2.0 }
                     : new[] { b / a, Math.Log(a) };
            },
        });
    }

    // ---- Conditional operator ------------------------------------------------------------------------------

    [Fact]
    public void Relu()
    {
        var c = CfCase.One("Relu", C.Relu, (x, d) => C.ReluForward(x, d), (double x, ref double d, double w) => C.ReluAdjoint(x, ref d, w),
            x => C.ReluGradient(x), r => r.U(-2, 2));
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
            Path = x => x[0] > 0 ? "on" : "off",
            Analytic = x => new[] { x[0] > 0 ? 1.0 : 0.0 },
        });
        // At the kink the condition x > 0 is false: derivative 0 in both modes.
        Assert.Equal((0.0, 0.0), C.ReluForward(0, 1));
        Assert.Equal((0.0, 0.0), C.ReluGradient(0));
    }

    [Fact]
    public void ReluF()
    {
        Run(new CfCase
        {
            Name = "ReluF",
            IsFloat = true,
            F = x => C.ReluF((float)x[0]),
            Forward = (x, v) => C.ReluFForward((float)x[0], (float)v[0]),
            Adjoint = (x, acc, w) => { float a = (float)acc[0]; float value = C.ReluFAdjoint((float)x[0], ref a, (float)w); acc[0] = a; return value; },
            Gradient = x => { var (v, g) = C.ReluFGradient((float)x[0]); return (v, new double[] { g }); },
            Sample = r => new[] { r.U(-2, 2) },
            Path = x => x[0] > 0 ? "on" : "off",
            Analytic = x => new[] { x[0] > 0 ? 1.0 : 0.0 },
            CentralDifferences = false,
            // The adjoint adds into a float accumulator: the increment is read back to ~1 float ulp of acc.
            Tolerance = 1e-6,
            SameTolerance = 1e-6,
        });
    }

    [Fact]
    public void ReluLayer()
        => Run(With(CfCase.Two("ReluLayer", C.ReluLayer, (x, y, dx, dy) => C.ReluLayerForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.ReluLayerAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.ReluLayerGradient(x, y), r => Pair(r, -2, 2, -2, 2)), x => P.ReluLayer(x[0], x[1])));

    [Fact]
    public void NestedTernary()
        => Run(With(CfCase.Two("NestedTernary", C.NestedTernary, (x, y, dx, dy) => C.NestedTernaryForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.NestedTernaryAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.NestedTernaryGradient(x, y), r => Pair(r, -2, 2, -2, 2)), x => P.NestedTernary(x[0], x[1])));

    [Fact]
    public void TernaryInLoop()
        => Run(With(CfCase.One("TernaryInLoop", x => C.TernaryInLoop(x, 6), (x, d) => C.TernaryInLoopForward(x, 6, d),
            (double x, ref double d, double w) => C.TernaryInLoopAdjoint(x, 6, ref d, w), x => C.TernaryInLoopGradient(x, 6),
            r => r.U(-1.5, 1.5)), x => P.TernaryInLoop(x[0], 6)));

    // ---- Boolean operators ---------------------------------------------------------------------------------

    [Fact]
    public void AndOrNotInConditions()
        => Run(With(CfCase.Two("Logical", C.Logical, (x, y, dx, dy) => C.LogicalForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.LogicalAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.LogicalGradient(x, y), r => Pair(r, -2.5, 2.5, -2.5, 2.5)), x => P.Logical(x[0], x[1])));

    // ---- Loops with an active trip count -------------------------------------------------------------------

    [Fact]
    public void WhileWithActiveTripCount()
    {
        var c = With(CfCase.One("WhileActive", C.WhileActive, (x, d) => C.WhileActiveForward(x, d),
            (double x, ref double d, double w) => C.WhileActiveAdjoint(x, ref d, w), x => C.WhileActiveGradient(x),
            r => r.U(0.1, 3)), x => P.WhileActive(x[0]));
        Run(c);
        // The domain spans several trip counts.
        Assert.NotEqual(P.WhileActive(0.1), P.WhileActive(3));
    }

    /// <summary>y_k = 1.5·y_{k−1} + x, so dy/dx follows d ← 1.5·d + 1 over the trip count of the float method.</summary>
    [Fact]
    public void WhileActiveF()
    {
        Run(new CfCase
        {
            Name = "WhileActiveF",
            IsFloat = true,
            F = x => C.WhileActiveF((float)x[0]),
            Forward = (x, v) => C.WhileActiveFForward((float)x[0], (float)v[0]),
            Adjoint = (x, acc, w) => { float a = (float)acc[0]; float value = C.WhileActiveFAdjoint((float)x[0], ref a, (float)w); acc[0] = a; return value; },
            Gradient = x => { var (v, g) = C.WhileActiveFGradient((float)x[0]); return (v, new double[] { g }); },
            Sample = r => new[] { r.U(0.1, 3) },
            Path = x => P.WhileActiveF((float)x[0]),
            Analytic = x =>
            {
                int k = int.Parse(P.WhileActiveF((float)x[0]), System.Globalization.CultureInfo.InvariantCulture);
                double d = 0;
                for (int i = 0; i < k; i++) d = 1.5 * d + 1;
                return new[] { d };
            },
            CentralDifferences = false,
            Tolerance = 1e-5,
            SameTolerance = 1e-5,
        });
    }

    /// <summary>x ≥ 0.7: away from x = 0.5 where s ← s²/2 + x passes slowly by a fixed point (trip counts ~50,
    /// derivatives ~1e4, ill-conditioned central differences).</summary>
    [Fact]
    public void DoWhile()
        => Run(With(CfCase.Two("DoWhile", C.DoWhile, (x, y, dx, dy) => C.DoWhileForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.DoWhileAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.DoWhileGradient(x, y), r => Pair(r, 0.7, 2, 0, 1)), x => P.DoWhile(x[0], x[1])));

    // ---- Locals, overwriting, counters ---------------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    public void LocalsInLoopBody_OverwrittenEveryIteration(int n)
        => Run(CfCase.Two($"LocalsInLoop(n = {n})", (x, y) => C.LocalsInLoop(x, y, n), (x, y, dx, dy) => C.LocalsInLoopForward(x, y, n, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.LocalsInLoopAdjoint(x, y, n, ref dx, ref dy, w),
            (x, y) => C.LocalsInLoopGradient(x, y, n), r => Pair(r, -1, 1, -1, 1)));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    public void IncrementDecrementAndCompoundAssignmentOnCounters(int n)
        => Run(CfCase.One($"Counters(n = {n})", x => C.Counters(x, n), (x, d) => C.CountersForward(x, n, d),
            (double x, ref double d, double w) => C.CountersAdjoint(x, n, ref d, w), x => C.CountersGradient(x, n), r => r.U(-1.2, 1.2)));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public void LoopCountingDown(int n)
    {
        var c = CfCase.One($"CountDown(n = {n})", x => C.CountDown(x, n), (x, d) => C.CountDownForward(x, n, d),
            (double x, ref double d, double w) => C.CountDownAdjoint(x, n, ref d, w), x => C.CountDownGradient(x, n), r => r.U(-1.1, 1.1));
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
            // d/dx Σ_{i=0..n} (i + 1)·xⁱ = Σ_{i=1..n} i·(i + 1)·x^(i−1)
            Analytic = x => { double s = 0; for (int i = 1; i <= n; i++) s += i * (i + 1) * Math.Pow(x[0], i - 1); return new[] { s }; },
        });
    }

    [Fact]
    public void LoopWithDiscardedCall()
        => Run(CfCase.One("ThrowingLoop (not armed)", x => C.ThrowingLoop(x, 6), (x, d) => C.ThrowingLoopForward(x, 6, d),
            (double x, ref double d, double w) => C.ThrowingLoopAdjoint(x, 6, ref d, w), x => C.ThrowingLoopGradient(x, 6), r => r.U(-1, 1)));

    // ---- Harder combinations -------------------------------------------------------------------------------

    [Fact]
    public void ActiveLoopVariable()
    {
        var c = With(CfCase.One("ActiveLoopVariable", C.ActiveLoopVariable, (x, d) => C.ActiveLoopVariableForward(x, d),
            (double x, ref double d, double w) => C.ActiveLoopVariableAdjoint(x, ref d, w), x => C.ActiveLoopVariableGradient(x),
            r => r.U(-3, 9.5)), x => P.ActiveLoopVariable(x[0]));
        Run(new CfCase
        {
            Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample, Path = c.Path,
            // d/dx Σ_k (x + 1.5k)² = Σ_k 2(x + 1.5k)
            Analytic = x => { double g = 0; for (double t = x[0]; t < 10; t += 1.5) g += 2 * t; return new[] { g }; },
        });
    }

    [Fact]
    public void SiblingLoopsWithSameLocalNames()
        => Run(CfCase.Two("SiblingLoopsSameNames", C.SiblingLoopsSameNames, (x, y, dx, dy) => C.SiblingLoopsSameNamesForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.SiblingLoopsSameNamesAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.SiblingLoopsSameNamesGradient(x, y), r => Pair(r, -1.5, 1.5, -1.5, 1.5)));

    [Fact]
    public void ContinueInWhileAndDoWhile()
        => Run(With(CfCase.Two("ContinueInWhileAndDo", C.ContinueInWhileAndDo, (x, y, dx, dy) => C.ContinueInWhileAndDoForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.ContinueInWhileAndDoAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.ContinueInWhileAndDoGradient(x, y), r => Pair(r, -1.5, 1.5, -1.5, 1.5)), x => P.ContinueInWhileAndDo(x[0], x[1])));

    [Fact]
    public void BreakOutOfInnerLoopOnly()
        => Run(With(CfCase.Two("BreakInnerOnly", C.BreakInnerOnly, (x, y, dx, dy) => C.BreakInnerOnlyForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.BreakInnerOnlyAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.BreakInnerOnlyGradient(x, y), r => Pair(r, 0.1, 1.5, -1, 1)), x => P.BreakInnerOnly(x[0], x[1])));

    [Fact]
    public void ReturnFromInsideDoWhile()
        => Run(With(CfCase.One("ReturnInDoWhile", C.ReturnInDoWhile, (x, d) => C.ReturnInDoWhileForward(x, d),
            (double x, ref double d, double w) => C.ReturnInDoWhileAdjoint(x, ref d, w), x => C.ReturnInDoWhileGradient(x),
            r => r.U(0.5, 2.5)), x => P.ReturnInDoWhile(x[0])));

    [Fact]
    public void TripCountFromAnActiveValueThroughACast()
        => Run(With(CfCase.One("TripCountFromCast", C.TripCountFromCast, (x, d) => C.TripCountFromCastForward(x, d),
            (double x, ref double d, double w) => C.TripCountFromCastAdjoint(x, ref d, w), x => C.TripCountFromCastGradient(x),
            r => r.U(0, 5)), x => P.TripCountFromCast(x[0])));

    [Fact]
    public void LocalWithoutInitializerInLoopBody()
        => Run(With(CfCase.Two("UninitializedInLoop", C.UninitializedInLoop, (x, y, dx, dy) => C.UninitializedInLoopForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.UninitializedInLoopAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.UninitializedInLoopGradient(x, y), r => Pair(r, -2, 2, -2, 2)), x => P.UninitializedInLoop(x[0], x[1])));

    [Fact]
    public void EmptyBranchesAndParameterReassignment()
        => Run(With(CfCase.Two("EmptyBranches", C.EmptyBranches, (x, y, dx, dy) => C.EmptyBranchesForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.EmptyBranchesAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.EmptyBranchesGradient(x, y), r => Pair(r, -2, 2, -2, 2)), x => P.EmptyBranches(x[0], x[1])));

    [Fact]
    public void TernaryInLoopCondition()
        => Run(With(CfCase.One("TernaryInCondition", C.TernaryInCondition, (x, d) => C.TernaryInConditionForward(x, d),
            (double x, ref double d, double w) => C.TernaryInConditionAdjoint(x, ref d, w), x => C.TernaryInConditionGradient(x),
            r => r.PlusMinusLog(0.05, 8)), x => P.TernaryInCondition(x[0])));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(10)]
    public void CompoundAssignmentOnDoublesInLoop(int n)
        => Run(CfCase.Two($"CompoundInLoop(n = {n})", (x, y) => C.CompoundInLoop(x, y, n), (x, y, dx, dy) => C.CompoundInLoopForward(x, y, n, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.CompoundInLoopAdjoint(x, y, n, ref dx, ref dy, w),
            (x, y) => C.CompoundInLoopGradient(x, y, n), r => Pair(r, -2, 2, -2, 2)));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void InactiveConditionTernaryAndIntChosenByActiveCondition(int n)
        => Run(With(CfCase.Two($"InactiveTernary(n = {n})", (x, y) => C.InactiveTernary(x, y, n), (x, y, dx, dy) => C.InactiveTernaryForward(x, y, n, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.InactiveTernaryAdjoint(x, y, n, ref dx, ref dy, w),
            (x, y) => C.InactiveTernaryGradient(x, y, n), r => Pair(r, -2, 2, -2, 2)), x => P.InactiveTernary(x[0], x[1])));

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void IfWithoutElseInLoop(int n)
        => Run(With(CfCase.One($"IfWithoutElseInLoop(n = {n})", x => C.IfWithoutElseInLoop(x, n), (x, d) => C.IfWithoutElseInLoopForward(x, n, d),
            (double x, ref double d, double w) => C.IfWithoutElseInLoopAdjoint(x, n, ref d, w), x => C.IfWithoutElseInLoopGradient(x, n),
            r => r.U(-1.5, 1.5)), x => P.IfWithoutElseInLoop(x[0], n)));

    [Fact]
    public void DeepNesting()
        => Run(With(CfCase.Two("DeepNesting", C.DeepNesting, (x, y, dx, dy) => C.DeepNestingForward(x, y, dx, dy),
            (double x, double y, ref double dx, ref double dy, double w) => C.DeepNestingAdjoint(x, y, ref dx, ref dy, w),
            (x, y) => C.DeepNestingGradient(x, y), r => Pair(r, -1.5, 1.5, 0, 4)), x => P.DeepNesting(x[0], x[1])));

    [Fact]
    public void ForWithoutPartsAndWithTwoCounters()
        => Run(CfCase.One("ForWithoutParts", C.ForWithoutParts, (x, d) => C.ForWithoutPartsForward(x, d),
            (double x, ref double d, double w) => C.ForWithoutPartsAdjoint(x, ref d, w), x => C.ForWithoutPartsGradient(x), r => r.U(-1, 1)));

    private static CfCase With(CfCase c, Func<double[], string> path) => new()
    {
        Name = c.Name, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient, Sample = c.Sample,
        Path = path, Cases = c.Cases, Tolerance = c.Tolerance,
    };
}

/// <summary>The tape under control flow: no allocation, threads, nesting in a live frame, exceptions.</summary>
public class ControlFlowRuntimeTests
{
    private static readonly (string Name, Func<double, double, double> Call)[] Loopers =
    {
        ("Logistic(n = 100)", (x, y) => { double dx = 0, dr = 0; return C.LogisticAdjoint(0.1 + 0.8 * x, 0.625 + 0.1 * y, 100, ref dx, ref dr) + dx + dr; }),
        ("NestedLoops(n = 6)", (x, y) => { double dx = 0, dy = 0; return C.NestedLoopsAdjoint(x, y, 6, ref dx, ref dy) + dx + dy; }),
        ("BreakOnData", (x, y) => { double dx = 0, dy = 0; return C.BreakOnDataAdjoint(0.3 + 2 * x, y, ref dx, ref dy) + dx + dy; }),
        ("EarlyReturnNested", (x, y) => { double dx = 0, dy = 0; return C.EarlyReturnNestedAdjoint(0.2 + 2 * x, y, ref dx, ref dy) + dx + dy; }),
        ("LoopWithIf(n = 12)", (x, y) => { double dx = 0, dy = 0; return C.LoopWithIfAdjoint(x, y, 12, ref dx, ref dy) + dx + dy; }),
        ("WhileActive", (x, y) => { double dx = 0; return C.WhileActiveAdjoint(0.1 + x, ref dx, y) + dx; }),
        ("DoWhile", (x, y) => { double dx = 0, dy = 0; return C.DoWhileAdjoint(0.5 + x, y, ref dx, ref dy) + dx + dy; }),
        ("ContinueLoop(n = 20)", (x, y) => { double dx = 0, dy = 0; return C.ContinueLoopAdjoint(x, y, 20, ref dx, ref dy) + dx + dy; }),
        ("Piecewise5", (x, y) => { double dx = 0, dy = 0; return C.Piecewise5Adjoint(4 * x - 3, y, ref dx, ref dy) + dx + dy; }),
    };

    /// <summary>After warm-up, 1,000 adjoint calls of each looping method allocate nothing.</summary>
    [Fact]
    public void SteadyStateAdjointCallsAllocateNothing()
    {
        var bytes = new long[Loopers.Length];
        double sink = 0;
        for (int round = 0; round < 3; round++)
        {
            for (int m = 0; m < Loopers.Length; m++)
            {
                var call = Loopers[m].Call;
                for (int i = 0; i < 200; i++) sink += call(i * 0.001, 0.5);   // warm-up: JIT tiers, tape growth
                if (round == 0) Thread.Sleep(50);
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 1000; i++) sink += call(i * 0.001, 0.5);
                bytes[m] = GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }
        Assert.True(double.IsFinite(sink) || double.IsNaN(sink));
        var report = new List<string>();
        for (int m = 0; m < Loopers.Length; m++)
            if (bytes[m] != 0) report.Add($"{Loopers[m].Name}: {bytes[m]} bytes");
        Assert.True(report.Count == 0, "1,000 adjoint calls allocated: " + string.Join("; ", report));
    }

    /// <summary>8 threads × 10,000 adjoint calls agree bitwise with single-threaded results computed first.</summary>
    [Fact]
    public void ConcurrentAdjointCallsAgreeBitwiseWithSingleThreaded()
    {
        const int threads = 8, callsPerThread = 10_000, points = 16;
        int methods = Loopers.Length;
        var expected = new long[methods, points];
        for (int m = 0; m < methods; m++)
            for (int p = 0; p < points; p++)
                expected[m, p] = BitConverter.DoubleToInt64Bits(Loopers[m].Call(p / (double)points, 1 - p / (double)points));

        var mismatches = new int[threads];
        var firstMismatch = new string?[threads];
        var errors = new Exception?[threads];
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    for (int k = 0; k < callsPerThread; k++)
                    {
                        int m = (k + id) % methods, p = (k * 7 + id * 3) % points;
                        long got = BitConverter.DoubleToInt64Bits(Loopers[m].Call(p / (double)points, 1 - p / (double)points));
                        if (got != expected[m, p] && mismatches[id]++ == 0)
                            firstMismatch[id] = $"{Loopers[m].Name} at point {p}: {BitConverter.Int64BitsToDouble(expected[m, p])} vs {BitConverter.Int64BitsToDouble(got)}";
                    }
                    if (!Tape.Current.IsEmpty) throw new InvalidOperationException("tape not empty on worker thread");
                }
                catch (Exception e) { errors[id] = e; }
            });
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();
        for (int t = 0; t < threads; t++)
        {
            if (errors[t] is not null) throw new XunitException($"thread {t}: {errors[t]}");
            Assert.True(mismatches[t] == 0, $"thread {t}: {mismatches[t]} mismatches, first {firstMismatch[t]}");
        }
    }

    /// <summary>
    /// An adjoint call made while an outer frame is live on the same thread's tape (as when a generated adjoint
    /// calls another) leaves the outer frame's data intact, with and without an exception in the inner call.
    /// </summary>
    [Fact]
    public void AdjointInsideALiveOuterFrameLeavesItIntact()
    {
        double dx0 = 0, dr0 = 0;
        double v0 = C.LogisticAdjoint(0.3, 0.7, 100, ref dx0, ref dr0);
        double dt0 = 0;
        double t0 = C.ThrowingLoopAdjoint(0.4, 8, ref dt0);

        var tape = Tape.Current;
        var outer = tape.Begin();
        try
        {
            for (int i = 0; i < 300; i++) { tape.PushDouble(i + 0.5); tape.PushInt(i); tape.PushBool(i % 3 == 0); tape.PushFloat(i); }

            double dx = 0, dr = 0;
            double v = C.LogisticAdjoint(0.3, 0.7, 100, ref dx, ref dr);
            Assert.Equal((v0, dx0, dr0), (v, dx, dr));

            ControlFlowHooks.Armed = true;
            try
            {
                double d = 0;
                Assert.Throws<InvalidOperationException>(() => C.ThrowingLoopAdjoint(0.4, 8, ref d));
            }
            finally { ControlFlowHooks.Armed = false; }

            double dt = 0;
            Assert.Equal(t0, C.ThrowingLoopAdjoint(0.4, 8, ref dt));
            Assert.Equal(dt0, dt);

            Assert.Equal((300, 300, 300, 300), (tape.DoubleCount, tape.IntCount, tape.BoolCount, tape.FloatCount));
            for (int i = 299; i >= 0; i--)
            {
                Assert.Equal((float)i, tape.PopFloat());
                Assert.Equal(i % 3 == 0, tape.PopBool());
                Assert.Equal(i, tape.PopInt());
                Assert.Equal(i + 0.5, tape.PopDouble());
            }
        }
        finally { tape.End(outer); }
        Assert.True(tape.IsEmpty);
    }

    /// <summary>
    /// A user exception thrown by a discarded call in the middle of a loop's forward sweep propagates out of the
    /// adjoint (and the forward and gradient methods); afterwards the tape is empty and the next calls on the same
    /// thread are exactly as before.
    /// </summary>
    [Fact]
    public void ExceptionInTheMiddleOfASweep_NextCallIsCorrect()
    {
        const int n = 10;
        var r = new Random(11);
        var xs = new double[20];
        for (int i = 0; i < xs.Length; i++) xs[i] = r.U(-1, 1);
        var expected = new (double V, double D, (double, double) Fwd, (double, double) Grad)[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            double d = 0;
            expected[i] = (C.ThrowingLoopAdjoint(xs[i], n, ref d, 1.0), d, C.ThrowingLoopForward(xs[i], n, 1), C.ThrowingLoopGradient(xs[i], n));
        }
        Assert.True(Tape.Current.IsEmpty);

        for (int i = 0; i < xs.Length; i++)
        {
            ControlFlowHooks.Armed = true;
            try
            {
                int ticks = ControlFlowHooks.Ticks;
                double d = 7;
                var e = Assert.Throws<InvalidOperationException>(() => C.ThrowingLoopAdjoint(xs[i], n, ref d, 1.0));
                Assert.Contains("armed", e.Message);
                Assert.Equal(ticks + 4, ControlFlowHooks.Ticks);   // thrown at iteration 3, i.e. mid-loop
                Assert.Equal(7, d);                               // nothing was added before the exception
                Assert.Throws<InvalidOperationException>(() => C.ThrowingLoopForward(xs[i], n, 1));
                Assert.Throws<InvalidOperationException>(() => C.ThrowingLoopGradient(xs[i], n));
            }
            finally { ControlFlowHooks.Armed = false; }
            Assert.True(Tape.Current.IsEmpty, "tape not empty after the exception");

            double dd = 0;
            double v = C.ThrowingLoopAdjoint(xs[i], n, ref dd, 1.0);
            Assert.Equal(expected[i].V, v);
            Assert.Equal(expected[i].D, dd);
            Assert.Equal(expected[i].Fwd, C.ThrowingLoopForward(xs[i], n, 1));
            Assert.Equal(expected[i].Grad, C.ThrowingLoopGradient(xs[i], n));
            Assert.True(Tape.Current.IsEmpty, "tape not empty after a normal call");

            // Another looping method on the same thread is unaffected too.
            double dx = 0, dr = 0, dx2 = 0, dr2 = 0;
            C.LogisticAdjoint(0.3, 0.7, 50, ref dx, ref dr);
            var (_, gx, gr) = C.LogisticGradient(0.3, 0.7, 50);
            dx2 = gx; dr2 = gr;
            Assert.Equal((dx, dr), (dx2, dr2));
        }
    }
}
