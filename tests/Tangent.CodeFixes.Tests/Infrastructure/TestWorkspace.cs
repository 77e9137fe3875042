using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Tangent.Generator;

namespace Tangent.CodeFixes.Tests.Infrastructure
{
    /// <summary>
    /// A user project in an <see cref="AdhocWorkspace"/>, and the diagnostics the real <see cref="TangentGenerator"/>
    /// reports on it (a generator's diagnostics are not in the compilation, so they are computed by running it).
    /// </summary>
    /// <remarks>
    /// The generator reports its diagnostics at file locations (a path and a span, which its pipeline can cache),
    /// not at locations in a syntax tree. An IDE maps such a location to the document with that path before it
    /// hands the diagnostic to a code fix; <see cref="GetGeneratorDiagnosticsAsync"/> does the same, and
    /// <see cref="RunGeneratorAsync"/> gives the diagnostics as reported.
    /// </remarks>
    public static class TestWorkspace
    {
        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse);

        public static readonly CSharpCompilationOptions CompilationOptions = new(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable);

        private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

        /// <summary>A project with one document per source, named <c>Source0.cs</c>, <c>Source1.cs</c>, ...</summary>
        public static Project CreateProject(params string[] sources)
        {
            var workspace = new AdhocWorkspace();
            ProjectId projectId = ProjectId.CreateNewId();
            Solution solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
                projectId, VersionStamp.Create(), "User", "User", LanguageNames.CSharp,
                compilationOptions: CompilationOptions, parseOptions: ParseOptions, metadataReferences: LazyReferences.Value));
            for (int i = 0; i < sources.Length; i++)
            {
                string name = $"Source{i}.cs";
                solution = solution.AddDocument(DocumentInfo.Create(
                    DocumentId.CreateNewId(projectId), name, filePath: name,
                    loader: TextLoader.From(TextAndVersion.Create(SourceText.From(sources[i]), VersionStamp.Create(), name))));
            }
            return solution.GetProject(projectId)!;
        }

        /// <summary>The single document of a project made from one source.</summary>
        public static Document CreateDocument(string source) => CreateProject(source).Documents.Single();

        /// <summary>Runs the generator on the project's compilation: its diagnostics as reported, in source order, and the compilation with the generated code.</summary>
        public static async Task<(ImmutableArray<Diagnostic> GeneratorDiagnostics, Compilation Output)> RunGeneratorAsync(Project project, CancellationToken cancellationToken = default)
        {
            Compilation compilation = (await project.GetCompilationAsync(cancellationToken))!;
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new TangentGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics, cancellationToken);
            foreach (GeneratorRunResult result in driver.GetRunResult().Results)
                Assert.True(result.Exception is null, $"The generator threw: {result.Exception}");
            return (diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToImmutableArray(), output);
        }

        /// <summary>The generator's diagnostics on the project, with their locations mapped into the documents' syntax trees.</summary>
        public static async Task<ImmutableArray<Diagnostic>> GetGeneratorDiagnosticsAsync(Project project, CancellationToken cancellationToken = default)
        {
            var trees = new Dictionary<string, SyntaxTree>(StringComparer.Ordinal);
            foreach (Document document in project.Documents)
                trees[document.FilePath!] = (await document.GetSyntaxTreeAsync(cancellationToken))!;

            Location Map(Location location) =>
                location.Kind == LocationKind.ExternalFile && trees.TryGetValue(location.GetLineSpan().Path, out SyntaxTree? tree)
                    ? Location.Create(tree, location.SourceSpan)
                    : location;

            ImmutableArray<Diagnostic> reported = (await RunGeneratorAsync(project, cancellationToken)).GeneratorDiagnostics;
            return reported.Select(d => Diagnostic.Create(
                d.Id, d.Descriptor.Category, d.GetMessage(), d.Severity, d.DefaultSeverity, d.Descriptor.IsEnabledByDefault,
                d.WarningLevel, d.IsSuppressed, d.Descriptor.Title, d.Descriptor.Description, d.Descriptor.HelpLinkUri,
                Map(d.Location), d.AdditionalLocations.Select(Map), d.Descriptor.CustomTags, d.Properties)).ToImmutableArray();
        }

        /// <summary>All trusted platform assemblies plus Tangent.Runtime; the test, generator and code-fix assemblies are left out.</summary>
        private static ImmutableArray<MetadataReference> LoadReferences()
        {
            var excluded = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                Path.GetFileName(typeof(TestWorkspace).Assembly.Location),
                Path.GetFileName(typeof(TangentGenerator).Assembly.Location),
                Path.GetFileName(typeof(MakeTypePartialCodeFixProvider).Assembly.Location),
            };
            string runtime = typeof(DifferentiableAttribute).Assembly.Location;
            var paths = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string tpa = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
            foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string file = Path.GetFileName(path);
                if (!excluded.Contains(file) && path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                    paths[file] = path;
            }
            paths[Path.GetFileName(runtime)] = runtime;
            return paths.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        }
    }
}
