using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Tangent.Generator.IR;
using Tangent.Generator.Templates;
using Tangent.Generator.Tests.Infrastructure;

namespace Tangent.Generator.Tests
{
    /// <summary>
    /// The derivative rules themselves: each parses, names only what it may, calls only functions that exist for both
    /// double (Math) and float (MathF), and agrees with central differences.
    /// </summary>
    public class TemplateRegistryTests
    {
        private static readonly DerivativeTemplate[] All = TemplateRegistry.All.ToArray();

        public static IEnumerable<object[]> Keys => TemplateRegistry.All.Select(t => new object[] { t.Key });

        [Fact]
        public void Registry_is_not_empty_and_keys_are_unique()
        {
            Assert.True(All.Length > 30, $"only {All.Length} templates");
            Assert.Equal(All.Length, All.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count());
            foreach (DerivativeTemplate t in All)
                Assert.Same(t, TemplateRegistry.ForKey(t.Key));
        }

        [Theory]
        [MemberData(nameof(Keys))]
        public void Every_partial_parses_and_names_only_its_parameters_g_r_and_functions_of_both_Math_and_MathF(string key)
        {
            DerivativeTemplate template = TemplateRegistry.ForKey(key)!;
            Expr?[] partials = template.Partials; // parses
            Assert.Equal(template.Parameters.Length, partials.Length);
            Assert.Equal(template.Parameters.Length, template.PartialTexts.Length);

            var allowed = new HashSet<string>(template.Parameters, StringComparer.Ordinal) { "g", "r" };
            for (int i = 0; i < partials.Length; i++)
            {
                if (partials[i] is not Expr partial) continue;
                var problems = new List<string>();
                Walk(partial, e =>
                {
                    switch (e)
                    {
                        case VarExpr v when !allowed.Contains(v.Name):
                            problems.Add($"unknown name '{v.Name}'");
                            break;
                        case CallExpr c when !c.Function.StartsWith("M.", StringComparison.Ordinal):
                            problems.Add($"call of '{c.Function}' (only M.-functions are allowed)");
                            break;
                        case CallExpr c:
                        {
                            string name = c.Function.Substring(2);
                            if (!HasStatic(typeof(Math), name, c.Args.Count)) problems.Add($"System.Math has no {name}/{c.Args.Count}");
                            if (!HasStatic(typeof(MathF), name, c.Args.Count)) problems.Add($"System.MathF has no {name}/{c.Args.Count}");
                            break;
                        }
                        case RawExpr r:
                            problems.Add($"raw text '{r.Text}'");
                            break;
                    }
                });
                if (!Mentions(partial, "g")) problems.Add("does not mention g (a partial must be linear in g)");
                Assert.True(problems.Count == 0, $"{key}, partial {i} '{template.PartialTexts[i]}': {string.Join("; ", problems)}");
            }
        }

        [Theory]
        [MemberData(nameof(Keys))]
        public void Every_function_key_names_a_real_function(string key)
        {
            if (TemplateRegistry.ForOperator(key) is not null) return; // an operator: +, /, neg...
            int slash = key.LastIndexOf('/');
            string name = key.Substring(0, slash);
            int arity = int.Parse(key.Substring(slash + 1), CultureInfo.InvariantCulture);
            if (name == "StopGradient")
            {
                Assert.True(HasStatic(typeof(Autodiff), name, arity));
                return;
            }
            Assert.True(HasStatic(typeof(Math), name, arity) || HasStatic(typeof(double), name, arity),
                $"neither System.Math nor double has a static {name} with {arity} parameters");
        }

        [Theory]
        [MemberData(nameof(Keys))]
        public void Every_partial_agrees_with_central_differences(string key)
        {
            DerivativeTemplate template = TemplateRegistry.ForKey(key)!;
            Func<double[], double>? f = Primal(key);
            if (f is null) return; // StopGradient, Round with digits: no double-only primal
            double[] point = Point(key, template.Parameters.Length);
            double r = f(point);
            for (int i = 0; i < template.Parameters.Length; i++)
            {
                double expected = Numeric.CentralDifferenceGradient(f, point)[i];
                double actual = template.Partials[i] is Expr partial ? Evaluate(partial, template, point, r) : 0.0;
                Numeric.AssertClose(expected, actual, rel: 1e-6, abs: 1e-7, what: $"{key} d/d{template.Parameters[i]} at ({string.Join(", ", point)})");
            }
        }

        // ------------------------------------------------------------------ helpers

        private static bool HasStatic(Type type, string name, int arity) =>
            type.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == name && m.GetParameters().Length == arity);

        private static bool Mentions(Expr e, string name) => e is VarExpr v ? v.Name == name : e.Children.Any(c => Mentions(c, name));

        private static void Walk(Expr e, Action<Expr> visit)
        {
            visit(e);
            foreach (Expr c in e.Children) Walk(c, visit);
        }

        /// <summary>A point inside every function's domain, away from kinks (Acosh needs x &gt; 1).</summary>
        private static double[] Point(string key, int arity) =>
            key.StartsWith("Acosh/", StringComparison.Ordinal) ? new[] { 1.6 } : new[] { 0.6, 0.35, 0.8 }.Take(arity).ToArray();

        private static Func<double[], double>? Primal(string key)
        {
            switch (key)
            {
                case Ops.Add: return v => v[0] + v[1];
                case Ops.Subtract: return v => v[0] - v[1];
                case Ops.Multiply: return v => v[0] * v[1];
                case Ops.Divide: return v => v[0] / v[1];
                case Ops.Remainder: return v => v[0] % v[1];
                case Ops.Negate: return v => -v[0];
                case Ops.Plus: return v => +v[0];
            }
            int slash = key.LastIndexOf('/');
            string name = key.Substring(0, slash);
            int arity = int.Parse(key.Substring(slash + 1), CultureInfo.InvariantCulture);
            MethodInfo? m = DoubleFunction(name, arity);
            if (m is null) return null;
            return v => Convert.ToDouble(m.Invoke(null, v.Cast<object>().ToArray()), CultureInfo.InvariantCulture);
        }

        private static MethodInfo? DoubleFunction(string name, int arity)
        {
            Type[] doubles = Enumerable.Repeat(typeof(double), arity).ToArray();
            return typeof(Math).GetMethod(name, BindingFlags.Public | BindingFlags.Static, doubles)
                   ?? typeof(double).GetMethod(name, BindingFlags.Public | BindingFlags.Static, doubles);
        }

        /// <summary>Evaluates a partial with g = 1, r = the primal's value and the parameters at <paramref name="point"/>.</summary>
        private static double Evaluate(Expr e, DerivativeTemplate template, double[] point, double r)
        {
            double Eval(Expr x) => Evaluate(x, template, point, r);
            switch (e)
            {
                case VarExpr v:
                    if (v.Name == "g") return 1;
                    if (v.Name == "r") return r;
                    return point[Array.IndexOf(template.Parameters, v.Name)];
                case ConstExpr c:
                    return double.Parse(c.Text.TrimEnd('f', 'd'), CultureInfo.InvariantCulture);
                case CondExpr k:
                    return Eval(k.Condition) != 0 ? Eval(k.WhenTrue) : Eval(k.WhenFalse);
                case CallExpr call:
                {
                    MethodInfo m = DoubleFunction(call.Function.Substring(2), call.Args.Count)
                                   ?? throw new InvalidOperationException("no double function " + call.Function);
                    return Convert.ToDouble(m.Invoke(null, call.Args.Select(a => (object)Eval(a)).ToArray()), CultureInfo.InvariantCulture);
                }
                case OpExpr o when o.Args.Count == 1:
                    return o.Op switch
                    {
                        Ops.Negate => -Eval(o.Args[0]),
                        Ops.Plus => Eval(o.Args[0]),
                        Ops.Not => Eval(o.Args[0]) != 0 ? 0 : 1,
                        _ => throw new InvalidOperationException("unary " + o.Op),
                    };
                case OpExpr o:
                {
                    double a = Eval(o.Args[0]), b = Eval(o.Args[1]);
                    return o.Op switch
                    {
                        Ops.Add => a + b,
                        Ops.Subtract => a - b,
                        Ops.Multiply => a * b,
                        Ops.Divide => a / b,
                        Ops.Remainder => a % b,
                        Ops.Less => a < b ? 1 : 0,
                        Ops.LessOrEqual => a <= b ? 1 : 0,
                        Ops.Greater => a > b ? 1 : 0,
                        Ops.GreaterOrEqual => a >= b ? 1 : 0,
                        Ops.Equal => a == b ? 1 : 0,
                        Ops.NotEqual => a != b ? 1 : 0,
                        Ops.And => a != 0 && b != 0 ? 1 : 0,
                        Ops.Or => a != 0 || b != 0 ? 1 : 0,
                        _ => throw new InvalidOperationException("binary " + o.Op),
                    };
                }
                default:
                    throw new InvalidOperationException("cannot evaluate " + e);
            }
        }
    }
}
