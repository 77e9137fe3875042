using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Tangent.Runtime.Tests;

public class ShadowsTests
{
    // The pools are per thread and xunit may run several tests on one thread, so every test that
    // depends on what is (not) in a pool runs on a thread of its own, which starts with empty pools.
    private static void OnFreshThread(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
            ExceptionDispatchInfo.Capture(error).Throw();
    }

    private static double[,] Matrix(int rows, int cols, Func<int, int, double> f)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = f(i, j);
        return m;
    }

    private static float[,] MatrixF(int rows, int cols, Func<int, int, float> f)
    {
        var m = new float[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = f(i, j);
        return m;
    }

    // ------------------------------------------------------------------ Rent / Return

    [Fact]
    public void Rent_gives_zeroed_arrays_of_the_same_shape_even_after_a_dirty_return() => OnFreshThread(() =>
    {
        var d1 = Shadows.Rent(new double[7]);
        Assert.Equal(7, d1.Length);
        Assert.All(d1, v => Assert.Equal(0.0, v));
        d1.AsSpan().Fill(3.5);
        Shadows.Return(d1);
        var d1Again = Shadows.Rent(new double[7]);
        Assert.Same(d1, d1Again);
        Assert.All(d1Again, v => Assert.Equal(0.0, v));

        var f1 = Shadows.Rent(new float[13]);
        Assert.Equal(13, f1.Length);
        f1.AsSpan().Fill(-2f);
        Shadows.Return(f1);
        var f1Again = Shadows.Rent(new float[13]);
        Assert.Same(f1, f1Again);
        Assert.All(f1Again, v => Assert.Equal(0f, v));

        var d2 = Shadows.Rent(new double[3, 5]);
        Assert.Equal(3, d2.GetLength(0));
        Assert.Equal(5, d2.GetLength(1));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++)
                d2[i, j] = i + j + 1;
        Shadows.Return(d2);
        var d2Again = Shadows.Rent(new double[3, 5]);
        Assert.Same(d2, d2Again);
        Assert.All(d2Again.Cast<double>(), v => Assert.Equal(0.0, v));

        var f2 = Shadows.Rent(new float[4, 2]);
        Assert.Equal(4, f2.GetLength(0));
        Assert.Equal(2, f2.GetLength(1));
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 2; j++)
                f2[i, j] = i * j - 7;
        Shadows.Return(f2);
        var f2Again = Shadows.Rent(new float[4, 2]);
        Assert.Same(f2, f2Again);
        Assert.All(f2Again.Cast<float>(), v => Assert.Equal(0f, v));
    });

    [Fact]
    public void Rent_does_not_read_or_change_the_template()
    {
        var like = new[] { 1.0, 2.0, 3.0 };
        var shadow = Shadows.Rent(like);
        Assert.NotSame(like, shadow);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, like);
        Assert.Equal(new double[3], shadow);
        Shadows.Return(shadow);
    }

    [Fact]
    public void Rent_matches_exact_shape_only() => OnFreshThread(() =>
    {
        var d1 = Shadows.Rent(new double[5]);
        Shadows.Return(d1);
        Assert.NotSame(d1, Shadows.Rent(new double[6]));
        Assert.NotSame(d1, Shadows.Rent(new double[4]));
        Assert.Same(d1, Shadows.Rent(new double[5]));

        var d2 = Shadows.Rent(new double[3, 4]);
        Shadows.Return(d2);
        Assert.NotSame(d2, Shadows.Rent(new double[4, 3])); // same Length, different dimensions
        Assert.NotSame(d2, Shadows.Rent(new double[2, 6]));
        Assert.Same(d2, Shadows.Rent(new double[3, 4]));
    });

    [Fact]
    public void Pools_are_separate_per_element_type_and_rank() => OnFreshThread(() =>
    {
        var d1 = Shadows.Rent(new double[6]);
        var d2 = Shadows.Rent(new double[2, 3]);
        Shadows.Return(d1);
        Shadows.Return(d2);
        float[] f1 = Shadows.Rent(new float[6]);
        float[,] f2 = Shadows.Rent(new float[2, 3]);
        Assert.Equal(6, f1.Length);
        Assert.Equal(6, f2.Length);
        Assert.Same(d1, Shadows.Rent(new double[6]));
        Assert.Same(d2, Shadows.Rent(new double[2, 3]));
    });

    [Fact]
    public void Rent_picks_the_matching_array_among_several() => OnFreshThread(() =>
    {
        var a = Shadows.Rent(new double[2]);
        var b = Shadows.Rent(new double[3]);
        var c = Shadows.Rent(new double[4]);
        Shadows.Return(a);
        Shadows.Return(b);
        Shadows.Return(c);
        Assert.Same(b, Shadows.Rent(new double[3]));
        Assert.Same(a, Shadows.Rent(new double[2]));
        Assert.Same(c, Shadows.Rent(new double[4]));
    });

    [Fact]
    public void Two_rents_without_return_give_distinct_arrays() => OnFreshThread(() =>
    {
        // Also after the pool holds one array of that shape: only one of the two rents may take it.
        Shadows.Return(new double[8]);
        Shadows.Return(new float[8]);
        Shadows.Return(new double[2, 4]);
        Shadows.Return(new float[2, 4]);

        Assert.NotSame(Shadows.Rent(new double[8]), Shadows.Rent(new double[8]));
        Assert.NotSame(Shadows.Rent(new float[8]), Shadows.Rent(new float[8]));
        Assert.NotSame(Shadows.Rent(new double[2, 4]), Shadows.Rent(new double[2, 4]));
        Assert.NotSame(Shadows.Rent(new float[2, 4]), Shadows.Rent(new float[2, 4]));
    });

    [Fact]
    public void Returning_an_array_twice_does_not_let_rent_hand_it_out_twice() => OnFreshThread(() =>
    {
        var d1 = Shadows.Rent(new double[9]);
        Shadows.Return(d1);
        Shadows.Return(d1);
        var first = Shadows.Rent(new double[9]);
        var second = Shadows.Rent(new double[9]);
        Assert.Same(d1, first);
        Assert.NotSame(first, second);

        var f2 = Shadows.Rent(new float[3, 3]);
        Shadows.Return(f2);
        Shadows.Return(f2);
        Assert.NotSame(Shadows.Rent(new float[3, 3]), Shadows.Rent(new float[3, 3]));
    });

    [Fact]
    public void Return_null_is_ignored()
    {
        Shadows.Return((double[]?)null);
        Shadows.Return((float[]?)null);
        Shadows.Return((double[,]?)null);
        Shadows.Return((float[,]?)null);
    }

    [Fact]
    public void Rent_of_null_template_throws()
    {
        Assert.Throws<ArgumentNullException>(() => Shadows.Rent((double[])null!));
        Assert.Throws<ArgumentNullException>(() => Shadows.Rent((float[,])null!));
    }

    [Fact]
    public void Zero_length_and_empty_dimension_arrays_can_be_rented() => OnFreshThread(() =>
    {
        Assert.Empty(Shadows.Rent(Array.Empty<double>()));
        var m = Shadows.Rent(new float[0, 5]);
        Assert.Equal(0, m.GetLength(0));
        Assert.Equal(5, m.GetLength(1));
        Shadows.Return(m);
        Assert.Same(m, Shadows.Rent(new float[0, 5]));
        Assert.NotSame(m, Shadows.Rent(new float[5, 0]));
    });

    [Fact]
    public void Arrays_with_nonzero_lower_bounds_are_not_pooled() => OnFreshThread(() =>
    {
        var offset = (double[,])Array.CreateInstance(typeof(double), new[] { 2, 3 }, new[] { 1, 1 });
        Shadows.Return(offset);
        var rented = Shadows.Rent(offset);
        Assert.NotSame(offset, rented);
        Assert.Equal(0, rented.GetLowerBound(0));
        Assert.Equal(0, rented.GetLowerBound(1));
        Assert.Equal(2, rented.GetLength(0));
        Assert.Equal(3, rented.GetLength(1));
    });

    private static void AssertPoolKeeps32<T>(Func<T> make, Func<T> rent, Action<T> giveBack) where T : class
    {
        const int returned = 40;
        var arrays = Enumerable.Range(0, returned).Select(_ => make()).ToList();
        foreach (var a in arrays)
            giveBack(a);
        var originals = new HashSet<T>(arrays, ReferenceEqualityComparer.Instance);
        var rented = Enumerable.Range(0, returned).Select(_ => rent()).ToList();
        Assert.Equal(32, rented.Count(originals.Contains));
        // The ones kept are the first 32 returned (later ones were dropped because the pool was full).
        Assert.True(rented.Where(originals.Contains).All(a => arrays.IndexOf(a) < 32));
        Assert.Equal(returned, new HashSet<T>(rented, ReferenceEqualityComparer.Instance).Count);
    }

    [Fact]
    public void Pool_keeps_at_most_32_free_arrays_per_type_and_rank() => OnFreshThread(() =>
    {
        AssertPoolKeeps32(() => new double[10], () => Shadows.Rent(new double[10]), a => Shadows.Return(a));
        AssertPoolKeeps32(() => new float[10], () => Shadows.Rent(new float[10]), a => Shadows.Return(a));
        AssertPoolKeeps32(() => new double[2, 5], () => Shadows.Rent(new double[2, 5]), a => Shadows.Return(a));
        AssertPoolKeeps32(() => new float[2, 5], () => Shadows.Rent(new float[2, 5]), a => Shadows.Return(a));
    });

    [Fact]
    public void Full_pool_with_other_shapes_drops_new_returns() => OnFreshThread(() =>
    {
        for (int i = 0; i < 32; i++)
            Shadows.Return(new double[100 + i]);
        var extra = new double[3];
        Shadows.Return(extra);
        Assert.NotSame(extra, Shadows.Rent(new double[3]));
        // Renting one frees a slot, after which a return is kept again.
        Shadows.Rent(new double[100]);
        Shadows.Return(extra);
        Assert.Same(extra, Shadows.Rent(new double[3]));
    });

    [Fact]
    public void Pools_are_per_thread() => OnFreshThread(() =>
    {
        var mine = Shadows.Rent(new double[17]);
        var mine2 = Shadows.Rent(new float[4, 4]);
        Shadows.Return(mine);
        Shadows.Return(mine2);

        double[]? other = null;
        float[,]? other2 = null;
        var thread = new Thread(() =>
        {
            other = Shadows.Rent(new double[17]);
            other2 = Shadows.Rent(new float[4, 4]);
            Shadows.Return(other);
            Shadows.Return(other2);
        });
        thread.Start();
        thread.Join();

        Assert.NotNull(other);
        Assert.NotSame(mine, other);
        Assert.NotSame(mine2, other2);
        // This thread's pool still holds its own arrays, untouched by the other thread.
        Assert.Same(mine, Shadows.Rent(new double[17]));
        Assert.Same(mine2, Shadows.Rent(new float[4, 4]));
    });

    [Fact]
    public void Concurrent_threads_never_share_rented_arrays()
    {
        const int threads = 8, rounds = 2000;
        var seen = new double[threads][];
        var failures = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int r = 0; r < rounds; r++)
            {
                var a = Shadows.Rent(new double[16]);
                if (a.Any(v => v != 0)) Interlocked.Increment(ref failures);
                a.AsSpan().Fill(t + 1);
                Thread.Yield();
                if (a.Any(v => v != t + 1)) Interlocked.Increment(ref failures);
                Shadows.Return(a);
            }
            seen[t] = Shadows.Rent(new double[16]);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Equal(0, failures);
        Assert.Equal(threads, new HashSet<double[]>(seen, ReferenceEqualityComparer.Instance).Count);
    }

    [Fact]
    public void Steady_state_rent_and_return_allocate_zero_bytes() => OnFreshThread(() =>
    {
        var d1 = new double[64];
        var f1 = new float[33];
        var d2 = new double[8, 9];
        var f2 = new float[3, 7];
        double sink = 0;
        for (int warm = 0; warm < 3; warm++)
            sink += Cycle(d1, f1, d2, f2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            sink += Cycle(d1, f1, d2, f2);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sink > 0);
    });

    private static double Cycle(double[] d1, float[] f1, double[,] d2, float[,] f2)
    {
        // Nested rents of the same shape, as recursion or an adjoint calling an adjoint would do.
        var a = Shadows.Rent(d1);
        var b = Shadows.Rent(d1);
        var c = Shadows.Rent(f1);
        var d = Shadows.Rent(d2);
        var e = Shadows.Rent(f2);
        a[0] = 1;
        b[1] = 2;
        c[2] = 3;
        d[1, 1] = 4;
        e[2, 6] = 5;
        Shadows.Accumulate(a, b);
        Shadows.Accumulate(d, d);
        double s = a[0] + a[1] + c[2] + d[1, 1] + e[2, 6];
        Shadows.Return(e);
        Shadows.Return(d);
        Shadows.Return(c);
        Shadows.Return(b);
        Shadows.Return(a);
        return s;
    }

    // ------------------------------------------------------------------ Accumulate

    public static IEnumerable<object[]> Lengths() =>
        new[] { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1000 }.Select(n => new object[] { n });

    public static IEnumerable<object[]> Shapes() =>
        new[] { (0, 0), (0, 3), (1, 1), (1, 7), (7, 1), (3, 11), (5, 33), (4, 8), (17, 9) }
            .Select(s => new object[] { s.Item1, s.Item2 });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Accumulate_double_matches_scalar_loop(int n)
    {
        var rng = new Random(n + 1);
        var into = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
        var from = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
        var expected = (double[])into.Clone();
        for (int k = 0; k < n; k++)
            expected[k] += from[k];
        var fromCopy = (double[])from.Clone();

        Shadows.Accumulate(into, from);

        Assert.Equal(expected, into);
        Assert.Equal(fromCopy, from);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Accumulate_float_matches_scalar_loop(int n)
    {
        var rng = new Random(n + 2);
        var into = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 10 - 5)).ToArray();
        var from = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 10 - 5)).ToArray();
        var expected = (float[])into.Clone();
        for (int k = 0; k < n; k++)
            expected[k] += from[k];
        var fromCopy = (float[])from.Clone();

        Shadows.Accumulate(into, from);

        Assert.Equal(expected, into);
        Assert.Equal(fromCopy, from);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Accumulate_double_2d_matches_scalar_loop(int rows, int cols)
    {
        var rng = new Random(rows * 100 + cols);
        var into = Matrix(rows, cols, (_, _) => rng.NextDouble() * 10 - 5);
        var from = Matrix(rows, cols, (_, _) => rng.NextDouble() * 10 - 5);
        var expected = (double[,])into.Clone();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                expected[i, j] += from[i, j];
        var fromCopy = (double[,])from.Clone();

        Shadows.Accumulate(into, from);

        Assert.Equal(expected, into);
        Assert.Equal(fromCopy, from);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Accumulate_float_2d_matches_scalar_loop(int rows, int cols)
    {
        var rng = new Random(rows * 100 + cols + 7);
        var into = MatrixF(rows, cols, (_, _) => (float)(rng.NextDouble() * 10 - 5));
        var from = MatrixF(rows, cols, (_, _) => (float)(rng.NextDouble() * 10 - 5));
        var expected = (float[,])into.Clone();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                expected[i, j] += from[i, j];
        var fromCopy = (float[,])from.Clone();

        Shadows.Accumulate(into, from);

        Assert.Equal(expected, into);
        Assert.Equal(fromCopy, from);
    }

    [Fact]
    public void Accumulate_into_itself_doubles_every_element()
    {
        var a = Enumerable.Range(0, 37).Select(i => i * 0.5).ToArray();
        Shadows.Accumulate(a, a);
        Assert.Equal(Enumerable.Range(0, 37).Select(i => (double)i), a);

        var m = MatrixF(3, 13, (i, j) => i - j);
        Shadows.Accumulate(m, m);
        Assert.Equal(MatrixF(3, 13, (i, j) => 2 * (i - j)), m);
    }

    [Fact]
    public void Accumulate_with_different_lengths_throws_and_names_them()
    {
        var into = new double[] { 1, 2, 3 };
        var ex = Assert.Throws<ArgumentException>(() => Shadows.Accumulate(into, new double[4]));
        Assert.Contains("3", ex.Message);
        Assert.Contains("4", ex.Message);
        Assert.Equal(new double[] { 1, 2, 3 }, into); // unchanged

        var exF = Assert.Throws<ArgumentException>(() => Shadows.Accumulate(new float[5], new float[2]));
        Assert.Contains("5", exF.Message);
        Assert.Contains("2", exF.Message);
    }

    [Fact]
    public void Accumulate_2d_with_different_dimensions_throws_and_names_them()
    {
        // Same Length (12) but transposed dimensions must still be rejected.
        var ex = Assert.Throws<ArgumentException>(() => Shadows.Accumulate(new double[3, 4], new double[4, 3]));
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);

        var exF = Assert.Throws<ArgumentException>(() => Shadows.Accumulate(new float[2, 5], new float[2, 6]));
        Assert.Contains("[2, 5]", exF.Message);
        Assert.Contains("[2, 6]", exF.Message);
    }

    [Fact]
    public void Accumulate_null_throws_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Shadows.Accumulate(null!, new double[1]));
        Assert.Throws<ArgumentNullException>(() => Shadows.Accumulate(new float[1], null!));
        Assert.Throws<ArgumentNullException>(() => Shadows.Accumulate((double[,])null!, new double[1, 1]));
    }

    // ------------------------------------------------------------------ ZerosLike

    [Fact]
    public void ZerosLike_gives_new_zero_arrays_of_the_same_shape()
    {
        var d1 = new[] { 1.0, 2.0, 3.0 };
        var z1 = Shadows.ZerosLike(d1);
        Assert.NotSame(d1, z1);
        Assert.Equal(new double[3], z1);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, d1);

        var f1 = new[] { 4f, 5f };
        var zf1 = Shadows.ZerosLike(f1);
        Assert.NotSame(f1, zf1);
        Assert.Equal(new float[2], zf1);

        var d2 = Matrix(2, 5, (i, j) => i + j + 1);
        var z2 = Shadows.ZerosLike(d2);
        Assert.NotSame(d2, z2);
        Assert.Equal(2, z2.GetLength(0));
        Assert.Equal(5, z2.GetLength(1));
        Assert.All(z2.Cast<double>(), v => Assert.Equal(0.0, v));

        var f2 = MatrixF(4, 1, (i, _) => i + 1);
        var zf2 = Shadows.ZerosLike(f2);
        Assert.Equal(4, zf2.GetLength(0));
        Assert.Equal(1, zf2.GetLength(1));
        Assert.All(zf2.Cast<float>(), v => Assert.Equal(0f, v));

        Assert.Empty(Shadows.ZerosLike(Array.Empty<double>()));
        Assert.NotSame(Shadows.ZerosLike(d1), Shadows.ZerosLike(d1));
    }

    // ------------------------------------------------------------------ CheckNotAliased

    private const string AliasMessage =
        "The adjoint 'dx' must not be the same array as the input it belongs to; pass a separate array.";

    [Fact]
    public void CheckNotAliased_throws_for_the_same_array()
    {
        var d1 = new double[3];
        Assert.Equal(AliasMessage, Assert.Throws<ArgumentException>(() => Shadows.CheckNotAliased(d1, d1, "dx")).Message);
        var f1 = new float[3];
        Assert.Equal(AliasMessage, Assert.Throws<ArgumentException>(() => Shadows.CheckNotAliased(f1, f1, "dx")).Message);
        var d2 = new double[2, 2];
        Assert.Equal(AliasMessage, Assert.Throws<ArgumentException>(() => Shadows.CheckNotAliased(d2, d2, "dx")).Message);
        var f2 = new float[2, 2];
        Assert.Equal(AliasMessage, Assert.Throws<ArgumentException>(() => Shadows.CheckNotAliased(f2, f2, "dx")).Message);

        var ex = Assert.Throws<ArgumentException>(() => Shadows.CheckNotAliased(d1, d1, "adjWeights"));
        Assert.Contains("'adjWeights'", ex.Message);
    }

    [Fact]
    public void CheckNotAliased_accepts_distinct_arrays_even_with_equal_contents()
    {
        Shadows.CheckNotAliased(new double[] { 1, 2 }, new double[] { 1, 2 }, "dx");
        Shadows.CheckNotAliased(new float[3], new float[3], "dx");
        Shadows.CheckNotAliased(new double[2, 2], new double[2, 2], "dx");
        Shadows.CheckNotAliased(new float[1, 4], new float[1, 4], "dx");
        Shadows.CheckNotAliased(new double[0], new double[0], "dx");
    }

    [Fact]
    public void CheckNotAliased_throws_for_overlapping_spans()
    {
        var d = new double[10];
        Assert.Equal(AliasMessage,
            Assert.Throws<ArgumentException>(() => Shadows.CheckNotAliased(d, d, "dx")).Message);
        Assert.Equal(AliasMessage,
            Assert.Throws<ArgumentException>(() =>
                Shadows.CheckNotAliased(new ReadOnlySpan<double>(d, 0, 5), new ReadOnlySpan<double>(d, 4, 5), "dx")).Message);
        Assert.Throws<ArgumentException>(() =>
            Shadows.CheckNotAliased(new ReadOnlySpan<double>(d, 3, 2), new ReadOnlySpan<double>(d, 0, 10), "dx"));

        var f = new float[10];
        Assert.Equal(AliasMessage,
            Assert.Throws<ArgumentException>(() =>
                Shadows.CheckNotAliased(new ReadOnlySpan<float>(f, 2, 6), new ReadOnlySpan<float>(f, 7, 3), "dx")).Message);
        Assert.Throws<ArgumentException>(() =>
            Shadows.CheckNotAliased(new ReadOnlySpan<float>(f), new ReadOnlySpan<float>(f), "dx"));
    }

    [Fact]
    public void CheckNotAliased_accepts_disjoint_spans()
    {
        var d = new double[10];
        Shadows.CheckNotAliased(new ReadOnlySpan<double>(d, 0, 5), new ReadOnlySpan<double>(d, 5, 5), "dx"); // adjacent
        Shadows.CheckNotAliased(new double[4], new double[4], "dx");
        Shadows.CheckNotAliased(ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, "dx");
        Shadows.CheckNotAliased(new ReadOnlySpan<double>(d, 3, 0), new ReadOnlySpan<double>(d, 0, 10), "dx"); // empty never overlaps

        var f = new float[8];
        Shadows.CheckNotAliased(new ReadOnlySpan<float>(f, 0, 4), new ReadOnlySpan<float>(f, 4, 4), "dx");
        Shadows.CheckNotAliased(new float[2], new float[2], "dx");
    }

    [Fact]
    public void Copy_returns_a_new_array_with_the_same_elements()
    {
        var d = new[] { 1.5, -2.0, 3.25 };
        var dc = Shadows.Copy(d);
        Assert.NotSame(d, dc);
        Assert.Equal(d, dc);
        var m = new double[,] { { 1, 2 }, { 3, 4 } };
        var mc = Shadows.Copy(m);
        Assert.NotSame(m, mc);
        Assert.Equal(m, mc);
        var f = new[] { 1f, 2f };
        Assert.Equal(f, Shadows.Copy(f));
        Assert.NotSame(f, Shadows.Copy(f));
        var fm = new float[,] { { 1f }, { 2f } };
        Assert.Equal(fm, Shadows.Copy(fm));
    }
}
