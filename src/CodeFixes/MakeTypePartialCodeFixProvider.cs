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
    /// TN0001: declares the type <c>partial</c>, so that the generator can add the derivative methods to it.
    /// Each non-partial type around a [Differentiable] method has its own TN0001, so a nested type is
    /// fixed one declaration at a time, or all at once with Fix All.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeTypePartialCodeFixProvider)), Shared]
    public sealed class MakeTypePartialCodeFixProvider : CodeFixProvider
    {
        /// <summary>The equivalence key of the fix (one for every type, so Fix All applies it everywhere).</summary>
        public const string EquivalenceKey = "Tangent.MakeTypePartial";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TypeNotPartial);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
                return;

            // Every [Differentiable] method of the type reports the type, so several diagnostics can share
            // one identifier: they get one fix between them.
            var byDeclaration = context.Diagnostics
                .Select(d => (Diagnostic: d, Declaration: FindDeclaration(root, d.Location)))
                .Where(x => x.Declaration is not null && !x.Declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                .GroupBy(x => x.Declaration!);
            foreach (var group in byDeclaration)
            {
                TypeDeclarationSyntax declaration = group.Key;
                Document document = context.Document;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Make '{declaration.Identifier.ValueText}' partial",
                        ct => MakePartialAsync(document, declaration, ct),
                        EquivalenceKey),
                    group.Select(x => x.Diagnostic).ToImmutableArray());
            }
        }

        /// <summary>The type declaration whose identifier is the diagnostic's location.</summary>
        private static TypeDeclarationSyntax? FindDeclaration(SyntaxNode root, Location location)
        {
            SyntaxToken identifier = root.FindToken(location.SourceSpan.Start);
            return identifier.Span == location.SourceSpan && identifier.Parent is TypeDeclarationSyntax declaration && declaration.Identifier == identifier
                ? declaration
                : null;
        }

        /// <summary>
        /// Adds <c>partial</c> as the last modifier, right before <c>class</c>, <c>struct</c>, <c>interface</c>
        /// or <c>record</c>, where C# requires it (<c>public static partial class</c>, <c>readonly ref partial struct</c>).
        /// The keyword's leading trivia (indentation, or a doc comment when there are no modifiers) moves to
        /// <c>partial</c>.
        /// </summary>
        private static async Task<Document> MakePartialAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            SyntaxToken keyword = declaration.Keyword;
            SyntaxToken partialKeyword = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            TypeDeclarationSyntax partialDeclaration = declaration
                .WithKeyword(keyword.WithLeadingTrivia(SyntaxTriviaList.Empty))
                .WithModifiers(declaration.Modifiers.Add(partialKeyword));
            return document.WithSyntaxRoot(root.ReplaceNode(declaration, partialDeclaration));
        }
    }
}
