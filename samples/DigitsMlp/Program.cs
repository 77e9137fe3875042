// Handwritten digits (8×8 images, 10 classes) with a one-hidden-layer perceptron trained by mini-batch
// Adam. The gradient of the loss comes from Mlp.LossAdjoint, which the Tangent source generator writes
// at compile time from Mlp.Loss (Model.cs); read it under obj/Generated after a build.
//
//   dotnet run -c Release --project samples/DigitsMlp                 full run: 30 epochs, accuracy > 95%
//   dotnet run -c Release --project samples/DigitsMlp -- --quick      2 epochs, for CI: the loss must decrease
//   options: --epochs N, --svg PATH (default ./loss-curve.svg)
//
// Exit code 0 when the gradient check passes and (full) held-out accuracy > 0.95 or (quick) the loss fell.

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Tangent;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

bool quick = Array.IndexOf(args, "--quick") >= 0;
int epochs = quick ? 2 : 30;
string svgPath = "loss-curve.svg";
for (int i = 0; i + 1 < args.Length; i++)
{
    if (args[i] == "--svg") svgPath = args[i + 1];
    if (args[i] == "--epochs") epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
}

const int Hidden = 32, BatchSize = 32, Seed = 42;
const double LearningRate = 0.01;

// ---- Data: 1797 images, pixels scaled from 0..16 to [0, 1], shuffled with a fixed seed, split 80/20.
var (images, digits) = LoadDigits(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"));
var random = new Random(Seed);
int[] order = Permutation(digits.Length, random);
int trainCount = digits.Length * 8 / 10, testCount = digits.Length - trainCount;
var (xTrain, yTrain) = Rows(images, digits, order.AsSpan(0, trainCount));
var (xTest, yTest) = Rows(images, digits, order.AsSpan(trainCount));
Console.WriteLine($"Digits: {digits.Length} images of 8×8 pixels, {trainCount} for training, {testCount} held out.");
Console.WriteLine($"Model:  64 → {Hidden} tanh → 10 softmax ({Hidden * 64 + Hidden + 10 * Hidden + 10} parameters), " +
                  $"Adam (learning rate {LearningRate}), mini-batches of {BatchSize}, {epochs} epochs{(quick ? " (--quick)" : "")}.");
Console.WriteLine();

// ---- Parameters: Glorot-uniform weights from the same fixed seed, zero biases.
var w1 = new double[Hidden, Mlp.Inputs];
var b1 = new double[Hidden];
var w2 = new double[Mlp.Classes, Hidden];
var b2 = new double[Mlp.Classes];
GlorotUniform(w1, random);
GlorotUniform(w2, random);

// ---- Gradient check, once, on a batch of 8 training images at the initial parameters.
bool gradientOk = CheckGradient(w1, b1, w2, b2, xTrain, yTrain, start: 0, count: 8);
Console.WriteLine();

// ---- Training. The shadows (gradient arrays) are allocated once; each step clears them and lets
// LossAdjoint add the mini-batch gradient into them. The per-epoch copy of the training set is also
// allocated once: every epoch reorders the rows so that (start, count) walks fresh mini-batches.
var dW1 = new double[Hidden, Mlp.Inputs];
var dB1 = new double[Hidden];
var dW2 = new double[Mlp.Classes, Hidden];
var dB2 = new double[Mlp.Classes];
var xEpoch = new double[trainCount, Mlp.Inputs];
var yEpoch = new int[trainCount];
var adam = new Adam(LearningRate, w1.Length, b1.Length, w2.Length, b2.Length);

double initialLoss = Mlp.Loss(w1, b1, w2, b2, xTrain, yTrain, 0, trainCount);
Console.WriteLine($"initial training loss {initialLoss:F4} (ln 10 = {Math.Log(10):F4} is chance level)");
// Loss curves for the chart; entry 0 is before training, entry e after epoch e.
var trainLosses = new double[epochs + 1];
var testLosses = new double[epochs + 1];
trainLosses[0] = initialLoss;
testLosses[0] = Mlp.Loss(w1, b1, w2, b2, xTest, yTest, 0, testCount);
int steps = 0;
long allocatedInLastEpoch = 0;
var stepTime = TimeSpan.Zero;   // time spent in training steps (the per-epoch evaluation excluded)
var total = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    int[] epochOrder = Permutation(trainCount, random);
    for (int s = 0; s < trainCount; s++)
    {
        yEpoch[s] = yTrain[epochOrder[s]];
        for (int k = 0; k < Mlp.Inputs; k++)
            xEpoch[s, k] = xTrain[epochOrder[s], k];
    }

    double lossSum = 0;
    long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    for (int start = 0; start < trainCount; start += BatchSize)
    {
        int count = Math.Min(BatchSize, trainCount - start);
        Array.Clear(dW1);
        Array.Clear(dB1);
        Array.Clear(dW2);
        Array.Clear(dB2);
        double loss = Mlp.LossAdjoint(w1, b1, w2, b2, xEpoch, yEpoch, start, count, dW1, dB1, dW2, dB2);

        adam.NextStep();
        adam.Update(0, Flat(w1), Flat(dW1));
        adam.Update(1, b1, dB1);
        adam.Update(2, Flat(w2), Flat(dW2));
        adam.Update(3, b2, dB2);

        steps++;
        lossSum += loss * count;
    }
    clock.Stop();
    stepTime += clock.Elapsed;
    allocatedInLastEpoch = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

    trainLosses[epoch] = lossSum / trainCount;
    testLosses[epoch] = Mlp.Loss(w1, b1, w2, b2, xTest, yTest, 0, testCount);
    double testAccuracy = Mlp.Accuracy(w1, b1, w2, b2, xTest, yTest);
    Console.WriteLine($"epoch {epoch,3}/{epochs}  training loss {trainLosses[epoch]:F4}  held-out loss {testLosses[epoch]:F4}  " +
                      $"held-out accuracy {testAccuracy,6:P1}  {clock.Elapsed.TotalMilliseconds,6:F0} ms");
}
total.Stop();

// ---- Report.
double finalLoss = Mlp.Loss(w1, b1, w2, b2, xTrain, yTrain, 0, trainCount);
double trainAccuracy = Mlp.Accuracy(w1, b1, w2, b2, xTrain, yTrain);
double accuracy = Mlp.Accuracy(w1, b1, w2, b2, xTest, yTest);
Console.WriteLine();
Console.WriteLine($"training loss      {initialLoss:F4} → {finalLoss:F4}");
Console.WriteLine($"training accuracy  {trainAccuracy:P2}");
Console.WriteLine($"held-out accuracy  {accuracy:P2} ({(int)Math.Round(accuracy * testCount)} of {testCount})");
Console.WriteLine($"training time      {total.Elapsed.TotalSeconds:F2} s with the per-epoch evaluation; training steps " +
                  $"{stepTime.TotalMilliseconds / Math.Max(epochs, 1):F0} ms per epoch, {stepTime.TotalMilliseconds * 1000 / Math.Max(steps, 1):F0} µs per step");
Console.WriteLine($"allocated per step {allocatedInLastEpoch / Math.Max(steps / Math.Max(epochs, 1), 1)} bytes in the last epoch " +
                  "(LossAdjoint's h and z; the tape and the shadows are pooled)");

LossCurveSvg.Write(svgPath, "Digits MLP: cross-entropy per epoch",
                   ("training (mini-batch mean)", "#1f77b4", trainLosses),
                   ("held out", "#d62728", testLosses));
Console.WriteLine($"loss curve         {Path.GetFullPath(svgPath)}");

bool trained = quick ? finalLoss < initialLoss : accuracy > 0.95;
string goal = quick ? "training loss decreased" : "held-out accuracy > 95%";
Console.WriteLine();
Console.WriteLine($"gradient check {(gradientOk ? "passed" : "FAILED")}; {goal}: {(trained ? "yes" : "NO")}");
return gradientOk && trained ? 0 : 1;

// ---------------------------------------------------------------------------------------------------

// Reads the gzip-compressed CSV (64 pixel values 0..16, then the label, per line) and scales pixels to [0, 1].
static (double[,] Images, int[] Labels) LoadDigits(string path)
{
    using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
    var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var images = new double[lines.Length, Mlp.Inputs];
    var labels = new int[lines.Length];
    for (int s = 0; s < lines.Length; s++)
    {
        string[] fields = lines[s].Split(',');
        if (fields.Length != Mlp.Inputs + 1)
            throw new InvalidDataException($"{path}, line {s + 1}: expected {Mlp.Inputs + 1} values, found {fields.Length}.");
        for (int k = 0; k < Mlp.Inputs; k++)
            images[s, k] = int.Parse(fields[k], CultureInfo.InvariantCulture) / 16.0;
        labels[s] = int.Parse(fields[Mlp.Inputs], CultureInfo.InvariantCulture);
    }
    return (images, labels);
}

// The rows `indices` of a data set, as new arrays.
static (double[,] X, int[] Y) Rows(double[,] x, int[] y, ReadOnlySpan<int> indices)
{
    var xs = new double[indices.Length, x.GetLength(1)];
    var ys = new int[indices.Length];
    for (int s = 0; s < indices.Length; s++)
    {
        ys[s] = y[indices[s]];
        for (int k = 0; k < x.GetLength(1); k++)
            xs[s, k] = x[indices[s], k];
    }
    return (xs, ys);
}

static int[] Permutation(int n, Random random)
{
    var p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    random.Shuffle(p);
    return p;
}

// Uniform in ±sqrt(6 / (fan-in + fan-out)) (Glorot & Bengio, 2010), for w[fan-out, fan-in].
static void GlorotUniform(double[,] w, Random random)
{
    double limit = Math.Sqrt(6.0 / (w.GetLength(0) + w.GetLength(1)));
    foreach (ref double v in Flat(w))
        v = limit * (2 * random.NextDouble() - 1);
}

// A 2-D array's elements as one flat span (row-major), for the optimizer and the gradient check.
static Span<double> Flat(double[,] a) => MemoryMarshal.CreateSpan(ref a[0, 0], a.Length);

// Compares the generated gradient with central differences, component by component (2 × 2410 loss
// evaluations, cheap on 8 images), and with forward mode along random directions.
static bool CheckGradient(double[,] w1, double[] b1, double[,] w2, double[] b2, double[,] x, int[] y, int start, int count)
{
    // The gradient from reverse mode (LossGradient allocates its result: fine for a one-off check).
    var (loss, gW1, gB1, gW2, gB2) = Mlp.LossGradient(w1, b1, w2, b2, x, y, start, count);

    // GradCheck works on flat vectors: pack the four parameter arrays into one, and unpack to evaluate.
    double[] theta = [.. Flat(w1), .. b1, .. Flat(w2), .. b2];
    double[] gradient = [.. Flat(gW1), .. gB1, .. Flat(gW2), .. gB2];
    var (pW1, pB1, pW2, pB2) = ((double[,])w1.Clone(), (double[])b1.Clone(), (double[,])w2.Clone(), (double[])b2.Clone());
    double LossAt(double[] p)
    {
        Unpack(p, pW1, pB1, pW2, pB2);
        return Mlp.Loss(pW1, pB1, pW2, pB2, x, y, start, count);
    }

    var central = GradCheck.Gradient(LossAt, theta, gradient);
    Console.WriteLine($"Gradient check on {count} images, loss {loss:F4}, {theta.Length} parameters:");
    Console.WriteLine($"  adjoint vs central differences: max error {central.MaxRelativeError:E1} over {central.Count} components, " +
                      $"{(central.Passed() ? "passed" : "FAILED")}");

    // Forward mode: LossForward's tangent along a random direction must equal gradient · direction.
    var random = new Random(7);
    var tangents = new double[theta.Length];
    var (tW1, tB1, tW2, tB2) = ((double[,])w1.Clone(), (double[])b1.Clone(), (double[,])w2.Clone(), (double[])b2.Clone());
    double worst = 0;
    for (int d = 0; d < 4; d++)
    {
        double directional = 0;
        for (int i = 0; i < tangents.Length; i++)
        {
            tangents[i] = 2 * random.NextDouble() - 1;
            directional += gradient[i] * tangents[i];
        }
        Unpack(tangents, tW1, tB1, tW2, tB2);
        var (_, tangent) = Mlp.LossForward(w1, b1, w2, b2, x, y, start, count, tW1, tB1, tW2, tB2);
        worst = Math.Max(worst, GradCheck.Compare(directional, tangent).MaxRelativeError);
    }
    bool forwardOk = worst <= GradCheck.DefaultTolerance;
    Console.WriteLine($"  forward mode vs adjoint:        max error {worst:E1} over 4 random directions, {(forwardOk ? "passed" : "FAILED")}");
    return central.Passed() && forwardOk;
}

// Copies a flat vector into the four parameter-shaped arrays (the inverse of [.. Flat(w1), .. b1, .. Flat(w2), .. b2]).
static void Unpack(ReadOnlySpan<double> p, double[,] w1, double[] b1, double[,] w2, double[] b2)
{
    p[..w1.Length].CopyTo(Flat(w1));
    p = p[w1.Length..];
    p[..b1.Length].CopyTo(b1);
    p = p[b1.Length..];
    p[..w2.Length].CopyTo(Flat(w2));
    p[w2.Length..].CopyTo(b2);
}
