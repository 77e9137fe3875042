using System;
using System.Collections.Generic;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;

namespace Tangent.Generator.Templates
{
    /// <summary>
    /// Parses the small C# expression language the derivative templates are written in: identifiers
    /// (placeholders), integer literals, <c>M.Func(...)</c> calls (M is the math class of the value's type),
    /// unary minus, <c>+ - * /</c>, comparisons, <c>&amp;&amp;</c>, <c>||</c>, <c>?:</c> and parentheses.
    /// </summary>
    internal sealed class TemplateParser
    {
        private readonly string _text;
        private int _pos;

        private TemplateParser(string text) => _text = text;

        public static Expr Parse(string text)
        {
            var parser = new TemplateParser(text);
            var e = parser.ParseConditional();
            parser.SkipSpace();
            if (parser._pos != text.Length) throw new FormatException($"Unexpected '{text.Substring(parser._pos)}' in template '{text}'.");
            return e;
        }

        private Expr ParseConditional()
        {
            var c = ParseBinary(0);
            if (TryEat("?"))
            {
                var a = ParseConditional();
                Expect(":");
                var b = ParseConditional();
                return new CondExpr(c, a, b);
            }
            return c;
        }

        private static readonly string[][] Levels =
        {
            new[] { "||" },
            new[] { "&&" },
            new[] { "==", "!=" },
            new[] { "<=", ">=", "<", ">" },
            new[] { "+", "-" },
            new[] { "*", "/" },
        };

        private Expr ParseBinary(int level)
        {
            if (level == Levels.Length) return ParseUnary();
            var left = ParseBinary(level + 1);
            while (true)
            {
                string? op = null;
                foreach (var candidate in Levels[level])
                {
                    if (TryEat(candidate)) { op = candidate; break; }
                }
                if (op is null) return left;
                var right = ParseBinary(level + 1);
                left = new OpExpr(op, left, right);
            }
        }

        private Expr ParseUnary()
        {
            if (TryEat("-")) return new OpExpr(Ops.Negate, ParseUnary());
            if (TryEat("!")) return new OpExpr(Ops.Not, ParseUnary());
            return ParsePrimary();
        }

        private Expr ParsePrimary()
        {
            SkipSpace();
            if (TryEat("("))
            {
                var e = ParseConditional();
                Expect(")");
                return e;
            }
            if (_pos < _text.Length && char.IsDigit(_text[_pos]))
            {
                int start = _pos;
                while (_pos < _text.Length && char.IsDigit(_text[_pos])) _pos++;
                return new ConstExpr(_text.Substring(start, _pos - start), TypeKind.Int);
            }
            if (_pos < _text.Length && (char.IsLetter(_text[_pos]) || _text[_pos] == '_'))
            {
                int start = _pos;
                while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_' || _text[_pos] == '.')) _pos++;
                string name = _text.Substring(start, _pos - start);
                if (TryEat("("))
                {
                    var args = new List<Expr>();
                    if (!TryEat(")"))
                    {
                        do { args.Add(ParseConditional()); } while (TryEat(","));
                        Expect(")");
                    }
                    return new CallExpr(name, args.ToEquatableArray(), null, true);
                }
                return new VarExpr(name);
            }
            throw new FormatException($"Unexpected input at {_pos} in template '{_text}'.");
        }

        private void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        }

        private bool TryEat(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0) return false;
            // Do not split "<=" into "<" and "=", or "&&" into "&".
            if (token.Length == 1 && _pos + 1 < _text.Length)
            {
                char next = _text[_pos + 1];
                if ((token == "<" || token == ">" || token == "!" || token == "=") && next == '=') return false;
            }
            _pos += token.Length;
            return true;
        }

        private void Expect(string token)
        {
            if (!TryEat(token)) throw new FormatException($"Expected '{token}' at {_pos} in template '{_text}'.");
        }
    }
}
