using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Tangent.Generator.Diagnostics;
using Tangent.Generator.Tests.Infrastructure;

namespace Tangent.Generator.Tests
{
    /// <summary>
    /// One test per diagnostic id: the id, severity, exact span (marked <c>[|...|]</c> in the source) and the
    /// words of the message, plus a near miss that must produce no diagnostic and code that compiles.
    /// </summary>
    public class DiagnosticsTests
    {
        private const DiagnosticSeverity Error = DiagnosticSeverity.Error;

        // ------------------------------------------------------------------ TN0001 containing type not partial

        [Fact]
        public void TN0001_type_not_partial_is_reported_at_the_type_identifier()
        {
            Expect(@"
using Tangent;

public static class [|C|]
{
    [Differentiable]
    public static double F(double x) => x * x;
}", "TN0001", Error, "'C'", "'F'", "declare it 'partial'");
        }

        [Fact]
        public void TN0001_nested_type_whose_outer_type_is_not_partial_is_reported_at_the_outer_identifier()
        {
            Expect(@"
using Tangent;

public static class [|Outer|]
{
    public static partial class Inner
    {
        [Differentiable]
        public static double F(double x) => x * x;
    }
}", "TN0001", Error, "'Outer'", "'F'", "declare it 'partial'");
        }

        [Fact]
        public void TN0001_each_non_partial_type_of_the_nesting_is_reported()
        {
            Expect(@"
using Tangent;

public static class [|Outer|]
{
    public static class [|Inner|]
    {
        [Differentiable]
        public static double F(double x) => x * x;
    }
}", "TN0001", Error, "'F'", "partial");
        }

        [Fact]
        public void TN0001_negative_partial_types_at_every_level()
        {
            ExpectClean(@"
using Tangent;

namespace N
{
    public static partial class Outer
    {
        public partial class Inner
        {
            [Differentiable]
            public static double F(double x) => x * x;
        }
    }
}");
        }

        // ------------------------------------------------------------------ TN0002 return type

        [Theory]
        [InlineData("int", "=> (int)x;")]
        [InlineData("void", "{ }")]
        [InlineData("decimal", "=> (decimal)x;")]
        [InlineData("(double, double)", "=> (x, x);")]
        public void TN0002_unsupported_return_type_is_reported_at_the_return_type(string returnType, string body)
        {
            Expect(Members($@"
    [Differentiable]
    public static [|{returnType}|] F(double x) {body}"), "TN0002", Error, "'F'", "'" + returnType + "'", "return double, float, or a double[]");
        }

        [Fact]
        public void TN0002_negative_float_return()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static float F(float x) => x * x;"));
        }

        // ------------------------------------------------------------------ TN0003 parameter type

        [Theory]
        [InlineData("double[][]")]
        [InlineData("float[][]")]
        [InlineData("double[,,]")]
        public void TN0003_unsupported_differentiable_parameter_type_is_reported_at_the_parameter(string type)
        {
            Expect(Members($@"
    [Differentiable]
    public static double F(double x, [|{type} data|]) => x;"), "TN0003", Error, "'data'", "'" + type + "'", "[NoDerivative]");
        }

        [Fact]
        public void TN0003_negative_NoDerivative_array_and_int_array()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double[] data, int[] counts) => x * data.Length + counts.Length;"));
        }

        // ------------------------------------------------------------------ TN0004 by-reference parameter

        [Theory]
        [InlineData("ref", "=> x * x;")]
        [InlineData("out", "{ x = 1; return x; }")]
        [InlineData("in", "=> x * x;")]
        public void TN0004_by_reference_parameter_is_reported_at_the_parameter(string keyword, string body)
        {
            Expect(Members($@"
    [Differentiable]
    public static double F(double y, [|{keyword} double x|]) {body}"), "TN0004", Error, "'x'", "'" + keyword + "'", "remove '" + keyword + "'");
        }

        [Fact]
        public void TN0004_negative_by_value()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double y, double x) => x * y;"));
        }

        // ------------------------------------------------------------------ TN0005 generic method

        [Fact]
        public void TN0005_generic_method_is_reported_at_the_type_parameter_list()
        {
            Expect(Members(@"
    [Differentiable]
    public static double F[|<T>|](double x) => x * x;"), "TN0005", Error, "'F'", "double or float");
        }

        [Fact]
        public void TN0005_negative_method_of_a_generic_type()
        {
            ExpectClean(@"
using Tangent;

public partial class Box<T>
{
    [Differentiable]
    public static double F(double x) => x * x;
}");
        }

        // ------------------------------------------------------------------ TN0006 generated name in use

        [Theory]
        [InlineData("public static double [|FForward|](double x) => x;", "FForward")]
        [InlineData("public static double [|FAdjoint|](double x, double y) => x;", "FAdjoint")]
        [InlineData("public static int [|FGradient|];", "FGradient")]
        public void TN0006_user_member_with_a_generated_name_is_reported_at_that_member(string member, string name)
        {
            Expect(Members($@"
    [Differentiable]
    public static double F(double x) => x * x;

    {member}"), "TN0006", Error, "'" + name + "'", "'C'", "'F'", "rename");
        }

        [Fact]
        public void TN0006_negative_differentiable_overloads_and_similar_names()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x) => x * x;

    [Differentiable]
    public static double F(double x, double y) => x * y;

    public static double FForwards(double x) => x;
    public static double Forward(double x) => x;"), generatedCount: 2);
        }

        // ------------------------------------------------------------------ TN0007 derived names collide

        [Fact]
        public void TN0007_x_and_X_are_reported_at_the_second_parameter()
        {
            Expect(Members(@"
    [Differentiable]
    public static double F(double x, [|double X|]) => x * X;"), "TN0007", Error, "'X'", "'dX'", "'x'", "rename");
        }

        [Fact]
        public void TN0007_parameter_named_result_clashes_with_dResult()
        {
            Expect(Members(@"
    [Differentiable]
    public static double F([|double result|]) => result * result;"), "TN0007", Error, "'result'", "'dResult'", "rename");
        }

        [Fact]
        public void TN0007_parameter_named_like_a_derivative_parameter()
        {
            Expect(Members(@"
    [Differentiable]
    public static double F([|double x|], double dX) => x * dX;"), "TN0007", Error, "'x'", "'dX'", "rename");
        }

        [Fact]
        public void TN0007_inactive_parameter_named_dResult_is_an_error_at_the_parameter_not_a_duplicate_parameter_in_generated_code()
        {
            // FAdjoint(double x, double dResult, ref double dX, double dResult = 1) would not compile.
            GeneratorRun run = GeneratorHarness.Run(Members(@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double dResult) => x * dResult;"));
            AssertNoInternalError(run);
            run.AssertNoCompilationErrors();
            Assert.Contains(run.GeneratorDiagnostics, d => d.Severity == Error && d.GetMessage(CultureInfo.InvariantCulture).Contains("'dResult'", StringComparison.Ordinal));
        }

        [Fact]
        public void TN0007_negative_inactive_look_alikes()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double X, int result) => x * X + result;"));
        }

        [Fact]
        public void TN0007_negative_local_named_like_a_derivative_parameter_still_compiles()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        double dX = x * 2;
        return dX * x;
    }"));
        }

        // ------------------------------------------------------------------ TN0008 async

        [Theory]
        [InlineData("double F(double @double) => @double * 2;")]
        [InlineData("double F(double x) { double @class = x * x; return @class; }")]
        public void TN0007_negative_keyword_identifiers_are_escaped_in_generated_code(string method)
        {
            ExpectClean(Members($@"
    [Differentiable]
    public static {method}"));
        }

        [Fact]
        public void TN0008_async_is_reported_at_the_keyword()
        {
            Expect(Members(@"
    [Differentiable]
    public static [|async|] {|TN0002:System.Threading.Tasks.Task<double>|} F(double x)
    {
        await System.Threading.Tasks.Task.Yield();
        return x;
    }"), "TN0008", Error, "'F'", "remove 'async'");
        }

        [Fact]
        public void TN0008_negative_local_named_async()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        double async = x * 2;
        return async * x;
    }"));
        }

        // ------------------------------------------------------------------ TN0009 iterator

        [Fact]
        public void TN0009_iterator_is_reported_at_the_first_yield()
        {
            Expect(Members(@"
    [Differentiable]
    public static {|TN0002:System.Collections.Generic.IEnumerable<double>|} F(double x)
    {
        [|yield|] return x;
        yield return x * x;
    }"), "TN0009", Error, "'F'", "return a single double or float");
        }

        [Fact]
        public void TN0009_negative_local_named_yield()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        double yield = x * 2;
        return yield * x;
    }"));
        }

        // ------------------------------------------------------------------ TN0010 nothing to differentiate (warning)

        [Theory]
        [InlineData("int n", "n * 2.0")]
        [InlineData("[NoDerivative] double s", "s * s")]
        public void TN0010_no_active_parameter_is_a_warning_at_the_method_name_and_code_is_still_generated(string parameters, string body)
        {
            GeneratorRun run = Expect(Members($@"
    [Differentiable]
    public static double [|F|]({parameters}) => {body};"), "TN0010", DiagnosticSeverity.Warning, "'F'", "[NoDerivative]", "zero");
            Assert.Single(run.GeneratedSources);
            run.AssertNoCompilationErrors();
        }

        [Fact]
        public void TN0010_negative_one_active_parameter()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(int n, double x) => n * x;"));
        }

        // ------------------------------------------------------------------ TN0011 no body

        [Theory]
        [InlineData("public abstract partial class C", "public abstract double [|F|](double x);")]
        [InlineData("public partial interface C", "double [|F|](double x);")]
        [InlineData("public static partial class C", "public static extern double [|F|](double x);")]
        public void TN0011_method_without_body_is_reported_at_the_method_name(string type, string member)
        {
            Expect($@"
using Tangent;

{type}
{{
    [Differentiable]
    {member}
}}", "TN0011", Error, "'F'", "give it a body", "[DerivativeOf]");
        }

        [Fact]
        public void TN0011_negative_virtual_method_with_a_body()
        {
            ExpectClean(@"
using Tangent;

public abstract partial class C
{
    [Differentiable]
    public virtual double F(double x) => x * x;
}");
        }

        // ------------------------------------------------------------------ TN1001 unsupported statement

        [Theory]
        [InlineData("[|try { Console.WriteLine(x); } catch (Exception) { }|]", "'try'", "caller")]
        [InlineData("[|lock (Gate) { Console.WriteLine(x); }|]", "'lock'", "caller")]
        [InlineData("[|using (var stream = new System.IO.MemoryStream()) { Console.WriteLine(x); }|]", "'using'", "caller")]
        [InlineData("[|using var stream = new System.IO.MemoryStream();|]", "using", "caller")]
        [InlineData("[|switch (n) { case 0: Console.WriteLine(x); break; }|]", "'switch'", "if/else")]
        [InlineData("[|goto done;|]\n        done:", "'goto'", "break and continue")]
        [InlineData("[|static double Twice(double v) => 2 * v;|]", "local function", "[Differentiable] method")]
        [InlineData("[|throw new InvalidOperationException();|]", "'throw'", "caller")]
        public void TN1001_unsupported_statement_is_reported_at_the_statement(string statement, string construct, string remedy)
        {
            Expect(Members($@"
    private static readonly object Gate = new object();

    [Differentiable]
    public static double F(double x, int n)
    {{
        {statement}
        return x * n;
    }}"), "TN1001", Error, construct, remedy);
        }

        [Fact]
        public void TN1001_negative_nested_blocks_empty_statements_and_discarded_calls()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        Console.WriteLine(x);
        {
            double y = x * x;
            ;
            x = y;
        }
        return x;
    }"));
        }

        [Fact]
        public void TN1001_a_local_function_that_is_called_is_reported_once()
        {
            // Not also TN2001 "make 'C.Sq' [Differentiable]": Sq is not a member of C, and the fix is the TN1001 one.
            Expect(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        [|double Sq(double v) => v * v;|]
        return Sq(x);
    }"), "TN1001", Error, "local function", "[Differentiable] method");
        }

        // ------------------------------------------------------------------ TN1002 unsupported expression

        [Theory]
        [InlineData("Func<double, double> f = [|v => v * x|];\n        return x;", "lambda", "[Differentiable] method")]
        [InlineData("var random = [|new Random(1)|];\n        return x * random.NextDouble();", "'new Random(1)'", "object")]
        [InlineData("return x + double.Parse([|$\"{x}\"|]);", "'$\"{x}\"'", "keep string formatting out")]
        [InlineData("double[] copy = [|[.. data]|];\n        return x * copy.Length;", "'[.. data]'", "collection expressions of plain elements")]
        [InlineData("double[][] jagged = [|new double[2][]|];\n        return x * jagged.Length;", "'new double[2][]'", "new T[n]")]
        public void TN1002_unsupported_expression_is_reported_at_the_expression(string body, string construct, string remedy)
        {
            Expect(Members($@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double[] data)
    {{
        {body}
    }}"), "TN1002", Error, construct, remedy);
        }

        [Fact]
        public void TN1002_negative_member_reads_and_inactive_calls_on_objects()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double[] data, [NoDerivative] string name)
    {
        double scale = data.Length + name.Length + name.GetHashCode();
        return x * scale;
    }"));
        }

        [Fact]
        public void TN1002_negative_char_and_string_literals_as_arguments_of_inactive_calls()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x, [NoDerivative] string name)
    {
        double scale = name.IndexOf('a') + string.Concat(name, ""b"").Length;
        return x * scale;
    }"));
        }

        [Fact]
        public void TN1002_negative_string_literal_in_a_discarded_logging_call()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        Console.WriteLine(""starting"");
        return x * x;
    }"));
        }

        [Fact]
        public void TN1002_negative_interpolated_string_in_a_discarded_logging_call()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        Console.WriteLine($""x = {x}"");
        return x * x;
    }"));
        }

        [Fact]
        public void TN1002_a_lambda_that_is_invoked_is_reported_once()
        {
            // Not also TN2001 "make 'Func.Invoke' [Differentiable]", which cannot be done.
            Expect(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        Func<double, double> f = [|v => v * x|];
        return f(x);
    }"), "TN1002", Error, "lambda", "[Differentiable] method");
        }

        // ------------------------------------------------------------------ TN1003 write outside locals

        [Theory]
        [InlineData("[|Total|] = x;", "'Total'")]
        [InlineData("[|Total|] += x;", "'Total'")]
        [InlineData("[|Buffer[0]|] = x;", "'Buffer[0]'")]
        public void TN1003_write_outside_the_locals_is_reported_at_the_target(string statement, string target)
        {
            Expect(Members($@"
    public static double Total;
    public static double[] Buffer = new double[1];

    [Differentiable]
    public static double F(double x, [NoDerivative] double[] data)
    {{
        {statement}
        return x;
    }}"), "TN1003", Error, target, "assign to a local instead");
        }

        [Fact]
        public void TN1003_negative_writes_to_locals_and_to_a_parameter()
        {
            ExpectClean(Members(@"
    public static double Total;

    [Differentiable]
    public static double F(double x)
    {
        double y = x * Total;
        y += x;
        x = y * y;
        return x;
    }"));
        }

        // ------------------------------------------------------------------ TN1004 write into an input array

        [Theory]
        [InlineData("double[] x", "[|x[0]|] = 1;")]
        [InlineData("double[] x", "[|x[1]|] += 2;")]
        [InlineData("double[] x", "[|x[0]|]++;")]
        [InlineData("double[,] x", "[|x[0, 1]|] *= 2;")]
        [InlineData("Span<double> x", "[|x[0]|] = 3;")]
        [InlineData("[NoDerivative] double[] x", "[|x[0]|] = y;")]
        public void TN1004_write_into_a_parameter_array_is_reported_at_the_element(string parameter, string statement)
        {
            Expect(Members($@"
    [Differentiable]
    public static double F({parameter}, double y)
    {{
        {statement}
        return y;
    }}"), "TN1004", Error, "'x'", "read-only", "copy 'x' into a local array");
        }

        [Fact]
        public void TN1004_negative_writes_into_a_local_copy()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double[] x)
    {
        var copy = new double[x.Length];
        for (int i = 0; i < x.Length; i++) copy[i] = x[i];
        copy[0] *= 2;
        copy[1]++;
        return copy[0] + copy[1];
    }"));
        }

        // ------------------------------------------------------------------ TN1005 local arrays with derivatives

        [Theory]
        [InlineData("double s = 0;\n        for (int i = 0; i < 3; i++)\n        {\n            var a = [|new double[2]|];\n            a[0] = x * i;\n            s += a[0];\n        }\n        return s;", "created inside a loop")]
        [InlineData("var a = new double[2];\n        a[0] = x;\n        a = [|new double[3]|];\n        a[1] = x;\n        return a[0] + a[1];", "assigned more than once")]
        [InlineData("var a = new double[2];\n        a[0] = x;\n        var b = [|a|];\n        return b[0] * x;", "share the values but not the derivatives")]
        [InlineData("var b = [|data|];\n        b[0] = x;\n        return b[0];", "may be an input")]
        public void TN1005_local_arrays_with_derivatives_must_be_created_once(string body, string reason)
        {
            Expect(Members($@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double[] data)
    {{
        {body}
    }}"), "TN1005", Error, "created with 'new' exactly once", reason);
        }

        [Fact]
        public void TN1005_negative_inactive_arrays_may_be_created_anywhere()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double[] data)
    {
        double s = 0;
        for (int i = 0; i < 3; i++)
        {
            var weights = new double[2];
            weights[0] = data[i];
            var alias = weights;
            s += x * alias[0];
        }
        var once = new double[2];
        once[0] = x;
        return s + once[0];
    }"));
        }

        // ------------------------------------------------------------------ TN2001 call without derivative

        private const string Helpers = @"
    private static double Helper(double v) => v + 1;
    private static double Helper2(double a, double b) => a * b;
    private static double Helper3(int n) => n + 1;
";

        [Theory]
        [InlineData("=> x * Helper([|x|]);", "Helper(x)", "'C.Helper'", "'x'")]
        [InlineData("{ double y = x * 2; return Helper([|y|]); }", "Helper(y)", "'C.Helper'", "'y'")]
        [InlineData("=> Helper2(1.0, [|x|]);", "Helper2(1.0, x)", "'C.Helper2'", "'x'")]
        public void TN2001_call_without_derivative_is_reported_at_the_active_argument(string body, string call, string method, string argument)
        {
            GeneratorRun run = Expect(Members(Helpers + $@"
    [Differentiable]
    public static double F(double x) {body}"), "TN2001", Error, method, argument, "[DerivativeOf(typeof(T), nameof(T.M))]", "Autodiff.StopGradient");

            Diagnostic d = run.GeneratorDiagnostics.Single();
            string source = run.InputCompilation.SyntaxTrees.First().GetText().ToString();
            // The call, then the method the error is in.
            Assert.Equal(2, d.AdditionalLocations.Count);
            Assert.Equal(new TextSpan(source.IndexOf(call, StringComparison.Ordinal), call.Length), d.AdditionalLocations[0].SourceSpan);
            Assert.Equal(MethodName(source, "F"), d.AdditionalLocations[1].SourceSpan);
        }

        [Theory]
        [InlineData("double F(double x, int n) => x * Helper3(n);")]
        [InlineData("double F(double x, [NoDerivative] double s) => x * Helper(s);")]
        [InlineData("double F(double x) => x * Helper(2.0);")]
        [InlineData("double F(double x) => x * Helper(Autodiff.StopGradient(x));")]
        [InlineData("double F(double x) => x * Helper2(Autodiff.StopGradient(x), 3);")]
        public void TN2001_negative_calls_whose_arguments_are_all_inactive(string method)
        {
            ExpectClean(Members(Helpers + $@"
    [Differentiable]
    public static {method}"));
        }

        [Fact]
        public void TN2001_negative_formatting_an_active_value_in_a_discarded_logging_call()
        {
            // Console.WriteLine($"{x:F2}") is accepted; x.ToString("F2") in the same place must be too.
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        Console.WriteLine(x.ToString(""F2""));
        Console.WriteLine($""{x:F2}"");
        return x * x;
    }"));
        }

        // ------------------------------------------------------------------ calls between [Differentiable] methods

        [Fact]
        public void Call_of_a_differentiable_method_reports_nothing_and_calls_its_derivatives()
        {
            GeneratorRun run = ExpectClean(Members(@"
    [Differentiable]
    public static double G(double v) => v * v;

    [Differentiable]
    public static double F(double x) => 2 * G(x);"), generatedCount: 2);
            string f = run.GeneratedSources.Single(p => p.Key.Contains(".F(", StringComparison.Ordinal)).Value;
            Assert.Contains("global::C.GForward(", f, StringComparison.Ordinal);
            Assert.Contains("global::C.GRecord(", f, StringComparison.Ordinal);
            Assert.Contains("global::C.GReverse(", f, StringComparison.Ordinal);
        }

        [Fact]
        public void Call_with_inactive_argument_is_a_plain_call()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double G(double v) => v * v;

    [Differentiable]
    public static double F(double x, [NoDerivative] double s) => x * G(s);"), generatedCount: 2);
        }

        [Fact]
        public void TN1002_differentiated_instance_call_on_a_local_is_reported_at_the_call()
        {
            Expect(@"using System;
using Tangent;

public sealed partial class P
{
    private readonly double _c;
    public P(double c) => _c = c;

    [Differentiable]
    public double Value(double x) => _c * x * x;
}

public static partial class C
{
    [Differentiable]
    public static double F(double x, P given)
    {
        var local = given;
        return given.Value(x) + [|local.Value(x)|];
    }
}", "TN1002", Error, "this, a field or a parameter");
        }

        // ------------------------------------------------------------------ TN2002 registration with one mode

        private const string ForwardOnlyRegistration = @"
    public static double Cube(double v) => v * v * v;

    [DerivativeOf(typeof(C), nameof(Cube))]
    public static (double Value, double Tangent) CubeForward(double v, double dV) => (v * v * v, 3 * v * v * dV);
";

        [Fact]
        public void TN2002_call_of_a_method_registered_in_one_mode_is_reported_at_the_call()
        {
            Expect(Members(ForwardOnlyRegistration + @"
    [Differentiable]
    public static double F(double x) => 2 * [|Cube(x)|];"), "TN2002", Error, "'C.Cube'", "a forward derivative", "no adjoint");
        }

        [Fact]
        public void TN2002_negative_inactive_argument()
        {
            ExpectClean(Members(ForwardOnlyRegistration + @"
    [Differentiable]
    public static double F(double x, [NoDerivative] double s) => x * Cube(s);"), generatedCount: 2); // F and the registrations index
        }

        // ------------------------------------------------------------------ TN2005 differentiated argument for a [NoDerivative] parameter

        [Fact]
        public void TN2005_active_argument_for_a_NoDerivative_parameter_is_reported_at_the_argument()
        {
            Expect(Members(@"
    [Differentiable]
    public static double G(double v, [NoDerivative] double scale) => v * scale;

    [Differentiable]
    public static double F(double x) => G(x, [|x * 2|]);"), "TN2005", Error, "'x * 2'", "'scale'", "'C.G'", "Autodiff.StopGradient");
        }

        [Fact]
        public void TN2005_negative_StopGradient_says_it_is_meant()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double G(double v, [NoDerivative] double scale) => v * scale;

    [Differentiable]
    public static double F(double x) => G(x, Autodiff.StopGradient(x * 2));"), generatedCount: 2);
        }

        // ------------------------------------------------------------------ TN2003 registration with a wrong signature

        [Fact]
        public void TN2003_adjoint_registration_without_ref_is_reported_at_the_method()
        {
            Expect(Members(@"
    public static double Cube(double v) => v * v * v;

    [DerivativeOf(typeof(C), nameof(Cube))]
    public static double [|CubeAdjoint|](double v, double dV, double dResult) => v;"), "TN2003", Error,
                "'CubeAdjoint'", "'C.Cube'", "parameter 2 'dV' is 'double' but 'ref double' was expected",
                "'static double CubeAdjoint(double v, ref double dV, double dResult)'");
        }

        [Fact]
        public void TN2003_forward_registration_with_a_missing_tangent_is_reported()
        {
            Expect(Members(@"
    public static double Mul(double a, double b) => a * b;

    [DerivativeOf(typeof(C), nameof(Mul))]
    public static (double Value, double Tangent) [|MulForward|](double a, double b, double dA) => (a * b, b * dA);"), "TN2003", Error,
                "parameter 4 'double dB' is missing", "'static (double Value, double Tangent) MulForward(double a, double b, double dA, double dB)'");
        }

        [Fact]
        public void TN2003_wrong_result_type_is_reported()
        {
            Expect(Members(@"
    public static double Cube(double v) => v * v * v;

    [DerivativeOf(typeof(C), nameof(Cube))]
    public static float [|CubeAdjoint|](double v, ref double dV, double dResult) => 0f;"), "TN2003", Error, "the result is 'float'");
        }

        [Fact]
        public void TN2003_negative_both_shapes_match()
        {
            ExpectClean(Members(@"
    public static double Cube(double v) => v * v * v;

    [DerivativeOf(typeof(C), nameof(Cube))]
    public static (double Value, double Tangent) CubeForward(double v, double dV) => (v * v * v, 3 * v * v * dV);

    [DerivativeOf(typeof(C), nameof(Cube))]
    public static double CubeAdjoint(double v, ref double dV, double dResult) { dV += 3 * v * v * dResult; return v * v * v; }

    [Differentiable]
    public static double F(double x) => Cube(x);"), generatedCount: 2); // F and the registrations index
        }

        // ------------------------------------------------------------------ TN2004 registration for no method

        [Fact]
        public void TN2004_registration_naming_no_method_is_reported_at_the_attribute()
        {
            Expect(Members(@"
    public static double Cube(double v) => v * v * v;

    [[|DerivativeOf(typeof(C), ""Cuber"")|]]
    public static double CubeAdjoint(double v, ref double dV, double dResult) => v;"), "TN2004", Error, "'C' has no method 'Cuber'");
        }

        // ------------------------------------------------------------------ TN1006 array written after a call

        [Fact]
        public void TN1006_store_after_the_call_is_reported_at_the_store()
        {
            Expect(Members(@"
    [Differentiable]
    public static double Sum(double[] v) { double s = 0; foreach (var e in v) s += e * e; return s; }

    [Differentiable]
    public static double F(double x)
    {
        var a = new double[2];
        a[0] = x;
        double s = Sum(a);
        [|a[1] = s|];
        return s + a[1];
    }"), "TN1006", Error, "'a'", "'C.Sum'");
        }

        [Fact]
        public void TN1006_store_before_the_call_in_the_same_loop_is_reported()
        {
            Expect(Members(@"
    [Differentiable]
    public static double Sum(double[] v) { double s = 0; foreach (var e in v) s += e * e; return s; }

    [Differentiable]
    public static double F(double x)
    {
        var a = new double[2];
        double s = 0;
        for (int i = 0; i < 3; i++)
        {
            [|a[0] = x * i|];
            s += Sum(a);
        }
        return s;
    }"), "TN1006", Error, "'a'");
        }

        [Fact]
        public void TN1006_negative_writes_finished_before_the_call()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double Sum(double[] v) { double s = 0; foreach (var e in v) s += e * e; return s; }

    [Differentiable]
    public static double F(double x)
    {
        var a = new double[2];
        for (int i = 0; i < 2; i++) a[i] = x * i;
        return Sum(a) + Sum(a);
    }"), generatedCount: 2);
        }

        // ------------------------------------------------------------------ TN2006 differentiated call of a [Differentiable] method with errors

        [Fact]
        public void TN2006_call_of_a_differentiable_method_with_a_body_error_is_reported_at_the_call_with_the_callee_as_additional_location()
        {
            // Before TN2006, F was generated and called the GForward, GRecord and GReverse that G (rejected) never got: CS0117 in F's .g.cs.
            GeneratorRun run = Expect(Members(@"
    [Differentiable]
    public static double G(double v)
    {
        {|TN1001:try { v = v * v; } catch (Exception) { }|}
        return v;
    }

    [Differentiable]
    public static double F(double x) => 2 * [|G(x)|];"), "TN2006", Error, "'C.G'", "errors", "Autodiff.StopGradient");
            Assert.Empty(run.GeneratedSources);
            string source = run.InputCompilation.SyntaxTrees.First().GetText().ToString();
            Diagnostic d = run.GeneratorDiagnostics.Single(x => x.Id == "TN2006");
            Assert.Equal(new[] { MethodName(source, "G"), MethodName(source, "F") }, d.AdditionalLocations.Select(l => l.SourceSpan));
        }

        [Theory]
        [InlineData("public static double G{|TN0005:<T>|}(double v) => v * v;", "G<double>(x)")]
        [InlineData("public static {|TN0002:int|} G(double v) => (int)v;", "G(x)")]
        [InlineData("public static double G(double v, {|TN0003:double[][] w|}) => v;", "G(x, null!)")]
        public void TN2006_call_of_a_differentiable_method_with_a_declaration_error(string callee, string call)
        {
            // Generic callees and callees with an unsupported result used to get TN2001 "make 'C.G' [Differentiable]", which it already is.
            Expect(Members($@"
    [Differentiable]
    {callee}

    [Differentiable]
    public static double F(double x) => 2 * [|{call}|];"), "TN2006", Error, "'C.G'");
        }

        [Fact]
        public void TN2006_is_transitive_and_cycles_terminate()
        {
            // H has an error; G differentiates through H, F through G; F and G also call each other.
            GeneratorRun run = Expect(Members(@"
    [Differentiable]
    public static double H(double v) => {|TN1002:new Random(1)|}.NextDouble() * v;

    [Differentiable]
    public static double G(double v, int n) => n <= 0 ? {|TN2006:H(v)|} : {|TN2006:F(v, n - 1)|};

    [Differentiable]
    public static double F(double x, int n) => n <= 0 ? x : [|G(x, n - 1)|] + F(x, n - 1);"), "TN2006", Error, "cannot be differentiated because of the errors reported on it");
            Assert.Empty(run.GeneratedSources);
        }

        [Fact]
        public void TN2006_negative_inactive_arguments_call_the_callee_itself()
        {
            // G has an error and generates nothing; F passes it no derivative, so F calls plain G and is generated.
            GeneratorRun run = GeneratorHarness.Run(Members(@"
    [Differentiable]
    public static double G(double v) => {|TN1002:new Random(1)|}.NextDouble() * v;

    [Differentiable]
    public static double F(double x, [NoDerivative] double s) => x * G(s) + x * G(Autodiff.StopGradient(x));").Replace("{|TN1002:", "").Replace("|}", ""));
            AssertNoInternalError(run);
            Assert.Equal(new[] { "TN1002" }, run.GeneratorDiagnostics.Select(d => d.Id));
            Assert.Equal(new[] { "C.F(double,double).g.cs" }, run.GeneratedSources.Keys);
            run.AssertNoCompilationErrors();
        }

        [Fact]
        public void TN2006_negative_a_callee_with_warnings_only_is_differentiated_through()
        {
            GeneratorRun run = GeneratorHarness.Run(Members(@"
    [Differentiable]
    public static double G(double v, double unused) => v * v;

    [Differentiable]
    public static double F(double x) => 2 * G(x, x);"));
            AssertNoInternalError(run);
            Assert.Equal(new[] { "TN3003" }, run.GeneratorDiagnostics.Select(d => d.Id));
            Assert.Equal(2, run.GeneratedSources.Count);
            run.AssertNoCompilationErrors();
            var gradient = (System.Runtime.CompilerServices.ITuple)run.Invoke("C", "FGradient", 1.5)!;
            Assert.Equal(6.0, (double)gradient[1]!);
        }

        [Fact]
        public void TN2006_callee_in_another_file_whose_type_is_not_partial()
        {
            Markup parsed = Markup.Parse(Members(@"
    [Differentiable]
    public static double F(double x) => 2 * [|Other.G(x)|];"));
            GeneratorRun run = GeneratorHarness.Run(parsed.Source, @"using Tangent;

public static class Other
{
    [Differentiable]
    public static double G(double v) => v * v;
}
");
            AssertNoInternalError(run);
            Diagnostic d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == "TN2006");
            Assert.Equal(parsed.Spans.Single().Span, d.Location.SourceSpan);
            Assert.Equal("Source1.cs", d.AdditionalLocations[0].GetLineSpan().Path);
            Assert.Contains(run.GeneratorDiagnostics, x => x.Id == "TN0001");
            Assert.Empty(run.GeneratedSources);
            run.AssertNoCompilationErrors();
        }

        // ------------------------------------------------------------------ every error of a method, each pointing at the method

        [Fact]
        public void Three_different_errors_in_one_method_are_all_reported_each_with_the_method_as_additional_location()
        {
            GeneratorRun run = Expect(Members(@"
    public static double Total;
    private static double Helper(double v) => v + 1;

    [Differentiable]
    public static double F(double x)
    {
        {|TN1001:try { x = x * 2; } catch (Exception) { }|}
        [|Total|] = x;
        return x * Helper({|TN2001:x|});
    }"), "TN1003", Error, "'Total'");
            string source = run.InputCompilation.SyntaxTrees.First().GetText().ToString();
            Assert.Equal(3, run.GeneratorDiagnostics.Length);
            foreach (Diagnostic d in run.GeneratorDiagnostics)
                Assert.Equal(MethodName(source, "F"), d.AdditionalLocations.Last().SourceSpan);
        }

        [Fact]
        public void Body_errors_are_reported_with_a_declaration_error_that_leaves_the_body_well_formed()
        {
            // A type that is not partial does not stop the lowering: the body's errors come at once, not after the fix.
            GeneratorRun run = Expect(@"using System;
using Tangent;

public static class {|TN0001:C|}
{
    [Differentiable]
    public static double F(double x) => [|new Random(1)|].NextDouble() * x;
}", "TN1002", Error, "object");
            string source = run.InputCompilation.SyntaxTrees.First().GetText().ToString();
            Diagnostic notPartial = run.GeneratorDiagnostics.Single(d => d.Id == "TN0001");
            Assert.Equal(MethodName(source, "F"), Assert.Single(notPartial.AdditionalLocations).SourceSpan);
        }

        [Fact]
        public void An_error_at_the_method_name_gets_no_additional_location()
        {
            GeneratorRun run = Expect(@"
using Tangent;

public abstract partial class C
{
    [Differentiable]
    public abstract double [|F|](double x);
}", "TN0011", Error, "'F'");
            Assert.Empty(run.GeneratorDiagnostics.Single().AdditionalLocations);
        }

        // ------------------------------------------------------------------ TN3001 zero-derivative operation (warning)

        [Theory]
        [InlineData("double F(double x) => x - Math.Floor([|x|]);", "'Math.Floor'", "'x'")]
        [InlineData("double F(double x) => Math.Ceiling([|x * 2|]) * x;", "'Math.Ceiling'", "'x * 2'")]
        [InlineData("double F(double x) => Math.Round([|x|], 2) + x;", "'Math.Round'", "'x'")]
        [InlineData("double F(double x) => x + Math.Truncate([|x|]);", "'Math.Truncate'", "'x'")]
        [InlineData("double F(double x) => Math.Sign([|x|]) * x;", "'Math.Sign'", "'x'")]
        [InlineData("float F(float x) => MathF.Floor([|x|]) * x;", "'MathF.Floor'", "'x'")]
        [InlineData("double F(double x) => double.Round([|x|]) + x;", "'double.Round'", "'x'")]
        [InlineData("double F(float x) => Math.Floor([|x|]) + x;", "'Math.Floor'", "'x'")]
        [InlineData("double F(double x) => (int)[|x|] + x;", "The conversion to 'int'", "'x'")]
        [InlineData("double F(double x) => (long)([|x * 3|]) * x;", "The conversion to 'long'", "'x * 3'")]
        [InlineData("double F(double x, [NoDerivative] double[] table) => table[(int)[|x|]] * x;", "The conversion to 'int'", "'x'")]
        [InlineData("double F(double x) => Convert.ToInt32([|x|]) * x;", "'Convert.ToInt32'", "'x'")]
        [InlineData("double F(double x) { bool above = [|x|] > 1.0; return Convert.ToDouble(above) * x; }", "The comparison 'x > 1.0'", "'x'")]
        [InlineData("double F(double x) => Math.Floor([|x|]);", "'Math.Floor'", "'x'")]
        public void TN3001_zero_derivative_operation_on_a_differentiated_value_is_a_warning_at_the_operand(string method, string operation, string operand)
        {
            GeneratorRun run = Expect(Members($@"
    [Differentiable]
    public static {method}"), "TN3001", DiagnosticSeverity.Warning, operation, operand, "zero derivative everywhere", "wrap the argument in Autodiff.StopGradient if that is intended");
            Assert.Single(run.GeneratedSources);
        }

        [Fact]
        public void Diagnostics_are_located_in_the_compilations_syntax_trees_so_pragmas_and_code_fixes_apply()
        {
            // A file-path location (Location.Create(path, ...)) is an external location: #pragma warning disable,
            // .editorconfig severities and code fixes ignore it. Every location must be in the tree itself.
            GeneratorRun run = GeneratorHarness.Run(Members(@"
    [Differentiable]
    public static double F(double x) => x - Math.Floor(x) + Helper(x);

    private static double Helper(double v) => v;"));
            Assert.NotEmpty(run.GeneratorDiagnostics);
            foreach (Diagnostic d in run.GeneratorDiagnostics)
            {
                foreach (Location location in new[] { d.Location }.Concat(d.AdditionalLocations))
                {
                    Assert.True(location.IsInSource, d.Id + " at " + location);
                    Assert.Same(run.InputCompilation.SyntaxTrees.Single(), location.SourceTree);
                }
            }
        }

        [Fact]
        public void TN3001_each_differentiated_operand_of_a_comparison_is_reported()
        {
            Expect(Members(@"
    [Differentiable]
    public static double F(double x, double y)
    {
        bool first = [|x|] >= [|y|];
        return Convert.ToDouble(first) * (x + y);
    }"), "TN3001", DiagnosticSeverity.Warning, "The comparison 'x >= y'");
        }

        [Fact]
        public void TN3001_code_is_generated_and_differentiates_around_the_operation()
        {
            // Convert.ToInt32 of a differentiated value was TN2001; it is a zero-derivative conversion like a cast.
            GeneratorRun run = GeneratorHarness.Run(Members(@"
    [Differentiable]
    public static double F(double x, [NoDerivative] double[] table) => Convert.ToInt32(x) + table[(int)x] * x + x * Math.Floor(x);"));
            AssertNoInternalError(run);
            Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("TN3001", d.Id));
            Assert.Equal(3, run.GeneratorDiagnostics.Length);
            run.AssertNoCompilationErrors();
            double[] table = { 10, 20, 30, 40 };
            var gradient = (System.Runtime.CompilerServices.ITuple)run.Invoke("C", "FGradient", 2.3, table)!;
            Assert.Equal(2 + 30 * 2.3 + 2.3 * 2, (double)gradient[0]!, 12);
            Assert.Equal(30 + 2.0, (double)gradient[1]!, 12);
        }

        [Theory]
        [InlineData("double F(double x) => x > 0 ? x : -x;")]
        [InlineData("double F(double x) { bool positive = x > 0; return positive ? x : 0.5 * x; }")]
        [InlineData("double F(double x) { double s = 0; for (int i = 0; i < (int)x; i++) s += x; return s; }")]
        [InlineData("double F(double x) { if (Math.Floor(x) > 2) return x; return 2 * x; }")]
        [InlineData("double F(double x) { double y = x; while (Math.Round(y) != 0 && y > 1e-3) y *= 0.5; return y; }")]
        [InlineData("double F(double x) => x - Math.Floor(Autodiff.StopGradient(x));")]
        [InlineData("double F(double x) => x * (int)Autodiff.StopGradient(x);")]
        [InlineData("double F(double x, int n) => Math.Floor(n * 0.5) * x + Math.Sign(n);")]
        [InlineData("double F(double x, [NoDerivative] double s) => Math.Round(s) * x;")]
        [InlineData("double F(double x) { Console.WriteLine(Math.Floor(x)); Console.WriteLine(x > 1); return x * x; }")]
        [InlineData("double F(double x) { double unused = Math.Floor(x); int alsoUnused = (int)x; return x * x; }")]
        public void TN3001_negative_conditions_loop_bounds_StopGradient_inactive_operands_logging_and_dead_values(string method)
        {
            ExpectClean(Members($@"
    [Differentiable]
    public static {method}"));
        }

        // ------------------------------------------------------------------ TN3002 result does not depend on the differentiated parameters (warning)

        [Theory]
        [InlineData("double [|F|](double x) => x > 0 ? 1.0 : -1.0;", "its differentiated parameter 'x'")]
        [InlineData("double [|F|](double x) => 2 * Autodiff.StopGradient(x);", "its differentiated parameter 'x'")]
        [InlineData("double [|F|](double x, double y, int n) { double s = 0; for (int i = 0; i < n; i++) { if (x > y) s += 1; } return s; }", "its differentiated parameters 'x' and 'y'")]
        [InlineData("double[] [|F|](double[] x) => new double[x.Length];", "'x'")]
        public void TN3002_result_that_depends_on_no_differentiated_parameter_is_a_warning_at_the_method_name(string method, string parameters)
        {
            GeneratorRun run = Expect(Members($@"
    [Differentiable]
    public static {method}"), "TN3002", DiagnosticSeverity.Warning, "'F'", parameters, "all its derivatives are zero", "remove [Differentiable]");
            Assert.Single(run.GeneratedSources);
        }

        [Theory]
        [InlineData("double F(double x) => x > 0 ? x : 0.0;")]
        [InlineData("double F(double x, [NoDerivative] double s) => s > 0 ? x : s;")]
        [InlineData("double F(double x) { double y = 1; for (int i = 0; i < 3; i++) y *= x; return y; }")]
        public void TN3002_negative_the_result_depends_on_a_differentiated_parameter_on_some_path(string method)
        {
            ExpectClean(Members($@"
    [Differentiable]
    public static {method}"));
        }

        [Fact]
        public void TN3002_is_not_added_to_a_TN3001_that_explains_it_nor_to_TN3003s()
        {
            Expect(Members(@"
    [Differentiable]
    public static double F(double x) => Math.Floor([|x|]);

    [Differentiable]
    public static double G({|TN3003:double x|}, {|TN3003:double y|}) => 2.0;"), "TN3001", DiagnosticSeverity.Warning);
        }

        // ------------------------------------------------------------------ TN3003 unused differentiated parameter (warning)

        [Theory]
        [InlineData("double F(double x, [|double y|]) => x * 2;", "'y'")]
        [InlineData("double F([|double[] weights|], double x) => x * x;", "'weights'")]
        [InlineData("float F(float x, [|ReadOnlySpan<float> v|]) => x;", "'v'")]
        public void TN3003_unused_differentiated_parameter_is_a_warning_at_the_parameter(string method, string parameter)
        {
            GeneratorRun run = Expect(Members($@"
    [Differentiable]
    public static {method}"), "TN3003", DiagnosticSeverity.Warning, parameter, "'F'", "never used", "[NoDerivative]");
            Assert.Single(run.GeneratedSources);
            run.AssertNoCompilationErrors();
        }

        [Fact]
        public void TN3003_negative_data_parameters_discards_overrides_and_interface_implementations()
        {
            ExpectClean(@"using System;
using Tangent;

public interface IModel { double Value(double x, double y); }

public abstract partial class Base
{
    public abstract double Score(double x, double y);

    [Differentiable]
    public virtual double Shape(double x, double y) => x * x;
}

public partial class Model : Base, IModel
{
    [Differentiable]
    public static double F(double x, [NoDerivative] double s, int n, double _) => x * x;

    [Differentiable]
    public double Value(double x, double y) => x * x;

    [Differentiable]
    public override double Score(double x, double y) => x * x;
}", generatedCount: 4);
        }

        // ------------------------------------------------------------------ across ids

        [Fact]
        public void Discarded_Console_WriteLine_of_an_active_value_reports_nothing()
        {
            ExpectClean(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        Console.WriteLine(x);
        return Math.Sin(x);
    }"));
        }

        [Fact]
        public void All_unsupported_expressions_of_a_body_are_reported()
        {
            Expect(Members(@"
    [Differentiable]
    public static double F(double x)
    {
        var random = [|new Random()|];
        Func<double> f = [|() => x|];
        return x;
    }"), "TN1002", Error);
        }

        [Fact]
        public void All_declaration_problems_are_reported()
        {
            Expect(Members(@"
    [Differentiable]
    public static {|TN0002:int|} F({|TN0004:ref double x|}, {|TN0003:double[][] data|}, double y, [|double Y|]) => 0;"), "TN0007", Error);
        }

        [Fact]
        public void A_method_with_errors_generates_nothing_while_its_neighbour_does()
        {
            GeneratorRun run = Expect(Members(@"
    [Differentiable]
    public static double Good(double x) => x * x;

    [Differentiable]
    public static double F(double x) => x * Helper([|x|]);

    private static double Helper(double v) => v;"), "TN2001", Error);
            Assert.Equal(new[] { "C.Good(double).g.cs" }, run.GeneratedSources.Keys);
        }

        [Fact]
        public void Every_defined_diagnostic_has_a_documented_shape()
        {
            var tested = new[]
            {
                "TN0001", "TN0002", "TN0003", "TN0004", "TN0005", "TN0006", "TN0007", "TN0008", "TN0009", "TN0010", "TN0011",
                "TN1001", "TN1002", "TN1003", "TN1004", "TN1005", "TN1006", "TN2001", "TN2002", "TN2003", "TN2004", "TN2005", "TN2006",
                "TN3001", "TN3002", "TN3003", "TN9999",
            };
            string[] defined = DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal).ToArray();
            Assert.Equal(tested, defined);
            foreach (DiagnosticDescriptor d in DiagnosticDescriptors.All)
            {
                Assert.True(d.IsEnabledByDefault, d.Id);
                Assert.StartsWith("Tangent.", d.Category, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString(CultureInfo.InvariantCulture)), d.Id);
                Assert.EndsWith(d.Id + ".md", d.HelpLinkUri, StringComparison.Ordinal);
                Assert.Equal(d.Id == "TN0010" || d.Id.StartsWith("TN3", StringComparison.Ordinal) ? DiagnosticSeverity.Warning : Error, d.DefaultSeverity);
            }
        }

        // ------------------------------------------------------------------ robustness: mutated and garbage methods

        private static readonly string[] FuzzSeeds =
        {
            "double M(double x1, double x2) => Math.Log(x1) + x1 * x2 - Math.Sin(x2);",
            "double M(double x) { double y = x * x; y = Math.Sin(y) * y; return y + Math.Exp(x); }",
            "float M(float x, float y) { float z = MathF.Sqrt(x * x + y * y); return MathF.Tanh(z) / (1 + z); }",
            "double M(double x, int n, [NoDerivative] double s) { double acc = x; acc *= n; acc += s * Math.Cos(x); return acc; }",
            "double M(double a, double b) { a = a * b; b = Math.Pow(a, 2.5); return Math.Max(a, b) - Math.Abs(b); }",
            "double M(double x) { Console.WriteLine(x); double t = Math.Atan2(x, 1.0) + Math.Round(x); return x > 0 ? t : -t; }",
            "double M(double x, double y) => double.Hypot(x, y) * Math.Tanh(x - y);",
            "double M(double x, int n) { double s = 0; for (int i = 0; i < n; i++) { s += Math.Sin(x * i); } return s; }",
            "double M(double x) { int k = 3; k++; double y = (double)k * x; y -= Autodiff.StopGradient(y) * 0.5; return Math.Clamp(y, -1.0, 1.0); }",
            "double M(double x) => x % 3 + -x / (1 + x * x);",
            "double M(double x) { double y = x; while (y > 1) { y = Math.Sqrt(y); if (y < 1.5) break; } return y; }",
            "double M(double x) { double y = x; if (y > 1) { y = Math.Log(y); } else { y = Math.Exp(y); } return y; }",
            "double M(double x, [NoDerivative] double[] data) { double y = x * data.Length; y = y * y; return (float)y + x; }",
            "float M(float x) { float y = (float)Math.Cos(x); y *= 2f; return y / x; }",
            "double M(double[] x, double[] y) { double s = 0; for (int i = 0; i < x.Length; i++) s += x[i] * y[i]; return s; }",
            "double[] M(double[,] a, double[] x) { var y = new double[a.GetLength(0)]; for (int i = 0; i < y.Length; i++) for (int j = 0; j < x.Length; j++) y[i] += a[i, j] * x[j]; return y; }",
            "double M(ReadOnlySpan<double> x, [NoDerivative] int[] idx) { double s = 0; foreach (var v in x) s += v * v; return s + x[idx[0]]; }",
            "double M(double[] x) { var p = new double[x.Length]; p[0] = x[0]; for (int i = 1; i < x.Length; i++) p[i] = p[i - 1] + Math.Sin(x[i]); return p[x.Length - 1]; }",
            "double M(double x, int n) => n <= 0 ? Math.Sin(x) : x * M(x * 0.5, n - 1) + Autodiff.StopGradient(M(x, n - 1));",
            "double[] M(double[] x, int n) { if (n <= 0) return x; var y = M(x, n - 1); var z = new double[y.Length]; for (int i = 0; i < z.Length; i++) z[i] = Math.Tanh(y[i]); return z; }",
            "float[] M(float[] z) { var e = new float[z.Length]; float t = 0; for (int i = 0; i < z.Length; i++) { e[i] = MathF.Exp(z[i]); t += e[i]; } for (int i = 0; i < e.Length; i++) e[i] /= t; return e; }",
        };

        private static readonly string[] FuzzTokens =
        {
            "+", "-", "*", "/", "%", "(", ")", "{", "}", ";", ",", "=", "==", "=>", "?", ":", "!", "&&", "||", "++", "--", "+=",
            "x", "y", "return", "double", "float", "int", "var", "if", "else", "for", "while", "do", "break", "continue",
            "ref", "out", "in", "new", "[", "]", "yield", "async", "await", "default", "this", "base", "null", "\"s\"", "'c'",
            "1e308", "0f", "0.5", "int.MaxValue", "checked(", "typeof(int)", "stackalloc", "goto", "throw", "x!", "..", "^1",
            "&", "|", "^", "~", "<<", "is", "as", "switch", "case", "try", "catch", "lock", "using", "static", "Math.Sin(",
            "MathF.Exp(", "Autodiff.StopGradient(", "M0(", "nameof(x)", "$\"{x}\"", "() =>", "x => x", "(x, y)", "@",
        };

        /// <summary>Tokens that break the file's structure; used only in the single-method files.</summary>
        private static readonly string[] StructureBreakers = { "{", "}", "/*", "#if X", "\"", "//", "#region", "class" };

        [Fact]
        public void Hundreds_of_mutated_and_garbage_methods_never_make_the_generator_throw()
        {
            // 300 methods whose bodies are mutated with braces kept, and every tenth a garbage body; plus 30 methods
            // mutated anywhere with structure breakers (unbalanced braces, unclosed comments, directives). One method
            // per file, so that one method's broken syntax cannot swallow the next.
            var random = new Random(20240611);
            string[] sources = Enumerable.Range(0, 300).Select(i => FuzzMethod(random, i))
                .Concat(Enumerable.Range(0, 30).Select(i => FuzzSingle(random, i))).ToArray();
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
            GeneratorDriverRunResult result = driver.GetRunResult();

            Assert.Null(result.Results[0].Exception);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id is "TN9999" or "CS8784" or "CS8785");
            // The fuzz is not vacuous: most methods still reach the generator, and many get past the fence.
            int seen = result.Results[0].TrackedSteps[TrackingNames.Methods].Sum(s => s.Outputs.Length);
            Assert.True(seen >= 300, $"only {seen} of 330 methods reached the generator");
            Assert.True(result.GeneratedTrees.Length >= 20, $"only {result.GeneratedTrees.Length} methods generated code");

            // A method that compiles must generate code that compiles (or be rejected with a diagnostic).
            var brokenMethods = new HashSet<string>(StringComparer.Ordinal);
            foreach (Diagnostic d in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is not null))
            {
                SyntaxNode? node = d.Location.SourceTree!.GetRoot().FindToken(d.Location.SourceSpan.Start).Parent;
                foreach (var m in node?.AncestorsAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>() ?? Enumerable.Empty<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
                    brokenMethods.Add(m.Identifier.ValueText);
            }
            var generatedErrors = output.GetDiagnostics()
                .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } t && t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal))
                .Where(d => !brokenMethods.Contains(MethodOfHint(d.Location.SourceTree!.FilePath)))
                .ToList();
            if (generatedErrors.Count > 0)
            {
                var all = compilation.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>()).ToList();
                string methodsText = string.Join("\n", generatedErrors.Select(d => MethodOfHint(d.Location.SourceTree!.FilePath)).Distinct()
                    .Select(name => all.First(m => m.Identifier.ValueText == name).ToString()));
                Assert.Fail($"Generated code for methods without errors does not compile:\n{GeneratorRun.DescribeDiagnostics(generatedErrors.Take(20))}\nMethods:\n{methodsText}");
            }
        }

        private static string MethodOfHint(string path)
        {
            string file = System.IO.Path.GetFileName(path);
            int paren = file.IndexOf('(', StringComparison.Ordinal);
            string qualified = paren < 0 ? file : file.Substring(0, paren);
            return qualified.Substring(qualified.LastIndexOf('.') + 1);
        }

        /// <summary>
        /// A file with one [Differentiable] method: a seed whose body gets 1-3 token mutations with the signature and
        /// the braces kept (so that it stays a method), or, for every tenth, a body of random tokens.
        /// </summary>
        private static string FuzzMethod(Random random, int i)
        {
            string[] pool = FuzzTokens.Where(t => t is not ("{" or "}")).ToArray();
            string method;
            if (i % 10 == 0)
            {
                var body = Enumerable.Range(0, random.Next(1, 25)).Select(_ => pool[random.Next(pool.Length)]);
                method = $"double M{i}(double x, double y) {{ {string.Join(" ", body)} }}";
            }
            else if (i % 3 == 0)
            {
                method = MutateWithinKinds(random, FuzzSeed(random, i));
            }
            else
            {
                string seed = FuzzSeed(random, i);
                int arrow = seed.IndexOf(") =>", StringComparison.Ordinal);
                if (arrow >= 0) seed = seed.Substring(0, arrow + 1) + " { return" + seed.Substring(arrow + 4).TrimEnd(';') + "; }";
                int open = seed.IndexOf('{');
                int close = seed.LastIndexOf('}');
                method = seed.Substring(0, open + 1) + Mutate(random, seed.Substring(open + 1, close - open - 1), pool, keepBraces: true) + "}";
            }
            return $"using System;\nusing Tangent;\n\npublic static partial class Fuzz{i}\n{{\n    [Differentiable]\n    public static {method}\n}}\n";
        }

        /// <summary>One method in its own file, mutated with anything, structure breakers included.</summary>
        private static string FuzzSingle(Random random, int i)
        {
            int n = 1000 + i;
            string method = Mutate(random, FuzzSeed(random, n), FuzzTokens.Concat(StructureBreakers).ToArray(), keepBraces: false);
            return $"using System;\nusing Tangent;\n\npublic static partial class Fuzz{n}\n{{\n    [Differentiable]\n    public static {method}\n}}\n";
        }

        [Fact]
        public void Every_fuzz_seed_is_a_valid_differentiable_method()
        {
            // Valid: no error. Zero-derivative warnings are fine (a seed rounds a differentiated value on purpose).
            for (int i = 0; i < FuzzSeeds.Length; i++)
            {
                string seed = System.Text.RegularExpressions.Regex.Replace(FuzzSeeds[i], @"\bM\(", "F(");
                ExpectClean(Members("\n    [Differentiable]\n    public static " + seed), allowZeroDerivativeWarnings: true);
            }
        }

        private static string FuzzSeed(Random random, int i) =>
            System.Text.RegularExpressions.Regex.Replace(FuzzSeeds[random.Next(FuzzSeeds.Length)], @"\bM\(", $"M{i}(");

        private static readonly string[][] TokenKinds =
        {
            new[] { "+", "-", "*", "/", "%" },
            new[] { "Sin", "Cos", "Tan", "Exp", "Log", "Sqrt", "Tanh", "Abs", "Atan", "Sinh", "Cosh", "Floor", "Round", "Cbrt", "Asinh", "Log10", "Ceiling" },
            new[] { "0", "1", "2", "3", "0.5", "2.5", "1.0", "-1.0", "1e-3" },
            new[] { "x", "y", "x1", "x2", "a", "b", "z", "acc", "s", "t" },
            new[] { "Max", "Min", "Pow", "Atan2" },
            new[] { "<", ">", "<=", ">=", "==" },
        };

        /// <summary>
        /// 1-4 replacements of a token by another of its kind (operator by operator, Math function by Math function,
        /// name by name, literal by literal): mostly programs that still compile, to check the generated code.
        /// </summary>
        private static string MutateWithinKinds(Random random, string text)
        {
            var tokens = SyntaxFactory.ParseTokens(text).ToList();
            var parts = tokens.Select(t => t.ToFullString()).ToList();
            int mutations = random.Next(1, 5);
            for (int k = 0; k < mutations; k++)
            {
                int at = random.Next(tokens.Count);
                string[]? kind = TokenKinds.FirstOrDefault(c => c.Contains(tokens[at].Text));
                if (kind is null || (at > 0 && tokens[at - 1].Text is "double" or "float" or "int")) continue; // keep declarations
                string replacement = kind[random.Next(kind.Length)];
                parts[at] = tokens[at].LeadingTrivia.ToFullString() + replacement + tokens[at].TrailingTrivia.ToFullString();
            }
            return string.Concat(parts);
        }

        private static string Mutate(Random random, string text, string[] pool, bool keepBraces)
        {
            var tokens = SyntaxFactory.ParseTokens(text).Select(t => t.ToFullString()).Where(t => t.Length > 0).ToList();
            bool IsBrace(int k) => keepBraces && tokens[k].Trim() is "{" or "}";
            int mutations = random.Next(1, 4);
            for (int k = 0; k < mutations; k++)
            {
                int at = random.Next(tokens.Count);
                if (IsBrace(at)) continue;
                switch (random.Next(4))
                {
                    case 0: tokens.RemoveAt(at); break;
                    case 1: tokens.Insert(at, tokens[at]); break;
                    case 2 when at + 1 < tokens.Count && !IsBrace(at + 1): (tokens[at], tokens[at + 1]) = (tokens[at + 1], tokens[at]); break;
                    default: tokens[at] = " " + pool[random.Next(pool.Length)] + " "; break;
                }
            }
            return string.Concat(tokens);
        }

        // ------------------------------------------------------------------ helpers

        /// <summary>The span of the identifier of the method <paramref name="name"/> declared in <paramref name="source"/>.</summary>
        private static TextSpan MethodName(string source, string name)
        {
            var method = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes()
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == name);
            return method.Identifier.Span;
        }

        /// <summary>Wraps members in <c>public static partial class C</c> with <c>using System; using Tangent;</c>.</summary>
        private static string Members(string members) => "using System;\nusing Tangent;\n\npublic static partial class C\n{" + members + "\n}\n";

        /// <summary>
        /// Runs the generator on <paramref name="markup"/> and asserts that its diagnostics are exactly the marked ones
        /// (<c>[|...|]</c> for <paramref name="id"/>, <c>{|ID:...|}</c> for others); that each <paramref name="id"/>
        /// diagnostic has <paramref name="severity"/>, is in Source0.cs and its message contains every word and a fix
        /// (a clause after "; "); that the input compiles; and, for errors, that no source was generated for <c>F</c>.
        /// </summary>
        private static GeneratorRun Expect(string markup, string id, DiagnosticSeverity severity, params string[] words)
        {
            Markup parsed = Markup.Parse(markup);
            GeneratorRun run = GeneratorHarness.Run(parsed.Source);
            AssertNoInternalError(run);

            string Render(string? diagnosticId, TextSpan span) =>
                $"{diagnosticId} at {span} '{parsed.Source.Substring(span.Start, Math.Min(span.Length, parsed.Source.Length - span.Start))}'";
            string[] expected = parsed.Spans.OrderBy(s => s.Span.Start).ThenBy(s => s.Id ?? id, StringComparer.Ordinal)
                .Select(s => Render(s.Id ?? id, s.Span)).ToArray();
            Diagnostic[] actualDiagnostics = run.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToArray();
            string[] actual = actualDiagnostics.Select(d => Render(d.Id, d.Location.SourceSpan)).ToArray();
            Assert.True(expected.SequenceEqual(actual),
                "Expected diagnostics:\n  " + string.Join("\n  ", expected) + "\nActual:\n" + GeneratorRun.DescribeDiagnostics(actualDiagnostics));

            foreach (Diagnostic d in actualDiagnostics.Where(d => d.Id == id))
            {
                string message = d.GetMessage(CultureInfo.InvariantCulture);
                Assert.Equal(severity, d.Severity);
                Assert.Equal("Source0.cs", d.Location.GetLineSpan().Path);
                foreach (string word in words)
                    Assert.True(message.Contains(word, StringComparison.Ordinal), $"{id} message lacks \"{word}\": {message}");
                if (severity == Error)
                    Assert.True(message.Contains("; ", StringComparison.Ordinal), $"{id} message does not say what to do (no '; <fix>' clause): {message}");
            }

            // The test source itself is valid C#, and nothing generated adds an error.
            run.AssertNoCompilationErrors();
            if (severity == Error)
                Assert.DoesNotContain(run.GeneratedSources.Keys, k => k.Contains(".F(", StringComparison.Ordinal));
            return run;
        }

        /// <summary>
        /// A near miss: no diagnostic at all (or, with <paramref name="allowZeroDerivativeWarnings"/>, no diagnostic but
        /// TN3xxx warnings), generated code for every [Differentiable] method, and it compiles.
        /// </summary>
        private static GeneratorRun ExpectClean(string source, int generatedCount = 1, bool allowZeroDerivativeWarnings = false)
        {
            GeneratorRun run = GeneratorHarness.Run(source);
            var unexpected = run.GeneratorDiagnostics
                .Where(d => !(allowZeroDerivativeWarnings && d.Severity == DiagnosticSeverity.Warning && d.Id.StartsWith("TN3", StringComparison.Ordinal))).ToList();
            Assert.True(unexpected.Count == 0, "Expected no diagnostics, got:\n" + GeneratorRun.DescribeDiagnostics(unexpected));
            Assert.Equal(generatedCount, run.GeneratedSources.Count);
            run.AssertNoCompilationErrors();
            return run;
        }

        internal static void AssertNoInternalError(GeneratorRun run)
        {
            Assert.DoesNotContain(run.RunResult.Results, r => r.Exception is not null);
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id is "TN9999" or "CS8785" or "CS8784");
        }
    }
}
