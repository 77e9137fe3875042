using System.Linq;
using M = Tangent.Tests.RecordingMethods;

namespace Tangent.Tests;

/// <summary>Both modes against central differences for <see cref="RecordingMethods"/>, at random points and sizes.</summary>
public class RecordingTests
{
    private static readonly int[] Sizes = { 1, 2, 5 };

    [Fact]
    public void LogisticStepsRecomputeProductAndDifference()
    {
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"LogisticSteps(n = {n})",
                Dim = n + 1,
                F = v => M.LogisticSteps(v.Take(n).ToArray(), v[n]),
                Forward = (v, t) => M.LogisticStepsForward(v.Take(n).ToArray(), v[n], t.Take(n).ToArray(), t[n]),
                Adjoint = (v, acc, w) =>
                {
                    var dR = acc.Take(n).ToArray();
                    double dX0 = acc[n];
                    double value = M.LogisticStepsAdjoint(v.Take(n).ToArray(), v[n], dR, ref dX0, w);
                    dR.CopyTo(acc, 0);
                    acc[n] = dX0;
                    return value;
                },
                Domain = Dom.U(0.1, 0.9),
            }.Run();
    }

    [Fact]
    public void TemporariesWhoseOperandsChangeAfterTheirLastUse()
    {
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"OperandsChangeAfterLastUse(n = {n})",
                Dim = n + 1,
                F = v => M.OperandsChangeAfterLastUse(v.Take(n).ToArray(), v[n]),
                Forward = (v, t) => M.OperandsChangeAfterLastUseForward(v.Take(n).ToArray(), v[n], t.Take(n).ToArray(), t[n]),
                Adjoint = (v, acc, w) =>
                {
                    var dV = acc.Take(n).ToArray();
                    double dY = acc[n];
                    double value = M.OperandsChangeAfterLastUseAdjoint(v.Take(n).ToArray(), v[n], dV, ref dY, w);
                    dV.CopyTo(acc, 0);
                    acc[n] = dY;
                    return value;
                },
            }.Run();
    }

    [Fact]
    public void LocalArrayWrittenPerPassAndReadDeeper()
    {
        foreach (int n in Sizes)
            new ArrCase
            {
                Name = $"Layered(n = {n})",
                Dim = n,
                F = M.Layered,
                Forward = (x, t) => M.LayeredForward(x, t),
                Adjoint = (x, acc, w) => { var d = (double[])acc.Clone(); double value = M.LayeredAdjoint(x, d, w); d.CopyTo(acc, 0); return value; },
                Gradient = x => M.LayeredGradient(x),
            }.Run();
    }

    [Fact]
    public void LocalArrayThatIsAlsoTheResult()
    {
        foreach (int n in Sizes)
            new VecCase
            {
                Name = $"LayeredReturned(n = {n})",
                Dim = n,
                F = M.LayeredReturned,
                Forward = (x, t) => M.LayeredReturnedForward(x, t),
                Adjoint = (x, acc, yBar) => { var d = (double[])acc.Clone(); var value = M.LayeredReturnedAdjoint(x, d, yBar); d.CopyTo(acc, 0); return value; },
            }.Run();
    }
}
