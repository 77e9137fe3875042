using System;

namespace Tangent.Tests;

/// <summary>Helpers of another type, called from <see cref="CallCorpus"/>.</summary>
public static partial class CallHelpers
{
    [Differentiable] public static double Mul(double a, double b) => a * b;
    [Differentiable] public static double Add(double a, double b) => a + b;

    /// <summary>An overload: the generated methods of each overload differ by signature.</summary>
    [Differentiable] public static double Add(double a, double b, double c) => a + b + c;

    /// <summary>A helper with an inactive (int) argument and one marked [NoDerivative].</summary>
    [Differentiable] public static double Scaled(double x, int k, [NoDerivative] double offset) => k * Math.Sin(x) + offset * x;

    /// <summary>A helper with branches.</summary>
    [Differentiable] public static double Ramp(double x) => x > 0 ? x * x : 0.5 * x;

    public static partial class Nested
    {
        /// <summary>A helper in a nested type.</summary>
        [Differentiable] public static double Cube(double x) => x * x * x;
    }
}

/// <summary>A class with state: instance [Differentiable] methods calling each other on <c>this</c>.</summary>
public sealed partial class Polynomial
{
    private readonly double _c0, _c1, _c2;

    public Polynomial(double c0, double c1, double c2) { _c0 = c0; _c1 = c1; _c2 = c2; }

    [Differentiable] public double Value(double x) => _c0 + x * (_c1 + x * _c2);

    [Differentiable] public double Composed(double x) => Value(Value(x)) + this.Value(x * 0.5);
}

public static partial class CallCorpus
{
    /// <summary>f(a,b,c) = add(mul(a,b), c).</summary>
    [Differentiable] public static double AddMul(double a, double b, double c) => CallHelpers.Add(CallHelpers.Mul(a, b), c);

    /// <summary>One helper called three times with different active arguments (and a constant).</summary>
    [Differentiable] public static double ThreeCalls(double x, double y) => CallHelpers.Mul(x, y) + CallHelpers.Mul(y, y) * CallHelpers.Mul(3.0, x);

    /// <summary>A helper with inactive arguments; the overload with three arguments; a nested type.</summary>
    [Differentiable]
    public static double InactiveArguments(double x, double y, int k)
        => CallHelpers.Scaled(x * y, k, k * 0.5) + CallHelpers.Add(x, y, 2.0) * CallHelpers.Nested.Cube(y);

    /// <summary>pow(a, n) = a·pow(a, n−1): the gradient is n·aⁿ⁻¹.</summary>
    [Differentiable] public static double Pow(double a, int n) => n == 0 ? 1.0 : a * Pow(a, n - 1);

    /// <summary>Mutual recursion: even/odd steps alternate sin and a product.</summary>
    [Differentiable] public static double Even(double x, int n) => n == 0 ? x : Odd(Math.Sin(x) + x, n - 1);

    [Differentiable] public static double Odd(double x, int n) => n == 0 ? x * x : Even(x * 0.9, n - 1) * 1.1;

    /// <summary>A helper called n times in a loop (the logistic map as a helper).</summary>
    [Differentiable]
    public static double Chain(double r, double x, int n)
    {
        for (int i = 0; i < n; i++) x = Step(r, x);
        return x;
    }

    [Differentiable] public static double Step(double r, double x) => r * x * (1 - x);

    /// <summary>Calls in both branches and in a loop with an early exit.</summary>
    [Differentiable]
    public static double Branches(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 5; i++)
        {
            if (s > 4) break;
            s += i % 2 == 0 ? CallHelpers.Ramp(x - i * 0.3) : CallHelpers.Mul(s, y);
        }
        return s;
    }

    /// <summary>A helper returning an array, consumed elementwise.</summary>
    [Differentiable]
    public static double SumOfScaled(double[] x, double k)
    {
        var y = Scale(x, k);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += y[i] * x[i];
        return s;
    }

    [Differentiable]
    public static double[] Scale(double[] x, double k)
    {
        var r = new double[x.Length];
        for (int i = 0; i < x.Length; i++) r[i] = k * Math.Sin(x[i]);
        return r;
    }

    /// <summary>Float helpers.</summary>
    [Differentiable] public static float SquareF(float x) => x * x;

    [Differentiable] public static float UsesFloat(float a, float b) => SquareF(a * b) + MathF.Sin(SquareF(b));

    /// <summary>A helper taking spans, given arrays; a [NoDerivative] data array passed where the helper differentiates.</summary>
    [Differentiable]
    public static double SpanDot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    [Differentiable] public static double WithData(double[] w, [NoDerivative] double[] data) => SpanDot(w, data) * SpanDot(w, w);

    /// <summary>d/dx [x · StopGradient(x)] = x.</summary>
    [Differentiable] public static double StopTimes(double x) => x * Autodiff.StopGradient(x);

    /// <summary>StopGradient around a call and around an array.</summary>
    [Differentiable]
    public static double StopAroundCalls(double[] x, double k)
    {
        var frozen = Autodiff.StopGradient(x);
        double s = CallHelpers.Mul(k, Autodiff.StopGradient(CallHelpers.Mul(k, k)));
        for (int i = 0; i < x.Length; i++) s += frozen[i] * x[i];
        return s;
    }

    /// <summary>A registered derivative (SoftPlus, not [Differentiable]) and one for a BCL method (Math.Log10).</summary>
    [Differentiable] public static double Registered(double w, double x) => Activations.SoftPlus(w * x) + Math.Log10(1 + w * w);
}

/// <summary>SoftPlus with branches for numerical stability; its derivative is registered below.</summary>
public static class Activations
{
    public static double SoftPlus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}

public static class RegisteredDerivatives
{
    public static int AdjointCalls;

    [DerivativeOf(typeof(Activations), nameof(Activations.SoftPlus))]
    public static (double Value, double Tangent) SoftPlusForward(double x, double dX) => (Activations.SoftPlus(x), Activations.Sigmoid(x) * dX);

    [DerivativeOf(typeof(Activations), nameof(Activations.SoftPlus))]
    public static double SoftPlusAdjoint(double x, ref double dX, double dResult)
    {
        AdjointCalls++;
        dX += Activations.Sigmoid(x) * dResult;
        return Activations.SoftPlus(x);
    }

    [DerivativeOf(typeof(Math), nameof(Math.Log10))]
    public static (double Value, double Tangent) Log10Forward(double x, double dX) => (Math.Log10(x), dX / (x * Math.Log(10)));

    [DerivativeOf(typeof(Math), nameof(Math.Log10))]
    public static double Log10Adjoint(double x, ref double dX, double dResult)
    {
        dX += dResult / (x * Math.Log(10));
        return Math.Log10(x);
    }
}
