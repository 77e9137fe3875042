using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>What went wrong with one program; <see cref="Kind"/> is what the minimizer keeps constant.</summary>
    public sealed record Failure(RandomProgram Program, string Kind, string Detail);

    /// <summary>Counts over a run (thread-safe).</summary>
    public sealed class CheckStats
    {
        public long Programs;
        public long ProgramsChecked;
        public long PointsTried;
        public long PointsChecked;
        public long PointsSkippedNotFinite;
        public long DirectionsChecked;
        public long DirectionsSkippedKink;
        public long ForwardChecks;
        public long AdjointChecks;
        public long DualityChecks;
        public long DualitySkippedNotFinite;
        public long Compilations;
        public long ArrayResults;
        public long ProgramsWithCalls;
        public readonly Dictionary<string, int> CallFeatures = new Dictionary<string, int>();
        public long Mutants;
        public long GenerateTicks, CompileTicks, EmitTicks, CheckTicks;
        public long MutantsRejected;
        public readonly Dictionary<string, int> MutationKinds = new Dictionary<string, int>();
        public readonly Dictionary<string, int> MutationIds = new Dictionary<string, int>();

        public void Count(Dictionary<string, int> d, string key)
        {
            lock (d) d[key] = d.TryGetValue(key, out int n) ? n + 1 : 1;
        }

        private static List<KeyValuePair<string, int>> Snapshot(Dictionary<string, int> d)
        {
            lock (d) return d.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        }

        private static string Seconds(long ticks) => (ticks / (double)System.Diagnostics.Stopwatch.Frequency).ToString("F1", CultureInfo.InvariantCulture) + " s";

        public override string ToString() => string.Join("\n", new[]
        {
            $"programs: {Programs} generated, {ProgramsChecked} compiled and checked ({ArrayResults} with array results, {ProgramsWithCalls} calling helpers), in {Compilations} compilations",
            "calls (programs checked with each): " + string.Join(", ", Snapshot(CallFeatures).Where(kv => kv.Key != ProgramCalls.Calls).Select(kv => $"{kv.Key} ×{kv.Value}")),
            $"points: {PointsTried} tried, {PointsChecked} checked, {PointsSkippedNotFinite} skipped (primal not finite or |value| > 1e6)",
            $"directions: {DirectionsChecked} checked against central differences, {DirectionsSkippedKink} skipped (near a kink or jump)",
            $"checks: {ForwardChecks} forward tangents, {AdjointChecks} adjoint components, {DualityChecks} duality ({DualitySkippedNotFinite} skipped: derivative not finite)",
            $"time (summed over threads): generating {Seconds(GenerateTicks)}, generator and compilation {Seconds(CompileTicks)}, emit {Seconds(EmitTicks)}, checks {Seconds(CheckTicks)}",
        });
    }

    /// <summary>
    /// Checks one compiled program at random points: the forward tangent along each input direction and each
    /// adjoint component against central differences, forward/adjoint duality along random directions, the values
    /// the generated methods return, that the adjoint adds into its accumulators, and that no generated method
    /// writes into its input arrays.
    /// </summary>
    public sealed class DifferentialChecker
    {
        // Central differences: step h·max(1, |x|); the divisor is the step actually taken ((x+h) − (x−h)).
        private const double H = 1e-6;

        // A derivative is compared with the central difference c1 (step h) within
        //   RelTol·(|ad| + |fd|) + AbsTol·(1 + max|f|) + 4·|c1 − c4|,
        // where c4 is the central difference with step 4h. |c1 − c4| estimates the error of c1 itself (truncation
        // O(h²f''') and rounding O(ε|f|/h)), so noisy points get a proportionate tolerance instead of a false failure.
        private const double RelTol = 1e-5;
        private const double AbsTol = 1e-7;

        // A direction is "near a kink" (a Max/Min/Abs switch, a branch taken differently, a jump of Floor or %) when
        // the one-sided differences (f(x+h) − f(x))/h and (f(x) − f(x−h))/h differ by more than KinkRel·(1 + |c1|)
        // (for a smooth f they differ by about h·|f''|), or the central differences with steps h and 4h differ by more
        // than that (a kink within 4h). At such points central differences do not approximate the one-sided
        // derivative AD returns, so the direction is skipped; AD-only checks (duality) still run there.
        private const double KinkRel = 1e-3;

        // Primal values beyond this are skipped: rounding error of a difference quotient grows with |f|.
        private const double MaxValue = 1e6;

        private readonly RandomProgram _program;
        private readonly MethodInfo _primal;
        private readonly MethodInfo _forward;
        private readonly MethodInfo _adjoint;
        private readonly MethodInfo? _gradient;
        private readonly List<(int Param, int Element)> _coordinates = new List<(int, int)>();

        public DifferentialChecker(Assembly assembly, string className, RandomProgram program)
        {
            _program = program;
            Type type = assembly.GetType(className) ?? throw new InvalidOperationException("No type " + className);
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Static;
            _primal = type.GetMethod(program.Name, flags) ?? throw new InvalidOperationException("No method " + program.Name);
            _forward = type.GetMethod(program.Name + "Forward", flags) ?? throw new InvalidOperationException("No method " + program.Name + "Forward");
            _adjoint = type.GetMethod(program.Name + "Adjoint", flags) ?? throw new InvalidOperationException("No method " + program.Name + "Adjoint");
            _gradient = type.GetMethod(program.Name + "Gradient", flags);
            if (!program.ReturnsArray && _gradient is null) throw new InvalidOperationException("No method " + program.Name + "Gradient");
            for (int p = 0; p < program.Params.Length; p++)
            {
                if (program.Params[p].Kind == ParamKind.Double) _coordinates.Add((p, -1));
                else if (program.Params[p].Kind == ParamKind.DoubleArray)
                    for (int e = 0; e < program.ArrayLength; e++) _coordinates.Add((p, e));
            }
        }

        /// <summary>Number of active inputs (double parameters and array elements).</summary>
        public int Dimension => _coordinates.Count;

        /// <summary>Checks <paramref name="points"/> random points; returns the first failure or null.</summary>
        public Failure? Check(int points, CheckStats stats)
        {
            var random = new Random(unchecked((int)(_program.Seed ^ (_program.Seed >> 32))));
            for (int k = 0; k < points; k++)
            {
                Interlocked.Increment(ref stats.PointsTried);
                var x = new double[Dimension];
                for (int i = 0; i < x.Length; i++) x[i] = -2 + 4 * random.NextDouble();
                var ints = _program.Params.Select(p => p.Kind == ParamKind.Int ? random.Next(0, _program.ArrayLength + 1) : 0).ToArray();
                var w = Enumerable.Range(0, _program.ReturnsArray ? _program.ArrayLength : 1).Select(_ => _program.ReturnsArray ? -1 + 2 * random.NextDouble() : 1.0).ToArray();
                var v = Enumerable.Range(0, Dimension).Select(_ => -1 + 2 * random.NextDouble()).ToArray();
                var u = Enumerable.Range(0, Dimension).Select(_ => -1 + 2 * random.NextDouble()).ToArray();
                Failure? failure = CheckPoint(x, ints, w, v, u, stats, out bool checkedPoint);
                if (failure != null) return failure;
                if (checkedPoint) Interlocked.Increment(ref stats.PointsChecked);
            }
            return null;
        }

        private Failure? CheckPoint(double[] x, int[] ints, double[] w, double[] v, double[] u, CheckStats stats, out bool checkedPoint)
        {
            checkedPoint = false;
            string at = "at " + Describe(x, ints);

            double[] y0;
            try
            {
                y0 = Primal(x, ints);
            }
            catch (Exception ex)
            {
                return Fail("primal threw", $"{_program.Name} threw {ex.GetType().Name}: {ex.Message} {at} (a bug of the random-program grammar, not of the generator)");
            }
            if (y0.Any(y => !double.IsFinite(y) || Math.Abs(y) > MaxValue))
            {
                Interlocked.Increment(ref stats.PointsSkippedNotFinite);
                return null;
            }
            checkedPoint = true;
            double scale = 1 + y0.Max(Math.Abs);

            // Central differences along every input direction.
            int m = y0.Length;
            var c1 = new double[Dimension][];
            var noise = new double[Dimension][];
            var kink = new bool[Dimension];
            for (int j = 0; j < Dimension; j++)
            {
                double step = H * Math.Max(1, Math.Abs(x[j]));
                double[] Shifted(double s)
                {
                    var xs = (double[])x.Clone();
                    xs[j] = x[j] + s;
                    return Primal(xs, ints);
                }
                double plus = x[j] + step, minus = x[j] - step, plus4 = x[j] + 4 * step, minus4 = x[j] - 4 * step;
                double[] yp = Shifted(step), ym = Shifted(-step), yp4 = Shifted(4 * step), ym4 = Shifted(-4 * step);
                c1[j] = new double[m];
                noise[j] = new double[m];
                for (int i = 0; i < m; i++)
                {
                    double central = (yp[i] - ym[i]) / (plus - minus);
                    double central4 = (yp4[i] - ym4[i]) / (plus4 - minus4);
                    double forwardOne = (yp[i] - y0[i]) / (plus - x[j]);
                    double backwardOne = (y0[i] - ym[i]) / (x[j] - minus);
                    c1[j][i] = central;
                    noise[j][i] = Math.Abs(central - central4);
                    double limit = KinkRel * (1 + Math.Abs(central));
                    if (!double.IsFinite(central) || !double.IsFinite(central4)
                        || Math.Abs(forwardOne - backwardOne) > limit || Math.Abs(central - central4) > limit)
                    {
                        kink[j] = true;
                    }
                }
                if (kink[j]) Interlocked.Increment(ref stats.DirectionsSkippedKink);
                else Interlocked.Increment(ref stats.DirectionsChecked);
            }

            try
            {
                // Forward mode along each unit direction.
                for (int j = 0; j < Dimension; j++)
                {
                    var e = new double[Dimension];
                    e[j] = 1;
                    var (value, tangent) = Forward(x, ints, e);
                    if (Mismatch(y0, value, out string valueDiff))
                        return Fail("value mismatch", $"{_program.Name}Forward returned the value {valueDiff} {at}");
                    if (kink[j]) continue;
                    Interlocked.Increment(ref stats.ForwardChecks);
                    for (int i = 0; i < m; i++)
                    {
                        double tol = RelTol * (Math.Abs(tangent[i]) + Math.Abs(c1[j][i])) + AbsTol * scale + 4 * noise[j][i];
                        if (!(Math.Abs(tangent[i] - c1[j][i]) <= tol))
                            return Fail("forward mismatch", $"d{Output(i)}/d{Input(j)}: forward tangent {R(tangent[i])}, central difference {R(c1[j][i])} (tolerance {R(tol)}) {at}");
                    }
                }

                // Adjoint: the gradient of w·y (w = 1 for a scalar result).
                double[] gradient = Adjoint(x, ints, w, new double[Dimension], out double[] adjointValue);
                if (Mismatch(y0, adjointValue, out string adjointValueDiff))
                    return Fail("value mismatch", $"{_program.Name}Adjoint returned the value {adjointValueDiff} {at}");
                if (_gradient != null)
                {
                    var (gValue, g) = Gradient(x, ints);
                    if (Mismatch(y0, new[] { gValue }, out string gradientValueDiff))
                        return Fail("value mismatch", $"{_program.Name}Gradient returned the value {gradientValueDiff} {at}");
                    for (int j = 0; j < Dimension; j++)
                    {
                        if (!Same(g[j], gradient[j], 1e-12))
                            return Fail("gradient/adjoint mismatch", $"d/d{Input(j)}: {_program.Name}Gradient {R(g[j])}, {_program.Name}Adjoint {R(gradient[j])} {at}");
                    }
                }
                for (int j = 0; j < Dimension; j++)
                {
                    if (kink[j]) continue;
                    Interlocked.Increment(ref stats.AdjointChecks);
                    double fd = 0, fdNoise = 0, fdSize = 0;
                    for (int i = 0; i < m; i++)
                    {
                        fd += w[i] * c1[j][i];
                        fdNoise += Math.Abs(w[i]) * noise[j][i];
                        fdSize += Math.Abs(w[i] * c1[j][i]);
                    }
                    double tol = RelTol * (Math.Abs(gradient[j]) + fdSize) + AbsTol * scale + 4 * fdNoise;
                    if (!(Math.Abs(gradient[j] - fd) <= tol))
                        return Fail("adjoint mismatch", $"d(w·{(m == 1 ? "result" : "result[]")})/d{Input(j)}: adjoint {R(gradient[j])}, central difference {R(fd)} (tolerance {R(tol)}, w = {Describe(w)}) {at}");
                }

                // The adjoint adds: starting from u with seed 1.5·w it must end at u + 1.5·gradient.
                double[] accumulated = Adjoint(x, ints, w.Select(wi => 1.5 * wi).ToArray(), (double[])u.Clone(), out _);
                for (int j = 0; j < Dimension; j++)
                {
                    double expected = u[j] + 1.5 * gradient[j];
                    if (!Same(expected, accumulated[j], 1e-9))
                        return Fail("accumulation mismatch", $"d/d{Input(j)}: adjoint with accumulator {R(u[j])} and seed 1.5 gave {R(accumulated[j])}, expected {R(expected)} {at}");
                }

                // Duality: w·(J v) from forward mode equals (wᵀJ)·v from the adjoint, at every point (kinks included:
                // both modes take the same one-sided derivative there).
                var (_, jv) = Forward(x, ints, v);
                double left = 0, right = 0, size = 0;
                for (int i = 0; i < m; i++) { left += w[i] * jv[i]; size += Math.Abs(w[i] * jv[i]); }
                for (int j = 0; j < Dimension; j++) { right += gradient[j] * v[j]; size += Math.Abs(gradient[j] * v[j]); }
                if (!double.IsFinite(size))
                {
                    Interlocked.Increment(ref stats.DualitySkippedNotFinite);
                }
                else
                {
                    Interlocked.Increment(ref stats.DualityChecks);
                    if (!(Math.Abs(left - right) <= 1e-9 * size + 1e-12))
                        return Fail("duality mismatch", $"w·(J v) = {R(left)} by forward mode, (wᵀJ)·v = {R(right)} by the adjoint (v = {Describe(v)}, w = {Describe(w)}) {at}");
                }
            }
            catch (InputModifiedException ex)
            {
                return Fail("input modified", ex.Message + " " + at);
            }
            catch (Exception ex)
            {
                return Fail("derivative threw", $"{ex.GetType().Name}: {ex.Message} {at}\n{ex.StackTrace}");
            }
            return null;
        }

        private Failure Fail(string kind, string detail) => new Failure(_program, kind, detail);

        private static bool Mismatch(double[] expected, double[] actual, out string description)
        {
            description = "";
            if (expected.Length != actual.Length)
            {
                description = $"of length {actual.Length}, the primal's has length {expected.Length}";
                return true;
            }
            for (int i = 0; i < expected.Length; i++)
            {
                if (!Same(expected[i], actual[i], 1e-9))
                {
                    description = $"{Describe(actual)}, the primal returned {Describe(expected)}";
                    return true;
                }
            }
            return false;
        }

        private static bool Same(double a, double b, double rel)
            => a.Equals(b) || Math.Abs(a - b) <= rel * (Math.Abs(a) + Math.Abs(b)) + 1e-300;

        // ------------------------------------------------------------------ calls

        private sealed class InputModifiedException : Exception
        {
            public InputModifiedException(string message) : base(message) { }
        }

        /// <summary>The primal arguments for the point x (fresh arrays) and copies to check them against afterwards.</summary>
        private object?[] PrimalArgs(double[] x, int[] ints)
        {
            var args = new object?[_program.Params.Length];
            int k = 0;
            for (int p = 0; p < args.Length; p++)
            {
                switch (_program.Params[p].Kind)
                {
                    case ParamKind.Double:
                        args[p] = x[k++];
                        break;
                    case ParamKind.Int:
                        args[p] = ints[p];
                        break;
                    default:
                        var a = new double[_program.ArrayLength];
                        for (int e = 0; e < a.Length; e++) a[e] = x[k++];
                        args[p] = a;
                        break;
                }
            }
            return args;
        }

        private void CheckInputs(object?[] args, double[] x, string method)
        {
            int k = 0;
            for (int p = 0; p < _program.Params.Length; p++)
            {
                switch (_program.Params[p].Kind)
                {
                    case ParamKind.Double:
                        k++;
                        break;
                    case ParamKind.DoubleArray:
                        var a = (double[])args[p]!;
                        for (int e = 0; e < a.Length; e++, k++)
                        {
                            if (!a[e].Equals(x[k]))
                                throw new InputModifiedException($"{method} changed {_program.Params[p].Name}[{e}] from {R(x[k])} to {R(a[e])}");
                        }
                        break;
                }
            }
        }

        /// <summary>The shadow arguments for a vector over the active inputs: doubles, or arrays of the right length.</summary>
        private List<object?> Shadows(double[] d)
        {
            var list = new List<object?>();
            int k = 0;
            foreach (var p in _program.Params)
            {
                if (p.Kind == ParamKind.Double) list.Add(d[k++]);
                else if (p.Kind == ParamKind.DoubleArray)
                {
                    var a = new double[_program.ArrayLength];
                    for (int e = 0; e < a.Length; e++) a[e] = d[k++];
                    list.Add(a);
                }
            }
            return list;
        }

        /// <summary>Reads back a vector over the active inputs from shadow arguments (or tuple items).</summary>
        private double[] Flatten(IEnumerable<object?> shadows)
        {
            var result = new List<double>();
            foreach (object? s in shadows)
            {
                if (s is double d) result.Add(d);
                else if (s is double[] a) result.AddRange(a);
                else throw new InvalidOperationException("unexpected shadow " + (s?.GetType().Name ?? "null"));
            }
            if (result.Count != Dimension) throw new InvalidOperationException($"{result.Count} derivative components, expected {Dimension}");
            return result.ToArray();
        }

        private static double[] Values(object? result) => result switch
        {
            double d => new[] { d },
            double[] a => (double[])a.Clone(),
            _ => throw new InvalidOperationException("unexpected result " + (result?.GetType().Name ?? "null")),
        };

        private double[] Primal(double[] x, int[] ints)
        {
            object?[] args = PrimalArgs(x, ints);
            object? result = _primal.Invoke(null, BindingFlags.DoNotWrapExceptions, null, args, CultureInfo.InvariantCulture);
            return Values(result);
        }

        private (double[] Value, double[] Tangent) Forward(double[] x, int[] ints, double[] direction)
        {
            object?[] primal = PrimalArgs(x, ints);
            object?[] args = primal.Concat(Shadows(direction)).ToArray();
            var tuple = (ITuple)_forward.Invoke(null, BindingFlags.DoNotWrapExceptions, null, args, CultureInfo.InvariantCulture)!;
            CheckInputs(args, x, _program.Name + "Forward");
            return (Values(tuple[0]), Values(tuple[1]));
        }

        /// <summary>Calls the adjoint with accumulators starting at <paramref name="initial"/> and seed w; returns the accumulators.</summary>
        private double[] Adjoint(double[] x, int[] ints, double[] w, double[] initial, out double[] value)
        {
            object?[] primal = PrimalArgs(x, ints);
            var args = primal.Concat(Shadows(initial)).ToList();
            args.Add(_program.ReturnsArray ? (object)w.Clone() : w[0]);
            object?[] call = args.ToArray();
            object? result = _adjoint.Invoke(null, BindingFlags.DoNotWrapExceptions, null, call, CultureInfo.InvariantCulture);
            CheckInputs(call, x, _program.Name + "Adjoint");
            value = Values(result);
            return Flatten(call.Skip(primal.Length).Take(call.Length - primal.Length - 1));
        }

        private (double Value, double[] Gradient) Gradient(double[] x, int[] ints)
        {
            object?[] args = PrimalArgs(x, ints);
            var tuple = (ITuple)_gradient!.Invoke(null, BindingFlags.DoNotWrapExceptions, null, args, CultureInfo.InvariantCulture)!;
            CheckInputs(args, x, _program.Name + "Gradient");
            return ((double)tuple[0]!, Flatten(Enumerable.Range(1, tuple.Length - 1).Select(i => tuple[i])));
        }

        // ------------------------------------------------------------------ descriptions

        private string Input(int j)
        {
            var (p, e) = _coordinates[j];
            return e < 0 ? _program.Params[p].Name : $"{_program.Params[p].Name}[{e}]";
        }

        private string Output(int i) => _program.ReturnsArray ? $"result[{i}]" : "result";

        private string Describe(double[] x, int[] ints)
        {
            var parts = new List<string>();
            int k = 0;
            for (int p = 0; p < _program.Params.Length; p++)
            {
                var param = _program.Params[p];
                switch (param.Kind)
                {
                    case ParamKind.Double:
                        parts.Add($"{param.Name} = {R(x[k++])}");
                        break;
                    case ParamKind.Int:
                        parts.Add($"{param.Name} = {ints[p]}");
                        break;
                    default:
                        parts.Add($"{param.Name} = {Describe(x.Skip(k).Take(_program.ArrayLength).ToArray())}");
                        k += _program.ArrayLength;
                        break;
                }
            }
            return "(" + string.Join(", ", parts) + ")";
        }

        private static string Describe(double[] values) => "[" + string.Join(", ", values.Select(R)) + "]";

        internal static string R(double d) => d.ToString("R", CultureInfo.InvariantCulture);
    }
}
