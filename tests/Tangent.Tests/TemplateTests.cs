using System;
using System.Collections.Generic;
using System.Linq;
using Xunit.Sdk;

namespace Tangent.Tests;

/// <summary>
/// Every derivative template, through the generated Forward/Adjoint/Gradient methods of <see cref="Templates"/>,
/// against central differences at random points of the function's domain; float twins against their double
/// method; then the zero-derivative functions (exactly 0) and the documented one-sided choices at kinks.
/// </summary>
public class TemplateTests
{
    private sealed record Case(Domain[] Domains, Func<double[], bool>? Accept = null, Func<double[], double[]>? Analytic = null);

    private static readonly Domain Pm2 = Dom.U(-2, 2);

    /// <summary>Bases of logarithms: (0.2, 0.8) ∪ (1.2, 4), away from base 1.</summary>
    private static readonly Domain LogBase = r => r.Next(2) == 0 ? r.Uniform(0.2, 0.8) : r.Uniform(1.2, 4);

    private static bool Apart(double a, double b, double margin = 0.05) => Math.Abs(a - b) > margin;

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["Sin"] = new(new[] { Pm2, Pm2 }),
        ["Cos"] = new(new[] { Pm2, Pm2 }),
        ["Tan"] = new(new[] { Dom.U(-1.2, 1.2), Pm2 }),
        ["Asin"] = new(new[] { Dom.U(-0.9, 0.9), Pm2 }),
        ["Acos"] = new(new[] { Dom.U(-0.9, 0.9), Pm2 }),
        ["Atan"] = new(new[] { Pm2, Pm2 }),
        ["Atan2"] = new(new[] { Dom.PlusMinus(0.3, 2), Pm2 }),   // |y| ≥ 0.3: away from the origin and the branch cut
        ["Atan2Y"] = new(new[] { Dom.U(-3, 3) }),
        ["Atan2X"] = new(new[] { Pm2 }),
        ["Sinh"] = new(new[] { Pm2, Pm2 }),
        ["Cosh"] = new(new[] { Dom.U(-1.5, 1.5), Dom.U(-1.5, 1.5) }),
        ["Tanh"] = new(new[] { Pm2, Pm2 }),
        ["Asinh"] = new(new[] { Pm2, Pm2 }),
        ["Acosh"] = new(new[] { Dom.U(1.1, 4), Pm2 }),
        ["Atanh"] = new(new[] { Dom.U(-0.9, 0.9) }),
        ["Exp"] = new(new[] { Dom.U(-1.5, 1.5), Dom.U(-1.5, 1.5) }),
        ["Log"] = new(new[] { Dom.U(0.3, 3), Dom.U(0.3, 3) }),
        ["LogValue"] = new(new[] { Pm2 }),
        ["LogBase"] = new(new[] { LogBase }),
        ["LogBoth"] = new(new[] { Dom.U(0.3, 3), LogBase }),
        ["Log10"] = new(new[] { Dom.U(0.2, 5), Pm2 }),
        ["Log2"] = new(new[] { Dom.U(0.2, 5), Pm2 }),
        ["Sqrt"] = new(new[] { Pm2, Dom.U(0.1, 2) }),
        ["Cbrt"] = new(new[] { Dom.PlusMinus(0.2, 3), Pm2 }),
        ["PowBase"] = new(new[] { Dom.U(0.2, 3) }),
        ["PowExponent"] = new(new[] { Dom.U(-1.5, 1.5) }),
        ["PowBoth"] = new(new[] { Dom.U(0.2, 3), Pm2 }),
        ["Hypot"] = new(new[] { Dom.PlusMinus(0.2, 3), Dom.PlusMinus(0.2, 3) }),
        ["Fma"] = new(new[] { Pm2, Pm2, Pm2 }),
        ["Abs"] = new(new[] { Dom.PlusMinus(0.05, 2), Pm2 }),
        ["Max"] = new(new[] { Pm2, Pm2 }, x => Apart(x[0], x[1])),
        ["Min"] = new(new[] { Pm2, Pm2 }, x => Apart(x[0], x[1])),
        ["ClampValue"] = new(new[] { Dom.U(-1.5, 1.5), Pm2 }, x => Apart(x[0], -0.5) && Apart(x[0], 0.5)),
        ["ClampAll"] = new(new[] { Dom.U(-1.5, 1.5), Dom.U(-1, -0.2), Dom.U(0.2, 1) }, x => Apart(x[0], x[1]) && Apart(x[0], x[2])),
        ["Floor"] = new(new[] { Dom.Frac(-3, 2, 0.05, 0.95), Pm2 }),
        ["Ceiling"] = new(new[] { Dom.Frac(-3, 2, 0.05, 0.95), Pm2 }),
        ["Round"] = new(new[] { Dom.Frac(-3, 3, -0.45, 0.45), Pm2 }),
        ["Truncate"] = new(new[] { Dom.Frac(-3, 2, 0.05, 0.95), Pm2 }),
        ["Sign"] = new(new[] { Dom.PlusMinus(0.05, 2), Pm2 }),
        // StopGradient(x·y)·x: the stopped factor is a constant, so ∂/∂x = x·y and ∂/∂y = 0.
        ["StopGradient"] = new(new[] { Pm2, Pm2 }, Analytic: x => new[] { x[0] * x[1], 0.0 }),
        ["DSin"] = new(new[] { Dom.U(-1.5, 1.5), Pm2 }),
        ["DExpLog"] = new(new[] { Dom.U(-1.5, 1.5), Dom.U(0.3, 3) }),
        ["DPow"] = new(new[] { Dom.U(0.3, 3), Pm2 }),
        ["DHyperbolic"] = new(new[] { Pm2, Pm2 }),
        ["DKinks"] = new(new[] { Dom.Frac(-2, 1, 0.05, 0.95), Pm2 }, x => Apart(x[0], x[1]) && Apart(Math.Abs(x[1]), 1)),
        ["DLogs"] = new(new[] { Dom.U(0.3, 3), Dom.U(0.3, 3) }),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Double(string name)
    {
        var c = Cases[name];
        new GradientSpec
        {
            Method = Diff.Of(typeof(Templates), name),
            Domains = c.Domains,
            Accept = c.Accept,
            Analytic = c.Analytic,
        }.Run();
    }

    /// <summary>
    /// The float twin, at float points, against the central differences of its double twin at the same point:
    /// the reference is exact to ~1e-10, so the tolerance only has to absorb float rounding (<see cref="Tol.Float"/>).
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Float(string name)
    {
        var c = Cases[name];
        var twin = Diff.Of(typeof(Templates), name);
        new GradientSpec
        {
            Method = Diff.Of(typeof(Templates), name + "F"),
            Domains = c.Domains,
            Accept = c.Accept,
            Analytic = c.Analytic,
            Reference = twin.Call,
            Tolerance = Tol.Float,
        }.Run();
    }

    // ---- Zero-derivative functions: derivative exactly 0, everywhere (jumps included) ------------------------

    public static TheoryData<string> ZeroDerivative => new()
    {
        "FloorOnly", "CeilingOnly", "RoundOnly", "TruncateOnly", "SignOnly", "StopGradientOnly",
        "FloorOnlyF", "CeilingOnlyF", "RoundOnlyF", "TruncateOnlyF", "SignOnlyF", "StopGradientOnlyF",
    };

    [Theory]
    [MemberData(nameof(ZeroDerivative))]
    public void DerivativeIsExactlyZero(string name)
    {
        var m = Diff.Of(typeof(Templates), name);
        var r = new Random(Rand.Seed(name));
        // Random points, plus integers and half-integers (the jumps).
        var points = Enumerable.Range(0, 60).Select(_ => r.Uniform(-4, 4))
                               .Concat(new[] { 0.0, -0.0, 1, -1, 0.5, -0.5, 2.5, -2.5, 3 });
        foreach (double x0 in points)
        {
            double x = m.IsFloat ? (float)x0 : x0;
            string Ctx() => $"{m.Name} x = {Check.Fmt(x)}";
            double primal = m.Call(new[] { x });
            var (value, tangent) = m.CallForward(new[] { x }, new[] { 0.75 });
            Check.Exact(primal, value, "forward Value", Ctx);
            Check.Exact(0, tangent, "forward Tangent", Ctx);
            var acc = new[] { 10.0 };
            Check.Exact(primal, m.CallAdjoint(new[] { x }, acc, -1.25), "adjoint value", Ctx);
            Check.Exact(10, acc[0], "adjoint accumulator (must be left unchanged)", Ctx);
            var (gv, g) = m.CallGradient(new[] { x });
            Check.Exact(primal, gv, "gradient Value", Ctx);
            Check.Exact(0, g[0], "gradient", Ctx);
        }
    }

    /// <summary>Round(x, digits)·x and Round(x, digits, mode)·x: the derivative is Round(...) (the Round factor contributes 0).</summary>
    [Theory]
    [InlineData("RoundDigits", 2, false)]
    [InlineData("RoundDigitsF", 2, false)]
    [InlineData("RoundMode", 1, true)]
    [InlineData("RoundModeF", 1, true)]
    public void RoundWithDigits(string name, int digits, bool awayFromZero)
    {
        var m = Diff.Of(typeof(Templates), name);
        var r = new Random(Rand.Seed(name));
        var mode = awayFromZero ? MidpointRounding.AwayFromZero : MidpointRounding.ToEven;
        for (int c = 0; c < 60; c++)
        {
            double x = r.Uniform(-3, 3);
            if (m.IsFloat) x = (float)x;
            double expected = m.IsFloat ? MathF.Round((float)x, digits, mode) : Math.Round(x, digits, mode);
            string Ctx() => $"{m.Name} x = {Check.Fmt(x)}";
            double tol = m.IsFloat ? Tol.SameFloat : Tol.SameDouble;
            Check.Close(expected, m.CallForward(new[] { x }, new[] { 1.0 }).Tangent, tol, "forward", Ctx);
            var acc = new double[1];
            m.CallAdjoint(new[] { x }, acc, 1);
            Check.Close(expected, acc[0], tol, "adjoint", Ctx);
        }
    }

    // ---- Kinks: the documented one-sided choices ---------------------------------------------------------

    [Theory]
    [InlineData("AbsOnly")]
    [InlineData("AbsOnlyF")]
    public void AbsHasDerivativeZeroAtZero(string name)
    {
        var m = Diff.Of(typeof(Templates), name);
        foreach (double zero in new[] { 0.0, -0.0 })
        {
            string Ctx() => $"{m.Name} x = {Check.Fmt(zero)}";
            Check.Exact(0, m.CallForward(new[] { zero }, new[] { 1.0 }).Tangent, "forward Abs'(0)", Ctx);
            var acc = new double[1];
            m.CallAdjoint(new[] { zero }, acc, 1);
            Check.Exact(0, acc[0], "adjoint Abs'(0)", Ctx);
            Check.Exact(0, m.CallGradient(new[] { zero }).Gradient[0], "gradient Abs'(0)", Ctx);
        }
        // And ±1 on either side.
        Check.Exact(1, m.CallGradient(new[] { 0.5 }).Gradient[0], "Abs'(0.5)", () => name);
        Check.Exact(-1, m.CallGradient(new[] { -0.5 }).Gradient[0], "Abs'(-0.5)", () => name);
    }

    [Theory]
    [InlineData("MaxOnly")]
    [InlineData("MaxOnlyF")]
    [InlineData("MinOnly")]
    [InlineData("MinOnlyF")]
    public void MaxMinTiesGoToTheFirstArgument(string name)
    {
        var m = Diff.Of(typeof(Templates), name);
        foreach (double t in new[] { 0.0, 1.5, -2.25 })
        {
            string Ctx() => $"{m.Name} x = y = {Check.Fmt(t)}";
            var x = new[] { t, t };
            Check.Exact(0.75, m.CallForward(x, new[] { 0.75, -0.5 }).Tangent, "forward tangent at a tie (= tangent of the first argument)", Ctx);
            var acc = new double[2];
            m.CallAdjoint(x, acc, 1.5);
            Check.Exact(1.5, acc[0], "adjoint of the first argument at a tie", Ctx);
            Check.Exact(0, acc[1], "adjoint of the second argument at a tie", Ctx);
            var g = m.CallGradient(x).Gradient;
            Check.Exact(1, g[0], "gradient[0] at a tie", Ctx);
            Check.Exact(0, g[1], "gradient[1] at a tie", Ctx);
        }
    }

    [Theory]
    [InlineData("ClampOnly")]
    [InlineData("ClampOnlyF")]
    public void ClampAtABoundPassesTheAdjointToTheValue(string name)
    {
        var m = Diff.Of(typeof(Templates), name);
        const double lo = -0.5, hi = 0.75;
        foreach (double x in new[] { lo, hi })
        {
            string Ctx() => $"{m.Name} Clamp({Check.Fmt(x)}, {lo}, {hi})";
            var p = new[] { x, lo, hi };
            Check.Exact(0.25, m.CallForward(p, new[] { 0.25, 1, -1 }).Tangent, "forward tangent at a bound (= tangent of the value)", Ctx);
            var acc = new double[3];
            m.CallAdjoint(p, acc, 2);
            Check.Exact(2, acc[0], "adjoint of the value", Ctx);
            Check.Exact(0, acc[1], "adjoint of min", Ctx);
            Check.Exact(0, acc[2], "adjoint of max", Ctx);
        }
        // Strictly outside: the adjoint goes to the bound that is returned.
        var below = new double[3];
        m.CallAdjoint(new[] { -2.0, lo, hi }, below, 1);
        Assert.Equal(new[] { 0.0, 1, 0 }, below);
        var above = new double[3];
        m.CallAdjoint(new[] { 2.0, lo, hi }, above, 1);
        Assert.Equal(new[] { 0.0, 0, 1 }, above);
    }
}
