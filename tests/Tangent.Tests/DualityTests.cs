using System;
using System.Collections.Generic;
using System.Linq;
using Xunit.Sdk;

namespace Tangent.Tests;

/// <summary>
/// Forward and adjoint mode agree: for random v (tangents) and w (dResult), w·(J v) from the forward method equals
/// v·(Jᵀ w) from the adjoint method. Both sides are exact derivatives computed by different code, so they agree to
/// rounding: 1e-10 relative to Σ|v_i·(Jᵀw)_i|.
/// </summary>
public class DualityTests
{
    private const double Tolerance = 1e-10;
    private static readonly Domain Pm2 = Dom.U(-2, 2);

    private static readonly Dictionary<string, Func<(Diff Method, Domain[] Domains)>> Methods = new()
    {
        ["Templates.Atan2"] = () => (Diff.Of(typeof(Templates), "Atan2"), new[] { Dom.PlusMinus(0.3, 2), Pm2 }),
        ["Templates.PowBoth"] = () => (Diff.Of(typeof(Templates), "PowBoth"), new[] { Dom.U(0.2, 3), Pm2 }),
        ["Templates.LogBoth"] = () => (Diff.Of(typeof(Templates), "LogBoth"), new[] { Dom.U(0.3, 3), Dom.U(1.2, 4) }),
        ["Templates.Hypot"] = () => (Diff.Of(typeof(Templates), "Hypot"), new[] { Dom.PlusMinus(0.2, 3), Pm2 }),
        ["Templates.Fma"] = () => (Diff.Of(typeof(Templates), "Fma"), new[] { Pm2, Pm2, Pm2 }),
        ["Templates.ClampAll"] = () => (Diff.Of(typeof(Templates), "ClampAll"), new[] { Dom.U(-1.5, 1.5), Dom.U(-1, -0.2), Dom.U(0.2, 1) }),
        ["Templates.DKinks"] = () => (Diff.Of(typeof(Templates), "DKinks"), new[] { Pm2, Pm2 }),
        ["Templates.DLogs"] = () => (Diff.Of(typeof(Templates), "DLogs"), new[] { Dom.U(0.3, 3), Dom.U(0.3, 3) }),
        ["Templates.DPow"] = () => (Diff.Of(typeof(Templates), "DPow"), new[] { Dom.U(0.3, 3), Pm2 }),
        ["Constructs.Locals"] = () => (Diff.Of(typeof(Constructs), "Locals"), new[] { Pm2, Dom.PlusMinus(0.5, 2) }),
        ["Constructs.Compound"] = () => (Diff.Of(typeof(Constructs), "Compound"), new[] { Pm2, Pm2 }),
        ["Constructs.Arithmetic"] = () => (Diff.Of(typeof(Constructs), "Arithmetic"), new[] { Pm2, Dom.PlusMinus(0.3, 2), Pm2 }),
        ["Constructs.ReassignParameters"] = () => (Diff.Of(typeof(Constructs), "ReassignParameters"), new[] { Pm2, Pm2 }),
        ["Constructs.Polynomial"] = () => (Diff.Of(typeof(Constructs), "Polynomial", inactive: new object?[] { 4 }), new[] { Pm2, Pm2 }),
        ["Constructs.Scaled"] = () => (Diff.Of(typeof(Constructs), "Scaled", inactive: new object?[] { -0.6 }), new[] { Pm2, Pm2 }),
        ["Constructs.CastToInt"] = () => (Diff.Of(typeof(Constructs), "CastToInt"), new[] { Pm2, Pm2 }),
        ["Survey.F"] = () => (Diff.Of(typeof(Survey), "F"), new[] { Dom.U(0.3, 5), Dom.U(-5, 5) }),
        ["Spring.Energy"] = () => (Diff.Of(typeof(Spring), "Energy", target: new Spring(2.0, 0.7)), new[] { Dom.PlusMinus(0.2, 2), Dom.PlusMinus(0.2, 2) }),
    };

    public static TheoryData<string> Names => new(Methods.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardAndAdjointAreDual(string name)
    {
        var (m, domains) = Methods[name]();
        var r = new Random(Rand.Seed("duality " + name));
        for (int c = 0; c < 80; c++)
        {
            double[] x = domains.Select(d => d(r)).ToArray();
            double[] v = Rand.Direction(r, x.Length);
            double w = Rand.Cotangent(r);
            double wJv = w * m.CallForward(x, v).Tangent;
            var a = new double[x.Length];
            m.CallAdjoint(x, a, w);
            double vJw = 0, scale = 0;
            for (int i = 0; i < x.Length; i++) { vJw += v[i] * a[i]; scale += Math.Abs(v[i] * a[i]); }
            double err = Math.Abs(wJv - vJw) / Math.Max(scale, double.Epsilon);
            if (!(err <= Tolerance) && !(wJv == vJw))
                throw new XunitException(
                    $"{name}: w·(Jv) = {Check.Fmt(wJv)} but v·(Jᵀw) = {Check.Fmt(vJw)} (relative error {err:G3}) " +
                    $"at x = {Check.Fmt(x)}, v = {Check.Fmt(v)}, w = {Check.Fmt(w)}");
        }
    }
}
