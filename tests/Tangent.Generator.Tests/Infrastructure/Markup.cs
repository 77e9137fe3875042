using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Tangent.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Source text with expected diagnostic spans marked in it. <c>[|text|]</c> marks a span of the test's
    /// main diagnostic id; <c>{|TN0002:text|}</c> marks a span of another id. Spans do not nest.
    /// </summary>
    public sealed class Markup
    {
        private Markup(string source, IReadOnlyList<(string? Id, TextSpan Span)> spans)
        {
            Source = source;
            Spans = spans;
        }

        /// <summary>The source with the markers removed.</summary>
        public string Source { get; }

        /// <summary>The marked spans in source order; Id is null for <c>[|...|]</c>.</summary>
        public IReadOnlyList<(string? Id, TextSpan Span)> Spans { get; }

        public static Markup Parse(string markup)
        {
            var sb = new StringBuilder(markup.Length);
            var spans = new List<(string?, TextSpan)>();
            int i = 0;
            while (i < markup.Length)
            {
                if (Starts(markup, i, "[|"))
                {
                    int end = markup.IndexOf("|]", i + 2, StringComparison.Ordinal);
                    if (end < 0) throw new FormatException("Unclosed [| at " + i);
                    string inner = markup.Substring(i + 2, end - i - 2);
                    spans.Add((null, new TextSpan(sb.Length, inner.Length)));
                    sb.Append(inner);
                    i = end + 2;
                }
                else if (Starts(markup, i, "{|"))
                {
                    int colon = markup.IndexOf(':', i + 2);
                    int end = markup.IndexOf("|}", i + 2, StringComparison.Ordinal);
                    if (colon < 0 || end < 0 || colon > end) throw new FormatException("Bad {|ID:...|} at " + i);
                    string id = markup.Substring(i + 2, colon - i - 2);
                    string inner = markup.Substring(colon + 1, end - colon - 1);
                    spans.Add((id, new TextSpan(sb.Length, inner.Length)));
                    sb.Append(inner);
                    i = end + 2;
                }
                else
                {
                    sb.Append(markup[i]);
                    i++;
                }
            }
            return new Markup(sb.ToString(), spans);
        }

        private static bool Starts(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0;
    }
}
