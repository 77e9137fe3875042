using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security;
using System.Text;

/// <summary>
/// A minimal line chart written as SVG: one series against its index, with axes, ticks and labels. With
/// <c>logX</c>, point i is drawn at log10(i + 1), which spreads out the first iterations of a fast descent.
/// </summary>
public static class SvgChart
{
    const double Width = 640, Height = 400, Left = 80, Right = 24, Top = 44, Bottom = 56;

    public static void Write(string path, string title, string xLabel, string yLabel, IReadOnlyList<double> values, bool logX = false)
    {
        if (values.Count == 0)
            throw new ArgumentException("Nothing to plot.", nameof(values));

        double yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (double v in values)
        {
            yMin = Math.Min(yMin, v);
            yMax = Math.Max(yMax, v);
        }
        if (yMax - yMin < 1e-12) { yMin -= 0.5; yMax += 0.5; }
        double xMax = logX ? Math.Log10(values.Count) : Math.Max(1, values.Count - 1);

        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double i) => Left + (logX ? Math.Log10(i + 1) : i) / xMax * plotWidth;
        double Y(double v) => Top + (yMax - v) / (yMax - yMin) * plotHeight;

        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(F($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(F($"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));

        // Grid lines and tick labels.
        foreach (double t in Ticks(yMin, yMax))
        {
            svg.Append(F($"<line x1=\"{Left}\" y1=\"{Y(t):0.##}\" x2=\"{Width - Right}\" y2=\"{Y(t):0.##}\" stroke=\"#e4e4e4\"/>\n"));
            svg.Append(F($"<text x=\"{Left - 6}\" y=\"{Y(t) + 4:0.##}\" text-anchor=\"end\">{t:G4}</text>\n"));
        }
        foreach (double t in logX ? PowersOfTen(values.Count) : Ticks(0, xMax))
        {
            svg.Append(F($"<line x1=\"{X(t):0.##}\" y1=\"{Height - Bottom}\" x2=\"{X(t):0.##}\" y2=\"{Height - Bottom + 5}\" stroke=\"black\"/>\n"));
            svg.Append(F($"<text x=\"{X(t):0.##}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{(logX ? t + 1 : t):G6}</text>\n"));
        }

        // Axes and their labels.
        svg.Append(F($"<polyline points=\"{Left},{Top} {Left},{Height - Bottom} {Width - Right},{Height - Bottom}\" fill=\"none\" stroke=\"black\"/>\n"));
        svg.Append(F($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 14}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(F($"<text x=\"18\" y=\"{Top + plotHeight / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {Top + plotHeight / 2})\">{Escape(yLabel)}</text>\n"));

        // The series.
        svg.Append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"");
        for (int i = 0; i < values.Count; i++)
            svg.Append(F($"{X(i):0.##},{Y(values[i]):0.##} "));
        svg.Append("\"/>\n</svg>\n");

        File.WriteAllText(path, svg.ToString());
    }

    // About five round tick values (multiples of 1, 2 or 5 times a power of ten) within [min, max].
    static IEnumerable<double> Ticks(double min, double max)
    {
        double raw = (max - min) / 5, power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power : 10 * power;
        for (double t = Math.Ceiling(min / step) * step; t <= max + 1e-9 * step; t += step)
            yield return Math.Abs(t) < 1e-9 * step ? 0 : t;
    }

    // 1, 10, 100, … up to count, as indices i with i + 1 a power of ten.
    static IEnumerable<double> PowersOfTen(int count)
    {
        for (double p = 1; p <= count; p *= 10)
            yield return p - 1;
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    static string Escape(string s) => SecurityElement.Escape(s) ?? "";
}
