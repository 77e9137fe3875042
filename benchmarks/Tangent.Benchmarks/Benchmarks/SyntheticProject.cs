using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Tangent.Benchmarks;

/// <summary>
/// A synthetic user project for the generator-cost benchmark: <c>count</c> [Differentiable] methods of mixed
/// sizes and constructs (straight-line code of 2 to 24 statements, scalar loops that overwrite their variable,
/// while loops with break and continue, array reductions, a local array with a 2-D matrix-vector product and
/// foreach, branches with early return, ?:, Max and Abs, and float code), ten to a file, in memory.
/// </summary>
public sealed class SyntheticProject
{
    public const int MethodsPerFile = 10;

    /// <summary>The one line of file 0 that <see cref="Edit"/> changes; nothing differentiable depends on it.</summary>
    private const string UnrelatedLine = "    public static int Revision() => 1;";
    private const string EditedLine = "    public static int Revision() => 2;";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse);

    private SyntheticProject(CSharpCompilation compilation, int methods)
    {
        Compilation = compilation;
        MethodCount = methods;
    }

    public CSharpCompilation Compilation { get; }

    public int MethodCount { get; }

    public static SyntheticProject Create(int methods)
    {
        var trees = new List<SyntaxTree>();
        int files = (methods + MethodsPerFile - 1) / MethodsPerFile;
        for (int f = 0; f < files; f++)
        {
            var source = new StringBuilder();
            source.AppendLine("using System;");
            source.AppendLine("using Tangent;");
            source.AppendLine();
            source.AppendLine("namespace Synthetic;");
            source.AppendLine();
            source.Append("public static partial class File").Append(f).AppendLine();
            source.AppendLine("{");
            for (int m = f * MethodsPerFile; m < Math.Min(methods, (f + 1) * MethodsPerFile); m++)
                AppendMethod(source, m);
            if (f == 0)
                source.AppendLine(UnrelatedLine);
            source.AppendLine("}");
            trees.Add(CSharpSyntaxTree.ParseText(source.ToString(), ParseOptions, path: $"File{f}.cs", encoding: Encoding.UTF8));
        }
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release, deterministic: true);
        return new SyntheticProject(CSharpCompilation.Create("Synthetic", trees, References.Value, options), methods);
    }

    /// <summary>An unrelated one-line edit: <c>Revision() => 1</c> becomes <c>=> 2</c> in File0.cs (same length, so no position moves).</summary>
    public CSharpCompilation Edit()
    {
        SyntaxTree old = Compilation.SyntaxTrees.First();
        SourceText text = old.GetText();
        int at = text.ToString().IndexOf(UnrelatedLine, StringComparison.Ordinal);
        SourceText changed = text.WithChanges(new TextChange(new TextSpan(at, UnrelatedLine.Length), EditedLine));
        return Compilation.ReplaceSyntaxTree(old, old.WithChangedText(changed));
    }

    /// <summary>The framework's assemblies (as a project compiled against the shared framework sees them) and Tangent.Runtime.</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string tpa = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
        var paths = tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) &&
                        string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal))
            .Append(typeof(DifferentiableAttribute).Assembly.Location)
            .Distinct()
            .OrderBy(p => p, StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    private static void AppendMethod(StringBuilder s, int id)
    {
        string c = (0.1 + 0.01 * (id % 37)).ToString("R", CultureInfo.InvariantCulture);
        int size = 2 + id * 7 % 23;   // 2 .. 24
        switch (id % 7)
        {
            case 0:
            case 1:
                // Straight-line code of `size` statements, cycling through unary and binary operations.
                s.AppendLine("    [Differentiable]");
                s.AppendLine($"    public static double Straight{id}(double x, double y)");
                s.AppendLine("    {");
                s.AppendLine($"        double t0 = x * y + {c};");
                s.AppendLine("        double t1 = Math.Sin(x) + y / (1 + x * x);");
                for (int k = 2; k < size; k++)
                {
                    string a = "t" + (k - 1), b = "t" + (k - 2);
                    string expression = (k % 6) switch
                    {
                        0 => $"{a} * {b} + x",
                        1 => $"Math.Exp(-{a} * {a}) + {b}",
                        2 => $"Math.Log(1 + {a} * {a}) - y * {b}",
                        3 => $"Math.Tanh({a}) * {c} + Math.Cos({b})",
                        4 => $"Math.Sqrt(1 + {b} * {b}) / (2 + Math.Sin({a}))",
                        _ => $"{a} - {b} * {b} * {c}",
                    };
                    s.AppendLine($"        double t{k} = {expression};");
                }
                s.AppendLine($"        return t{size - 1};");
                s.AppendLine("    }");
                break;
            case 2:
                // A scalar loop that overwrites its variable (taped in the adjoint), 1 to 4 statements per pass.
                s.AppendLine("    [Differentiable]");
                s.AppendLine($"    public static double Loop{id}(double a, double x0, int steps)");
                s.AppendLine("    {");
                s.AppendLine("        double x = x0;");
                s.AppendLine("        for (int i = 0; i < steps; i++)");
                s.AppendLine("        {");
                for (int k = 0; k < 1 + size % 4; k++)
                    s.AppendLine(k % 2 == 0 ? "            x = a * Math.Tanh(x) + 0.5 * x;" : $"            x = x - {c} * Math.Sin(a * x);");
                s.AppendLine("        }");
                s.AppendLine("        return x;");
                s.AppendLine("    }");
                break;
            case 3:
                // while with break and continue, and a data-dependent trip count.
                s.AppendLine("    [Differentiable]");
                s.AppendLine($"    public static double While{id}(double a, double b)");
                s.AppendLine("    {");
                s.AppendLine("        double s = a;");
                s.AppendLine("        int i = 0;");
                s.AppendLine($"        while (i < {10 + size})");
                s.AppendLine("        {");
                s.AppendLine("            i++;");
                s.AppendLine("            if (Math.Abs(s) > 1000) break;");
                s.AppendLine("            if (i % 3 == 0) continue;");
                s.AppendLine($"            s = s * 1.01 + b * Math.Cos(s) + {c};");
                s.AppendLine("        }");
                s.AppendLine("        return s * b;");
                s.AppendLine("    }");
                break;
            case 4:
                // Array reduction with an inactive data array.
                s.AppendLine("    [Differentiable]");
                s.AppendLine($"    public static double Reduce{id}(double[] w, [NoDerivative] double[] data)");
                s.AppendLine("    {");
                s.AppendLine("        double total = 0;");
                s.AppendLine("        for (int i = 0; i < w.Length; i++)");
                s.AppendLine($"            total += w[i] * data[i] + {c} * Math.Sin(w[i]);");
                s.AppendLine("        double norm = 0;");
                s.AppendLine("        foreach (double v in w)");
                s.AppendLine("            norm += v * v;");
                s.AppendLine("        return total + 0.5 * norm;");
                s.AppendLine("    }");
                break;
            case 5:
                // A local array, a 2-D matrix-vector product and foreach.
                s.AppendLine("    [Differentiable]");
                s.AppendLine($"    public static double Matrix{id}(double[,] a, double[] x)");
                s.AppendLine("    {");
                s.AppendLine("        int rows = a.GetLength(0), columns = a.GetLength(1);");
                s.AppendLine("        var y = new double[rows];");
                s.AppendLine("        for (int i = 0; i < rows; i++)");
                s.AppendLine("            for (int j = 0; j < columns; j++)");
                s.AppendLine("                y[i] += a[i, j] * x[j];");
                s.AppendLine("        double s = 0;");
                s.AppendLine("        foreach (double v in y)");
                s.AppendLine($"            s += Math.Tanh(v) * {c};");
                s.AppendLine("        return s;");
                s.AppendLine("    }");
                break;
            default:
                if (id % 2 == 0)
                {
                    // Branches, early return, ?:, Max and Abs.
                    s.AppendLine("    [Differentiable]");
                    s.AppendLine($"    public static double Branch{id}(double x, double y)");
                    s.AppendLine("    {");
                    s.AppendLine("        if (x < -10) return -x * y;");
                    s.AppendLine("        double z = x > y ? x - y : y - x;");
                    s.AppendLine($"        z = Math.Max(z, {c} * x) + Math.Abs(y);");
                    s.AppendLine("        if (z > 10)");
                    s.AppendLine("            z = Math.Sqrt(z);");
                    s.AppendLine("        else");
                    s.AppendLine("            z = z * z + Math.Exp(-x * x);");
                    s.AppendLine("        return z * y;");
                    s.AppendLine("    }");
                }
                else
                {
                    // float code with MathF.
                    s.AppendLine("    [Differentiable]");
                    s.AppendLine($"    public static float Single{id}(float x, float y)");
                    s.AppendLine("    {");
                    s.AppendLine("        float u = MathF.Sin(x) * y + 0.5f;");
                    s.AppendLine("        float v = MathF.Exp(-u * u) + MathF.Log(1 + x * x);");
                    s.AppendLine("        return u * v - MathF.Sqrt(1 + y * y);");
                    s.AppendLine("    }");
                }
                break;
        }
        s.AppendLine();
    }
}
