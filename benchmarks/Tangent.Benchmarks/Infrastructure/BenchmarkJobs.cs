using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Tangent.Benchmarks.Infrastructure;

/// <summary>The two jobs: a short in-process one (the default) and BenchmarkDotNet's default job (<c>--full</c>).</summary>
public static class BenchmarkJobs
{
    /// <summary>
    /// In process (no project is generated and built per benchmark, which on 2 cores would take longer than
    /// the measurements), one launch, 3 warm-up and 7 measured iterations of 120 ms each. Every benchmark is
    /// measured the same way within one run, so the ratios between them are what matters; the absolute times
    /// carry the noise of a short run on a shared machine.
    /// </summary>
    public static Job Short { get; } = Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(7)
        .WithIterationTime(TimeInterval.FromMilliseconds(120))
        .WithId("Short");

    /// <summary>BenchmarkDotNet's default job: its own process per benchmark, iteration counts chosen by its statistics.</summary>
    public static Job Full { get; } = Job.Default.WithId("Full");

    /// <summary>The configuration every command uses: the chosen job and the memory diagnoser on every benchmark.</summary>
    public static IConfig Create(bool full, bool quiet = false)
    {
        ManualConfig config = ManualConfig.CreateEmpty()
            .AddJob(full ? Full : Short)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddExporter(MarkdownExporter.GitHub)
            .WithOption(ConfigOptions.JoinSummary, false);
        config.AddLogger(quiet ? NullLogger.Instance : ConsoleLogger.Default);
        return config;
    }
}
