using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace Tangent.CodeFixes.Tests.Infrastructure
{
    /// <summary>
    /// Checks a code fix on the diagnostics the real generator reports: the source marks, with <c>[|...|]</c>,
    /// the span of the diagnostic to fix; the fix is applied the way an IDE applies it (the code action's
    /// operations) and the result must be the expected text exactly, compile, and no longer report the id.
    /// </summary>
    public static class CodeFixVerifier<TProvider> where TProvider : CodeFixProvider, new()
    {
        /// <summary>
        /// Applies the one fix offered for the diagnostics with <paramref name="id"/> at the marked span (all of
        /// them, as an IDE passes every diagnostic at a span) and compares the text with <paramref name="expected"/>.
        /// <paramref name="remaining"/> counts the diagnostics with the id that other spans still report afterwards.
        /// </summary>
        public static async Task VerifyFixAsync(string markup, string expected, string id, string? title = null, int remaining = 0)
        {
            (string source, TextSpan span) = ParseMarkup(markup);
            Document document = TestWorkspace.CreateDocument(source);
            ImmutableArray<Diagnostic> diagnostics = await DiagnosticsAtAsync(document, id, span);

            IReadOnlyList<CodeAction> actions = await GetFixesAsync(document, span, diagnostics);
            CodeAction action = Assert.Single(actions);

            // A host that hands over the diagnostics as the generator reported them (at file locations) gets the same fix.
            ImmutableArray<Diagnostic> reported = (await TestWorkspace.RunGeneratorAsync(document.Project)).GeneratorDiagnostics
                .Where(d => d.Id == id && d.Location.SourceSpan == span).ToImmutableArray();
            Assert.Equal(action.Title, Assert.Single(await GetFixesAsync(document, span, reported)).Title);
            if (title is not null)
                Assert.Equal(title, action.Title);
            Assert.False(string.IsNullOrEmpty(action.EquivalenceKey), "a fix needs an equivalence key for Fix All");

            Document fixedDocument = await ApplyAsync(action, document);
            Assert.Equal(expected, (await fixedDocument.GetTextAsync()).ToString());
            await AssertCleanAsync(fixedDocument.Project, new[] { id }, remaining);
        }

        /// <summary>The generator reports <paramref name="id"/> at the marked span, and the provider offers no fix for it.</summary>
        public static async Task VerifyNoFixAsync(string markup, string id)
        {
            (string source, TextSpan span) = ParseMarkup(markup);
            Document document = TestWorkspace.CreateDocument(source);
            ImmutableArray<Diagnostic> diagnostics = await DiagnosticsAtAsync(document, id, span);
            Assert.Empty(await GetFixesAsync(document, span, diagnostics));
        }

        /// <summary>
        /// Fix All in <paramref name="scope"/> for the provider's <paramref name="equivalenceKey"/> over the
        /// diagnostics with <paramref name="ids"/>: <paramref name="expected"/> holds the resulting text of
        /// each document, which must compile and report none of the ids.
        /// </summary>
        public static async Task VerifyFixAllAsync(string[] sources, string[] expected, string equivalenceKey, FixAllScope scope, params string[] ids)
        {
            Project project = TestWorkspace.CreateProject(sources);
            ImmutableArray<Diagnostic> before = await TestWorkspace.GetGeneratorDiagnosticsAsync(project);
            Assert.True(before.Count(d => ids.Contains(d.Id)) >= 2, "Fix All needs at least two diagnostics to fix:\n" + Describe(before));

            var provider = new TProvider();
            FixAllProvider? fixAllProvider = provider.GetFixAllProvider();
            Assert.NotNull(fixAllProvider);
            Assert.Contains(scope, fixAllProvider!.GetSupportedFixAllScopes());
            var context = new FixAllContext(
                project.Documents.First(), provider, scope, equivalenceKey, ids, new GeneratorDiagnosticProvider(), CancellationToken.None);
            CodeAction? action = await fixAllProvider.GetFixAsync(context);
            Assert.NotNull(action);

            Solution solution = await ApplyAsync(action!, project.Solution);
            Project fixedProject = solution.GetProject(project.Id)!;
            for (int i = 0; i < sources.Length; i++)
            {
                Document document = fixedProject.Documents.Single(d => d.Name == $"Source{i}.cs");
                Assert.Equal(expected[i], (await document.GetTextAsync()).ToString());
            }
            await AssertCleanAsync(fixedProject, ids, remaining: 0);
        }

        /// <summary>The fixes the provider registers for <paramref name="diagnostics"/> at <paramref name="span"/>.</summary>
        public static async Task<IReadOnlyList<CodeAction>> GetFixesAsync(Document document, TextSpan span, ImmutableArray<Diagnostic> diagnostics)
        {
            var provider = new TProvider();
            foreach (Diagnostic d in diagnostics)
                Assert.Contains(d.Id, provider.FixableDiagnosticIds);
            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, span, diagnostics, (action, _) => actions.Add(action), CancellationToken.None);
            await provider.RegisterCodeFixesAsync(context);
            return actions;
        }

        /// <summary>The generator's diagnostics with <paramref name="id"/> exactly at <paramref name="span"/>; fails if there is none.</summary>
        public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAtAsync(Document document, string id, TextSpan span)
        {
            ImmutableArray<Diagnostic> all = await TestWorkspace.GetGeneratorDiagnosticsAsync(document.Project);
            ImmutableArray<Diagnostic> at = all.Where(d => d.Id == id && d.Location.SourceSpan == span).ToImmutableArray();
            Assert.True(at.Length > 0, $"No {id} at {span}; the generator reported:\n{Describe(all)}");
            return at;
        }

        /// <summary>Runs the action's operations as an IDE does and returns the changed document.</summary>
        public static async Task<Document> ApplyAsync(CodeAction action, Document document) =>
            (await ApplyAsync(action, document.Project.Solution)).GetDocument(document.Id)!;

        private static async Task<Solution> ApplyAsync(CodeAction action, Solution solution)
        {
            ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
            ApplyChangesOperation apply = Assert.Single(operations.OfType<ApplyChangesOperation>());
            Assert.Same(solution.Workspace, apply.ChangedSolution.Workspace);
            return apply.ChangedSolution;
        }

        /// <summary>
        /// The generator reports <paramref name="remaining"/> diagnostics with <paramref name="ids"/> on the
        /// project and no other error, and the project with the generated code compiles.
        /// </summary>
        private static async Task AssertCleanAsync(Project project, string[] ids, int remaining)
        {
            (ImmutableArray<Diagnostic> generator, Compilation output) = await TestWorkspace.RunGeneratorAsync(project);
            var stillReported = generator.Where(d => ids.Contains(d.Id)).ToList();
            Assert.True(stillReported.Count == remaining, $"Expected {remaining} of {string.Join(", ", ids)} after the fix, got:\n" + Describe(stillReported));
            var errors = generator.Where(d => !ids.Contains(d.Id) && d.Severity == DiagnosticSeverity.Error)
                .Concat(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
                .ToList();
            Assert.True(errors.Count == 0, "The fixed code has errors:\n" + Describe(errors));
        }

        /// <summary>Removes the one <c>[|...|]</c> marker and returns the source and the span it marked.</summary>
        private static (string Source, TextSpan Span) ParseMarkup(string markup)
        {
            int start = markup.IndexOf("[|", StringComparison.Ordinal);
            int end = markup.IndexOf("|]", StringComparison.Ordinal);
            Assert.True(start >= 0 && end > start && markup.IndexOf("[|", start + 2, StringComparison.Ordinal) < 0,
                "The source must mark exactly one span with [|...|]");
            string source = markup.Substring(0, start) + markup.Substring(start + 2, end - start - 2) + markup.Substring(end + 2);
            return (source, TextSpan.FromBounds(start, end - 2));
        }

        private static string Describe(IEnumerable<Diagnostic> diagnostics) =>
            string.Join("\n", diagnostics.Select(d => "  " + d)) is { Length: > 0 } text ? text : "  (nothing)";

        /// <summary>Hands Fix All the generator's diagnostics, as an IDE hands it the ones in its error list.</summary>
        private sealed class GeneratorDiagnosticProvider : FixAllContext.DiagnosticProvider
        {
            public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                await TestWorkspace.GetGeneratorDiagnosticsAsync(project, cancellationToken);

            public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            {
                SyntaxTree? tree = await document.GetSyntaxTreeAsync(cancellationToken);
                return (await TestWorkspace.GetGeneratorDiagnosticsAsync(document.Project, cancellationToken)).Where(d => d.Location.SourceTree == tree);
            }

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult(Enumerable.Empty<Diagnostic>());
        }
    }
}
