using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;

namespace Tangent.Runtime.Tests;

public class GradCheckTests
{
    // The survey example of DESIGN.md: f(x1, x2) = ln x1 + x1·x2 − sin x2.
    private static double Survey(double[] x) => Math.Log(x[0]) + x[0] * x[1] - Math.Sin(x[1]);

    private static double[] SurveyGradient(double[] x) => new[] { 1 / x[0] + x[1], x[0] - Math.Cos(x[1]) };

    private static double Rosenbrock(double[] x)
    {
        double s = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    private static double[] RosenbrockGradient(double[] x)
    {
        var g = new double[x.Length];
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
            g[i + 1] += 200 * a;
        }
        return g;
    }

    private static readonly double[] RosenbrockPoint = { -1.2, 1.0, 0.3, -0.7, 2.1, 0.9, -0.4, 1.5, 0.05, -2.0 };

    [Fact]
    public void CentralDifference_scalar_matches_known_derivatives()
    {
        Assert.Equal(Math.Cos(0.7), GradCheck.CentralDifference(Math.Sin, 0.7), 9);
        Assert.Equal(Math.Exp(1.3), GradCheck.CentralDifference(Math.Exp, 1.3), 8);
        Assert.Equal(1 / 2.5, GradCheck.CentralDifference(Math.Log, 2.5), 9);
        // Large argument: h is absolute, so scale it with |x| (rounding error is about ε·|f|/h).
        Assert.Equal(2e6, GradCheck.CentralDifference(v => v * v, 1e6, h: 1e-6 * 1e6), 6);
        // A step that is not representable around x: dividing by (x + h) − (x − h) instead of 2h keeps it exact.
        Assert.Equal(1.0, GradCheck.CentralDifference(v => v, 1e6, h: 1e-7));
    }

    [Fact]
    public void CentralDifference_survey_example_matches_DESIGN_values()
    {
        var x = new[] { 2.0, 5.0 };
        double[] g = GradCheck.CentralDifference(Survey, x);
        Assert.Equal(5.5, g[0], 8);
        Assert.Equal(2 - Math.Cos(5), g[1], 8);
        Assert.Equal(1.716, g[1], 3);
    }

    [Fact]
    public void CentralDifference_does_not_modify_x_and_passes_a_copy()
    {
        var x = new[] { 1.0, 2.0, 3.0 };
        double[]? seen = null;
        GradCheck.CentralDifference(v => { seen = v; return v.Sum(); }, x);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, x);
        Assert.NotSame(x, seen);

        GradCheck.RandomDirection(v => { seen = v; return v.Sum(); }, x, new[] { 1.0, 1.0, 1.0 });
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, x);
        Assert.NotSame(x, seen);
    }

    [Fact]
    public void CentralDifference_span_overload_writes_into_destination_and_checks_length()
    {
        var x = new[] { 2.0, 5.0 };
        Span<double> g = stackalloc double[2];
        GradCheck.CentralDifference(Survey, x, g);
        Assert.Equal(5.5, g[0], 8);
        Assert.Throws<ArgumentException>(() => GradCheck.CentralDifference(Survey, x, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.CentralDifference(Survey, x, h: 0));
    }

    [Fact]
    public void Check_accepts_correct_gradients()
    {
        var x = new[] { 2.0, 5.0 };
        Assert.True(GradCheck.Check(Survey, x, SurveyGradient(x)));
        Assert.True(GradCheck.Check(Rosenbrock, RosenbrockPoint, RosenbrockGradient(RosenbrockPoint)));
    }

    [Fact]
    public void Check_rejects_a_wrong_gradient_and_reports_the_component()
    {
        var x = new[] { 2.0, 5.0 };
        double[] wrong = SurveyGradient(x);
        wrong[1] += 1e-3;
        Assert.False(GradCheck.Check(Survey, x, wrong));

        GradCheckResult r = GradCheck.Gradient(Survey, x, wrong);
        Assert.False(r.Passed());
        Assert.Equal(1, r.WorstIndex);
        Assert.Equal(2, r.Count);
        Assert.Equal(1e-3, r.MaxAbsoluteError, 6);
        Assert.Contains("component 1 of 2", r.ToString());

        // A sign error in one component of a 10-dimensional gradient.
        double[] g = RosenbrockGradient(RosenbrockPoint);
        g[4] = -g[4];
        Assert.False(GradCheck.Check(Rosenbrock, RosenbrockPoint, g));
    }

    [Fact]
    public void RandomDirection_accepts_correct_and_rejects_wrong_gradients()
    {
        double[] g = RosenbrockGradient(RosenbrockPoint);
        GradCheckResult ok = GradCheck.RandomDirection(Rosenbrock, RosenbrockPoint, g);
        Assert.True(ok.Passed(), ok.ToString());
        Assert.Equal(8, ok.Count);
        Assert.True(ok.IsDirectional);

        var wrong = (double[])g.Clone();
        wrong[7] *= 1.001;
        GradCheckResult bad = GradCheck.RandomDirection(Rosenbrock, RosenbrockPoint, wrong, directions: 16);
        Assert.False(bad.Passed(), bad.ToString());
        Assert.Contains("direction", bad.ToString());
    }

    [Fact]
    public void RandomDirection_is_deterministic_for_a_seed()
    {
        double[] g = RosenbrockGradient(RosenbrockPoint);
        g[0] += 0.5;
        var a = GradCheck.RandomDirection(Rosenbrock, RosenbrockPoint, g, seed: 7);
        var b = GradCheck.RandomDirection(Rosenbrock, RosenbrockPoint, g, seed: 7);
        var c = GradCheck.RandomDirection(Rosenbrock, RosenbrockPoint, g, seed: 8);
        Assert.Equal(a, b);
        Assert.NotEqual(a.MaxAbsoluteError, c.MaxAbsoluteError);
    }

    [Fact]
    public void Compare_uses_mixed_error_and_flags_NaN()
    {
        // Absolute below magnitude 1, relative above.
        Assert.Equal(1e-3, GradCheck.MixedError(0.5, 0.501), 12);
        Assert.Equal(1e-3, GradCheck.MixedError(1000, 1001), 5);
        Assert.True(GradCheck.Compare(new[] { 1e8, 1.0 }, new[] { 1e8 + 1, 1.0 }).Passed(1e-7));

        GradCheckResult nan = GradCheck.Compare(new[] { 1.0, 2.0, 3.0 }, new[] { 1.0, double.NaN, 30.0 });
        Assert.False(nan.Passed(double.MaxValue));
        Assert.Equal(1, nan.WorstIndex);
        Assert.True(double.IsNaN(nan.MaxAbsoluteError));

        Assert.Throws<ArgumentException>(() => GradCheck.Compare(new double[2], new double[3]));
        GradCheckResult empty = GradCheck.Compare(Array.Empty<double>(), Array.Empty<double>());
        Assert.True(empty.Passed());
        Assert.Equal(-1, empty.WorstIndex);
        Assert.False(GradCheck.Compare(1.0, 1.1).Passed());
    }

    [Fact]
    public void Property_quadratics_pass_and_perturbed_gradients_fail()
    {
        // f(x) = Σ a_i x_i² + b_i x_i with gradient 2 a_i x_i + b_i, at random points.
        Gen<double> coefficient = Gen.Choose(-1000, 1000).Select(i => i / 100.0);
        Gen<(double[] a, double[] b, double[] x)> gen =
            from n in Gen.Choose(1, 12)
            from a in Gen.ArrayOf(coefficient, n)
            from b in Gen.ArrayOf(coefficient, n)
            from x in Gen.ArrayOf(coefficient, n)
            select (a, b, x);

        Property property = Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (a, b, x) = t;
            double F(double[] v)
            {
                double s = 0;
                for (int i = 0; i < v.Length; i++)
                    s += a[i] * v[i] * v[i] + b[i] * v[i];
                return s;
            }
            double[] g = x.Select((xi, i) => 2 * a[i] * xi + b[i]).ToArray();
            double[] bad = (double[])g.Clone();
            bad[0] += 0.01 * Math.Max(1, Math.Abs(bad[0]));
            return GradCheck.Check(F, x, g)
                && GradCheck.RandomDirection(F, x, g).Passed()
                && !GradCheck.Check(F, x, bad);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }

    [Fact]
    public void StopGradient_returns_its_input()
    {
        Assert.Equal(3.5, Autodiff.StopGradient(3.5));
        Assert.Equal(-2.25f, Autodiff.StopGradient(-2.25f));
        Assert.True(double.IsNaN(Autodiff.StopGradient(double.NaN)));
        var d = new[] { 1.0, 2.0 };
        var f = new[] { 1f, 2f };
        var d2 = new double[2, 2];
        var f2 = new float[2, 2];
        Assert.Same(d, Autodiff.StopGradient(d));
        Assert.Same(f, Autodiff.StopGradient(f));
        Assert.Same(d2, Autodiff.StopGradient(d2));
        Assert.Same(f2, Autodiff.StopGradient(f2));
    }
}
