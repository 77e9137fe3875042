using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Tangent.Benchmarks.Infrastructure;

namespace Tangent.Benchmarks;

/// <summary>
/// The <c>report</c> command: checks every gradient (the smoke pass), runs every benchmark in one BenchmarkDotNet
/// run, and writes docs/benchmarks.md from the <see cref="Summary"/> objects: time per call and allocation per
/// workload, the ratios, the targets of DESIGN §5 / issue #7 met or missed, the Helmholtz table laid out like the
/// survey's Table 4, and the generator's cost.
/// </summary>
public static class Report
{
    private const string Command = "dotnet run -c Release --project benchmarks/Tangent.Benchmarks -- report";

    public static int Run(bool full, string output)
    {
        // 1. The generator's first run in a fresh process (JIT of Roslyn and the generator included), in a child
        //    process: Roslyn work in this process would leave the tiered JIT busy promoting thousands of Roslyn
        //    methods while the first benchmarks are measured (seen: the survey adjoint 4× slower for ~20 s).
        Console.WriteLine("report: the generator's first run in a fresh process (500 methods) ...");
        double firstRun = FirstRunInChildProcess();

        // 2. One BenchmarkDotNet run of every benchmark class: every ratio below comes from it. Each class's
        //    [GlobalSetup] checks its gradients first and refuses to run on a disagreement.
        Type[] types = Smoke.BenchmarkTypes().ToArray();
        Console.WriteLine($"report: BenchmarkDotNet, {(full ? "its default job" : "the short job")}, {types.Length} classes ...");
        Summary[] summaries = BenchmarkRunner.Run(types, BenchmarkJobs.Create(full));

        // 3. The smoke pass after it: every gradient check once more, and the exact allocation per call on this thread.
        Console.WriteLine("report: smoke pass (gradient checks, exact allocations) ...");
        int smokeFailures = Smoke.Run(quiet: true);

        // 4. The cache check on the 500-method project, here (with --full the benchmark's own setup ran in other processes).
        Console.WriteLine("report: the generator's cache check after an unrelated edit (500 methods) ...");
        GeneratorBenchmarks.CacheCheck? check = null;
        string? cacheProblem = null;
        try
        {
            check = GeneratorBenchmarks.Verify(SyntheticProject.Create(GeneratorBenchmarks.MethodCount), checkOutputCompiles: false);
        }
        catch (InvalidOperationException e)
        {
            cacheProblem = e.Message;
        }

        var results = new Results(summaries);
        string markdown = Write(results, summaries, full, firstRun, types, check, cacheProblem);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, markdown, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Console.WriteLine($"report: wrote {output}");
        if (results.Failed.Count > 0 || smokeFailures > 0 || cacheProblem is not null)
        {
            Console.Error.WriteLine("report: failed benchmarks: " + string.Join(", ", results.Failed) + $"; smoke failures: {smokeFailures}");
            return 1;
        }
        return 0;
    }

    /// <summary>Runs this program's <c>first-run</c> command in a new process and returns the milliseconds it prints (NaN on failure).</summary>
    private static double FirstRunInChildProcess()
    {
        string host = Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(Report).Assembly.Location;
        bool viaDotnet = string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase);
        var start = new System.Diagnostics.ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (viaDotnet)
            start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("first-run");
        using var process = System.Diagnostics.Process.Start(start);
        if (process is null)
            return double.NaN;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) ? ms : double.NaN;
    }

    // ------------------------------------------------------------------------------------------ the results

    /// <summary>One benchmark case's result, read from BenchmarkDotNet's report.</summary>
    private sealed record Result(string Type, string Method, int? N, double MedianNs, double MeanNs, double ErrorNs, long? Allocated);

    private sealed class Results
    {
        private readonly Dictionary<(string, string, int?), Result> _byKey = new();

        public Results(IEnumerable<Summary> summaries)
        {
            foreach (Summary summary in summaries)
            {
                foreach (BenchmarkReport report in summary.Reports)
                {
                    BenchmarkCase c = report.BenchmarkCase;
                    string type = c.Descriptor.Type.Name, method = c.Descriptor.WorkloadMethod.Name;
                    int? n = c.Parameters.Items.FirstOrDefault(p => p.Name == "N")?.Value as int?;
                    string label = type + "." + method + (n is null ? "" : $"(N={n})");
                    if (!report.Success || report.ResultStatistics is null)
                    {
                        Failed.Add(label);
                        continue;
                    }
                    var s = report.ResultStatistics;
                    double error = s.N >= 3 ? s.GetConfidenceInterval(Perfolizer.Mathematics.Common.ConfidenceLevel.L999).Margin : double.NaN;
                    _byKey[(type, method, n)] = new Result(type, method, n, s.Median, s.Mean, error, report.GcStats.GetBytesAllocatedPerOperation(c));
                }
            }
        }

        public List<string> Failed { get; } = new();

        public Result? Get(string type, string method, int? n = null) =>
            _byKey.TryGetValue((type, method, n), out Result? r) ? r : null;

        public double Time(string type, string method, int? n = null) => Get(type, method, n)?.MedianNs ?? double.NaN;

        public long? Bytes(string type, string method, int? n = null) => Get(type, method, n)?.Allocated;

        public double Ratio(string type, string numerator, string denominator, int? n = null) =>
            Time(type, numerator, n) / Time(type, denominator, n);
    }

    // ------------------------------------------------------------------------------------------ targets

    private enum Outcome { Met, Missed, NotMeasured, NotApplicable }

    private sealed record Target(string Text, string Measured, Outcome Outcome);

    private static Outcome AtMost(double value, double limit) =>
        double.IsNaN(value) ? Outcome.NotMeasured : value <= limit ? Outcome.Met : Outcome.Missed;

    private static string Mark(Outcome o) => o switch
    {
        Outcome.Met => "met",
        Outcome.Missed => "**missed**",
        Outcome.NotApplicable => "n/a",
        _ => "not measured",
    };

    // ------------------------------------------------------------------------------------------ the document

    private sealed record WorkloadInfo(Type Type, WorkloadAttribute Attribute)
    {
        public string Name => Type.Name;
    }

    private static string Write(Results r, Summary[] summaries, bool full, double firstRunMs, Type[] types, GeneratorBenchmarks.CacheCheck? check, string? cacheProblem)
    {
        var workloads = types
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<WorkloadAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => new WorkloadInfo(x.Type, x.Attribute!))
            .ToList();
        const string helmholtz = nameof(HelmholtzBenchmarks);
        const int n50 = 50;

        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        Line("# Benchmarks");
        Line();
        Line($"<!-- Written by `{Command}{(full ? " --full" : "")}`; do not edit by hand: run the command again. -->");
        Line();
        Line($"Produced by `{Command}{(full ? " --full" : "")}` on {DateTime.UtcNow:yyyy-MM-dd} (UTC). The workloads, their hand-written");
        Line("gradients and the correctness checks are in `benchmarks/Tangent.Benchmarks`; before anything is measured, every");
        Line("generated gradient is checked against the hand-written one to 1e-8 relative (and against central differences),");
        Line("and the run stops if one disagrees.");
        Line();
        Line("```");
        foreach (string line in summaries.First().HostEnvironmentInfo.ToFormattedString())
            Line(line.TrimEnd());
        Line("Runtime: " + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + ", " +
             System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture + "; " + summaries.First().AllRuntimes.Replace("\n", "; ").Trim());
        if (LoadAverage() is { } load)
            Line($"Load average when the report was written (1, 5, 15 min): {load}");
        Line(full
            ? "Job: BenchmarkDotNet's default job (out of process, iteration counts chosen by its statistics)"
            : Inv($"Job: short, in process: 1 launch, {BenchmarkJobs.Short.Run.WarmupCount} warm-up and {BenchmarkJobs.Short.Run.IterationCount} measured iterations of {BenchmarkJobs.Short.Run.IterationTime.ToMilliseconds():0} ms; MemoryDiagnoser"));
        Line(Inv($"Total time of the BenchmarkDotNet run: {TimeSpan.FromTicks(summaries.Sum(s => s.TotalTime.Ticks)):hh\\:mm\\:ss}"));
        Line("```");
        Line();
        Line("Times are medians per call; every ratio is of two medians from this one run. \"Allocated\" is BenchmarkDotNet's");
        Line("MemoryDiagnoser figure per call; in process it also counts what other threads of the process allocate, a few bytes");
        Line("per call at most, so the 0-byte targets are judged on an exact count on the calling thread instead (the smoke pass,");
        Line("`GC.GetAllocatedBytesForCurrentThread` over 8 calls after a warm-up call, after the BenchmarkDotNet run), shown as \"exact\". The short job is for");
        Line("ratios: absolute times on a shared 2-core machine move by several per cent between runs (`--full` for");
        Line("BenchmarkDotNet's default job).");
        if (r.Failed.Count > 0)
        {
            Line();
            Line("**Failed benchmarks** (no result): " + string.Join(", ", r.Failed.Select(f => $"`{f}`")));
        }
        Line();

        // ---- targets
        var targets = new List<Target>();
        double hAdjPrimal = r.Ratio(helmholtz, Methods.Adjoint, Methods.Primal, n50);
        double hAdjHand = r.Ratio(helmholtz, Methods.Adjoint, Methods.HandWritten, n50);
        targets.Add(new("Helmholtz n = 50: adjoint ≤ 2.0 × primal", Format.Ratio(hAdjPrimal), AtMost(hAdjPrimal, 2.0)));
        double hAccumulatedHand = r.Ratio(helmholtz, Methods.AdjointAccumulated, Methods.HandWritten, n50);
        targets.Add(new("Helmholtz n = 50: adjoint ≤ 1.5 × hand-written gradient",
            $"{Format.Ratio(hAdjHand)} (adjoint of the primal that sums A·x in a local: {Format.Ratio(hAccumulatedHand)}; the hand-written gradient uses A's symmetry, see Helmholtz)",
            AtMost(hAdjHand, 1.5)));
        foreach ((string type, string title) in new[]
                 {
                     (nameof(LogisticMapBenchmarks), "Logistic map"),
                     (nameof(LogisticRegressionBenchmarks), "Logistic regression"),
                     (nameof(MlpBenchmarks), "MLP"),
                 })
        {
            double ratio = r.Ratio(type, Methods.Adjoint, Methods.Primal);
            targets.Add(new($"{title}: adjoint ≤ 3 × primal", Format.Ratio(ratio), AtMost(ratio, 3.0)));
        }
        foreach (WorkloadInfo w in workloads)
        {
            int? n = w.Name == helmholtz ? n50 : null;
            double ratio = r.Ratio(w.Name, Methods.Forward, Methods.Primal, n);
            string measured = Format.Ratio(ratio);
            if (r.Get(w.Name, Methods.ForwardHandWritten, n) is not null)
                measured += $" (forward mode written by hand: {Format.Ratio(r.Ratio(w.Name, Methods.ForwardHandWritten, Methods.Primal, n))}; see {ShortName(w)})";
            targets.Add(new($"Forward, one direction, ≤ 1.5 × primal: {ShortName(w)}{(n is null ? "" : " n = 50")}", measured, AtMost(ratio, 1.5)));
        }
        foreach (WorkloadInfo w in workloads)
        {
            int? n = w.Name == helmholtz ? n50 : null;
            long? primal = Exact(w.Name, Methods.Primal, n), adjoint = Exact(w.Name, Methods.Adjoint, n), forward = Exact(w.Name, Methods.Forward, n);
            string measured = $"adjoint {Format.Bytes(adjoint)}, forward {Format.Bytes(forward)} (primal {Format.Bytes(primal)})";
            Outcome outcome = primal is null || adjoint is null || forward is null ? Outcome.NotMeasured
                : primal > 0 ? Outcome.NotApplicable
                : adjoint == 0 && forward == 0 ? Outcome.Met : Outcome.Missed;
            targets.Add(new($"0 B per adjoint and forward call (where the primal allocates nothing): {ShortName(w)}{(n is null ? "" : " n = 50")}", measured, outcome));
        }
        {
            int[] ns = HelmholtzSizes();
            double perN8 = r.Ratio(helmholtz, Methods.CentralDifferences, Methods.Adjoint, 8) / 8;
            double perN50 = r.Ratio(helmholtz, Methods.CentralDifferences, Methods.Adjoint, n50) / 50;
            string measured = string.Join(", ", ns.Select(n => $"{n}: {Format.Ratio(r.Ratio(helmholtz, Methods.CentralDifferences, Methods.Adjoint, n))}"));
            Outcome outcome = double.IsNaN(perN8) || double.IsNaN(perN50) ? Outcome.NotMeasured : perN50 >= 0.5 * perN8 ? Outcome.Met : Outcome.Missed;
            targets.Add(new("Helmholtz: central differences ÷ adjoint grows linearly with n (met when (÷ n) at n = 50 is at least half of (÷ n) at n = 8)", measured, outcome));
        }
        double cold = r.Time(nameof(GeneratorBenchmarks), nameof(GeneratorBenchmarks.Cold)) / 1e6;
        targets.Add(new("Generator: cold run for 500 methods ≤ 1 s", Inv($"{cold:0} ms"), AtMost(cold, 1000)));
        targets.Add(new("Generator: an unrelated edit re-emits nothing (every Code step output and source output Cached or Unchanged)",
            check is null ? "recomputed after the edit (see Generator cost)" : Inv($"{check.CodeOutputs} Code outputs and {check.SourceOutputs} source outputs, all Cached/Unchanged"),
            check is null ? Outcome.Missed : Outcome.Met));

        Line("## Targets (DESIGN §5, issue #7)");
        Line();
        Line("| target | measured | |");
        Line("|---|---|---|");
        foreach (Target t in targets)
            Line($"| {t.Text} | {t.Measured} | {Mark(t.Outcome)} |");
        Line();
        Line(Inv($"{targets.Count(t => t.Outcome == Outcome.Met)} met, {targets.Count(t => t.Outcome == Outcome.Missed)} missed, {targets.Count(t => t.Outcome == Outcome.NotApplicable)} not applicable (the primal allocates), {targets.Count(t => t.Outcome == Outcome.NotMeasured)} not measured."));
        Line();

        // ---- overview
        Line("## Overview");
        Line();
        Line("One row per workload (Helmholtz at n = 50). Ratios are of medians; \"adjoint ÷ hand\" compares the generated");
        Line("gradient with a gradient written by hand the way a careful person would.");
        Line();
        Line("| workload | active inputs | primal | adjoint | adjoint ÷ primal | forward ÷ primal | adjoint ÷ hand | central diff. ÷ adjoint | allocated (exact): primal / adjoint / forward |");
        Line("|---|---|---|---|---|---|---|---|---|");
        foreach (WorkloadInfo w in workloads)
        {
            int? n = w.Name == helmholtz ? n50 : null;
            Line($"| {ShortName(w)}{(n is null ? "" : " n = 50")} | {(n is null ? w.Attribute.Inputs : "50")} | {Format.Time(r.Time(w.Name, Methods.Primal, n))} | {Format.Time(r.Time(w.Name, Methods.Adjoint, n))} | " +
                 $"{Format.Ratio(r.Ratio(w.Name, Methods.Adjoint, Methods.Primal, n))} | {Format.Ratio(r.Ratio(w.Name, Methods.Forward, Methods.Primal, n))} | " +
                 $"{Format.Ratio(r.Ratio(w.Name, Methods.Adjoint, Methods.HandWritten, n))} | {Format.Ratio(r.Ratio(w.Name, Methods.CentralDifferences, Methods.Adjoint, n))} | " +
                 $"{Format.Bytes(Exact(w.Name, Methods.Primal, n))} / {Format.Bytes(Exact(w.Name, Methods.Adjoint, n))} / {Format.Bytes(Exact(w.Name, Methods.Forward, n))} |");
        }
        Line();

        // ---- per workload
        Line("## Workloads");
        foreach (WorkloadInfo w in workloads)
        {
            Line();
            Line($"### {w.Attribute.Title}");
            Line();
            if (w.Name == helmholtz)
            {
                WriteHelmholtz(md, r);
                continue;
            }
            Line($"`{w.Name}`, active inputs: {w.Attribute.Inputs}.");
            Line();
            WriteMethodTable(md, r, w.Name, null);
            Line();
            WriteRatios(md, r, w.Name, null);
            if (w.Name == nameof(MlpBenchmarks))
            {
                Line();
                Line("Forward mode along a dense direction in weight space (every weight and bias has a tangent) cannot cost less than about");
                Line("twice the primal: the hidden layer's tangent is a second matrix-vector product as large as the primal's (dW1·x beside");
                Line("W1·x), and the output layer's is two (dW2·h and W2·dh). The forward mode written by hand the way a careful person");
                Line($"would (`Mlp.HandTangent`: fused per sample, scratch on the stack) takes {Format.Ratio(r.Ratio(w.Name, Methods.ForwardHandWritten, Methods.Primal))} the primal; the generated one takes " +
                     $"{Format.Ratio(r.Ratio(w.Name, Methods.Forward, Methods.ForwardHandWritten))} the hand-written one. The 1.5× target cannot be met on this workload by any forward mode.");
            }
            if (w.Name == nameof(HelperCallBenchmarks) || w.Name == nameof(HelperInlinedBenchmarks))
            {
                const string call = nameof(HelperCallBenchmarks), inlined = nameof(HelperInlinedBenchmarks);
                Line();
                Line("Call overhead (the loop calling the `[Differentiable]` helper ÷ the same loop inlined): " + string.Join(", ",
                    new[] { Methods.Primal, Methods.Adjoint, Methods.Forward }.Select(m =>
                        $"{m.ToLowerInvariant()} {Format.Ratio(r.Time(call, m) / r.Time(inlined, m))}")) + ".");
            }
        }
        Line();

        // ---- generator
        WriteGenerator(md, r, firstRunMs, check, cacheProblem);
        return md.ToString();
    }

    /// <summary>The exact per-call allocation on the calling thread, from the smoke pass (rounded to whole bytes).</summary>
    private static long? Exact(string type, string method, int? n) =>
        Smoke.Allocations.TryGetValue((type, method, n), out double bytes) ? (long)Math.Round(bytes) : null;

    private static string? LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? $"{parts[0]}, {parts[1]}, {parts[2]} on {Environment.ProcessorCount} cores" : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string ShortName(WorkloadInfo w) => w.Type.Name switch
    {
        nameof(SurveyBenchmarks) => "survey f(x1, x2)",
        nameof(HelmholtzBenchmarks) => "Helmholtz",
        nameof(LogisticRegressionBenchmarks) => "logistic regression",
        nameof(LogisticMapBenchmarks) => "logistic map",
        nameof(MlpBenchmarks) => "MLP",
        nameof(HelperInlinedBenchmarks) => "helper inlined",
        nameof(HelperCallBenchmarks) => "helper call",
        _ => w.Type.Name,
    };

    private static readonly (string Method, string Label)[] Rows =
    {
        (Methods.Primal, "primal"),
        (Methods.Adjoint, "adjoint (generated)"),
        (Methods.Forward, "forward, one direction (generated)"),
        (Methods.ForwardGradient, "forward, n directions: the full gradient (generated)"),
        (Methods.ForwardHandWritten, "forward, one direction, written by hand"),
        (Methods.HandWritten, "gradient written by hand"),
        (Methods.CentralDifferences, "central differences (2n primal calls)"),
        (Methods.PrimalAccumulated, "primal with A·x summed in a local, as the hand-written gradient does"),
        (Methods.AdjointAccumulated, "adjoint of that primal (generated)"),
    };

    private static void WriteMethodTable(StringBuilder md, Results r, string type, int? n)
    {
        md.Append("| | time per call | ± (99.9% CI) | allocated per call | exact, this thread | ÷ primal |\n|---|---|---|---|---|---|\n");
        double primal = r.Time(type, Methods.Primal, n);
        foreach ((string method, string label) in Rows)
        {
            Result? x = r.Get(type, method, n);
            if (x is null)
                continue;
            md.Append($"| {label} | {Format.Time(x.MedianNs)} | {Format.Time(x.ErrorNs)} | {Format.Bytes(x.Allocated)} | {Format.Bytes(Exact(type, method, n))} | {Format.Ratio(x.MedianNs / primal)} |\n");
        }
    }

    private static void WriteRatios(StringBuilder md, Results r, string type, int? n)
    {
        double adjoint = r.Ratio(type, Methods.Adjoint, Methods.Primal, n);
        double forward = r.Ratio(type, Methods.Forward, Methods.Primal, n);
        double hand = r.Ratio(type, Methods.Adjoint, Methods.HandWritten, n);
        double differences = r.Ratio(type, Methods.CentralDifferences, Methods.Adjoint, n);
        string adjointTarget = type is nameof(LogisticMapBenchmarks) or nameof(LogisticRegressionBenchmarks) or nameof(MlpBenchmarks)
            ? $" (target ≤ 3×: {Mark(AtMost(adjoint, 3))})"
            : type == nameof(HelmholtzBenchmarks) && n == 50 ? $" (target ≤ 2×: {Mark(AtMost(adjoint, 2))})" : " (no target)";
        string handTarget = type == nameof(HelmholtzBenchmarks) && n == 50 ? $" (target ≤ 1.5×: {Mark(AtMost(hand, 1.5))})" : " (no target)";
        md.Append($"- adjoint ÷ primal: **{Format.Ratio(adjoint)}**{adjointTarget}\n");
        md.Append($"- forward ÷ primal: **{Format.Ratio(forward)}** (target ≤ 1.5×: {Mark(AtMost(forward, 1.5))})\n");
        md.Append($"- adjoint ÷ hand-written: **{Format.Ratio(hand)}**{handTarget}\n");
        md.Append($"- central differences ÷ adjoint: **{Format.Ratio(differences)}** (the adjoint's advantage)\n");
    }

    private static int[] HelmholtzSizes() =>
        typeof(HelmholtzBenchmarks).GetProperty(nameof(HelmholtzBenchmarks.N))!
            .GetCustomAttribute<BenchmarkDotNet.Attributes.ParamsAttribute>()!.Values.Cast<int>().ToArray();

    private static void WriteHelmholtz(StringBuilder md, Results r)
    {
        const string type = nameof(HelmholtzBenchmarks);
        int[] ns = HelmholtzSizes();
        void Line(string text = "") => md.Append(text).Append('\n');
        string Header() => "| | " + string.Join(" | ", ns.Select(n => $"n = {n}")) + " |\n|---|" + string.Concat(ns.Select(_ => "---|")) + "\n";

        Line("f(x) = Σᵢ xᵢ·ln(xᵢ / (1 − bᵀx)) − xᵀAx / (√8·bᵀx) · ln((1 + (1 + √2)·bᵀx) / (1 + (1 − √2)·bᵀx)), R·T = 1, A symmetric");
        Line("with entries in [0, 1), b in (0, 0.01], x in (0, 1) (`HelmholtzBenchmarks`, fixed seeds). The primal keeps A·x in a local");
        Line("array, as samples/Optimization does. The hand-written gradient uses the symmetry of A (∇ xᵀAx = 2·A·x), so it needs");
        Line("one n² pass where the generated adjoint, which does not know A is symmetric, needs two (A·x forward, Aᵀ·ȳ in reverse);");
        Line("and it sums each row of A·x in a register, where the primal (and so its adjoint) loads and stores `ax[i]` on every");
        Line("inner pass. Both are why the hand-written gradient is faster than the primal itself.");
        Line();
        Line("To separate the two, `EnergyAccumulated` is the same f written as carefully as the hand-written gradient (each row");
        Line("of A·x summed in a local and folded into xᵀAx, no array). " + $"At n = 50 it takes {Format.Ratio(r.Ratio(type, Methods.PrimalAccumulated, Methods.Primal, 50))} the time of the primal; " +
             $"its generated adjoint takes {Format.Ratio(r.Ratio(type, Methods.AdjointAccumulated, Methods.PrimalAccumulated, 50))} its primal and " +
             $"{Format.Ratio(r.Ratio(type, Methods.AdjointAccumulated, Methods.HandWritten, 50))} the hand-written gradient: a factor of");
        Line("about 2 of that is the second n² pass, Aᵀ·ȳ, which only the knowledge that A is symmetric removes.");
        Line();
        Line("Time per call:");
        Line();
        md.Append(Header());
        foreach ((string method, string label) in Rows)
            Line($"| {label} | " + string.Join(" | ", ns.Select(n => Format.Time(r.Time(type, method, n)))) + " |");
        Line();
        Line("Allocated per call, exact on the calling thread (the primal allocates its A·x array; forward mode also allocates");
        Line("the tangent of it):");
        Line();
        md.Append(Header());
        foreach ((string method, string label) in Rows)
            Line($"| {label} | " + string.Join(" | ", ns.Select(n => Format.Bytes(Exact(type, method, n)))) + " |");
        Line();

        // Laid out like the survey's Table 4: relative to the primal at n = 1, and to the primal at each n.
        (string Method, string Label)[] table4 =
        {
            (Methods.Primal, "f, original"),
            (Methods.CentralDifferences, "∇f, numerical diff. (central)"),
            (Methods.ForwardGradient, "∇f, forward AD (n directions)"),
            (Methods.Adjoint, "∇f, reverse AD (adjoint)"),
            (Methods.HandWritten, "∇f, by hand"),
        };
        double primal1 = r.Time(type, Methods.Primal, 1);
        Line("Laid out like the survey's Table 4. Time relative to the primal at n = 1:");
        Line();
        md.Append(Header());
        foreach ((string method, string label) in table4)
            Line($"| {label} | " + string.Join(" | ", ns.Select(n => RelativeNumber(r.Time(type, method, n) / primal1))) + " |");
        Line();
        Line("Time relative to the primal at the same n:");
        Line();
        md.Append(Header());
        foreach ((string method, string label) in table4.Skip(1))
            Line($"| {label} | " + string.Join(" | ", ns.Select(n => RelativeNumber(r.Ratio(type, method, Methods.Primal, n)))) + " |");
        Line();
        Line("Beside the survey's figures (DiffSharp 0.7, F#; " + SurveyTable4.Citation + "), relative to the primal at the same n:");
        Line();
        md.Append(Header());
        foreach ((string label, double?[] row) in SurveyTable4.RelativeToPrimalAtN)
            Line($"| {label} (survey) | " + string.Join(" | ", row.Select(v => v is null ? "—" : RelativeNumber(v.Value))) + " |");
        Line($"| ∇f, reverse AD (Tangent.Net) | " + string.Join(" | ", ns.Select(n => RelativeNumber(r.Ratio(type, Methods.Adjoint, Methods.Primal, n)))) + " |");
        Line();
        Line(SurveyTable4.Provenance);
        Line();
        WriteRatios(md, r, type, 50);
    }

    private static string RelativeNumber(double v) =>
        double.IsNaN(v) ? "—" : v.ToString(v >= 100 ? "0" : v >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static void WriteGenerator(StringBuilder md, Results r, double firstRunMs, GeneratorBenchmarks.CacheCheck? check, string? cacheProblem)
    {
        const string type = nameof(GeneratorBenchmarks);
        Result? cold = r.Get(type, nameof(GeneratorBenchmarks.Cold)), edit = r.Get(type, nameof(GeneratorBenchmarks.AfterEdit));
        void Line(string text = "") => md.Append(text).Append('\n');
        Line("## Generator cost");
        Line();
        Line($"`{type}` runs `TangentGenerator` with `CSharpGeneratorDriver` over a synthetic project of {GeneratorBenchmarks.MethodCount} `[Differentiable]`");
        Line("methods in 50 files (`SyntheticProject`: straight-line code of 2 to 24 statements, scalar loops that overwrite their");
        Line("variable, while loops with break and continue, array reductions, a local array with a 2-D product and foreach,");
        Line("branches with early return, ?:, Max and Abs, and float code). Before it is measured, the output is checked: one");
        Line("generated file per method, no generator error, and the project with its generated code compiles.");
        Line();
        Line("| | time | allocated |");
        Line("|---|---|---|");
        Line($"| cold: a fresh driver on a fresh compilation (warm JIT, as in a compiler server) | {Format.Time(cold?.MedianNs ?? double.NaN)} | {Format.Bytes(cold?.Allocated)} |");
        Line($"| after an unrelated one-line edit (same driver) | {Format.Time(edit?.MedianNs ?? double.NaN)} | {Format.Bytes(edit?.Allocated)} |");
        Line($"| the first run in a fresh process (JIT of Roslyn and the generator included; one Stopwatch measurement in a child process) | {Format.Time(firstRunMs * 1e6)} | — |");
        Line();
        if (check is null)
            Line("**Cache check failed**: " + cacheProblem?.Replace("\n", " "));
        else
            Line(string.Create(CultureInfo.InvariantCulture, $"Cache check (step tracking on, {check.Methods} methods): after the edit (`Revision() => 1` to `=> 2` in File0.cs, which also holds ten differentiable methods), all {check.CodeOutputs} outputs of the `Code` step and all {check.SourceOutputs} source outputs (where the generator emits) were Cached or Unchanged: the edit run does no emission work. {check.MethodsRerun} of the {check.Methods} outputs of the `Methods` step (discovery, parsing and lowering with the semantic model) were recomputed and compared equal: `ForAttributeWithMetadataName` re-runs its transform for every method whenever the compilation changes, so that step, not emission, is the edit run's cost."));
        Line();
        Line($"Per method, cold: {Format.Time((cold?.MedianNs ?? double.NaN) / GeneratorBenchmarks.MethodCount)} and {Format.Bytes(cold?.Allocated / GeneratorBenchmarks.MethodCount)}.");
        Line();
        Line("The synthetic project enables nullable reference types, as most projects do. The generator binds each body through a");
        Line("semantic model without the nullable flow analysis (`SemanticModelOptions.DisableNullableAnalysis`): lowering reads types,");
        Line("symbols and constants, never flow states, and that analysis of every body was about a fifth of the cold run.");
    }
}

/// <summary>
/// The survey's Helmholtz figures: Baydin, Pearlmutter, Radul and Siskind, "Automatic differentiation in machine
/// learning: a survey", JMLR 18(153):1–43, 2018, Table 4 (DiffSharp 0.7). Fill the rows from the paper: each value
/// is the time relative to the primal at the same n, for n = 1, 8, 15, 22, 29, 36, 43, 50; null where not known here.
/// </summary>
public static class SurveyTable4
{
    public const string Citation = "Baydin, Pearlmutter, Radul and Siskind, *Automatic differentiation in machine learning: a survey*, JMLR 18(153), 2018, Table 4";

    public static readonly (string Label, double?[] Row)[] RelativeToPrimalAtN =
    {
        ("∇f, numerical diff.", new double?[] { null, null, null, null, null, null, null, null }),
        ("∇f, forward AD", new double?[] { null, null, null, null, null, null, null, null }),
        ("∇f, reverse AD", new double?[] { null, null, null, null, null, null, null, 1.96 }),
    };

    public const string Provenance =
        "Only the survey's reverse-mode ratio at n = 50 (1.96×) is given here, as issue #7 quotes it; the rest of Table 4 was " +
        "not available where this report was written (it is not in shared/reading). `SurveyTable4` in " +
        "benchmarks/Tangent.Benchmarks/Report.cs holds the figures: add the paper's rows there and run the report again.";
}
