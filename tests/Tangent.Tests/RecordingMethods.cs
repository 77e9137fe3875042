using System;

namespace Tangent.Tests;

/// <summary>
/// Methods that exercise what the adjoint records inside loops and what it computes again instead (issue 7):
/// cheap temporaries recomputed from their operands, loop counters reset without recording, and local arrays
/// whose stores record the overwritten element so the reverse sweep can read the array again.
/// </summary>
public static partial class RecordingMethods
{
    /// <summary>The logistic map per element of r, each step reading the state it overwrites: x ← rᵢ·x·(1 − x).</summary>
    [Differentiable]
    public static double LogisticSteps(double[] r, double x0)
    {
        double x = x0;
        for (int s = 0; s < 3; s++)
            for (int i = 0; i < r.Length; i++)
                x = r[i] * x * (1 - x);
        return x;
    }

    /// <summary>Temporaries whose operands change after their last use in the same pass: a = x·y then y overwritten.</summary>
    [Differentiable]
    public static double OperandsChangeAfterLastUse(double[] v, double y0)
    {
        double y = y0, total = 0;
        for (int i = 0; i < v.Length; i++)
        {
            double a = v[i] * y + 1;
            total += Math.Sin(a * (v[i] - y));
            y = Math.Cos(y) * v[i];
            total += y * (a - 2);
        }
        return total;
    }

    /// <summary>
    /// A hidden layer h written once per pass of the outer loop and read in a deeper loop (saved stores), with
    /// counters that start at constants and step by 1 and by 2, and a counter read after its loop (not
    /// reconstructed: recorded as before).
    /// </summary>
    [Differentiable]
    public static double Layered(double[] x)
    {
        int n = x.Length;
        var h = new double[n];
        double total = 0;
        for (int s = 0; s < 3; s++)
        {
            for (int j = 0; j < n; j++)
                h[j] = Math.Tanh(x[j] * (s + 1) + x[(j + s) % n]);
            for (int c = 0; c < 2; c++)
            {
                for (int j = 1; j < n; j += 2)
                    total += h[j] * x[(c + j) % n];
                for (int j = 0; j < n; j++)
                {
                    double hj = h[j];
                    total += hj * hj * (c + 1);
                }
            }
            int k = 0;
            while (k < n && k < s + 1) k++;
            total += k * x[0] * h[0];
        }
        return total;
    }

    /// <summary>Like <see cref="Layered"/> but h is also the result: its stores are not undone (the caller sees h).</summary>
    [Differentiable]
    public static double[] LayeredReturned(double[] x)
    {
        int n = x.Length;
        var h = new double[n];
        double total = 0;
        for (int s = 0; s < 2; s++)
        {
            for (int j = 0; j < n; j++)
                h[j] = Math.Tanh(x[j] * (s + 1) + total);
            for (int c = 0; c < 2; c++)
            {
                for (int j = 0; j < n; j++)
                {
                    double hj = h[j];
                    total += hj * x[(c + j) % n];
                }
            }
        }
        return h;
    }
}
