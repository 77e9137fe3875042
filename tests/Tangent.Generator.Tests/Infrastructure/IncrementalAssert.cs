using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Tangent.Generator.Tests.Infrastructure
{
    /// <summary>Ready-made edits for <see cref="IncrementalAssert.CachedAfterEdit"/>.</summary>
    public static class Edits
    {
        /// <summary>Adds a new syntax tree (an unrelated file).</summary>
        public static Func<Compilation, Compilation> AddTree(string text, string path = "Added.cs") =>
            c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: path, encoding: Encoding.UTF8));

        /// <summary>Replaces the text of the <paramref name="index"/>-th tree (0 = the first source passed).</summary>
        public static Func<Compilation, Compilation> ReplaceTree(int index, string newText) =>
            c =>
            {
                SyntaxTree old = c.SyntaxTrees.ElementAt(index);
                return c.ReplaceSyntaxTree(old, old.WithChangedText(SourceText.From(newText, Encoding.UTF8)));
            };

        /// <summary>Appends text (e.g. a comment or an unrelated type) to the end of the <paramref name="index"/>-th tree.</summary>
        public static Func<Compilation, Compilation> AppendToTree(int index, string text) =>
            c =>
            {
                SyntaxTree old = c.SyntaxTrees.ElementAt(index);
                SourceText src = old.GetText();
                return c.ReplaceSyntaxTree(old, old.WithChangedText(src.WithChanges(new TextChange(new TextSpan(src.Length, 0), text))));
            };

        /// <summary>No change at all (a fresh, equal compilation).</summary>
        public static Func<Compilation, Compilation> Clone => c => c.Clone();
    }

    /// <summary>Incremental-caching assertions in the NetEscapades.EnumGenerators / System.Text.Json style.</summary>
    public static class IncrementalAssert
    {
        private static readonly Type[] ForbiddenTypes =
        {
            typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(SyntaxNodeOrToken),
            typeof(SyntaxReference), typeof(SemanticModel), typeof(Compilation), typeof(Location), typeof(SyntaxTree),
            typeof(AttributeData), typeof(Diagnostic), typeof(IOperation),
        };

        /// <summary>
        /// Runs the generator on <paramref name="sources"/>, applies <paramref name="edit"/>, runs again on the same driver,
        /// and asserts that every output of every step named in <paramref name="trackingNames"/> is Cached or Unchanged
        /// (and, if <paramref name="checkSourceOutputs"/>, that every source output step is too). Also asserts that the
        /// named steps hold no Roslyn symbols/syntax/compilations (<see cref="AssertNoForbiddenTypes"/>).
        /// Returns both run results for further checks.
        /// </summary>
        public static (GeneratorDriverRunResult First, GeneratorDriverRunResult Second) CachedAfterEdit(
            string[] sources, Func<Compilation, Compilation> edit, string[] trackingNames, bool checkSourceOutputs = true)
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            GeneratorDriverRunResult first = driver.GetRunResult();
            GeneratorHarness.ThrowIfGeneratorFailed(first);

            Compilation edited = edit(compilation);
            driver = driver.RunGenerators(edited);
            GeneratorDriverRunResult second = driver.GetRunResult();
            GeneratorHarness.ThrowIfGeneratorFailed(second);

            AssertStepsExist(first, trackingNames);
            AssertNoForbiddenTypes(first, trackingNames);

            var problems = new List<string>();
            IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> steps = second.Results.Single().TrackedSteps;
            foreach (string name in trackingNames)
            {
                if (!steps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> runs))
                    continue; // a step that did not run at all on the second pass is trivially cached
                for (int r = 0; r < runs.Length; r++)
                {
                    for (int o = 0; o < runs[r].Outputs.Length; o++)
                    {
                        (object value, IncrementalStepRunReason reason) = runs[r].Outputs[o];
                        if (reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                            problems.Add($"step '{name}' run {r} output {o}: {reason} (value: {Describe(value)})");
                    }
                }
            }
            if (checkSourceOutputs)
            {
                foreach (KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>> kv in second.Results.Single().TrackedOutputSteps)
                {
                    for (int r = 0; r < kv.Value.Length; r++)
                    {
                        // Reporting diagnostics against the new compilation's syntax trees reruns by design (it lowers nothing).
                        if (kv.Value[r].Inputs.Any(i => i.Source.Name == TrackingNames.DiagnosticsReport)) continue;
                        foreach ((object _, IncrementalStepRunReason reason) in kv.Value[r].Outputs)
                        {
                            if (reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                                problems.Add($"output step '{kv.Key}' run {r}: {reason}");
                        }
                    }
                }
            }
            if (problems.Count > 0)
                throw GeneratorHarness.Fail("After the edit these generator steps were recomputed with a new result " +
                                            "(expected Cached or Unchanged):\n  " + string.Join("\n  ", problems));
            return (first, second);
        }

        /// <summary>Single-source convenience overload.</summary>
        public static (GeneratorDriverRunResult First, GeneratorDriverRunResult Second) CachedAfterEdit(
            string source, Func<Compilation, Compilation> edit, params string[] trackingNames) =>
            CachedAfterEdit(new[] { source }, edit, trackingNames);

        /// <summary>Fails unless every name appears among the tracked steps of the run (catches renamed/misspelt names).</summary>
        public static void AssertStepsExist(GeneratorDriverRunResult run, IEnumerable<string> trackingNames)
        {
            IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> steps = run.Results.Single().TrackedSteps;
            string[] missing = trackingNames.Where(n => !steps.ContainsKey(n)).ToArray();
            if (missing.Length > 0)
                throw GeneratorHarness.Fail($"Tracked step(s) not found: {string.Join(", ", missing)}. " +
                                            $"Steps that ran: {string.Join(", ", steps.Keys.OrderBy(k => k, StringComparer.Ordinal))}");
        }

        /// <summary>
        /// Walks every output value of the named steps and fails if any holds (or is declared to hold) an
        /// <see cref="ISymbol"/>, <see cref="SyntaxNode"/>, <see cref="SemanticModel"/>, <see cref="Compilation"/>,
        /// <see cref="Location"/>, <see cref="SyntaxTree"/> or similar, naming the step and the member path.
        /// </summary>
        public static void AssertNoForbiddenTypes(GeneratorDriverRunResult run, IEnumerable<string> trackingNames)
        {
            var problems = new List<string>();
            IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> steps = run.Results.Single().TrackedSteps;
            foreach (string name in trackingNames)
            {
                if (!steps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> runs)) continue;
                for (int r = 0; r < runs.Length; r++)
                {
                    for (int o = 0; o < runs[r].Outputs.Length; o++)
                        problems.AddRange(FindForbidden(runs[r].Outputs[o].Value, $"{name}[run {r}].Outputs[{o}]"));
                }
            }
            if (problems.Count > 0)
                throw GeneratorHarness.Fail("Pipeline values must be equatable models without Roslyn objects " +
                                            "(they defeat caching and keep compilations alive):\n  " + string.Join("\n  ", problems.Distinct()));
        }

        /// <summary>
        /// Recursively inspects <paramref name="value"/> (fields incl. record/auto-property backing fields, collections,
        /// tuples, ImmutableArray, any IEnumerable such as EquatableArray) and returns one line per forbidden member:
        /// <c>path: TypeName</c>. Members whose declared type is forbidden are reported even when null.
        /// </summary>
        public static IReadOnlyList<string> FindForbidden(object? value, string rootName = "value")
        {
            var found = new List<string>();
            var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
            Walk(value, rootName, found, visited, depth: 0);
            return found;
        }

        private static void Walk(object? value, string path, List<string> found, HashSet<object> visited, int depth)
        {
            if (value is null || depth > 64) return;
            Type type = value.GetType();
            if (IsForbidden(type, out Type? which))
            {
                found.Add($"{path}: {type.Name} (a {which!.Name})");
                return;
            }
            if (IsLeaf(type)) return;
            if (!type.IsValueType && !visited.Add(value)) return;

            if (value is IEnumerable enumerable)
            {
                if (type.IsArray && IsLeaf(type.GetElementType()!)) return;
                if (IsDefaultImmutableArray(value, type)) return;
                int i = 0;
                IEnumerator e;
                try { e = enumerable.GetEnumerator(); }
                catch (Exception) { e = Array.Empty<object>().GetEnumerator(); } // e.g. a default EquatableArray
                while (e.MoveNext())
                {
                    Walk(e.Current, $"{path}[{i}]", found, visited, depth + 1);
                    i++;
                }
                if (type.IsArray || IsSystemCollection(type)) return;
                // A user collection (EquatableArray): also check its own fields' declared types below.
            }

            for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            {
                foreach (FieldInfo f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    string member = MemberName(f);
                    if (ContainsForbidden(f.FieldType, out Type? declared))
                    {
                        found.Add($"{path}.{member}: declared as {Pretty(f.FieldType)} (contains {declared!.Name})");
                        continue;
                    }
                    if (value is IEnumerable && f.FieldType.IsArray) continue; // already enumerated
                    if (f.FieldType.IsPointer || f.FieldType.IsByRefLike) continue;
                    Walk(f.GetValue(value), $"{path}.{member}", found, visited, depth + 1);
                }
            }
        }

        private static bool IsForbidden(Type type, out Type? which)
        {
            which = ForbiddenTypes.FirstOrDefault(f => f.IsAssignableFrom(type));
            return which is not null;
        }

        private static bool ContainsForbidden(Type type, out Type? which)
        {
            if (IsForbidden(type, out which)) return true;
            if (type.HasElementType) return ContainsForbidden(type.GetElementType()!, out which);
            if (type.IsGenericType)
            {
                foreach (Type arg in type.GetGenericArguments())
                    if (ContainsForbidden(arg, out which)) return true;
            }
            which = null;
            return false;
        }

        private static bool IsLeaf(Type t) =>
            t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) ||
            t == typeof(TimeSpan) || t == typeof(Guid) || typeof(Type).IsAssignableFrom(t) || typeof(Delegate).IsAssignableFrom(t) ||
            t == typeof(TextSpan) || t == typeof(LinePositionSpan) || t == typeof(LinePosition) || typeof(SourceText).IsAssignableFrom(t) ||
            t == typeof(StringBuilder) || typeof(MemberInfo).IsAssignableFrom(t);

        private static bool IsSystemCollection(Type t) =>
            t.Namespace is { } ns && (ns == "System" || ns.StartsWith("System.Collections", StringComparison.Ordinal));

        private static bool IsDefaultImmutableArray(object value, Type type) =>
            type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>) &&
            (bool)type.GetProperty(nameof(ImmutableArray<int>.IsDefault))!.GetValue(value)!;

        private static string MemberName(FieldInfo f)
        {
            // <Name>k__BackingField → Name (auto-properties, records).
            string n = f.Name;
            if (n.StartsWith("<", StringComparison.Ordinal))
            {
                int end = n.IndexOf('>', StringComparison.Ordinal);
                if (end > 1) return n.Substring(1, end - 1);
            }
            return n;
        }

        private static string Pretty(Type t) =>
            t.IsGenericType
                ? t.Name.Substring(0, t.Name.IndexOf('`', StringComparison.Ordinal)) + "<" + string.Join(", ", t.GetGenericArguments().Select(Pretty)) + ">"
                : t.Name;

        private static string Describe(object? value)
        {
            string s = value?.ToString() ?? "null";
            s = s.Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
            return s.Length > 160 ? s.Substring(0, 157) + "..." : s;
        }
    }
}
