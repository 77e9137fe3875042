using System;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Tangent.Tests;

/// <summary>The generated signatures, by reflection, against the contract of DESIGN.md §2.</summary>
public class SignatureTests
{
    public static string?[] TupleNames(MethodInfo m)
        => m.ReturnParameter.GetCustomAttribute<TupleElementNamesAttribute>()?.TransformNames.ToArray()
           ?? throw new Xunit.Sdk.XunitException($"{m.Name}: no TupleElementNamesAttribute on the return parameter");

    private static MethodInfo Method(Type t, string name)
        => t.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
           ?? throw new Xunit.Sdk.XunitException($"{t.Name}.{name} was not generated");

    private static void AssertGeneratedAttribute(MethodInfo m, string primal, DerivativeKind kind)
    {
        var a = m.GetCustomAttribute<GeneratedDerivativeAttribute>();
        Assert.NotNull(a);
        Assert.Equal(primal, a!.PrimalName);
        Assert.Equal(kind, a.Kind);
    }

    [Fact]
    public void SurveyForward()
    {
        var m = Method(typeof(Survey), "FForward");
        Assert.True(m.IsPublic && m.IsStatic);
        Assert.Equal(typeof(ValueTuple<double, double>), m.ReturnType);
        Assert.Equal(new[] { "Value", "Tangent" }, TupleNames(m));
        Assert.Equal(new[] { "x1", "x2", "dX1", "dX2" }, m.GetParameters().Select(p => p.Name));
        Assert.All(m.GetParameters(), p => Assert.Equal(typeof(double), p.ParameterType));
        AssertGeneratedAttribute(m, "F", DerivativeKind.Forward);
    }

    [Fact]
    public void SurveyAdjoint()
    {
        var m = Method(typeof(Survey), "FAdjoint");
        Assert.True(m.IsPublic && m.IsStatic);
        Assert.Equal(typeof(double), m.ReturnType);
        var ps = m.GetParameters();
        Assert.Equal(new[] { "x1", "x2", "dX1", "dX2", "dResult" }, ps.Select(p => p.Name));
        Assert.Equal(typeof(double), ps[0].ParameterType);
        Assert.Equal(typeof(double), ps[1].ParameterType);
        Assert.Equal(typeof(double).MakeByRefType(), ps[2].ParameterType);
        Assert.Equal(typeof(double).MakeByRefType(), ps[3].ParameterType);
        Assert.False(ps[2].IsOut || ps[2].IsIn, "dX1 must be ref, not out/in");
        Assert.Equal(typeof(double), ps[4].ParameterType);
        Assert.True(ps[4].IsOptional && ps[4].HasDefaultValue);
        Assert.Equal(1.0, ps[4].DefaultValue);
        AssertGeneratedAttribute(m, "F", DerivativeKind.Adjoint);
    }

    [Fact]
    public void SurveyGradient()
    {
        var m = Method(typeof(Survey), "FGradient");
        Assert.True(m.IsPublic && m.IsStatic);
        Assert.Equal(typeof(ValueTuple<double, double, double>), m.ReturnType);
        Assert.Equal(new[] { "Value", "dX1", "dX2" }, TupleNames(m));
        Assert.Equal(new[] { "x1", "x2" }, m.GetParameters().Select(p => p.Name));
        AssertGeneratedAttribute(m, "F", DerivativeKind.Gradient);
    }

    [Fact]
    public void FloatSignatures()
    {
        var f = Method(typeof(Templates), "SinFForward");
        Assert.Equal(typeof(ValueTuple<float, float>), f.ReturnType);
        Assert.Equal(new[] { "Value", "Tangent" }, TupleNames(f));
        Assert.Equal(new[] { "x", "y", "dX", "dY" }, f.GetParameters().Select(p => p.Name));

        var a = Method(typeof(Templates), "SinFAdjoint");
        var ps = a.GetParameters();
        Assert.Equal(typeof(float), a.ReturnType);
        Assert.Equal(typeof(float).MakeByRefType(), ps[2].ParameterType);
        Assert.Equal(typeof(float).MakeByRefType(), ps[3].ParameterType);
        Assert.Equal("dResult", ps[4].Name);
        Assert.Equal(typeof(float), ps[4].ParameterType);
        Assert.Equal(1.0f, ps[4].DefaultValue);

        var g = Method(typeof(Templates), "SinFGradient");
        Assert.Equal(typeof(ValueTuple<float, float, float>), g.ReturnType);
        Assert.Equal(new[] { "Value", "dX", "dY" }, TupleNames(g));

        // Mixed parameter types: each adjoint has its parameter's type.
        var mixed = Method(typeof(Constructs), "MixedToDoubleAdjoint").GetParameters();
        Assert.Equal(typeof(float).MakeByRefType(), mixed[2].ParameterType);
        Assert.Equal(typeof(double).MakeByRefType(), mixed[3].ParameterType);
        Assert.Equal(typeof(double), mixed[4].ParameterType);
    }

    [Fact]
    public void SingleParameterGradientIsANamedPair()
    {
        var g = Method(typeof(Templates), "AtanhGradient");
        Assert.Equal(typeof(ValueTuple<double, double>), g.ReturnType);
        Assert.Equal(new[] { "Value", "dX" }, TupleNames(g));
    }

    [Fact]
    public void AccessibilityAndStaticnessFollowThePrimal()
    {
        foreach (var suffix in new[] { "Forward", "Adjoint", "Gradient" })
        {
            var i = Method(typeof(Access), "InternalSquare" + suffix);
            Assert.True(i.IsAssembly && i.IsStatic, $"InternalSquare{suffix} must be internal static");
            var p = Method(typeof(Access), "PrivateCube" + suffix);
            Assert.True(p.IsPrivate && p.IsStatic, $"PrivateCube{suffix} must be private static");
            var e = Method(typeof(Spring), "Energy" + suffix);
            Assert.True(e.IsPublic && !e.IsStatic, $"Energy{suffix} must be public instance");
        }
        Assert.Equal(2.0 * 3.0, Access.InternalSquareGradient(3.0).dX);
    }

    /// <summary>Parameter names are derived as 'd' + the name with its first letter upper-cased.</summary>
    [Fact]
    public void DerivedParameterNames()
    {
        Assert.Equal(new[] { "x", "lo", "hi", "dX", "dLo", "dHi", "dResult" },
            Method(typeof(Templates), "ClampAllAdjoint").GetParameters().Select(p => p.Name));
        Assert.Equal(new[] { "a", "b", "dA", "dB" },
            Method(typeof(Constructs), "MixedToFloatForward").GetParameters().Select(p => p.Name));
    }
}
