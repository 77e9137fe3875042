using System;
using System.Globalization;

namespace Tangent.Benchmarks.Infrastructure;

/// <summary>
/// The correctness gate every benchmark class passes through in its [GlobalSetup]: a benchmark of a wrong
/// gradient is worthless, so a disagreement throws and the benchmark is not run.
/// </summary>
public static class Agreement
{
    /// <summary>Generated and hand-written derivatives must agree to this relative tolerance.</summary>
    public const double Exact = 1e-8;

    /// <summary>Central differences (a sanity check of the hand-written gradient itself) must agree to this, relative to |∇f|∞.</summary>
    public const double Numerical = 1e-5;

    /// <summary>
    /// Fails unless every component agrees: |aᵢ − eᵢ| ≤ tol·max(|aᵢ|, |eᵢ|, 10⁻⁶·|e|∞). The floor keeps a component that
    /// is zero up to rounding from demanding relative accuracy of its rounding error.
    /// </summary>
    public static void Gradient(string what, ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double tolerance = Exact)
    {
        if (actual.Length != expected.Length)
            throw new InvalidOperationException($"{what}: {actual.Length} components, expected {expected.Length}.");
        double scale = 0;
        foreach (double e in expected)
            scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            double allowed = tolerance * Math.Max(Math.Max(Math.Abs(a), Math.Abs(e)), 1e-6 * scale);
            if (!(Math.Abs(a - e) <= allowed))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: component {i} is {a:R}, the hand-written gradient says {e:R} (|difference| {Math.Abs(a - e):E2} > {allowed:E2})."));
        }
    }

    /// <summary>A scalar (a value or a directional derivative) to <paramref name="tolerance"/> relative.</summary>
    public static void Scalar(string what, double actual, double expected, double tolerance = Exact)
    {
        double allowed = tolerance * Math.Max(Math.Abs(actual), Math.Abs(expected));
        if (!(Math.Abs(actual - expected) <= allowed) && actual != expected)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: {actual:R}, expected {expected:R} (|difference| {Math.Abs(actual - expected):E2} > {allowed:E2})."));
    }

    /// <summary>Central differences against the hand-written gradient, relative to its largest component.</summary>
    public static void Numerically(string what, ReadOnlySpan<double> differences, ReadOnlySpan<double> expected)
    {
        double scale = 0;
        foreach (double e in expected)
            scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < differences.Length; i++)
        {
            double allowed = Numerical * Math.Max(scale, double.Epsilon);
            if (!(Math.Abs(differences[i] - expected[i]) <= allowed))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: central difference {i} is {differences[i]:R}, the hand-written gradient says {expected[i]:R}."));
        }
    }

    /// <summary>Σ aᵢ·bᵢ, for directional derivatives.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }
}
