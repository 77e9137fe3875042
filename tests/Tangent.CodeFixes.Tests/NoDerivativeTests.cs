using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Tangent.CodeFixes.Tests.Infrastructure;
using Verify = Tangent.CodeFixes.Tests.Infrastructure.CodeFixVerifier<Tangent.CodeFixes.NoDerivativeCodeFixProvider>;

namespace Tangent.CodeFixes.Tests
{
    /// <summary>TN0003, TN3003: the fix marks the parameter <c>[NoDerivative]</c>.</summary>
    public class NoDerivativeTests
    {
        // ------------------------------------------------------------------ TN0003 unsupported parameter type

        [Fact]
        public Task TN0003_marks_a_jagged_array_parameter()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x, [|double[][] rows|]) => x * rows.Length;
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x, [NoDerivative] double[][] rows) => x * rows.Length;
                }
                """, "TN0003", "Mark parameter 'rows' [NoDerivative] (it gets no derivative)");
        }

        [Fact]
        public Task TN0003_without_using_Tangent_writes_the_qualified_name()
        {
            return Verify.VerifyFixAsync("""
                public static partial class Model
                {
                    [Tangent.Differentiable]
                    public static double F(double x, [|double[,,] cube|]) => x * cube.Length;
                }
                """, """
                public static partial class Model
                {
                    [Tangent.Differentiable]
                    public static double F(double x, [Tangent.NoDerivative] double[,,] cube) => x * cube.Length;
                }
                """, "TN0003");
        }

        [Fact]
        public Task TN0003_adds_a_list_after_the_existing_attributes_and_before_params()
        {
            return Verify.VerifyFixAsync("""
                using System;
                using Tangent;

                [AttributeUsage(AttributeTargets.Parameter)]
                public sealed class DataAttribute : Attribute { }

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x, [|[Data] params float[][] rows|]) => x * rows.Length;
                }
                """, """
                using System;
                using Tangent;

                [AttributeUsage(AttributeTargets.Parameter)]
                public sealed class DataAttribute : Attribute { }

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x, [Data] [NoDerivative] params float[][] rows) => x * rows.Length;
                }
                """, "TN0003");
        }

        [Fact]
        public Task TN0003_a_parameter_on_a_line_of_its_own_keeps_its_indentation()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(
                        double x,
                        [|double[][] rows|])
                        => x * rows.Length;
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(
                        double x,
                        [NoDerivative] double[][] rows)
                        => x * rows.Length;
                }
                """, "TN0003");
        }

        [Fact]
        public Task Fix_all_marks_every_unsupported_parameter()
        {
            return Verify.VerifyFixAllAsync(
                new[]
                {
                    """
                    using Tangent;

                    public static partial class Model
                    {
                        [Differentiable]
                        public static double F(double x, double[][] rows, float[,,] cube) => x * rows.Length * cube.Length;

                        [Differentiable]
                        public static double G(double[][] a, double y) => y * a.Length;
                    }
                    """,
                },
                new[]
                {
                    """
                    using Tangent;

                    public static partial class Model
                    {
                        [Differentiable]
                        public static double F(double x, [NoDerivative] double[][] rows, [NoDerivative] float[,,] cube) => x * rows.Length * cube.Length;

                        [Differentiable]
                        public static double G([NoDerivative] double[][] a, double y) => y * a.Length;
                    }
                    """,
                },
                NoDerivativeCodeFixProvider.EquivalenceKey, FixAllScope.Document, "TN0003");
        }

        // ------------------------------------------------------------------ TN3003 unused parameter (being added to the generator)

        [FactWhenCatalogued("TN3003")]
        public Task TN3003_marks_an_unused_parameter()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x, [|double unused|]) => x * x;
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x, [NoDerivative] double unused) => x * x;
                }
                """, "TN3003");
        }
    }
}
