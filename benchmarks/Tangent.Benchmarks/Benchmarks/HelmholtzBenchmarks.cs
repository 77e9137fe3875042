using System;
using BenchmarkDotNet.Attributes;
using Tangent.Benchmarks.Infrastructure;
using Tangent.Benchmarks.Workloads;

namespace Tangent.Benchmarks;

[MemoryDiagnoser]
[Workload(2, "Helmholtz free energy f(x), x ∈ ℝⁿ (the survey's Table 4)", "n")]
public class HelmholtzBenchmarks
{
    /// <summary>The survey's sizes.</summary>
    [Params(1, 8, 15, 22, 29, 36, 43, 50)]
    public int N { get; set; } = 50;

    private const double H = 1e-6;

    private double[] _x = Array.Empty<double>(), _b = Array.Empty<double>();
    private double[,] _a = new double[0, 0];
    private double[] _dX = Array.Empty<double>(), _scratch = Array.Empty<double>(), _direction = Array.Empty<double>();
    private double[] _unit = Array.Empty<double>(), _forwardGradient = Array.Empty<double>();
    private double[] _work = Array.Empty<double>(), _differences = Array.Empty<double>();

    /// <summary>A symmetric with entries in [0, 1), b in (0, 0.01], x in (0, 1), from a fixed seed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int n = N;
        var random = new Random(20180101 + n);
        _x = new double[n];
        _b = new double[n];
        _a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            _x[i] = 0.01 + 0.98 * random.NextDouble();
            _b[i] = 0.01 * (1 - random.NextDouble());
            for (int j = 0; j <= i; j++)
                _a[i, j] = _a[j, i] = random.NextDouble();
        }
        _dX = new double[n];
        _scratch = new double[n];
        _unit = new double[n];
        _forwardGradient = new double[n];
        _work = (double[])_x.Clone();
        _differences = new double[n];
        _direction = new double[n];
        for (int i = 0; i < n; i++)
            _direction[i] = random.NextDouble() - 0.5;

        var hand = new double[n];
        double value = Helmholtz.HandGradient(_x, _a, _b, hand, _scratch);
        Agreement.Scalar($"Helmholtz n={n}: hand-written value", value, Helmholtz.Energy(_x, _a, _b));

        Array.Clear(_dX);
        Agreement.Scalar($"Helmholtz n={n}: adjoint value", Helmholtz.EnergyAdjoint(_x, _a, _b, _dX), value);
        Agreement.Gradient($"Helmholtz n={n}: adjoint gradient", _dX, hand);

        ForwardGradient();
        Agreement.Gradient($"Helmholtz n={n}: forward gradient ({n} directions)", _forwardGradient, hand);
        var (forwardValue, tangent) = Helmholtz.EnergyForward(_x, _a, _b, _direction);
        Agreement.Scalar($"Helmholtz n={n}: forward value", forwardValue, value);
        Agreement.Scalar($"Helmholtz n={n}: forward directional derivative", tangent, Agreement.Dot(hand, _direction));

        Agreement.Scalar($"Helmholtz n={n}: accumulated primal value", Helmholtz.EnergyAccumulated(_x, _a, _b), value);
        Array.Clear(_dX);
        Agreement.Scalar($"Helmholtz n={n}: adjoint value of the accumulated primal", Helmholtz.EnergyAccumulatedAdjoint(_x, _a, _b, _dX), value);
        Agreement.Gradient($"Helmholtz n={n}: adjoint gradient of the accumulated primal", _dX, hand);

        CentralDifferences();
        Agreement.Numerically($"Helmholtz n={n}: central differences", _differences, hand);
    }

    [Benchmark(Baseline = true)]
    public double Primal() => Helmholtz.Energy(_x, _a, _b);

    /// <summary>The generated adjoint into a preallocated shadow, zeroed here (the contract: the caller zeroes).</summary>
    [Benchmark]
    public double Adjoint()
    {
        Array.Clear(_dX);
        return Helmholtz.EnergyAdjoint(_x, _a, _b, _dX) + _dX[0];
    }

    /// <summary>One directional derivative.</summary>
    [Benchmark]
    public double Forward()
    {
        var (value, tangent) = Helmholtz.EnergyForward(_x, _a, _b, _direction);
        return value + tangent;
    }

    /// <summary>The full gradient by forward mode: n calls along the unit vectors.</summary>
    [Benchmark]
    public double ForwardGradient()
    {
        double[] unit = _unit;
        for (int i = 0; i < unit.Length; i++)
        {
            unit[i] = 1;
            _forwardGradient[i] = Helmholtz.EnergyForward(_x, _a, _b, unit).Tangent;
            unit[i] = 0;
        }
        return _forwardGradient[0];
    }

    /// <summary>The primal written as carefully as the hand-written gradient (<see cref="Helmholtz.EnergyAccumulated"/>).</summary>
    [Benchmark]
    public double PrimalAccumulated() => Helmholtz.EnergyAccumulated(_x, _a, _b);

    /// <summary>The generated adjoint of <see cref="Helmholtz.EnergyAccumulated"/>.</summary>
    [Benchmark]
    public double AdjointAccumulated()
    {
        Array.Clear(_dX);
        return Helmholtz.EnergyAccumulatedAdjoint(_x, _a, _b, _dX) + _dX[0];
    }

    [Benchmark]
    public double HandWritten() => Helmholtz.HandGradient(_x, _a, _b, _dX, _scratch) + _dX[0];

    /// <summary>Central differences: 2n primal calls.</summary>
    [Benchmark]
    public double CentralDifferences()
    {
        double[] work = _work;
        for (int i = 0; i < work.Length; i++)
        {
            double xi = work[i];
            work[i] = xi + H;
            double plus = Helmholtz.Energy(work, _a, _b);
            work[i] = xi - H;
            double minus = Helmholtz.Energy(work, _a, _b);
            work[i] = xi;
            _differences[i] = (plus - minus) / (2 * H);
        }
        return _differences[0];
    }
}
