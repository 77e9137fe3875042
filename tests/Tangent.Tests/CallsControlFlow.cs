using System;

namespace Tangent.Tests;

// Calls between [Differentiable] methods (issue 5) inside loops, recursion and exceptions.
public static partial class ControlFlowCorpus
{
    /// <summary>A loop calling another looping [Differentiable] method (its tape frame is nested in this one).</summary>
    [Differentiable]
    public static double CallsLooping(double x, double r)
    {
        double s = 0;
        for (int i = 0; i < 3; i++)
            s += Logistic(x + 0.01 * i, r, 10) * (i + 1);
        return s;
    }

    /// <summary>Recursion through a looping method.</summary>
    [Differentiable]
    public static double RecursiveLoop(double x, int depth)
    {
        double s = x;
        for (int i = 0; i < 3; i++)
            s = Math.Sin(s) + x;
        if (depth <= 0)
            return s;
        return RecursiveLoop(s * 0.5, depth - 1) * x;
    }

    /// <summary>Calls <see cref="ThrowingLoop"/> from a loop: the exception leaves two tape frames.</summary>
    [Differentiable]
    public static double CallsThrowing(double x)
    {
        double s = x;
        for (int i = 0; i < 3; i++)
            s = s * 0.5 + ThrowingLoop(s, 6);
        return s;
    }
}

public class ControlFlowCallTests
{
    [Fact]
    public void LoopCallingALoopingMethod()
        => new CfCase
        {
            Name = "CallsLooping",
            F = x => ControlFlowCorpus.CallsLooping(x[0], x[1]),
            Forward = (x, v) => ControlFlowCorpus.CallsLoopingForward(x[0], x[1], v[0], v[1]),
            Adjoint = (x, acc, w) => ControlFlowCorpus.CallsLoopingAdjoint(x[0], x[1], ref acc[0], ref acc[1], w),
            Gradient = x => { var (v, g0, g1) = ControlFlowCorpus.CallsLoopingGradient(x[0], x[1]); return (v, new[] { g0, g1 }); },
            Sample = r => new[] { r.U(0.1, 0.8), r.U(2.5, 2.95) / 4 },
        }.Run(1);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void RecursionThroughALoopingMethod(int depth)
        => new CfCase
        {
            Name = $"RecursiveLoop(depth = {depth})",
            F = x => ControlFlowCorpus.RecursiveLoop(x[0], depth),
            Forward = (x, v) => ControlFlowCorpus.RecursiveLoopForward(x[0], depth, v[0]),
            Adjoint = (x, acc, w) => ControlFlowCorpus.RecursiveLoopAdjoint(x[0], depth, ref acc[0], w),
            Gradient = x => { var (v, g) = ControlFlowCorpus.RecursiveLoopGradient(x[0], depth); return (v, new[] { g }); },
            Sample = r => new[] { r.U(-1.5, 1.5) },
        }.Run(2);

    [Fact]
    public void ExceptionUnwindingTwoFrames()
    {
        double d0 = 0;
        double v0 = ControlFlowCorpus.CallsThrowingAdjoint(0.3, ref d0);
        ControlFlowHooks.Armed = true;
        try
        {
            double d = 0;
            Assert.Throws<System.InvalidOperationException>(() => ControlFlowCorpus.CallsThrowingAdjoint(0.3, ref d));
        }
        finally { ControlFlowHooks.Armed = false; }
        Assert.True(Tape.Current.IsEmpty);
        double d1 = 0;
        Assert.Equal(v0, ControlFlowCorpus.CallsThrowingAdjoint(0.3, ref d1));
        Assert.Equal(d0, d1);
        Assert.True(Tape.Current.IsEmpty);
    }
}
