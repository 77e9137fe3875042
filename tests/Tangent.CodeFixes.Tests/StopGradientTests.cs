using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Tangent.CodeFixes.Tests.Infrastructure;
using Verify = Tangent.CodeFixes.Tests.Infrastructure.CodeFixVerifier<Tangent.CodeFixes.StopGradientCodeFixProvider>;

namespace Tangent.CodeFixes.Tests
{
    /// <summary>TN2001, TN2005, TN3001: the fix wraps the expression in <c>Autodiff.StopGradient(...)</c>.</summary>
    public class StopGradientTests
    {
        // ------------------------------------------------------------------ TN2001 call has no derivative

        [Fact]
        public Task TN2001_wraps_the_argument_of_a_call_with_no_derivative()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Differentiable]
                    public static double F(double x) => x * Helper([|x|]);
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Differentiable]
                    public static double F(double x) => x * Helper(Autodiff.StopGradient(x));
                }
                """, "TN2001", "Wrap 'x' in Autodiff.StopGradient (no derivative flows through it)");
        }

        [Fact]
        public Task TN2001_without_using_Tangent_writes_the_qualified_name()
        {
            return Verify.VerifyFixAsync("""
                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Tangent.Differentiable]
                    public static double F(double x) => x * Helper([|x * 2|]);
                }
                """, """
                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Tangent.Differentiable]
                    public static double F(double x) => x * Helper(Tangent.Autodiff.StopGradient(x * 2));
                }
                """, "TN2001", "Wrap 'x * 2' in Autodiff.StopGradient (no derivative flows through it)");
        }

        [Fact]
        public Task TN2001_writes_global_when_a_member_named_Tangent_hides_the_namespace()
        {
            return Verify.VerifyFixAsync("""
                public static partial class Model
                {
                    private static double Tangent => 1;

                    private static double Helper(double v) => v + 1;

                    [global::Tangent.Differentiable]
                    public static double F(double x) => Tangent * Helper([|x|]);
                }
                """, """
                public static partial class Model
                {
                    private static double Tangent => 1;

                    private static double Helper(double v) => v + 1;

                    [global::Tangent.Differentiable]
                    public static double F(double x) => Tangent * Helper(global::Tangent.Autodiff.StopGradient(x));
                }
                """, "TN2001");
        }

        [Fact]
        public Task TN2001_inside_namespace_Tangent_writes_the_short_name()
        {
            return Verify.VerifyFixAsync("""
                namespace Tangent.Models
                {
                    public static partial class Model
                    {
                        private static double Helper(double v) => v + 1;

                        [Differentiable]
                        public static double F(double x) => Helper([|x|]);
                    }
                }
                """, """
                namespace Tangent.Models
                {
                    public static partial class Model
                    {
                        private static double Helper(double v) => v + 1;

                        [Differentiable]
                        public static double F(double x) => Helper(Autodiff.StopGradient(x));
                    }
                }
                """, "TN2001");
        }

        [Fact]
        public Task TN2001_keeps_the_name_of_a_named_argument_and_the_comments_around_it()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v, double w) => v * w;

                    [Differentiable]
                    public static double F(double x) => Helper(w: 2, [|v: /* scaled */ x * 3|] /* once */);
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v, double w) => v * w;

                    [Differentiable]
                    public static double F(double x) => Helper(w: 2, v: /* scaled */ Autodiff.StopGradient(x * 3) /* once */);
                }
                """, "TN2001", "Wrap 'x * 3' in Autodiff.StopGradient (no derivative flows through it)");
        }

        [Fact]
        public Task TN2001_wraps_the_receiver_of_an_extension_call_in_place_of_its_parentheses()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static class Extensions
                {
                    public static double Twice(this double v) => 2 * v;
                }

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => x + ([|x - 1|]).Twice();
                }
                """, """
                using Tangent;

                public static class Extensions
                {
                    public static double Twice(this double v) => 2 * v;
                }

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => x + Autodiff.StopGradient(x - 1).Twice();
                }
                """, "TN2001", "Wrap 'x - 1' in Autodiff.StopGradient (no derivative flows through it)");
        }

        [Fact]
        public Task TN2001_wraps_an_array_and_a_float()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    private static double Sum(double[] v, float scale)
                    {
                        double s = 0;
                        foreach (double e in v) s += e;
                        return s * scale;
                    }

                    [Differentiable]
                    public static double F(double[] xs, float s) => Sum([|xs|], 2f);
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    private static double Sum(double[] v, float scale)
                    {
                        double s = 0;
                        foreach (double e in v) s += e;
                        return s * scale;
                    }

                    [Differentiable]
                    public static double F(double[] xs, float s) => Sum(Autodiff.StopGradient(xs), 2f);
                }
                """, "TN2001");
        }

        [Fact]
        public Task TN2001_replaces_the_parentheses_around_a_parenthesized_argument()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Differentiable]
                    public static double F(double x) => Helper(( [|x|] ));
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Differentiable]
                    public static double F(double x) => Helper(Autodiff.StopGradient(x));
                }
                """, "TN2001");
        }

        [Fact]
        public Task TN2001_wraps_an_array_created_from_active_values()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    private static double Sum(params double[] v) => v[0] + v[1];

                    [Differentiable]
                    public static double F(double x) => x * Sum([|new[] { x, 2 * x }|]);
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    private static double Sum(params double[] v) => v[0] + v[1];

                    [Differentiable]
                    public static double F(double x) => x * Sum(Autodiff.StopGradient(new[] { x, 2 * x }));
                }
                """, "TN2001");
        }

        [Fact]
        public Task TN2001_title_shortens_a_long_expression_to_one_line()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Differentiable]
                    public static double F(double first, double second)
                        => Helper([|first * first * first
                                  + second * second * second|]);
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    private static double Helper(double v) => v + 1;

                    [Differentiable]
                    public static double F(double first, double second)
                        => Helper(Autodiff.StopGradient(first * first * first
                                  + second * second * second));
                }
                """, "TN2001", "Wrap 'first * first * first + second * seco...' in Autodiff.StopGradient (no derivative flows through it)");
        }

        [Fact]
        public Task TN2001_offers_no_fix_for_a_span_which_StopGradient_has_no_overload_for()
        {
            return Verify.VerifyNoFixAsync("""
                using System;
                using Tangent;

                public static partial class Model
                {
                    private static double First(ReadOnlySpan<double> v) => v[0];

                    [Differentiable]
                    public static double F(ReadOnlySpan<double> x) => First([|x|]);
                }
                """, "TN2001");
        }

        // ------------------------------------------------------------------ TN2005 argument loses its derivative

        [Fact]
        public Task TN2005_wraps_the_argument_for_a_NoDerivative_parameter()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double G(double v, [NoDerivative] double scale) => v * scale;

                    [Differentiable]
                    public static double F(double x) => G(x, [|x * 2|]);
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double G(double v, [NoDerivative] double scale) => v * scale;

                    [Differentiable]
                    public static double F(double x) => G(x, Autodiff.StopGradient(x * 2));
                }
                """, "TN2005", "Wrap 'x * 2' in Autodiff.StopGradient (no derivative flows through it)");
        }

        [Fact]
        public Task Fix_all_wraps_every_argument_of_TN2001_and_TN2005()
        {
            return Verify.VerifyFixAllAsync(
                new[]
                {
                    """
                    using Tangent;

                    public static partial class Model
                    {
                        private static double Helper(double v) => v + 1;

                        [Differentiable]
                        public static double G(double v, [NoDerivative] double scale) => v * scale;

                        [Differentiable]
                        public static double F(double x, double y) => Helper(x) * G(y, x + y) + Helper(y);
                    }
                    """,
                },
                new[]
                {
                    """
                    using Tangent;

                    public static partial class Model
                    {
                        private static double Helper(double v) => v + 1;

                        [Differentiable]
                        public static double G(double v, [NoDerivative] double scale) => v * scale;

                        [Differentiable]
                        public static double F(double x, double y) => Helper(Autodiff.StopGradient(x)) * G(y, Autodiff.StopGradient(x + y)) + Helper(Autodiff.StopGradient(y));
                    }
                    """,
                },
                StopGradientCodeFixProvider.EquivalenceKey, FixAllScope.Document, "TN2001", "TN2005");
        }

        // ------------------------------------------------------------------ TN3001 zero derivative (being added to the generator)

        [FactWhenCatalogued("TN3001")]
        public Task TN3001_wraps_the_argument_of_Math_Floor()
        {
            return Verify.VerifyFixAsync("""
                using System;
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => x * Math.Floor([|x|]);
                }
                """, """
                using System;
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => x * Math.Floor(Autodiff.StopGradient(x));
                }
                """, "TN3001");
        }

        [FactWhenCatalogued("TN3001")]
        public Task TN3001_wraps_the_operand_of_an_int_cast()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => x * (int)([|x * 10|]);
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => x * (int)Autodiff.StopGradient(x * 10);
                }
                """, "TN3001");
        }
    }
}
