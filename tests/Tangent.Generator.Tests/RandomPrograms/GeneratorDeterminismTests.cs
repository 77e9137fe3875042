using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tangent.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>
    /// The generator's output depends only on the program: the same random batch (programs with their helpers, and
    /// mutants that get diagnostics), one syntax tree per method, run through two fresh generator drivers, and once
    /// more with the syntax trees in reverse order, gives byte-identical generated sources under the same hint names,
    /// and the same diagnostics.
    /// </summary>
    public class GeneratorDeterminismTests
    {
        private const string ClassName = "Determinism";

        private readonly ITestOutputHelper _output;

        public GeneratorDeterminismTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void The_same_random_batch_gives_byte_identical_sources_in_two_runs_and_with_the_trees_reversed()
        {
            ulong seed = RandomProgramSettings.Seed;
            const int count = 20;
            var programs = Enumerable.Range(0, count).Select(i => RandomProgramRunner.Generate(seed, i)).ToList();
            var mutants = Enumerable.Range(0, count).Select(i => RandomProgramRunner.GenerateMutant(seed, i).Program).ToList();
            var files = new List<(string Path, string Text)> { ("Members.cs", ProgramBatch.Source(ClassName, Array.Empty<RandomProgram>())) };
            // One tree per method: each helper in a tree of its own, so that in reverse order callers come before their callees.
            foreach (var p in programs.Concat(mutants))
            {
                foreach (var h in p.Helpers) files.Add((h.Name + ".cs", ProgramBatch.Source(ClassName, new[] { h }, members: false)));
                files.Add((p.Name + ".cs", ProgramBatch.Source(ClassName, new[] { p with { Helpers = ImmutableArray<RandomProgram>.Empty } }, members: false)));
            }

            Output first = Run(files);
            Output second = Run(files);
            Output reversed = Run(Enumerable.Reverse(files).ToList());

            _output.WriteLine($"seed {seed}: {programs.Count} programs ({programs.Count(p => ProgramCalls.Features(p).Contains(ProgramCalls.Calls))} calling helpers, "
                + $"{programs.Sum(p => p.Helpers.Length)} helpers) and {mutants.Count} mutants in {files.Count} syntax trees: "
                + $"{first.Sources.Count} generated sources ({first.Sources.Sum(s => s.Bytes.Length)} bytes), {first.Diagnostics.Count} diagnostics");
            Assert.True(first.Sources.Count >= count + programs.Sum(p => p.Helpers.Length), $"only {first.Sources.Count} generated sources");
            Assert.True(first.Diagnostics.Count >= count, $"only {first.Diagnostics.Count} diagnostics for {count} mutants");
            Assert.DoesNotContain(first.Diagnostics, d => d.Contains("TN9999", StringComparison.Ordinal));

            // Two runs over the same trees: the same sources in the same order, byte for byte, and the same diagnostics.
            AssertSameSources(first.Sources, second.Sources, "a second run over the same syntax trees");
            Assert.Equal(first.Sources.Select(s => s.HintName), second.Sources.Select(s => s.HintName));
            Assert.Equal(first.Diagnostics, second.Diagnostics);

            // The trees in reverse order: the same set of sources, byte for byte (their order may follow the trees).
            AssertSameSources(first.Sources.OrderBy(s => s.HintName, StringComparer.Ordinal).ToList(),
                reversed.Sources.OrderBy(s => s.HintName, StringComparer.Ordinal).ToList(), "the syntax trees in reverse order");
            Assert.Equal(first.Diagnostics.OrderBy(d => d, StringComparer.Ordinal), reversed.Diagnostics.OrderBy(d => d, StringComparer.Ordinal));
        }

        private sealed record Source(string HintName, byte[] Bytes, string Text);

        private sealed record Output(List<Source> Sources, List<string> Diagnostics);

        /// <summary>A fresh compilation (trees named by program, not by position) and a fresh driver.</summary>
        private static Output Run(IReadOnlyList<(string Path, string Text)> files)
        {
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, GeneratorHarness.ParseOptions, path: f.Path, encoding: Encoding.UTF8));
            var compilation = CSharpCompilation.Create("RandomDeterminism", trees, GeneratorHarness.References, GeneratorHarness.CompilationOptions);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new TangentGenerator().AsSourceGenerator() },
                parseOptions: GeneratorHarness.ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
            driver = driver.RunGenerators(compilation);
            var result = driver.GetRunResult();
            GeneratorHarness.ThrowIfGeneratorFailed(result);
            var sources = result.Results.SelectMany(r => r.GeneratedSources)
                .Select(s => new Source(s.HintName, (s.SourceText.Encoding ?? Encoding.UTF8).GetBytes(s.SourceText.ToString()), s.SourceText.ToString()))
                .ToList();
            var diagnostics = result.Diagnostics
                .Select(d => $"{d.Id} {d.Location.GetLineSpan()} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} [{string.Join("; ", d.AdditionalLocations.Select(l => l.GetLineSpan().ToString()))}]")
                .ToList();
            return new Output(sources, diagnostics);
        }

        private static void AssertSameSources(List<Source> expected, List<Source> actual, string what)
        {
            var missing = expected.Select(s => s.HintName).Except(actual.Select(s => s.HintName)).ToList();
            var extra = actual.Select(s => s.HintName).Except(expected.Select(s => s.HintName)).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"{what}: hint names differ; missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}]");
            var byName = actual.ToDictionary(s => s.HintName);
            foreach (var e in expected)
            {
                var a = byName[e.HintName];
                if (e.Bytes.AsSpan().SequenceEqual(a.Bytes)) continue;
                string[] el = e.Text.Split('\n'), al = a.Text.Split('\n');
                int line = Enumerable.Range(0, Math.Min(el.Length, al.Length)).FirstOrDefault(i => el[i] != al[i], Math.Min(el.Length, al.Length));
                Assert.Fail($"{what}: {e.HintName} differs ({e.Bytes.Length} vs {a.Bytes.Length} bytes), first at line {line + 1}:\n"
                    + $"  first run: {(line < el.Length ? el[line] : "<end>")}\n  this run:  {(line < al.Length ? al[line] : "<end>")}");
            }
        }
    }
}
