using System;

namespace Tangent.Tests;

/// <summary>
/// Hooks called (as discarded statements, all arguments inactive) from <see cref="ControlFlowCorpus"/> methods,
/// so that a test can make a sweep throw in the middle of a loop.
/// </summary>
public static class ControlFlowHooks
{
    /// <summary>When set, <see cref="Tick"/> throws at iteration 3 (thread-static: tests run in parallel).</summary>
    [ThreadStatic] public static bool Armed;

    /// <summary>Number of calls of <see cref="Tick"/> on this thread.</summary>
    [ThreadStatic] public static int Ticks;

    public static void Tick(int i)
    {
        Ticks++;
        if (Armed && i == 3)
            throw new InvalidOperationException("ControlFlowHooks.Tick: armed");
    }
}

/// <summary>
/// Control flow in [Differentiable] methods: branches, loops with active and inactive trip counts, early
/// exits, nested constructs. Each method is checked in forward and adjoint mode by ControlFlowTests; the
/// path twins in ControlFlowPaths (ControlFlowSupport.cs) mirror the branch decisions of each method.
/// </summary>
public static partial class ControlFlowCorpus
{
    // ---- The seed's example -------------------------------------------------------------------------------

    /// <summary>b = 2a; while |b| &lt; 1000: b = 2b; c = b if b &gt; 0 else 100·b. dc/da = c/a.</summary>
    [Differentiable]
    public static double Seed(double a)
    {
        double b = 2 * a;
        while (Math.Abs(b) < 1000)
            b = 2 * b;
        double c = b > 0 ? b : 100 * b;
        return c;
    }

    /// <summary>The seed's example with if/else and a local declared without initializer.</summary>
    [Differentiable]
    public static double SeedIf(double a)
    {
        double b = 2 * a;
        while (Math.Abs(b) < 1000)
        {
            b = 2 * b;
        }
        double c;
        if (b > 0)
            c = b;
        else
            c = 100 * b;
        return c;
    }

    // ---- Logistic map -------------------------------------------------------------------------------------

    /// <summary>l ← 4·r·l·(1 − l), n times, from l = x.</summary>
    [Differentiable]
    public static double Logistic(double x, double r, int n)
    {
        double l = x;
        for (int i = 0; i < n; i++)
            l = 4 * r * l * (1 - l);
        return l;
    }

    [Differentiable]
    public static float LogisticF(float x, float r, int n)
    {
        float l = x;
        for (int i = 0; i < n; i++)
            l = 4 * r * l * (1 - l);
        return l;
    }

    // ---- Repeated squaring, Newton ------------------------------------------------------------------------

    /// <summary>a ← a² n times (the parameter itself is reassigned), then a ← 2a: 2·a^(2ⁿ).</summary>
    [Differentiable]
    public static double SquareLoop(double a, int n)
    {
        for (int i = 0; i < n; i++)
            a = a * a;
        a = 2 * a;
        return a;
    }

    /// <summary>Newton's iteration for √c, 20 iterations from x = c.</summary>
    [Differentiable]
    public static double NewtonSqrt(double c)
    {
        double x = c;
        for (int k = 0; k < 20; k++)
            x = 0.5 * (x + c / x);
        return x;
    }

    // ---- Loops and branches nested in each other ----------------------------------------------------------

    /// <summary>An if / else if / else inside a loop: active and inactive conditions.</summary>
    [Differentiable]
    public static double LoopWithIf(double x, double y, int n)
    {
        double s = 0;
        double t = x;
        for (int i = 0; i < n; i++)
        {
            if (t > y)
                t = t * 0.5 - y;
            else if (i % 2 == 0)
                t = t * t * 0.25 + x;
            else
                t += Math.Sin(y * i);
            s += t * y;
        }
        return s;
    }

    /// <summary>A for loop in the then-branch, a while loop in the else-branch.</summary>
    [Differentiable]
    public static double IfWithLoop(double x, double y)
    {
        double s = 1;
        if (x > y)
        {
            for (int i = 0; i < 5; i++)
                s = s * x + y;
        }
        else
        {
            int k = 0;
            while (k < 3)
            {
                s = s * y - Math.Cos(x * s);
                k++;
            }
        }
        return s;
    }

    /// <summary>Nested loops whose inner trip count depends on the outer index.</summary>
    [Differentiable]
    public static double NestedLoops(double x, double y, int n)
    {
        double s = y;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                s = Math.Sin(s) * x + 0.1 * j;
            }
            s = s * y;
        }
        return s;
    }

    /// <summary>break on a data-dependent condition.</summary>
    [Differentiable]
    public static double BreakOnData(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 100; i++)
        {
            s = s + x * (i + 1) + Math.Sin(s * y);
            if (s > 20)
                break;
        }
        return s * y;
    }

    /// <summary>while (true) with a break on an active || inactive condition.</summary>
    [Differentiable]
    public static double WhileTrueBreak(double x)
    {
        double s = x;
        int i = 0;
        while (true)
        {
            i++;
            s = Math.Sqrt(s + i);
            if (s > 3 || i >= 40)
                break;
        }
        return s;
    }

    /// <summary>continue on an inactive and on an active condition.</summary>
    [Differentiable]
    public static double ContinueLoop(double x, double y, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            if (i % 3 == 1)
                continue;
            double t = Math.Sin(x * i + y);
            if (t < 0)
                continue;
            s += t * t * x;
        }
        return s + y;
    }

    /// <summary>return from inside the inner one of two nested loops.</summary>
    [Differentiable]
    public static double EarlyReturnNested(double x, double y)
    {
        double s = x;
        for (int i = 0; i < 10; i++)
        {
            for (int j = 0; j < 10; j++)
            {
                s = s * 1.1 + y * 0.01 * j;
                if (s > 50)
                    return s * y + i;
            }
            s = s - x * 0.5;
        }
        return -s;
    }

    /// <summary>Five branches: if / else if chains, some returning early, one falling through.</summary>
    [Differentiable]
    public static double Piecewise5(double x, double y)
    {
        if (x < -2)
            return y * x * x;
        else if (x < -1)
        {
            double t = x + y;
            return Math.Exp(t);
        }
        double r = 0;
        if (x < 0)
            r = Math.Sin(x * y);
        else if (x < 1)
        {
            r = x * x * x - y;
        }
        else
            return Math.Log(x) * y + 1;
        return r * 2;
    }

    // ---- Conditional operator ------------------------------------------------------------------------------

    [Differentiable]
    public static double Relu(double x) => x > 0 ? x : 0;

    [Differentiable]
    public static float ReluF(float x) => x > 0 ? x : 0;

    /// <summary>ReLU of an affine map, reassigning through ?:, plus a max written as ?:.</summary>
    [Differentiable]
    public static double ReluLayer(double x, double y)
    {
        double h = x * y - 0.5;
        h = h > 0 ? h : 0;
        return h + (x > y ? x : y) * 0.5;
    }

    [Differentiable]
    public static double NestedTernary(double x, double y)
        => x > 0 ? (y > 0 ? x * y : x - y) : (y > x ? Math.Sin(y) : x * x * y);

    /// <summary>?: inside a loop, on a loop-carried value.</summary>
    [Differentiable]
    public static double TernaryInLoop(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++)
            s = s > 1 ? s * 0.5 : s * x + 1;
        return s;
    }

    // ---- Boolean operators in conditions -------------------------------------------------------------------

    [Differentiable]
    public static double Logical(double x, double y)
    {
        double r = x * y;
        if (x > 0 && y > 0)
            r = r + x;
        if (x < -1 || y < -1)
            r = r * r;
        if (!(x > y))
            r = r - Math.Sin(y);
        if ((x * x + y * y > 2 && !(x < 0)) || (y > 1.5 && x < -1.5))
            r *= 0.5;
        return r;
    }

    // ---- Loops with an active trip count -------------------------------------------------------------------

    /// <summary>The trip count depends on the active x.</summary>
    [Differentiable]
    public static double WhileActive(double x)
    {
        double y = 1;
        while (y < 10)
            y = y * 1.5 + x;
        return y;
    }

    [Differentiable]
    public static float WhileActiveF(float x)
    {
        float y = 1;
        while (y < 10)
            y = y * 1.5f + x;
        return y;
    }

    /// <summary>do-while with an active && inactive condition; the count k is used in the result.</summary>
    [Differentiable]
    public static double DoWhile(double x, double y)
    {
        double s = y;
        int k = 0;
        do
        {
            s = s * s * 0.5 + x;
            k++;
        } while (s < 5 && k < 50);
        return s * k;
    }

    // ---- Locals, overwriting, counters ---------------------------------------------------------------------

    /// <summary>Locals declared in the loop body; s and tmp overwritten on every iteration.</summary>
    [Differentiable]
    public static double LocalsInLoop(double x, double y, int n)
    {
        double s = 0;
        double tmp = 0;
        for (int i = 0; i < n; i++)
        {
            double t = x * i + y;
            double u = Math.Sin(t) * (s + 1);
            tmp = u * u;
            s = tmp - t * 0.1;
        }
        return s + tmp;
    }

    /// <summary>++ / -- (prefix and postfix statements) and compound assignment on loop counters.</summary>
    [Differentiable]
    public static double Counters(double x, int n)
    {
        double s = 1;
        int k = 0;
        for (int i = 0; i < n; i += 2)
        {
            s = s * x + i;
            k++;
        }
        int j = n;
        while (j > 0)
        {
            --j;
            s = s + Math.Cos(x * j) * k;
            j -= 1;
        }
        for (int m = 0; m < 3; ++m)
            s *= 1 + x * 0.1;
        int c = 10;
        c *= 2;
        c /= 4;
        c--;
        for (int m = c; m > 0; m -= 2)
            s -= x * 0.01 * m;
        s /= 2;
        return s;
    }

    /// <summary>A loop counting down: Horner's scheme for Σ_{i=0..n} (i + 1)·xⁱ.</summary>
    [Differentiable]
    public static double CountDown(double x, int n)
    {
        double p = 0;
        for (int i = n; i >= 0; i--)
            p = p * x + (i + 1);
        return p;
    }

    // ---- Exceptions (calls between [Differentiable] methods: see Pending_ControlFlow.cs) ------------------

    /// <summary>A loop with a discarded call that throws at iteration 3 when <see cref="ControlFlowHooks.Armed"/>.</summary>
    [Differentiable]
    public static double ThrowingLoop(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++)
        {
            s = s * Math.Cos(s) + x;
            ControlFlowHooks.Tick(i);
        }
        return s;
    }

    // ---- Harder combinations -------------------------------------------------------------------------------

    /// <summary>An active (double) loop variable: Σ over t = x, x + 1.5, … &lt; 10 of t².</summary>
    [Differentiable]
    public static double ActiveLoopVariable(double x)
    {
        double s = 0;
        for (double t = x; t < 10; t += 1.5)
            s += t * t;
        return s;
    }

    /// <summary>Sibling loops declaring locals of the same names.</summary>
    [Differentiable]
    public static double SiblingLoopsSameNames(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 4; i++)
        {
            double t = x * i;
            s += Math.Sin(t) * y;
        }
        for (int i = 0; i < 3; i++)
        {
            double t = y * i + s;
            s = s * 0.5 + t * x;
        }
        {
            double t = s * s;
            s = t + x;
        }
        return s;
    }

    /// <summary>continue in a while loop (increment before it) and in a do-while loop (goes to the condition).</summary>
    [Differentiable]
    public static double ContinueInWhileAndDo(double x, double y)
    {
        double s = 0;
        int i = 0;
        while (i < 8)
        {
            i++;
            if (i % 2 == 0)
                continue;
            s += x * i;
            if (s * y > 3)
                continue;
            s = s * y + 1;
        }
        int k = 0;
        do
        {
            k++;
            if (k == 2)
                continue;
            s = s * 0.75 + Math.Cos(x * k);
        } while (k < 5);
        return s;
    }

    /// <summary>break out of the inner loop only; the outer loop goes on.</summary>
    [Differentiable]
    public static double BreakInnerOnly(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 5; i++)
        {
            double u = y;
            for (int j = 0; j < 20; j++)
            {
                u = u * 1.3 + x;
                if (u > 4 + i)
                    break;
            }
            s += u * (i + 1);
        }
        return s;
    }

    /// <summary>return from inside a do-while, else fall out of it.</summary>
    [Differentiable]
    public static double ReturnInDoWhile(double x)
    {
        double s = 1;
        int k = 0;
        do
        {
            s = s * x + 0.5;
            if (s > 8)
                return s * x;
            k++;
        } while (k < 20);
        return -s;
    }

    /// <summary>A trip count computed from an active value by a cast (derivative 0 through the cast).</summary>
    [Differentiable]
    public static double TripCountFromCast(double x)
    {
        int n = (int)(x * 3);
        double s = x;
        for (int i = 0; i < n; i++)
            s = s * 0.9 + x;
        return s;
    }

    /// <summary>A local declared without initializer in the loop body, assigned in both branches.</summary>
    [Differentiable]
    public static double UninitializedInLoop(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 6; i++)
        {
            double t;
            if (x * i > y)
                t = x * i;
            else
                t = y - i;
            s += t * t;
        }
        return s;
    }

    /// <summary>Empty branches and reassignment of a parameter in a branch.</summary>
    [Differentiable]
    public static double EmptyBranches(double x, double y)
    {
        if (x > 0)
        {
        }
        else
        {
            x = -x * y;
        }
        if (y > 0)
            y = y * x;
        else
        {
        }
        return x * y + x;
    }

    /// <summary>A ?: in a while condition.</summary>
    [Differentiable]
    public static double TernaryInCondition(double x)
    {
        double s = x;
        int k = 0;
        while ((s > 0 ? s : -s) < 10 && k < 30)
        {
            s = s * 2 + x;
            k++;
        }
        return s;
    }

    /// <summary>Compound assignments on doubles inside a loop.</summary>
    [Differentiable]
    public static double CompoundInLoop(double x, double y, int n)
    {
        double s = 1;
        for (int i = 0; i < n; i++)
        {
            s *= x;
            s += y;
            s /= 1 + x * x;
            s -= 0.1 * y;
        }
        return s;
    }

    /// <summary>Inactive conditions choosing between active values; an int chosen by an active condition.</summary>
    [Differentiable]
    public static double InactiveTernary(double x, double y, int n)
    {
        double a = n > 2 ? x * y : x - y;
        int m = x > 0 ? 3 : 5;
        for (int i = 0; i < m; i++)
            a = a * 0.5 + y;
        return a;
    }

    /// <summary>An if without else in a loop: s is overwritten only on some iterations.</summary>
    [Differentiable]
    public static double IfWithoutElseInLoop(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++)
        {
            if (s < 2)
                s = s * x + 1;
        }
        return s;
    }

    /// <summary>Deep nesting: a while in a for in an if in a do.</summary>
    [Differentiable]
    public static double DeepNesting(double x, double y)
    {
        double s = y;
        int k = 0;
        do
        {
            if (s < 3)
            {
                for (int i = 0; i < 3; i++)
                {
                    int j = 0;
                    while (j < i)
                    {
                        s = s + x * Math.Sin(s + j);
                        j++;
                    }
                }
            }
            else
            {
                s = Math.Sqrt(s) + y;
            }
            k++;
        } while (k < 4);
        return s;
    }

    /// <summary>for (;;) with the exit inside; a for with two counters and two incrementors.</summary>
    [Differentiable]
    public static double ForWithoutParts(double x)
    {
        double s = x;
        int i = 0;
        for (;;)
        {
            i++;
            if (i > 5)
                break;
            s = s * s * 0.5 + x;
        }
        for (int a = 0, b = 10; a < b; a++, b--)
            s += x * (b - a);
        return s;
    }
}
