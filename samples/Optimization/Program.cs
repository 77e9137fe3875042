using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Tangent;

// Two uses of generated gradients: (a) minimizing the 10-dimensional Rosenbrock function with L-BFGS,
// (b) checking and timing the gradient of the Helmholtz free energy. The functions are in Model.cs.
//
//   dotnet run -c Release --project samples/Optimization [-- --quick] [--svg rosenbrock-convergence.svg]

bool quick = args.Contains("--quick");
int svgAt = Array.IndexOf(args, "--svg");
string svgPath = svgAt >= 0 && svgAt + 1 < args.Length ? args[svgAt + 1] : "rosenbrock-convergence.svg";

// ---- (a) Rosenbrock in 10 dimensions, L-BFGS ----
const int Dimension = 10, Memory = 7;
const double GradientTolerance = 1e-8;
int maxIterations = quick ? 200 : 1000;
double[] start = Enumerable.Range(0, Dimension).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();

Console.WriteLine($"(a) Rosenbrock, n = {Dimension}, from (−1.2, 1, −1.2, 1, …): L-BFGS (memory {Memory}) with backtracking Armijo line search");
Console.WriteLine($"    stop when |∇f| < {GradientTolerance:G} or after {maxIterations} iterations{(quick ? " (--quick)" : "")}");

// The objective for the optimizer: RosenbrockAdjoint ADDS ∇f into its last array, so zero it first.
// (Model.RosenbrockGradient(x) would do the same but allocate a new array on every call.)
ValueAndGradient rosenbrock = (x, gradient) =>
{
    Array.Clear(gradient);
    return Model.RosenbrockAdjoint(x, gradient);
};

var result = LBfgs.Minimize(rosenbrock, start, Memory, GradientTolerance, maxIterations,
    progress: (k, f, gradientNorm, step) =>
    {
        if (k % 5 == 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    iteration {k,4}   f = {f,-12:0.0000E+00}  |∇f| = {gradientNorm,-12:0.0000E+00}  step {(k == 0 ? "-" : step.ToString("G3", CultureInfo.InvariantCulture))}"));
    });

double distance = result.X.Max(v => Math.Abs(v - 1));
Console.WriteLine(result.Converged
    ? $"    converged: |∇f| = {result.GradientNorm:0.00E+00} < {GradientTolerance:G} after {result.Iterations} iterations ({result.Evaluations} gradient evaluations)"
    : $"    stopped after {result.Iterations} iterations ({result.Evaluations} gradient evaluations), |∇f| = {result.GradientNorm:0.00E+00}");
Console.WriteLine($"    minimum f = {result.Value:0.000E+00} at x = ({string.Join(", ", result.X.Select(v => v.ToString("F8", CultureInfo.InvariantCulture)))})");
Console.WriteLine($"    max |xᵢ − 1| = {distance:0.00E+00}");

var logF = result.ValueHistory.Select(f => Math.Log10(Math.Max(f, 1e-300))).ToList();
SvgChart.Write(svgPath, $"Rosenbrock (n = {Dimension}), L-BFGS", "iteration", "log10 f(x)", logF);
Console.WriteLine($"    convergence curve written to {Path.GetFullPath(svgPath)}");
Console.WriteLine();

// ---- (b) Helmholtz free energy: adjoint vs forward mode vs central differences ----
int n = quick ? 10 : 50;
var random = new Random(2024);
var a = new double[n, n];
var b = new double[n];
var point = new double[n];
for (int i = 0; i < n; i++)
{
    for (int j = 0; j <= i; j++)
        a[i, j] = a[j, i] = random.NextDouble();          // symmetric, entries in [0, 1)
    b[i] = 0.01 * (1 - random.NextDouble());             // (0, 0.01]
    point[i] = 0.05 + 0.9 * random.NextDouble();         // [0.05, 0.95)
}
Func<double[], double> helmholtz = v => Model.Helmholtz(v, a, b);

Console.WriteLine($"(b) Helmholtz free energy, n = {n} (random A, b, x with a fixed seed)");

// Reverse mode: the whole gradient from one adjoint sweep.
var (value, adjointGradient) = Model.HelmholtzGradient(point, a, b);
// Central differences: 2n evaluations of the function.
double[] numericGradient = GradCheck.CentralDifference(helmholtz, point);
var check = GradCheck.Compare(numericGradient, adjointGradient);

// Forward mode: one directional derivative ∇f·v, compared with the adjoint gradient and a central difference along v.
double[] v = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
double vNorm = Math.Sqrt(v.Sum(t => t * t));
for (int i = 0; i < n; i++) v[i] /= vNorm;
var (_, directional) = Model.HelmholtzForward(point, a, b, v);
double adjointDirectional = adjointGradient.Zip(v, (g, t) => g * t).Sum();
double numericDirectional = GradCheck.CentralDifference(t => helmholtz(point.Zip(v, (p, d) => p + t * d).ToArray()), 0.0);
double forwardVsAdjoint = GradCheck.MixedError(adjointDirectional, directional);
double forwardVsNumeric = GradCheck.MixedError(numericDirectional, directional);

Console.WriteLine($"    f(x) = {value:F6}");
Console.WriteLine($"    adjoint gradient vs central differences : max difference {check.MaxRelativeError:0.00E+00}   (relative, absolute below 1)");
Console.WriteLine($"    forward ∇f·v vs adjoint gradient · v    : {forwardVsAdjoint:0.00E+00}");
Console.WriteLine($"    forward ∇f·v vs central difference on v : {forwardVsNumeric:0.00E+00}");
bool helmholtzOk = check.Passed(1e-6) && forwardVsAdjoint <= 1e-10 && forwardVsNumeric <= 1e-6;
Console.WriteLine($"    gradients agree: {(helmholtzOk ? "yes" : "NO")}");

// Rough timing with a Stopwatch loop. Careful measurements (BenchmarkDotNet) belong in the benchmarks project.
int reps = quick ? 100 : 5000;
var shadow = new double[n];
var centralGradient = new double[n];
double primalTime = Time(reps, () => Model.Helmholtz(point, a, b));
double adjointTime = Time(reps, () => { Array.Clear(shadow); Model.HelmholtzAdjoint(point, a, b, shadow); });
double forwardTime = Time(reps, () => Model.HelmholtzForward(point, a, b, v));
double centralTime = Time(Math.Max(1, reps / n), () => GradCheck.CentralDifference(helmholtz, point, centralGradient));
Console.WriteLine($"    rough timing per call (a Stopwatch loop, best of 5 batches: not a benchmark; BenchmarkDotNet measurements are still to come):");
Console.WriteLine($"      f(x)                          {primalTime,9:F2} µs");
Console.WriteLine($"      gradient, adjoint             {adjointTime,9:F2} µs   ({adjointTime / primalTime:F1}× f)");
Console.WriteLine($"      directional derivative, fwd   {forwardTime,9:F2} µs   ({forwardTime / primalTime:F1}× f)");
Console.WriteLine($"      gradient, central differences {centralTime,9:F2} µs   ({centralTime / primalTime:F1}× f: 2n = {2 * n} evaluations, {centralTime / adjointTime:F0}× the adjoint)");
Console.WriteLine();

bool minimumOk = result.Converged && distance < 1e-6;
Console.WriteLine($"Rosenbrock minimum reached: {(minimumOk ? "yes" : "NO")};  Helmholtz gradients agree: {(helmholtzOk ? "yes" : "NO")}");
return minimumOk && helmholtzOk ? 0 : 1;

// Microseconds per call of `action`. The warm-up runs long enough for the tiered JIT to replace the
// first, quickly compiled code by optimized code.
double Time(int reps, Action action)
{
    var warmUp = Stopwatch.StartNew();
    while (warmUp.ElapsedMilliseconds < (quick ? 50 : 400)) action();
    // The fastest of five batches: other processes on the machine only ever slow a batch down.
    double best = double.PositiveInfinity;
    for (int batch = 0; batch < 5; batch++)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) action();
        best = Math.Min(best, clock.Elapsed.TotalMicroseconds / reps);
    }
    return best;
}
