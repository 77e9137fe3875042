using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Tangent;

// Logistic regression on the Breast Cancer Wisconsin (Diagnostic) data set, trained by gradient descent
// with the gradient that the Tangent.Net generator writes for Model.Loss (see Model.cs).
//
//   dotnet run -c Release --project samples/LogisticRegression [-- --quick] [--svg loss-curve.svg] [--data file.csv] [--lambda 1e-3] [--seed 42]

bool quick = args.Contains("--quick");
string svgPath = Option("--svg") ?? "loss-curve.svg";
string dataPath = Option("--data") ?? Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv");

int iterations = quick ? 50 : 2000;
double lambda = double.Parse(Option("--lambda") ?? "1e-3", CultureInfo.InvariantCulture);   // L2 strength λ
const double LearningRate = 0.1, Momentum = 0.9, HeldOutFraction = 0.2;
int seed = int.Parse(Option("--seed") ?? "42", CultureInfo.InvariantCulture);         // shuffle and check point

// ---- Data: load, shuffle with a fixed seed, split 80/20, standardize with training statistics ----
var (features, labels, classNames) = LoadCsv(dataPath);
int rows = features.Length, d = features[0].Length;
var order = Enumerable.Range(0, rows).ToArray();
new Random(seed).Shuffle(order);
int trainRows = (int)Math.Round(rows * (1 - HeldOutFraction));
int[] trainIndex = order[..trainRows], heldOutIndex = order[trainRows..];

var (mean, std) = Statistics(features, trainIndex);
var (xTrain, yTrain) = Matrix(features, labels, trainIndex, mean, std);
var (xHeldOut, yHeldOut) = Matrix(features, labels, heldOutIndex, mean, std);

Console.WriteLine($"Breast Cancer Wisconsin (Diagnostic): {rows} samples, {d} features, classes {string.Join(" / ", classNames)}");
Console.WriteLine($"Split (seed {seed}): {trainIndex.Length} training, {heldOutIndex.Length} held out; features standardized with training statistics");
Console.WriteLine($"Model: σ(w·x + b), loss = mean NLL + λ/2·|w|², λ = {lambda}");
Console.WriteLine();

// ---- Check the generated gradient once against central differences, at a random point ----
var rng = new Random(seed);
double[] w0 = Enumerable.Range(0, d).Select(_ => rng.NextDouble() - 0.5).ToArray();
double b0 = rng.NextDouble() - 0.5;
var (_, gW, gB) = Model.LossGradient(w0, b0, xTrain, yTrain, lambda);   // value + freshly allocated gradient
var check = GradCheck.Gradient(
    p => Model.Loss(p[..d], p[d], xTrain, yTrain, lambda),                // the loss as a function of (w, b)
    [.. w0, b0],
    [.. gW, gB]);
bool gradientOk = check.Passed();
Console.WriteLine($"Gradient check of LossGradient vs central differences ({check.Count} components): {(gradientOk ? "passed" : "FAILED")}");
Console.WriteLine($"  {check}");
Console.WriteLine();

// ---- Train: full-batch gradient descent with momentum ----
// LossAdjoint ADDS the gradient into the shadows dW and dB, so they are allocated once and zeroed
// before every call: the loop allocates nothing.
var w = new double[d];
double b = 0;
var dW = new double[d];
var velocityW = new double[d];
double velocityB = 0;
var losses = new List<double>(iterations + 1);

Console.WriteLine($"Training: {iterations} iterations of gradient descent, learning rate {LearningRate}, momentum {Momentum}{(quick ? " (--quick)" : "")}");
var clock = Stopwatch.StartNew();
for (int it = 0; it < iterations; it++)
{
    Array.Clear(dW);
    double dB = 0;
    double loss = Model.LossAdjoint(w, b, xTrain, yTrain, lambda, dW, ref dB);   // returns the loss too
    losses.Add(loss);

    for (int j = 0; j < d; j++)
    {
        velocityW[j] = Momentum * velocityW[j] - LearningRate * dW[j];
        w[j] += velocityW[j];
    }
    velocityB = Momentum * velocityB - LearningRate * dB;
    b += velocityB;

    if (it % Math.Max(1, iterations / 10) == 0)
        Console.WriteLine($"  iteration {it,5}  loss {loss:F6}");
}
double finalLoss = Model.Loss(w, b, xTrain, yTrain, lambda);
losses.Add(finalLoss);
clock.Stop();

double trainAccuracy = Model.Accuracy(w, b, xTrain, yTrain);
double heldOutAccuracy = Model.Accuracy(w, b, xHeldOut, yHeldOut);
Console.WriteLine($"  iteration {iterations,5}  loss {finalLoss:F6}   ({clock.Elapsed.TotalMilliseconds:F0} ms)");
Console.WriteLine();
Console.WriteLine($"Final training loss    {finalLoss:F6}  (initial {losses[0]:F6})");
Console.WriteLine($"Training accuracy      {trainAccuracy:P2}");
Console.WriteLine($"Held-out accuracy      {heldOutAccuracy:P2}  ({heldOutIndex.Length} samples)");

SvgChart.Write(svgPath, "Logistic regression: training loss", "iteration + 1 (log scale)", "loss (mean NLL + λ/2·|w|²)", losses, logX: true);
Console.WriteLine($"Loss curve written to  {Path.GetFullPath(svgPath)}");

// Exit code for CI: the gradient must check, and the model must learn.
bool learned = quick ? finalLoss < losses[0] : heldOutAccuracy >= 0.9;
if (!learned)
    Console.WriteLine(quick ? "FAILED: the loss did not decrease" : "FAILED: held-out accuracy below 90%");
return gradientOk && learned ? 0 : 1;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

// First line: rows, columns, class names; then the features and the label on each row.
static (double[][] Features, double[] Labels, string[] ClassNames) LoadCsv(string path)
{
    string[] lines = File.ReadAllLines(path);
    string[] header = lines[0].Split(',');
    int rows = int.Parse(header[0], CultureInfo.InvariantCulture), columns = int.Parse(header[1], CultureInfo.InvariantCulture);
    var features = new double[rows][];
    var labels = new double[rows];
    for (int i = 0; i < rows; i++)
    {
        double[] values = lines[i + 1].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        features[i] = values[..columns];
        labels[i] = values[columns];
    }
    return (features, labels, header[2..]);
}

static (double[] Mean, double[] Std) Statistics(double[][] features, int[] rows)
{
    int d = features[0].Length;
    var mean = new double[d];
    var std = new double[d];
    foreach (int r in rows)
        for (int j = 0; j < d; j++) mean[j] += features[r][j] / rows.Length;
    foreach (int r in rows)
        for (int j = 0; j < d; j++) std[j] += (features[r][j] - mean[j]) * (features[r][j] - mean[j]) / rows.Length;
    for (int j = 0; j < d; j++) std[j] = Math.Sqrt(std[j]);
    return (mean, std);
}

static (double[,] X, double[] Y) Matrix(double[][] features, double[] labels, int[] rows, double[] mean, double[] std)
{
    int d = mean.Length;
    var x = new double[rows.Length, d];
    var y = new double[rows.Length];
    for (int i = 0; i < rows.Length; i++)
    {
        for (int j = 0; j < d; j++) x[i, j] = (features[rows[i]][j] - mean[j]) / std[j];
        y[i] = labels[rows[i]];
    }
    return (x, y);
}
