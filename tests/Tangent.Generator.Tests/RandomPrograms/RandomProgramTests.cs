using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>
    /// Random-program differential testing (issue #6, item 4).
    /// <para>
    /// Random [Differentiable] methods from the supported grammar (<see cref="ProgramGrammar"/>) are compiled with the
    /// generator, 50 to a class and a compilation, and checked at random points (<see cref="DifferentialChecker"/>):
    /// forward mode and the adjoint against central differences, forward/adjoint duality, returned values, that
    /// the adjoint adds, that inputs are not written. Random mutations of valid programs into unsupported ones
    /// (<see cref="ProgramMutations"/>) must get an error on the mutation, never TN9999 or a generator crash.
    /// </para>
    /// <para>
    /// Environment: TANGENT_RANDOM_PROGRAMS (default 250; as many mutants), TANGENT_RANDOM_SEED (default 20260611),
    /// TANGENT_RANDOM_ONLY=i (just program/mutant i), TANGENT_RANDOM_POINTS (default 3), TANGENT_RANDOM_MINIMIZE=0
    /// (no shrinking of failures), TANGENT_RANDOM_VERBOSE=1 (print every program). A failure prints the seed, the
    /// index, the command that reproduces it, the program and a shrunk version of it.
    /// </para>
    /// </summary>
    public class RandomProgramTests
    {
        private readonly ITestOutputHelper _output;

        public RandomProgramTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Random_programs_agree_with_central_differences_in_both_modes()
        {
            ulong seed = RandomProgramSettings.Seed;
            int count = RandomProgramSettings.Programs;
            int points = RandomProgramSettings.Points;
            var indices = RandomProgramSettings.Only is int only ? new[] { only } : Enumerable.Range(0, count).ToArray();
            var stats = new CheckStats();
            var clock = Stopwatch.StartNew();

            var batches = indices.Chunk(RandomProgramSettings.BatchSize).ToArray();
            var failures = new ConcurrentBag<Failure>();
            Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
            {
                long start = Stopwatch.GetTimestamp();
                var programs = batches[b].Select(i => RandomProgramRunner.Generate(seed, i)).ToList();
                System.Threading.Interlocked.Add(ref stats.GenerateTicks, Stopwatch.GetTimestamp() - start);
                System.Threading.Interlocked.Add(ref stats.Programs, programs.Count);
                if (RandomProgramSettings.Verbose)
                {
                    foreach (var p in programs) Log(p.Print());
                }
                foreach (var f in RandomProgramRunner.RunBatch(programs, "RandomBatch" + b, points, stats)) failures.Add(f);
            });
            clock.Stop();

            Log($"seed {seed}, {count} programs requested, {points} points each; {clock.Elapsed.TotalSeconds:F1} s");
            Log(stats.ToString());
            if (failures.IsEmpty) return;

            var sorted = failures.OrderBy(f => f.Program.Index).ToList();
            if (RandomProgramSettings.ReportPath is string path)
            {
                System.IO.File.WriteAllText(path, string.Join("\n\n", sorted.Select(f =>
                    $"== program {f.Program.Index}: {f.Kind}\n{f.Detail}\n{f.Program.PrintStandalone()}")));
            }
            var report = new StringBuilder();
            report.AppendLine($"{sorted.Count} of {stats.Programs} random programs failed (seed {seed}). By kind: "
                + string.Join(", ", sorted.GroupBy(f => f.Kind).Select(g => $"{g.Key} ×{g.Count()}")));
            int shown = 0;
            foreach (var f in sorted)
            {
                if (shown++ >= 5)
                {
                    report.AppendLine($"... and {sorted.Count - 5} more: programs {string.Join(", ", sorted.Skip(5).Select(x => x.Program.Index))}");
                    break;
                }
                report.AppendLine();
                report.AppendLine($"== program {f.Program.Index}: {f.Kind}");
                report.AppendLine($"Reproduce: TANGENT_RANDOM_SEED={seed} TANGENT_RANDOM_ONLY={f.Program.Index} dotnet test tests/Tangent.Generator.Tests --filter \"FullyQualifiedName~RandomProgramTests.Random_programs\"");
                report.AppendLine(f.Detail);
                report.AppendLine(f.Program.PrintStandalone());
                if (RandomProgramSettings.Minimize && shown <= 3 && f.Kind is not ("hang" or "program does not compile" or "primal threw"))
                {
                    Failure small = ProgramMinimizer.Minimize(f, TimeSpan.FromSeconds(60), points);
                    report.AppendLine("Shrunk to (same failure kind, same points):");
                    report.AppendLine(small.Detail);
                    report.AppendLine(small.Program.PrintStandalone());
                }
            }
            Assert.Fail(report.ToString());
        }

        [Fact]
        public void Mutations_into_unsupported_programs_get_an_error_on_the_mutation_and_never_crash_the_generator()
        {
            ulong seed = RandomProgramSettings.Seed;
            int count = RandomProgramSettings.Programs;
            var indices = RandomProgramSettings.Only is int only ? new[] { only } : Enumerable.Range(0, count).ToArray();
            var stats = new CheckStats();
            var clock = Stopwatch.StartNew();

            var batches = indices.Chunk(RandomProgramSettings.BatchSize).ToArray();
            var problems = new ConcurrentBag<(int Batch, string Problem)>();
            Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
            {
                var mutants = batches[b].Select(i => RandomProgramRunner.GenerateMutant(seed, i)).ToList();
                if (RandomProgramSettings.Verbose)
                {
                    foreach (var m in mutants) Log(m.Kind + "\n" + m.Program.Print());
                }
                foreach (var p in RandomProgramRunner.RunMutants(mutants, "MutantBatch" + b, stats)) problems.Add((b, p));
            });
            clock.Stop();

            Log($"seed {seed}, {stats.Mutants} mutants, {stats.MutantsRejected} rejected with an error on the mutation, in {stats.Compilations} compilations; {clock.Elapsed.TotalSeconds:F1} s");
            Log("mutations: " + string.Join(", ", stats.MutationKinds.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} ×{kv.Value}")));
            Log("ids on the mutations: " + string.Join(", ", stats.MutationIds.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} ×{kv.Value}")));
            if (problems.IsEmpty) return;

            var sorted = problems.OrderBy(p => p.Batch).Select(p => p.Problem).ToList();
            if (RandomProgramSettings.ReportPath is string path) System.IO.File.WriteAllText(path + ".mutants", string.Join("\n\n", sorted));
            string report = $"{sorted.Count} of {stats.Mutants} mutants went wrong (seed {seed}; reproduce one with TANGENT_RANDOM_SEED={seed} TANGENT_RANDOM_ONLY=<index> "
                + "dotnet test tests/Tangent.Generator.Tests --filter \"FullyQualifiedName~RandomProgramTests.Mutations\"):\n\n"
                + string.Join("\n\n", sorted.Take(8));
            Assert.Fail(report);
        }

        private void Log(string message)
        {
            lock (_output) _output.WriteLine(message);
        }
    }
}
