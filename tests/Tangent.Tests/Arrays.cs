using System;

namespace Tangent.Tests;

/// <summary>
/// Array constructs in [Differentiable] methods: 1-D and 2-D array and span parameters, local arrays, array
/// results, element reads, writes and compound assignments, foreach, Length/GetLength, index arithmetic. Each
/// method is checked in forward and adjoint mode against central differences by ArrayTests.
/// </summary>
public static partial class ArrayMethods
{
    // ---- Reductions ---------------------------------------------------------------------------------------

    /// <summary>y = 2·xᵀx; ∇y = 4x.</summary>
    [Differentiable]
    public static double TwiceNormSq(double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            s += x[i] * x[i];
        return 2 * s;
    }

    /// <summary>Σ xᵢ², accumulated with s = s + xᵢ·xᵢ.</summary>
    [Differentiable]
    public static double SumSquares(double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            s = s + x[i] * x[i];
        return s;
    }

    /// <summary>aᵀb with both arguments active.</summary>
    [Differentiable]
    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }

    /// <summary>aᵀb with b inactive.</summary>
    [Differentiable]
    public static double DotConst(double[] a, [NoDerivative] double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }

    // ---- Array results ------------------------------------------------------------------------------------

    /// <summary>Elementwise y = x·x.</summary>
    [Differentiable]
    public static double[] Square(double[] x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] * x[i];
        return y;
    }

    /// <summary>Z = X·W for X (n×k), W (k×m).</summary>
    [Differentiable]
    public static double[,] MatMul(double[,] X, double[,] W)
    {
        int n = X.GetLength(0), k = X.GetLength(1), m = W.GetLength(1);
        var Z = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int l = 0; l < k; l++)
                    s += X[i, l] * W[l, j];
                Z[i, j] = s;
            }
        return Z;
    }

    /// <summary>y₀ = u₀² + u₁v₀, y₁ = u₁v₁ + v₀v₁² (an array initializer).</summary>
    [Differentiable]
    public static double[] TwoOutputs(double[] u, double[] v)
    {
        return new double[] { u[0] * u[0] + u[1] * v[0], u[1] * v[1] + v[0] * v[1] * v[1] };
    }

    /// <summary>An array result that does not depend on x: yᵢ = 2i + 1.</summary>
    // Tests a result with no derivative, so the warning that it has none (TN3002) is expected.
#pragma warning disable TN3002
    [Differentiable]
    public static double[] ConstantResult(double[] x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < y.Length; i++)
            y[i] = 2.0 * i + 1;
        return y;
    }
#pragma warning restore TN3002

    /// <summary>yᵢ = sin(xᵢ)·xᵢ + exp(0.3·x₍ᵢ₊₁₎ mod n).</summary>
    [Differentiable]
    public static double[] Elementwise(double[] x)
    {
        int n = x.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
            y[i] = Math.Sin(x[i]) * x[i] + Math.Exp(0.3 * x[(i + 1) % n]);
        return y;
    }

    // ---- Local arrays -------------------------------------------------------------------------------------

    /// <summary>Prefix sums into a local array, then Σ sin(prefixᵢ).</summary>
    [Differentiable]
    public static double PrefixSin(double[] x)
    {
        int n = x.Length;
        var prefix = new double[n];
        double run = 0;
        for (int i = 0; i < n; i++)
        {
            run += x[i];
            prefix[i] = run;
        }
        double s = 0;
        for (int i = 0; i < n; i++)
            s += Math.Sin(prefix[i]);
        return s;
    }

    /// <summary>Prefix sums that read the previous element of the local array: p[i] = p[i−1] + xᵢ·xᵢ; Σ √(1 + p[i]).</summary>
    [Differentiable]
    public static double PrefixChain(double[] x)
    {
        int n = x.Length;
        var p = new double[n];
        p[0] = x[0] * x[0];
        for (int i = 1; i < n; i++)
            p[i] = p[i - 1] + x[i] * x[i];
        double s = 0;
        for (int i = 0; i < n; i++)
            s += Math.Sqrt(1 + p[i]);
        return s;
    }

    /// <summary>In-place sweeps over a local copy: elements overwritten repeatedly; Σ aᵢ².</summary>
    [Differentiable]
    public static double Sweeps(double[] x)
    {
        int n = x.Length;
        var a = new double[n];
        for (int i = 0; i < n; i++)
            a[i] = x[i];
        for (int sweep = 0; sweep < 4; sweep++)
        {
            a[0] = a[0] * 0.9 + 0.1 * Math.Cos(a[n - 1]);
            for (int i = 1; i < n; i++)
                a[i] = a[i] * 0.5 + Math.Sin(a[i - 1]);
        }
        double s = 0;
        for (int i = 0; i < n; i++)
            s += a[i] * a[i];
        return s;
    }

    /// <summary>a[i] += …, a[i] -= …, a[i] *= … (including a[i] *= a[i]) on a local array.</summary>
    [Differentiable]
    public static double CompoundElements(double[] x)
    {
        int n = x.Length;
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = x[i];
            a[i] *= x[i];
            a[i] += Math.Sin(x[i]);
            a[i] -= 0.5 * x[(i + 1) % n];
            a[i] *= a[i];
        }
        double s = 0;
        for (int i = 0; i < n; i++)
            s += a[i];
        return s;
    }

    /// <summary>The same elements read many times: Σₖ Σᵢ sin(k·x₀ + xᵢ)·xᵢ.</summary>
    [Differentiable]
    public static double ManyReads(double[] x)
    {
        double s = 0;
        for (int k = 0; k < 6; k++)
            for (int i = 0; i < x.Length; i++)
                s += Math.Sin(0.3 * k * x[0] + x[i]) * x[i] + x[x.Length - 1];
        return s;
    }

    /// <summary>Indices by integer arithmetic: a[2i+1], a[n−1−i].</summary>
    [Differentiable]
    public static double IndexArithmetic(double[] x)
    {
        int n = x.Length;
        double s = 0;
        for (int i = 0; i < n / 2; i++)
            s += x[2 * i + 1] * x[n - 1 - i] + Math.Cos(x[2 * i]);
        for (int i = 0; i < n; i++)
            s += x[n - 1 - i] * x[i] * 0.25;
        return s;
    }

    /// <summary>A flat array indexed by i·m + j against a 2-D array with GetLength: Σ sin(flat[i·m+j])·M[i,j].</summary>
    [Differentiable]
    public static double FlatIndex(double[] flat, double[,] M)
    {
        int rows = M.GetLength(0), cols = M.GetLength(1);
        double s = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                s += Math.Sin(flat[i * cols + j]) * M[i, j];
        return s;
    }

    /// <summary>foreach over a 1-D array.</summary>
    [Differentiable]
    public static double ForeachArray(double[] x)
    {
        double s = 0;
        foreach (double xi in x)
            s += Math.Exp(0.3 * xi) * xi;
        return s;
    }

    /// <summary>foreach over a ReadOnlySpan.</summary>
    [Differentiable]
    public static double ForeachSpan(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (double xi in x)
            s += Math.Sin(xi) * xi;
        return s;
    }

    /// <summary>Indexing a ReadOnlySpan, Length on a span.</summary>
    [Differentiable]
    public static double SpanDot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * Math.Cos(b[i]);
        return s;
    }

    /// <summary>A Span&lt;double&gt; parameter (read only).</summary>
    [Differentiable]
    public static double SpanParam(Span<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            s += x[i] * x[i] * x[i];
        return s;
    }

    /// <summary>GetLength on a 2-D parameter: Σ M[i,j]²·(j + 1) + M[i,0]·M[i,cols−1].</summary>
    [Differentiable]
    public static double Matrix2D(double[,] M)
    {
        double s = 0;
        for (int i = 0; i < M.GetLength(0); i++)
        {
            for (int j = 0; j < M.GetLength(1); j++)
                s += M[i, j] * M[i, j] * (j + 1);
            s += M[i, 0] * M[i, M.GetLength(1) - 1];
        }
        return s;
    }

    /// <summary>A 2-D local array: A[i,j] = xᵢxⱼ + sin xᵢ; Σ A[i,j]·A[j,i].</summary>
    [Differentiable]
    public static double Local2D(double[] x)
    {
        int n = x.Length;
        var A = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                A[i, j] = x[i] * x[j] + Math.Sin(x[i]);
        double s = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                s += A[i, j] * A[j, i];
        return s;
    }

    /// <summary>Scalar and array parameters mixed with an int: Σ sin(s·xᵢ)·s + xᵢ·t, n times.</summary>
    [Differentiable]
    public static double Mixed(double s, double[] x, int n, double t)
    {
        double r = 0;
        for (int k = 0; k < n; k++)
            for (int i = 0; i < x.Length; i++)
                r += Math.Sin(s * x[i]) * s + x[i] * t * (k + 1);
        return r;
    }

    /// <summary>A gather through an int[] index array: Σₖ x[idx[k]]².</summary>
    [Differentiable]
    public static double Gather(double[] x, int[] idx)
    {
        double s = 0;
        for (int k = 0; k < idx.Length; k++)
            s += x[idx[k]] * x[idx[k]];
        return s;
    }

    /// <summary>Branches on element values: a leaky ReLU into a local array, then Σ aᵢ·a₍ᵢ₊₁₎ mod n + aᵢ.</summary>
    [Differentiable]
    public static double Relu(double[] x)
    {
        int n = x.Length;
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (x[i] > 0)
                a[i] = x[i];
            else
                a[i] = 0.1 * x[i];
        }
        double s = 0;
        for (int i = 0; i < n; i++)
            s += a[i] * a[(i + 1) % n] + a[i];
        return s;
    }

    /// <summary>max(0, a[i]) through an if on a local element, then a nonlinear sum.</summary>
    [Differentiable]
    public static double ReluMax(double[] x)
    {
        int n = x.Length;
        var a = new double[n];
        for (int i = 0; i < n; i++)
            a[i] = x[i] * 2 - 0.5;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double m = 0;
            if (a[i] > 0)
                m = a[i];
            s += m * m + Math.Sin(m);
        }
        return s;
    }

    // ---- float versions -----------------------------------------------------------------------------------

    [Differentiable]
    public static float SumSquaresF(float[] x)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
            s += x[i] * x[i];
        return s;
    }

    [Differentiable]
    public static float PrefixSinF(float[] x)
    {
        int n = x.Length;
        var prefix = new float[n];
        float run = 0;
        for (int i = 0; i < n; i++)
        {
            run += x[i];
            prefix[i] = run;
        }
        float s = 0;
        for (int i = 0; i < n; i++)
            s += MathF.Sin(prefix[i]);
        return s;
    }

    [Differentiable]
    public static float[] SquareF(float[] x)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] * x[i];
        return y;
    }

    [Differentiable]
    public static float Matrix2DF(float[,] M)
    {
        float s = 0;
        for (int i = 0; i < M.GetLength(0); i++)
            for (int j = 0; j < M.GetLength(1); j++)
                s += M[i, j] * M[i, j] * (j + 1);
        return s;
    }

    [Differentiable]
    public static float ForeachSpanF(ReadOnlySpan<float> x)
    {
        float s = 0;
        foreach (float xi in x)
            s += MathF.Sin(xi) * xi;
        return s;
    }
    // ---- Further constructs -------------------------------------------------------------------------------

    /// <summary>Returns the parameter array itself.</summary>
    [Differentiable]
    public static double[] Identity(double[] x) => x;

    /// <summary>A local array from an initializer, elements overwritten and read; returns one element.</summary>
    [Differentiable]
    public static double LocalInitializer(double a, double b)
    {
        var v = new double[] { a, b, a * b };
        for (int k = 0; k < 3; k++)
        {
            v[0] = v[1] * 0.5 + Math.Sin(v[2]);
            v[1] = v[2] - v[0] * a;
            v[2] = v[0] * v[1] + b;
        }
        return v[2];
    }

    /// <summary>Active elements overwritten by constants (their shadows must be cleared).</summary>
    [Differentiable]
    public static double OverwriteWithConstants(double[] x)
    {
        int n = x.Length;
        var a = new double[n];
        for (int i = 0; i < n; i++)
            a[i] = x[i] * x[i];
        double s = 0;
        for (int i = 0; i < n; i++)
            s += a[i] * 3;
        for (int i = 0; i < n; i += 2)
            a[i] = 1.5;
        for (int i = 0; i < n; i++)
            s += Math.Sin(a[i]) * a[i];
        return s;
    }

    /// <summary>Soft dynamic time warping: a 2-D local recurrence D[i,j] = c(aᵢ, bⱼ) + softmin(D[i−1,j], D[i,j−1], D[i−1,j−1]).</summary>
    [Differentiable]
    public static double SoftDtw(double[] a, double[] b)
    {
        int n = a.Length, m = b.Length;
        var D = new double[n + 1, m + 1];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= m; j++)
                D[i, j] = 1e3;
        D[0, 0] = 0;
        for (int i = 1; i <= n; i++)
            for (int j = 1; j <= m; j++)
            {
                double d = a[i - 1] - b[j - 1];
                double r0 = D[i - 1, j], r1 = D[i, j - 1], r2 = D[i - 1, j - 1];
                double lo = Math.Min(r0, Math.Min(r1, r2));
                double z = Math.Exp(-(r0 - lo)) + Math.Exp(-(r1 - lo)) + Math.Exp(-(r2 - lo));
                D[i, j] = d * d + lo - Math.Log(z);
            }
        return D[n, m];
    }

    /// <summary>foreach over a local array, early return from a loop reading an array.</summary>
    [Differentiable]
    public static double ForeachLocalEarlyReturn(double[] x)
    {
        int n = x.Length;
        var e = new double[n];
        for (int i = 0; i < n; i++)
            e[i] = Math.Exp(0.5 * x[i]);
        double s = 0;
        foreach (double t in e)
        {
            s += t * t;
            if (s > 40)
                return s * x[0];
        }
        return s;
    }

    /// <summary>A local array whose length is computed, with a break on element values.</summary>
    [Differentiable]
    public static double ComputedLengthBreak(double[] x)
    {
        int n = x.Length;
        var a = new double[2 * n + 1];
        for (int i = 0; i < n; i++)
        {
            a[2 * i] = x[i];
            a[2 * i + 1] = x[i] * x[n - 1 - i];
        }
        a[2 * n] = 1;
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * a[a.Length - 1 - i];
            if (s > 25)
                break;
        }
        return s;
    }

    /// <summary>A float 2-D local array.</summary>
    [Differentiable]
    public static float Local2DF(float[] x)
    {
        int n = x.Length;
        var A = new float[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                A[i, j] = x[i] * x[j] + MathF.Sin(x[i]);
        float s = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                s += A[i, j] * A[j, i];
        return s;
    }
    /// <summary>Two active local arrays of the same length (their pooled shadows must be distinct), and ?: on elements.</summary>
    [Differentiable]
    public static double TwoLocals(double[] x)
    {
        int n = x.Length;
        var a = new double[n];
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = Math.Sin(x[i]);
            b[i] = a[i] * x[(i + 1) % n];
        }
        double s = 0;
        for (int i = 0; i < n; i++)
            s += a[i] * b[i] + (b[i] > 0 ? b[i] : -0.5 * b[i]);
        return s;
    }

    /// <summary>An inactive local array created inside a loop (it carries no derivative), plus an inactive local outside.</summary>
    [Differentiable]
    public static double InactiveLocals(double[] x)
    {
        int n = x.Length;
        var w = new double[n];
        for (int i = 0; i < n; i++)
            w[i] = 0.5 * i + 1;
        double s = 0;
        for (int k = 0; k < 3; k++)
        {
            var c = new double[] { k + 1.0, 0.25 * k };
            for (int i = 0; i < n; i++)
                s += w[i] * Math.Sin(c[0] * x[i]) + c[1] * x[i] * x[i];
        }
        return s;
    }
}
