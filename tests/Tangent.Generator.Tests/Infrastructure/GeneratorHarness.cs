using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Tangent.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Runs <see cref="TangentGenerator"/> over in-memory sources the way the compiler does for a user project.
    /// </summary>
    public static class GeneratorHarness
    {
        public static readonly CSharpParseOptions ParseOptions =
            new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Parse);

        public static readonly CSharpCompilationOptions CompilationOptions =
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release,
                allowUnsafe: false,
                deterministic: true);

        private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

        /// <summary>All trusted platform assemblies plus Tangent.Runtime (the test and generator assemblies are left out).</summary>
        public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

        /// <summary>Parses, compiles and runs the generator; throws if the generator itself threw.</summary>
        public static GeneratorRun Run(string source, params string[] moreSources)
        {
            CSharpCompilation compilation = CreateCompilation(Prepend(source, moreSources));
            GeneratorDriver driver = CreateDriver();
            driver = driver.RunGeneratorsAndUpdateCompilation(
                compilation, out Compilation output, out ImmutableArray<Diagnostic> _);
            GeneratorDriverRunResult result = driver.GetRunResult();
            ThrowIfGeneratorFailed(result);
            return new GeneratorRun(compilation, output, driver, result);
        }

        /// <summary>The compilation <see cref="Run"/> uses; trees are named <c>Source0.cs</c>, <c>Source1.cs</c>, ...</summary>
        public static CSharpCompilation CreateCompilation(params string[] sources)
        {
            IEnumerable<SyntaxTree> trees = sources.Select((text, i) =>
                CSharpSyntaxTree.ParseText(text, ParseOptions, path: $"Source{i}.cs", encoding: Encoding.UTF8));
            return CSharpCompilation.Create("TangentTests_" + Guid.NewGuid().ToString("N"), trees, References, CompilationOptions);
        }

        /// <summary>A fresh driver with step tracking on and no host outputs disabled.</summary>
        public static GeneratorDriver CreateDriver() =>
            CSharpGeneratorDriver.Create(
                new[] { new TangentGenerator().AsSourceGenerator() },
                parseOptions: ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Fails if any generator threw (result exception, CS8784 or CS8785).</summary>
        public static void ThrowIfGeneratorFailed(GeneratorDriverRunResult result)
        {
            var problems = new List<string>();
            foreach (GeneratorRunResult r in result.Results)
            {
                if (r.Exception is not null)
                    problems.Add($"{r.Generator.GetGeneratorType().Name} threw:\n{r.Exception}");
            }
            foreach (Diagnostic d in result.Diagnostics)
            {
                if (d.Id is "CS8784" or "CS8785")
                    problems.Add(d.ToString());
            }
            if (problems.Count > 0)
                throw GeneratorHarness.Fail("The generator failed:\n" + string.Join("\n\n", problems));
        }

        // ----- reflection helpers -----

        /// <summary>
        /// Calls a static (or, via a parameterless constructor, instance) method. <paramref name="typeName"/> may be a
        /// simple name, a full name, or <c>Outer.Inner</c>/<c>Outer+Inner</c>. Overloads are chosen by argument count and
        /// types (exact type beats assignable beats numeric conversion); trailing optional parameters may be omitted.
        /// <c>ref</c>/<c>out</c> results are written back into <paramref name="args"/>.
        /// </summary>
        public static object? Invoke(Assembly asm, string typeName, string methodName, params object?[] args) =>
            InvokeRef(asm, typeName, methodName, args).Result;

        /// <summary>Like <see cref="Invoke"/>, returning the result and the updated arguments (also written back into <paramref name="args"/>).</summary>
        public static (object? Result, object?[] Args) InvokeRef(Assembly asm, string typeName, string methodName, params object?[] args)
        {
            args ??= new object?[] { null };
            Type type = FindType(asm, typeName);
            MethodInfo method = SelectOverload(type, methodName, args, out object?[] callArgs);
            object? target = method.IsStatic ? null : Activator.CreateInstance(type, nonPublic: true);
            object? result;
            try
            {
                result = method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, callArgs, culture: null);
            }
            finally
            {
                ParameterInfo[] ps = method.GetParameters();
                for (int i = 0; i < args.Length; i++)
                {
                    if (ps[i].ParameterType.IsByRef)
                        args[i] = callArgs[i];
                }
            }
            return (result, args);
        }

        /// <summary>A delegate to the overload whose signature matches <typeparamref name="TDelegate"/> (works for spans and <c>ref</c>).</summary>
        public static TDelegate CreateDelegate<TDelegate>(Assembly asm, string typeName, string methodName) where TDelegate : Delegate
        {
            Type type = FindType(asm, typeName);
            MethodInfo invoke = typeof(TDelegate).GetMethod("Invoke")!;
            Type[] wanted = invoke.GetParameters().Select(p => p.ParameterType).ToArray();
            MethodInfo? m = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, binder: null, wanted, modifiers: null);
            if (m is null || m.ReturnType != invoke.ReturnType)
                throw GeneratorHarness.Fail($"No static {type.FullName}.{methodName} matching {typeof(TDelegate).Name}{Signature(invoke)}. Candidates:\n{Candidates(type, methodName)}");
            return (TDelegate)m.CreateDelegate(typeof(TDelegate));
        }

        /// <summary>Finds a type by full name, <c>Outer.Inner</c>, or unique simple name.</summary>
        public static Type FindType(Assembly asm, string typeName)
        {
            Type? t = asm.GetType(typeName);
            if (t is not null) return t;
            Type[] all = asm.GetTypes();
            Type[] matches = all.Where(x =>
                x.FullName == typeName ||
                x.FullName?.Replace('+', '.') == typeName ||
                x.Name == typeName ||
                (x.FullName is { } fn && fn.Replace('+', '.').EndsWith("." + typeName, StringComparison.Ordinal))).ToArray();
            if (matches.Length == 1) return matches[0];
            string listing = string.Join("\n  ", all.Where(x => !x.Name.StartsWith("<", StringComparison.Ordinal)).Select(x => x.FullName));
            if (matches.Length == 0)
                throw GeneratorHarness.Fail($"Type '{typeName}' not found in {asm.GetName().Name}. Types:\n  {listing}");
            throw GeneratorHarness.Fail($"Type name '{typeName}' is ambiguous: {string.Join(", ", matches.Select(m => m.FullName))}");
        }

        private static MethodInfo SelectOverload(Type type, string methodName, object?[] args, out object?[] callArgs)
        {
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            MethodInfo[] named = type.GetMethods(flags).Where(m => m.Name == methodName && !m.ContainsGenericParameters).ToArray();
            if (named.Length == 0)
            {
                string members = string.Join("\n  ", type.GetMethods(flags).Where(m => !m.IsSpecialName).Select(m => m.Name + Signature(m)).Distinct());
                throw GeneratorHarness.Fail($"No method '{methodName}' on {type.FullName}. Methods:\n  {members}");
            }

            var scored = new List<(MethodInfo Method, int Score, object?[] Args)>();
            foreach (MethodInfo m in named)
            {
                if (TryBind(m.GetParameters(), args, out int score, out object?[] bound))
                    scored.Add((m, score, bound));
            }
            string argTypes = "(" + string.Join(", ", args.Select(a => a?.GetType().Name ?? "null")) + ")";
            if (scored.Count == 0)
                throw GeneratorHarness.Fail($"No overload of {type.FullName}.{methodName} accepts {argTypes}. Candidates:\n{Candidates(type, methodName)}");
            int best = scored.Max(s => s.Score);
            var top = scored.Where(s => s.Score == best).ToList();
            if (top.Count > 1)
                throw GeneratorHarness.Fail($"Ambiguous call {type.FullName}.{methodName}{argTypes}; equally good:\n  " +
                            string.Join("\n  ", top.Select(s => s.Method.Name + Signature(s.Method))));
            callArgs = top[0].Args;
            return top[0].Method;
        }

        private static bool TryBind(ParameterInfo[] ps, object?[] args, out int score, out object?[] bound)
        {
            score = 0;
            bound = Array.Empty<object?>();
            if (args.Length > ps.Length) return false;
            for (int i = args.Length; i < ps.Length; i++)
            {
                if (!ps[i].HasDefaultValue && !ps[i].IsOptional) return false;
            }
            bound = new object?[ps.Length];
            for (int i = 0; i < ps.Length; i++)
            {
                Type pt = ps[i].ParameterType;
                if (pt.IsByRef) pt = pt.GetElementType()!;
                if (pt.IsByRefLike || pt.IsPointer) return false; // spans: use CreateDelegate
                if (i >= args.Length)
                {
                    bound[i] = ps[i].HasDefaultValue ? ps[i].DefaultValue : Type.Missing;
                    continue;
                }
                object? a = args[i];
                if (a is null)
                {
                    if (pt.IsValueType && Nullable.GetUnderlyingType(pt) is null && !ps[i].IsOut) return false;
                    bound[i] = null;
                    score += 1;
                }
                else if (a.GetType() == pt)
                {
                    bound[i] = a;
                    score += 3;
                }
                else if (pt.IsInstanceOfType(a))
                {
                    bound[i] = a;
                    score += 2;
                }
                else if (IsNumeric(a.GetType()) && IsNumeric(pt) && (IsFloating(pt) || !IsFloating(a.GetType())))
                {
                    bound[i] = Convert.ChangeType(a, pt, System.Globalization.CultureInfo.InvariantCulture);
                }
                else
                {
                    return false;
                }
            }
            // Prefer overloads that need no defaulted parameters.
            score -= 4 * (ps.Length - args.Length);
            return true;
        }

        /// <summary>Fails the test (xunit's FailException); the return value only satisfies definite assignment.</summary>
        internal static Exception Fail(string message)
        {
            Assert.Fail(message);
            return new InvalidOperationException(message);
        }

        private static bool IsFloating(Type t) => Type.GetTypeCode(t) is TypeCode.Single or TypeCode.Double or TypeCode.Decimal;

        private static bool IsNumeric(Type t) => Type.GetTypeCode(t) is >= TypeCode.SByte and <= TypeCode.Decimal;

        private static string Candidates(Type type, string methodName) =>
            string.Join("\n", type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.Name == methodName).Select(m => "  " + m.ReturnType.Name + " " + m.Name + Signature(m)));

        private static string Signature(MethodInfo m) =>
            "(" + string.Join(", ", m.GetParameters().Select(p =>
                (p.ParameterType.IsByRef ? (p.IsOut ? "out " : "ref ") + p.ParameterType.GetElementType()!.Name : p.ParameterType.Name) + " " + p.Name)) + ")";

        private static string[] Prepend(string first, string[] rest)
        {
            var all = new string[rest.Length + 1];
            all[0] = first;
            rest.CopyTo(all, 1);
            return all;
        }

        private static ImmutableArray<MetadataReference> LoadReferences()
        {
            string tpa = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
            var excluded = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                Path.GetFileName(typeof(GeneratorHarness).Assembly.Location),
                Path.GetFileName(typeof(TangentGenerator).Assembly.Location),
            };
            string runtime = typeof(DifferentiableAttribute).Assembly.Location;
            var paths = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string p in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string file = Path.GetFileName(p);
                if (!excluded.Contains(file) && p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                    paths[file] = p;
            }
            paths[Path.GetFileName(runtime)] = runtime;
            return paths.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        }
    }

    /// <summary>The outcome of one <see cref="GeneratorHarness.Run"/>.</summary>
    public sealed class GeneratorRun
    {
        private Assembly? _assembly;

        internal GeneratorRun(Compilation input, Compilation output, GeneratorDriver driver, GeneratorDriverRunResult result)
        {
            InputCompilation = input;
            Compilation = output;
            Driver = driver;
            RunResult = result;
            var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (GeneratorRunResult r in result.Results)
            {
                foreach (GeneratedSourceResult s in r.GeneratedSources)
                    sources[s.HintName] = s.SourceText.ToString();
            }
            GeneratedSources = sources;
            GeneratorDiagnostics = result.Diagnostics;
            CompilationDiagnostics = output.GetDiagnostics()
                .Where(d => d.Severity != DiagnosticSeverity.Hidden)
                .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                .ThenBy(d => d.Location.SourceSpan.Start)
                .ToImmutableArray();
        }

        /// <summary>The user's sources only.</summary>
        public Compilation InputCompilation { get; }

        /// <summary>The user's sources plus everything generated.</summary>
        public Compilation Compilation { get; }

        public GeneratorDriver Driver { get; }

        public GeneratorDriverRunResult RunResult { get; }

        /// <summary>Hint name (e.g. <c>Survey.F.g.cs</c>) → generated text, ordered by hint name.</summary>
        public IReadOnlyDictionary<string, string> GeneratedSources { get; }

        /// <summary>Diagnostics reported by the generator.</summary>
        public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

        /// <summary>Errors and warnings (not hidden) of the updated compilation.</summary>
        public ImmutableArray<Diagnostic> CompilationDiagnostics { get; }

        public IEnumerable<Diagnostic> CompilationErrors => CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

        /// <summary>The single generated source whose hint name contains <paramref name="hintNameContains"/>.</summary>
        public string Generated(string hintNameContains)
        {
            var hits = GeneratedSources.Where(kv => kv.Key.Contains(hintNameContains, StringComparison.Ordinal)).ToList();
            if (hits.Count != 1)
                throw GeneratorHarness.Fail($"Expected one generated source whose hint name contains '{hintNameContains}', found {hits.Count}. " +
                            $"Hint names: [{string.Join(", ", GeneratedSources.Keys)}]");
            return hits[0].Value;
        }

        /// <summary>Fails listing every error/warning if the output compilation has errors.</summary>
        public void AssertNoCompilationErrors()
        {
            if (CompilationErrors.Any())
                throw GeneratorHarness.Fail("The compilation has errors:\n" + DescribeDiagnostics(CompilationDiagnostics));
        }

        /// <summary>
        /// Emits the output compilation and loads it into a collectible load context (cached per run).
        /// Fails with each error and the offending source line if emission fails.
        /// </summary>
        public Assembly Emit()
        {
            if (_assembly is not null) return _assembly;
            using var pe = new MemoryStream();
            using var pdb = new MemoryStream();
            Microsoft.CodeAnalysis.Emit.EmitResult emitted = Compilation.Emit(pe, pdb);
            if (!emitted.Success)
            {
                var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                throw GeneratorHarness.Fail($"Emit failed with {errors.Count} error(s):\n{DescribeDiagnostics(errors)}" +
                            $"\nGenerated sources: [{string.Join(", ", GeneratedSources.Keys)}]");
            }
            pe.Position = 0;
            pdb.Position = 0;
            var context = new AssemblyLoadContext("TangentTests_" + Compilation.AssemblyName, isCollectible: true);
            _assembly = context.LoadFromStream(pe, pdb);
            return _assembly;
        }

        /// <summary><see cref="GeneratorHarness.Invoke"/> on <see cref="Emit"/>'s assembly.</summary>
        public object? Invoke(string typeName, string methodName, params object?[] args) =>
            GeneratorHarness.Invoke(Emit(), typeName, methodName, args);

        /// <summary>Renders diagnostics with file, position, id, message and the source line they point at.</summary>
        public static string DescribeDiagnostics(IEnumerable<Diagnostic> diagnostics)
        {
            var sb = new StringBuilder();
            foreach (Diagnostic d in diagnostics)
            {
                sb.Append("  ").Append(d.Severity).Append(' ').Append(d.Id).Append(": ").AppendLine(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
                if (d.Location.IsInSource && d.Location.SourceTree is { } tree)
                {
                    FileLinePositionSpan span = d.Location.GetLineSpan();
                    var text = tree.GetText();
                    int line = span.StartLinePosition.Line;
                    string lineText = text.Lines[line].ToString();
                    sb.Append("    at ").Append(tree.FilePath).Append('(').Append(line + 1).Append(',')
                      .Append(span.StartLinePosition.Character + 1).AppendLine(")");
                    sb.Append("    | ").AppendLine(lineText);
                    int width = span.StartLinePosition.Line == span.EndLinePosition.Line
                        ? Math.Max(1, span.EndLinePosition.Character - span.StartLinePosition.Character)
                        : Math.Max(1, lineText.Length - span.StartLinePosition.Character);
                    sb.Append("    | ").Append(' ', span.StartLinePosition.Character).Append('^', width).AppendLine();
                }
            }
            return sb.ToString();
        }
    }
}
