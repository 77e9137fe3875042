using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Tangent.Tests;

/// <summary>Straight-line constructs (<see cref="Constructs"/>) in both modes, against central differences.</summary>
public class ConstructTests
{
    private static readonly Domain Pm2 = Dom.U(-2, 2);
    private static readonly Domain AwayFromInt = Dom.Frac(-3, 2, 0.05, 0.95);

    private static Diff D(string name, object?[]? inactive = null) => Diff.Of(typeof(Constructs), name, inactive: inactive);

    /// <summary>Double twin of the float/double-mixed methods (a·b + sin a · cos b), exact in double.</summary>
    private static double MixedReference(double[] x) => x[0] * x[1] + Math.Sin(x[0]) * Math.Cos(x[1]);

    private static readonly Dictionary<string, Func<GradientSpec>> Specs = new()
    {
        ["Locals"] = () => new() { Method = D("Locals"), Domains = new[] { Pm2, Dom.PlusMinus(0.5, 2) } },
        ["Reassign"] = () => new() { Method = D("Reassign"), Domains = new[] { Dom.U(-1.5, 1) } },
        ["Compound"] = () => new() { Method = D("Compound"), Domains = new[] { Pm2, Pm2 } },
        ["CompoundF"] = () => new()
        {
            Method = D("CompoundF"), Domains = new[] { Pm2, Pm2 },
            Reference = D("Compound").Call, Tolerance = Tol.Float,
        },
        ["UnaryMinus"] = () => new() { Method = D("UnaryMinus"), Domains = new[] { Pm2, Pm2 } },
        ["Arithmetic"] = () => new() { Method = D("Arithmetic"), Domains = new[] { Pm2, Dom.PlusMinus(0.3, 2), Pm2 } },
        // 3x² + 0.5x − 0.1 + K·x + Scale·x² + π·sin x + 2 with K = 2.5, Scale = 0.75 (const and static readonly).
        ["Literals"] = () => new()
        {
            Method = D("Literals"), Domains = new[] { Pm2 },
            Analytic = x => new[] { 6 * x[0] + 0.5 + 2.5 + 2 * 0.75 * x[0] + Math.PI * Math.Cos(x[0]) },
        },
        // Float version: KF = 1.5, ScaleF = 0.25.
        ["LiteralsF"] = () => new()
        {
            Method = D("LiteralsF"), Domains = new[] { Pm2 }, Tolerance = Tol.Float,
            Analytic = x => new[] { 6 * x[0] + 0.5 + 1.5 + 2 * 0.25 * x[0] + Math.PI * Math.Cos(x[0]) },
        },
        // (float)x·y + sin x: ∂x = y + cos x (the cast passes the derivative, rounded to float), ∂y = (float)x.
        ["CastToFloat"] = () => new()
        {
            Method = D("CastToFloat"), Domains = new[] { Pm2, Pm2 }, Tolerance = Tol.Float, SameTolerance = Tol.SameFloat,
            Analytic = x => new[] { x[1] + Math.Cos(x[0]), (double)(float)x[0] },
        },
        // (double)f·y + f·f (f·f in float): ∂f = y + 2f, ∂y = f.
        ["CastToDouble"] = () => new()
        {
            Method = D("CastToDouble"), Domains = new[] { Pm2, Pm2 }, Tolerance = Tol.Float,
            Analytic = x => new[] { x[1] + 2 * x[0], x[0] },
        },
        // (int)x·y + x·(int)y away from integers: ∂x = (int)y, ∂y = (int)x.
        ["CastToInt"] = () => new() { Method = D("CastToInt"), Domains = new[] { AwayFromInt, AwayFromInt } },
        ["MixedToFloat"] = () => new()
        {
            Method = D("MixedToFloat"), Domains = new[] { Pm2, Pm2 }, Reference = MixedReference, Tolerance = Tol.Float,
        },
        ["MixedToDouble"] = () => new()
        {
            Method = D("MixedToDouble"), Domains = new[] { Pm2, Pm2 }, Reference = MixedReference, Tolerance = Tol.Float,
        },
        ["ExpressionBodied"] = () => new() { Method = D("ExpressionBodied"), Domains = new[] { Pm2, Pm2 } },
        ["BlockBodied"] = () => new() { Method = D("BlockBodied"), Domains = new[] { Pm2, Pm2 } },
        ["Polynomial"] = () => new() { Method = D("Polynomial", new object?[] { 3 }), Domains = new[] { Pm2, Pm2 } },
        ["Scaled"] = () => new() { Method = D("Scaled", new object?[] { 1.7 }), Domains = new[] { Pm2, Pm2 } },
        ["ReassignParameter"] = () => new() { Method = D("ReassignParameter"), Domains = new[] { Pm2 } },
        ["ReassignParameters"] = () => new() { Method = D("ReassignParameters"), Domains = new[] { Dom.U(-1.5, 1.5), Dom.U(-1.5, 1.5) } },
        ["Logged"] = () => new() { Method = D("Logged"), Domains = new[] { Pm2, Pm2 } },
        ["IntDivision"] = () => new() { Method = D("IntDivision"), Domains = new[] { Pm2 }, Analytic = _ => new[] { 0 + 1 + 0.5 } },
        ["Negations"] = () => new() { Method = D("Negations"), Domains = new[] { Pm2, Pm2 } },
        ["LocalNames"] = () => new() { Method = D("LocalNames"), Domains = new[] { Pm2 } },
        ["KeywordNames"] = () => new() { Method = D("KeywordNames"), Domains = new[] { Pm2, Pm2, Pm2 } },
        ["Assignments"] = () => new() { Method = D("Assignments"), Domains = new[] { Pm2 } },
        ["ParameterCompound"] = () => new() { Method = D("ParameterCompound"), Domains = new[] { Pm2 } },
        // x % y · x away from the jumps of x % y (where x / y is an integer).
        ["Remainder"] = () => new()
        {
            Method = D("Remainder"), Domains = new[] { Dom.U(-3, 3), Dom.PlusMinus(0.5, 2) },
            Accept = x => { double q = x[0] / x[1]; return Math.Abs(q - Math.Round(q)) > 0.05; },
        },
        ["UsingStatic"] = () => new() { Method = D("UsingStatic"), Domains = new[] { Pm2, Pm2 } },
        ["NestedType"] = () => new() { Method = Diff.Of(typeof(Outer.Inner), "Nested"), Domains = new[] { Pm2, Pm2 } },
        ["GenericType"] = () => new() { Method = Diff.Of(typeof(Generic<string>), "Square"), Domains = new[] { Pm2 } },
        ["StructInstance"] = () => new()
        {
            Method = Diff.Of(typeof(Charge), "Potential", target: new Charge { Q = -1.5 }), Domains = new[] { Dom.U(0.5, 3) },
        },
        ["Survey"] = () => new() { Method = Diff.Of(typeof(Survey), "F"), Domains = new[] { Dom.U(0.3, 5), Dom.U(-5, 5) } },
        ["InstanceMethod"] = () => new()
        {
            Method = Diff.Of(typeof(Spring), "Energy", target: new Spring(3.0, 0.5)),
            Domains = new[] { Dom.PlusMinus(0.2, 2), Dom.PlusMinus(0.2, 2) },
        },
    };

    public static TheoryData<string> Names => new(Specs.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Numeric(string name) => Specs[name]().Run();

    /// <summary>Math.Pow(x, n) with an inactive int n, for several n (negative bases included).</summary>
    [Theory]
    [InlineData(-3)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void PowWithInactiveIntExponent(int n)
    {
        new GradientSpec
        {
            Method = D("PowN", new object?[] { n }),
            Domains = new[] { Dom.PlusMinus(0.4, 2) },
            Analytic = x => new[] { n * Math.Pow(x[0], n - 1) },
            Seed = 100 + n,
        }.Run();
        // And through the typed generated methods.
        Assert.Equal(n * Math.Pow(1.5, n - 1), Constructs.PowNGradient(1.5, n).dX, 12);
        Assert.Equal(n * Math.Pow(1.5, n - 1) * 0.5, Constructs.PowNForward(1.5, n, 0.5).Tangent, 12);
    }

    [Fact]
    public void ExpressionAndBlockBodiesAgree()
    {
        var r = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            double x = r.Uniform(-2, 2), y = r.Uniform(-2, 2);
            var e = Constructs.ExpressionBodiedGradient(x, y);
            var b = Constructs.BlockBodiedGradient(x, y);
            Assert.Equal(e.Value, b.Value);
            Assert.Equal(e.dX, b.dX, 1e-12);
            Assert.Equal(e.dY, b.dY, 1e-12);
            Assert.Equal(Constructs.ExpressionBodiedForward(x, y, 0.3, -0.7).Tangent, Constructs.BlockBodiedForward(x, y, 0.3, -0.7).Tangent, 1e-12);
        }
    }

    /// <summary>The survey example of DESIGN.md at (2, 5), through the typed generated methods.</summary>
    [Fact]
    public void SurveyExample()
    {
        var (value, dX1, dX2) = Survey.FGradient(2, 5);
        Assert.Equal(11.652, value, 1e-3);
        Assert.Equal(5.5, dX1, 1e-3);
        Assert.Equal(1.716, dX2, 1e-3);
        // Exact: ∂f/∂x1 = 1/x1 + x2, ∂f/∂x2 = x1 − cos x2.
        Assert.Equal(1 / 2.0 + 5, dX1, 1e-14);
        Assert.Equal(2 - Math.Cos(5), dX2, 1e-14);

        var forward = Survey.FForward(2, 5, 1, 0);
        Assert.Equal(value, forward.Value);
        Assert.Equal(5.5, forward.Tangent, 1e-14);
        Assert.Equal(2 - Math.Cos(5), Survey.FForward(2, 5, 0, 1).Tangent, 1e-14);

        double a1 = 0, a2 = 0;
        Assert.Equal(value, Survey.FAdjoint(2, 5, ref a1, ref a2));   // dResult defaults to 1
        Assert.Equal(dX1, a1, 1e-14);
        Assert.Equal(dX2, a2, 1e-14);
    }

    /// <summary>
    /// A parameter reassigned in the body: the adjoint must add into the caller's accumulator, not reset it or
    /// scale it (the adjoint of the reassigned copy is not the caller's dX).
    /// </summary>
    [Fact]
    public void AdjointAddsToPreloadedAccumulatorWhenParameterIsReassigned()
    {
        var r = new Random(11);
        for (int i = 0; i < 50; i++)
        {
            double x = r.Uniform(-2, 2), w = Rand.Cotangent(r);
            double dX = 10;
            double value = Constructs.ReassignParameterAdjoint(x, ref dX, w);
            Assert.Equal(4 * x * x, value, 1e-12);
            // f = (2x)² = 4x², f' = 8x.
            Check.Close(10 + 8 * x * w, dX, Tol.SameDouble, "dX after preloading 10", () => $"x = {Check.Fmt(x)}, dResult = {Check.Fmt(w)}");
        }
    }

    [Fact]
    public void AdjointAddsToPreloadedAccumulators()
    {
        var r = new Random(12);
        for (int i = 0; i < 50; i++)
        {
            double x = r.Uniform(-1.5, 1.5), y = r.Uniform(-1.5, 1.5), w = Rand.Cotangent(r);
            double p = r.Uniform(-5, 5), q = r.Uniform(-5, 5);
            var (_, gx, gy) = Constructs.ReassignParametersGradient(x, y);
            double dX = p, dY = q;
            Constructs.ReassignParametersAdjoint(x, y, ref dX, ref dY, w);
            string Ctx() => $"x = {Check.Fmt(x)}, y = {Check.Fmt(y)}, preload = ({Check.Fmt(p)}, {Check.Fmt(q)}), dResult = {Check.Fmt(w)}";
            Check.Close(p + w * gx, dX, Tol.SameDouble, "dX", Ctx);
            Check.Close(q + w * gy, dY, Tol.SameDouble, "dY", Ctx);

            double s1 = p, s2 = q;
            Survey.FAdjoint(x + 2, y, ref s1, ref s2, w);
            Check.Close(p + w * (1 / (x + 2) + y), s1, Tol.SameDouble, "survey dX1", Ctx);
            Check.Close(q + w * (x + 2 - Math.Cos(y)), s2, Tol.SameDouble, "survey dX2", Ctx);
        }
    }

    /// <summary>[NoDerivative] and inactive int parameters get no tangent and no adjoint.</summary>
    [Fact]
    public void InactiveParametersHaveNoDerivativeParameters()
    {
        static string Shape(MethodInfo m) => string.Join(", ", m.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"));
        var t = typeof(Constructs);

        Assert.Equal("Double x, Double scale, Double y, Double dX, Double dY", Shape(t.GetMethod("ScaledForward")!));
        Assert.Equal("Double x, Double scale, Double y, Double& dX, Double& dY, Double dResult", Shape(t.GetMethod("ScaledAdjoint")!));
        Assert.Equal("Double x, Double scale, Double y", Shape(t.GetMethod("ScaledGradient")!));
        Assert.Equal(new[] { "Value", "dX", "dY" }, SignatureTests.TupleNames(t.GetMethod("ScaledGradient")!));
        Assert.DoesNotContain(t.GetMethods(), m => m.GetParameters().Any(p => p.Name == "dScale"));

        Assert.Equal("Double x, Int32 n, Double dX", Shape(t.GetMethod("PowNForward")!));
        Assert.Equal("Double x, Int32 n, Double& dX, Double dResult", Shape(t.GetMethod("PowNAdjoint")!));
        Assert.Equal("Double x, Int32 degree, Double c, Double& dX, Double& dC, Double dResult", Shape(t.GetMethod("PolynomialAdjoint")!));

        // Typed calls (compile-time check of the same shapes).
        double dX = 0, dY = 0;
        double v = Constructs.ScaledAdjoint(0.3, 2.0, -1.0, ref dX, ref dY);
        Assert.Equal(Constructs.Scaled(0.3, 2.0, -1.0), v);
        Assert.Equal(2.0 * Math.Cos(0.3), dX, 1e-14);
        Assert.Equal(4.0, dY, 1e-14);
    }

    /// <summary>A discarded call runs once per generated call (in the forward sweep) and does not affect derivatives.</summary>
    [Fact]
    public void DiscardedCallRunsOnceAndTakesNoPart()
    {
        Log.Reset();
        double d = 0;
        Assert.Equal(2.25, Constructs.CountedAdjoint(1.5, ref d));
        Assert.Equal(1, Log.Calls);
        Assert.Equal(3.0, d);

        Log.Reset();
        Assert.Equal((2.25, 6.0), Constructs.CountedForward(1.5, 2));
        Assert.Equal(1, Log.Calls);

        Log.Reset();
        Assert.Equal((2.25, 3.0), Constructs.CountedGradient(1.5));
        Assert.Equal(1, Log.Calls);

        // Logged: x·y·sin x with Debug.WriteLine, Console.Write and a logger in between.
        var (value, dX, dY) = Constructs.LoggedGradient(0.7, -1.3);
        Assert.Equal(0.7 * -1.3 * Math.Sin(0.7), value, 1e-15);
        Assert.Equal(-1.3 * Math.Sin(0.7) + 0.7 * -1.3 * Math.Cos(0.7), dX, 1e-14);
        Assert.Equal(0.7 * Math.Sin(0.7), dY, 1e-14);
    }

    /// <summary>The instance method reads its fields as constants and is generated as an instance method.</summary>
    [Fact]
    public void InstanceMethod()
    {
        var spring = new Spring(stiffness: 3.0, rest: 0.5);
        double x = 0.6, y = 0.8;   // length 1, stretch 0.5
        var (value, dX, dY) = spring.EnergyGradient(x, y);
        Assert.Equal(0.5 * 3 * 0.25, value, 1e-15);
        // E = k/2 (r − r0)², ∇E = k (r − r0) (x, y)/r.
        Assert.Equal(3 * 0.5 * x, dX, 1e-14);
        Assert.Equal(3 * 0.5 * y, dY, 1e-14);
        Assert.Equal(3 * 0.5 * (x * 1 + y * 2), spring.EnergyForward(x, y, 1, 2).Tangent, 1e-14);
        foreach (var name in new[] { "EnergyForward", "EnergyAdjoint", "EnergyGradient" })
            Assert.False(typeof(Spring).GetMethod(name)!.IsStatic, name + " must be an instance method");

        // A different instance has different constants.
        Assert.Equal(2 * (1 - 0.25) * x, new Spring(2.0, 0.25).EnergyGradient(x, y).dX, 1e-14);
    }
}
