using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tangent.CodeFixes
{
    /// <summary>
    /// TN0003 and TN3003: marks the parameter <c>[NoDerivative]</c>, so it is data that gets no tangent and no
    /// adjoint. The attribute is spelled as <see cref="TangentNames.Attribute"/> says: <c>[NoDerivative]</c>
    /// under <c>using Tangent;</c>, <c>[Tangent.NoDerivative]</c> without it.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NoDerivativeCodeFixProvider)), Shared]
    public sealed class NoDerivativeCodeFixProvider : CodeFixProvider
    {
        /// <summary>The equivalence key of the fix (one for every parameter, so Fix All applies it everywhere).</summary>
        public const string EquivalenceKey = "Tangent.NoDerivative";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
            DiagnosticIds.UnsupportedParameterType,
            DiagnosticIds.UnusedParameter);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            Document document = context.Document;
            SyntaxNode? root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            SemanticModel? model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            INamedTypeSymbol? noDerivative = model?.Compilation.GetTypeByMetadataName(TangentNames.NoDerivativeAttribute);
            if (root is null || model is null || noDerivative is null)
                return;

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                // The location is the parameter (or a part of it, such as its name).
                ParameterSyntax? parameter = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<ParameterSyntax>();
                if (parameter is null || HasAttribute(model, parameter, noDerivative, context.CancellationToken))
                    continue;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Mark parameter '{parameter.Identifier.ValueText}' [NoDerivative] (it gets no derivative)",
                        ct => AddNoDerivativeAsync(document, parameter, TangentNames.Attribute(model, parameter.SpanStart, noDerivative), ct),
                        EquivalenceKey),
                    diagnostic);
            }
        }

        private static bool HasAttribute(SemanticModel model, ParameterSyntax parameter, INamedTypeSymbol attribute, CancellationToken cancellationToken) =>
            model.GetDeclaredSymbol(parameter, cancellationToken) is IParameterSymbol symbol
            && symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));

        /// <summary>
        /// Adds <c>[NoDerivative]</c> as a list of its own after the parameter's attribute lists, right before
        /// its modifiers or type, which hand their leading trivia to it: <c>[NoDerivative] double[][] rows</c>,
        /// <c>[A] [NoDerivative] double[][] rows</c>, and a parameter on a line of its own keeps its indentation.
        /// </summary>
        private static async Task<Document> AddNoDerivativeAsync(Document document, ParameterSyntax parameter, NameSyntax noDerivative, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            SyntaxToken next = parameter.Modifiers.Count > 0 ? parameter.Modifiers[0]
                : parameter.Type?.GetFirstToken() ?? parameter.Identifier;

            AttributeListSyntax list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(noDerivative)))
                .WithoutElasticTrivia()
                .WithLeadingTrivia(next.LeadingTrivia)
                .WithTrailingTrivia(SyntaxFactory.Space);

            ParameterSyntax marked = parameter.ReplaceToken(next, next.WithLeadingTrivia(SyntaxTriviaList.Empty));
            marked = marked.WithAttributeLists(marked.AttributeLists.Add(list));

            return document.WithSyntaxRoot(root.ReplaceNode(parameter, marked));
        }
    }
}
