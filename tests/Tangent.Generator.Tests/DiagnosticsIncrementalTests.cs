using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tangent.Generator.Tests.Infrastructure;

namespace Tangent.Generator.Tests
{
    /// <summary>
    /// The zero-derivative warnings (TN3xxx) and the erroneous-callee error (TN2006) follow the caching contract of
    /// the other diagnostics: value-equatable models, cached across unrelated edits, re-reported when moved; and a
    /// caller's model follows its callee's errors across files (every transform reruns on a new compilation).
    /// </summary>
    public class DiagnosticsIncrementalTests
    {
        private const string Warnings = @"using System;
using Tangent;

public static partial class Warned
{
    [Differentiable]
    public static double Frac(double x) => x - Math.Floor(x);

    [Differentiable]
    public static double Step(double x) => x > 0 ? 1.0 : 0.0;

    [Differentiable]
    public static double Unused(double x, double y) => x * x;
}
";

        private const string Callee = @"using System;
using Tangent;

public static partial class Lib
{
    [Differentiable]
    public static double G(double v) => v * v;
}
";

        private const string BrokenCallee = @"using System;
using Tangent;

public static partial class Lib
{
    [Differentiable]
    public static double G(double v) => new Random(1).NextDouble() * v;
}
";

        private const string Caller = @"using Tangent;

public static partial class App
{
    [Differentiable]
    public static double F(double x) => 2 * Lib.G(x);
}
";

        [Fact]
        public void Zero_derivative_warnings_and_TN2006_are_cached_across_an_unrelated_edit_and_hold_no_Roslyn_objects()
        {
            (GeneratorDriverRunResult first, GeneratorDriverRunResult second) = IncrementalAssert.CachedAfterEdit(
                new[] { Warnings, BrokenCallee, Caller },
                Edits.AddTree("public static class Unrelated { public static int One() => 1; }"), TrackingNames.All);
            IncrementalAssert.AssertNoForbiddenTypes(first, TrackingNames.All);
            string[] ids = { "TN1002", "TN2006", "TN3001", "TN3002", "TN3003" };
            Assert.Equal(ids, first.Diagnostics.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal));
            Assert.Equal(ids, second.Diagnostics.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal));
        }

        [Fact]
        public void Fixing_or_breaking_a_callee_in_another_file_updates_the_caller()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Caller, BrokenCallee);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            GeneratorDriverRunResult broken = driver.GetRunResult();
            Assert.Contains(broken.Diagnostics, d => d.Id == "TN2006" && d.Location.GetLineSpan().Path == "Source0.cs");
            Assert.Empty(broken.GeneratedTrees);

            Compilation fixedCompilation = Edits.ReplaceTree(1, Callee)(compilation);
            driver = driver.RunGenerators(fixedCompilation);
            GeneratorDriverRunResult fixedRun = driver.GetRunResult();
            Assert.Empty(fixedRun.Diagnostics);
            Assert.Equal(2, fixedRun.GeneratedTrees.Length);

            Compilation brokenAgain = Edits.ReplaceTree(1, BrokenCallee)(fixedCompilation);
            driver = driver.RunGenerators(brokenAgain);
            GeneratorDriverRunResult again = driver.GetRunResult();
            Assert.Contains(again.Diagnostics, d => d.Id == "TN2006");
            Assert.Empty(again.GeneratedTrees);
        }
    }
}
