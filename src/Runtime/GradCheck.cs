using System;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Tangent
{
    /// <summary>
    /// Outcome of a gradient check: the largest disagreement between a gradient and its finite-difference
    /// estimate, over the compared components (or random directions).
    /// </summary>
    /// <remarks>
    /// The error of one comparison is the mixed absolute/relative error |a − b| / max(1, |a|, |b|): absolute
    /// for values of magnitude below 1, relative above. A NaN on either side counts as a failure.
    /// </remarks>
    public readonly record struct GradCheckResult
    {
        /// <summary>Creates a result; <paramref name="worstIndex"/> is −1 when nothing was compared.</summary>
        public GradCheckResult(double maxAbsoluteError, double maxRelativeError, int worstIndex,
                               double worstExpected, double worstActual, int count, bool directional = false)
        {
            MaxAbsoluteError = maxAbsoluteError;
            MaxRelativeError = maxRelativeError;
            WorstIndex = worstIndex;
            WorstExpected = worstExpected;
            WorstActual = worstActual;
            Count = count;
            IsDirectional = directional;
        }

        /// <summary>Largest |expected − actual| over all comparisons.</summary>
        public double MaxAbsoluteError { get; }

        /// <summary>Largest mixed error |expected − actual| / max(1, |expected|, |actual|) over all comparisons.</summary>
        public double MaxRelativeError { get; }

        /// <summary>Component (or direction) with the largest mixed error; −1 when <see cref="Count"/> is 0.</summary>
        public int WorstIndex { get; }

        /// <summary>Reference value (finite difference, or the expected array) at <see cref="WorstIndex"/>.</summary>
        public double WorstExpected { get; }

        /// <summary>Checked value (the gradient component, or ∇f·δ) at <see cref="WorstIndex"/>.</summary>
        public double WorstActual { get; }

        /// <summary>Number of components or directions compared.</summary>
        public int Count { get; }

        /// <summary>True when the comparisons are directional derivatives along random directions.</summary>
        public bool IsDirectional { get; }

        /// <summary>True when every mixed error is at most <paramref name="tolerance"/> (false if any value is NaN).</summary>
        public bool Passed(double tolerance = 1e-5) => MaxRelativeError <= tolerance;

        /// <inheritdoc />
        public override string ToString()
        {
            if (Count == 0)
                return "GradCheck: nothing compared";
            string where = IsDirectional
                ? $"direction {WorstIndex} of {Count}"
                : $"component {WorstIndex} of {Count}";
            return string.Create(CultureInfo.InvariantCulture,
                $"GradCheck: max error {MaxRelativeError:G3} (abs {MaxAbsoluteError:G3}) at {where}: expected {WorstExpected:R}, actual {WorstActual:R}");
        }
    }

    /// <summary>
    /// Finite-difference checks for gradients: compare a generated (or hand-written) gradient with central
    /// differences, component-wise or along random directions.
    /// </summary>
    /// <remarks>
    /// The function must not modify the array it is given. Steps are absolute (as in PyTorch's
    /// <c>gradcheck</c>). Central differences have error of order h² (truncation) plus ε·|f|/h (rounding,
    /// ε ≈ 2.2e−16), about 1e−10 relative for smooth functions of moderate size with the default steps, so
    /// tolerances near 1e−5 are appropriate; for inputs far larger than 1 in magnitude, pass a step of about
    /// 1e−6·|x|.
    /// </remarks>
    public static class GradCheck
    {
        /// <summary>Default tolerance on the mixed absolute/relative error.</summary>
        public const double DefaultTolerance = 1e-5;

        /// <summary>
        /// Derivative of <paramref name="f"/> at <paramref name="x"/> by central difference
        /// (f(x + h) − f(x − h)) / ((x + h) − (x − h)).
        /// </summary>
        public static double CentralDifference(Func<double, double> f, double x, double h = 1e-6)
        {
            ArgumentNullException.ThrowIfNull(f);
            ValidateStep(h);
            double xp = x + h, xm = x - h;
            return (f(xp) - f(xm)) / (xp - xm);
        }

        /// <summary>
        /// Gradient of <paramref name="f"/> at <paramref name="x"/> by central differences, one component at a
        /// time (2n evaluations). <paramref name="x"/> is not modified: <paramref name="f"/> sees a copy.
        /// </summary>
        public static double[] CentralDifference(Func<double[], double> f, double[] x, double h = 1e-6)
        {
            ArgumentNullException.ThrowIfNull(x);
            var gradient = new double[x.Length];
            CentralDifference(f, x, gradient, h);
            return gradient;
        }

        /// <summary>
        /// Writes the central-difference gradient of <paramref name="f"/> at <paramref name="x"/> into
        /// <paramref name="gradient"/> (length of <paramref name="x"/>). <paramref name="x"/> is not modified.
        /// </summary>
        public static void CentralDifference(Func<double[], double> f, double[] x, Span<double> gradient, double h = 1e-6)
        {
            ArgumentNullException.ThrowIfNull(f);
            ArgumentNullException.ThrowIfNull(x);
            ValidateStep(h);
            if (gradient.Length != x.Length)
                throw new ArgumentException($"The gradient has length {gradient.Length}, x has length {x.Length}.", nameof(gradient));

            double[] probe = (double[])x.Clone();
            for (int i = 0; i < x.Length; i++)
            {
                double xi = x[i];
                double xp = xi + h, xm = xi - h;
                probe[i] = xp;
                double fp = f(probe);
                probe[i] = xm;
                double fm = f(probe);
                probe[i] = xi;
                gradient[i] = (fp - fm) / (xp - xm);
            }
        }

        /// <summary>
        /// Checks <paramref name="gradient"/> along <paramref name="directions"/> random unit directions δ:
        /// compares ∇f·δ with (f(x + εδ) − f(x − εδ)) / 2ε. Costs two evaluations per direction whatever the
        /// dimension, so it suits large inputs. Deterministic for a given <paramref name="seed"/>.
        /// </summary>
        public static GradCheckResult RandomDirection(Func<double[], double> f, double[] x, double[] gradient,
                                                      int directions = 8, double epsilon = 1e-6, int seed = 12345)
        {
            ArgumentNullException.ThrowIfNull(f);
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(gradient);
            ArgumentOutOfRangeException.ThrowIfNegative(directions);
            ValidateStep(epsilon);
            if (gradient.Length != x.Length)
                throw new ArgumentException($"The gradient has length {gradient.Length}, x has length {x.Length}.", nameof(gradient));

            int n = x.Length;
            if (n == 0)
                directions = 0;
            var random = new Random(seed);
            var delta = new double[n];
            var probe = new double[n];
            var acc = new ErrorAccumulator();
            for (int d = 0; d < directions; d++)
            {
                RandomUnitVector(random, delta);
                double directional = 0;
                for (int i = 0; i < n; i++)
                {
                    directional += gradient[i] * delta[i];
                    probe[i] = x[i] + epsilon * delta[i];
                }
                double fp = f(probe);
                for (int i = 0; i < n; i++)
                    probe[i] = x[i] - epsilon * delta[i];
                double fm = f(probe);
                acc.Add(d, (fp - fm) / (2 * epsilon), directional);
            }
            return acc.Result(directions, directional: true);
        }

        /// <summary>
        /// Compares two arrays element-wise with the mixed error; <paramref name="expected"/> is the reference
        /// (for instance a central-difference gradient).
        /// </summary>
        public static GradCheckResult Compare(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
        {
            if (expected.Length != actual.Length)
                throw new ArgumentException($"Lengths differ: expected has {expected.Length}, actual has {actual.Length}.", nameof(actual));
            var acc = new ErrorAccumulator();
            for (int i = 0; i < expected.Length; i++)
                acc.Add(i, expected[i], actual[i]);
            return acc.Result(expected.Length, directional: false);
        }

        /// <summary>Compares two scalars with the mixed error.</summary>
        public static GradCheckResult Compare(double expected, double actual)
        {
            var acc = new ErrorAccumulator();
            acc.Add(0, expected, actual);
            return acc.Result(1, directional: false);
        }

        /// <summary>
        /// Compares <paramref name="gradient"/> with the central-difference gradient of <paramref name="f"/> at
        /// <paramref name="x"/>, component by component.
        /// </summary>
        public static GradCheckResult Gradient(Func<double[], double> f, double[] x, double[] gradient, double h = 1e-6)
        {
            ArgumentNullException.ThrowIfNull(gradient);
            return Compare(CentralDifference(f, x, h), gradient);
        }

        /// <summary>
        /// True when <paramref name="gradient"/> matches the central-difference gradient of <paramref name="f"/>
        /// at <paramref name="x"/> in every component within <paramref name="tolerance"/> (mixed error).
        /// For a diagnostic message use <see cref="Gradient"/> and its result's <c>ToString()</c>.
        /// </summary>
        public static bool Check(Func<double[], double> f, double[] x, double[] gradient, double tolerance = DefaultTolerance) =>
            Gradient(f, x, gradient).Passed(tolerance);

        /// <summary>The mixed error |a − b| / max(1, |a|, |b|) used by all checks (NaN if either is NaN).</summary>
        public static double MixedError(double a, double b)
        {
            double abs = Math.Abs(a - b);
            return abs / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b)));
        }

        private static void ValidateStep(double h, [CallerArgumentExpression(nameof(h))] string? name = null)
        {
            if (!(h > 0) || double.IsInfinity(h))
                throw new ArgumentOutOfRangeException(name, h, "The step must be positive and finite.");
        }

        // Standard normal components (Box–Muller), normalized: uniformly distributed on the unit sphere.
        private static void RandomUnitVector(Random random, double[] v)
        {
            double norm2;
            do
            {
                norm2 = 0;
                for (int i = 0; i < v.Length; i++)
                {
                    double u1 = 1.0 - random.NextDouble(); // (0, 1]
                    double u2 = random.NextDouble();
                    double g = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
                    v[i] = g;
                    norm2 += g * g;
                }
            } while (norm2 == 0);

            double scale = 1.0 / Math.Sqrt(norm2);
            for (int i = 0; i < v.Length; i++)
                v[i] *= scale;
        }

        private struct ErrorAccumulator
        {
            private double _maxAbs;
            private double _maxMixed;
            private int _worst;
            private double _worstExpected;
            private double _worstActual;
            private bool _any;

            public void Add(int index, double expected, double actual)
            {
                double abs = Math.Abs(expected - actual);
                double mixed = MixedError(expected, actual);
                // NaN compares false, so `!(mixed <= _maxMixed)` makes the first NaN the worst and keeps it.
                if (!_any || (!double.IsNaN(_maxMixed) && !(mixed <= _maxMixed)))
                {
                    _maxMixed = mixed;
                    _worst = index;
                    _worstExpected = expected;
                    _worstActual = actual;
                    _any = true;
                }
                if (!(abs <= _maxAbs))
                    _maxAbs = double.IsNaN(_maxAbs) ? _maxAbs : abs;
            }

            public readonly GradCheckResult Result(int count, bool directional) =>
                _any
                    ? new GradCheckResult(_maxAbs, _maxMixed, _worst, _worstExpected, _worstActual, count, directional)
                    : new GradCheckResult(0, 0, -1, 0, 0, 0, directional);
        }
    }
}
