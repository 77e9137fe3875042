using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Running;
using Tangent.Benchmarks.Infrastructure;

namespace Tangent.Benchmarks;

/// <summary>
/// Commands (from the repository root; add <c>--full</c> to use BenchmarkDotNet's default job instead of the short one):
/// <code>
/// dotnet run -c Release --project benchmarks/Tangent.Benchmarks -- report [--full] [--out docs/benchmarks.md]
/// dotnet run -c Release --project benchmarks/Tangent.Benchmarks -- smoke
/// dotnet run -c Release --project benchmarks/Tangent.Benchmarks -- --filter '*Helmholtz*'   (any BenchmarkSwitcher arguments)
/// </code>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool full = args.Contains("--full");
        string[] rest = args.Where(a => a != "--full").ToArray();
        string command = rest.FirstOrDefault() ?? "";

        switch (command)
        {
            case "smoke":
                return Smoke.Run() == 0 ? 0 : 1;
            case "report":
            {
                string output = Option(rest, "--out") ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
                return Report.Run(full, output);
            }
            case "first-run":
                // Used by the report: the generator's first run in this fresh process, in milliseconds.
                Console.WriteLine(GeneratorBenchmarks.FirstRunMilliseconds().ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case "help":
            case "-h":
            case "--help":
                Console.WriteLine("""
                    Tangent.Benchmarks: BenchmarkDotNet benchmarks of the generated derivatives.
                      report [--full] [--out FILE]  run every benchmark and write docs/benchmarks.md
                      smoke                         run every benchmark method once and check every gradient (CI)
                      [--full] [BenchmarkDotNet arguments, e.g. --filter '*Helmholtz*']
                    The default job is short and in-process; --full uses BenchmarkDotNet's default job.
                    """);
                return 0;
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, BenchmarkJobs.Create(full));
                return 0;
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The folder holding Tangent.Net.sln, searched upward from the working directory and then from the program.</summary>
    public static string RepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Tangent.Net.sln")))
                    return d.FullName;
            }
        }
        throw new InvalidOperationException("Tangent.Net.sln not found above the working directory; pass --out FILE.");
    }
}
