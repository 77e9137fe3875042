using static System.Math;
using Mth = System.Math;

namespace Tangent.Tests;

/// <summary>Math functions called through <c>using static System.Math</c>, an alias, and fully qualified names.</summary>
public static partial class Constructs
{
    [Differentiable]
    public static double UsingStatic(double x, double y) => Sin(x) * Exp(y) + PI * x + Mth.Cos(x * y) + global::System.Math.Sqrt(y * y + 1);
}
