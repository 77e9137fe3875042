using System;

namespace Tangent.Tests;

/// <summary>Straight-line language constructs, each in a [Differentiable] method.</summary>
public static partial class Constructs
{
    public const double K = 2.5;
    public const float KF = 1.5f;
    public static readonly double Scale = 0.75;
    public static readonly float ScaleF = 0.25f;

    [Differentiable]
    public static double Locals(double x, double y)
    {
        double a = x * y;
        double b = a + Math.Sin(x);
        double c = b * b - a;
        return c / y;
    }

    /// <summary>The same variable reassigned from itself.</summary>
    [Differentiable]
    public static double Reassign(double x)
    {
        double y = x + 1;
        y = y * y;
        y = Math.Sin(y) * y;
        return y;
    }

    [Differentiable]
    public static double Compound(double x, double y)
    {
        double s = x;
        s += y * x;
        s -= Math.Cos(y);
        s *= x;
        s /= y * y + 1;
        return s;
    }

    [Differentiable]
    public static float CompoundF(float x, float y)
    {
        float s = x;
        s += y * x;
        s -= MathF.Cos(y);
        s *= x;
        s /= y * y + 1;
        return s;
    }

    [Differentiable]
    public static double UnaryMinus(double x, double y) => -x * y + -(x - y) + +y - -Math.Exp(-x);

    [Differentiable]
    public static double Arithmetic(double x, double y, double z) => (x + y) * (x - z) / (y * z + 5) - x / y + z * z * z;

    /// <summary>Int and double literals, a const and a static readonly field, Math.PI.</summary>
    [Differentiable]
    public static double Literals(double x) => 3 * x * x + 0.5 * x - 1e-1 + K * x + Scale * x * x + Math.PI * Math.Sin(x) + 2;

    [Differentiable]
    public static float LiteralsF(float x) => 3 * x * x + 0.5f * x - 1e-1f + KF * x + ScaleF * x * x + MathF.PI * MathF.Sin(x) + 2;

    /// <summary>double → float → double: the derivative of a cast is the identity (at float precision).</summary>
    [Differentiable]
    public static double CastToFloat(double x, double y)
    {
        float xf = (float)x;
        return xf * y + Math.Sin(x);
    }

    /// <summary>float → double.</summary>
    [Differentiable]
    public static double CastToDouble(float f, double y) => (double)f * y + f * f;

    /// <summary>(int)x is piecewise constant: zero derivative.</summary>
    // Tests that zero derivative, so the warning that it is zero (TN3001) is expected.
#pragma warning disable TN3001
    [Differentiable]
    public static double CastToInt(double x, double y)
    {
        int k = (int)x;
        return k * y + x * (int)y;
    }
#pragma warning restore TN3001

    /// <summary>Mixed float and double arithmetic, float result.</summary>
    [Differentiable]
    public static float MixedToFloat(float a, double b) => (float)(a * b) + MathF.Sin(a) * (float)Math.Cos(b);

    /// <summary>Mixed float and double arithmetic, double result.</summary>
    [Differentiable]
    public static double MixedToDouble(float a, double b) => a * b + MathF.Sin(a) * Math.Cos(b);

    [Differentiable]
    public static double ExpressionBodied(double x, double y) => Math.Exp(x * 0.5) * Math.Cos(y) + x / (1 + y * y);

    [Differentiable]
    public static double BlockBodied(double x, double y)
    {
        double e = Math.Exp(x * 0.5);
        double c = Math.Cos(y);
        double q = x / (1 + y * y);
        return e * c + q;
    }

    /// <summary>Inactive int parameter.</summary>
    [Differentiable]
    public static double PowN(double x, int n) => Math.Pow(x, n);

    /// <summary>Inactive int parameter used in arithmetic.</summary>
    [Differentiable]
    public static double Polynomial(double x, int degree, double c) => c * Math.Pow(x, degree) + degree * x;

    /// <summary>[NoDerivative] parameters get no tangent and no adjoint.</summary>
    [Differentiable]
    public static double Scaled(double x, [NoDerivative] double scale, double y) => scale * Math.Sin(x) + scale * scale * y;

    /// <summary>A parameter reassigned in the body.</summary>
    [Differentiable]
    public static double ReassignParameter(double x)
    {
        x = x * 2;
        return x * x;
    }

    /// <summary>Two parameters reassigned, one from the other.</summary>
    [Differentiable]
    public static double ReassignParameters(double x, double y)
    {
        x = x * y;
        y = x + y;
        x = Math.Sin(x) * y;
        return x + y;
    }

    /// <summary>Discarded calls: Debug.WriteLine (boxing), Console.WriteLine with a string literal, a logger of our own.</summary>
    [Differentiable]
    public static double Logged(double x, double y)
    {
        System.Diagnostics.Debug.WriteLine(x);
        Console.Write("");
        double z = x * y;
        Log.Write("z", z);
        Log.Write(z);
        return z * Math.Sin(x);
    }

    /// <summary>Integer division inside a double expression is 0 and 1 (must not be folded as real division).</summary>
    [Differentiable]
    public static double IntDivision(double x) => x * (1 / 2) + x * (3 / 2) + x / 2;

    /// <summary>Nested negations (emission must not print "--").</summary>
    [Differentiable]
    public static double Negations(double x, double y) => x - (-y) - -(-x) + -(-(x * y)) - (x - (y - x));

    /// <summary>Locals named like the names the generator uses (dX, result, value, dResult, sin).</summary>
    [Differentiable]
    public static double LocalNames(double x)
    {
        double dX = x * 2;
        double result = dX * x;
        double value = result + 1;
        double sin = Math.Sin(value);
        double dResult = value * x + sin;
        return dResult;
    }

    /// <summary>Parameters whose names are C# keywords or look like generated names.</summary>
    [Differentiable]
    public static double KeywordNames(double @double, double @in, double value) => @double * @in + Math.Sin(value) * @double;

    /// <summary>Chained assignment, assignment as an expression, var, local const, default.</summary>
    [Differentiable]
    public static double Assignments(double x)
    {
        double a, b;
        a = b = x * 2;
        var c = (a = a + x) * b;
        const double two = 2;
        double d = default;
        d += c / two;
        return d * x;
    }

    /// <summary>A parameter reassigned by compound assignment from itself.</summary>
    [Differentiable]
    public static double ParameterCompound(double x)
    {
        x += 1;
        x *= x;
        return x;
    }

    /// <summary>% (remainder): ∂a = 1, ∂b = −trunc(a / b).</summary>
    [Differentiable]
    public static double Remainder(double x, double y) => x % y * x;

    /// <summary>Used by <see cref="ConstructTests"/> only, to count the discarded call.</summary>
    [Differentiable]
    public static double Counted(double x)
    {
        Log.Count(x);
        return x * x;
    }
}

/// <summary>Accessibility of generated methods follows the primal's.</summary>
public static partial class Access
{
    [Differentiable] internal static double InternalSquare(double x) => x * x;

    [Differentiable] private static double PrivateCube(double x) => x * x * x;

    public static double CallPrivateCube(double x) => PrivateCube(x);
}

/// <summary>The survey example of DESIGN.md.</summary>
public static partial class Survey
{
    [Differentiable]
    public static double F(double x1, double x2) => Math.Log(x1) + x1 * x2 - Math.Sin(x2);
}

/// <summary>An instance method reading instance fields as constants.</summary>
public partial class Spring
{
    private readonly double _stiffness;
    private readonly double _rest;

    public Spring(double stiffness, double rest)
    {
        _stiffness = stiffness;
        _rest = rest;
    }

    [Differentiable]
    public double Energy(double x, double y)
    {
        double stretch = Math.Sqrt(x * x + y * y) - _rest;
        return 0.5 * _stiffness * stretch * stretch;
    }
}

/// <summary>A logger whose calls a [Differentiable] method discards.</summary>
public static class Log
{
    [ThreadStatic] private static int t_count;

    public static int Calls => t_count;

    public static void Reset() => t_count = 0;

    public static void Write(double value) => _ = value;

    public static void Write(string name, double value)
    {
        _ = name;
        _ = value;
    }

    public static void Count(double value)
    {
        _ = value;
        t_count++;
    }
}

/// <summary>[Differentiable] methods in nested, generic and struct types.</summary>
public static partial class Outer
{
    public static partial class Inner
    {
        [Differentiable]
        public static double Nested(double x, double y) => Math.Sin(x) * y;
    }
}

public partial class Generic<T>
{
    [Differentiable]
    public static double Square(double x) => x * x * 3 + 1;
}

public partial struct Charge
{
    public double Q;

    [Differentiable]
    public double Potential(double r) => Q / r;
}
