using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit.Sdk;

namespace Tangent.Tests;

/// <summary>
/// Packs the active arrays and scalars of a model into one flat vector θ (row-major for 2-D arrays, in
/// parameter order) and unpacks θ into fresh arrays, so one checker serves every model.
/// </summary>
public sealed class Unpacker
{
    private readonly double[] _src;
    private int _pos;

    public Unpacker(double[] src) => _src = src;

    public double Scalar() => _src[_pos++];

    public double[] Vec(int n)
    {
        var v = new double[n];
        Array.Copy(_src, _pos, v, 0, n);
        _pos += n;
        return v;
    }

    public double[,] Mat(int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = _src[_pos++];
        return m;
    }

    /// <summary>Everything was read (a layout mistake in a test would otherwise go unnoticed).</summary>
    public void End()
    {
        if (_pos != _src.Length) throw new XunitException($"layout: read {_pos} of {_src.Length} values");
    }

    /// <summary>Concatenates doubles, double[] and double[,] (row-major) into one vector.</summary>
    public static double[] Flat(params object[] parts)
    {
        var list = new List<double>();
        foreach (var p in parts)
        {
            switch (p)
            {
                case double s: list.Add(s); break;
                case double[] v: list.AddRange(v); break;
                case double[,] m: foreach (double e in m) list.Add(e); break;   // foreach over [,] is row-major
                default: throw new ArgumentException($"cannot flatten {p?.GetType().Name ?? "null"}");
            }
        }
        return list.ToArray();
    }

    /// <summary>Writes the flattening of <paramref name="parts"/> into <paramref name="dst"/>.</summary>
    public static void Into(double[] dst, params object[] parts)
    {
        var flat = Flat(parts);
        if (flat.Length != dst.Length) throw new XunitException($"layout: {flat.Length} values for {dst.Length}");
        Array.Copy(flat, dst, flat.Length);
    }
}

/// <summary>One model with its data bound: the primal and the three generated methods as functions of flat θ.</summary>
public sealed class ModelInstance
{
    public required double[] Theta { get; init; }
    public required Func<double[], double> F { get; init; }
    /// <summary>(θ, v) → (value, directional derivative along v).</summary>
    public required Func<double[], double[], (double Value, double Tangent)> Forward { get; init; }
    /// <summary>(θ, acc, dResult) → value; ADDS dResult·∇f into acc (acc is passed through the generated shadows).</summary>
    public required Func<double[], double[], double, double> Adjoint { get; init; }
    public required Func<double[], (double Value, double[] Gradient)> Gradient { get; init; }
    /// <summary>An inactive integer of the instance (the class label of a single-example loss).</summary>
    public int Label { get; init; }
    /// <summary>An analytic gradient at θ, when the model has one.</summary>
    public Func<double[], double[]>? Analytic { get; init; }
}

/// <summary>
/// The check of one model at seeded random points (fresh data and parameters per case):
/// <list type="bullet">
/// <item>adjoint into random non-zero shadows with a random dResult: returns the primal bitwise and adds
/// dResult·∇f, ∇f from 5-point central differences (<see cref="Fd.Gradient"/>);</item>
/// <item>forward mode along random directions: the primal bitwise, and the tangent equal to the central
/// difference along the direction (<see cref="Fd.Directional"/>) and to ∇f·v;</item>
/// <item>forward vs adjoint (v·adjoint gradient = tangent), MGradient vs adjoint with dResult = 1;</item>
/// <item>the analytic gradient, when given.</item>
/// </list>
/// Tolerances are <see cref="Tol"/>'s. The sums here run over up to 200 samples, but <see cref="Check.Close"/> is
/// mixed (relative once |g| &gt; 1) and the central-difference rounding error is 1.5·ε·Σ|terms|/h ≲ 5e-11 for
/// the largest model (|f| ≈ 150, h = 1e-3), so <see cref="Tol.Double"/> needs no widening. Forward vs adjoint
/// is scaled by Σ|gᵢvᵢ|, the condition number of the dot product.
/// </summary>
public sealed class ModelCase
{
    public required string Name { get; init; }
    public required Func<Random, ModelInstance> Draw { get; init; }
    public int Cases { get; init; } = 6;
    public int Directions { get; init; } = 3;

    public void Run()
    {
        var r = new Random(Rand.Seed(Name));
        for (int c = 0; c < Cases; c++)
        {
            var m = Draw(r);
            double[] x = m.Theta;
            int n = x.Length;
            string Ctx() => $"{Name} θ = {Check.Fmt(x)} (case {c})";
            double primal = m.F(x);
            if (!double.IsFinite(primal)) throw new XunitException($"primal is {primal} at {Ctx()}");
            double[] g = Fd.Gradient(m.F, x);

            // Forward mode along random directions (first, so that a broken adjoint still shows whether forward is right).
            var directions = new List<(double[] V, double Tangent)>();
            for (int k = 0; k < Directions; k++)
            {
                double[] v = Rand.Direction(r, n);
                string CtxV() => $"{Ctx()}, v = {Check.Fmt(v)}";
                var (value, tangent) = m.Forward(x, v);
                Check.Exact(primal, value, "forward Value", CtxV);
                double dirFd = Fd.Directional(m.F, x, v);
                double dir = 0, scale = 0;
                for (int i = 0; i < n; i++) { dir += g[i] * v[i]; scale += Math.Abs(g[i] * v[i]); }
                Check.Close(dirFd, tangent, Tol.Double, "forward Tangent vs central difference along v", CtxV, scale);
                Check.Close(dir, tangent, Tol.Double, "forward Tangent vs (central-difference ∇f)·v", CtxV, scale);
                directions.Add((v, tangent));
            }

            // Adjoint: adds dResult·∇f into non-zero shadows.
            double w = Rand.Cotangent(r);
            double[] acc0 = Rand.Direction(r, n);
            double[] acc = (double[])acc0.Clone();
            double adjValue = m.Adjoint(x, acc, w);
            Check.Exact(primal, adjValue, "adjoint return value", Ctx);
            for (int i = 0; i < n; i++)
                Check.Close(w * g[i], acc[i] - acc0[i], Tol.Double, $"adjoint component {i} − initial (dResult·∂f/∂θ{i}, dResult = {Check.Fmt(w)})", Ctx);

            // Adjoint with dResult = 1 into zeroed shadows: the gradient; forward vs adjoint.
            double[] ga = new double[n];
            Check.Exact(primal, m.Adjoint(x, ga, 1), "adjoint return value (dResult = 1)", Ctx);
            foreach (var (v, tangent) in directions)
            {
                double dirAdj = 0, scale = 0;
                for (int i = 0; i < n; i++) { dirAdj += ga[i] * v[i]; scale += Math.Abs(ga[i] * v[i]); }
                Check.Close(dirAdj, tangent, Tol.SameDouble, "forward Tangent vs (adjoint ∇f)·v", () => $"{Ctx()}, v = {Check.Fmt(v)}", scale);
            }

            // MGradient == adjoint.
            var (gValue, gg) = m.Gradient(x);
            Check.Exact(primal, gValue, "gradient Value", Ctx);
            if (gg.Length != n) throw new XunitException($"{Name}Gradient returned {gg.Length} components, expected {n}");
            for (int i = 0; i < n; i++)
            {
                Check.Close(g[i], gg[i], Tol.Double, $"gradient component {i} vs central differences", Ctx);
                Check.Close(ga[i], gg[i], Tol.SameDouble, $"gradient component {i} vs adjoint with dResult = 1", Ctx);
            }

            // Analytic gradient.
            if (m.Analytic is not null)
            {
                double[] ge = m.Analytic(x);
                for (int i = 0; i < n; i++)
                    Check.Close(ge[i], gg[i], Tol.Double, $"gradient component {i} vs analytic", Ctx);
            }
        }
    }
}

/// <summary>
/// Realistic models over arrays (<see cref="Models"/>) in forward mode, adjoint mode and MGradient against central
/// differences, analytic gradients where known, allocation in steady state, and gradient descent.
/// </summary>
public class ModelTests
{
    // ---- Data ----------------------------------------------------------------------------------------------

    private static double[] Vec(Random r, int n, double lo, double hi)
        => Enumerable.Range(0, n).Select(_ => r.Uniform(lo, hi)).ToArray();

    private static double[,] Mat(Random r, int rows, int cols, double lo, double hi)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = r.Uniform(lo, hi);
        return m;
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    // ---- 1. Softmax cross-entropy --------------------------------------------------------------------------

    private static ModelInstance SoftmaxOne(Random r)
    {
        const int classes = 5;
        int label = r.Next(classes);
        // Logits up to ±6 (probabilities from ~1e-5 to ~1): the log-sum-exp must be stable, the gradient is
        // softmax(z) − e_label.
        double[] theta = Vec(r, classes, -6, 6);
        return new ModelInstance
        {
            Theta = theta,
            Label = label,
            F = z => Models.Loss(z, label),
            Forward = (z, dz) => Models.LossForward(z, label, dz),
            Adjoint = (z, acc, w) => Models.LossAdjoint(z, label, acc, w),
            Gradient = z => Models.LossGradient(z, label),
            Analytic = z =>
            {
                double m = z.Max();
                double s = z.Sum(t => Math.Exp(t - m));
                return z.Select((t, k) => Math.Exp(t - m) / s - (k == label ? 1 : 0)).ToArray();
            },
        };
    }

    [Fact]
    public void SoftmaxCrossEntropy_OneExample_BothModes()
        => new ModelCase { Name = "Models.Loss(z, label)", Draw = SoftmaxOne, Cases = 20 }.Run();

    [Fact]
    public void SoftmaxCrossEntropy_OneExample_OverSpans_BothModes()
        => new ModelCase
        {
            Name = "Models.SpanLoss",
            Draw = r =>
            {
                var m = SoftmaxOne(r);
                int label = m.Label;
                return new ModelInstance
                {
                    Theta = m.Theta,
                    F = z => Models.SpanLoss(z, label),
                    Forward = (z, dz) => Models.SpanLossForward(z, label, dz),
                    Adjoint = (z, acc, w) => Models.SpanLossAdjoint(z, label, acc.AsSpan(), w),
                    Gradient = z => Models.SpanLossGradient(z, label),
                    Analytic = m.Analytic,
                };
            },
            Cases = 20,
        }.Run();

    /// <summary>A large logit: the unstabilized exp would overflow; the stable loss and gradient stay finite.</summary>
    [Fact]
    public void SoftmaxCrossEntropy_OneExample_LargeLogitsStayFinite()
    {
        double[] z = { 800, 795, -3, 0 };
        var (value, dz) = Models.LossGradient(z, 1);
        Assert.Equal(5 + Math.Log(1 + Math.Exp(-5) + Math.Exp(-803) + Math.Exp(-800)), value, 12);
        double p0 = 1 / (1 + Math.Exp(-5)), p1 = Math.Exp(-5) / (1 + Math.Exp(-5));
        Check.Close(p0, dz[0], Tol.SameDouble, "∂/∂z0", () => "z = (800, 795, −3, 0)");
        Check.Close(p1 - 1, dz[1], Tol.SameDouble, "∂/∂z1", () => "z = (800, 795, −3, 0)");
        var (fv, ft) = Models.LossForward(z, 1, new double[] { 1, 0, 0, 0 });
        Check.Exact(value, fv, "forward Value", () => "z = (800, 795, −3, 0)");
        Check.Close(p0, ft, Tol.SameDouble, "forward tangent along e0", () => "z = (800, 795, −3, 0)");
    }

    private static ModelInstance SoftmaxBatch(Random r)
    {
        const int n = 40, d = 4, classes = 3;
        double[,] x = Mat(r, n, d, -1.5, 1.5);
        int[] labels = Enumerable.Range(0, n).Select(_ => r.Next(classes)).ToArray();
        double[] theta = Unpacker.Flat(Mat(r, d, classes, -1.5, 1.5));
        double[,] W(double[] v) { var u = new Unpacker(v); var m = u.Mat(d, classes); u.End(); return m; }
        return new ModelInstance
        {
            Theta = theta,
            F = v => Models.Loss(W(v), x, labels),
            Forward = (v, dv) => Models.LossForward(W(v), x, labels, W(dv)),
            Adjoint = (v, acc, w) =>
            {
                var dW = W(acc);
                double value = Models.LossAdjoint(W(v), x, labels, dW, w);
                Unpacker.Into(acc, dW);
                return value;
            },
            Gradient = v => { var g = Models.LossGradient(W(v), x, labels); return (g.Value, Unpacker.Flat(g.dW)); },
            // ∂/∂w[j, k] = (1/n)·Σᵢ x[i, j]·(softmax(zᵢ)ₖ − [k = labelᵢ]).
            Analytic = v =>
            {
                var w = W(v);
                var g = new double[d, classes];
                for (int i = 0; i < n; i++)
                {
                    var z = new double[classes];
                    for (int k = 0; k < classes; k++)
                        for (int j = 0; j < d; j++)
                            z[k] += x[i, j] * w[j, k];
                    double m = z.Max(), s = z.Sum(t => Math.Exp(t - m));
                    for (int k = 0; k < classes; k++)
                    {
                        double delta = Math.Exp(z[k] - m) / s - (k == labels[i] ? 1 : 0);
                        for (int j = 0; j < d; j++)
                            g[j, k] += x[i, j] * delta / n;
                    }
                }
                return Unpacker.Flat(g);
            },
        };
    }

    [Fact]
    public void SoftmaxCrossEntropy_Batch_BothModes()
        => new ModelCase { Name = "Models.Loss(w, x, labels)", Draw = SoftmaxBatch }.Run();

    // ---- 2. Logistic regression ----------------------------------------------------------------------------

    private const int LrSamples = 200, LrFeatures = 5;

    /// <summary>200 samples of 5 features in [−2, 2], labels drawn from the model with random true weights.</summary>
    private static (double[,] X, double[] Y) LogisticData(Random r, bool separable)
    {
        double[] wTrue = Vec(r, LrFeatures, -1.5, 1.5);
        double bTrue = r.Uniform(-0.5, 0.5);
        var x = Mat(r, LrSamples, LrFeatures, -2, 2);
        var y = new double[LrSamples];
        for (int i = 0; i < LrSamples; i++)
        {
            double z = bTrue;
            for (int j = 0; j < LrFeatures; j++) z += wTrue[j] * x[i, j];
            y[i] = separable ? (z > 0 ? 1 : 0) : (r.NextDouble() < Sigmoid(z) ? 1 : 0);
        }
        return (x, y);
    }

    /// <summary>∇ of the NLL: (Σᵢ (σ(zᵢ) − yᵢ)·xᵢ + λ·w, Σᵢ (σ(zᵢ) − yᵢ)).</summary>
    private static double[] NllAnalytic(double[] w, double b, double[,] x, double[] y)
    {
        var g = new double[LrFeatures + 1];
        for (int i = 0; i < LrSamples; i++)
        {
            double z = b;
            for (int j = 0; j < LrFeatures; j++) z += w[j] * x[i, j];
            double e = Sigmoid(z) - y[i];
            for (int j = 0; j < LrFeatures; j++) g[j] += e * x[i, j];
            g[LrFeatures] += e;
        }
        for (int j = 0; j < LrFeatures; j++) g[j] += Models.Lambda * w[j];
        return g;
    }

    /// <summary>Data and a parameter point θ = (w, b): |z| reaches ~10, σ saturates for some samples.</summary>
    private static (double[,] X, double[] Y, double[] Theta) LogisticDraw(Random r)
    {
        var (x, y) = LogisticData(r, separable: false);
        return (x, y, Unpacker.Flat(Vec(r, LrFeatures, -1.5, 1.5), r.Uniform(-1, 1)));
    }

    private static ModelInstance Logistic(Random r)
    {
        var (x, y, theta) = LogisticDraw(r);
        (double[] W, double B) U(double[] v) { var u = new Unpacker(v); var w = u.Vec(LrFeatures); double b = u.Scalar(); u.End(); return (w, b); }
        return new ModelInstance
        {
            Theta = theta,
            F = v => { var (w, b) = U(v); return Models.Nll(w, b, x, y); },
            Forward = (v, dv) => { var (w, b) = U(v); var (dw, db) = U(dv); return Models.NllForward(w, b, x, y, dw, db); },
            Adjoint = (v, acc, dr) =>
            {
                var (w, b) = U(v);
                var (dw, db) = U(acc);
                double value = Models.NllAdjoint(w, b, x, y, dw, ref db, dr);
                Unpacker.Into(acc, dw, db);
                return value;
            },
            Gradient = v => { var (w, b) = U(v); var g = Models.NllGradient(w, b, x, y); return (g.Value, Unpacker.Flat(g.dW, g.dB)); },
            Analytic = v => { var (w, b) = U(v); return NllAnalytic(w, b, x, y); },
        };
    }

    [Fact]
    public void LogisticRegressionNll_BothModes_AndAnalyticGradient()
        => new ModelCase { Name = "Models.Nll", Draw = Logistic, Cases = 8 }.Run();

    /// <summary>Both branches of the softplus are taken on the sampled data (else the test would not cover them).</summary>
    [Fact]
    public void LogisticRegressionNll_DataCoversBothSoftplusBranches()
    {
        // The first case of LogisticRegressionNll_BothModes_AndAnalyticGradient (same seed, same draws).
        var (x, _, theta) = LogisticDraw(new Random(Rand.Seed("Models.Nll")));
        var u = new Unpacker(theta);
        double[] w = u.Vec(LrFeatures);
        double b = u.Scalar();
        int positive = 0;
        for (int i = 0; i < LrSamples; i++)
        {
            double z = b;
            for (int j = 0; j < LrFeatures; j++) z += w[j] * x[i, j];
            if (z > 0) positive++;
        }
        Assert.InRange(positive, 10, LrSamples - 10);
    }

    // ---- 3. MLP --------------------------------------------------------------------------------------------

    private const int MlpSamples = 16, MlpIn = 3, MlpHidden = 5, MlpOut = 2;

    private static (double[,] W1, double[] B1, double[,] W2, double[] B2) MlpUnpack(double[] v)
    {
        var u = new Unpacker(v);
        var r = (u.Mat(MlpIn, MlpHidden), u.Vec(MlpHidden), u.Mat(MlpHidden, MlpOut), u.Vec(MlpOut));
        u.End();
        return r;
    }

    private static ModelInstance Mlp(Random r) => Mlp(r, inPlace: false);

    private static ModelInstance Mlp(Random r, bool inPlace)
    {
        double[,] x = Mat(r, MlpSamples, MlpIn, -1.5, 1.5);
        double[] t = Vec(r, MlpSamples * MlpOut, -1, 1);
        double[] theta = Unpacker.Flat(Mat(r, MlpIn, MlpHidden, -1, 1), Vec(r, MlpHidden, -0.5, 0.5),
                                       Mat(r, MlpHidden, MlpOut, -1, 1), Vec(r, MlpOut, -0.5, 0.5));
        return new ModelInstance
        {
            Theta = theta,
            F = v =>
            {
                var (w1, b1, w2, b2) = MlpUnpack(v);
                return inPlace ? Models.MlpLossInPlace(w1, b1, w2, b2, x, t) : Models.MlpLoss(w1, b1, w2, b2, x, t);
            },
            Forward = (v, dv) =>
            {
                var (w1, b1, w2, b2) = MlpUnpack(v);
                var (dw1, db1, dw2, db2) = MlpUnpack(dv);
                return inPlace ? Models.MlpLossInPlaceForward(w1, b1, w2, b2, x, t, dw1, db1, dw2, db2)
                               : Models.MlpLossForward(w1, b1, w2, b2, x, t, dw1, db1, dw2, db2);
            },
            Adjoint = (v, acc, dr) =>
            {
                var (w1, b1, w2, b2) = MlpUnpack(v);
                var (dw1, db1, dw2, db2) = MlpUnpack(acc);
                double value = inPlace ? Models.MlpLossInPlaceAdjoint(w1, b1, w2, b2, x, t, dw1, db1, dw2, db2, dr)
                                       : Models.MlpLossAdjoint(w1, b1, w2, b2, x, t, dw1, db1, dw2, db2, dr);
                Unpacker.Into(acc, dw1, db1, dw2, db2);
                return value;
            },
            Gradient = v =>
            {
                var (w1, b1, w2, b2) = MlpUnpack(v);
                var g = inPlace ? Models.MlpLossInPlaceGradient(w1, b1, w2, b2, x, t) : Models.MlpLossGradient(w1, b1, w2, b2, x, t);
                return (g.Value, Unpacker.Flat(g.dW1, g.dB1, g.dW2, g.dB2));
            },
            Analytic = v => MlpBackprop(v, x, t),
        };
    }

    /// <summary>Hand-written backpropagation of <see cref="Models.MlpLoss"/>.</summary>
    private static double[] MlpBackprop(double[] v, double[,] x, double[] t)
    {
        var (w1, b1, w2, b2) = MlpUnpack(v);
        var gw1 = new double[MlpIn, MlpHidden];
        var gb1 = new double[MlpHidden];
        var gw2 = new double[MlpHidden, MlpOut];
        var gb2 = new double[MlpOut];
        for (int i = 0; i < MlpSamples; i++)
        {
            var h = new double[MlpHidden];
            for (int k = 0; k < MlpHidden; k++)
            {
                double a = b1[k];
                for (int j = 0; j < MlpIn; j++) a += x[i, j] * w1[j, k];
                h[k] = Math.Tanh(a);
            }
            var dh = new double[MlpHidden];
            for (int o = 0; o < MlpOut; o++)
            {
                double y = b2[o];
                for (int k = 0; k < MlpHidden; k++) y += h[k] * w2[k, o];
                double e = (y - t[i * MlpOut + o]) / MlpSamples;
                gb2[o] += e;
                for (int k = 0; k < MlpHidden; k++) { gw2[k, o] += e * h[k]; dh[k] += e * w2[k, o]; }
            }
            for (int k = 0; k < MlpHidden; k++)
            {
                double da = dh[k] * (1 - h[k] * h[k]);
                gb1[k] += da;
                for (int j = 0; j < MlpIn; j++) gw1[j, k] += da * x[i, j];
            }
        }
        return Unpacker.Flat(gw1, gb1, gw2, gb2);
    }

    [Fact]
    public void MlpLoss_BothModes_AndBackprop()
        => new ModelCase { Name = "Models.MlpLoss", Draw = Mlp }.Run();

    [Fact]
    public void MlpLossInPlace_BothModes_AndBackprop()
        => new ModelCase { Name = "Models.MlpLossInPlace", Draw = r => Mlp(r, inPlace: true) }.Run();

    // ---- 4. Gaussian mixture -------------------------------------------------------------------------------

    private const int Components = 3, GmmData = 60;

    private static (double[] Means, double[] LogSigmas, double[] Logits) GmmUnpack(double[] v)
    {
        var u = new Unpacker(v);
        var r = (u.Vec(Components), u.Vec(Components), u.Vec(Components));
        u.End();
        return r;
    }

    private static ModelInstance Gmm(Random r)
    {
        // Data from a 3-component mixture (centres −2, 0.5, 2.5), parameters elsewhere so the posteriors are mixed.
        double[] centres = { -2, 0.5, 2.5 };
        double[] data = Enumerable.Range(0, GmmData).Select(_ =>
        {
            int k = r.Next(Components);
            double u1 = 1 - r.NextDouble(), u2 = r.NextDouble();
            return centres[k] + 0.7 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }).ToArray();
        double[] theta = Unpacker.Flat(Vec(r, Components, -2.5, 2.5), Vec(r, Components, -0.7, 0.5), Vec(r, Components, -1, 1));
        return new ModelInstance
        {
            Theta = theta,
            F = v => { var (m, s, l) = GmmUnpack(v); return Models.LogLik(m, s, l, data); },
            Forward = (v, dv) =>
            {
                var (m, s, l) = GmmUnpack(v);
                var (dm, ds, dl) = GmmUnpack(dv);
                return Models.LogLikForward(m, s, l, data, dm, ds, dl);
            },
            Adjoint = (v, acc, dr) =>
            {
                var (m, s, l) = GmmUnpack(v);
                var (dm, ds, dl) = GmmUnpack(acc);
                double value = Models.LogLikAdjoint(m, s, l, data, dm, ds, dl, dr);
                Unpacker.Into(acc, dm, ds, dl);
                return value;
            },
            Gradient = v =>
            {
                var (m, s, l) = GmmUnpack(v);
                var g = Models.LogLikGradient(m, s, l, data);
                return (g.Value, Unpacker.Flat(g.dMeans, g.dLogSigmas, g.dLogits));
            },
            Analytic = v => GmmAnalytic(v, data),
        };
    }

    /// <summary>
    /// With responsibilities γₓₖ: ∂/∂μₖ = Σ γ·(x − μₖ)/σₖ², ∂/∂log σₖ = Σ γ·(uₓₖ² − 1), ∂/∂logitₖ = Σ (γₓₖ − πₖ).
    /// </summary>
    private static double[] GmmAnalytic(double[] v, double[] data)
    {
        var (mu, ls, logits) = GmmUnpack(v);
        double lm = logits.Max(), lse = lm + Math.Log(logits.Sum(a => Math.Exp(a - lm)));
        var pi = logits.Select(a => Math.Exp(a - lse)).ToArray();
        var g = new double[3 * Components];
        foreach (double xv in data)
        {
            var lp = new double[Components];
            for (int k = 0; k < Components; k++)
            {
                double u = (xv - mu[k]) / Math.Exp(ls[k]);
                lp[k] = Math.Log(pi[k]) - 0.5 * Math.Log(2 * Math.PI) - ls[k] - 0.5 * u * u;
            }
            double m = lp.Max(), s = lp.Sum(a => Math.Exp(a - m));
            for (int k = 0; k < Components; k++)
            {
                double gamma = Math.Exp(lp[k] - m) / s;
                double sigma = Math.Exp(ls[k]), u = (xv - mu[k]) / sigma;
                g[k] += gamma * u / sigma;
                g[Components + k] += gamma * (u * u - 1);
                g[2 * Components + k] += gamma - pi[k];
            }
        }
        return g;
    }

    [Fact]
    public void GaussianMixtureLogLik_BothModes_AndResponsibilities()
        => new ModelCase { Name = "Models.LogLik", Draw = Gmm }.Run();

    // ---- 5. Allocation -------------------------------------------------------------------------------------

    /// <summary>
    /// Bytes allocated on this thread per call of <paramref name="call"/>, measured over 50 calls after a warm-up
    /// (JIT tiers, tape growth, the shadow pool), on the last of three rounds as in ControlFlowRuntimeTests.
    /// </summary>
    private static double BytesPerCall(Action call)
    {
        const int calls = 50;
        long bytes = 0;
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 200; i++) call();
            if (round == 0) Thread.Sleep(50);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) call();
            bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        return bytes / (double)calls;
    }

    [Fact]
    public void LogisticRegressionNll_AdjointAndForward_AllocateNothingPerCall()
    {
        var r = new Random(11);
        var (x, y) = LogisticData(r, separable: false);
        double[] w = Vec(r, LrFeatures, -1, 1), dw = new double[LrFeatures], tw = Vec(r, LrFeatures, -1, 1);
        double b = 0.2, db = 0, sink = 0;

        double primal = BytesPerCall(() => sink += Models.Nll(w, b, x, y));
        double adjoint = BytesPerCall(() =>
        {
            Array.Clear(dw);
            db = 0;
            sink += Models.NllAdjoint(w, b, x, y, dw, ref db);
        });
        double forward = BytesPerCall(() => sink += Models.NllForward(w, b, x, y, tw, 0.5).Tangent);
        Assert.True(double.IsFinite(sink));
        Assert.True(primal == 0 && adjoint == 0 && forward == 0,
            $"bytes per call: primal {primal}, adjoint {adjoint}, forward {forward} (all must be 0)");
    }

    /// <summary>
    /// Models whose primal allocates one scratch array per call: the adjoint (whose shadow of that array comes from
    /// the pool) must allocate no more per call than the primal.
    /// </summary>
    [Fact]
    public void LocalArrayModels_AdjointAllocatesNoMoreThanPrimal()
    {
        var r = new Random(12);
        double sink = 0;
        var report = new List<string>();

        // MLP: the hidden layer.
        {
            double[,] x = Mat(r, MlpSamples, MlpIn, -1, 1);
            double[] t = Vec(r, MlpSamples * MlpOut, -1, 1);
            var (w1, b1, w2, b2) = MlpUnpack(Vec(r, MlpIn * MlpHidden + MlpHidden + MlpHidden * MlpOut + MlpOut, -1, 1));
            var dw1 = new double[MlpIn, MlpHidden]; var db1 = new double[MlpHidden];
            var dw2 = new double[MlpHidden, MlpOut]; var db2 = new double[MlpOut];
            double primal = BytesPerCall(() => sink += Models.MlpLoss(w1, b1, w2, b2, x, t));
            double adjoint = BytesPerCall(() =>
            {
                Array.Clear(dw1); Array.Clear(db1); Array.Clear(dw2); Array.Clear(db2);
                sink += Models.MlpLossAdjoint(w1, b1, w2, b2, x, t, dw1, db1, dw2, db2);
            });
            if (primal == 0 || adjoint > primal) report.Add($"MlpLoss: primal {primal}, adjoint {adjoint} bytes per call");

            // The in-place variant: two scratch arrays.
            double primal2 = BytesPerCall(() => sink += Models.MlpLossInPlace(w1, b1, w2, b2, x, t));
            double adjoint2 = BytesPerCall(() =>
            {
                Array.Clear(dw1); Array.Clear(db1); Array.Clear(dw2); Array.Clear(db2);
                sink += Models.MlpLossInPlaceAdjoint(w1, b1, w2, b2, x, t, dw1, db1, dw2, db2);
            });
            if (primal2 == 0 || adjoint2 > primal2) report.Add($"MlpLossInPlace: primal {primal2}, adjoint {adjoint2} bytes per call");
        }

        // Batched softmax cross-entropy: the logits.
        {
            double[,] x = Mat(r, 40, 4, -1, 1);
            int[] labels = Enumerable.Range(0, 40).Select(_ => r.Next(3)).ToArray();
            double[,] w = Mat(r, 4, 3, -1, 1), dw = new double[4, 3];
            double primal = BytesPerCall(() => sink += Models.Loss(w, x, labels));
            double adjoint = BytesPerCall(() => { Array.Clear(dw); sink += Models.LossAdjoint(w, x, labels, dw); });
            if (primal == 0 || adjoint > primal) report.Add($"Loss(w, x, labels): primal {primal}, adjoint {adjoint} bytes per call");
        }

        // Gaussian mixture: the per-component terms.
        {
            double[] data = Vec(r, GmmData, -3, 3);
            double[] m = Vec(r, Components, -2, 2), s = Vec(r, Components, -0.5, 0.5), l = Vec(r, Components, -1, 1);
            double[] dm = new double[Components], ds = new double[Components], dl = new double[Components];
            double primal = BytesPerCall(() => sink += Models.LogLik(m, s, l, data));
            double adjoint = BytesPerCall(() =>
            {
                Array.Clear(dm); Array.Clear(ds); Array.Clear(dl);
                sink += Models.LogLikAdjoint(m, s, l, data, dm, ds, dl);
            });
            if (primal == 0 || adjoint > primal) report.Add($"LogLik: primal {primal}, adjoint {adjoint} bytes per call");
        }

        Assert.True(double.IsFinite(sink));
        Assert.True(report.Count == 0, string.Join("; ", report) + " (primal must allocate its scratch array, adjoint no more than the primal)");
    }

    // ---- 6. Gradient descent -------------------------------------------------------------------------------

    /// <summary>
    /// Gradient descent with the generated adjoint on separable data: the loss decreases at every step and the
    /// training accuracy ends high. The step 0.002 is below 1/L for the Lipschitz constant of the gradient,
    /// L ≤ ¼·Σᵢ|(xᵢ, 1)|² + λ ≈ ¼·200·(5·4/3 + 1) ≈ 383 (xᵢⱼ uniform on [−2, 2]), so every step must descend.
    /// </summary>
    [Fact]
    public void LogisticRegression_GradientDescentWithAdjointDecreasesLoss()
    {
        var r = new Random(Rand.Seed("Models.Nll descent"));
        var (x, y) = LogisticData(r, separable: true);
        double[] w = new double[LrFeatures], dw = new double[LrFeatures];
        double b = 0, db = 0;
        const double step = 0.002;
        double initial = Models.Nll(w, b, x, y);
        Check.Close(LrSamples * Math.Log(2), initial, Tol.SameDouble, "loss at w = 0", () => "w = 0, b = 0");
        double previous = initial;
        var losses = new List<double> { initial };
        for (int it = 0; it < 30; it++)
        {
            Array.Clear(dw);
            db = 0;
            double value = Models.NllAdjoint(w, b, x, y, dw, ref db);
            Check.Exact(previous, value, "adjoint value = loss before the step", () => $"iteration {it}");
            for (int j = 0; j < LrFeatures; j++) w[j] -= step * dw[j];
            b -= step * db;
            double loss = Models.Nll(w, b, x, y);
            losses.Add(loss);
            Assert.True(loss < previous, $"loss rose at iteration {it}: {Check.Fmt(losses)}");
            previous = loss;
        }
        Assert.True(previous < 0.4 * initial, $"loss fell only from {initial} to {previous}: {Check.Fmt(losses)}");
        int correct = 0;
        for (int i = 0; i < LrSamples; i++)
        {
            double z = b;
            for (int j = 0; j < LrFeatures; j++) z += w[j] * x[i, j];
            if ((z > 0 ? 1 : 0) == y[i]) correct++;
        }
        Assert.True(correct >= 0.9 * LrSamples, $"training accuracy {correct}/{LrSamples} after 30 steps");
    }
}
