using System.Collections.Generic;

namespace Tangent.Generator.Helpers
{
    /// <summary>
    /// Hands out unique, readable, deterministic identifiers: the preferred name if free, else the name
    /// followed by the smallest free number (<c>sum</c>, <c>sum1</c>, <c>sum2</c>).
    /// </summary>
    public sealed class NameAllocator
    {
        private readonly HashSet<string> _used = new HashSet<string>();

        public bool IsUsed(string name) => _used.Contains(name);

        public void Reserve(string name) => _used.Add(name);

        /// <summary>A copy of the names taken so far.</summary>
        public HashSet<string> Snapshot() => new HashSet<string>(_used);

        public string Allocate(string preferred)
        {
            if (string.IsNullOrEmpty(preferred)) preferred = "t";
            if (IsKeyword(preferred)) preferred = preferred + "Value";
            if (_used.Add(preferred)) return preferred;
            for (int i = 1; ; i++)
            {
                string candidate = preferred + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (_used.Add(candidate)) return candidate;
            }
        }

        /// <summary>The derivative name of a variable or parameter: <c>x1</c> → <c>dX1</c>.</summary>
        public static string DerivativeName(string name)
        {
            string bare = name.StartsWith("@", System.StringComparison.Ordinal) ? name.Substring(1) : name;
            if (bare.Length == 0) return "d";
            return "d" + char.ToUpperInvariant(bare[0]) + bare.Substring(1);
        }

        private static readonly HashSet<string> s_keywords = new HashSet<string>
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
            "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
            "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
            "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
            "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
            "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
            "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        };

        public static bool IsKeyword(string name) => s_keywords.Contains(name);
    }
}
