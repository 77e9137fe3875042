using System.Linq;
using Microsoft.CodeAnalysis;

namespace Tangent.CodeFixes
{
    internal static class SyntaxExtensions
    {
        /// <summary>
        /// Removes the elastic trivia that <c>SyntaxFactory</c> puts around the tokens it creates. A code action
        /// formats the code around elastic trivia after it runs, which would restyle the user's code next to
        /// the fix (<c>[Data] [NoDerivative]</c> became <c>[Data][NoDerivative]</c>); a fix here writes its own
        /// whitespace instead.
        /// </summary>
        public static TNode WithoutElasticTrivia<TNode>(this TNode node) where TNode : SyntaxNode =>
            node.ReplaceTokens(node.DescendantTokens(), (_, token) => token
                .WithLeadingTrivia(token.LeadingTrivia.Where(t => !t.HasAnnotation(SyntaxAnnotation.ElasticAnnotation)))
                .WithTrailingTrivia(token.TrailingTrivia.Where(t => !t.HasAnnotation(SyntaxAnnotation.ElasticAnnotation))));
    }
}
