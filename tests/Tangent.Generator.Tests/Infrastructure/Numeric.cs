using System;
using System.Globalization;

namespace Tangent.Generator.Tests.Infrastructure
{
    /// <summary>Central differences and tolerance assertions for gradient checks.</summary>
    public static class Numeric
    {
        /// <summary>
        /// (f(x+s) − f(x−s)) / 2s with step s = h·max(1, |x|) (relative for large x; truncation error O(s²)).
        /// </summary>
        public static double CentralDifference(Func<double, double> f, double x, double h = 1e-6)
        {
            double s = Step(x, h);
            return (f(x + s) - f(x - s)) / (2 * s);
        }

        /// <summary>Central-difference gradient of f at x (2n evaluations; x is not modified).</summary>
        public static double[] CentralDifferenceGradient(Func<double[], double> f, double[] x, double h = 1e-6)
        {
            var g = new double[x.Length];
            var p = (double[])x.Clone();
            for (int i = 0; i < x.Length; i++)
            {
                double s = Step(x[i], h);
                p[i] = x[i] + s;
                double plus = f(p);
                p[i] = x[i] - s;
                double minus = f(p);
                p[i] = x[i];
                g[i] = (plus - minus) / (2 * s);
            }
            return g;
        }

        /// <summary>Central-difference directional derivative ∇f(x)·v (2 evaluations), step h (scaled by max(1, |x|∞)).</summary>
        public static double DirectionalDerivative(Func<double[], double> f, double[] x, double[] v, double h = 1e-6)
        {
            if (x.Length != v.Length) throw new ArgumentException("x and v differ in length.");
            double scale = 1;
            foreach (double xi in x) scale = Math.Max(scale, Math.Abs(xi));
            double s = h * scale;
            var plus = new double[x.Length];
            var minus = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                plus[i] = x[i] + s * v[i];
                minus[i] = x[i] - s * v[i];
            }
            return (f(plus) - f(minus)) / (2 * s);
        }

        /// <summary>Central-difference Jacobian J[i, j] = ∂f_i/∂x_j of an array-valued f.</summary>
        public static double[,] CentralDifferenceJacobian(Func<double[], double[]> f, double[] x, double h = 1e-6)
        {
            var p = (double[])x.Clone();
            double[,]? jac = null;
            for (int j = 0; j < x.Length; j++)
            {
                double s = Step(x[j], h);
                p[j] = x[j] + s;
                double[] plus = f(p);
                p[j] = x[j] - s;
                double[] minus = f(p);
                p[j] = x[j];
                jac ??= new double[plus.Length, x.Length];
                for (int i = 0; i < plus.Length; i++)
                    jac[i, j] = (plus[i] - minus[i]) / (2 * s);
            }
            return jac ?? new double[0, 0];
        }

        /// <summary>
        /// Passes when |expected − actual| ≤ abs + rel·max(|expected|, |actual|); NaN equals NaN and equal infinities pass.
        /// </summary>
        public static void AssertClose(double expected, double actual, double rel = 1e-6, double abs = 1e-8, string? what = null)
        {
            if (IsClose(expected, actual, rel, abs)) return;
            double diff = Math.Abs(expected - actual);
            double tol = abs + rel * Math.Max(Math.Abs(expected), Math.Abs(actual));
            string relErr = expected != 0 ? (diff / Math.Abs(expected)).ToString("G3", CultureInfo.InvariantCulture) : "n/a";
            throw GeneratorHarness.Fail(
                $"{what ?? "value"}: expected {R(expected)}, actual {R(actual)}\n" +
                $"  |diff| = {diff.ToString("G3", CultureInfo.InvariantCulture)} > tolerance {tol.ToString("G3", CultureInfo.InvariantCulture)} " +
                $"(rel {rel.ToString("G3", CultureInfo.InvariantCulture)}, abs {abs.ToString("G3", CultureInfo.InvariantCulture)}); relative error {relErr}");
        }

        /// <summary>Element-wise <see cref="AssertClose(double, double, double, double, string?)"/>; reports every mismatching index.</summary>
        public static void AssertClose(double[] expected, double[] actual, double rel = 1e-6, double abs = 1e-8, string? what = null)
        {
            string name = what ?? "array";
            if (expected.Length != actual.Length)
                throw GeneratorHarness.Fail($"{name}: expected length {expected.Length}, actual length {actual.Length}");
            var bad = new System.Text.StringBuilder();
            int count = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                if (IsClose(expected[i], actual[i], rel, abs)) continue;
                count++;
                if (count <= 20)
                    bad.Append($"\n  [{i}] expected {R(expected[i])}, actual {R(actual[i])}, |diff| {Math.Abs(expected[i] - actual[i]).ToString("G3", CultureInfo.InvariantCulture)}");
            }
            if (count > 0)
                throw GeneratorHarness.Fail($"{name}: {count} of {expected.Length} elements differ (rel {rel:G3}, abs {abs:G3}):{bad}" +
                                            (count > 20 ? "\n  ..." : "") +
                                            $"\n  expected [{string.Join(", ", Array.ConvertAll(expected, R))}]\n  actual   [{string.Join(", ", Array.ConvertAll(actual, R))}]");
        }

        public static bool IsClose(double expected, double actual, double rel = 1e-6, double abs = 1e-8)
        {
            if (double.IsNaN(expected) || double.IsNaN(actual)) return double.IsNaN(expected) && double.IsNaN(actual);
            if (double.IsInfinity(expected) || double.IsInfinity(actual)) return expected == actual;
            return Math.Abs(expected - actual) <= abs + rel * Math.Max(Math.Abs(expected), Math.Abs(actual));
        }

        private static double Step(double x, double h) => h * Math.Max(1.0, Math.Abs(x));

        private static string R(double d) => d.ToString("R", CultureInfo.InvariantCulture);
    }
}
