using System;
using System.Collections.Generic;

/// <summary>Computes f(x), writes ∇f(x) into <c>gradient</c> (overwriting it) and returns f(x).</summary>
public delegate double ValueAndGradient(double[] x, double[] gradient);

/// <summary>Outcome of <see cref="LBfgs.Minimize"/>.</summary>
public sealed record LBfgsResult(double[] X, double Value, double GradientNorm, int Iterations,
                                 int Evaluations, bool Converged, List<double> ValueHistory);

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Numerical Optimization, algorithms 7.4 and 7.5) with a
/// backtracking Armijo line search. Small and unoptimized: it is here to show the generated gradient at work.
/// </summary>
public static class LBfgs
{
    public static LBfgsResult Minimize(ValueAndGradient f, double[] start, int memory = 7, double gradientTolerance = 1e-8,
                                       int maxIterations = 1000, Action<int, double, double, double>? progress = null)
    {
        int n = start.Length;
        var x = (double[])start.Clone();
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var direction = new double[n];
        var alpha = new double[memory];
        // The last `memory` steps s = x_{k+1} − x_k and gradient changes y = g_{k+1} − g_k, in a ring buffer.
        var s = new double[memory][];
        var y = new double[memory][];
        var rho = new double[memory];
        for (int i = 0; i < memory; i++) { s[i] = new double[n]; y[i] = new double[n]; }
        int stored = 0, newest = -1;

        double fx = f(x, g);
        int evaluations = 1, iteration = 0;
        var history = new List<double> { fx };
        double step = 0;

        while (true)
        {
            double gradientNorm = Math.Sqrt(Dot(g, g));
            progress?.Invoke(iteration, fx, gradientNorm, step);
            if (gradientNorm < gradientTolerance || iteration == maxIterations)
                return new LBfgsResult(x, fx, gradientNorm, iteration, evaluations, gradientNorm < gradientTolerance, history);

            // Two-loop recursion: direction = −H·g, with H the L-BFGS inverse-Hessian approximation.
            Array.Copy(g, direction, n);
            for (int k = 0, i = newest; k < stored; k++, i = (i - 1 + memory) % memory)
            {
                alpha[i] = rho[i] * Dot(s[i], direction);
                Axpy(-alpha[i], y[i], direction);
            }
            // Initial scaling γ = sᵀy / yᵀy; before any step, scale the first step to length 1.
            double gamma = stored > 0 ? Dot(s[newest], y[newest]) / Dot(y[newest], y[newest]) : 1 / gradientNorm;
            for (int j = 0; j < n; j++) direction[j] *= gamma;
            for (int k = 0, i = (newest - stored + 1 + memory) % memory; k < stored; k++, i = (i + 1) % memory)
            {
                double beta = rho[i] * Dot(y[i], direction);
                Axpy(alpha[i] - beta, s[i], direction);
            }
            for (int j = 0; j < n; j++) direction[j] = -direction[j];

            double slope = Dot(g, direction);
            if (!(slope < 0))
            {
                // Not a descent direction (should not happen with the curvature test below): restart.
                stored = 0;
                for (int j = 0; j < n; j++) direction[j] = -g[j] / gradientNorm;
                slope = -gradientNorm;
            }

            // Backtracking line search: halve t until f(x + t·d) ≤ f(x) + c₁·t·∇f(x)ᵀd (Armijo).
            const double C1 = 1e-4;
            double fNew;
            step = 1;
            while (true)
            {
                for (int j = 0; j < n; j++) xNew[j] = x[j] + step * direction[j];
                fNew = f(xNew, gNew);
                evaluations++;
                if (fNew <= fx + C1 * step * slope)
                    break;
                step /= 2;
                if (step < 1e-20)   // no decrease possible at this precision
                    return new LBfgsResult(x, fx, gradientNorm, iteration, evaluations, false, history);
            }

            // Keep the pair (s, y) only if it has positive curvature sᵀy > 0, so H stays positive definite.
            int slot = (newest + 1) % memory;
            for (int j = 0; j < n; j++)
            {
                s[slot][j] = xNew[j] - x[j];
                y[slot][j] = gNew[j] - g[j];
            }
            double sy = Dot(s[slot], y[slot]);
            if (sy > 1e-12 * Math.Sqrt(Dot(s[slot], s[slot]) * Dot(y[slot], y[slot])))
            {
                rho[slot] = 1 / sy;
                newest = slot;
                stored = Math.Min(stored + 1, memory);
            }
            else if (stored == memory)
            {
                stored--;   // the rejected pair overwrote the oldest one
            }

            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            fx = fNew;
            iteration++;
            history.Add(fx);
        }
    }

    static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    static void Axpy(double factor, double[] a, double[] target)
    {
        for (int i = 0; i < a.Length; i++) target[i] += factor * a[i];
    }
}
