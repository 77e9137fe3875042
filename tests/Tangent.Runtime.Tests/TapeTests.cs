using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;

namespace Tangent.Runtime.Tests;

public class TapeTests
{
    private static void AssertHeights(Tape tape, int doubles, int floats, int ints, int bools)
    {
        Assert.Equal(doubles, tape.DoubleCount);
        Assert.Equal(floats, tape.FloatCount);
        Assert.Equal(ints, tape.IntCount);
        Assert.Equal(bools, tape.BoolCount);
    }

    [Fact]
    public void Each_type_is_LIFO()
    {
        var tape = new Tape();
        for (int i = 0; i < 5; i++)
        {
            tape.PushDouble(i + 0.5);
            tape.PushFloat(i + 0.25f);
            tape.PushInt(i * 7);
            tape.PushBool(i % 2 == 0);
        }
        AssertHeights(tape, 5, 5, 5, 5);
        for (int i = 4; i >= 0; i--)
        {
            Assert.Equal(i % 2 == 0, tape.PopBool());
            Assert.Equal(i * 7, tape.PopInt());
            Assert.Equal(i + 0.25f, tape.PopFloat());
            Assert.Equal(i + 0.5, tape.PopDouble());
        }
        Assert.True(tape.IsEmpty);
    }

    [Fact]
    public void Types_are_independent_stacks_when_interleaved()
    {
        var tape = new Tape();
        tape.PushDouble(1);
        tape.PushInt(10);
        tape.PushDouble(2);
        tape.PushBool(true);
        tape.PushFloat(3f);
        tape.PushInt(20);
        tape.PushBool(false);
        tape.PushDouble(4);

        // Pop the ints first, then everything else in an unrelated order.
        Assert.Equal(20, tape.PopInt());
        Assert.Equal(4.0, tape.PopDouble());
        Assert.False(tape.PopBool());
        Assert.Equal(10, tape.PopInt());
        Assert.Equal(3f, tape.PopFloat());
        Assert.Equal(2.0, tape.PopDouble());
        Assert.True(tape.PopBool());
        Assert.Equal(1.0, tape.PopDouble());
        Assert.True(tape.IsEmpty);
    }

    [Fact]
    public void Grows_past_initial_capacity_and_keeps_contents()
    {
        var tape = new Tape();
        const int n = 100_000;
        for (int i = 0; i < n; i++)
        {
            tape.PushDouble(i * 0.5);
            tape.PushFloat(i);
            tape.PushInt(i);
            tape.PushBool((i & 3) == 0);
        }
        AssertHeights(tape, n, n, n, n);
        for (int i = n - 1; i >= 0; i--)
        {
            Assert.Equal(i * 0.5, tape.PopDouble());
            Assert.Equal((float)i, tape.PopFloat());
            Assert.Equal(i, tape.PopInt());
            Assert.Equal((i & 3) == 0, tape.PopBool());
        }
        Assert.True(tape.IsEmpty);

        tape.TrimExcess();
        tape.PushDouble(42);
        Assert.Equal(42.0, tape.PopDouble());
    }

    [Fact]
    public void Reserved_pushes_fill_the_reserved_room_and_pop_like_ordinary_pushes()
    {
        var tape = new Tape();
        tape.PushDouble(-1);
        tape.PushInt(-2);
        const int n = 5000;                        // past the initial capacity: the reservation grows the storage
        tape.ReserveDoubles(n);
        tape.ReserveFloats(n);
        tape.ReserveInts(n);
        tape.ReserveBools(n);
        for (int i = 0; i < n; i++)
        {
            tape.PushReservedDouble(i + 0.5);
            tape.PushReservedFloat(i + 0.25f);
            tape.PushReservedInt(i * 3);
            tape.PushReservedBool(i % 3 == 0);
        }
        AssertHeights(tape, n + 1, n, n + 1, n);
        for (int i = n - 1; i >= 0; i--)
        {
            Assert.Equal(i % 3 == 0, tape.PopBool());
            Assert.Equal(i * 3, tape.PopInt());
            Assert.Equal(i + 0.25f, tape.PopFloat());
            Assert.Equal(i + 0.5, tape.PopDouble());
        }
        Assert.Equal(-2, tape.PopInt());
        Assert.Equal(-1.0, tape.PopDouble());
        Assert.True(tape.IsEmpty);
    }

    [Fact]
    public void Reserving_nothing_or_a_negative_count_is_a_no_op_and_a_push_past_the_room_throws_without_writing()
    {
        var tape = new Tape();
        tape.ReserveDoubles(0);
        tape.ReserveDoubles(-7);
        Assert.Equal(0, tape.DoubleCount);
        // With no storage at all, a reserved push has no room: the array bounds check throws and the height stays.
        Assert.Throws<IndexOutOfRangeException>(() => tape.PushReservedDouble(1));
        Assert.Equal(0, tape.DoubleCount);

        tape.ReserveInts(3);
        for (int i = 0; i < 3; i++) tape.PushReservedInt(i);
        // Storage is pooled and may be larger than asked, so fill it to the end before the push that must fail.
        while (true)
        {
            try { tape.PushReservedInt(7); }
            catch (IndexOutOfRangeException) { break; }
        }
        int height = tape.IntCount;
        Assert.True(height >= 3);
        Assert.Throws<IndexOutOfRangeException>(() => tape.PushReservedInt(8));
        Assert.Equal(height, tape.IntCount);
        Assert.Equal(height > 3 ? 7 : 2, tape.PopInt());
    }

    [Fact]
    public void A_reservation_beyond_the_largest_array_throws_before_touching_the_tape()
    {
        var tape = new Tape();
        tape.PushDouble(4);
        Assert.Throws<InvalidOperationException>(() => tape.ReserveDoubles((long)Array.MaxLength + 1));
        Assert.Equal(1, tape.DoubleCount);
        Assert.Equal(4.0, tape.PopDouble());
    }

    [Fact]
    public void Span_push_and_pop_restore_order_and_mix_with_scalars()
    {
        var tape = new Tape();
        double[] big = Enumerable.Range(0, 1000).Select(i => i * 1.5).ToArray();
        float[] small = { 1f, 2f, 3f };
        tape.PushDouble(-1);
        tape.PushDoubles(big);
        tape.PushFloats(small);
        tape.PushDouble(-2);

        Assert.Equal(-2.0, tape.PopDouble());
        var f = new float[3];
        tape.PopFloats(f);
        Assert.Equal(small, f);
        var d = new double[1000];
        tape.PopDoubles(d);
        Assert.Equal(big, d);
        Assert.Equal(-1.0, tape.PopDouble());
        Assert.True(tape.IsEmpty);
    }

    [Fact]
    public void End_discards_whatever_the_frame_left_and_restores_the_outer_frame()
    {
        var tape = new Tape();
        tape.PushDouble(1);
        tape.PushInt(1);
        TapeMark outer = tape.Begin();
        tape.PushDouble(2);
        TapeMark inner = tape.Begin();
        tape.PushDouble(3);
        tape.PushBool(true);
        tape.PushFloat(4f);
        tape.End(inner);
        AssertHeights(tape, 2, 0, 1, 0);
        Assert.Equal(2.0, tape.PopDouble());
        tape.End(outer);
        AssertHeights(tape, 1, 0, 1, 0);
        Assert.Equal(1.0, tape.PopDouble());
        Assert.Equal(1, tape.PopInt());
    }

    // A recursive "adjoint" with the shape generated code has: a frame per call, a forward sweep that
    // records, a recursive call in the middle, and a reverse sweep that pops its own records.
    private static double RecursiveSweep(Tape tape, int depth, double x)
    {
        TapeMark mark = tape.Begin();
        try
        {
            int trips = depth % 4 + 1;
            for (int i = 0; i < trips; i++)
            {
                tape.PushDouble(x);
                tape.PushBool(x > 0);
                x = Math.Sin(x) + 0.5 * x;
            }
            tape.PushInt(trips);
            tape.PushFloat(depth);

            double inner = depth > 0 ? RecursiveSweep(tape, depth - 1, x) : x;

            Expect(tape.PopFloat() == depth);
            int replay = tape.PopInt();
            Expect(replay == trips);
            double acc = inner;
            for (int i = 0; i < replay; i++)
            {
                bool positive = tape.PopBool();
                double xi = tape.PopDouble();
                Expect(positive == xi > 0);
                acc += xi;
            }
            return acc;
        }
        finally
        {
            tape.End(mark);
        }
    }

    // Assert.Equal allocates a comparer; the allocation test runs this code, so check without allocating.
    private static void Expect(bool condition)
    {
        if (!condition)
            throw new Xunit.Sdk.XunitException("Tape replay mismatch.");
    }

    // The same computation without a tape, for reference.
    private static double RecursiveReference(int depth, double x)
    {
        int trips = depth % 4 + 1;
        var xs = new double[trips];
        for (int i = 0; i < trips; i++)
        {
            xs[i] = x;
            x = Math.Sin(x) + 0.5 * x;
        }
        double acc = depth > 0 ? RecursiveReference(depth - 1, x) : x;
        for (int i = trips - 1; i >= 0; i--)
            acc += xs[i]; // same summation order as the reverse sweep
        return acc;
    }

    [Fact]
    public void Nested_frames_support_recursion_above_live_outer_data()
    {
        Tape tape = Tape.Current;
        TapeMark start = tape.Begin();
        try
        {
            tape.PushDouble(123.0); // live data of an enclosing adjoint
            tape.PushInt(7);
            for (int depth = 0; depth < 40; depth += 3)
                Assert.Equal(RecursiveReference(depth, 0.3 + depth), RecursiveSweep(tape, depth, 0.3 + depth));
            Assert.Equal(7, tape.PopInt());
            Assert.Equal(123.0, tape.PopDouble());
            Assert.Equal(start, tape.Begin());
        }
        finally
        {
            tape.End(start);
        }
    }

    private static double ThrowingSweep(Tape tape, double x, bool throwMidway)
    {
        TapeMark mark = tape.Begin();
        try
        {
            for (int i = 0; i < 1000; i++)
            {
                tape.PushDouble(x);
                tape.PushInt(i);
                x = x * 0.999 + 0.001;
            }
            double acc = 0;
            for (int i = 999; i >= 0; i--)
            {
                if (throwMidway && i == 500)
                    throw new InvalidOperationException("boom");
                Assert.Equal(i, tape.PopInt());
                acc += tape.PopDouble();
            }
            return acc;
        }
        finally
        {
            tape.End(mark);
        }
    }

    [Fact]
    public void Exception_mid_sweep_leaves_the_tape_usable()
    {
        Tape tape = Tape.Current;
        int d0 = tape.DoubleCount, f0 = tape.FloatCount, i0 = tape.IntCount, b0 = tape.BoolCount;
        double expected = ThrowingSweep(tape, 2.0, throwMidway: false);

        Assert.Throws<InvalidOperationException>(() => ThrowingSweep(tape, 2.0, throwMidway: true));
        AssertHeights(tape, d0, f0, i0, b0);
        Assert.Equal(expected, ThrowingSweep(tape, 2.0, throwMidway: false));

        // An exception from an inner adjoint caught by an outer one.
        TapeMark outer = tape.Begin();
        try
        {
            tape.PushDouble(99);
            Assert.Throws<InvalidOperationException>(() => ThrowingSweep(tape, 2.0, throwMidway: true));
            Assert.Equal(expected, ThrowingSweep(tape, 2.0, throwMidway: false));
            Assert.Equal(99.0, tape.PopDouble());
        }
        finally
        {
            tape.End(outer);
        }
        AssertHeights(tape, d0, f0, i0, b0);
    }

    [Fact]
    public void Frames_left_open_are_repaired_by_the_outer_End_or_by_Reset()
    {
        var tape = new Tape();
        TapeMark outer = tape.Begin();
        tape.PushDouble(1);
        try
        {
            // Code without try/finally: the inner frame is never ended.
            tape.Begin();
            tape.PushDouble(2);
            tape.PushBool(true);
            throw new InvalidOperationException();
        }
        catch (InvalidOperationException)
        {
        }
        tape.End(outer);
        Assert.True(tape.IsEmpty);
        Assert.Equal(outer, tape.Begin()); // frame floors restored too

        tape.Reset();
        tape.Begin();
        tape.PushInt(5);
        tape.Reset();
        Assert.True(tape.IsEmpty);
        Assert.Equal(0.5 * 1000 * 999 + 1000, ThrowingSweepSum(tape));
    }

    private static double ThrowingSweepSum(Tape tape)
    {
        TapeMark mark = tape.Begin();
        try
        {
            for (int i = 0; i < 1000; i++)
                tape.PushDouble(i + 1);
            double s = 0;
            for (int i = 0; i < 1000; i++)
                s += tape.PopDouble();
            return s;
        }
        finally
        {
            tape.End(mark);
        }
    }

    [Fact]
    public void Current_is_per_thread_and_concurrent_use_agrees()
    {
        const int threads = 8, sequences = 10_000;
        var results = new double[threads];
        var tapes = new Tape[threads];
        var errors = new List<Exception>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                tapes[t] = Tape.Current;
                Assert.Same(tapes[t], Tape.Current);
                start.SignalAndWait();
                double total = 0;
                for (int s = 0; s < sequences; s++)
                    total += Sequence(Tape.Current, s);
                Assert.True(Tape.Current.IsEmpty);
                results[t] = total;
            }
            catch (Exception e)
            {
                lock (errors)
                    errors.Add(e);
            }
        })).ToArray();
        foreach (var w in workers)
            w.Start();
        foreach (var w in workers)
            w.Join();

        Assert.Empty(errors);
        Assert.Equal(threads, tapes.Distinct().Count());
        double expected = 0;
        for (int s = 0; s < sequences; s++)
            expected += SequenceReference(s);
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    // Pushes a seed-dependent mix of types, yields now and then to encourage interleaving, pops and folds.
    private static double Sequence(Tape tape, int seed)
    {
        TapeMark mark = tape.Begin();
        try
        {
            int n = seed % 17 + 1;
            for (int i = 0; i < n; i++)
            {
                tape.PushDouble(seed + i * 0.25);
                tape.PushInt(seed ^ i);
                if ((i & 1) == 0) tape.PushBool((seed + i) % 3 == 0);
                if ((i & 3) == 0) tape.PushFloat(i * 1.5f);
            }
            if (seed % 1000 == 0)
                Thread.Yield();
            double acc = 0;
            for (int i = n - 1; i >= 0; i--)
            {
                if ((i & 3) == 0) acc += tape.PopFloat();
                if ((i & 1) == 0 && tape.PopBool()) acc += 1;
                acc += tape.PopInt() * 1e-3;
                acc += tape.PopDouble();
            }
            return acc;
        }
        finally
        {
            tape.End(mark);
        }
    }

    private static double SequenceReference(int seed)
    {
        int n = seed % 17 + 1;
        double acc = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            if ((i & 3) == 0) acc += i * 1.5f;
            if ((i & 1) == 0 && (seed + i) % 3 == 0) acc += 1;
            acc += (seed ^ i) * 1e-3;
            acc += seed + i * 0.25;
        }
        return acc;
    }

    [Fact]
    public void Steady_state_allocates_zero_bytes()
    {
        Tape tape = Tape.Current;
        double sink = 0;
        for (int warm = 0; warm < 3; warm++) // grow to the largest size and let the JIT settle
            sink += Workload(tape);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            sink += Workload(Tape.Current);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sink > 0);
    }

    private static double Workload(Tape tape)
    {
        TapeMark mark = tape.Begin();
        try
        {
            for (int i = 0; i < 5000; i++)
            {
                tape.PushDouble(i);
                tape.PushFloat(i);
                tape.PushInt(i);
                tape.PushBool((i & 1) == 0);
            }
            Span<double> buffer = stackalloc double[64];
            buffer.Fill(2.0);
            tape.PushDoubles(buffer);
            double acc = RecursiveSweep(tape, 6, 0.5);
            tape.PopDoubles(buffer);
            acc += buffer[63];
            for (int i = 0; i < 5000; i++)
            {
                acc += tape.PopDouble() + tape.PopFloat() + tape.PopInt() + (tape.PopBool() ? 1 : 0);
            }
            return acc;
        }
        finally
        {
            tape.End(mark);
        }
    }

    // Model-based property: random operation sequences behave like four independent Stack<T>s.
    [Fact]
    public void Property_random_operations_match_reference_stacks()
    {
        Gen<int[]> ops = Gen.ArrayOf(Gen.Choose(0, 9));
        Property property = Prop.ForAll(ops.ToArbitrary(), program =>
        {
            var tape = new Tape();
            var d = new Stack<double>();
            var f = new Stack<float>();
            var n = new Stack<int>();
            var b = new Stack<bool>();
            var marks = new Stack<(TapeMark, int, int, int, int)>();
            int counter = 0;
            foreach (int op in program)
            {
                counter++;
                switch (op)
                {
                    case 0: tape.PushDouble(counter * 1.25); d.Push(counter * 1.25); break;
                    case 1: tape.PushFloat(counter); f.Push(counter); break;
                    case 2: tape.PushInt(-counter); n.Push(-counter); break;
                    case 3: tape.PushBool(counter % 3 == 0); b.Push(counter % 3 == 0); break;
                    // Pops only above the current frame's floor, as generated code does.
                    case 4: if (d.Count > Floor(marks, 1)) { if (tape.PopDouble() != d.Pop()) return false; } break;
                    case 5: if (f.Count > Floor(marks, 2)) { if (tape.PopFloat() != f.Pop()) return false; } break;
                    case 6: if (n.Count > Floor(marks, 3)) { if (tape.PopInt() != n.Pop()) return false; } break;
                    case 7: if (b.Count > Floor(marks, 4)) { if (tape.PopBool() != b.Pop()) return false; } break;
                    case 8: marks.Push((tape.Begin(), d.Count, f.Count, n.Count, b.Count)); break;
                    case 9:
                        if (marks.Count > 0)
                        {
                            var (mark, dc, fc, nc, bc) = marks.Pop();
                            tape.End(mark);
                            while (d.Count > dc) d.Pop();
                            while (f.Count > fc) f.Pop();
                            while (n.Count > nc) n.Pop();
                            while (b.Count > bc) b.Pop();
                        }
                        break;
                }
                if (tape.DoubleCount != d.Count || tape.FloatCount != f.Count ||
                    tape.IntCount != n.Count || tape.BoolCount != b.Count)
                    return false;
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(400), property);
    }

    private static int Floor(Stack<(TapeMark, int, int, int, int)> marks, int which)
    {
        if (marks.Count == 0)
            return 0;
        var top = marks.Peek();
        return which switch { 1 => top.Item2, 2 => top.Item3, 3 => top.Item4, _ => top.Item5 };
    }
}
