using System;
using System.Globalization;
using Xunit.Sdk;

namespace Tangent.Tests;

public delegate double CfAdjoint1(double x, ref double dX, double dResult);
public delegate double CfAdjoint2(double x, double y, ref double dX, ref double dY, double dResult);

/// <summary>
/// One [Differentiable] method of <see cref="ControlFlowCorpus"/> (1 or 2 active parameters, inactive ones bound
/// in the lambdas), checked in both modes at seeded random points:
/// <list type="bullet">
/// <item>forward mode along each unit vector and along a random direction: Value bitwise equal to the primal,
/// Tangent equal to the reference directional derivative;</item>
/// <item>adjoint mode into non-zero accumulators with a random dResult: returns the primal bitwise and ADDS
/// dResult·∇f;</item>
/// <item>MGradient: the primal and ∇f;</item>
/// <item>forward vs adjoint: the same derivative computed two ways (tight);</item>
/// <item>the thread's tape is empty afterwards.</item>
/// </list>
/// The reference is a 5-point central difference at steps h and h/2 (h = 1e-3·max(1, |xᵢ|)), Richardson-extrapolated; a point is skipped when the path
/// (branch decisions and trip counts, from <see cref="Path"/>) at any stencil point x ± h·eᵢ, x ± 2h·eᵢ differs
/// from the path at x, since central differences across a branch switch are meaningless. An analytic gradient,
/// when given, is checked as well.
/// </summary>
public sealed class CfCase
{
    public required string Name { get; init; }
    public required Func<double[], double> F { get; init; }
    public required Func<double[], double[], (double Value, double Tangent)> Forward { get; init; }
    /// <summary>Adds dResult·∇f into acc and returns the value.</summary>
    public required Func<double[], double[], double, double> Adjoint { get; init; }
    public required Func<double[], (double Value, double[] Gradient)> Gradient { get; init; }
    public required Func<Random, double[]> Sample { get; init; }

    /// <summary>An identifier of the control-flow path taken at x (null: the method is smooth everywhere sampled).</summary>
    public Func<double[], string>? Path { get; init; }
    public Func<double[], double[]>? Analytic { get; init; }
    public bool CentralDifferences { get; init; } = true;

    public int Cases { get; init; } = 100;
    /// <summary>
    /// Derivative vs the reference (mixed relative/absolute). Iterated maps have large higher derivatives and
    /// derivatives up to ~1e4 here, which leaves the extrapolated central difference good to ~1e-7 relative
    /// (checked against hand-written forward recurrences); a wrong rule, a lost iteration or a wrong branch is
    /// an O(1) error.
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;
    /// <summary>Tolerance against central differences when it differs from <see cref="Tolerance"/> (then used for the analytic reference).</summary>
    public double? FdTolerance { get; init; }
    /// <summary>Forward vs adjoint vs gradient: the same derivative by different code.</summary>
    public double SameTolerance { get; init; } = 1e-11;
    public bool IsFloat { get; init; }

    public static CfCase One(string name, Func<double, double> f, Func<double, double, (double, double)> fwd, CfAdjoint1 adj,
                             Func<double, (double, double)> grad, Func<Random, double> sample)
        => new()
        {
            Name = name,
            F = x => f(x[0]),
            Forward = (x, v) => fwd(x[0], v[0]),
            Adjoint = (x, acc, w) => adj(x[0], ref acc[0], w),
            Gradient = x => { var (v, g) = grad(x[0]); return (v, new[] { g }); },
            Sample = r => new[] { sample(r) },
        };

    public static CfCase Two(string name, Func<double, double, double> f, Func<double, double, double, double, (double, double)> fwd,
                             CfAdjoint2 adj, Func<double, double, (double, double, double)> grad, Func<Random, double[]> sample)
        => new()
        {
            Name = name,
            F = x => f(x[0], x[1]),
            Forward = (x, v) => fwd(x[0], x[1], v[0], v[1]),
            Adjoint = (x, acc, w) => adj(x[0], x[1], ref acc[0], ref acc[1], w),
            Gradient = x => { var (v, g0, g1) = grad(x[0], x[1]); return (v, new[] { g0, g1 }); },
            Sample = sample,
        };

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
    private static string Fmt(double[] xs) => "(" + string.Join(", ", Array.ConvertAll(xs, Fmt)) + ")";

    /// <summary>Step floor: h = 1e-3·max(StepFloor, |xᵢ|) (0: purely relative, for domains reaching near 0).</summary>
    public double StepFloor { get; init; } = 1;

    private double Step(double x) => 1e-3 * Math.Max(StepFloor, Math.Abs(x));

    private static void Close(double expected, double actual, double tol, string what, Func<string> ctx)
    {
        double err = Math.Abs(expected - actual) / Math.Max(1, Math.Max(Math.Abs(expected), Math.Abs(actual)));
        if (!(err <= tol))
            throw new XunitException($"{what}: expected {Fmt(expected)}, actual {Fmt(actual)} (error {err:G3} > {tol:G3}) at {ctx()}");
    }

    private static void Exact(double expected, double actual, string what, Func<string> ctx)
    {
        if (!expected.Equals(actual))
            throw new XunitException($"{what}: expected exactly {Fmt(expected)}, actual {Fmt(actual)} at {ctx()}");
    }

    /// <summary>True when every stencil point takes the same path as x.</summary>
    private bool PathStable(double[] x)
    {
        if (Path is null) return true;
        string p = Path(x);
        for (int i = 0; i < x.Length; i++)
        {
            double h = Step(x[i]);
            foreach (int k in new[] { -2, -1, 1, 2 })
            {
                var y = (double[])x.Clone();
                y[i] = x[i] + k * h;
                if (IsFloat) y[i] = (float)y[i];
                if (Path(y) != p) return false;
            }
        }
        return true;
    }

    private double[] CentralGradient(double[] x)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double h = Step(x[i]);
            double At(double t) { var y = (double[])x.Clone(); y[i] = x[i] + t; return F(y); }
            double D(double k) => (-At(2 * k) + 8 * At(k) - 8 * At(-k) + At(-2 * k)) / (12 * k);
            // Richardson extrapolation of the O(k⁴) stencil at k = h and h/2: O(h⁶) truncation, rounding ≈ 4ε|f|/h.
            g[i] = (64 * D(h / 2) - D(h)) / 63;
        }
        return g;
    }

    /// <summary>Runs the checks; returns the number of points checked (skipped points are resampled).</summary>
    public int Run(int seed)
    {
        var r = new Random(seed);
        int checkedPoints = 0, skipped = 0;
        while (checkedPoints < Cases)
        {
            double[] x = Sample(r);
            if (IsFloat) for (int i = 0; i < x.Length; i++) x[i] = (float)x[i];
            if (!PathStable(x))
            {
                if (++skipped > 20 * Cases) throw new XunitException($"{Name}: almost every sampled point is near a branch switch");
                continue;
            }
            int c = checkedPoints++;
            int n = x.Length;
            double w = (r.Next(2) == 0 ? -1 : 1) * (0.25 + 1.75 * r.NextDouble());
            var v = new double[n];
            for (int i = 0; i < n; i++) v[i] = 2 * r.NextDouble() - 1;
            if (IsFloat) { w = (float)w; for (int i = 0; i < n; i++) v[i] = (float)v[i]; }
            string Ctx() => $"{Name} x = {Fmt(x)}, v = {Fmt(v)}, dResult = {Fmt(w)}{(Path is null ? "" : ", path " + Path(x))} (case {c})";

            double primal = F(x);

            // Forward mode along each unit vector: the gradient, one component at a time.
            var gFwd = new double[n];
            for (int i = 0; i < n; i++)
            {
                var e = new double[n];
                e[i] = 1;
                var (value, tangent) = Forward(x, e);
                Exact(primal, value, "forward Value", Ctx);
                gFwd[i] = tangent;
            }
            var (vValue, vTangent) = Forward(x, v);
            Exact(primal, vValue, "forward Value (random direction)", Ctx);

            // Adjoint mode into non-zero accumulators: must add.
            var acc0 = new double[n];
            for (int i = 0; i < n; i++) acc0[i] = Math.Round(4 * r.NextDouble() - 2, 3);
            var acc = (double[])acc0.Clone();
            double adjValue = Adjoint(x, acc, w);
            Exact(primal, adjValue, "adjoint return value", Ctx);
            var gAdj = new double[n];
            for (int i = 0; i < n; i++) gAdj[i] = (acc[i] - acc0[i]) / w;

            var (gradValue, gGrad) = Gradient(x);
            Exact(primal, gradValue, "gradient Value", Ctx);
            if (gGrad.Length != n) throw new XunitException($"{Name}Gradient returned {gGrad.Length} components");

            if (!Tape.Current.IsEmpty) throw new XunitException($"{Name}: the tape is not empty after the calls at {Ctx()}");

            // Against the references.
            var refs = new System.Collections.Generic.List<(string, double[], double)>();
            if (Analytic is not null) refs.Add(("analytic", Analytic(x), Tolerance));
            if (CentralDifferences) refs.Add(("central differences", CentralGradient(x), FdTolerance ?? Tolerance));
            foreach (var (what, g, tol) in refs)
            {
                double dir = 0;
                for (int i = 0; i < n; i++)
                {
                    Close(g[i], gFwd[i], tol, $"forward ∂f/∂x{i} vs {what}", Ctx);
                    Close(w * g[i], acc[i] - acc0[i], tol, $"adjoint increment of d{i} (dResult·∂f/∂x{i}) vs {what}", Ctx);
                    Close(g[i], gGrad[i], tol, $"gradient component {i} vs {what}", Ctx);
                    dir += g[i] * v[i];
                }
                Close(dir, vTangent, tol, $"forward tangent along v vs {what}", Ctx);
            }

            // The modes against each other.
            double dirAdj = 0;
            for (int i = 0; i < n; i++)
            {
                Close(gFwd[i], gAdj[i], SameTolerance, $"forward vs adjoint ∂f/∂x{i}", Ctx);
                Close(gAdj[i], gGrad[i], SameTolerance, $"adjoint vs gradient ∂f/∂x{i}", Ctx);
                dirAdj += gAdj[i] * v[i];
            }
            Close(dirAdj, vTangent, SameTolerance * 10, "forward tangent along v vs adjoint gradient·v", Ctx);
        }
        return checkedPoints;
    }
}

/// <summary>Samplers.</summary>
public static class CfDom
{
    public static double U(this Random r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    /// <summary>±[lo, hi], log-uniform in magnitude.</summary>
    public static double PlusMinusLog(this Random r, double lo, double hi)
        => (r.Next(2) == 0 ? -1 : 1) * Math.Exp(r.U(Math.Log(lo), Math.Log(hi)));
}

/// <summary>
/// Twins of the <see cref="ControlFlowCorpus"/> methods that return the control-flow path taken (branch decisions
/// and trip counts) instead of the value.
/// </summary>
public static class ControlFlowPaths
{
    public static string Seed(double a)
    {
        double b = 2 * a;
        int k = 0;
        while (Math.Abs(b) < 1000) { b = 2 * b; k++; }
        return k + (b > 0 ? "+" : "-");
    }

    public static string LoopWithIf(double x, double y, int n)
    {
        var p = new System.Text.StringBuilder();
        double s = 0, t = x;
        for (int i = 0; i < n; i++)
        {
            if (t > y) { t = t * 0.5 - y; p.Append('a'); }
            else if (i % 2 == 0) { t = t * t * 0.25 + x; p.Append('b'); }
            else { t += Math.Sin(y * i); p.Append('c'); }
            s += t * y;
        }
        return p.ToString();
    }

    public static string IfWithLoop(double x, double y) => x > y ? "then" : "else";

    public static string BreakOnData(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 100; i++)
        {
            s = s + x * (i + 1) + Math.Sin(s * y);
            if (s > 20) return "break at " + i;
        }
        return "no break";
    }

    public static string WhileTrueBreak(double x)
    {
        double s = x;
        int i = 0;
        while (true)
        {
            i++;
            s = Math.Sqrt(s + i);
            if (s > 3 || i >= 40) return i.ToString(CultureInfo.InvariantCulture);
        }
    }

    public static string ContinueLoop(double x, double y, int n)
    {
        var p = new System.Text.StringBuilder();
        for (int i = 0; i < n; i++)
        {
            if (i % 3 == 1) continue;
            p.Append(Math.Sin(x * i + y) < 0 ? '-' : '+');
        }
        return p.ToString();
    }

    public static string EarlyReturnNested(double x, double y)
    {
        double s = x;
        for (int i = 0; i < 10; i++)
        {
            for (int j = 0; j < 10; j++)
            {
                s = s * 1.1 + y * 0.01 * j;
                if (s > 50) return $"return at ({i}, {j})";
            }
            s = s - x * 0.5;
        }
        return "end";
    }

    public static string Piecewise5(double x, double y)
        => x < -2 ? "1" : x < -1 ? "2" : x < 0 ? "3" : x < 1 ? "4" : "5";

    public static string NestedTernary(double x, double y)
        => x > 0 ? (y > 0 ? "pp" : "pn") : (y > x ? "ny" : "nx");

    public static string ReluLayer(double x, double y) => (x * y - 0.5 > 0 ? "on" : "off") + (x > y ? "x" : "y");

    public static string TernaryInLoop(double x, int n)
    {
        var p = new System.Text.StringBuilder();
        double s = x;
        for (int i = 0; i < n; i++)
        {
            p.Append(s > 1 ? 'h' : 'a');
            s = s > 1 ? s * 0.5 : s * x + 1;
        }
        return p.ToString();
    }

    public static string Logical(double x, double y)
        => $"{x > 0 && y > 0}{x < -1 || y < -1}{!(x > y)}{(x * x + y * y > 2 && !(x < 0)) || (y > 1.5 && x < -1.5)}";

    public static string WhileActive(double x)
    {
        double y = 1;
        int k = 0;
        while (y < 10) { y = y * 1.5 + x; k++; }
        return k.ToString(CultureInfo.InvariantCulture);
    }

    public static string WhileActiveF(float x)
    {
        float y = 1;
        int k = 0;
        while (y < 10) { y = y * 1.5f + x; k++; }
        return k.ToString(CultureInfo.InvariantCulture);
    }

    public static string DoWhile(double x, double y)
    {
        double s = y;
        int k = 0;
        do { s = s * s * 0.5 + x; k++; } while (s < 5 && k < 50);
        return k.ToString(CultureInfo.InvariantCulture);
    }

    public static string ActiveLoopVariable(double x)
    {
        int k = 0;
        for (double t = x; t < 10; t += 1.5) k++;
        return k.ToString(CultureInfo.InvariantCulture);
    }

    public static string ContinueInWhileAndDo(double x, double y)
    {
        var p = new System.Text.StringBuilder();
        double s = 0;
        int i = 0;
        while (i < 8)
        {
            i++;
            if (i % 2 == 0) continue;
            s += x * i;
            if (s * y > 3) { p.Append('c'); continue; }
            p.Append('n');
            s = s * y + 1;
        }
        return p.ToString();
    }

    public static string BreakInnerOnly(double x, double y)
    {
        var p = new System.Text.StringBuilder();
        for (int i = 0; i < 5; i++)
        {
            double u = y;
            int j = 0;
            for (; j < 20; j++)
            {
                u = u * 1.3 + x;
                if (u > 4 + i) break;
            }
            p.Append(j).Append(',');
        }
        return p.ToString();
    }

    public static string ReturnInDoWhile(double x)
    {
        double s = 1;
        int k = 0;
        do
        {
            s = s * x + 0.5;
            if (s > 8) return "return at " + k;
            k++;
        } while (k < 20);
        return "end";
    }

    public static string TripCountFromCast(double x) => ((int)(x * 3)).ToString(CultureInfo.InvariantCulture);

    public static string UninitializedInLoop(double x, double y)
    {
        var p = new System.Text.StringBuilder();
        for (int i = 0; i < 6; i++) p.Append(x * i > y ? 'a' : 'b');
        return p.ToString();
    }

    public static string EmptyBranches(double x, double y) => $"{x > 0}{y > 0}";

    public static string TernaryInCondition(double x)
    {
        double s = x;
        int k = 0;
        while ((s > 0 ? s : -s) < 10 && k < 30) { s = s * 2 + x; k++; }
        return k.ToString(CultureInfo.InvariantCulture);
    }

    public static string InactiveTernary(double x, double y) => x > 0 ? "3" : "5";

    public static string IfWithoutElseInLoop(double x, int n)
    {
        var p = new System.Text.StringBuilder();
        double s = x;
        for (int i = 0; i < n; i++)
        {
            if (s < 2) { s = s * x + 1; p.Append('t'); }
            else p.Append('f');
        }
        return p.ToString();
    }

    public static string DeepNesting(double x, double y)
    {
        var p = new System.Text.StringBuilder();
        double s = y;
        int k = 0;
        do
        {
            if (s < 3)
            {
                p.Append('l');
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < i; j++)
                        s = s + x * Math.Sin(s + j);
            }
            else
            {
                p.Append('s');
                s = Math.Sqrt(s) + y;
            }
            k++;
        } while (k < 4);
        return p.ToString();
    }
}
