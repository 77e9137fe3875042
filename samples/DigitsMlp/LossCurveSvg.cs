using System;
using System.Globalization;
using System.IO;
using System.Text;

/// <summary>
/// Writes loss curves as a small stand-alone SVG line chart (axes, ticks, labels, legend); value i of a series
/// is plotted at epoch i, so value 0 is the loss before training.
/// </summary>
public static class LossCurveSvg
{
    public static void Write(string path, string title, params (string Name, string Color, double[] Values)[] series)
    {
        const double width = 640, height = 400, left = 70, right = 20, top = 40, bottom = 50;
        double plotWidth = width - left - right, plotHeight = height - top - bottom;

        int points = 0;
        double yMax = 0;
        foreach (var (_, _, values) in series)
        {
            points = Math.Max(points, values.Length);
            foreach (double y in values)
                yMax = Math.Max(yMax, y);
        }
        yMax = NiceCeiling(yMax);
        int xMax = Math.Max(points - 1, 1);   // epochs 0 .. xMax on the x axis

        double X(double epoch) => left + plotWidth * epoch / xMax;
        double Y(double loss) => top + plotHeight * (1 - loss / yMax);
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine($"  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine($"  <text x=\"{F(width / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{title}</text>");

        // Axes, horizontal grid lines and ticks.
        svg.AppendLine($"  <line x1=\"{F(left)}\" y1=\"{F(top + plotHeight)}\" x2=\"{F(left + plotWidth)}\" y2=\"{F(top + plotHeight)}\" stroke=\"black\"/>");
        svg.AppendLine($"  <line x1=\"{F(left)}\" y1=\"{F(top)}\" x2=\"{F(left)}\" y2=\"{F(top + plotHeight)}\" stroke=\"black\"/>");
        for (int i = 0; i <= 5; i++)
        {
            double loss = yMax * i / 5;
            svg.AppendLine($"  <line x1=\"{F(left)}\" y1=\"{F(Y(loss))}\" x2=\"{F(left + plotWidth)}\" y2=\"{F(Y(loss))}\" stroke=\"#ddd\"/>");
            svg.AppendLine($"  <text x=\"{F(left - 6)}\" y=\"{F(Y(loss) + 4)}\" text-anchor=\"end\">{loss.ToString("0.###", CultureInfo.InvariantCulture)}</text>");
        }
        int tickStep = Math.Max(1, (int)Math.Ceiling(xMax / 10.0));
        for (int epoch = 0; epoch <= xMax; epoch += tickStep)
        {
            svg.AppendLine($"  <line x1=\"{F(X(epoch))}\" y1=\"{F(top + plotHeight)}\" x2=\"{F(X(epoch))}\" y2=\"{F(top + plotHeight + 5)}\" stroke=\"black\"/>");
            svg.AppendLine($"  <text x=\"{F(X(epoch))}\" y=\"{F(top + plotHeight + 18)}\" text-anchor=\"middle\">{epoch}</text>");
        }
        svg.AppendLine($"  <text x=\"{F(left + plotWidth / 2)}\" y=\"{F(height - 10)}\" text-anchor=\"middle\">epoch</text>");
        svg.AppendLine($"  <text x=\"16\" y=\"{F(top + plotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {F(top + plotHeight / 2)})\">cross-entropy loss</text>");

        // One polyline (and a legend entry) per series.
        for (int s = 0; s < series.Length; s++)
        {
            var (name, color, values) = series[s];
            var pointList = new StringBuilder();
            for (int i = 0; i < values.Length; i++)
                pointList.Append(F(X(i))).Append(',').Append(F(Y(values[i]))).Append(' ');
            svg.AppendLine($"  <polyline points=\"{pointList.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            double legendY = top + 12 + 18 * s;
            svg.AppendLine($"  <line x1=\"{F(left + plotWidth - 210)}\" y1=\"{F(legendY)}\" x2=\"{F(left + plotWidth - 185)}\" y2=\"{F(legendY)}\" stroke=\"{color}\" stroke-width=\"2\"/>");
            svg.AppendLine($"  <text x=\"{F(left + plotWidth - 178)}\" y=\"{F(legendY + 4)}\">{name}</text>");
        }
        svg.AppendLine("</svg>");
        File.WriteAllText(path, svg.ToString());
    }

    // The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ value (a round top for the y axis).
    private static double NiceCeiling(double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
            return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double m in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (m * power >= value)
                return m * power;
        }
        return 10 * power;
    }
}
