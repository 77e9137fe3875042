// A helper called 1000 times: Chain → Step, differentiated through the helper's generated methods
// (StepForward; StepRecord/StepReverse in the adjoint). Compared with HelperInlinedBenchmarks.
using BenchmarkDotNet.Attributes;
using System;
using Tangent;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks.Workloads
{
    public static partial class Helper
    {
        /// <summary>One explicit Euler step of dx/dt = a·cos x − x.</summary>
        [Differentiable]
        public static double Step(double a, double x) => x + 0.01 * (a * Math.Cos(x) - x);

        /// <summary>1000 steps through the helper: the generated derivatives call StepAdjoint/StepForward 1000 times.</summary>
        [Differentiable]
        public static double Chain(double a, double x0)
        {
            double x = x0;
            for (int i = 0; i < 1000; i++)
                x = Step(a, x);
            return x;
        }
    }
}

namespace Tangent.Benchmarks
{
    [MemoryDiagnoser]
    [Workload(6, "Helper called 1000 times: Chain(a, x0) loops over x = Step(a, x)", "a and x0: 2")]
    public class HelperCallBenchmarks
    {
        private const double H = 1e-7;
        private double _a = 0.8, _x0 = 0.1, _tA = 1, _tX0 = 0.5;
        private double _cdA, _cdX0;

        [GlobalSetup]
        public void Setup()
        {
            double value = Helper.HandGradient(_a, _x0, out double hA, out double hX0);
            double[] hand = { hA, hX0 };
            Agreement.Scalar("Helper call: hand-written value", value, Helper.Chain(_a, _x0));

            double dA = 0, dX0 = 0;
            Agreement.Scalar("Helper call: adjoint value", Helper.ChainAdjoint(_a, _x0, ref dA, ref dX0), value);
            Agreement.Gradient("Helper call: adjoint gradient", new[] { dA, dX0 }, hand);

            var e1 = Helper.ChainForward(_a, _x0, 1, 0);
            var e2 = Helper.ChainForward(_a, _x0, 0, 1);
            Agreement.Scalar("Helper call: forward value", e1.Value, value);
            Agreement.Gradient("Helper call: forward gradient (2 directions)", new[] { e1.Tangent, e2.Tangent }, hand);

            CentralDifferences();
            Agreement.Numerically("Helper call: central differences", new[] { _cdA, _cdX0 }, hand);
        }

        [Benchmark(Baseline = true)]
        public double Primal() => Helper.Chain(_a, _x0);

        [Benchmark]
        public double Adjoint()
        {
            double dA = 0, dX0 = 0;
            return Helper.ChainAdjoint(_a, _x0, ref dA, ref dX0) + dA + dX0;
        }

        [Benchmark]
        public double Forward()
        {
            var (value, tangent) = Helper.ChainForward(_a, _x0, _tA, _tX0);
            return value + tangent;
        }

        [Benchmark]
        public double ForwardGradient()
        {
            var e1 = Helper.ChainForward(_a, _x0, 1, 0);
            var e2 = Helper.ChainForward(_a, _x0, 0, 1);
            return e1.Value + e1.Tangent + e2.Tangent;
        }

        [Benchmark]
        public double HandWritten() => Helper.HandGradient(_a, _x0, out double dA, out double dX0) + dA + dX0;

        [Benchmark]
        public double CentralDifferences()
        {
            _cdA = (Helper.Chain(_a + H, _x0) - Helper.Chain(_a - H, _x0)) / (2 * H);
            _cdX0 = (Helper.Chain(_a, _x0 + H) - Helper.Chain(_a, _x0 - H)) / (2 * H);
            return _cdA + _cdX0;
        }
    }
}
