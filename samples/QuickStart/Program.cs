using System;
using System.IO;
using Tangent;

// The survey example: f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (2, 5).
double x1 = 2, x2 = 5;

double value = Survey.F(x1, x2);
var (v, dX1, dX2) = Survey.FGradient(x1, x2);               // reverse mode: the whole gradient
var (_, directional) = Survey.FForward(x1, x2, 1, 0);       // forward mode: ∂f/∂x1

Console.WriteLine($"f(2, 5)        = {value:F3}");
Console.WriteLine($"gradient       = ({dX1:F3}, {dX2:F3})   (expected 5.500, 1.716)");
Console.WriteLine($"forward ∂f/∂x1 = {directional:F3}");

var check = GradCheck.RandomDirection(x => Survey.F(x[0], x[1]), new[] { x1, x2 }, new[] { dX1, dX2 });
Console.WriteLine($"gradient check : {(check.Passed() ? "passed" : "FAILED")} ({check.MaxRelativeError:E1} max relative error)");

string generated = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../obj/Generated"));
Console.WriteLine();
Console.WriteLine("The generated derivative code is plain C#; read it at:");
Console.WriteLine($"  {generated}");
Console.WriteLine("  (Tangent.Generator/Tangent.Generator.TangentGenerator/Survey.F(double,double).g.cs)");

return check.Passed() && Math.Abs(dX1 - 5.5) < 1e-3 && Math.Abs(dX2 - 1.716) < 1e-3 ? 0 : 1;

public static partial class Survey
{
    [Differentiable]
    public static double F(double x1, double x2) => Math.Log(x1) + x1 * x2 - Math.Sin(x2);
}
