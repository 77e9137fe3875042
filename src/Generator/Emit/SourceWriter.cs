using System.Text;

namespace Tangent.Generator.Emit
{
    /// <summary>Writes indented C# lines, with '\n' line endings on every platform (deterministic output).</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _sb = new StringBuilder();
        private int _indent;

        public void Line(string text = "")
        {
            if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
            _sb.Append('\n');
        }

        /// <summary>Starts a line that is not empty: the caller appends its text to the builder returned, then calls <see cref="EndLine"/>.</summary>
        public StringBuilder BeginLine() => _sb.Append(' ', _indent * 4);

        public void EndLine() => _sb.Append('\n');

        public void Open(string header)
        {
            Line(header);
            OpenBlock();
        }

        /// <summary>Opens a block under a header line already written.</summary>
        public void OpenBlock()
        {
            Line("{");
            _indent++;
        }

        public void Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
        }

        public override string ToString() => _sb.ToString();
    }
}
