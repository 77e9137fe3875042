// The tape used by generated adjoint code for control flow (loop trip counts, branch decisions) and
// for values that the forward sweep overwrites but the reverse sweep still needs.
//
// Design
// ------
// * Five typed LIFO stacks (double, float, int, bool, and object for array references that split
//   adjoints hand from their forward to their reverse method) instead of one byte stream: a push or pop is a
//   bounds-checked array store/load plus a counter update, with no reinterpretation, and each type's
//   order is independent (generated code pops each type in the reverse order it pushed that type).
// * One Tape per thread ([ThreadStatic], created lazily on first use), so concurrent callers never
//   share a stack and no locking is needed. Generated code reads Tape.Current once per method.
// * Storage is rented from ArrayPool<T>.Shared, grows by doubling (the old array is returned to the
//   pool) and is kept across calls: once a thread has seen its largest tape, further calls
//   allocate 0 bytes. TrimExcess() gives the storage back when the tape is empty.
// * Frames: Begin() returns a TapeMark with the current stack heights; End(mark) restores the heights
//   to that mark, discarding anything an inner frame left behind. Recursion and adjoints calling
//   adjoints work because an inner call pushes above its caller's data and pops back to its own mark
//   before returning. The pattern generated code uses is
//
//       var tape = global::Tangent.Tape.Current;
//       var mark = tape.Begin();
//       try { /* forward sweep: Push..., reverse sweep: Pop... */ }
//       finally { tape.End(mark); }
//
//   which leaves the tape exactly as it was found even when the sweep throws; the next call on the
//   thread therefore starts from a consistent tape. Because End restores absolute heights, an outer
//   frame's End also repairs any inner frame that was left open (for instance by hand-written code
//   that skipped try/finally). Reset() empties the tape completely for code that cannot use a frame.
// * Push and Pop are tiny and aggressively inlined; the growth path lives in a separate method that
//   is never inlined. Popping below the current frame's mark is a bug in the caller (generated code
//   never does it) and is checked with Debug.Assert only; popping an empty stack still throws
//   IndexOutOfRangeException through the array bounds check, so the tape cannot be corrupted.
using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tangent
{
    /// <summary>
    /// Stack heights of a <see cref="Tape"/> recorded by <see cref="Tape.Begin"/>: a frame marker that
    /// <see cref="Tape.End(TapeMark)"/> restores.
    /// </summary>
    public readonly struct TapeMark : IEquatable<TapeMark>
    {
        // Heights at Begin: the floor of the frame that Begin opened.
        internal readonly int Doubles;
        internal readonly int Floats;
        internal readonly int Ints;
        internal readonly int Bools;
        internal readonly int Objects;

        // Floors of the enclosing frame, restored by End (used only for the debug checks).
        internal readonly int OuterDoubles;
        internal readonly int OuterFloats;
        internal readonly int OuterInts;
        internal readonly int OuterBools;
        internal readonly int OuterObjects;

        internal TapeMark(int doubles, int floats, int ints, int bools, int objects,
                          int outerDoubles, int outerFloats, int outerInts, int outerBools, int outerObjects)
        {
            Objects = objects;
            OuterObjects = outerObjects;
            Doubles = doubles;
            Floats = floats;
            Ints = ints;
            Bools = bools;
            OuterDoubles = outerDoubles;
            OuterFloats = outerFloats;
            OuterInts = outerInts;
            OuterBools = outerBools;
        }

        /// <inheritdoc />
        public bool Equals(TapeMark other) =>
            Doubles == other.Doubles && Floats == other.Floats && Ints == other.Ints && Bools == other.Bools &&
            Objects == other.Objects && OuterObjects == other.OuterObjects &&
            OuterDoubles == other.OuterDoubles && OuterFloats == other.OuterFloats &&
            OuterInts == other.OuterInts && OuterBools == other.OuterBools;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is TapeMark other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() =>
            HashCode.Combine(HashCode.Combine(Doubles, Floats, Ints, Bools, Objects), OuterDoubles, OuterFloats, OuterInts, OuterBools, OuterObjects);

        /// <summary>Compares two marks.</summary>
        public static bool operator ==(TapeMark left, TapeMark right) => left.Equals(right);

        /// <summary>Compares two marks.</summary>
        public static bool operator !=(TapeMark left, TapeMark right) => !left.Equals(right);

        /// <inheritdoc />
        public override string ToString() =>
            $"TapeMark(double: {Doubles}, float: {Floats}, int: {Ints}, bool: {Bools}, object: {Objects})";
    }

    /// <summary>
    /// Per-thread typed stacks that generated adjoint code uses to record loop trip counts, branch
    /// decisions and overwritten values in the forward sweep and to replay them in the reverse sweep.
    /// Storage is pooled and reused, so steady-state use allocates nothing.
    /// </summary>
    /// <remarks>
    /// Use one frame per method: <c>var mark = tape.Begin(); try { ... } finally { tape.End(mark); }</c>.
    /// A <see cref="Tape"/> is not thread-safe; use <see cref="Current"/>, which is one instance per thread.
    /// </remarks>
    public sealed class Tape
    {
        private const int InitialCapacity = 256;

        [ThreadStatic]
        private static Tape? t_current;

        private double[] _doubles = Array.Empty<double>();
        private float[] _floats = Array.Empty<float>();
        private int[] _ints = Array.Empty<int>();
        private bool[] _bools = Array.Empty<bool>();
        private object?[] _objects = Array.Empty<object?>();

        private int _doubleCount;
        private int _floatCount;
        private int _intCount;
        private int _boolCount;
        private int _objectCount;

        // Floors of the innermost open frame (heights at its Begin); only read by debug checks.
        private int _doubleFloor;
        private int _floatFloor;
        private int _intFloor;
        private int _boolFloor;
        private int _objectFloor;

        /// <summary>Creates an empty tape. Generated code uses <see cref="Current"/> instead.</summary>
        public Tape()
        {
        }

        /// <summary>The tape of the calling thread, created on first use.</summary>
        public static Tape Current
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => t_current ?? CreateCurrent();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Tape CreateCurrent() => t_current = new Tape();

        /// <summary>Number of doubles on the tape.</summary>
        public int DoubleCount => _doubleCount;

        /// <summary>Number of floats on the tape.</summary>
        public int FloatCount => _floatCount;

        /// <summary>Number of ints on the tape.</summary>
        public int IntCount => _intCount;

        /// <summary>Number of bools on the tape.</summary>
        public int BoolCount => _boolCount;

        /// <summary>Number of object references on the tape.</summary>
        public int ObjectCount => _objectCount;

        /// <summary>True when all five stacks are empty.</summary>
        public bool IsEmpty => (_doubleCount | _floatCount | _intCount | _boolCount | _objectCount) == 0;

        /// <summary>
        /// Opens a frame: returns the current stack heights, which <see cref="End(TapeMark)"/> restores.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TapeMark Begin()
        {
            var mark = new TapeMark(_doubleCount, _floatCount, _intCount, _boolCount, _objectCount,
                                    _doubleFloor, _floatFloor, _intFloor, _boolFloor, _objectFloor);
            _objectFloor = _objectCount;
            _doubleFloor = _doubleCount;
            _floatFloor = _floatCount;
            _intFloor = _intCount;
            _boolFloor = _boolCount;
            return mark;
        }

        /// <summary>
        /// Closes the frame opened by the <see cref="Begin"/> that returned <paramref name="mark"/>:
        /// discards everything pushed since (including data of inner frames that were never ended) and
        /// makes the enclosing frame current again. Call it in a <c>finally</c> block.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void End(TapeMark mark)
        {
            Debug.Assert(mark.Doubles <= _doubleCount && mark.Floats <= _floatCount &&
                         mark.Ints <= _intCount && mark.Bools <= _boolCount && mark.Objects <= _objectCount,
                         "Tape.End: the frame popped below its mark, or the mark belongs to a frame that already ended.");
            _doubleCount = mark.Doubles;
            _floatCount = mark.Floats;
            _intCount = mark.Ints;
            _boolCount = mark.Bools;
            if (_objectCount > mark.Objects)
            {
                // Drop the references an unfinished sweep left, so the GC can take them.
                Array.Clear(_objects, mark.Objects, _objectCount - mark.Objects);
                _objectCount = mark.Objects;
            }
            _objectFloor = mark.OuterObjects;
            _doubleFloor = mark.OuterDoubles;
            _floatFloor = mark.OuterFloats;
            _intFloor = mark.OuterInts;
            _boolFloor = mark.OuterBools;
        }

        /// <summary>
        /// Empties the tape and forgets all open frames, keeping the storage for reuse. For recovery in
        /// code that does not end its frames in <c>finally</c> blocks; never call it while a frame is live.
        /// </summary>
        public void Reset()
        {
            Array.Clear(_objects, 0, _objectCount);
            _doubleCount = _floatCount = _intCount = _boolCount = _objectCount = 0;
            _doubleFloor = _floatFloor = _intFloor = _boolFloor = _objectFloor = 0;
        }

        /// <summary>
        /// Returns the storage of an empty tape to <see cref="ArrayPool{T}.Shared"/> (for instance after a
        /// one-off very deep computation). Does nothing if the tape is not empty.
        /// </summary>
        public void TrimExcess()
        {
            if (!IsEmpty)
                return;
            Return(ref _doubles);
            Return(ref _floats);
            Return(ref _ints);
            Return(ref _bools);
            Return(ref _objects);
        }

        // ---- double ----

        /// <summary>Pushes a double.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushDouble(double value)
        {
            double[] items = _doubles;
            int count = _doubleCount;
            if ((uint)count < (uint)items.Length)
            {
                items[count] = value;
                _doubleCount = count + 1;
            }
            else
            {
                PushDoubleSlow(value);
            }
        }

        /// <summary>Pops the double pushed last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double PopDouble()
        {
            Debug.Assert(_doubleCount > _doubleFloor, "Tape.PopDouble below the current frame's mark.");
            int count = _doubleCount - 1;
            double value = _doubles[count];
            _doubleCount = count;
            return value;
        }

        /// <summary>Pushes all elements of <paramref name="values"/> (for instance a local array about to be overwritten).</summary>
        public void PushDoubles(ReadOnlySpan<double> values)
        {
            int count = _doubleCount;
            if (values.Length > _doubles.Length - count)
                Grow(ref _doubles, count, values.Length);
            values.CopyTo(_doubles.AsSpan(count));
            _doubleCount = count + values.Length;
        }

        /// <summary>Pops <c>destination.Length</c> doubles pushed by <see cref="PushDoubles"/>, restoring their original order.</summary>
        public void PopDoubles(Span<double> destination)
        {
            Debug.Assert(_doubleCount - destination.Length >= _doubleFloor, "Tape.PopDoubles below the current frame's mark.");
            int count = _doubleCount - destination.Length;
            _doubles.AsSpan(count, destination.Length).CopyTo(destination);
            _doubleCount = count;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void PushDoubleSlow(double value)
        {
            Grow(ref _doubles, _doubleCount, 1);
            _doubles[_doubleCount++] = value;
        }

        // ---- float ----

        /// <summary>Pushes a float.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushFloat(float value)
        {
            float[] items = _floats;
            int count = _floatCount;
            if ((uint)count < (uint)items.Length)
            {
                items[count] = value;
                _floatCount = count + 1;
            }
            else
            {
                PushFloatSlow(value);
            }
        }

        /// <summary>Pops the float pushed last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float PopFloat()
        {
            Debug.Assert(_floatCount > _floatFloor, "Tape.PopFloat below the current frame's mark.");
            int count = _floatCount - 1;
            float value = _floats[count];
            _floatCount = count;
            return value;
        }

        /// <summary>Pushes all elements of <paramref name="values"/> (for instance a local array about to be overwritten).</summary>
        public void PushFloats(ReadOnlySpan<float> values)
        {
            int count = _floatCount;
            if (values.Length > _floats.Length - count)
                Grow(ref _floats, count, values.Length);
            values.CopyTo(_floats.AsSpan(count));
            _floatCount = count + values.Length;
        }

        /// <summary>Pops <c>destination.Length</c> floats pushed by <see cref="PushFloats"/>, restoring their original order.</summary>
        public void PopFloats(Span<float> destination)
        {
            Debug.Assert(_floatCount - destination.Length >= _floatFloor, "Tape.PopFloats below the current frame's mark.");
            int count = _floatCount - destination.Length;
            _floats.AsSpan(count, destination.Length).CopyTo(destination);
            _floatCount = count;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void PushFloatSlow(float value)
        {
            Grow(ref _floats, _floatCount, 1);
            _floats[_floatCount++] = value;
        }

        // ---- int ----

        /// <summary>Pushes an int (a loop trip count, a branch index, an overwritten index).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushInt(int value)
        {
            int[] items = _ints;
            int count = _intCount;
            if ((uint)count < (uint)items.Length)
            {
                items[count] = value;
                _intCount = count + 1;
            }
            else
            {
                PushIntSlow(value);
            }
        }

        /// <summary>Pops the int pushed last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int PopInt()
        {
            Debug.Assert(_intCount > _intFloor, "Tape.PopInt below the current frame's mark.");
            int count = _intCount - 1;
            int value = _ints[count];
            _intCount = count;
            return value;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void PushIntSlow(int value)
        {
            Grow(ref _ints, _intCount, 1);
            _ints[_intCount++] = value;
        }

        // ---- bool ----

        /// <summary>Pushes a bool (a branch decision).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushBool(bool value)
        {
            bool[] items = _bools;
            int count = _boolCount;
            if ((uint)count < (uint)items.Length)
            {
                items[count] = value;
                _boolCount = count + 1;
            }
            else
            {
                PushBoolSlow(value);
            }
        }

        /// <summary>Pops the bool pushed last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool PopBool()
        {
            Debug.Assert(_boolCount > _boolFloor, "Tape.PopBool below the current frame's mark.");
            int count = _boolCount - 1;
            bool value = _bools[count];
            _boolCount = count;
            return value;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void PushBoolSlow(bool value)
        {
            Grow(ref _bools, _boolCount, 1);
            _bools[_boolCount++] = value;
        }

        // ---- object ----

        /// <summary>Pushes an object reference (a local array and its adjoint, handed from a split adjoint's forward method to its reverse method).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushObject(object? value)
        {
            object?[] items = _objects;
            int count = _objectCount;
            if ((uint)count < (uint)items.Length)
            {
                items[count] = value;
                _objectCount = count + 1;
            }
            else
            {
                PushObjectSlow(value);
            }
        }

        /// <summary>Pops the reference pushed last, as <typeparamref name="T"/>, and clears its slot.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T PopObject<T>() where T : class?
        {
            Debug.Assert(_objectCount > _objectFloor, "Tape.PopObject below the current frame's mark.");
            int count = _objectCount - 1;
            object? value = _objects[count];
            _objects[count] = null;
            _objectCount = count;
            return (T)value!;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void PushObjectSlow(object? value)
        {
            Grow(ref _objects, _objectCount, 1);
            _objects[_objectCount++] = value;
        }

        // ---- storage ----

        // Ensures room for `needed` more items above `count`: rents an array at least twice as large,
        // copies the live items and returns the old array to the pool.
        // ---- reserved pushes ----
        // A loop whose pass count is known when it starts (generated code: a counted loop with no nested loop or call
        // that records) reserves room for what it pushes, then pushes with PushReserved*, which has no growth path.
        // The loop then holds no call: a call, even one that never runs, makes the JIT keep the loop's doubles in
        // memory across it (every XMM register is caller-saved on x64 Unix), which cost the logistic map's adjoint a
        // third of its time. A push beyond the reservation fails with IndexOutOfRangeException (the array's bounds
        // check): the tape is never written out of bounds.

        /// <summary>Makes room for <paramref name="count"/> more doubles, pushed next by <see cref="PushReservedDouble"/> (nothing when <paramref name="count"/> is not positive).</summary>
        public void ReserveDoubles(long count)
        {
            if (count > _doubles.Length - _doubleCount)
                Reserve(ref _doubles, _doubleCount, count);
        }

        /// <summary>Pushes a double into room made by <see cref="ReserveDoubles"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushReservedDouble(double value)
        {
            int count = _doubleCount;
            _doubles[count] = value;
            _doubleCount = count + 1;
        }

        /// <summary>Makes room for <paramref name="count"/> more floats, pushed next by <see cref="PushReservedFloat"/> (nothing when <paramref name="count"/> is not positive).</summary>
        public void ReserveFloats(long count)
        {
            if (count > _floats.Length - _floatCount)
                Reserve(ref _floats, _floatCount, count);
        }

        /// <summary>Pushes a float into room made by <see cref="ReserveFloats"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushReservedFloat(float value)
        {
            int count = _floatCount;
            _floats[count] = value;
            _floatCount = count + 1;
        }

        /// <summary>Makes room for <paramref name="count"/> more ints, pushed next by <see cref="PushReservedInt"/> (nothing when <paramref name="count"/> is not positive).</summary>
        public void ReserveInts(long count)
        {
            if (count > _ints.Length - _intCount)
                Reserve(ref _ints, _intCount, count);
        }

        /// <summary>Pushes a int into room made by <see cref="ReserveInts"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushReservedInt(int value)
        {
            int count = _intCount;
            _ints[count] = value;
            _intCount = count + 1;
        }

        /// <summary>Makes room for <paramref name="count"/> more bools, pushed next by <see cref="PushReservedBool"/> (nothing when <paramref name="count"/> is not positive).</summary>
        public void ReserveBools(long count)
        {
            if (count > _bools.Length - _boolCount)
                Reserve(ref _bools, _boolCount, count);
        }

        /// <summary>Pushes a bool into room made by <see cref="ReserveBools"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void PushReservedBool(bool value)
        {
            int count = _boolCount;
            _bools[count] = value;
            _boolCount = count + 1;
        }

        private static void Reserve<T>(ref T[] items, int count, long needed)
        {
            if (count + needed > Array.MaxLength)
                throw new InvalidOperationException("Tangent.Tape: the tape exceeds the maximum array length.");
            Grow(ref items, count, (int)needed);
        }

        private static void Grow<T>(ref T[] items, int count, int needed)
        {
            long required = (long)count + needed;
            long size = Math.Max(Math.Max(InitialCapacity, 2L * items.Length), required);
            if (size > Array.MaxLength)
            {
                if (required > Array.MaxLength)
                    throw new InvalidOperationException("Tangent.Tape: the tape exceeds the maximum array length.");
                size = Array.MaxLength;
            }

            T[] larger = ArrayPool<T>.Shared.Rent((int)size);
            Array.Copy(items, larger, count);
            T[] old = items;
            items = larger;
            if (old.Length != 0)
                ArrayPool<T>.Shared.Return(old, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }

        private static void Return<T>(ref T[] items)
        {
            T[] old = items;
            items = Array.Empty<T>();
            if (old.Length != 0)
                ArrayPool<T>.Shared.Return(old, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}
