using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tangent.Generator;

namespace Tangent.Benchmarks;

/// <summary>
/// What the generator adds to a build: a run of <see cref="TangentGenerator"/> over a synthetic project with
/// 500 [Differentiable] methods. <see cref="Cold"/> is a fresh driver on a fresh compilation of the same
/// (already parsed) files, as in a build by a warm compiler server; <see cref="AfterEdit"/> is the next run
/// after an unrelated one-line edit, which must regenerate nothing (checked in <see cref="Setup"/>).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    public const int MethodCount = 500;

    /// <summary>The smoke mode sets a smaller project (70 methods: every construct ten times) to finish in seconds.</summary>
    public static int Methods { get; set; } = MethodCount;

    private CSharpCompilation _compilation = null!, _edited = null!;
    private GeneratorDriver _afterFirstRun = null!;

    [GlobalSetup]
    public void Setup()
    {
        var project = SyntheticProject.Create(Methods);
        _compilation = project.Compilation;
        _edited = project.Edit();
        Verify(project, checkOutputCompiles: true);
        _afterFirstRun = CreateDriver(track: false).RunGenerators(_compilation);
    }

    [Benchmark]
    public GeneratorDriver Cold() => CreateDriver(track: false).RunGenerators(_compilation.Clone());

    [Benchmark]
    public GeneratorDriver AfterEdit() => _afterFirstRun.RunGenerators(_edited.Clone());

    public static GeneratorDriver CreateDriver(bool track) =>
        CSharpGeneratorDriver.Create(
            new[] { new TangentGenerator().AsSourceGenerator() },
            parseOptions: SyntheticProject.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>
    /// Runs the generator with step tracking, applies the edit and runs again; throws unless the first run generated
    /// one file per method without an error and (optionally) the output compiles, and unless after the edit every
    /// output of the Code step and every source output (the emission) is Cached or Unchanged.
    /// </summary>
    public static CacheCheck Verify(SyntheticProject project, bool checkOutputCompiles)
    {
        GeneratorDriver driver = CreateDriver(track: true).RunGeneratorsAndUpdateCompilation(
            project.Compilation, out Compilation output, out ImmutableArray<Diagnostic> _);
        GeneratorDriverRunResult first = driver.GetRunResult();
        GeneratorRunResult firstResult = first.Results.Single();
        if (firstResult.Exception is not null)
            throw new InvalidOperationException("The generator threw on the synthetic project.", firstResult.Exception);
        Diagnostic[] errors = first.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
            throw new InvalidOperationException("The generator reported errors on the synthetic project:\n" + string.Join("\n", errors.Take(10)));
        if (firstResult.GeneratedSources.Length != project.MethodCount)
            throw new InvalidOperationException($"The generator produced {firstResult.GeneratedSources.Length} files for {project.MethodCount} methods.");
        if (checkOutputCompiles)
        {
            Diagnostic[] compileErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            if (compileErrors.Length > 0)
                throw new InvalidOperationException("The synthetic project with its generated code does not compile:\n" + string.Join("\n", compileErrors.Take(10)));
        }

        driver = driver.RunGenerators(project.Edit());
        GeneratorRunResult second = driver.GetRunResult().Results.Single();
        var problems = new List<string>();
        int codeOutputs = 0, sourceOutputs = 0;
        if (second.TrackedSteps.TryGetValue(TrackingNames.Code, out ImmutableArray<IncrementalGeneratorRunStep> codeSteps))
        {
            foreach (IncrementalGeneratorRunStep step in codeSteps)
            {
                foreach ((object _, IncrementalStepRunReason reason) in step.Outputs)
                {
                    codeOutputs++;
                    if (reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                        problems.Add($"Code step output: {reason}");
                }
            }
        }
        foreach (KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>> kv in second.TrackedOutputSteps)
        {
            foreach (IncrementalGeneratorRunStep step in kv.Value)
            {
                foreach ((object _, IncrementalStepRunReason reason) in step.Outputs)
                {
                    sourceOutputs++;
                    if (reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                        problems.Add($"source output '{kv.Key}': {reason}");
                }
            }
        }
        if (problems.Count > 0)
            throw new InvalidOperationException("After an unrelated one-line edit the generator recomputed:\n  " +
                                                string.Join("\n  ", problems.Distinct().Take(20)) + $"\n({problems.Count} in all)");
        if (sourceOutputs == 0)
            throw new InvalidOperationException("After the edit no source output step was tracked: nothing to check.");
        int methodsRerun = second.TrackedSteps.TryGetValue(TrackingNames.Methods, out ImmutableArray<IncrementalGeneratorRunStep> methodSteps)
            ? methodSteps.SelectMany(s => s.Outputs).Count(o => o.Reason is not IncrementalStepRunReason.Cached)
            : 0;
        return new CacheCheck(project.MethodCount, firstResult.GeneratedSources.Length, codeOutputs, sourceOutputs, methodsRerun);
    }

    /// <summary>The generator's first run in this process (JIT of Roslyn's and the generator's code included), in milliseconds.</summary>
    public static double FirstRunMilliseconds()
    {
        var project = SyntheticProject.Create(MethodCount);
        var clock = Stopwatch.StartNew();
        CreateDriver(track: false).RunGenerators(project.Compilation);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// The cache check's counts: every one of <paramref name="CodeOutputs"/> and <paramref name="SourceOutputs"/> was Cached or
    /// Unchanged; <paramref name="MethodsRerun"/> outputs of the Methods step (discovery and lowering) were recomputed (to equal models).
    /// </summary>
    public sealed record CacheCheck(int Methods, int GeneratedFiles, int CodeOutputs, int SourceOutputs, int MethodsRerun);
}
