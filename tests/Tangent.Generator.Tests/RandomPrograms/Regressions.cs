using System;
using System.Linq;
using System.Runtime.CompilerServices;
using Tangent.Generator.Tests.Infrastructure;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>
    /// Bugs found by the random-program tests with calls between [Differentiable] methods (the 10,000-program run with
    /// seed 20260611), shrunk: an element of an input array passed straight to a [Differentiable] call inside a loop
    /// (H(a[i])) was neither recorded nor read again in the reverse sweep, so every pass called HReverse with the last
    /// pass's a[i]. Fixed: the reverse sweep reads a recomputed element temporary again from the array.
    /// </summary>
    public class Regressions
    {
        private static GeneratorRun Compile(string members)
        {
            GeneratorRun run = GeneratorHarness.Run("using System;\nusing Tangent;\n\npublic static partial class C\n{\n" + members + "\n}\n");
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "TN9999");
            run.AssertNoCompilationErrors();
            return run;
        }

        private static void AssertClose(double expected, double actual, string what) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-9 * (1 + Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

        [Fact]
        public void An_input_array_element_passed_to_a_call_in_a_loop_gets_its_own_adjoint()
        {
            // The adjoint's argument temp 'x = a[i]' counts as re-readable (a is never written), so it is not pushed;
            // but the reverse loop calls HReverse(x, ref dX, dS) without reading a[i] again: x is a[n - 1] in every
            // pass. FGradient gives [0.2, 0.2, 0.2] instead of [0.8, 0.5, 0.2]; FRecord/FReverse (through G) the same.
            // H(2.0 * a[i]), an element of a local array, or a[i] copied into a local first are recorded and correct.
            GeneratorRun run = Compile(@"
    [Differentiable]
    public static double H(double x) => Math.Atan(x);

    [Differentiable]
    public static double F(double[] a, int n)
    {
        double s = 0.0;
        for (int i = 0; i < n; i++)
        {
            s += H(a[i]);
        }
        return s;
    }

    [Differentiable]
    public static double G(double[] a) => 2.0 * F(a, 3);");
            double[] a = { 0.5, -1.0, 2.0 };
            double[] expected = a.Select(v => 1 / (1 + v * v)).ToArray(); // d/da[i] of Σ atan(a[i])

            for (int j = 0; j < a.Length; j++)
            {
                var direction = new double[a.Length];
                direction[j] = 1;
                var forward = (ITuple)run.Invoke("C", "FForward", a, 3, direction)!;
                AssertClose(expected[j], (double)forward[1]!, $"FForward tangent along a[{j}]");
            }
            var gradient = (double[])((ITuple)run.Invoke("C", "FGradient", a, 3)!)[1]!;
            var split = (double[])((ITuple)run.Invoke("C", "GGradient", a)!)[1]!;
            for (int j = 0; j < a.Length; j++)
            {
                AssertClose(expected[j], gradient[j], $"FGradient d/da[{j}]");
                AssertClose(2 * expected[j], split[j], $"GGradient (FRecord/FReverse) d/da[{j}]");
            }
        }

        [Fact]
        public void Program_7038_shrunk()
        {
            // Random program 7038 (seed 20260611), shrunk by ProgramMinimizer: adjoint mismatch d(result)/da5[0], adjoint
            // 0.20976168581180185 = 1/(1 + a5[2]²), central difference 0.2705179286314132 = 1/(1 + a5[0]²).
            GeneratorRun run = Compile(@"
    [Differentiable]
    internal static double M7038_h0(ReadOnlySpan<double> a0, double x1, [NoDerivative] int depth)
    {
        if (depth == 0)
        {
            return x1;
        }
        return Math.Atan(x1);
    }

    [Differentiable]
    public static double M7038(int n0, double x1, int n2, double x3, double x4, double[] a5)
    {
        double[] arr6 = new double[3];
        double[] arr9 = new double[arr6.Length];
        for (int i10 = 0; i10 < n0; i10++)
        {
            arr9[2] += M7038_h0(arr6, a5[i10], n0);
        }
        double v11 = arr9[2];
        return v11;
    }");
            double[] a5 = { -1.642136614603054, -1.5826691741043093, 1.940957199754639 };
            var gradient = (ITuple)run.Invoke("C", "M7038Gradient", 3, -0.3905881263271851, 0, 0.13895837689701374, 0.4529867202290272, a5)!;
            var dA5 = (double[])gradient[4]!;
            for (int j = 0; j < a5.Length; j++)
                AssertClose(1 / (1 + a5[j] * a5[j]), dA5[j], $"M7038Gradient d/da5[{j}]");
        }

        [Fact]
        public void Program_4999_shrunk()
        {
            // Random program 4999 (seed 20260611), shrunk: adjoint mismatch d(result)/da2[0], adjoint 0.296935364339169,
            // central difference 0.13449682823038 (forward mode: 0.1344968281059397). With 'double p = a2[i5]; double
            // q = a2[(i7 + 1) % 4]; x1 *= double.Sin(M4999_h0(p, q));' the adjoint is 0.1344968281059398.
            GeneratorRun run = Compile(@"
    [Differentiable]
    private static double M4999_h0(double x0, double x1) => x1 * x1 + x0 / (2.0 + x1 * x1) + Math.Pow(1.0 + Math.Cbrt(0.5 + x0 * x0) * Math.Cbrt(0.5 + x0 * x0), 0.25 / (1.0 + 0.25 * 0.25)) + (x1 + x1) * (x0 / 4.0);

    [Differentiable]
    public static double M4999(double x0, double x1, double[] a2, double x3, double x4)
    {
        for (int i5 = 0; i5 < 3; i5++)
        {
            x0 += Math.Cos(Math.Tanh(x1));
            if ((a2.Length % 2 > 1 ? x1 : 0.1) >= 0.1)
            {
                if (M4999_h0(1.5, x1) <= 1.5)
                {
                    x0 -= Math.Sin(Math.Pow(1.0 + Math.PI * Math.PI, Math.Sin(a2[i5])));
                }
                for (int i7 = 0; i7 < 3; i7++)
                {
                    x1 *= double.Sin(M4999_h0(a2[i5], a2[(i7 + 1) % 4]));
                }
                double v8 = Math.Atan2(Math.Sin(x1 - x0), Math.Cos(Math.Log2(0.5 + a2[0] * a2[0])));
                continue;
            }
            else
            {
                double v9 = Math.Log2(0.5 + x1 / -2.5 * (x1 / -2.5));
                double v10 = a2[3] + a2[2];
                x1 -= Math.Cos(v9 * v10);
            }
            x0 /= 2.0 + -(double)(a2.Length + 2) * -(double)(a2.Length + 2);
        }
        x3 -= Math.Min(x4, x4) % (1.5 + (Math.PI + x4) * (Math.PI + x4));
        x4 -= -(x1 - (double)1);
        return M4999_h0(0.5, Math.Cosh(Math.Tanh(x4))) + a2[3] + M4999_h0(x0, x3);
    }");
            double x0 = -0.14665823157255464, x1 = 1.8148995301755608, x3 = -1.42608877617218, x4 = 1.4854952057290336;
            double[] A(double shift) => new[] { -1.577494770091723 + shift, 1.6056031657408938, 0.13282494718806115, -0.1720614499282378 };
            double h = 1e-6 * 1.577494770091723;
            double central = ((double)run.Invoke("C", "M4999", x0, x1, A(h), x3, x4)! - (double)run.Invoke("C", "M4999", x0, x1, A(-h), x3, x4)!) / (2 * h);
            var forward = (ITuple)run.Invoke("C", "M4999Forward", x0, x1, A(0), x3, x4, 0.0, 0.0, new[] { 1.0, 0, 0, 0 }, 0.0, 0.0)!;
            var gradient = (ITuple)run.Invoke("C", "M4999Gradient", x0, x1, A(0), x3, x4)!;
            double tolerance = 1e-6 * (1 + Math.Abs(central));
            Assert.True(Math.Abs((double)forward[1]! - central) <= tolerance, $"forward {forward[1]}, central difference {central}");
            double adjoint = ((double[])gradient[3]!)[0];
            Assert.True(Math.Abs(adjoint - central) <= tolerance, $"adjoint {adjoint}, central difference {central}");
        }
    }
}
