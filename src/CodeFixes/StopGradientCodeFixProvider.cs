using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Tangent.CodeFixes
{
    /// <summary>
    /// TN2001, TN2005 and TN3001: wraps the expression the diagnostic is on in <c>Autodiff.StopGradient(...)</c>,
    /// which says that no derivative flows through it on purpose. <c>Autodiff</c> is spelled as
    /// <see cref="TangentNames.TypeInExpression"/> says: <c>Autodiff.StopGradient</c> under <c>using Tangent;</c>,
    /// <c>Tangent.Autodiff.StopGradient</c> without it.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StopGradientCodeFixProvider)), Shared]
    public sealed class StopGradientCodeFixProvider : CodeFixProvider
    {
        /// <summary>The equivalence key of the fix (one for every expression, so Fix All applies it everywhere).</summary>
        public const string EquivalenceKey = "Tangent.StopGradient";

        /// <summary>How much of the expression the fix's title shows.</summary>
        private const int MaxTitleExpressionLength = 40;

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
            DiagnosticIds.NoDerivative,
            DiagnosticIds.ArgumentLosesDerivative,
            DiagnosticIds.ZeroDerivative);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            Document document = context.Document;
            SyntaxNode? root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            SemanticModel? model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            INamedTypeSymbol? autodiff = model?.Compilation.GetTypeByMetadataName(TangentNames.Autodiff);
            if (root is null || model is null || autodiff is null)
                return;

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                ExpressionSyntax? expression = FindExpression(root, diagnostic);
                if (expression is null || !HasStopGradientOverload(model.GetTypeInfo(expression, context.CancellationToken).Type))
                    continue;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Wrap '{Abbreviate(WithoutParentheses(expression))}' in Autodiff.StopGradient (no derivative flows through it)",
                        ct => WrapAsync(document, expression, TangentNames.TypeInExpression(model, expression.SpanStart, autodiff), ct),
                        EquivalenceKey),
                    diagnostic);
            }
        }

        /// <summary>
        /// The expression the diagnostic is on: the expression of an argument (TN2001, TN2005; not a
        /// <c>ref</c>, <c>out</c> or <c>in</c> argument, which cannot be wrapped), or the expression itself
        /// (a receiver for TN2001, an operand for TN3001). Null when the location is not exactly such an
        /// expression, or when it is the whole call (an additional location), which wrapping would not fix.
        /// </summary>
        private static ExpressionSyntax? FindExpression(SyntaxNode root, Diagnostic diagnostic)
        {
            TextSpan span = diagnostic.Location.SourceSpan;
            if (diagnostic.AdditionalLocations.Any(l => l.SourceSpan == span))
                return null;

            // Nodes that share the span, innermost first: an identifier, its argument, ...
            ExpressionSyntax? expression = null;
            for (SyntaxNode? node = root.FindNode(span, getInnermostNodeForTie: true); node != null && node.Span == span; node = node.Parent)
            {
                if (node is ArgumentSyntax argument)
                    return argument.RefKindKeyword.IsKind(SyntaxKind.None) ? argument.Expression : null;
                if (node is ExpressionSyntax e)
                    expression = e;
            }
            return expression;
        }

        /// <summary>Whether <c>Autodiff.StopGradient</c> has an overload for the type: double, float, and their 1-D and 2-D arrays.</summary>
        private static bool HasStopGradientOverload(ITypeSymbol? type)
        {
            if (type is IArrayTypeSymbol array)
                return array.Rank <= 2 && IsFloatingPoint(array.ElementType);
            return type is not null && IsFloatingPoint(type);

            static bool IsFloatingPoint(ITypeSymbol t) => t.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
        }

        /// <summary>
        /// Replaces <paramref name="expression"/>, with the parentheses around it or inside it, by
        /// <c>Autodiff.StopGradient(expression)</c>, which needs none: <c>(int)(x * 2)</c> becomes
        /// <c>(int)Autodiff.StopGradient(x * 2)</c>. The replaced expression's outer trivia goes around the call.
        /// </summary>
        private static async Task<Document> WrapAsync(Document document, ExpressionSyntax expression, NameSyntax autodiff, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            ExpressionSyntax replaced = expression;
            while (replaced.Parent is ParenthesizedExpressionSyntax parenthesized)
                replaced = parenthesized;
            // The expression's trivia moves out to the call, or, inside removed parentheses, stays if it holds a comment.
            ExpressionSyntax argument = WithoutParentheses(expression);
            if (argument == replaced || (IsWhitespace(argument.GetLeadingTrivia()) && IsWhitespace(argument.GetTrailingTrivia())))
                argument = argument.WithoutTrivia();

            ExpressionSyntax stopGradient = SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression, autodiff, SyntaxFactory.IdentifierName("StopGradient"));
            InvocationExpressionSyntax call = SyntaxFactory.InvocationExpression(
                    stopGradient,
                    SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(argument))))
                .WithoutElasticTrivia()
                .WithTriviaFrom(replaced);

            return document.WithSyntaxRoot(root.ReplaceNode(replaced, call));
        }

        private static bool IsWhitespace(SyntaxTriviaList trivia) =>
            trivia.All(t => t.IsKind(SyntaxKind.WhitespaceTrivia) || t.IsKind(SyntaxKind.EndOfLineTrivia));

        private static ExpressionSyntax WithoutParentheses(ExpressionSyntax expression)
        {
            while (expression is ParenthesizedExpressionSyntax parenthesized)
                expression = parenthesized.Expression;
            return expression;
        }

        /// <summary>The expression's text on one line, shortened for a title.</summary>
        private static string Abbreviate(ExpressionSyntax expression)
        {
            string text = Regex.Replace(expression.ToString(), @"\s+", " ");
            return text.Length <= MaxTitleExpressionLength ? text : text.Substring(0, MaxTitleExpressionLength - 3) + "...";
        }
    }
}
