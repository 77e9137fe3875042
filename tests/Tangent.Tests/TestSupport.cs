using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace Tangent.Tests;

/// <summary>
/// Tolerances, each with the reasoning that fixes it.
/// </summary>
public static class Tol
{
    /// <summary>
    /// Double derivative vs. the 5-point central difference of <see cref="Fd"/>: truncation error
    /// h⁴·|f⁽⁵⁾|/30 ≈ 3e-14·|f⁽⁵⁾| with h = 1e-3, rounding ≈ 1.5·ε·|f|/h ≈ 3e-13·|f|. On the domains used
    /// here (kept away from singularities) |f⁽⁵⁾| stays below ~1e3, so the reference is good to ~1e-10;
    /// 1e-7 leaves margin while any wrong rule (an O(1) error) still fails by orders of magnitude.
    /// </summary>
    public const double Double = 1e-7;

    /// <summary>
    /// A float method's derivative (computed in float) vs. the exact derivative of its double twin at the same
    /// float-representable point: each generated partial takes ≲ 10 float roundings (ε_f = 2⁻²³ ≈ 1.2e-7)
    /// amplified by the condition number of the function on its domain (≲ 100 here), i.e. ≲ 1000·ε_f.
    /// </summary>
    public const double Float = 1000 * 1.1920929e-7;

    /// <summary>
    /// Two evaluations of the same derivative through different code (adjoint called twice vs. once, gradient vs.
    /// adjoint, forward vs. adjoint): only reassociation of a handful of roundings separates them.
    /// </summary>
    public const double SameDouble = 1e-12;

    public const double SameFloat = 16 * 1.1920929e-7;
}

/// <summary>Numerical references: 5-point central differences.</summary>
public static class Fd
{
    /// <summary>Relative step: h_i = 1e-3·max(1, |x_i|) (optimal for the O(h⁴) stencil in double).</summary>
    public const double RelStep = 1e-3;

    public static double Step(double x) => RelStep * Math.Max(1, Math.Abs(x));

    /// <summary>∂f/∂x_i by (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h.</summary>
    public static double Partial(Func<double[], double> f, double[] x, int i)
    {
        var p = (double[])x.Clone();
        double h = Step(x[i]);
        double At(double t) { p[i] = x[i] + t; return f(p); }
        return (-At(2 * h) + 8 * At(h) - 8 * At(-h) + At(-2 * h)) / (12 * h);
    }

    public static double[] Gradient(Func<double[], double> f, double[] x)
        => Enumerable.Range(0, x.Length).Select(i => Partial(f, x, i)).ToArray();

    /// <summary>Directional derivative ∇f·v, by the 5-point stencil along v (step 1e-3·max(1, |x|∞)).</summary>
    public static double Directional(Func<double[], double> f, double[] x, double[] v)
    {
        double h = RelStep * Math.Max(1, x.Max(Math.Abs));
        double At(double t) => f(x.Zip(v, (a, b) => a + t * b).ToArray());
        return (-At(2 * h) + 8 * At(h) - 8 * At(-h) + At(-2 * h)) / (12 * h);
    }
}

/// <summary>Random points, directions and domains.</summary>
public static class Rand
{
    /// <summary>A stable seed from a name (string.GetHashCode is randomized per process).</summary>
    public static int Seed(string name)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (char c in name) h = (h ^ c) * 16777619;
            return (int)(h & 0x7fffffff);
        }
    }

    public static double Uniform(this Random r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    public static double[] Direction(Random r, int n) => Enumerable.Range(0, n).Select(_ => r.Uniform(-1, 1)).ToArray();

    /// <summary>A random cotangent (dResult), never tiny so that "adds dResult·∂f" is a real test.</summary>
    public static double Cotangent(Random r) => (r.Next(2) == 0 ? -1 : 1) * r.Uniform(0.25, 2);

    public static double ToFloat(double x) => (float)x;
}

/// <summary>A sampler of one coordinate.</summary>
public delegate double Domain(Random r);

public static class Dom
{
    public static Domain U(double lo, double hi) => r => r.Uniform(lo, hi);

    /// <summary>±[lo, hi]: symmetric, away from 0.</summary>
    public static Domain PlusMinus(double lo, double hi) => r => (r.Next(2) == 0 ? -1 : 1) * r.Uniform(lo, hi);

    /// <summary>k + u for an integer k in [kLo, kHi] and u in [uLo, uHi]: away from integer (or half-integer) jumps.</summary>
    public static Domain Frac(int kLo, int kHi, double uLo, double uHi) => r => r.Next(kLo, kHi + 1) + r.Uniform(uLo, uHi);
}

/// <summary>Closeness asserts whose messages print the inputs.</summary>
public static class Check
{
    public static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    public static string Fmt(IEnumerable<double> xs) => "(" + string.Join(", ", xs.Select(Fmt)) + ")";

    /// <summary>|expected − actual| ≤ tol·max(1, |expected|, |actual|, scale), and no NaN.</summary>
    public static void Close(double expected, double actual, double tol, string what, Func<string> context, double scale = 0)
    {
        double denom = Math.Max(Math.Max(1, scale), Math.Max(Math.Abs(expected), Math.Abs(actual)));
        double err = Math.Abs(expected - actual) / denom;
        if (!(err <= tol))
            throw new XunitException($"{what}: expected {Fmt(expected)}, actual {Fmt(actual)} (mixed error {err:G3} > {tol:G3}) at {context()}");
    }

    /// <summary>Bitwise-equal values (the generated value must be the primal's, not an approximation).</summary>
    public static void Exact(double expected, double actual, string what, Func<string> context)
    {
        if (!expected.Equals(actual))
            throw new XunitException($"{what}: expected exactly {Fmt(expected)}, actual {Fmt(actual)} at {context()}");
    }
}

/// <summary>
/// The generated methods of one [Differentiable] method, found by reflection and called with doubles (converted
/// to the parameter types). Inactive parameters (int, [NoDerivative], ...) are bound to fixed values.
/// </summary>
public sealed class Diff
{
    private readonly object? _target;
    private readonly ParameterInfo[] _params;
    private readonly int[] _active;        // primal parameter positions of the active parameters
    private readonly object?[] _bound;     // values of the inactive parameters, by primal position

    public string Name { get; }
    public MethodInfo Primal { get; }
    public MethodInfo Forward { get; }
    public MethodInfo Adjoint { get; }
    public MethodInfo? Gradient { get; }

    /// <summary>Number of active parameters.</summary>
    public int Arity => _active.Length;

    /// <summary>True when the result is float (then results are rounded to float).</summary>
    public bool IsFloat => Primal.ReturnType == typeof(float);

    public Type ActiveType(int i) => _params[_active[i]].ParameterType;

    private Diff(string name, MethodInfo primal, MethodInfo forward, MethodInfo adjoint, MethodInfo? gradient,
                 object? target, int[] active, object?[] bound)
    {
        Name = name; Primal = primal; Forward = forward; Adjoint = adjoint; Gradient = gradient;
        _target = target; _params = primal.GetParameters(); _active = active; _bound = bound;
    }

    public static bool IsActive(ParameterInfo p)
        => (p.ParameterType == typeof(double) || p.ParameterType == typeof(float))
           && p.GetCustomAttribute<NoDerivativeAttribute>() is null;

    /// <summary>
    /// Finds <paramref name="name"/> (the [Differentiable] overload with <paramref name="arity"/> parameters if
    /// given) on <paramref name="type"/>, and its generated methods by the contract's names and shapes.
    /// </summary>
    public static Diff Of(Type type, string name, object? target = null, object?[]? inactive = null, int? arity = null)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
        var primal = type.GetMethods(all).SingleOrDefault(m => m.Name == name
                         && m.GetCustomAttribute<DifferentiableAttribute>() is not null
                         && (arity is null || m.GetParameters().Length == arity))
                     ?? throw new XunitException($"{type.Name}.{name}: no (unique) [Differentiable] method");
        var ps = primal.GetParameters();
        int[] active = Enumerable.Range(0, ps.Length).Where(i => IsActive(ps[i])).ToArray();
        int k = active.Length;
        MethodInfo Find(string suffix, int count)
            => type.GetMethods(all).SingleOrDefault(m => m.Name == name + suffix && m.GetParameters().Length == count
                   && m.GetParameters().Take(ps.Length).Select(p => p.ParameterType).SequenceEqual(ps.Select(p => p.ParameterType)))
               ?? throw new XunitException($"{type.Name}.{name}{suffix} with {count} parameters was not generated");
        var forward = Find("Forward", ps.Length + k);
        var adjoint = Find("Adjoint", ps.Length + k + 1);
        MethodInfo? gradient = type.GetMethods(all).SingleOrDefault(m => m.Name == name + "Gradient" && m.GetParameters().Length == ps.Length
                   && m.GetParameters().Select(p => p.ParameterType).SequenceEqual(ps.Select(p => p.ParameterType)));
        var bound = new object?[ps.Length];
        var inactivePositions = Enumerable.Range(0, ps.Length).Where(i => !active.Contains(i)).ToArray();
        inactive ??= Array.Empty<object?>();
        if (inactive.Length != inactivePositions.Length)
            throw new XunitException($"{name}: {inactivePositions.Length} inactive parameters, {inactive.Length} values given");
        for (int j = 0; j < inactivePositions.Length; j++) bound[inactivePositions[j]] = inactive[j];
        return new Diff($"{type.Name}.{name}", primal, forward, adjoint, gradient, target, active, bound);
    }

    private object?[] PrimalArgs(double[] x)
    {
        if (x.Length != _active.Length) throw new ArgumentException("wrong number of active values");
        var args = (object?[])_bound.Clone();
        for (int i = 0; i < _active.Length; i++) args[_active[i]] = Box(x[i], _params[_active[i]].ParameterType);
        return args;
    }

    private static object Box(double v, Type t) => t == typeof(float) ? (object)(float)v : v;

    private static Type Element(Type t) => t.IsByRef ? t.GetElementType()! : t;

    private static double Unbox(object? o) => o switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => throw new XunitException($"unexpected value {o ?? "null"}"),
    };

    private object? Invoke(MethodInfo m, object?[] args)
    {
        try { return m.Invoke(_target, args); }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    public double Call(double[] x) => Unbox(Invoke(Primal, PrimalArgs(x)));

    /// <summary>Forward mode along <paramref name="v"/> (one tangent per active parameter).</summary>
    public (double Value, double Tangent) CallForward(double[] x, double[] v)
    {
        var args = PrimalArgs(x).Concat(v.Select((t, i) => Box(t, ActiveType(i)))).ToArray();
        var t = (ITuple)Invoke(Forward, args)!;
        return (Unbox(t[0]), Unbox(t[1]));
    }

    /// <summary>Adjoint mode: <paramref name="acc"/> holds the adjoints in and out (rounded to the parameter types).</summary>
    public double CallAdjoint(double[] x, double[] acc, double dResult)
    {
        var ps = Adjoint.GetParameters();
        var args = PrimalArgs(x).Concat(acc.Select((a, i) => Box(a, Element(ps[_params.Length + i].ParameterType))))
                                .Append(Box(dResult, ps[^1].ParameterType)).ToArray();
        double value = Unbox(Invoke(Adjoint, args));
        for (int i = 0; i < acc.Length; i++) acc[i] = Unbox(args[_params.Length + i]);
        return value;
    }

    public (double Value, double[] Gradient) CallGradient(double[] x)
    {
        if (Gradient is null) throw new XunitException($"{Name}Gradient was not generated");
        var t = (ITuple)Invoke(Gradient, PrimalArgs(x))!;
        return (Unbox(t[0]), Enumerable.Range(1, t.Length - 1).Select(i => Unbox(t[i])).ToArray());
    }
}

/// <summary>
/// The standard check of one differentiated method at random points: forward mode (value exactly the primal's,
/// tangent = directional derivative), adjoint mode (value exactly the primal's, adds dResult·∇f, accumulates
/// over two calls), and the gradient method.
/// </summary>
public sealed class GradientSpec
{
    public required Diff Method { get; init; }
    public required Domain[] Domains { get; init; }

    /// <summary>The function whose central differences give the reference gradient; the method itself when null.</summary>
    public Func<double[], double>? Reference { get; init; }

    /// <summary>An analytic gradient, used instead of central differences when given.</summary>
    public Func<double[], double[]>? Analytic { get; init; }

    /// <summary>Rejects sampled points (too close to a kink, a jump or a domain boundary).</summary>
    public Func<double[], bool>? Accept { get; init; }

    public double Tolerance { get; init; } = Tol.Double;

    /// <summary>Tolerance between two evaluations of the same derivative; float-level when any float is involved.</summary>
    public double? SameTolerance { get; init; }

    public int Cases { get; init; } = 60;
    public int? Seed { get; init; }

    public void Run()
    {
        var m = Method;
        bool isFloat = m.IsFloat || Enumerable.Range(0, m.Arity).Any(i => m.ActiveType(i) == typeof(float));
        double same = SameTolerance ?? (isFloat ? Tol.SameFloat : Tol.SameDouble);
        if (Domains.Length != m.Arity) throw new XunitException($"{m.Name}: {m.Arity} active parameters, {Domains.Length} domains");
        var r = new Random(Seed ?? Rand.Seed(m.Name));
        var reference = Reference ?? m.Call;
        for (int c = 0; c < Cases; c++)
        {
            double[] x;
            int tries = 0;
            do
            {
                x = Domains.Select(d => d(r)).ToArray();
                for (int i = 0; i < x.Length; i++)
                    if (m.ActiveType(i) == typeof(float)) x[i] = Rand.ToFloat(x[i]);
                if (++tries > 1000) throw new XunitException($"{m.Name}: Accept rejects every sampled point");
            } while (Accept is not null && !Accept(x));

            double[] v = Rand.Direction(r, x.Length);
            for (int i = 0; i < v.Length; i++)
                if (m.ActiveType(i) == typeof(float)) v[i] = Rand.ToFloat(v[i]);
            double w = Rand.Cotangent(r);
            if (m.IsFloat) w = Rand.ToFloat(w);
            string Ctx() => $"{m.Name} x = {Check.Fmt(x)}, v = {Check.Fmt(v)}, dResult = {Check.Fmt(w)} (case {c})";

            double[] g = Analytic?.Invoke(x) ?? Fd.Gradient(reference, x);
            double primal = m.Call(x);

            // Forward mode.
            var (value, tangent) = m.CallForward(x, v);
            Check.Exact(primal, value, "forward Value", Ctx);
            double dir = 0, dirScale = 0;
            for (int i = 0; i < x.Length; i++) { dir += g[i] * v[i]; dirScale += Math.Abs(g[i] * v[i]); }
            Check.Close(dir, tangent, Tolerance, "forward Tangent vs ∇f·v", Ctx, dirScale);

            // Adjoint mode: adds dResult·∂f, and accumulates.
            var acc = new double[x.Length];
            double adjValue = m.CallAdjoint(x, acc, w);
            Check.Exact(primal, adjValue, "adjoint return value", Ctx);
            for (int i = 0; i < x.Length; i++)
                Check.Close(w * g[i], acc[i], Tolerance, $"adjoint d{i} (dResult·∂f/∂x{i})", Ctx);
            var once = (double[])acc.Clone();
            m.CallAdjoint(x, acc, w);
            for (int i = 0; i < x.Length; i++)
                Check.Close(2 * once[i], acc[i], same, $"adjoint d{i} after a second call (must accumulate)", Ctx);

            // Gradient.
            if (m.Gradient is not null)
            {
                var (gValue, grad) = m.CallGradient(x);
                Check.Exact(primal, gValue, "gradient Value", Ctx);
                if (grad.Length != x.Length) throw new XunitException($"{m.Name}Gradient returned {grad.Length} components, expected {x.Length}");
                for (int i = 0; i < x.Length; i++)
                {
                    Check.Close(g[i], grad[i], Tolerance, $"gradient component {i}", Ctx);
                    Check.Close(once[i] / w, grad[i], 4 * same, $"gradient component {i} vs adjoint with dResult = 1", Ctx);
                }
            }
        }
    }
}
