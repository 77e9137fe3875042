using System;
using System.Linq;
using M = Tangent.Tests.ArrayMethods;

namespace Tangent.Tests;

// Calls between [Differentiable] methods with array arguments and results (issue 5).
public static partial class ArrayMethods
{
    /// <summary>2·xᵀx through a call of another [Differentiable] method with the same array twice.</summary>
    [Differentiable]
    public static double TwiceNormSqViaDot(double[] x) => 2 * Dot(x, x);

    /// <summary>A local array passed to a [Differentiable] method: Σ sin(pᵢ)·xᵢ with p the prefix sums, via Dot.</summary>
    [Differentiable]
    public static double LocalIntoCall(double[] x)
    {
        int n = x.Length;
        var p = new double[n];
        double run = 0;
        for (int i = 0; i < n; i++)
        {
            run += x[i];
            p[i] = Math.Sin(run);
        }
        return Dot(p, x) + SumSquares(p);
    }

    /// <summary>
    /// s·Σ sin(xᵢ)² with the element read straight into the call. Regression: the reverse sweep passed the
    /// callee's reverse half the element temporary (not recorded, so the last pass's value) instead of
    /// reading xᵢ again, and every element got the last element's derivative.
    /// </summary>
    [Differentiable]
    public static double ElementIntoCall(double[] x, double s)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
            total += SinSquared(x[i]) * s;
        return total;
    }

    [Differentiable]
    public static double SinSquared(double v) => Math.Sin(v) * Math.Sin(v);

    /// <summary>An array-valued call of an array-valued method: (x²)² elementwise, plus sin.</summary>
    [Differentiable]
    public static double[] SquareTwice(double[] x)
    {
        var y = Square(Square(x));
        var z = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            z[i] = y[i] + Math.Sin(x[i]);
        return z;
    }
}

public class ArrayCallTests
{
    private static readonly int[] Sizes = { 1, 3, 7 };

    private delegate double Adj1(double[] x, double[] dX, double dResult);

    private static ArrCase One(string name, int n, Func<double[], double> f, Func<double[], double[], (double, double)> forward,
                               Adj1 adjoint, Func<double[], (double, double[])> gradient)
        => new()
        {
            Name = $"{name}(n = {n})",
            Dim = n,
            F = f,
            Forward = (x, v) => forward(x, v),
            Adjoint = (x, acc, w) => { var d = (double[])acc.Clone(); double val = adjoint(x, d, w); d.CopyTo(acc, 0); return val; },
            Gradient = x => gradient(x),
        };

    [Fact]
    public void TwiceNormSqViaDot_SameArrayTwice_GradientIs4x()
    {
        foreach (int n in Sizes)
        {
            var c = One("TwiceNormSqViaDot", n, M.TwiceNormSqViaDot, (x, v) => M.TwiceNormSqViaDotForward(x, v), M.TwiceNormSqViaDotAdjoint,
                        x => M.TwiceNormSqViaDotGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Analytic = x => x.Select(xi => 4 * xi).ToArray(),
            }.Run();
        }
    }

    [Fact]
    public void LocalArrayPassedToCalls()
    {
        foreach (int n in Sizes)
            One("LocalIntoCall", n, M.LocalIntoCall, (x, v) => M.LocalIntoCallForward(x, v), M.LocalIntoCallAdjoint,
                x => M.LocalIntoCallGradient(x)).Run();
    }

    [Fact]
    public void ArrayElementPassedStraightToACallInALoop()
    {
        foreach (int n in Sizes)
        {
            var c = One("ElementIntoCall", n, x => M.ElementIntoCall(x, 1.7), (x, v) => M.ElementIntoCallForward(x, 1.7, v, 0),
                        (x, dX, w) => { double ds = 0; return M.ElementIntoCallAdjoint(x, 1.7, dX, ref ds, w); },
                        x => { var g = M.ElementIntoCallGradient(x, 1.7); return (g.Value, g.dX); });
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Analytic = x => x.Select(xi => 1.7 * Math.Sin(2 * xi)).ToArray(),
            }.Run();
        }
    }

    [Fact]
    public void ArrayValuedCallOfArrayValuedMethod()
    {
        foreach (int n in Sizes)
            new VecCase
            {
                Name = $"SquareTwice(n = {n})",
                Dim = n,
                F = M.SquareTwice,
                Forward = (x, v) => M.SquareTwiceForward(x, v),
                Adjoint = (x, acc, yBar) => { var d = (double[])acc.Clone(); var val = M.SquareTwiceAdjoint(x, d, yBar); d.CopyTo(acc, 0); return val; },
            }.Run();
    }
}
