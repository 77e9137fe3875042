using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tangent.Generator.IR;
using Tangent.Generator.Tests.Infrastructure;

namespace Tangent.Generator.Tests
{
    /// <summary>
    /// The pipeline's caching contract (NetEscapades/System.Text.Json style): edits that do not change a method
    /// regenerate nothing, moving a method re-reports diagnostics without regenerating code, and models hold no
    /// Roslyn objects.
    /// </summary>
    public class IncrementalTests
    {
        private const string Survey = @"using System;
using Tangent;

public static partial class Survey
{
    [Differentiable]
    public static double F(double x1, double x2) => Math.Log(x1) + x1 * x2 - Math.Sin(x2);
}
";

        private const string Other = @"using System;
using Tangent;

namespace Models
{
    public partial class Other
    {
        private double scale = 2;

        [Differentiable]
        public double G(double x)
        {
            double y = x * scale;
            return Math.Tanh(y) + y;
        }
    }
}
";

        /// <summary>A warning (TN0010) only: code is generated and a diagnostic is reported.</summary>
        private const string Warned = @"using Tangent;

public static partial class Warned
{
    [Differentiable]
    public static double H(int n) => n * 2.0;
}
";

        [Fact]
        public void Adding_an_unrelated_file_leaves_every_step_and_output_cached()
        {
            IncrementalAssert.CachedAfterEdit(new[] { Survey, Other, Warned },
                Edits.AddTree("public static class Unrelated { public static int One() => 1; }"), TrackingNames.All);
        }

        [Fact]
        public void Appending_an_unrelated_type_to_the_same_file_leaves_every_step_and_output_cached()
        {
            IncrementalAssert.CachedAfterEdit(new[] { Survey, Other, Warned },
                Edits.AppendToTree(0, "\npublic static class Unrelated { public static int One() => 1; }\n"), TrackingNames.All);
        }

        [Fact]
        public void Blank_lines_above_a_method_regenerate_no_code()
        {
            string moved = Survey.Replace("public static partial class Survey\n{\n", "public static partial class Survey\n{\n\n\n\n", StringComparison.Ordinal);
            Assert.NotEqual(Survey, moved);
            IncrementalAssert.CachedAfterEdit(new[] { Survey, Other }, Edits.ReplaceTree(0, moved), new[] { TrackingNames.Code });
        }

        [Fact]
        public void Blank_lines_above_a_method_with_a_diagnostic_re_report_it_at_the_new_position_but_regenerate_no_code()
        {
            string moved = Warned.Replace("{\n    [Differentiable]", "{\n\n\n    [Differentiable]", StringComparison.Ordinal);
            Assert.NotEqual(Warned, moved);
            (GeneratorDriverRunResult first, GeneratorDriverRunResult second) = IncrementalAssert.CachedAfterEdit(
                new[] { Warned, Survey }, Edits.ReplaceTree(0, moved), new[] { TrackingNames.Code }, checkSourceOutputs: false);

            Assert.All(OutputReasons(second, TrackingNames.Code), r => AssertCached(r.Reason, "source output of " + r.Method));
            Diagnostic before = Assert.Single(first.Diagnostics, d => d.Id == "TN0010");
            Diagnostic after = Assert.Single(second.Diagnostics, d => d.Id == "TN0010");
            Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 2, after.Location.GetLineSpan().StartLinePosition.Line);
            Assert.Equal(moved.IndexOf("H(int", StringComparison.Ordinal), after.Location.SourceSpan.Start);
        }

        [Fact]
        public void Editing_one_method_body_regenerates_that_method_only()
        {
            string edited = Survey.Replace("x1 * x2", "x1 * x2 * x2", StringComparison.Ordinal);
            Assert.NotEqual(Survey, edited);
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Survey, Other);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            GeneratorDriverRunResult first = driver.GetRunResult();
            driver = driver.RunGenerators(Edits.ReplaceTree(0, edited)(compilation));
            GeneratorDriverRunResult second = driver.GetRunResult();
            GeneratorHarness.ThrowIfGeneratorFailed(second);

            Dictionary<string, IncrementalStepRunReason> code = StepReasons(second, TrackingNames.Code);
            Assert.Equal(IncrementalStepRunReason.Modified, code["F"]);
            AssertCached(code["G"], "Code step of G");

            var outputs = OutputReasons(second, TrackingNames.Code).ToDictionary(r => r.Method, r => r.Reason);
            Assert.Equal(IncrementalStepRunReason.Modified, outputs["F"]);
            AssertCached(outputs["G"], "source output of G");

            string Source(GeneratorDriverRunResult run, string hint) =>
                run.Results.Single().GeneratedSources.Single(s => s.HintName.Contains(hint, StringComparison.Ordinal)).SourceText.ToString();
            Assert.Equal(Source(first, ".G("), Source(second, ".G("));
            Assert.NotEqual(Source(first, ".F("), Source(second, ".F("));
        }

        [Fact]
        public void No_model_holds_a_symbol_syntax_node_compilation_or_location()
        {
            string errors = @"using System;
using Tangent;

public static partial class Errors
{
    [Differentiable]
    public static int Bad(ref double x, double[] data) => 0;

    [Differentiable]
    public static double Body(double x) { Func<double> f = () => x; return x * Helper(x); }

    private static double Helper(double v) => v;
}
";
            (GeneratorDriverRunResult first, _) = IncrementalAssert.CachedAfterEdit(
                new[] { Survey, Other, Warned, errors }, Edits.Clone, TrackingNames.All);
            IncrementalAssert.AssertNoForbiddenTypes(first, TrackingNames.All);
            // The walk saw real models: every method reached the Methods step.
            Assert.Equal(5, first.Results.Single().TrackedSteps[TrackingNames.Methods].Sum(s => s.Outputs.Length));
        }

        [Fact]
        public void Running_twice_on_the_same_input_gives_byte_identical_sources()
        {
            GeneratorRun a = GeneratorHarness.Run(Survey, Other, Warned);
            GeneratorRun b = GeneratorHarness.Run(Survey, Other, Warned);
            GeneratorRun reordered = GeneratorHarness.Run(Warned, Other, Survey);

            Assert.Equal(3, a.GeneratedSources.Count);
            Assert.Equal(a.GeneratedSources.Keys, b.GeneratedSources.Keys);
            Assert.Equal(a.GeneratedSources.Keys, reordered.GeneratedSources.Keys);
            foreach (KeyValuePair<string, string> kv in a.GeneratedSources)
            {
                Assert.Equal(kv.Value, b.GeneratedSources[kv.Key]);
                Assert.Equal(kv.Value, reordered.GeneratedSources[kv.Key]);
            }
            // Same bytes in the encoding the compiler writes, in the same order.
            ImmutableArray<GeneratedSourceResult> sa = a.RunResult.Results.Single().GeneratedSources;
            ImmutableArray<GeneratedSourceResult> sb = b.RunResult.Results.Single().GeneratedSources;
            Assert.Equal(sa.Select(s => s.HintName), sb.Select(s => s.HintName));
            for (int i = 0; i < sa.Length; i++)
            {
                Assert.Equal(sa[i].SourceText.Encoding?.WebName, sb[i].SourceText.Encoding?.WebName);
                Assert.True(sa[i].SourceText.GetChecksum().SequenceEqual(sb[i].SourceText.GetChecksum()), sa[i].HintName);
            }
        }

        // ------------------------------------------------------------------ helpers

        private static void AssertCached(IncrementalStepRunReason reason, string what) =>
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{what}: {reason}");

        /// <summary>Method name → reason, for the outputs of a step whose values are <see cref="MethodIR"/>.</summary>
        private static Dictionary<string, IncrementalStepRunReason> StepReasons(GeneratorDriverRunResult run, string step)
        {
            var result = new Dictionary<string, IncrementalStepRunReason>(StringComparer.Ordinal);
            foreach (IncrementalGeneratorRunStep s in run.Results.Single().TrackedSteps[step])
            {
                foreach ((object value, IncrementalStepRunReason reason) in s.Outputs)
                    result[((MethodIR)value).Name] = reason;
            }
            return result;
        }

        /// <summary>The source output steps fed by <paramref name="inputStep"/>, as (method name, reason).</summary>
        private static IEnumerable<(string Method, IncrementalStepRunReason Reason)> OutputReasons(GeneratorDriverRunResult run, string inputStep)
        {
            var found = new List<(string, IncrementalStepRunReason)>();
            foreach (ImmutableArray<IncrementalGeneratorRunStep> steps in run.Results.Single().TrackedOutputSteps.Values)
            {
                foreach (IncrementalGeneratorRunStep s in steps)
                {
                    foreach ((IncrementalGeneratorRunStep source, int index) in s.Inputs)
                    {
                        if (source.Name != inputStep) continue;
                        string method = ((MethodIR)source.Outputs[index].Value).Name;
                        foreach ((object _, IncrementalStepRunReason reason) in s.Outputs)
                            found.Add((method, reason));
                    }
                }
            }
            Assert.NotEmpty(found);
            return found;
        }
    }
}
