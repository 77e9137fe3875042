using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Tangent.CodeFixes.Tests.Infrastructure;
using Verify = Tangent.CodeFixes.Tests.Infrastructure.CodeFixVerifier<Tangent.CodeFixes.MakeTypePartialCodeFixProvider>;

namespace Tangent.CodeFixes.Tests
{
    /// <summary>TN0001: the fix declares the type <c>partial</c>, as the last modifier.</summary>
    public class MakeTypePartialTests
    {
        [Fact]
        public Task Partial_goes_after_the_other_modifiers()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static class [|Survey|]
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
                """, """
                using Tangent;

                public static partial class Survey
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
                """, "TN0001", "Make 'Survey' partial");
        }

        [Fact]
        public Task A_type_without_modifiers_keeps_its_doc_comment_before_partial()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                namespace Models
                {
                    /// <summary>A model.</summary>
                    class [|Model|]
                    {
                        [Differentiable]
                        public static double F(double x) => x * x;
                    }
                }
                """, """
                using Tangent;

                namespace Models
                {
                    /// <summary>A model.</summary>
                    partial class Model
                    {
                        [Differentiable]
                        public static double F(double x) => x * x;
                    }
                }
                """, "TN0001");
        }

        [Fact]
        public Task An_attributed_type_gets_partial_after_its_attributes()
        {
            return Verify.VerifyFixAsync("""
                using System.Diagnostics;
                using Tangent;

                [DebuggerDisplay("Model")]
                internal sealed class [|Model|]
                {
                    [Differentiable]
                    public double F(double x) => x * x;
                }
                """, """
                using System.Diagnostics;
                using Tangent;

                [DebuggerDisplay("Model")]
                internal sealed partial class Model
                {
                    [Differentiable]
                    public double F(double x) => x * x;
                }
                """, "TN0001");
        }

        [Fact]
        public Task A_record_struct_gets_partial_before_record()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public readonly record struct [|Point|](double X, double Y)
                {
                    [Differentiable]
                    public static double Norm2(double x, double y) => x * x + y * y;
                }
                """, """
                using Tangent;

                public readonly partial record struct Point(double X, double Y)
                {
                    [Differentiable]
                    public static double Norm2(double x, double y) => x * x + y * y;
                }
                """, "TN0001");
        }

        [Fact]
        public Task A_generic_type_gets_partial()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public class [|Box|]<T>
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
                """, """
                using Tangent;

                public partial class Box<T>
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
                """, "TN0001");
        }

        [Fact]
        public Task Two_methods_report_the_type_twice_and_get_one_fix()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static class [|Model|]
                {
                    [Differentiable]
                    public static double F(double x) => x * x;

                    [Differentiable]
                    public static double G(double x) => x + x;
                }
                """, """
                using Tangent;

                public static partial class Model
                {
                    [Differentiable]
                    public static double F(double x) => x * x;

                    [Differentiable]
                    public static double G(double x) => x + x;
                }
                """, "TN0001");
        }

        [Fact]
        public Task A_nested_type_fixes_one_declaration_and_the_outer_one_still_reports()
        {
            return Verify.VerifyFixAsync("""
                using Tangent;

                public static class Outer
                {
                    public static class [|Inner|]
                    {
                        [Differentiable]
                        public static double F(double x) => x * x;
                    }
                }
                """, """
                using Tangent;

                public static class Outer
                {
                    public static partial class Inner
                    {
                        [Differentiable]
                        public static double F(double x) => x * x;
                    }
                }
                """, "TN0001", remaining: 1);
        }

        [Fact]
        public Task Fix_all_makes_every_type_of_every_document_partial()
        {
            return Verify.VerifyFixAllAsync(
                new[]
                {
                    """
                    using Tangent;

                    public static class Outer
                    {
                        internal static class Inner
                        {
                            [Differentiable]
                            public static double F(double x) => x * x;

                            [Differentiable]
                            public static double G(double x) => x + x;
                        }
                    }
                    """,
                    """
                    using Tangent;

                    sealed class Other
                    {
                        [Differentiable]
                        public static double H(double x) => x * x * x;
                    }
                    """,
                },
                new[]
                {
                    """
                    using Tangent;

                    public static partial class Outer
                    {
                        internal static partial class Inner
                        {
                            [Differentiable]
                            public static double F(double x) => x * x;

                            [Differentiable]
                            public static double G(double x) => x + x;
                        }
                    }
                    """,
                    """
                    using Tangent;

                    sealed partial class Other
                    {
                        [Differentiable]
                        public static double H(double x) => x * x * x;
                    }
                    """,
                },
                MakeTypePartialCodeFixProvider.EquivalenceKey, FixAllScope.Project, "TN0001");
        }
    }
}
