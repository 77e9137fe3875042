using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit.Sdk;
using M = Tangent.Tests.ArrayMethods;

namespace Tangent.Tests;

/// <summary>
/// A scalar-valued method of array (and scalar) parameters, seen as a function of the flat vector of its active
/// inputs. <see cref="Run"/> checks, at seeded random points: forward value = primal (bitwise) and forward tangent =
/// ∇f·v; adjoint value = primal and adjoint = dResult·∇f (∇f by 5-point central differences, and by an analytic
/// formula when given); the adjoint accumulates (into zeroed and into preloaded shadows); forward and adjoint are
/// dual (w·(∇f·v) = v·(w∇f)); MGradient = ∇f and = adjoint with dResult = 1.
/// </summary>
public sealed class ArrCase
{
    public required string Name { get; init; }
    public required int Dim { get; init; }
    public required Func<double[], double> F { get; init; }
    public required Func<double[], double[], (double Value, double Tangent)> Forward { get; init; }
    /// <summary>Adds dResult·∇f into acc (copied into the method's shadow arrays and back) and returns the value.</summary>
    public required Func<double[], double[], double, double> Adjoint { get; init; }
    public Func<double[], (double Value, double[] Gradient)>? Gradient { get; init; }
    /// <summary>The function differenced for the reference (the double twin of a float method); F when null.</summary>
    public Func<double[], double>? Reference { get; init; }
    public Func<double[], double[]>? Analytic { get; init; }
    public Domain Domain { get; init; } = Dom.U(-2, 2);
    public Func<double[], bool>? Accept { get; init; }
    public bool IsFloat { get; init; }
    public int Cases { get; init; } = 5;

    public void Run()
    {
        double tol = IsFloat ? Tol.Float : Tol.Double;
        double same = IsFloat ? Tol.SameFloat : Tol.SameDouble;
        var r = new Random(Rand.Seed(Name));
        var reference = Reference ?? F;
        for (int c = 0; c < Cases; c++)
        {
            double[] x;
            int tries = 0;
            do
            {
                x = Enumerable.Range(0, Dim).Select(_ => Domain(r)).ToArray();
                if (IsFloat) x = x.Select(Rand.ToFloat).ToArray();
                if (++tries > 1000) throw new XunitException($"{Name}: Accept rejects every sampled point");
            } while (Accept is not null && !Accept(x));
            double[] v = Rand.Direction(r, Dim);
            double[] p = Rand.Direction(r, Dim);
            double w = Rand.Cotangent(r);
            if (IsFloat) { v = v.Select(Rand.ToFloat).ToArray(); p = p.Select(Rand.ToFloat).ToArray(); w = Rand.ToFloat(w); }
            string Ctx() => $"{Name} x = {Check.Fmt(x)}, v = {Check.Fmt(v)}, dResult = {Check.Fmt(w)} (case {c})";

            double[] g = Fd.Gradient(reference, x);
            double[]? ga = Analytic?.Invoke(x);
            double primal = F(x);

            // Forward mode.
            var (value, tangent) = Forward(x, v);
            Check.Exact(primal, value, "forward Value", Ctx);
            double dir = 0, dirScale = 0;
            for (int i = 0; i < Dim; i++) { dir += g[i] * v[i]; dirScale += Math.Abs(g[i] * v[i]); }
            Check.Close(dir, tangent, tol, "forward Tangent vs central differences of ∇f·v", Ctx, dirScale);
            if (ga is not null)
            {
                double adir = 0;
                for (int i = 0; i < Dim; i++) adir += ga[i] * v[i];
                Check.Close(adir, tangent, tol, "forward Tangent vs analytic ∇f·v", Ctx, dirScale);
            }

            // Adjoint mode into zeroed shadows.
            var acc = new double[Dim];
            Check.Exact(primal, Adjoint(x, acc, w), "adjoint return value", Ctx);
            for (int i = 0; i < Dim; i++)
            {
                Check.Close(w * g[i], acc[i], tol, $"adjoint component {i} vs dResult·(central differences)", Ctx);
                if (ga is not null) Check.Close(w * ga[i], acc[i], tol, $"adjoint component {i} vs dResult·(analytic)", Ctx);
            }
            var once = (double[])acc.Clone();

            // Duality: w·(∇f·v) from forward mode = v·(w∇f) from adjoint mode.
            double vAdj = 0, vScale = 0;
            for (int i = 0; i < Dim; i++) { vAdj += v[i] * once[i]; vScale += Math.Abs(v[i] * once[i]); }
            Check.Close(w * tangent, vAdj, same, "duality w·(forward tangent) vs v·(adjoint)", Ctx, vScale);

            // Accumulation: a second call adds the same again; preloaded shadows are added to.
            Adjoint(x, acc, w);
            for (int i = 0; i < Dim; i++)
                Check.Close(2 * once[i], acc[i], same, $"adjoint component {i} after a second call (must accumulate)", Ctx);
            var pre = (double[])p.Clone();
            Adjoint(x, pre, w);
            for (int i = 0; i < Dim; i++)
                Check.Close(p[i] + once[i], pre[i], same, $"adjoint component {i} added to a preloaded shadow", Ctx, Math.Abs(p[i]));

            // Gradient method.
            if (Gradient is not null)
            {
                var (gValue, grad) = Gradient(x);
                Check.Exact(primal, gValue, "gradient Value", Ctx);
                if (grad.Length != Dim) throw new XunitException($"{Name}Gradient returned {grad.Length} components, expected {Dim}");
                for (int i = 0; i < Dim; i++)
                {
                    Check.Close(g[i], grad[i], tol, $"gradient component {i}", Ctx);
                    Check.Close(once[i] / w, grad[i], 4 * same, $"gradient component {i} vs adjoint with dResult = 1", Ctx);
                }
            }
        }
    }
}

/// <summary>
/// An array-valued method, as a map from the flat vector of its active inputs to the flat vector of its result.
/// <see cref="Run"/> checks forward values (bitwise) and tangents J·v, adjoint values and Jᵀ·ȳ for a random
/// cotangent ȳ (J by 5-point central differences, column by column), accumulation, and duality ȳ·(Jv) = v·(Jᵀȳ).
/// </summary>
public sealed class VecCase
{
    public required string Name { get; init; }
    public required int Dim { get; init; }
    public required Func<double[], double[]> F { get; init; }
    public required Func<double[], double[], (double[] Value, double[] Tangent)> Forward { get; init; }
    /// <summary>Adds Jᵀ·ȳ into acc and returns the value (flattened).</summary>
    public required Func<double[], double[], double[], double[]> Adjoint { get; init; }
    public Func<double[], double[]>? Reference { get; init; }
    public Domain Domain { get; init; } = Dom.U(-2, 2);
    public bool IsFloat { get; init; }
    public int Cases { get; init; } = 5;

    /// <summary>J[j, i] = ∂yⱼ/∂xᵢ by the stencil of <see cref="Fd.Partial"/>, one column per input.</summary>
    public static double[,] Jacobian(Func<double[], double[]> f, double[] x)
    {
        int outs = f(x).Length;
        var J = new double[outs, x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double h = Fd.Step(x[i]);
            double[] At(double t) { var q = (double[])x.Clone(); q[i] = x[i] + t; return f(q); }
            double[] a = At(2 * h), b = At(h), c = At(-h), d = At(-2 * h);
            for (int j = 0; j < outs; j++)
                J[j, i] = (-a[j] + 8 * b[j] - 8 * c[j] + d[j]) / (12 * h);
        }
        return J;
    }

    public void Run()
    {
        double tol = IsFloat ? Tol.Float : Tol.Double;
        double same = IsFloat ? Tol.SameFloat : Tol.SameDouble;
        var r = new Random(Rand.Seed(Name));
        for (int c = 0; c < Cases; c++)
        {
            double[] x = Enumerable.Range(0, Dim).Select(_ => Domain(r)).ToArray();
            double[] v = Rand.Direction(r, Dim);
            if (IsFloat) { x = x.Select(Rand.ToFloat).ToArray(); v = v.Select(Rand.ToFloat).ToArray(); }
            double[] primal = F(x);
            int outs = primal.Length;
            double[] yBar = Enumerable.Range(0, outs).Select(_ => Rand.Cotangent(r)).ToArray();
            if (IsFloat) yBar = yBar.Select(Rand.ToFloat).ToArray();
            string Ctx() => $"{Name} x = {Check.Fmt(x)}, v = {Check.Fmt(v)}, ȳ = {Check.Fmt(yBar)} (case {c})";
            double[,] J = Jacobian(Reference ?? F, x);

            var (value, tangent) = Forward(x, v);
            if (value.Length != outs || tangent.Length != outs)
                throw new XunitException($"{Name}: forward returned {value.Length} values and {tangent.Length} tangents, expected {outs}");
            double yBarT = 0, yBarTScale = 0;
            for (int j = 0; j < outs; j++)
            {
                Check.Exact(primal[j], value[j], $"forward Value[{j}]", Ctx);
                double jv = 0, scale = 0;
                for (int i = 0; i < Dim; i++) { jv += J[j, i] * v[i]; scale += Math.Abs(J[j, i] * v[i]); }
                Check.Close(jv, tangent[j], tol, $"forward Tangent[{j}] vs (J·v)[{j}]", Ctx, scale);
                yBarT += yBar[j] * tangent[j];
                yBarTScale += Math.Abs(yBar[j] * tangent[j]);
            }

            var acc = new double[Dim];
            double[] adjValue = Adjoint(x, acc, yBar);
            for (int j = 0; j < outs; j++) Check.Exact(primal[j], adjValue[j], $"adjoint Value[{j}]", Ctx);
            double vAdj = 0, vScale = 0;
            for (int i = 0; i < Dim; i++)
            {
                double jt = 0, scale = 0;
                for (int j = 0; j < outs; j++) { jt += J[j, i] * yBar[j]; scale += Math.Abs(J[j, i] * yBar[j]); }
                Check.Close(jt, acc[i], tol, $"adjoint component {i} vs (Jᵀ·ȳ)[{i}]", Ctx, scale);
                vAdj += v[i] * acc[i];
                vScale += Math.Abs(v[i] * acc[i]);
            }
            Check.Close(yBarT, vAdj, same, "duality ȳ·(forward tangent) vs v·(adjoint)", Ctx, Math.Max(vScale, yBarTScale));

            var once = (double[])acc.Clone();
            Adjoint(x, acc, yBar);
            for (int i = 0; i < Dim; i++)
                Check.Close(2 * once[i], acc[i], same, $"adjoint component {i} after a second call (must accumulate)", Ctx);
        }
    }
}

/// <summary>
/// Arrays, 2-D arrays and spans in [Differentiable] methods (<see cref="ArrayMethods"/>): forward and adjoint mode
/// against central differences at seeded random points for sizes 1, 3 and 7, analytic checks where the
/// derivative is known, accumulation into shadows, aliasing checks, and steady-state allocation.
/// </summary>
public class ArrayTests
{
    private static readonly int[] Sizes = { 1, 3, 7 };

    // ---- Flattening helpers -------------------------------------------------------------------------------

    private static double[] Seg(double[] x, int offset, int length) => x.AsSpan(offset, length).ToArray();

    private static double[,] Mat(double[] x, int offset, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = x[offset + i * cols + j];
        return m;
    }

    private static void Put(double[,] m, double[] into, int offset)
    {
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                into[offset + i * m.GetLength(1) + j] = m[i, j];
    }

    private static double[] Flat(double[,] m) { var f = new double[m.Length]; Put(m, f, 0); return f; }

    private static float[] F32(double[] x) => x.Select(d => (float)d).ToArray();

    private static double[] F64(float[] x) => x.Select(f => (double)f).ToArray();

    private static float[,] F32(double[,] m)
    {
        var f = new float[m.GetLength(0), m.GetLength(1)];
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                f[i, j] = (float)m[i, j];
        return f;
    }

    private static double[] Flat(float[,] m) => Flat(ToDouble(m));

    private static double[,] ToDouble(float[,] m)
    {
        var d = new double[m.GetLength(0), m.GetLength(1)];
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                d[i, j] = m[i, j];
        return d;
    }

    private delegate double Adj1(double[] x, double[] dX, double dResult);

    /// <summary>A method of one double[] parameter.</summary>
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

    // ---- 1. Reductions ------------------------------------------------------------------------------------

    [Fact]
    public void TwiceNormSq_GradientIs4x()
    {
        foreach (int n in Sizes)
        {
            var c = One("TwiceNormSq", n, M.TwiceNormSq, (x, v) => M.TwiceNormSqForward(x, v), M.TwiceNormSqAdjoint, x => M.TwiceNormSqGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Analytic = x => x.Select(xi => 4 * xi).ToArray(),
            }.Run();
        }
        // At x = (1, 2, 3): value 28, gradient (4, 8, 12), exactly.
        var (value, g) = M.TwiceNormSqGradient(new double[] { 1, 2, 3 });
        Assert.Equal(28.0, value);
        Assert.Equal(new double[] { 4, 8, 12 }, g);
    }

    [Fact]
    public void SumSquares_GradientIs2x()
    {
        foreach (int n in Sizes)
        {
            var c = One("SumSquares", n, M.SumSquares, (x, v) => M.SumSquaresForward(x, v), M.SumSquaresAdjoint, x => M.SumSquaresGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Analytic = x => x.Select(xi => 2 * xi).ToArray(),
            }.Run();
        }
    }

    [Fact]
    public void Dot_BothArgumentsActive()
    {
        foreach (int n in Sizes)
        {
            new ArrCase
            {
                Name = $"Dot(n = {n})",
                Dim = 2 * n,
                F = x => M.Dot(Seg(x, 0, n), Seg(x, n, n)),
                Forward = (x, v) => M.DotForward(Seg(x, 0, n), Seg(x, n, n), Seg(v, 0, n), Seg(v, n, n)),
                Adjoint = (x, acc, w) =>
                {
                    double[] dA = Seg(acc, 0, n), dB = Seg(acc, n, n);
                    double val = M.DotAdjoint(Seg(x, 0, n), Seg(x, n, n), dA, dB, w);
                    dA.CopyTo(acc, 0); dB.CopyTo(acc, n);
                    return val;
                },
                Gradient = x => { var (val, dA, dB) = M.DotGradient(Seg(x, 0, n), Seg(x, n, n)); return (val, dA.Concat(dB).ToArray()); },
                Analytic = x => Seg(x, n, n).Concat(Seg(x, 0, n)).ToArray(),   // ∂/∂a = b, ∂/∂b = a
            }.Run();
        }
    }

    [Fact]
    public void DotConst_NoDerivativeArgument()
    {
        foreach (int n in Sizes)
        {
            var b = Rand.Direction(new Random(n), n).Select(t => 3 * t).ToArray();
            var bCopy = (double[])b.Clone();
            new ArrCase
            {
                Name = $"DotConst(n = {n})",
                Dim = n,
                F = x => M.DotConst(x, b),
                Forward = (x, v) => M.DotConstForward(x, b, v),
                Adjoint = (x, acc, w) => { var d = (double[])acc.Clone(); double val = M.DotConstAdjoint(x, b, d, w); d.CopyTo(acc, 0); return val; },
                Gradient = x => M.DotConstGradient(x, b),
                Analytic = _ => (double[])b.Clone(),
            }.Run();
            Assert.Equal(bCopy, b);
        }
    }

    // ---- 2. Elementwise square: an array result -----------------------------------------------------------

    [Fact]
    public void Square_AdjointOfOnesIs2x_OfThreesIs6x_ForwardIs2xv()
    {
        var r = new Random(Rand.Seed("Square analytic"));
        foreach (int n in Sizes)
        {
            for (int c = 0; c < 5; c++)
            {
                double[] x = Rand.Direction(r, n).Select(t => 2 * t).ToArray();
                double[] v = Rand.Direction(r, n);
                string Ctx() => $"Square x = {Check.Fmt(x)}, v = {Check.Fmt(v)}";
                double[] y = M.Square(x);

                var ones = Enumerable.Repeat(1.0, n).ToArray();
                var dX = new double[n];
                double[] value = M.SquareAdjoint(x, dX, ones);
                for (int i = 0; i < n; i++)
                {
                    Check.Exact(y[i], value[i], $"adjoint Value[{i}]", Ctx);
                    Check.Close(2 * x[i], dX[i], Tol.SameDouble, $"adjoint with ȳ = 1, component {i} (2x)", Ctx);
                }

                var threes = Enumerable.Repeat(3.0, n).ToArray();
                dX = new double[n];
                M.SquareAdjoint(x, dX, threes);
                for (int i = 0; i < n; i++)
                    Check.Close(6 * x[i], dX[i], Tol.SameDouble, $"adjoint with ȳ = 3, component {i} (6x)", Ctx);

                var (fv, t) = M.SquareForward(x, v);
                for (int i = 0; i < n; i++)
                {
                    Check.Exact(y[i], fv[i], $"forward Value[{i}]", Ctx);
                    Check.Close(2 * x[i] * v[i], t[i], Tol.SameDouble, $"forward Tangent[{i}] (2x·v)", Ctx);
                }
            }

            new VecCase
            {
                Name = $"Square(n = {n})",
                Dim = n,
                F = M.Square,
                Forward = (x, v) => M.SquareForward(x, v),
                Adjoint = (x, acc, yBar) => { var d = (double[])acc.Clone(); var val = M.SquareAdjoint(x, d, yBar); d.CopyTo(acc, 0); return val; },
            }.Run();
        }
    }

    [Fact]
    public void Elementwise_ArrayResultOfAParameterArray()
    {
        foreach (int n in Sizes)
            new VecCase
            {
                Name = $"Elementwise(n = {n})",
                Dim = n,
                F = M.Elementwise,
                Forward = (x, v) => M.ElementwiseForward(x, v),
                Adjoint = (x, acc, yBar) => { var d = (double[])acc.Clone(); var val = M.ElementwiseAdjoint(x, d, yBar); d.CopyTo(acc, 0); return val; },
            }.Run();
    }

    [Fact]
    public void ConstantResult_ForwardTangentIsZero_AdjointAddsNothing()
    {
        var r = new Random(Rand.Seed("ConstantResult"));
        foreach (int n in Sizes)
        {
            double[] x = Rand.Direction(r, n), v = Rand.Direction(r, n);
            var (value, tangent) = M.ConstantResultForward(x, v);
            Assert.Equal(M.ConstantResult(x), value);
            Assert.Equal(new double[n], tangent);
            Assert.NotSame(value, tangent);

            double[] pre = Rand.Direction(r, n);
            var dX = (double[])pre.Clone();
            var adjValue = M.ConstantResultAdjoint(x, dX, Rand.Direction(r, n));
            Assert.Equal(M.ConstantResult(x), adjValue);
            Assert.Equal(pre, dX);
        }
    }

    // ---- 3. Matrix product --------------------------------------------------------------------------------

    private static double[,] Mul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                for (int l = 0; l < k; l++)
                    c[i, j] += a[i, l] * b[l, j];
        return c;
    }

    private static double[,] T(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                t[j, i] = a[i, j];
        return t;
    }

    private static double[,] Add(double[,] a, double[,] b)
    {
        var c = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                c[i, j] = a[i, j] + b[i, j];
        return c;
    }

    private static double[,] RandomMatrix(Random r, int rows, int cols)
        => Mat(Enumerable.Range(0, rows * cols).Select(_ => r.Uniform(-2, 2)).ToArray(), 0, rows, cols);

    private static void CloseMatrix(double[,] expected, double[,] actual, double tol, string what, Func<string> ctx)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Check.Close(expected[i, j], actual[i, j], tol, $"{what}[{i},{j}]", ctx);
    }

    public static TheoryData<int, int, int> MatMulShapes => new() { { 1, 1, 1 }, { 3, 2, 4 }, { 7, 3, 5 }, { 2, 7, 1 } };

    [Theory]
    [MemberData(nameof(MatMulShapes))]
    public void MatMul_AdjointIsZbarWT_and_XTZbar_ForwardIs_dXW_plus_XdW(int n, int k, int m)
    {
        var r = new Random(Rand.Seed($"MatMul {n}x{k}x{m}"));
        for (int c = 0; c < 5; c++)
        {
            double[,] X = RandomMatrix(r, n, k), W = RandomMatrix(r, k, m), dX = RandomMatrix(r, n, k), dW = RandomMatrix(r, k, m);
            double[,] zBar = RandomMatrix(r, n, m);
            string Ctx() => $"MatMul {n}x{k}x{m}, X = {Check.Fmt(Flat(X))}, W = {Check.Fmt(Flat(W))} (case {c})";
            double[,] Z = M.MatMul(X, W);
            CloseMatrix(Mul(X, W), Z, Tol.SameDouble, "primal Z", Ctx);

            var xBar = new double[n, k];
            var wBar = new double[k, m];
            double[,] adjZ = M.MatMulAdjoint(X, W, xBar, wBar, zBar);
            CloseMatrix(Z, adjZ, 0, "adjoint Value", Ctx);
            CloseMatrix(Mul(zBar, T(W)), xBar, Tol.SameDouble, "X̄ = Z̄·Wᵀ", Ctx);
            CloseMatrix(Mul(T(X), zBar), wBar, Tol.SameDouble, "W̄ = Xᵀ·Z̄", Ctx);

            var (fz, tz) = M.MatMulForward(X, W, dX, dW);
            CloseMatrix(Z, fz, 0, "forward Value", Ctx);
            CloseMatrix(Add(Mul(dX, W), Mul(X, dW)), tz, Tol.SameDouble, "forward Tangent = dX·W + X·dW", Ctx);
        }

        int nx = n * k, nw = k * m;
        new VecCase
        {
            Name = $"MatMul({n}x{k}, {k}x{m})",
            Dim = nx + nw,
            F = x => Flat(M.MatMul(Mat(x, 0, n, k), Mat(x, nx, k, m))),
            Forward = (x, v) =>
            {
                var (val, t) = M.MatMulForward(Mat(x, 0, n, k), Mat(x, nx, k, m), Mat(v, 0, n, k), Mat(v, nx, k, m));
                return (Flat(val), Flat(t));
            },
            Adjoint = (x, acc, yBar) =>
            {
                double[,] dXm = Mat(acc, 0, n, k), dWm = Mat(acc, nx, k, m);
                var val = M.MatMulAdjoint(Mat(x, 0, n, k), Mat(x, nx, k, m), dXm, dWm, Mat(yBar, 0, n, m));
                Put(dXm, acc, 0); Put(dWm, acc, nx);
                return Flat(val);
            },
        }.Run();
    }

    // ---- 4. A two-output function: the Jacobian row by row and column by column -----------------------------

    [Fact]
    public void TwoOutputs_JacobianAt_u12_v34_ByRowsAndByColumns()
    {
        double[] u = { 1, 2 }, v = { 3, 4 };
        double[,] expected = { { 2, 3, 2, 0 }, { 0, 4, 16, 26 } };
        double[] y = M.TwoOutputs(u, v);
        Assert.Equal(new double[] { 1 + 2 * 3, 2 * 4 + 3 * 16 }, y);

        var byRows = new double[2, 4];
        for (int row = 0; row < 2; row++)
        {
            var e = new double[2];
            e[row] = 1;
            double[] dU = new double[2], dV = new double[2];
            double[] value = M.TwoOutputsAdjoint(u, v, dU, dV, e);
            Assert.Equal(y, value);
            byRows[row, 0] = dU[0]; byRows[row, 1] = dU[1]; byRows[row, 2] = dV[0]; byRows[row, 3] = dV[1];
        }

        var byCols = new double[2, 4];
        for (int col = 0; col < 4; col++)
        {
            var e = new double[4];
            e[col] = 1;
            var (value, t) = M.TwoOutputsForward(u, v, Seg(e, 0, 2), Seg(e, 2, 2));
            Assert.Equal(y, value);
            byCols[0, col] = t[0]; byCols[1, col] = t[1];
        }

        Assert.Equal(expected, byRows);
        Assert.Equal(expected, byCols);

        new VecCase
        {
            Name = "TwoOutputs",
            Dim = 4,
            F = x => M.TwoOutputs(Seg(x, 0, 2), Seg(x, 2, 2)),
            Forward = (x, t) => M.TwoOutputsForward(Seg(x, 0, 2), Seg(x, 2, 2), Seg(t, 0, 2), Seg(t, 2, 2)),
            Adjoint = (x, acc, yBar) =>
            {
                double[] dU = Seg(acc, 0, 2), dV = Seg(acc, 2, 2);
                var val = M.TwoOutputsAdjoint(Seg(x, 0, 2), Seg(x, 2, 2), dU, dV, yBar);
                dU.CopyTo(acc, 0); dV.CopyTo(acc, 2);
                return val;
            },
        }.Run();
    }

    // ---- 5. Constructs ------------------------------------------------------------------------------------

    [Fact]
    public void PrefixSin_LocalArrayOfPrefixSums()
    {
        foreach (int n in Sizes)
            One("PrefixSin", n, M.PrefixSin, (x, v) => M.PrefixSinForward(x, v), M.PrefixSinAdjoint, x => M.PrefixSinGradient(x)).Run();
    }

    [Fact]
    public void PrefixChain_LocalArrayReadsItsPreviousElement()
    {
        foreach (int n in Sizes)
            One("PrefixChain", n, M.PrefixChain, (x, v) => M.PrefixChainForward(x, v), M.PrefixChainAdjoint, x => M.PrefixChainGradient(x)).Run();
    }

    [Fact]
    public void Sweeps_InPlaceUpdatesOfALocalCopy()
    {
        foreach (int n in Sizes)
            One("Sweeps", n, M.Sweeps, (x, v) => M.SweepsForward(x, v), M.SweepsAdjoint, x => M.SweepsGradient(x)).Run();
    }

    [Fact]
    public void CompoundElements_PlusMinusTimesAssignOnElements()
    {
        foreach (int n in Sizes)
            One("CompoundElements", n, M.CompoundElements, (x, v) => M.CompoundElementsForward(x, v), M.CompoundElementsAdjoint,
                x => M.CompoundElementsGradient(x)).Run();
    }

    [Fact]
    public void ManyReads_AdjointsOfOneElementAccumulate()
    {
        foreach (int n in Sizes)
            One("ManyReads", n, M.ManyReads, (x, v) => M.ManyReadsForward(x, v), M.ManyReadsAdjoint, x => M.ManyReadsGradient(x)).Run();
    }

    [Fact]
    public void IndexArithmetic_2iPlus1_And_nMinus1MinusI()
    {
        foreach (int n in new[] { 1, 2, 3, 6, 7 })
            One("IndexArithmetic", n, M.IndexArithmetic, (x, v) => M.IndexArithmeticForward(x, v), M.IndexArithmeticAdjoint,
                x => M.IndexArithmeticGradient(x)).Run();
    }

    [Fact]
    public void FlatIndex_IJTimesColsPlusJ_AgainstA2DArray()
    {
        foreach (int n in Sizes)
        {
            int rows = n, cols = (n + 1) / 2, size = rows * cols;
            new ArrCase
            {
                Name = $"FlatIndex({rows}x{cols})",
                Dim = 2 * size,
                F = x => M.FlatIndex(Seg(x, 0, size), Mat(x, size, rows, cols)),
                Forward = (x, v) => M.FlatIndexForward(Seg(x, 0, size), Mat(x, size, rows, cols), Seg(v, 0, size), Mat(v, size, rows, cols)),
                Adjoint = (x, acc, w) =>
                {
                    double[] dFlat = Seg(acc, 0, size);
                    double[,] dM = Mat(acc, size, rows, cols);
                    double val = M.FlatIndexAdjoint(Seg(x, 0, size), Mat(x, size, rows, cols), dFlat, dM, w);
                    dFlat.CopyTo(acc, 0); Put(dM, acc, size);
                    return val;
                },
                Gradient = x =>
                {
                    var (val, dFlat, dM) = M.FlatIndexGradient(Seg(x, 0, size), Mat(x, size, rows, cols));
                    return (val, dFlat.Concat(Flat(dM)).ToArray());
                },
            }.Run();
        }
    }

    [Fact]
    public void ForeachOverArray()
    {
        foreach (int n in Sizes)
            One("ForeachArray", n, M.ForeachArray, (x, v) => M.ForeachArrayForward(x, v), M.ForeachArrayAdjoint, x => M.ForeachArrayGradient(x)).Run();
    }

    [Fact]
    public void ForeachOverReadOnlySpan()
    {
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"ForeachSpan(n = {n})",
                Dim = n,
                F = x => M.ForeachSpan(x),
                Forward = (x, v) => M.ForeachSpanForward(x, v),
                Adjoint = (x, acc, w) => { var d = (double[])acc.Clone(); double val = M.ForeachSpanAdjoint(x, d, w); d.CopyTo(acc, 0); return val; },
                Gradient = x => M.ForeachSpanGradient(x),
                Analytic = x => x.Select(t => Math.Cos(t) * t + Math.Sin(t)).ToArray(),
            }.Run();
    }

    [Fact]
    public void ReadOnlySpanParameters_IndexedAndLength()
    {
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"SpanDot(n = {n})",
                Dim = 2 * n,
                F = x => M.SpanDot(Seg(x, 0, n), Seg(x, n, n)),
                Forward = (x, v) => M.SpanDotForward(Seg(x, 0, n), Seg(x, n, n), Seg(v, 0, n), Seg(v, n, n)),
                Adjoint = (x, acc, w) =>
                {
                    // Both shadows are slices of one array: Span<double> shadows need not be whole arrays.
                    var d = (double[])acc.Clone();
                    double val = M.SpanDotAdjoint(Seg(x, 0, n), Seg(x, n, n), d.AsSpan(0, n), d.AsSpan(n, n), w);
                    d.CopyTo(acc, 0);
                    return val;
                },
                Gradient = x => { var (val, dA, dB) = M.SpanDotGradient(Seg(x, 0, n), Seg(x, n, n)); return (val, dA.Concat(dB).ToArray()); },
            }.Run();
    }

    [Fact]
    public void SpanParameter()
    {
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"SpanParam(n = {n})",
                Dim = n,
                F = x => M.SpanParam(x),
                Forward = (x, v) => M.SpanParamForward(x, v),
                Adjoint = (x, acc, w) => { var d = (double[])acc.Clone(); double val = M.SpanParamAdjoint(x, d, w); d.CopyTo(acc, 0); return val; },
                Gradient = x => M.SpanParamGradient(x),
                Analytic = x => x.Select(t => 3 * t * t).ToArray(),
            }.Run();
    }

    [Fact]
    public void Matrix2D_GetLengthOnA2DParameter()
    {
        foreach (int n in Sizes)
        {
            int rows = n, cols = (n + 1) / 2;
            new ArrCase
            {
                Name = $"Matrix2D({rows}x{cols})",
                Dim = rows * cols,
                F = x => M.Matrix2D(Mat(x, 0, rows, cols)),
                Forward = (x, v) => M.Matrix2DForward(Mat(x, 0, rows, cols), Mat(v, 0, rows, cols)),
                Adjoint = (x, acc, w) => { var d = Mat(acc, 0, rows, cols); double val = M.Matrix2DAdjoint(Mat(x, 0, rows, cols), d, w); Put(d, acc, 0); return val; },
                Gradient = x => { var (val, d) = M.Matrix2DGradient(Mat(x, 0, rows, cols)); return (val, Flat(d)); },
            }.Run();
        }
    }

    [Fact]
    public void Local2D_A2DLocalArray()
    {
        foreach (int n in Sizes)
            One("Local2D", n, M.Local2D, (x, v) => M.Local2DForward(x, v), M.Local2DAdjoint, x => M.Local2DGradient(x)).Run();
    }

    [Fact]
    public void Mixed_ScalarArrayAndIntParameters()
    {
        const int reps = 3;
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"Mixed(n = {n})",
                Dim = n + 2,   // s, x₀..xₙ₋₁, t
                F = x => M.Mixed(x[0], Seg(x, 1, n), reps, x[n + 1]),
                Forward = (x, v) => M.MixedForward(x[0], Seg(x, 1, n), reps, x[n + 1], v[0], Seg(v, 1, n), v[n + 1]),
                Adjoint = (x, acc, w) =>
                {
                    double dS = acc[0], dT = acc[n + 1];
                    double[] dX = Seg(acc, 1, n);
                    double val = M.MixedAdjoint(x[0], Seg(x, 1, n), reps, x[n + 1], ref dS, dX, ref dT, w);
                    acc[0] = dS; dX.CopyTo(acc, 1); acc[n + 1] = dT;
                    return val;
                },
                Gradient = x =>
                {
                    var (val, dS, dX, dT) = M.MixedGradient(x[0], Seg(x, 1, n), reps, x[n + 1]);
                    return (val, new[] { dS }.Concat(dX).Append(dT).ToArray());
                },
            }.Run();
    }

    [Fact]
    public void Gather_ThroughAnIntIndexArray()
    {
        foreach (int n in Sizes)
        {
            var r = new Random(Rand.Seed($"Gather idx {n}"));
            int[] idx = Enumerable.Range(0, 2 * n + 1).Select(_ => r.Next(n)).ToArray();   // repeats: adjoints accumulate
            int[] idxCopy = (int[])idx.Clone();
            new ArrCase
            {
                Name = $"Gather(n = {n})",
                Dim = n,
                F = x => M.Gather(x, idx),
                Forward = (x, v) => M.GatherForward(x, idx, v),
                Adjoint = (x, acc, w) => { var d = (double[])acc.Clone(); double val = M.GatherAdjoint(x, idx, d, w); d.CopyTo(acc, 0); return val; },
                Gradient = x => M.GatherGradient(x, idx),
                Analytic = x =>
                {
                    var g = new double[n];
                    foreach (int k in idx) g[k] += 2 * x[k];
                    return g;
                },
            }.Run();
            Assert.Equal(idxCopy, idx);
        }
    }

    [Fact]
    public void Relu_BranchesOnElementValues()
    {
        foreach (int n in Sizes)
        {
            var c = One("Relu", n, M.Relu, (x, v) => M.ReluForward(x, v), M.ReluAdjoint, x => M.ReluGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Accept = x => x.All(t => Math.Abs(t) > 0.02),   // the stencil reaches 2·1e-3·max(1, |x|) ≤ 4e-3
            }.Run();
        }
    }

    [Fact]
    public void ReluMax_IfOnALocalElement()
    {
        foreach (int n in Sizes)
        {
            var c = One("ReluMax", n, M.ReluMax, (x, v) => M.ReluMaxForward(x, v), M.ReluMaxAdjoint, x => M.ReluMaxGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Accept = x => x.All(t => Math.Abs(t - 0.25) > 0.02),   // the kink of max(0, 2x − 0.5)
            }.Run();
        }
    }

    // ---- float versions (against the double twins, Tol.Float) ----------------------------------------------

    private static double SumSquaresTwin(double[] x) => M.SumSquares(x);

    private static double Matrix2DFTwin(double[,] m)
    {
        double s = 0;
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                s += m[i, j] * m[i, j] * (j + 1);
        return s;
    }

    [Fact]
    public void FloatArrays_SumSquaresPrefixSinForeachSpan()
    {
        foreach (int n in Sizes)
        {
            new ArrCase
            {
                Name = $"SumSquaresF(n = {n})", Dim = n, IsFloat = true,
                F = x => M.SumSquaresF(F32(x)),
                Reference = SumSquaresTwin,
                Forward = (x, v) => M.SumSquaresFForward(F32(x), F32(v)),
                Adjoint = (x, acc, w) => { var d = F32(acc); float val = M.SumSquaresFAdjoint(F32(x), d, (float)w); F64(d).CopyTo(acc, 0); return val; },
                Gradient = x => { var (val, d) = M.SumSquaresFGradient(F32(x)); return (val, F64(d)); },
            }.Run();
            new ArrCase
            {
                Name = $"PrefixSinF(n = {n})", Dim = n, IsFloat = true,
                F = x => M.PrefixSinF(F32(x)),
                Reference = M.PrefixSin,
                Forward = (x, v) => M.PrefixSinFForward(F32(x), F32(v)),
                Adjoint = (x, acc, w) => { var d = F32(acc); float val = M.PrefixSinFAdjoint(F32(x), d, (float)w); F64(d).CopyTo(acc, 0); return val; },
                Gradient = x => { var (val, d) = M.PrefixSinFGradient(F32(x)); return (val, F64(d)); },
            }.Run();
            new ArrCase
            {
                Name = $"ForeachSpanF(n = {n})", Dim = n, IsFloat = true,
                F = x => M.ForeachSpanF(F32(x)),
                Reference = x => M.ForeachSpan(x),
                Forward = (x, v) => M.ForeachSpanFForward(F32(x), F32(v)),
                Adjoint = (x, acc, w) => { var d = F32(acc); float val = M.ForeachSpanFAdjoint(F32(x), d, (float)w); F64(d).CopyTo(acc, 0); return val; },
                Gradient = x => { var (val, d) = M.ForeachSpanFGradient(F32(x)); return (val, F64(d)); },
            }.Run();
        }
    }

    [Fact]
    public void FloatArrays_2DAndArrayResult()
    {
        foreach (int n in Sizes)
        {
            int rows = n, cols = (n + 1) / 2;
            new ArrCase
            {
                Name = $"Matrix2DF({rows}x{cols})", Dim = rows * cols, IsFloat = true,
                F = x => M.Matrix2DF(F32(Mat(x, 0, rows, cols))),
                Reference = x => Matrix2DFTwin(Mat(x, 0, rows, cols)),
                Forward = (x, v) => M.Matrix2DFForward(F32(Mat(x, 0, rows, cols)), F32(Mat(v, 0, rows, cols))),
                Adjoint = (x, acc, w) =>
                {
                    var d = F32(Mat(acc, 0, rows, cols));
                    float val = M.Matrix2DFAdjoint(F32(Mat(x, 0, rows, cols)), d, (float)w);
                    Flat(d).CopyTo(acc, 0);
                    return val;
                },
                Gradient = x => { var (val, d) = M.Matrix2DFGradient(F32(Mat(x, 0, rows, cols))); return (val, Flat(d)); },
            }.Run();
            new VecCase
            {
                Name = $"SquareF(n = {n})", Dim = n, IsFloat = true,
                F = x => F64(M.SquareF(F32(x))),
                Reference = M.Square,
                Forward = (x, v) => { var (val, t) = M.SquareFForward(F32(x), F32(v)); return (F64(val), F64(t)); },
                Adjoint = (x, acc, yBar) =>
                {
                    var d = F32(acc);
                    var val = M.SquareFAdjoint(F32(x), d, F32(yBar));
                    F64(d).CopyTo(acc, 0);
                    return F64(val);
                },
            }.Run();
        }
    }

    // ---- Further constructs -------------------------------------------------------------------------------

    [Fact]
    public void Identity_ReturnsTheParameter_TangentIsANewArray()
    {
        var r = new Random(Rand.Seed("Identity"));
        foreach (int n in Sizes)
        {
            new VecCase
            {
                Name = $"Identity(n = {n})",
                Dim = n,
                F = x => (double[])M.Identity(x).Clone(),
                Forward = (x, v) => { var (val, t) = M.IdentityForward(x, v); return ((double[])val.Clone(), (double[])t.Clone()); },
                Adjoint = (x, acc, yBar) => { var d = (double[])acc.Clone(); var val = (double[])M.IdentityAdjoint(x, d, yBar).Clone(); d.CopyTo(acc, 0); return val; },
            }.Run();

            // The contract: "for an array-valued R, the forward Tangent is a new array" (not the caller's tangent).
            double[] x0 = Rand.Direction(r, n), v0 = Rand.Direction(r, n);
            var (_, tangent) = M.IdentityForward(x0, v0);
            Assert.Equal(v0, tangent);
            Assert.False(ReferenceEquals(v0, tangent), "IdentityForward returned the caller's tangent array dX as its Tangent, not a new array");
        }
    }

    [Fact]
    public void LocalInitializer_ElementsOverwrittenAndRead()
    {
        new ArrCase
        {
            Name = "LocalInitializer",
            Dim = 2,
            Domain = Dom.U(-1, 1),
            F = x => M.LocalInitializer(x[0], x[1]),
            Forward = (x, v) => M.LocalInitializerForward(x[0], x[1], v[0], v[1]),
            Adjoint = (x, acc, w) => M.LocalInitializerAdjoint(x[0], x[1], ref acc[0], ref acc[1], w),
            Gradient = x => { var (val, da, db) = M.LocalInitializerGradient(x[0], x[1]); return (val, new[] { da, db }); },
            Cases = 20,
        }.Run();
    }

    [Fact]
    public void OverwriteWithConstants_ClearsTheOverwrittenAdjoints()
    {
        foreach (int n in Sizes)
            One("OverwriteWithConstants", n, M.OverwriteWithConstants, (x, v) => M.OverwriteWithConstantsForward(x, v),
                M.OverwriteWithConstantsAdjoint, x => M.OverwriteWithConstantsGradient(x)).Run();
    }

    [Fact]
    public void SoftDtw_2DLocalRecurrence()
    {
        foreach (int n in Sizes)
        {
            int m = (n + 2) / 2;
            new ArrCase
            {
                Name = $"SoftDtw({n}, {m})",
                Dim = n + m,
                F = x => M.SoftDtw(Seg(x, 0, n), Seg(x, n, m)),
                Forward = (x, v) => M.SoftDtwForward(Seg(x, 0, n), Seg(x, n, m), Seg(v, 0, n), Seg(v, n, m)),
                Adjoint = (x, acc, w) =>
                {
                    double[] dA = Seg(acc, 0, n), dB = Seg(acc, n, m);
                    double val = M.SoftDtwAdjoint(Seg(x, 0, n), Seg(x, n, m), dA, dB, w);
                    dA.CopyTo(acc, 0); dB.CopyTo(acc, n);
                    return val;
                },
                Gradient = x => { var (val, dA, dB) = M.SoftDtwGradient(Seg(x, 0, n), Seg(x, n, m)); return (val, dA.Concat(dB).ToArray()); },
            }.Run();
        }
    }

    /// <summary>Partial sums stay at least <paramref name="margin"/> away from <paramref name="threshold"/> (the branch is stable under the stencil).</summary>
    private static bool AwayFrom(IEnumerable<double> terms, double threshold, double margin)
    {
        double s = 0;
        foreach (double t in terms)
        {
            s += t;
            if (Math.Abs(s - threshold) < margin) return false;
        }
        return true;
    }

    [Fact]
    public void ForeachOverALocalArray_EarlyReturn()
    {
        foreach (int n in Sizes)
        {
            var c = One("ForeachLocalEarlyReturn", n, M.ForeachLocalEarlyReturn, (x, v) => M.ForeachLocalEarlyReturnForward(x, v),
                        M.ForeachLocalEarlyReturnAdjoint, x => M.ForeachLocalEarlyReturnGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Domain = Dom.U(-1, 3),
                Accept = x => AwayFrom(x.Select(t => Math.Exp(t)), 40, 0.5),
                Cases = 10,
            }.Run();
        }
    }

    [Fact]
    public void ComputedLength_BreakOnElementValues()
    {
        foreach (int n in Sizes)
        {
            var c = One("ComputedLengthBreak", n, M.ComputedLengthBreak, (x, v) => M.ComputedLengthBreakForward(x, v),
                        M.ComputedLengthBreakAdjoint, x => M.ComputedLengthBreakGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                Domain = Dom.U(-2.5, 2.5),
                Accept = x =>
                {
                    var a = new double[2 * n + 1];
                    for (int i = 0; i < n; i++) { a[2 * i] = x[i]; a[2 * i + 1] = x[i] * x[n - 1 - i]; }
                    a[2 * n] = 1;
                    return AwayFrom(a.Select((t, i) => t * a[a.Length - 1 - i]), 25, 0.5);
                },
                Cases = 10,
            }.Run();
        }
    }

    [Fact]
    public void FloatArrays_2DLocal()
    {
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"Local2DF(n = {n})", Dim = n, IsFloat = true,
                Domain = Dom.U(-1.5, 1.5),
                F = x => M.Local2DF(F32(x)),
                Reference = M.Local2D,
                Forward = (x, v) => M.Local2DFForward(F32(x), F32(v)),
                Adjoint = (x, acc, w) => { var d = F32(acc); float val = M.Local2DFAdjoint(F32(x), d, (float)w); F64(d).CopyTo(acc, 0); return val; },
                Gradient = x => { var (val, d) = M.Local2DFGradient(F32(x)); return (val, F64(d)); },
            }.Run();
    }

    [Fact]
    public void TwoLocalArraysOfTheSameLength()
    {
        foreach (int n in Sizes)
        {
            var c = One("TwoLocals", n, M.TwoLocals, (x, v) => M.TwoLocalsForward(x, v), M.TwoLocalsAdjoint, x => M.TwoLocalsGradient(x));
            new ArrCase
            {
                Name = c.Name, Dim = c.Dim, F = c.F, Forward = c.Forward, Adjoint = c.Adjoint, Gradient = c.Gradient,
                // b[i] = sin(xᵢ)·x₍ᵢ₊₁₎ mod n away from the kink at 0.
                Accept = x => Enumerable.Range(0, n).All(i => Math.Abs(Math.Sin(x[i]) * x[(i + 1) % n]) > 0.05),
            }.Run();
        }
    }

    [Fact]
    public void InactiveLocalArrays_InsideAndOutsideLoops()
    {
        foreach (int n in Sizes)
            One("InactiveLocals", n, M.InactiveLocals, (x, v) => M.InactiveLocalsForward(x, v), M.InactiveLocalsAdjoint,
                x => M.InactiveLocalsGradient(x)).Run();
    }

    /// <summary>8 threads × 2,000 adjoint calls of methods with pooled local-array shadows agree bitwise with single-threaded results.</summary>
    [Fact]
    public void ConcurrentAdjointCalls_AgreeBitwiseWithSingleThreaded()
    {
        var methods = new (string Name, Func<double[], double[], double> Call)[]
        {
            ("PrefixSin", (x, d) => M.PrefixSinAdjoint(x, d)),
            ("TwoLocals", (x, d) => M.TwoLocalsAdjoint(x, d)),
            ("Local2D", (x, d) => M.Local2DAdjoint(x, d)),
            ("Sweeps", (x, d) => M.SweepsAdjoint(x, d)),
        };
        var r = new Random(Rand.Seed("concurrent arrays"));
        var points = Enumerable.Range(0, 8).Select(k => Rand.Direction(r, 1 + k % 5)).ToArray();
        var expected = new double[methods.Length, points.Length][];
        for (int m = 0; m < methods.Length; m++)
            for (int p = 0; p < points.Length; p++)
            {
                var d = new double[points[p].Length];
                double value = methods[m].Call(points[p], d);
                expected[m, p] = d.Append(value).ToArray();
            }
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                int m = (i + t) % methods.Length, p = (i * 7 + t) % points.Length;
                var d = new double[points[p].Length];
                double value = methods[m].Call(points[p], d);
                if (!d.Append(value).SequenceEqual(expected[m, p]))
                    failures.Add($"{methods[m].Name} at {Check.Fmt(points[p])} on thread {t}, call {i}");
            }
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        Assert.True(failures.IsEmpty, "differs from single-threaded: " + string.Join("; ", failures.Take(5)));
    }

    // ---- 6. Accumulation, read-only inputs, aliasing, fresh gradients ---------------------------------------

    [Fact]
    public void Adjoint_AccumulatesIntoArrayShadows()
    {
        var r = new Random(Rand.Seed("accumulate"));
        foreach (int n in Sizes)
        {
            double[] a = Rand.Direction(r, n), b = Rand.Direction(r, n);
            double[] dA = new double[n], dB = new double[n];
            M.DotAdjoint(a, b, dA, dB);
            Assert.Equal(b, dA);
            Assert.Equal(a, dB);
            M.DotAdjoint(a, b, dA, dB);
            Assert.Equal(b.Select(t => 2 * t), dA);
            Assert.Equal(a.Select(t => 2 * t), dB);

            double[] x = Rand.Direction(r, n);
            var dX = new double[n];
            M.PrefixSinAdjoint(x, dX, 0.5);
            var once = (double[])dX.Clone();
            M.PrefixSinAdjoint(x, dX, 0.5);
            for (int i = 0; i < n; i++) Check.Close(2 * once[i], dX[i], Tol.SameDouble, $"PrefixSin dX[{i}] after two calls", () => Check.Fmt(x));

            var yBar = Rand.Direction(r, n);
            var dS = new double[n];
            M.SquareAdjoint(x, dS, yBar);
            M.SquareAdjoint(x, dS, yBar);
            for (int i = 0; i < n; i++) Check.Close(2 * 2 * x[i] * yBar[i], dS[i], Tol.SameDouble, $"Square dX[{i}] after two calls", () => Check.Fmt(x));

            var X = RandomMatrix(r, n, 2);
            var W = RandomMatrix(r, 2, 3);
            var zBar = RandomMatrix(r, n, 3);
            var xBar = new double[n, 2];
            var wBar = new double[2, 3];
            M.MatMulAdjoint(X, W, xBar, wBar, zBar);
            M.MatMulAdjoint(X, W, xBar, wBar, zBar);
            var twice = Mul(zBar, T(W));
            CloseMatrix(Add(twice, twice), xBar, Tol.SameDouble, "X̄ after two calls", () => "MatMul");
        }
    }

    private static void Unchanged<T>(T[] before, T[] after, string what) => Assert.True(before.SequenceEqual(after), $"{what} was modified");

    private static void Unchanged(double[,] before, double[,] after, string what) => Assert.True(Flat(before).SequenceEqual(Flat(after)), $"{what} was modified");

    [Fact]
    public void GeneratedMethods_DoNotModifyTheirInputs()
    {
        var r = new Random(Rand.Seed("read-only inputs"));
        foreach (int n in Sizes)
        {
            double[] x = Rand.Direction(r, n), b = Rand.Direction(r, n), v = Rand.Direction(r, n), yBar = Rand.Direction(r, n);
            double[] x0 = (double[])x.Clone(), b0 = (double[])b.Clone(), v0 = (double[])v.Clone(), yBar0 = (double[])yBar.Clone();
            void Same() { Unchanged(x0, x, "x"); Unchanged(b0, b, "b"); Unchanged(v0, v, "tangent v"); Unchanged(yBar0, yBar, "dResult"); }

            M.DotForward(x, b, v, v); Same();
            M.DotAdjoint(x, b, new double[n], new double[n], 1.5); Same();
            M.DotGradient(x, b); Same();
            M.SweepsForward(x, v); Same();
            M.SweepsAdjoint(x, new double[n]); Same();
            M.SweepsGradient(x); Same();
            M.CompoundElementsAdjoint(x, new double[n]); Same();
            M.PrefixSinAdjoint(x, new double[n]); Same();
            M.SquareForward(x, v); Same();
            M.SquareAdjoint(x, new double[n], yBar); Same();
            M.ElementwiseAdjoint(x, new double[n], yBar); Same();
            M.SpanDotAdjoint(x, b, new double[n], new double[n]); Same();

            var X = RandomMatrix(r, n, 2); var W = RandomMatrix(r, 2, 3); var zBar = RandomMatrix(r, n, 3);
            var X0 = (double[,])X.Clone(); var W0 = (double[,])W.Clone(); var zBar0 = (double[,])zBar.Clone();
            M.MatMulForward(X, W, X0, W0);
            M.MatMulAdjoint(X, W, new double[n, 2], new double[2, 3], zBar);
            Unchanged(X0, X, "X"); Unchanged(W0, W, "W"); Unchanged(zBar0, zBar, "Z̄");
        }
    }

    [Fact]
    public void Adjoint_RejectsAPrimalArrayPassedAsItsOwnShadow()
    {
        double[] a = { 1, 2, 3 }, b = { 4, 5, 6 };
        Assert.ThrowsAny<ArgumentException>(() => M.DotAdjoint(a, b, a, new double[3]));
        Assert.ThrowsAny<ArgumentException>(() => M.DotAdjoint(a, b, new double[3], b));
        Assert.ThrowsAny<ArgumentException>(() => M.SumSquaresAdjoint(a, a));
        Assert.ThrowsAny<ArgumentException>(() => M.PrefixSinAdjoint(a, a));
        Assert.ThrowsAny<ArgumentException>(() => M.SquareAdjoint(a, a, new double[3]));
        Assert.ThrowsAny<ArgumentException>(() => M.SpanDotAdjoint(a, b, a, new double[3]));
        var X = new double[2, 2]; var W = new double[2, 2];
        Assert.ThrowsAny<ArgumentException>(() => M.MatMulAdjoint(X, W, X, new double[2, 2], new double[2, 2]));
        var f = new float[] { 1, 2 };
        Assert.ThrowsAny<ArgumentException>(() => M.SumSquaresFAdjoint(f, f));
        Assert.Equal(new double[] { 1, 2, 3 }, a);
    }

    [Fact]
    public void Gradient_ReturnsFreshArrays()
    {
        double[] a = { 1, 2, 3 }, b = { 4, 5, 6 };
        var (_, dA1, dB1) = M.DotGradient(a, b);
        var (_, dA2, dB2) = M.DotGradient(a, b);
        Assert.NotSame(dA1, dA2);
        Assert.NotSame(dB1, dB2);
        Assert.NotSame(dA1, dB1);
        Assert.NotSame(a, dA1); Assert.NotSame(b, dA1); Assert.NotSame(a, dB1); Assert.NotSame(b, dB1);
        Assert.Equal(b, dA1);
        dA1[0] = 100;   // the caller owns the result
        Assert.Equal(b, M.DotGradient(a, b).dA);

        var (_, s1, t1) = M.SpanDotGradient(a, b);
        var (_, s2, _) = M.SpanDotGradient(a, b);
        Assert.NotSame(s1, s2);
        Assert.Equal(3, s1.Length);
        Assert.Equal(3, t1.Length);

        var (_, p1) = M.PrefixSinGradient(a);
        var (_, p2) = M.PrefixSinGradient(a);
        Assert.NotSame(p1, p2);
        Assert.Equal(p1, p2);

        var m = new double[,] { { 1, 2 }, { 3, 4 } };
        var (_, g1) = M.Matrix2DGradient(m);
        var (_, g2) = M.Matrix2DGradient(m);
        Assert.NotSame(g1, g2);
        Assert.NotSame(m, g1);
    }

    // ---- 7. Allocation -----------------------------------------------------------------------------------

    /// <summary>Bytes allocated per call of <paramref name="call"/> in steady state (after warm-up), the least of 3 rounds.</summary>
    private static long BytesPerCall(Action call, int calls = 100)
    {
        long best = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 200; i++) call();   // warm-up: JIT tiers, tape growth, shadow pool
            if (round == 0) Thread.Sleep(50);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) call();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            best = Math.Min(best, bytes / calls);
        }
        return best;
    }

    [Fact]
    public void Allocation_AdjointAllocatesOnlyWhatThePrimalAllocates()
    {
        var report = new List<string>();
        foreach (int n in new[] { 3, 50 })
        {
            double[] x = Rand.Direction(new Random(n), n), b = Rand.Direction(new Random(n + 1), n);
            double[] dX = new double[n], dB = new double[n];
            double sink = 0;

            long dot = BytesPerCall(() => sink += M.DotAdjoint(x, b, dX, dB));
            if (dot != 0) report.Add($"DotAdjoint(n = {n}): {dot} bytes per call (expected 0)");
            long sumSq = BytesPerCall(() => sink += M.SumSquaresAdjoint(x, dX));
            if (sumSq != 0) report.Add($"SumSquaresAdjoint(n = {n}): {sumSq} bytes per call (expected 0)");
            long span = BytesPerCall(() => sink += M.SpanDotAdjoint(x, b, dX, dB));
            if (span != 0) report.Add($"SpanDotAdjoint(n = {n}): {span} bytes per call (expected 0)");

            foreach (var (name, primal, adjoint) in new (string, Action, Action)[]
                     {
                         ("PrefixSin", () => sink += M.PrefixSin(x), () => sink += M.PrefixSinAdjoint(x, dX)),
                         ("PrefixChain", () => sink += M.PrefixChain(x), () => sink += M.PrefixChainAdjoint(x, dX)),
                         ("Sweeps", () => sink += M.Sweeps(x), () => sink += M.SweepsAdjoint(x, dX)),
                         ("CompoundElements", () => sink += M.CompoundElements(x), () => sink += M.CompoundElementsAdjoint(x, dX)),
                         ("Relu", () => sink += M.Relu(x), () => sink += M.ReluAdjoint(x, dX)),
                         ("Local2D", () => sink += M.Local2D(x), () => sink += M.Local2DAdjoint(x, dX)),
                         ("OverwriteWithConstants", () => sink += M.OverwriteWithConstants(x), () => sink += M.OverwriteWithConstantsAdjoint(x, dX)),
                         ("TwoLocals", () => sink += M.TwoLocals(x), () => sink += M.TwoLocalsAdjoint(x, dX)),
                         ("InactiveLocals", () => sink += M.InactiveLocals(x), () => sink += M.InactiveLocalsAdjoint(x, dX)),
                         ("SoftDtw", () => sink += M.SoftDtw(x, b), () => sink += M.SoftDtwAdjoint(x, b, dX, dB)),
                     })
            {
                long p = BytesPerCall(primal), a = BytesPerCall(adjoint);
                if (p == 0) report.Add($"{name}(n = {n}): the primal allocates nothing (expected its local array)");
                if (a != p) report.Add($"{name}Adjoint(n = {n}): {a} bytes per call, the primal {p}");
            }
            Assert.True(double.IsFinite(sink) || double.IsNaN(sink));
        }
        Assert.True(report.Count == 0, "steady-state allocation: " + string.Join("; ", report));
    }
}
