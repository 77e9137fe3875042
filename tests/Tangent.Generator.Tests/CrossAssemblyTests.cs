using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tangent.Generator.Tests.Infrastructure;
using Xunit;

namespace Tangent.Generator.Tests;

/// <summary>
/// A library compiled with the generator, referenced as metadata by a consumer compilation: the consumer finds
/// the library's derivatives through the [GeneratedDerivative] markers and the [DerivativeRegistrations] index.
/// (The package test builds the same situation with dotnet and runs it.)
/// </summary>
public class CrossAssemblyTests
{
    private const string LibrarySource = @"
using System;
using Tangent;

namespace Lib;

public static partial class Physics
{
    [Differentiable]
    public static double Energy(double x, double y) => x * x + x * y;

    public static double Plain(double x) => 2 * x;

    public static double Registered(double x) => Math.Exp(x) - x;
}

public static class Derivatives
{
    [DerivativeOf(typeof(Physics), nameof(Physics.Registered))]
    public static (double Value, double Tangent) RegisteredForward(double x, double dX) => (Physics.Registered(x), (Math.Exp(x) - 1) * dX);

    [DerivativeOf(typeof(Physics), nameof(Physics.Registered))]
    public static double RegisteredAdjoint(double x, ref double dX, double dResult) { dX += (Math.Exp(x) - 1) * dResult; return Physics.Registered(x); }
}
";

    private static MetadataReference CompileLibrary()
    {
        var compilation = GeneratorHarness.CreateCompilation(LibrarySource).WithAssemblyName("Lib");
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static (Compilation Output, Diagnostic[] Diagnostics) RunConsumer(string source)
    {
        var consumer = CSharpCompilation.Create("Consumer", new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: "Source0.cs") },
            GeneratorHarness.References.Add(CompileLibrary()), GeneratorHarness.CompilationOptions);
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(consumer, out var output, out _);
        return (output, driver.GetRunResult().Diagnostics.ToArray());
    }

    [Fact]
    public void Consumer_calls_the_generated_and_registered_derivatives_of_a_referenced_library()
    {
        var (output, diagnostics) = RunConsumer(@"
using Tangent;
public static partial class C
{
    [Differentiable]
    public static double F(double a, double b) => Lib.Physics.Energy(a, b * a) + Lib.Physics.Registered(b);
}");
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        string generated = output.SyntaxTrees.Single(t => t.FilePath.Contains("C.F(", StringComparison.Ordinal)).ToString();
        Assert.Contains("global::Lib.Physics.EnergyRecord(", generated, StringComparison.Ordinal);
        Assert.Contains("global::Lib.Physics.EnergyReverse(", generated, StringComparison.Ordinal);
        Assert.Contains("global::Lib.Physics.EnergyForward(", generated, StringComparison.Ordinal);
        Assert.Contains("global::Lib.Derivatives.RegisteredAdjoint(", generated, StringComparison.Ordinal);
        Assert.Contains("global::Lib.Derivatives.RegisteredForward(", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Calling_a_library_method_without_derivatives_is_TN2001_at_the_argument_and_says_how_to_register()
    {
        const string source = @"
using Tangent;
public static partial class C
{
    [Differentiable]
    public static double F(double a) => Lib.Physics.Plain(a) + a;
}";
        var (_, diagnostics) = RunConsumer(source);
        var d = Assert.Single(diagnostics);
        Assert.Equal("TN2001", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        int start = source.IndexOf("Plain(a)", StringComparison.Ordinal) + "Plain(".Length;
        Assert.Equal(start, d.Location.SourceSpan.Start);
        Assert.Equal(1, d.Location.SourceSpan.Length);
        string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'Physics.Plain'", message, StringComparison.Ordinal);
        Assert.Contains("[DerivativeOf(typeof(T), nameof(T.M))]", message, StringComparison.Ordinal);
    }
}

/// <summary>A registration added in another file reaches a [Differentiable] method whose own file did not change.</summary>
public class RegistrationIncrementalTests
{
    [Fact]
    public void Adding_a_registration_in_another_file_updates_the_caller()
    {
        const string caller = @"
using Tangent;
public static partial class C
{
    [Differentiable]
    public static double F(double x) => Helpers.Cube(x) * 2;
}";
        const string helpers = @"
public static class Helpers
{
    public static double Cube(double v) => v * v * v;
}";
        const string registered = @"
using Tangent;
public static class Helpers
{
    public static double Cube(double v) => v * v * v;

    [DerivativeOf(typeof(Helpers), nameof(Cube))]
    public static (double Value, double Tangent) CubeForward(double v, double dV) => (v * v * v, 3 * v * v * dV);

    [DerivativeOf(typeof(Helpers), nameof(Cube))]
    public static double CubeAdjoint(double v, ref double dV, double dResult) { dV += 3 * v * v * dResult; return v * v * v; }
}";
        var compilation = GeneratorHarness.CreateCompilation(caller, helpers);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Contains(driver.GetRunResult().Diagnostics, d => d.Id == "TN2001");

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(1),
            CSharpSyntaxTree.ParseText(registered, GeneratorHarness.ParseOptions, path: "Source1.cs"));
        driver = driver.RunGeneratorsAndUpdateCompilation(edited, out var output, out _);
        var result = driver.GetRunResult();
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "TN2001");
        string generated = output.SyntaxTrees.Single(t => t.FilePath.Contains("C.F(", StringComparison.Ordinal)).ToString();
        Assert.Contains("global::Helpers.CubeAdjoint(", generated, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}

/// <summary>A registration overrides the generated derivatives of a [Differentiable] method and a built-in template.</summary>
public class RegistrationOverrideTests
{
    [Fact]
    public void A_registration_overrides_the_generated_derivatives_of_a_differentiable_method()
    {
        var run = GeneratorHarness.Run(@"
using System;
using Tangent;
public static partial class C
{
    [Differentiable]
    public static double G(double x) => x > 0 ? x * x : 0.0;

    [DerivativeOf(typeof(C), nameof(G))]
    public static double GAdjoint2(double x, ref double dX, double dResult) { dX += (x > 0 ? 2 * x : 0.0) * dResult; return G(x); }

    [Differentiable]
    public static double F(double x) => G(x) * 3;
}");
        Assert.Empty(run.GeneratorDiagnostics);
        run.AssertNoCompilationErrors();
        string f = run.Generated("C.F(");
        Assert.Contains("global::C.GAdjoint2(", f, StringComparison.Ordinal);   // the user's adjoint in the reverse sweep
        Assert.DoesNotContain("GRecord(", f, StringComparison.Ordinal);
        Assert.DoesNotContain("GReverse(", f, StringComparison.Ordinal);
        Assert.Contains("global::C.GForward(", f, StringComparison.Ordinal);    // no forward registered: the generated one
        var gradient = (System.Runtime.CompilerServices.ITuple)run.Invoke("C", "FGradient", 1.5)!;
        Assert.Equal(6.75, (double)gradient[0]!, 12);
        Assert.Equal(9.0, (double)gradient[1]!, 12);
    }

    [Fact]
    public void A_registration_overrides_a_built_in_template()
    {
        var run = GeneratorHarness.Run(@"
using System;
using Tangent;
public static class SinDerivatives
{
    [DerivativeOf(typeof(Math), nameof(Math.Sin))]
    public static (double Value, double Tangent) SinForward(double x, double dX) => (Math.Sin(x), Math.Cos(x) * dX);

    [DerivativeOf(typeof(Math), nameof(Math.Sin))]
    public static double SinAdjoint(double x, ref double dX, double dResult) { dX += Math.Cos(x) * dResult; return Math.Sin(x); }
}
public static partial class C
{
    [Differentiable]
    public static double F(double x) => Math.Sin(x) * x;
}");
        Assert.Empty(run.GeneratorDiagnostics);
        run.AssertNoCompilationErrors();
        string f = run.Generated("C.F(");
        Assert.Contains("global::SinDerivatives.SinAdjoint(", f, StringComparison.Ordinal);
        Assert.Contains("global::SinDerivatives.SinForward(", f, StringComparison.Ordinal);
        var gradient = (System.Runtime.CompilerServices.ITuple)run.Invoke("C", "FGradient", 0.7)!;
        Assert.Equal(Math.Cos(0.7) * 0.7 + Math.Sin(0.7), (double)gradient[1]!, 12);
    }
}
