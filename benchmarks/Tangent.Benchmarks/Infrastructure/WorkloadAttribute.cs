using System;

namespace Tangent.Benchmarks.Infrastructure;

/// <summary>
/// Marks a benchmark class as one workload of the report. Its benchmark methods follow one naming scheme that
/// the report and the smoke mode rely on: <c>Primal</c>, <c>Adjoint</c>, <c>Forward</c> (one direction),
/// <c>ForwardGradient</c> (n directions), <c>HandWritten</c>, <c>CentralDifferences</c> (2n primal calls).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WorkloadAttribute : Attribute
{
    public WorkloadAttribute(int order, string title, string inputs)
    {
        Order = order;
        Title = title;
        Inputs = inputs;
    }

    /// <summary>Position in the report.</summary>
    public int Order { get; }

    /// <summary>What is differentiated, for the report's headings.</summary>
    public string Title { get; }

    /// <summary>The active inputs and their count, as the report states them (e.g. "x ∈ ℝⁿ").</summary>
    public string Inputs { get; }
}

/// <summary>The names of the benchmark methods (see <see cref="WorkloadAttribute"/>).</summary>
public static class Methods
{
    public const string Primal = nameof(Primal);
    public const string Adjoint = nameof(Adjoint);
    public const string Forward = nameof(Forward);
    public const string ForwardGradient = nameof(ForwardGradient);
    public const string HandWritten = nameof(HandWritten);
    public const string CentralDifferences = nameof(CentralDifferences);

    /// <summary>Helmholtz only: the primal written with a register accumulator for A·x, and its generated adjoint.</summary>
    public const string PrimalAccumulated = nameof(PrimalAccumulated);
    public const string AdjointAccumulated = nameof(AdjointAccumulated);

    /// <summary>MLP only: forward mode (one direction) written by hand, the floor the generated forward mode is judged against.</summary>
    public const string ForwardHandWritten = nameof(ForwardHandWritten);

    public static readonly string[] All = { Primal, Adjoint, Forward, ForwardGradient, HandWritten, CentralDifferences };
}
