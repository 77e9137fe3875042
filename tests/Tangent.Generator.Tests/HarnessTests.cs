using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tangent.Generator.Tests.Infrastructure;
using Xunit.Sdk;

namespace Tangent.Generator.Tests
{
    /// <summary>Smoke tests of the test infrastructure itself; independent of what the generator emits.</summary>
    public class HarnessTests
    {
        private const string Plain = @"
public static class C
{
    public static double Sq(double x) => x * x;
    public static void R(ref double a) { a += 1; }
    public static double Over(double x) => 1;
    public static double Over(double x, double y) => 2;
    public static double Over(int n) => 3;
    public static double Opt(double x, double scale = 10) => x * scale;
    public static double Halve(double x, out double half) { half = x / 2; return x; }
}
namespace N { public static class Outer { public static class Inner { public static int K() => 7; } } }
";

        private delegate void RefAction(ref double a);

        [Fact]
        public void Source_without_differentiable_methods_generates_nothing_and_compiles()
        {
            GeneratorRun run = GeneratorHarness.Run(Plain, "public static class D { public static int One() => 1; }");

            Assert.Empty(run.GeneratedSources);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Empty(run.CompilationDiagnostics);
            Assert.Equal(2, run.Compilation.SyntaxTrees.Count());
            Assert.Contains(run.Compilation.References, r => r.Display?.EndsWith("Tangent.Runtime.dll", StringComparison.Ordinal) == true);
        }

        [Fact]
        public void Runtime_attributes_resolve_in_the_test_compilation()
        {
            GeneratorRun run = GeneratorHarness.Run("using Tangent; public static class E { public static double F(double x) => Autodiff.StopGradient(x); }");
            Assert.DoesNotContain(run.InputCompilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void Emit_and_Invoke_call_static_methods_including_ref_out_and_overloads()
        {
            GeneratorRun run = GeneratorHarness.Run(Plain);
            Assembly asm = run.Emit();
            Assert.Same(asm, run.Emit());

            Assert.Equal(9.0, GeneratorHarness.Invoke(asm, "C", "Sq", 3.0));
            Assert.Equal(9.0, run.Invoke("C", "Sq", 3)); // int converted to double

            var args = new object?[] { 2.5 };
            GeneratorHarness.Invoke(asm, "C", "R", args);
            Assert.Equal(3.5, args[0]);
            (object? result, object?[] updated) = GeneratorHarness.InvokeRef(asm, "C", "R", 0.0);
            Assert.Null(result);
            Assert.Equal(1.0, updated[0]);

            (object? value, object?[] outs) = GeneratorHarness.InvokeRef(asm, "C", "Halve", 8.0, null);
            Assert.Equal(8.0, value);
            Assert.Equal(4.0, outs[1]);

            Assert.Equal(1.0, GeneratorHarness.Invoke(asm, "C", "Over", 1.0));
            Assert.Equal(2.0, GeneratorHarness.Invoke(asm, "C", "Over", 1.0, 2.0));
            Assert.Equal(3.0, GeneratorHarness.Invoke(asm, "C", "Over", 1));
            Assert.Equal(20.0, GeneratorHarness.Invoke(asm, "C", "Opt", 2.0));
            Assert.Equal(6.0, GeneratorHarness.Invoke(asm, "C", "Opt", 2.0, 3.0));
            Assert.Equal(7, GeneratorHarness.Invoke(asm, "N.Outer.Inner", "K"));
            Assert.Equal(7, GeneratorHarness.Invoke(asm, "Inner", "K"));

            var r = GeneratorHarness.CreateDelegate<RefAction>(asm, "C", "R");
            double a = 41;
            r(ref a);
            Assert.Equal(42.0, a);
            Assert.Equal(16.0, GeneratorHarness.CreateDelegate<Func<double, double>>(asm, "C", "Sq")(4));
        }

        [Fact]
        public void Invoke_reports_missing_methods_and_bad_arguments()
        {
            Assembly asm = GeneratorHarness.Run(Plain).Emit();
            var e1 = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.Invoke(asm, "C", "Nope"));
            Assert.Contains("Sq(Double x)", e1.Message);
            var e2 = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.Invoke(asm, "C", "Sq", "text"));
            Assert.Contains("No overload", e2.Message);
            var e3 = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.Invoke(asm, "Missing", "Sq", 1.0));
            Assert.Contains("not found", e3.Message);
        }

        [Fact]
        public void Emit_failure_lists_errors_with_the_offending_line()
        {
            GeneratorRun run = GeneratorHarness.Run("public static class Bad\n{\n    public static double F() => undefinedName;\n}\n");
            Assert.Contains(run.CompilationDiagnostics, d => d.Id == "CS0103");
            var e = Assert.ThrowsAny<XunitException>(() => run.Emit());
            Assert.Contains("CS0103", e.Message);
            Assert.Contains("Source0.cs(3,33)", e.Message);
            Assert.Contains("    public static double F() => undefinedName;", e.Message);
            Assert.Contains("^^^^^^^^^^^^^", e.Message);
        }

        [Fact]
        public void Snapshot_diff_shows_only_changed_lines_with_context()
        {
            string expected = string.Join("\n", Enumerable.Range(1, 20).Select(i => $"line {i}"));
            string actual = expected.Replace("line 10", "line ten", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\nline 21";

            string diff = Snapshot.Diff(expected, actual, context: 2);

            Assert.Equal(
                "--- verified\n+++ received\n" +
                "@@ -8,5 +8,5 @@\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n" +
                "@@ -19,2 +19,3 @@\n line 19\n line 20\n+line 21\n",
                diff);
            Assert.Equal("", Snapshot.Diff("a\r\nb\r\n", "a\nb"));
        }

        [Fact]
        public void Snapshot_diff_merges_nearby_changes_into_one_hunk()
        {
            string diff = Snapshot.Diff("a\nb\nc\nd\ne", "a\nB\nc\nD\ne", context: 1);
            Assert.Equal("--- verified\n+++ received\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n-d\n+D\n e\n", diff);
        }

        private sealed record Leaf(string Name, SyntaxTree? Tree);
        private sealed record Model(string Name, ImmutableArray<Leaf> Leaves, int[] Numbers);
        private sealed record Clean(string Name, ImmutableArray<string> Parts, (int, double) Pair, List<Clean> Children);

        [Fact]
        public void Forbidden_type_walker_reports_paths()
        {
            SyntaxTree tree = CSharpSyntaxTree.ParseText("class X {}");
            var bad = new Model("m", ImmutableArray.Create(new Leaf("ok", null), new Leaf("bad", tree)), new[] { 1, 2 });

            IReadOnlyList<string> found = IncrementalAssert.FindForbidden(bad, "step");
            // The Tree member is declared as SyntaxTree, so both leaves are flagged, the null one by declaration.
            Assert.Equal(2, found.Count);
            Assert.StartsWith("step.Leaves[0].Tree: declared as SyntaxTree", found[0]);
            Assert.StartsWith("step.Leaves[1].Tree: declared as SyntaxTree", found[1]);

            object boxedSymbol = (object)CSharpCompilation.Create("x").GlobalNamespace;
            Assert.Single(IncrementalAssert.FindForbidden(new object[] { 1, boxedSymbol }, "v"), s => s.StartsWith("v[1]: ", StringComparison.Ordinal));

            var clean = new Clean("c", ImmutableArray.Create("a", "b"), (1, 2.0), new List<Clean> { new("d", default, (0, 0), new()) });
            Assert.Empty(IncrementalAssert.FindForbidden(clean));
        }

        [Fact]
        public void Numeric_central_difference_and_assert_close()
        {
            Numeric.AssertClose(Math.Cos(1.0), Numeric.CentralDifference(Math.Sin, 1.0), rel: 1e-8, what: "d sin");
            double[] g = Numeric.CentralDifferenceGradient(v => Math.Log(v[0]) + v[0] * v[1] - Math.Sin(v[1]), new[] { 2.0, 5.0 });
            Numeric.AssertClose(new[] { 5.5, 2 - Math.Cos(5.0) }, g, rel: 1e-7);
            Numeric.AssertClose(5.5 * 0.6 + (2 - Math.Cos(5.0)) * 0.8,
                Numeric.DirectionalDerivative(v => Math.Log(v[0]) + v[0] * v[1] - Math.Sin(v[1]), new[] { 2.0, 5.0 }, new[] { 0.6, 0.8 }), rel: 1e-7);
            double[,] j = Numeric.CentralDifferenceJacobian(v => new[] { v[0] * v[1], v[1] }, new[] { 3.0, 4.0 });
            Numeric.AssertClose(new[] { 4.0, 3.0, 0.0, 1.0 }, new[] { j[0, 0], j[0, 1], j[1, 0], j[1, 1] }, rel: 1e-7);

            var e = Assert.ThrowsAny<XunitException>(() => Numeric.AssertClose(1.0, 1.1, what: "dF/dx"));
            Assert.Contains("dF/dx: expected 1, actual 1.1", e.Message);
            Numeric.AssertClose(double.NaN, double.NaN);
            Assert.ThrowsAny<XunitException>(() => Numeric.AssertClose(new[] { 1.0 }, new[] { 1.0, 2.0 }));
        }
    }
}
