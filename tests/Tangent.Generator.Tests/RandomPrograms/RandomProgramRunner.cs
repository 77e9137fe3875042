using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Tangent.Generator.Tests.Infrastructure;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>Settings from environment variables (see RandomProgramTests).</summary>
    public static class RandomProgramSettings
    {
        public const ulong DefaultSeed = 20260611;

        /// <summary>TANGENT_RANDOM_PROGRAMS: how many programs (and as many mutants); default 250 (about 45 s for both tests on 2 cores).</summary>
        public static int Programs => Int("TANGENT_RANDOM_PROGRAMS", 250);

        /// <summary>TANGENT_RANDOM_SEED: the master seed; default <see cref="DefaultSeed"/>.</summary>
        public static ulong Seed => ulong.TryParse(Environment.GetEnvironmentVariable("TANGENT_RANDOM_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong s) ? s : DefaultSeed;

        /// <summary>TANGENT_RANDOM_ONLY: run just the program (or mutant) with this index.</summary>
        public static int? Only => int.TryParse(Environment.GetEnvironmentVariable("TANGENT_RANDOM_ONLY"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : null;

        /// <summary>TANGENT_RANDOM_POINTS: random points per program; default 3.</summary>
        public static int Points => Int("TANGENT_RANDOM_POINTS", 3);

        /// <summary>TANGENT_RANDOM_MINIMIZE=0 turns off shrinking of failing programs.</summary>
        public static bool Minimize => Environment.GetEnvironmentVariable("TANGENT_RANDOM_MINIMIZE") != "0";

        /// <summary>TANGENT_RANDOM_REPORT=path: also write every failure (not only the first few) to this file.</summary>
        public static string? ReportPath => Environment.GetEnvironmentVariable("TANGENT_RANDOM_REPORT") is { Length: > 0 } p ? p : null;

        /// <summary>TANGENT_RANDOM_VERBOSE=1 prints every program.</summary>
        public static bool Verbose => Environment.GetEnvironmentVariable("TANGENT_RANDOM_VERBOSE") == "1";

        public const int BatchSize = 50;

        private static int Int(string name, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n : fallback;
    }

    /// <summary>Generates, compiles (through <see cref="GeneratorHarness"/>) and checks batches of random programs.</summary>
    public static class RandomProgramRunner
    {
        /// <summary>The seed of program <paramref name="index"/>: SplitMix64 of the master seed and the index.</summary>
        public static ulong ProgramSeed(ulong master, int index, ulong stream = 0)
        {
            ulong z = master + stream * 0xD1B54A32D192ED03UL + (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Program <paramref name="index"/> of the run with master seed <paramref name="master"/>: same inputs, same program.</summary>
        public static RandomProgram Generate(ulong master, int index)
        {
            ulong seed = ProgramSeed(master, index);
            return Gen.Sample(ProgramGrammar.Program("M" + index, seed, index), 10, new Rnd(seed), 1)[0];
        }

        /// <summary>Mutant <paramref name="index"/>: a fresh program (from another stream of seeds) with one mutation.</summary>
        public static Mutant GenerateMutant(ulong master, int index)
        {
            ulong seed = ProgramSeed(master, index, stream: 1);
            var gen = from p in ProgramGrammar.Program("U" + index, seed, index)
                      from m in ProgramMutations.Mutate(p)
                      select m;
            return Gen.Sample(gen, 10, new Rnd(seed), 1)[0];
        }

        // ------------------------------------------------------------------ valid programs

        /// <summary>
        /// Compiles the programs as one class, checks each, and returns the failures. A program whose generated code
        /// does not compile (or that gets a diagnostic) is taken out and the rest compiled again; if the generator
        /// throws, the batch is bisected to find the program that makes it throw.
        /// </summary>
        public static List<Failure> RunBatch(IReadOnlyList<RandomProgram> programs, string className, int points, CheckStats stats)
        {
            var failures = new List<Failure>();
            var remaining = programs.ToList();
            while (remaining.Count > 0)
            {
                string source = ProgramBatch.Source(className, remaining);
                BatchRun run;
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    Interlocked.Increment(ref stats.Compilations);
                    run = BatchRun.Generate(source);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (remaining.Count == 1)
                    {
                        failures.Add(new Failure(remaining[0], "generator exception", ex.Message));
                        return failures;
                    }
                    int half = remaining.Count / 2;
                    failures.AddRange(RunBatch(remaining.Take(half).ToList(), className, points, stats));
                    failures.AddRange(RunBatch(remaining.Skip(half).ToList(), className, points, stats));
                    return failures;
                }
                Interlocked.Add(ref stats.CompileTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);

                // A program's helpers are reported as the program (the helpers are part of it).
                var byName = remaining.SelectMany(p => p.MethodNames.Select(m => (Method: m, Program: p))).ToDictionary(t => t.Method, t => t.Program);
                var spans = MethodSpans(run.Input);
                var bad = new Dictionary<string, Failure>();
                void Mark(string? method, string kind, string detail)
                {
                    if (method != null && byName.TryGetValue(method, out var p) && !bad.ContainsKey(p.Name))
                        bad[p.Name] = new Failure(p, kind, detail + (method == p.Name ? "" : $"\n(in its helper {method})"));
                }

                // Zero-derivative warnings (TN3xxx: a Floor, a cast to int, an unused parameter...) are expected on
                // valid random programs; they generate code as usual.
                foreach (Diagnostic d in run.GeneratorDiagnostics.Where(d => !(d.Severity == DiagnosticSeverity.Warning && d.Id.StartsWith("TN3", StringComparison.Ordinal))))
                    Mark(MethodAt(spans, d), d.Id == "TN9999" ? "internal error TN9999" : "unexpected diagnostic " + d.Id, GeneratorRun.DescribeDiagnostics(new[] { d }));

                // One emit of the output compilation: its diagnostics are the compilation errors (no separate GetDiagnostics pass).
                start = System.Diagnostics.Stopwatch.GetTimestamp();
                var errors = bad.Count > 0 ? new List<Diagnostic>() : run.Emit();
                Interlocked.Add(ref stats.EmitTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
                if (errors.Any(d => !IsGenerated(d)))
                {
                    // Errors in the programs themselves: a bug of the grammar when the input alone does not compile.
                    foreach (Diagnostic d in run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
                        Mark(MethodAt(spans, d), "program does not compile", "(a bug of the random-program grammar)\n" + GeneratorRun.DescribeDiagnostics(new[] { d }));
                }
                foreach (var group in errors.Where(IsGenerated).GroupBy(d => MethodOfHint(d.Location.SourceTree!.FilePath)))
                    Mark(group.Key, "generated code does not compile", GeneratorRun.DescribeDiagnostics(group.Take(5)));
                foreach (Diagnostic d in errors.Where(d => !IsGenerated(d)))
                    Mark(MethodAt(spans, d), "generated code does not compile", GeneratorRun.DescribeDiagnostics(new[] { d }));

                if (bad.Count > 0)
                {
                    failures.AddRange(bad.Values);
                    remaining.RemoveAll(p => bad.ContainsKey(p.Name));
                    continue;
                }
                if (errors.Count > 0)
                {
                    // Errors not attributable to a method: report them against the whole batch.
                    failures.Add(new Failure(remaining[0], "generated code does not compile", GeneratorRun.DescribeDiagnostics(errors.Take(10))));
                    return failures;
                }

                Assembly assembly = run.Assembly!;
                start = System.Diagnostics.Stopwatch.GetTimestamp();
                foreach (var program in remaining)
                {
                    Interlocked.Increment(ref stats.ProgramsChecked);
                    if (program.ReturnsArray) Interlocked.Increment(ref stats.ArrayResults);
                    var features = ProgramCalls.Features(program);
                    if (features.Contains(ProgramCalls.Calls)) Interlocked.Increment(ref stats.ProgramsWithCalls);
                    foreach (string feature in features) stats.Count(stats.CallFeatures, feature);
                    Failure? failure = CheckWithTimeout(assembly, className, program, points, stats);
                    if (failure != null) failures.Add(failure);
                }
                Interlocked.Add(ref stats.CheckTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
                break;
            }
            return failures;
        }

        /// <summary>Runs the checks on a thread of their own, so that a generated method that never returns fails the test instead of hanging it.</summary>
        private static Failure? CheckWithTimeout(Assembly assembly, string className, RandomProgram program, int points, CheckStats stats)
        {
            Failure? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    failure = new DifferentialChecker(assembly, className, program).Check(points, stats);
                }
                catch (Exception ex)
                {
                    failure = new Failure(program, "checker exception", ex.ToString());
                }
            }, maxStackSize: 16 * 1024 * 1024) { IsBackground = true };
            thread.Start();
            if (!thread.Join(TimeSpan.FromSeconds(60)))
                return new Failure(program, "hang", "the checks did not finish in 60 s (a generated method that never returns?); the thread is left running");
            return failure;
        }

        // ------------------------------------------------------------------ mutants

        /// <summary>The verdict on one mutant; null when it was rejected as it should be.</summary>
        public static List<string> RunMutants(IReadOnlyList<Mutant> mutants, string className, CheckStats stats)
        {
            var problems = new List<string>();
            string source = ProgramBatch.Source(className, mutants.Select(m => m.Program));
            BatchRun run;
            try
            {
                Interlocked.Increment(ref stats.Compilations);
                run = BatchRun.Generate(source);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (mutants.Count == 1) return new List<string> { Describe(mutants[0], "the generator threw", ex.Message) };
                int half = mutants.Count / 2;
                problems.AddRange(RunMutants(mutants.Take(half).ToList(), className, stats));
                problems.AddRange(RunMutants(mutants.Skip(half).ToList(), className, stats));
                return problems;
            }

            var spans = MethodSpans(run.Input);
            var text = run.Input.SyntaxTrees.First().GetText();
            var inputErrors = run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            foreach (var mutant in mutants)
            {
                Interlocked.Increment(ref stats.Mutants);
                stats.Count(stats.MutationKinds, mutant.Kind);
                string name = mutant.Program.Name;
                TextSpan method = spans[name];
                var mine = run.GeneratorDiagnostics.Where(d => MethodAt(spans, d) == name).ToList();
                // The mutation is in the method itself: its helpers must stay valid.
                var helperNames = mutant.Program.Helpers.Select(h => h.Name).ToHashSet();
                // Zero-derivative warnings (TN3xxx) are expected in valid helpers, as in valid programs.
                var inHelpers = run.GeneratorDiagnostics.Where(d => MethodAt(spans, d) is string m && helperNames.Contains(m)
                                                                    && !(d.Severity == DiagnosticSeverity.Warning && d.Id.StartsWith("TN3", StringComparison.Ordinal))).ToList();
                if (inHelpers.Count > 0)
                {
                    problems.Add(Describe(mutant, inHelpers.Any(d => d.Id == "TN9999") ? "internal error TN9999 in a helper" : "a diagnostic in a helper (a bug of the random-program grammar)", GeneratorRun.DescribeDiagnostics(inHelpers)));
                    continue;
                }
                var cSharpErrors = inputErrors.Where(d => method.Contains(d.Location.SourceSpan.Start)).ToList();
                if (cSharpErrors.Count > 0)
                {
                    problems.Add(Describe(mutant, "the mutated program is not valid C# (a bug of the mutation)", GeneratorRun.DescribeDiagnostics(cSharpErrors)));
                    continue;
                }
                if (mine.Any(d => d.Id == "TN9999"))
                {
                    problems.Add(Describe(mutant, "internal error TN9999", GeneratorRun.DescribeDiagnostics(mine)));
                    continue;
                }
                var errors = mine.Where(d => d.Severity == DiagnosticSeverity.Error && Regex.IsMatch(d.Id, "^TN[0-8][0-9]{3}$")).ToList();
                if (errors.Count == 0)
                {
                    problems.Add(Describe(mutant, "no error: the unsupported program was accepted", GeneratorRun.DescribeDiagnostics(mine)
                        + "\nGenerated:\n" + string.Join("\n", run.GeneratedSources.Where(kv => MethodOfHint(kv.Key) == name).Select(kv => kv.Value))));
                    continue;
                }
                // The error must be on the inserted code (or the mutated signature), with an expected id.
                int at = text.ToString().IndexOf(mutant.Located, method.Start, method.Length, StringComparison.Ordinal);
                if (at < 0) throw new InvalidOperationException($"'{mutant.Located}' not found in {name}");
                int firstLine = text.Lines.GetLineFromPosition(at).LineNumber;
                int lastLine = firstLine + InsertedLines(mutant);
                var onTheMutation = errors.Where(d =>
                {
                    var span = d.Location.GetLineSpan();
                    return span.StartLinePosition.Line >= firstLine && span.StartLinePosition.Line <= lastLine;
                }).ToList();
                if (onTheMutation.Count == 0)
                {
                    problems.Add(Describe(mutant, $"no error located on the mutation (lines {firstLine + 1}-{lastLine + 1})", GeneratorRun.DescribeDiagnostics(mine)));
                    continue;
                }
                if (!onTheMutation.Any(d => mutant.ExpectedIds.Contains(d.Id)))
                {
                    problems.Add(Describe(mutant, $"expected {string.Join(" or ", mutant.ExpectedIds)} on the mutation", GeneratorRun.DescribeDiagnostics(mine)));
                    continue;
                }
                if (mutant.ExactText is string exact && !onTheMutation.Any(d => mutant.ExpectedIds.Contains(d.Id)
                        && d.Location.GetLineSpan().StartLinePosition.Line == firstLine && text.ToString(d.Location.SourceSpan) == exact))
                {
                    problems.Add(Describe(mutant, $"expected {string.Join(" or ", mutant.ExpectedIds)} exactly at '{exact}' (line {firstLine + 1})",
                        GeneratorRun.DescribeDiagnostics(mine) + string.Join("", mine.Select(d => $"  {d.Id} at line {d.Location.GetLineSpan().StartLinePosition.Line + 1}: '{text.ToString(d.Location.SourceSpan)}'\n"))));
                    continue;
                }
                if (run.GeneratedSources.Keys.Any(k => MethodOfHint(k) == name))
                {
                    problems.Add(Describe(mutant, "code was generated for a method with errors", GeneratorRun.DescribeDiagnostics(mine)));
                    continue;
                }
                foreach (var id in onTheMutation.Select(d => d.Id).Distinct()) stats.Count(stats.MutationIds, id);
                Interlocked.Increment(ref stats.MutantsRejected);
            }
            // The helpers' generated code (methods with errors get none): it must compile.
            var generatedErrors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && IsGenerated(d)).ToList();
            if (generatedErrors.Count > 0)
                problems.Add("Generated code in a batch of mutants does not compile:\n" + GeneratorRun.DescribeDiagnostics(generatedErrors.Take(10)));
            return problems;
        }

        private static int InsertedLines(Mutant mutant)
        {
            // The inserted statements (a loop wrapped around them adds 3 lines); a signature is one line.
            var raw = FindRaw(mutant.Program.Body);
            return raw is null ? 0 : raw.Text.Split('\n').Length + 3;
        }

        private static Raw? FindRaw(Block block)
        {
            foreach (var s in block.Items)
            {
                if (s is Raw r) return r;
                foreach (var b in s.Blocks)
                {
                    if (FindRaw(b) is Raw inner) return inner;
                }
            }
            return null;
        }

        private static string Describe(Mutant mutant, string problem, string detail) =>
            $"Mutant {mutant.Program.Index} ({mutant.Kind}): {problem}\n{detail}\n{mutant.Program.PrintStandalone()}";

        private static bool IsGenerated(Diagnostic d) => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true;

        /// <summary>
        /// The generator run over one batch: like <see cref="GeneratorHarness.Run"/>, without step tracking and without
        /// binding the whole output compilation for its diagnostics (<see cref="Emit"/> reports the errors; binding and
        /// emitting separately would compile every method body twice).
        /// </summary>
        private sealed class BatchRun
        {
            public Compilation Input { get; private init; } = null!;
            public Compilation Output { get; private init; } = null!;
            public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; private init; }
            public IReadOnlyDictionary<string, string> GeneratedSources { get; private init; } = null!;
            public Assembly? Assembly { get; private set; }

            public static BatchRun Generate(string source)
            {
                var input = GeneratorHarness.CreateCompilation(source);
                GeneratorDriver driver = CSharpGeneratorDriver.Create(
                    new[] { new TangentGenerator().AsSourceGenerator() },
                    parseOptions: GeneratorHarness.ParseOptions,
                    driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
                driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
                var result = driver.GetRunResult();
                GeneratorHarness.ThrowIfGeneratorFailed(result);
                return new BatchRun
                {
                    Input = input,
                    Output = output,
                    GeneratorDiagnostics = result.Diagnostics,
                    GeneratedSources = result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString()),
                };
            }

            /// <summary>Emits and loads the output compilation; returns its errors (then nothing is loaded).</summary>
            public List<Diagnostic> Emit()
            {
                using var pe = new System.IO.MemoryStream();
                using var pdb = new System.IO.MemoryStream();
                var emitted = Output.Emit(pe, pdb);
                if (!emitted.Success) return emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                pe.Position = 0;
                pdb.Position = 0;
                var context = new System.Runtime.Loader.AssemblyLoadContext("RandomPrograms_" + Output.AssemblyName, isCollectible: true);
                Assembly = context.LoadFromStream(pe, pdb);
                return new List<Diagnostic>();
            }
        }

        // ------------------------------------------------------------------ locating methods

        private static Dictionary<string, TextSpan> MethodSpans(Compilation compilation) =>
            compilation.SyntaxTrees.First().GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
                .GroupBy(m => m.Identifier.ValueText).ToDictionary(g => g.Key, g => g.First().FullSpan);

        private static readonly Regex QuotedMethod = new Regex(@"'(?:\w+\.)?(M\d+\w*|U\d+\w*)'", RegexOptions.Compiled);

        /// <summary>The method a diagnostic is in; for one without a location (TN9999 from the emitter), the method its message names.</summary>
        private static string? MethodAt(Dictionary<string, TextSpan> spans, Diagnostic d)
        {
            // The generator's diagnostics carry file locations (Location.Create(path, span, lines)), not tree locations.
            if (d.Location.Kind != LocationKind.None && d.Location.GetLineSpan().Path == "Source0.cs")
            {
                int position = d.Location.SourceSpan.Start;
                foreach (var kv in spans)
                {
                    if (kv.Value.Contains(position)) return kv.Key;
                }
                return null;
            }
            Match m = QuotedMethod.Match(d.GetMessage(CultureInfo.InvariantCulture));
            return m.Success ? m.Groups[1].Value : null;
        }

        /// <summary><c>.../RandomBatch3.M12(double, int).g.cs</c> → <c>M12</c>.</summary>
        public static string MethodOfHint(string path)
        {
            string file = System.IO.Path.GetFileName(path);
            int paren = file.IndexOf('(', StringComparison.Ordinal);
            string qualified = paren < 0 ? file : file.Substring(0, paren);
            return qualified.Substring(qualified.LastIndexOf('.') + 1);
        }
    }
}
