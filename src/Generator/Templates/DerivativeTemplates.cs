using System;
using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.Helpers;
using Tangent.Generator.IR;

namespace Tangent.Generator.Templates
{
    /// <summary>
    /// The derivative rule of one operation: for each argument, the contribution of that argument's
    /// derivative to the result's, written as C# that is linear in <c>g</c>. Placeholders: the argument
    /// names, <c>r</c> (the result) and <c>g</c>; <c>M.</c> is the math class of the value's type.
    /// The same rule gives both modes: forward, <c>dr = Σ partial(g: darg)</c>; adjoint,
    /// <c>darg += partial(g: dr)</c>. An argument with no rule (null) has no derivative (an int digits
    /// argument, or a zero-derivative function such as Floor).
    /// </summary>
    public sealed class DerivativeTemplate
    {
        internal DerivativeTemplate(string key, string[] parameters, string?[] partialTexts)
        {
            Key = key;
            Parameters = parameters;
            PartialTexts = partialTexts;
            Partials = partialTexts.Select(t => t is null ? null : TemplateParser.Parse(t)).ToArray();
        }

        /// <summary>The operation: an operator spelling or <c>Name/arity</c> for a function.</summary>
        public string Key { get; }

        public string[] Parameters { get; }

        public string?[] PartialTexts { get; }

        public Expr?[] Partials { get; }

        /// <summary>True when no argument has a derivative (Floor, Round, StopGradient...).</summary>
        public bool IsZeroDerivative => Partials.All(p => p is null);

        /// <summary>True when the partial of argument <paramref name="i"/> reads the result <c>r</c>.</summary>
        public bool PartialReadsResult(int i) => Partials[i] is Expr p && Mentions(p, "r");

        /// <summary>The argument positions whose values the partials read (so the adjoint needs them).</summary>
        public bool PartialReadsArgument(int partial, int argument) => Partials[partial] is Expr p && Mentions(p, Parameters[argument]);

        private static bool Mentions(Expr e, string name)
            => e is VarExpr v ? v.Name == name : e.Children.Any(c => Mentions(c, name));

        /// <summary>
        /// Fills the partial of argument <paramref name="i"/>: placeholders become the given expressions,
        /// <c>M.F</c> becomes <paramref name="mathClass"/>.F.
        /// </summary>
        public Expr Instantiate(int i, IReadOnlyList<Expr> args, Expr result, Expr g, string mathClass)
        {
            var partial = Partials[i] ?? throw new InvalidOperationException($"{Key} has no derivative in argument {i}.");
            return Substitute(partial, name =>
            {
                if (name == "g") return g;
                if (name == "r") return result;
                int index = Array.IndexOf(Parameters, name);
                if (index < 0) throw new InvalidOperationException($"Unknown placeholder '{name}' in template {Key}.");
                return args[index];
            }, mathClass);
        }

        private static Expr Substitute(Expr e, Func<string, Expr> lookup, string mathClass)
        {
            switch (e)
            {
                case VarExpr v:
                    return lookup(v.Name);
                case OpExpr o:
                    return new OpExpr(o.Op, o.Args.Select(a => Substitute(a, lookup, mathClass)).ToEquatableArray());
                case CallExpr c:
                {
                    string function = c.Function.StartsWith("M.", StringComparison.Ordinal)
                        ? mathClass + c.Function.Substring(1)
                        : c.Function;
                    return new CallExpr(function, c.Args.Select(a => Substitute(a, lookup, mathClass)).ToEquatableArray(), null, true);
                }
                case CondExpr k:
                    return new CondExpr(Substitute(k.Condition, lookup, mathClass), Substitute(k.WhenTrue, lookup, mathClass), Substitute(k.WhenFalse, lookup, mathClass));
                default:
                    return e;
            }
        }
    }

    /// <summary>
    /// Every derivative rule the generator knows, in one place: Tangent's <c>grads.py</c> and
    /// <c>tangents.py</c> in one table. Adding an operation is adding a line here.
    /// </summary>
    public static class TemplateRegistry
    {
        private static readonly Dictionary<string, DerivativeTemplate> s_operators = new Dictionary<string, DerivativeTemplate>();
        private static readonly Dictionary<string, DerivativeTemplate> s_functions = new Dictionary<string, DerivativeTemplate>();

        static TemplateRegistry()
        {
            // Operators on double and float.
            Operator(Ops.Add, new[] { "a", "b" }, "g", "g");
            Operator(Ops.Subtract, new[] { "a", "b" }, "g", "-g");
            Operator(Ops.Multiply, new[] { "a", "b" }, "g * b", "a * g");
            Operator(Ops.Divide, new[] { "a", "b" }, "g / b", "-g * a / (b * b)");
            Operator(Ops.Remainder, new[] { "a", "b" }, "g", "-g * M.Truncate(a / b)");
            Operator(Ops.Negate, new[] { "x" }, "-g");
            Operator(Ops.Plus, new[] { "x" }, "g");

            // Trigonometric and hyperbolic functions.
            Function("Sin", new[] { "x" }, "g * M.Cos(x)");
            Function("Cos", new[] { "x" }, "-g * M.Sin(x)");
            Function("Tan", new[] { "x" }, "g / (M.Cos(x) * M.Cos(x))");
            Function("Asin", new[] { "x" }, "g / M.Sqrt(1 - x * x)");
            Function("Acos", new[] { "x" }, "-g / M.Sqrt(1 - x * x)");
            Function("Atan", new[] { "x" }, "g / (1 + x * x)");
            Function("Atan2", new[] { "y", "x" }, "g * x / (x * x + y * y)", "-g * y / (x * x + y * y)");
            Function("Sinh", new[] { "x" }, "g * M.Cosh(x)");
            Function("Cosh", new[] { "x" }, "g * M.Sinh(x)");
            Function("Tanh", new[] { "x" }, "g * (1 - r * r)");
            Function("Asinh", new[] { "x" }, "g / M.Sqrt(x * x + 1)");
            Function("Acosh", new[] { "x" }, "g / M.Sqrt(x * x - 1)");
            Function("Atanh", new[] { "x" }, "g / (1 - x * x)");

            // Exponentials, logarithms, powers and roots.
            Function("Exp", new[] { "x" }, "g * r");
            Function("Log", new[] { "x" }, "g / x");
            Function("Log", new[] { "a", "newBase" }, "g / (a * M.Log(newBase))", "-g * r / (newBase * M.Log(newBase))");
            Function("Log10", new[] { "x" }, "g / (x * M.Log(10))");
            Function("Log2", new[] { "x" }, "g / (x * M.Log(2))");
            Function("Sqrt", new[] { "x" }, "g / (2 * r)");
            Function("Cbrt", new[] { "x" }, "g / (3 * r * r)");
            Function("Pow", new[] { "x", "y" }, "g * y * M.Pow(x, y - 1)", "g * r * M.Log(x)");
            Function("Hypot", new[] { "x", "y" }, "r == 0 ? 0 : g * x / r", "r == 0 ? 0 : g * y / r");
            Function("FusedMultiplyAdd", new[] { "a", "b", "c" }, "g * b", "a * g", "g");

            // Kinks, with the documented one-sided choices: Abs'(0) = 0, ties of Max/Min go to the
            // first argument, Clamp at a bound passes the derivative to the value.
            Function("Abs", new[] { "x" }, "x > 0 ? g : x < 0 ? -g : 0");
            Function("Max", new[] { "a", "b" }, "a >= b ? g : 0", "a >= b ? 0 : g");
            Function("Min", new[] { "a", "b" }, "a <= b ? g : 0", "a <= b ? 0 : g");
            Function("Clamp", new[] { "value", "min", "max" },
                "value >= min && value <= max ? g : 0",
                "value < min ? g : 0",
                "value > max ? g : 0");

            // Zero-derivative functions: piecewise constant.
            Function("Floor", new[] { "x" }, (string?)null);
            Function("Ceiling", new[] { "x" }, (string?)null);
            Function("Truncate", new[] { "x" }, (string?)null);
            Function("Sign", new[] { "x" }, (string?)null);
            Function("Round", new[] { "x" }, (string?)null);
            Function("Round", new[] { "x", "digits" }, null, null);
            Function("Round", new[] { "x", "digits", "mode" }, null, null, null);
            Function("StopGradient", new[] { "x" }, (string?)null);
        }

        private static void Operator(string op, string[] parameters, params string?[] partials)
            => s_operators[op] = new DerivativeTemplate(op, parameters, partials);

        private static void Function(string name, string[] parameters, params string?[] partials)
        {
            string key = name + "/" + parameters.Length;
            s_functions[key] = new DerivativeTemplate(key, parameters, partials);
        }

        /// <summary>The rule of an operator (<c>+</c>, <c>neg</c>...), or null when it has none (comparisons).</summary>
        public static DerivativeTemplate? ForOperator(string op) => s_operators.TryGetValue(op, out var t) ? t : null;

        /// <summary>The rule of a Math/MathF/double/float function with this name and arity, or null.</summary>
        public static DerivativeTemplate? ForFunction(string name, int arity)
            => s_functions.TryGetValue(name + "/" + arity, out var t) ? t : null;

        /// <summary>The rule by key (what <see cref="CallExpr.TemplateKey"/> holds).</summary>
        public static DerivativeTemplate? ForKey(string key)
            => s_functions.TryGetValue(key, out var t) ? t : s_operators.TryGetValue(key, out var o) ? o : null;

        /// <summary>All rules, for documentation and tests.</summary>
        public static IEnumerable<DerivativeTemplate> All => s_operators.Values.Concat(s_functions.Values);
    }
}
