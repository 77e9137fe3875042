using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Tangent.Package.Tests;

/// <summary>
/// Packs Tangent.Net from the repo and uses it the way a user does: a fresh console project with
/// <c>&lt;PackageReference Include="Tangent.Net" /&gt;</c>, its own NuGet packages folder (so a cached
/// Tangent.Net can never be picked up), restored from a folder feed plus the machine's own sources.
/// </summary>
public sealed class PackageTests
{
    static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(5);

    readonly ITestOutputHelper output;

    public PackageTests(ITestOutputHelper output) => this.output = output;

    [Fact(Timeout = 15 * 60 * 1000)]
    public async Task Packed_package_generates_and_runs_gradients_in_a_consumer_project()
    {
        var total = Stopwatch.StartNew();
        string repo = FindRepoRoot();
        string version = ReadVersion(repo);
        string work = Path.Combine(Path.GetTempPath(), "tangent-package-test-" + Guid.NewGuid().ToString("N")[..12]);
        string feed = Path.Combine(work, "feed");
        string packages = Path.Combine(work, "packages");
        string consumer = Path.Combine(work, "Consumer");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(packages);
        Directory.CreateDirectory(consumer);
        bool passed = false;
        try
        {
            // 1. Pack.
            await Dotnet(repo, null, "pack", Path.Combine(repo, "src", "Runtime", "Tangent.Runtime.csproj"), "-c", "Release", "-o", feed);
            string nupkg = Path.Combine(feed, $"Tangent.Net.{version}.nupkg");
            Assert.True(File.Exists(nupkg), $"expected {nupkg}; the feed has: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
            CheckPackageLayout(nupkg, version);

            // 2. A class library of differentiable code (and registered derivatives), and a consumer that
            //    references it and knows Tangent.Net only as a package.
            WriteLibrary(Path.Combine(work, "Library"), feed, version);
            WriteConsumer(consumer, feed, version);

            // 3. Build and run it, with its own packages folder.
            var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };
            string stdout = await Dotnet(consumer, env, "run", "-c", "Release");

            // The survey function f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (2, 5).
            double[] survey = Numbers(stdout, "survey");
            Assert.Equal(3, survey.Length);
            Assert.Equal(Math.Log(2) + 10 - Math.Sin(5), survey[0], 1e-9);
            Assert.Equal(5.5, survey[1], 1e-9);                       // 1/x1 + x2
            Assert.Equal(2 - Math.Cos(5), survey[2], 1e-9);           // x1 − cos(x2) ≈ 1.716
            Assert.Equal(1.716, survey[2], 1e-3);

            // Σ x[i]² at (1, −2, 3): gradient 2x.
            double[] sumSquares = Numbers(stdout, "sumsq");
            Assert.Equal(new[] { 14.0, 2, -4, 6 }, sumSquares);

            // Forward mode too.
            double[] forward = Numbers(stdout, "forward");
            Assert.Equal(5.5, Assert.Single(forward), 1e-9);

            // Across assemblies: the consumer differentiates through the library's [Differentiable] methods
            // (found by their [GeneratedDerivative] markers) and its registered SoftPlus derivative.
            // g(w, b) = Energy([w, b]) + SoftPlus(w·b) with Energy(x) = Σ xᵢ² + x₀x₁, at (0.5, −1.5).
            double w = 0.5, b = -1.5, z = w * b;
            double sigma = 1 / (1 + Math.Exp(-z));
            double[] library = Numbers(stdout, "library");
            Assert.Equal(4, library.Length);
            Assert.Equal(w * w + b * b + w * b + Math.Log(1 + Math.Exp(z)), library[0], 1e-12);
            Assert.Equal(2 * w + b + b * sigma, library[1], 1e-12);
            Assert.Equal(2 * b + w + w * sigma, library[2], 1e-12);
            Assert.Equal(2 * w + b + b * sigma, library[3], 1e-12); // forward mode along (1, 0)

            CheckConsumerAssets(consumer, version);

            // The generated code is on disk where docs/package.md says (EmitCompilerGeneratedFiles).
            string generated = Path.Combine(consumer, "obj", "Generated", "Tangent.Generator", "Tangent.Generator.TangentGenerator");
            Assert.True(Directory.Exists(generated), $"no generated files at {generated}");
            string[] files = Directory.GetFiles(generated, "*.g.cs");
            Assert.Contains(files, f => File.ReadAllText(f).Contains("FGradient("));
            Assert.Contains(files, f => File.ReadAllText(f).Contains("SumSquaresGradient("));

            passed = true;
            output.WriteLine($"package test took {total.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            if (passed) TryDelete(work);
            else output.WriteLine($"kept the work folder for inspection: {work}");
        }
    }

    /// <summary>The package holds the runtime in lib/, the generator only in analyzers/, and no Roslyn.</summary>
    static void CheckPackageLayout(string nupkg, string version)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        string listing = string.Join("\n", entries);
        Assert.True(entries.Contains("lib/net10.0/Tangent.Runtime.dll"), listing);
        Assert.True(entries.Contains("lib/net10.0/Tangent.Runtime.xml"), listing);
        Assert.True(entries.Contains("analyzers/dotnet/cs/Tangent.Generator.dll"), listing);
        Assert.True(entries.Contains("analyzers/dotnet/cs/Tangent.CodeFixes.dll"), listing);
        Assert.True(entries.Contains("README.md"), listing);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));

        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspecEntry.Open();
        var nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("Tangent.Net", metadata.Element(ns + "id")!.Value);
        Assert.Equal(version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => (string)d.Attribute("id")!).ToList();
        Assert.Equal(new[] { "System.Numerics.Tensors" }, dependencies);
    }

    /// <summary>
    /// In the consumer's restore, Tangent.Net's only compile/runtime assembly is Tangent.Runtime.dll: the
    /// generator is in the package only as an analyzer, and no Roslyn package came along.
    /// </summary>
    static void CheckConsumerAssets(string consumer, string version)
    {
        string assetsPath = Path.Combine(consumer, "obj", "project.assets.json");
        using var assets = JsonDocument.Parse(File.ReadAllText(assetsPath));
        var root = assets.RootElement;
        string key = $"Tangent.Net/{version}";

        var target = root.GetProperty("targets").EnumerateObject().Single().Value;
        var tangent = target.GetProperty(key);
        string[] compile = tangent.GetProperty("compile").EnumerateObject().Select(p => p.Name).ToArray();
        string[] runtime = tangent.GetProperty("runtime").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "lib/net10.0/Tangent.Runtime.dll" }, compile);
        Assert.Equal(new[] { "lib/net10.0/Tangent.Runtime.dll" }, runtime);
        Assert.True(tangent.GetProperty("dependencies").TryGetProperty("System.Numerics.Tensors", out _));

        string[] files = root.GetProperty("libraries").GetProperty(key).GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray();
        Assert.Contains("analyzers/dotnet/cs/Tangent.Generator.dll", files);

        string[] libraries = root.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));

        // The package really came from the test's own packages folder, not a shared cache.
        string packageFolder = root.GetProperty("packageFolders").EnumerateObject().Single().Name;
        Assert.True(Directory.Exists(Path.Combine(packageFolder, "tangent.net", version)), $"Tangent.Net {version} not under {packageFolder}");
    }

    static void WriteLibrary(string dir, string feed, string version)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="tangent-local-feed" value="{System.Security.SecurityElement.Escape(feed)}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Library.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Tangent.Net" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Library.cs"), """
            using System;
            using Tangent;

            namespace Library;

            public static partial class Physics
            {
                [Differentiable]
                public static double Energy(double[] x)
                {
                    double s = x[0] * x[1];
                    foreach (var v in x) s += v * v;
                    return s;
                }
            }

            public static class Activations
            {
                public static double SoftPlus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
                public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
            }

            public static class ActivationDerivatives
            {
                [DerivativeOf(typeof(Activations), nameof(Activations.SoftPlus))]
                public static (double Value, double Tangent) SoftPlusForward(double x, double dX) => (Activations.SoftPlus(x), Activations.Sigmoid(x) * dX);

                [DerivativeOf(typeof(Activations), nameof(Activations.SoftPlus))]
                public static double SoftPlusAdjoint(double x, ref double dX, double dResult)
                {
                    dX += Activations.Sigmoid(x) * dResult;
                    return Activations.SoftPlus(x);
                }
            }
            """);
    }

    static void WriteConsumer(string dir, string feed, string version)
    {
        // No <clear/>: the machine's own sources (and any mirror they point to) still restore
        // System.Numerics.Tensors; the folder feed adds the freshly packed Tangent.Net.
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="tangent-local-feed" value="{System.Security.SecurityElement.Escape(feed)}" />
              </packageSources>
            </configuration>
            """);

        // Stop MSBuild from importing any Directory.Build.* above the temp folder.
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />\n");

        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <CompilerGeneratedFilesOutputPath>$(BaseIntermediateOutputPath)Generated</CompilerGeneratedFilesOutputPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Tangent.Net" Version="{version}" />
                <ProjectReference Include="../Library/Library.csproj" />
              </ItemGroup>
            </Project>
            """);

        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using System;
            using System.Globalization;
            using System.Linq;
            using Tangent;

            CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

            var (value, dX1, dX2) = Functions.FGradient(2, 5);
            Console.WriteLine(FormattableString.Invariant($"survey: {value:R} {dX1:R} {dX2:R}"));

            var (_, tangent) = Functions.FForward(2, 5, 1, 0);
            Console.WriteLine(FormattableString.Invariant($"forward: {tangent:R}"));

            var (sum, dX) = Functions.SumSquaresGradient(new[] { 1.0, -2.0, 3.0 });
            Console.WriteLine("sumsq: " + string.Join(" ", new[] { sum }.Concat(dX).Select(d => d.ToString("R", CultureInfo.InvariantCulture))));

            var (g, dW, dB) = Functions.UsesLibraryGradient(0.5, -1.5);
            var (_, dG) = Functions.UsesLibraryForward(0.5, -1.5, 1, 0);
            Console.WriteLine(FormattableString.Invariant($"library: {g:R} {dW:R} {dB:R} {dG:R}"));

            public static partial class Functions
            {
                [Differentiable]
                public static double UsesLibrary(double w, double b)
                    => Library.Physics.Energy(new[] { w, b }) + Library.Activations.SoftPlus(w * b);

                [Differentiable]
                public static double F(double x1, double x2) => Math.Log(x1) + x1 * x2 - Math.Sin(x2);

                [Differentiable]
                public static double SumSquares(double[] x)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++)
                        s += x[i] * x[i];
                    return s;
                }
            }
            """);
    }

    /// <summary>The numbers on the line "label: n1 n2 ..." of the consumer's output.</summary>
    static double[] Numbers(string stdout, string label)
    {
        string? line = stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(label + ":", StringComparison.Ordinal));
        Assert.True(line != null, $"no '{label}:' line in the consumer's output:\n{stdout}");
        return line![(label.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Runs dotnet with a timeout; fails the test with its whole output if it fails.</summary>
    async Task<string> Dotnet(string workingDirectory, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetExecutable())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // No MSBuild nodes or compiler server left behind holding our pipes open.
        psi.ArgumentList.Add("--disable-build-servers");
        psi.ArgumentList.Add("-nologo");

        // Don't let the test host's own MSBuild settings leak into the child build.
        foreach (string name in psi.Environment.Keys.ToList())
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)) psi.Environment.Remove(name);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        if (env != null)
            foreach (var (k, v) in env) psi.Environment[k] = v;

        string command = "dotnet " + string.Join(" ", args);
        var text = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (text) text.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            Assert.Fail($"`{command}` in {workingDirectory} timed out after {ProcessTimeout.TotalMinutes} min. Output:\n{text}");
        }

        string all;
        lock (text) all = text.ToString();
        output.WriteLine($"`{command}` exited {process.ExitCode} in {stopwatch.Elapsed.TotalSeconds:F1} s");
        if (process.ExitCode != 0)
            Assert.Fail($"`{command}` in {workingDirectory} exited with {process.ExitCode}. Output:\n{all}");
        return all;
    }

    /// <summary>The dotnet host running this test (DOTNET_HOST_PATH), else dotnet from PATH.</summary>
    static string DotnetExecutable()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Tangent.Net.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"Tangent.Net.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The package version: the Version in the repo's Directory.Build.props.</summary>
    static string ReadVersion(string repo)
    {
        var props = XDocument.Load(Path.Combine(repo, "Directory.Build.props"));
        string? version = props.Descendants("Version").Select(v => v.Value.Trim()).FirstOrDefault();
        Assert.False(string.IsNullOrEmpty(version), "no <Version> in Directory.Build.props");
        return version!;
    }

    static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
