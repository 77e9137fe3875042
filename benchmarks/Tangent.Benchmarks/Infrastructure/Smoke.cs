using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Tangent.Benchmarks.Infrastructure;

/// <summary>
/// The CI smoke mode: every benchmark class, for every value of its [Params], runs its [GlobalSetup] (which
/// checks the generated gradients against the hand-written ones and throws on disagreement) and then each
/// benchmark method twice, without BenchmarkDotNet. Prints the time and allocation of the second call (one call:
/// indicative only, not a measurement).
/// </summary>
public static class Smoke
{
    /// <summary>The benchmark classes of this assembly, workloads in report order and the generator last.</summary>
    public static IReadOnlyList<Type> BenchmarkTypes() =>
        typeof(Smoke).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            .OrderBy(t => t.GetCustomAttribute<WorkloadAttribute>()?.Order ?? int.MaxValue)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Bytes allocated per call on the calling thread, exactly (GC.GetAllocatedBytesForCurrentThread over a few calls
    /// after a warm-up call), from the last <see cref="Run"/>: keyed by (class, method, N or null).
    /// </summary>
    public static Dictionary<(string Type, string Method, int? N), double> Allocations { get; } = new();

    /// <summary>Returns the number of failures (0: every setup check passed and every method ran).</summary>
    public static int Run(Func<Type, bool>? include = null, bool quiet = false)
    {
        Allocations.Clear();
        int failures = 0, calls = 0;
        var clock = Stopwatch.StartNew();
        int generatorMethods = GeneratorBenchmarks.Methods;
        GeneratorBenchmarks.Methods = 7 * SyntheticProject.MethodsPerFile;
        foreach (Type type in BenchmarkTypes().Where(t => include is null || include(t)))
        {
            foreach (IReadOnlyList<(PropertyInfo Property, object? Value)> parameters in ParameterSets(type))
            {
                string label = type.Name + string.Concat(parameters.Select(p => $" {p.Property.Name}={p.Value}"));
                object instance = Activator.CreateInstance(type)!;
                try
                {
                    foreach ((PropertyInfo property, object? value) in parameters)
                        property.SetValue(instance, value);
                    Invoke(instance, type.GetMethods().Where(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null));
                    var line = new List<string>();
                    int? n = parameters.Where(p => p.Property.Name == "N").Select(p => p.Value as int?).FirstOrDefault();
                    foreach (MethodInfo method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
                    {
                        (double nanoseconds, double allocated, int count) = Call(method, instance);
                        calls += count;
                        Allocations[(type.Name, method.Name, n)] = allocated;
                        line.Add($"{method.Name} {Format.Time(nanoseconds)} {Format.Bytes((long)Math.Round(allocated))}");
                    }
                    Invoke(instance, type.GetMethods().Where(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null));
                    if (!quiet)
                        Console.WriteLine($"ok   {label}: {string.Join(", ", line)}");
                }
                catch (Exception e)
                {
                    failures++;
                    Exception inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
                    Console.WriteLine($"FAIL {label}: {inner.GetType().Name}: {inner.Message}");
                }
            }
        }
        GeneratorBenchmarks.Methods = generatorMethods;
        Console.WriteLine(failures == 0
            ? $"smoke: {calls} benchmark calls ran and every gradient check passed ({clock.Elapsed.TotalSeconds:F1} s)"
            : $"smoke: {failures} benchmark class(es) failed");
        return failures;
    }

    /// <summary>The Cartesian product of the [Params] values of the type's properties (one empty set if it has none).</summary>
    public static IEnumerable<IReadOnlyList<(PropertyInfo Property, object? Value)>> ParameterSets(Type type)
    {
        IEnumerable<IReadOnlyList<(PropertyInfo, object?)>> sets = new[] { Array.Empty<(PropertyInfo, object?)>() };
        foreach (PropertyInfo property in type.GetProperties())
        {
            if (property.GetCustomAttribute<ParamsAttribute>() is not { } attribute)
                continue;
            object?[] values = attribute.Values;
            sets = sets.SelectMany(set => values.Select(v => (IReadOnlyList<(PropertyInfo, object?)>)set.Append((property, v)).ToArray())).ToList();
        }
        return sets;
    }

    /// <summary>
    /// Calls the method through a typed delegate (reflection would box and allocate): once to warm up, then a few
    /// more times (once if the first call took over 20 ms). Returns the time of the last call and the bytes this
    /// thread allocated per measured call.
    /// </summary>
    private static (double Nanoseconds, double AllocatedPerCall, int Calls) Call(MethodInfo method, object instance)
    {
        Func<double> call;
        if (method.ReturnType == typeof(double))
            call = method.CreateDelegate<Func<double>>(instance);
        else if (!method.ReturnType.IsValueType)
        {
            var reference = method.CreateDelegate<Func<object>>(instance);
            call = () => reference() is null ? 0 : 1;
        }
        else
            throw new NotSupportedException($"{method.DeclaringType!.Name}.{method.Name}: benchmarks return double or a reference.");

        long start = Stopwatch.GetTimestamp();
        double sink = call();
        int repeats = Stopwatch.GetElapsedTime(start).TotalMilliseconds > 20 ? 1 : 8;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < repeats; i++)
        {
            start = Stopwatch.GetTimestamp();
            sink += call();
        }
        double nanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        double allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)repeats;
        GC.KeepAlive(sink);
        return (nanoseconds, allocated, repeats + 1);
    }

    private static void Invoke(object instance, IEnumerable<MethodInfo> methods)
    {
        foreach (MethodInfo method in methods)
            method.Invoke(instance, null);
    }
}

/// <summary>Times and sizes as the report and the smoke mode print them.</summary>
public static class Format
{
    public static string Time(double nanoseconds) => nanoseconds switch
    {
        double.NaN => "—",
        < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:0.0} ns"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:0.00} µs"),
        < 1e9 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.00} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e9:0.00} s"),
    };

    public static string Bytes(long? bytes) =>
        bytes is null ? "—" : string.Create(CultureInfo.InvariantCulture, $"{bytes.Value:#,0} B");

    public static string Ratio(double ratio) =>
        double.IsNaN(ratio) ? "—" : ratio.ToString(ratio >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture) + "×";
}
