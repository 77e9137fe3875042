using System;
using System.Linq;
using System.Runtime.CompilerServices;
using Tangent.Generator.Tests.Infrastructure;

namespace Tangent.Generator.Tests
{
    /// <summary>
    /// The generated .g.cs of representative methods, reviewed like code (Snapshots/*.verified.cs; accept changes with
    /// TANGENT_ACCEPT=1). Each also checks that the output compiles and that its gradient matches central differences,
    /// so a snapshot is never approved with wrong math.
    /// </summary>
    public class SnapshotTests
    {
        [Fact]
        public void If_else()
        {
            Check("IfElse.F", @"
using System;
using Tangent;

public static partial class IfElse
{
    [Differentiable]
    public static double F(double x, double y)
    {
        double z;
        if (x > y) z = x * Math.Sin(y);
        else z = Math.Exp(x) - y;
        return z * z;
    }
}", "IfElse", new[] { 0.3, 1.2 }, v => { double z = v[0] > v[1] ? v[0] * Math.Sin(v[1]) : Math.Exp(v[0]) - v[1]; return z * z; });
        }

        [Fact]
        public void For_loop()
        {
            Check("ForLoop.F", @"
using System;
using Tangent;

public static partial class ForLoop
{
    [Differentiable]
    public static double F(double x, double r)
    {
        double l = x;
        for (int i = 0; i < 10; i++) l = r * l * (1 - l);
        return l;
    }
}", "ForLoop", new[] { 0.3, 2.5 }, v => { double l = v[0]; for (int i = 0; i < 10; i++) l = v[1] * l * (1 - l); return l; });
        }

        [Fact]
        public void Calls_of_a_helper_in_a_loop_and_of_a_registered_derivative()
        {
            Check("Calls.F", @"
using System;
using Tangent;

public static class Activations
{
    public static double SoftPlus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    [DerivativeOf(typeof(Activations), nameof(SoftPlus))]
    public static double SoftPlusAdjoint(double x, ref double dX, double dResult)
    {
        dX += dResult / (1 + Math.Exp(-x));
        return SoftPlus(x);
    }

    [DerivativeOf(typeof(Activations), nameof(SoftPlus))]
    public static (double Value, double Tangent) SoftPlusForward(double x, double dX) => (SoftPlus(x), dX / (1 + Math.Exp(-x)));
}

public static partial class Calls
{
    [Differentiable]
    public static double Step(double r, double x) => r * x * (1 - x);

    [Differentiable]
    public static double F(double r, double x)
    {
        for (int i = 0; i < 4; i++)
            x = Step(r, x);
        return Activations.SoftPlus(x * r);
    }
}", "Calls", new[] { 2.5, 0.3 }, p =>
            {
                double r = p[0], x = p[1];
                for (int i = 0; i < 4; i++) x = r * x * (1 - x);
                double z = x * r;
                return z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
            });
        }

        [Fact]
        public void While_loop_with_break()
        {
            Check("WhileBreak.F", @"
using System;
using Tangent;

public static partial class WhileBreak
{
    [Differentiable]
    public static double F(double x)
    {
        double s = x;
        int k = 0;
        while (k < 50)
        {
            s = s * 1.5 + Math.Sin(s);
            if (s > 10) break;
            k++;
        }
        return s;
    }
}", "WhileBreak", new[] { 0.4 }, v => { double s = v[0]; int k = 0; while (k < 50) { s = s * 1.5 + Math.Sin(s); if (s > 10) break; k++; } return s; });
        }

        [Fact]
        public void Early_return()
        {
            Check("EarlyReturn.F", @"
using System;
using Tangent;

public static partial class EarlyReturn
{
    [Differentiable]
    public static double F(double x)
    {
        if (x < 0) return -x * x;
        double y = Math.Log(1 + x);
        return y * x;
    }
}", "EarlyReturn", new[] { 0.8 }, v => v[0] < 0 ? -v[0] * v[0] : Math.Log(1 + v[0]) * v[0]);
        }

        [Fact]
        public void Survey_example()
        {
            Check("Survey.F", @"
using System;
using Tangent;

public static partial class Survey
{
    [Differentiable]
    public static double F(double x1, double x2) => Math.Log(x1) + x1 * x2 - Math.Sin(x2);
}", "Survey", new[] { 2.0, 5.0 }, v => Math.Log(v[0]) + v[0] * v[1] - Math.Sin(v[1]));
        }

        [Fact]
        public void Block_body_with_locals_and_reassignment()
        {
            Check("Locals.F", @"
using System;
using Tangent;

public static partial class Locals
{
    [Differentiable]
    public static double F(double x)
    {
        double y = x * x;
        y = Math.Sin(y) * y;
        return y + Math.Exp(x);
    }
}", "Locals", new[] { 0.7 }, v => { double y = v[0] * v[0]; y = Math.Sin(y) * y; return y + Math.Exp(v[0]); });
        }

        [Fact]
        public void Float_method_using_MathF()
        {
            Check("FloatMath.F", @"
using System;
using Tangent;

public static partial class FloatMath
{
    [Differentiable]
    public static float F(float x, float y) => MathF.Sin(x) * MathF.Sqrt(y) + x / y;
}", "FloatMath", new[] { 0.5, 2.0 }, v => Math.Sin(v[0]) * Math.Sqrt(v[1]) + v[0] / v[1], rel: 1e-4);
        }

        [Fact]
        public void Instance_method_reading_a_field()
        {
            Check("Model.F", @"
using System;
using Tangent;

public partial class Model
{
    private double scale = 2.5;

    [Differentiable]
    public double F(double x) => scale * Math.Cos(x) * x;
}", "Model", new[] { 0.3 }, v => 2.5 * Math.Cos(v[0]) * v[0]);
        }

        [Fact]
        public void Int_and_NoDerivative_parameters()
        {
            Check("Inactive.F", @"
using System;
using Tangent;

public static partial class Inactive
{
    [Differentiable]
    public static double F(double x, int n, [NoDerivative] double s) => Math.Pow(x, n) * s + n;
}", "Inactive", new[] { 1.3 }, v => Math.Pow(v[0], 3) * 0.5 + 3, extraArgs: new object[] { 3, 0.5 });
        }

        [Fact]
        public void Method_that_reassigns_its_parameter()
        {
            Check("ParameterReassigned.F", @"
using System;
using Tangent;

public static partial class ParameterReassigned
{
    [Differentiable]
    public static double F(double x)
    {
        x = x * x;
        x = Math.Sin(x) + x;
        return x;
    }
}", "ParameterReassigned", new[] { 0.9 }, v => Math.Sin(v[0] * v[0]) + v[0] * v[0]);
        }

        [Fact]
        public void Templates_that_read_their_result()
        {
            Check("ResultReading.F", @"
using System;
using Tangent;

public static partial class ResultReading
{
    [Differentiable]
    public static double F(double x) => Math.Tanh(x) * Math.Exp(x) + Math.Sqrt(x);
}", "ResultReading", new[] { 0.8 }, v => Math.Tanh(v[0]) * Math.Exp(v[0]) + Math.Sqrt(v[0]));
        }

        /// <summary>
        /// Generates, verifies the snapshot, compiles, and compares <c>FGradient(point..., extraArgs...)</c> with central
        /// differences of <paramref name="f"/> (the active parameters come first in these examples).
        /// </summary>
        [Fact]
        public void Dot_product()
        {
            var run = Generate("Dot.F", @"
using Tangent;

public static partial class Dot
{
    [Differentiable]
    public static double F(double[] x, double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }
}", "Dot");
            double[] x = { 0.5, -1.25, 2.0 }, y = { 3.0, 0.25, -0.75 };
            var gradient = (ITuple)run.Invoke("Dot", "FGradient", x, y)!;
            Numeric.AssertClose(x.Zip(y, (a, b) => a * b).Sum(), (double)gradient[0]!, rel: 1e-12, what: "dot value");
            Assert.Equal(y, (double[])gradient[1]!);
            Assert.Equal(x, (double[])gradient[2]!);
        }

        [Fact]
        public void Matrix_vector_product()
        {
            var run = Generate("MatVec.F", @"
using Tangent;

public static partial class MatVec
{
    [Differentiable]
    public static double[] F(double[,] a, double[] x)
    {
        int rows = a.GetLength(0), columns = a.GetLength(1);
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++) y[i] += a[i, j] * x[j];
        }
        return y;
    }
}", "MatVec");
            double[,] a = { { 1, 2, 3 }, { -4, 5, 0.5 } };
            double[] x = { 0.5, -1, 2 };
            double[] cotangent = { 0.25, -2 };
            var dA = new double[2, 3];
            var dX = new double[3];
            var y = (double[])run.Invoke("MatVec", "FAdjoint", a, x, dA, dX, cotangent)!;
            for (int i = 0; i < 2; i++)
            {
                Numeric.AssertClose(a[i, 0] * x[0] + a[i, 1] * x[1] + a[i, 2] * x[2], y[i], rel: 1e-12, what: "y");
                for (int j = 0; j < 3; j++) Numeric.AssertClose(cotangent[i] * x[j], dA[i, j], rel: 1e-12, what: "dA = ȳ xᵀ");
            }
            for (int j = 0; j < 3; j++) Numeric.AssertClose(cotangent[0] * a[0, j] + cotangent[1] * a[1, j], dX[j], rel: 1e-12, what: "dX = Aᵀ ȳ");
        }

        [Fact]
        public void Softmax()
        {
            var run = Generate("Softmax.F", @"
using System;
using Tangent;

public static partial class Softmax
{
    [Differentiable]
    public static double[] F(double[] z)
    {
        double max = z[0];
        for (int i = 1; i < z.Length; i++) max = Math.Max(max, z[i]);
        var p = new double[z.Length];
        double total = 0;
        for (int i = 0; i < z.Length; i++)
        {
            p[i] = Math.Exp(z[i] - max);
            total += p[i];
        }
        for (int i = 0; i < z.Length; i++) p[i] /= total;
        return p;
    }
}", "Softmax");
            double[] z = { 0.5, 1.0, -0.3 };
            double[] cotangent = { 1, -0.5, 2 };
            var dZ = new double[3];
            var p = (double[])run.Invoke("Softmax", "FAdjoint", z, dZ, cotangent)!;
            // The softmax Jacobian is diag(p) − p pᵀ, so z̄ = p ⊙ (ū − (p·ū)).
            double pu = p.Zip(cotangent, (a, b) => a * b).Sum();
            for (int k = 0; k < 3; k++) Numeric.AssertClose(p[k] * (cotangent[k] - pu), dZ[k], rel: 1e-12, what: "z̄");
        }

        private static GeneratorRun Generate(string name, string source, string type)
        {
            GeneratorRun run = GeneratorHarness.Run(source);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorRun.DescribeDiagnostics(run.GeneratorDiagnostics));
            Snapshot.Verify(run.Generated(type + ".F("), name);
            run.AssertNoCompilationErrors();
            return run;
        }

        private static void Check(string name, string source, string type, double[] point, Func<double[], double> f,
                                  double rel = 1e-6, object[]? extraArgs = null)
        {
            GeneratorRun run = GeneratorHarness.Run(source);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorRun.DescribeDiagnostics(run.GeneratorDiagnostics));
            string generated = run.Generated(type + ".F(");
            Snapshot.Verify(generated, name);
            run.AssertNoCompilationErrors();

            bool isFloat = rel > 1e-5;
            object[] args = point.Select(p => isFloat ? (object)(float)p : p).Concat(extraArgs ?? Array.Empty<object>()).ToArray();
            var gradient = (ITuple)run.Invoke(type, "FGradient", args)!;
            double[] expected = Numeric.CentralDifferenceGradient(f, point);
            Numeric.AssertClose(f(point), Convert.ToDouble(gradient[0]), rel: rel, what: name + " value");
            for (int i = 0; i < point.Length; i++)
                Numeric.AssertClose(expected[i], Convert.ToDouble(gradient[i + 1]), rel: rel, what: $"{name} d/d(arg {i})");
        }
    }
}
