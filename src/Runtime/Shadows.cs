// Array helpers that generated adjoint and forward-mode code calls for array values: shadow
// (adjoint) arrays of local arrays, accumulation of array adjoints, zero tangents, and the check
// that an adjoint argument is not the very array it is the adjoint of.
//
// Design
// ------
// * Shadows of local arrays come from a per-thread pool: one [ThreadStatic] fixed-capacity stack of
//   free arrays per element type and rank (double[], float[], double[,], float[,]), at most
//   PoolCapacity entries each. Rent scans the free arrays from the most recently returned one down
//   for an exact shape match, removes it from the stack and clears it; when none matches it
//   allocates. Return pushes the array unless the stack is full (then the array is dropped for the
//   GC) or the array is already on the stack (so a double Return can never make Rent hand out the
//   same array twice). Once a thread has seen its working set of shapes, Rent/Return allocate 0 bytes.
// * Arrays are cleared on Rent rather than on Return, so a caller that keeps writing to an array after
//   returning it cannot leak non-zero values into the next shadow.
// * [ThreadStatic] fields have no per-thread initializer: every thread starts with null stacks, which
//   are created on the first Return of that thread. Pools are per thread, so no locking is needed and
//   an array returned on one thread is only ever rented again on that thread.
// * Accumulate adds with TensorPrimitives.Add (SIMD with a scalar tail); 2-D arrays are viewed as
//   flat spans over their row-major storage once both dimensions are checked to agree.
using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tangent
{
    /// <summary>
    /// Helpers that generated adjoint and forward-mode code calls for arrays: pooled shadow arrays for
    /// the adjoints of local arrays, element-wise accumulation of adjoints, zero tangents, and the
    /// aliasing check for adjoint parameters.
    /// </summary>
    /// <remarks>
    /// The pool is per thread and keeps at most <c>32</c> free arrays per element type and rank; steady-state
    /// <see cref="Rent(double[])"/>/<see cref="Return(double[])"/> pairs allocate nothing.
    /// </remarks>
    public static class Shadows
    {
        /// <summary>Maximum number of free arrays kept per element type, rank and thread.</summary>
        private const int PoolCapacity = 32;

        // ------------------------------------------------------------------ Rent

        /// <summary>
        /// A zeroed array with the same <see cref="Array.Length"/> as <paramref name="like"/>, taken from
        /// this thread's pool when one of that length is free, otherwise newly allocated.
        /// Give it back with <see cref="Return(double[])"/> when done.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A zeroed array that no other caller holds until it is returned.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static double[] Rent(double[] like) => Pool1<double>.Rent(like);

        /// <summary>
        /// A zeroed array as long as the span <paramref name="like"/>, from the calling thread's pool: the zero
        /// tangent or the scratch adjoint for a span argument that carries no derivative.
        /// </summary>
        public static double[] Rent(ReadOnlySpan<double> like) => Pool1<double>.RentLength(like.Length);

        /// <summary>A zeroed array as long as the span <paramref name="like"/>, from the calling thread's pool.</summary>
        public static float[] Rent(ReadOnlySpan<float> like) => Pool1<float>.RentLength(like.Length);

        /// <summary>
        /// A zeroed array with the same <see cref="Array.Length"/> as <paramref name="like"/>, taken from
        /// this thread's pool when one of that length is free, otherwise newly allocated.
        /// Give it back with <see cref="Return(float[])"/> when done.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A zeroed array that no other caller holds until it is returned.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static float[] Rent(float[] like) => Pool1<float>.Rent(like);

        /// <summary>
        /// A zeroed array with the same dimensions (<c>GetLength(0)</c>, <c>GetLength(1)</c>) as
        /// <paramref name="like"/>, taken from this thread's pool when one of that shape is free, otherwise
        /// newly allocated. Give it back with <see cref="Return(double[,])"/> when done.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A zeroed, zero-based array that no other caller holds until it is returned.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static double[,] Rent(double[,] like) => Pool2<double>.Rent(like);

        /// <summary>
        /// A zeroed array with the same dimensions (<c>GetLength(0)</c>, <c>GetLength(1)</c>) as
        /// <paramref name="like"/>, taken from this thread's pool when one of that shape is free, otherwise
        /// newly allocated. Give it back with <see cref="Return(float[,])"/> when done.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A zeroed, zero-based array that no other caller holds until it is returned.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static float[,] Rent(float[,] like) => Pool2<float>.Rent(like);

        // ------------------------------------------------------------------ Return

        /// <summary>
        /// Gives an array back to this thread's pool so a later <see cref="Rent(double[])"/> of the same
        /// length can reuse it. Null is ignored; so is an array that is already in the pool. When the pool
        /// already holds 32 free arrays of this type the array is dropped. The caller must not use the
        /// array afterwards.
        /// </summary>
        /// <param name="shadow">The array to give back, or null.</param>
        public static void Return(double[]? shadow) => Pool1<double>.Return(shadow);

        /// <summary>
        /// Gives an array back to this thread's pool so a later <see cref="Rent(float[])"/> of the same
        /// length can reuse it. Null is ignored; so is an array that is already in the pool. When the pool
        /// already holds 32 free arrays of this type the array is dropped. The caller must not use the
        /// array afterwards.
        /// </summary>
        /// <param name="shadow">The array to give back, or null.</param>
        public static void Return(float[]? shadow) => Pool1<float>.Return(shadow);

        /// <summary>
        /// Gives an array back to this thread's pool so a later <see cref="Rent(double[,])"/> of the same
        /// shape can reuse it. Null is ignored; so are an array that is already in the pool and an array
        /// with non-zero lower bounds. When the pool already holds 32 free arrays of this type the array is
        /// dropped. The caller must not use the array afterwards.
        /// </summary>
        /// <param name="shadow">The array to give back, or null.</param>
        public static void Return(double[,]? shadow) => Pool2<double>.Return(shadow);

        /// <summary>
        /// Gives an array back to this thread's pool so a later <see cref="Rent(float[,])"/> of the same
        /// shape can reuse it. Null is ignored; so are an array that is already in the pool and an array
        /// with non-zero lower bounds. When the pool already holds 32 free arrays of this type the array is
        /// dropped. The caller must not use the array afterwards.
        /// </summary>
        /// <param name="shadow">The array to give back, or null.</param>
        public static void Return(float[,]? shadow) => Pool2<float>.Return(shadow);

        // ------------------------------------------------------------------ Accumulate

        /// <summary>Adds <paramref name="from"/> into <paramref name="into"/> element-wise: <c>into[k] += from[k]</c>.</summary>
        /// <param name="into">The array that is updated.</param>
        /// <param name="from">The array that is added; it may be <paramref name="into"/> itself.</param>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="ArgumentException">The lengths differ.</exception>
        public static void Accumulate(double[] into, double[] from)
        {
            ArgumentNullException.ThrowIfNull(into);
            ArgumentNullException.ThrowIfNull(from);
            if (into.Length != from.Length)
                ThrowLengthMismatch(into.Length, from.Length);
            TensorPrimitives.Add(into, from, into);
        }

        /// <summary>Adds <paramref name="from"/> into <paramref name="into"/> element-wise: <c>into[k] += from[k]</c>.</summary>
        /// <param name="into">The array that is updated.</param>
        /// <param name="from">The array that is added; it may be <paramref name="into"/> itself.</param>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="ArgumentException">The lengths differ.</exception>
        public static void Accumulate(float[] into, float[] from)
        {
            ArgumentNullException.ThrowIfNull(into);
            ArgumentNullException.ThrowIfNull(from);
            if (into.Length != from.Length)
                ThrowLengthMismatch(into.Length, from.Length);
            TensorPrimitives.Add(into, from, into);
        }

        /// <summary>Adds <paramref name="from"/> into <paramref name="into"/> element-wise: <c>into[i, j] += from[i, j]</c>.</summary>
        /// <param name="into">The array that is updated.</param>
        /// <param name="from">The array that is added; it may be <paramref name="into"/> itself.</param>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="ArgumentException">The dimensions differ.</exception>
        public static void Accumulate(double[,] into, double[,] from)
        {
            ArgumentNullException.ThrowIfNull(into);
            ArgumentNullException.ThrowIfNull(from);
            CheckSameShape(into, from);
            Span<double> target = Flat(into);
            TensorPrimitives.Add(target, Flat(from), target);
        }

        /// <summary>Adds <paramref name="from"/> into <paramref name="into"/> element-wise: <c>into[i, j] += from[i, j]</c>.</summary>
        /// <param name="into">The array that is updated.</param>
        /// <param name="from">The array that is added; it may be <paramref name="into"/> itself.</param>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="ArgumentException">The dimensions differ.</exception>
        public static void Accumulate(float[,] into, float[,] from)
        {
            ArgumentNullException.ThrowIfNull(into);
            ArgumentNullException.ThrowIfNull(from);
            CheckSameShape(into, from);
            Span<float> target = Flat(into);
            TensorPrimitives.Add(target, Flat(from), target);
        }

        // ------------------------------------------------------------------ ZerosLike

        /// <summary>
        /// A new zero array with the length of <paramref name="like"/>: the forward-mode tangent of an
        /// array result that does not depend on the differentiated inputs. Not pooled.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A newly allocated zero array.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static double[] ZerosLike(double[] like)
        {
            ArgumentNullException.ThrowIfNull(like);
            return new double[like.Length];
        }

        /// <summary>
        /// A new zero array with the length of <paramref name="like"/>: the forward-mode tangent of an
        /// array result that does not depend on the differentiated inputs. Not pooled.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A newly allocated zero array.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static float[] ZerosLike(float[] like)
        {
            ArgumentNullException.ThrowIfNull(like);
            return new float[like.Length];
        }

        /// <summary>
        /// A new zero array with the dimensions of <paramref name="like"/>: the forward-mode tangent of an
        /// array result that does not depend on the differentiated inputs. Not pooled.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A newly allocated, zero-based zero array.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static double[,] ZerosLike(double[,] like)
        {
            ArgumentNullException.ThrowIfNull(like);
            return new double[like.GetLength(0), like.GetLength(1)];
        }

        /// <summary>
        /// A new zero array with the dimensions of <paramref name="like"/>: the forward-mode tangent of an
        /// array result that does not depend on the differentiated inputs. Not pooled.
        /// </summary>
        /// <param name="like">The array whose shape the result has (its contents are not read).</param>
        /// <returns>A newly allocated, zero-based zero array.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="like"/> is null.</exception>
        public static float[,] ZerosLike(float[,] like)
        {
            ArgumentNullException.ThrowIfNull(like);
            return new float[like.GetLength(0), like.GetLength(1)];
        }

        // ------------------------------------------------------------------ Copy

        /// <summary>
        /// A new array with the elements of <paramref name="tangent"/>: the forward-mode tangent of a
        /// method that returns one of its array parameters (the result must not be the caller's array).
        /// </summary>
        public static double[] Copy(double[] tangent) => (double[])tangent.Clone();

        /// <inheritdoc cref="Copy(double[])"/>
        public static float[] Copy(float[] tangent) => (float[])tangent.Clone();

        /// <inheritdoc cref="Copy(double[])"/>
        public static double[,] Copy(double[,] tangent) => (double[,])tangent.Clone();

        /// <inheritdoc cref="Copy(double[])"/>
        public static float[,] Copy(float[,] tangent) => (float[,])tangent.Clone();

        // ------------------------------------------------------------------ CheckNotAliased

        /// <summary>
        /// Throws when <paramref name="shadow"/> is the same array as <paramref name="primal"/>: an adjoint
        /// that aliases its input would be corrupted by (and corrupt) the input during the sweeps.
        /// Generated adjoints call this once per array parameter. Null arrays are not checked.
        /// </summary>
        /// <param name="primal">The input array.</param>
        /// <param name="shadow">The adjoint array passed for <paramref name="primal"/>.</param>
        /// <param name="shadowName">The name of the adjoint parameter, used in the message.</param>
        /// <exception cref="ArgumentException">Both arguments are the same array.</exception>
        public static void CheckNotAliased(double[] primal, double[] shadow, string shadowName)
        {
            if (shadow is not null && ReferenceEquals(primal, shadow))
                ThrowAliased(shadowName);
        }

        /// <summary>
        /// Throws when <paramref name="shadow"/> is the same array as <paramref name="primal"/>: an adjoint
        /// that aliases its input would be corrupted by (and corrupt) the input during the sweeps.
        /// Generated adjoints call this once per array parameter. Null arrays are not checked.
        /// </summary>
        /// <param name="primal">The input array.</param>
        /// <param name="shadow">The adjoint array passed for <paramref name="primal"/>.</param>
        /// <param name="shadowName">The name of the adjoint parameter, used in the message.</param>
        /// <exception cref="ArgumentException">Both arguments are the same array.</exception>
        public static void CheckNotAliased(float[] primal, float[] shadow, string shadowName)
        {
            if (shadow is not null && ReferenceEquals(primal, shadow))
                ThrowAliased(shadowName);
        }

        /// <summary>
        /// Throws when <paramref name="shadow"/> is the same array as <paramref name="primal"/>: an adjoint
        /// that aliases its input would be corrupted by (and corrupt) the input during the sweeps.
        /// Generated adjoints call this once per array parameter. Null arrays are not checked.
        /// </summary>
        /// <param name="primal">The input array.</param>
        /// <param name="shadow">The adjoint array passed for <paramref name="primal"/>.</param>
        /// <param name="shadowName">The name of the adjoint parameter, used in the message.</param>
        /// <exception cref="ArgumentException">Both arguments are the same array.</exception>
        public static void CheckNotAliased(double[,] primal, double[,] shadow, string shadowName)
        {
            if (shadow is not null && ReferenceEquals(primal, shadow))
                ThrowAliased(shadowName);
        }

        /// <summary>
        /// Throws when <paramref name="shadow"/> is the same array as <paramref name="primal"/>: an adjoint
        /// that aliases its input would be corrupted by (and corrupt) the input during the sweeps.
        /// Generated adjoints call this once per array parameter. Null arrays are not checked.
        /// </summary>
        /// <param name="primal">The input array.</param>
        /// <param name="shadow">The adjoint array passed for <paramref name="primal"/>.</param>
        /// <param name="shadowName">The name of the adjoint parameter, used in the message.</param>
        /// <exception cref="ArgumentException">Both arguments are the same array.</exception>
        public static void CheckNotAliased(float[,] primal, float[,] shadow, string shadowName)
        {
            if (shadow is not null && ReferenceEquals(primal, shadow))
                ThrowAliased(shadowName);
        }

        /// <summary>
        /// Throws when the memory of <paramref name="shadow"/> overlaps that of <paramref name="primal"/>
        /// (same span, or any shared element). Empty spans never overlap.
        /// Generated adjoints call this once per span parameter.
        /// </summary>
        /// <param name="primal">The input span.</param>
        /// <param name="shadow">The adjoint span passed for <paramref name="primal"/>.</param>
        /// <param name="shadowName">The name of the adjoint parameter, used in the message.</param>
        /// <exception cref="ArgumentException">The spans overlap.</exception>
        public static void CheckNotAliased(ReadOnlySpan<double> primal, ReadOnlySpan<double> shadow, string shadowName)
        {
            if (primal.Overlaps(shadow))
                ThrowAliased(shadowName);
        }

        /// <summary>
        /// Throws when the memory of <paramref name="shadow"/> overlaps that of <paramref name="primal"/>
        /// (same span, or any shared element). Empty spans never overlap.
        /// Generated adjoints call this once per span parameter.
        /// </summary>
        /// <param name="primal">The input span.</param>
        /// <param name="shadow">The adjoint span passed for <paramref name="primal"/>.</param>
        /// <param name="shadowName">The name of the adjoint parameter, used in the message.</param>
        /// <exception cref="ArgumentException">The spans overlap.</exception>
        public static void CheckNotAliased(ReadOnlySpan<float> primal, ReadOnlySpan<float> shadow, string shadowName)
        {
            if (primal.Overlaps(shadow))
                ThrowAliased(shadowName);
        }

        // ------------------------------------------------------------------ helpers

        // The row-major storage of a 2-D array as one span of Length elements.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Span<T> Flat<T>(T[,] array) where T : unmanaged =>
            MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

        private static void CheckSameShape<T>(T[,] into, T[,] from)
        {
            int rows = into.GetLength(0), cols = into.GetLength(1);
            int fromRows = from.GetLength(0), fromCols = from.GetLength(1);
            if (rows != fromRows || cols != fromCols)
                ThrowShapeMismatch(rows, cols, fromRows, fromCols);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowLengthMismatch(int intoLength, int fromLength) =>
            throw new ArgumentException(
                $"Cannot accumulate arrays of different lengths: 'into' has length {intoLength}, 'from' has length {fromLength}.");

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowShapeMismatch(int rows, int cols, int fromRows, int fromCols) =>
            throw new ArgumentException(
                $"Cannot accumulate arrays of different dimensions: 'into' is [{rows}, {cols}], 'from' is [{fromRows}, {fromCols}].");

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowAliased(string shadowName) =>
            throw new ArgumentException(
                $"The adjoint '{shadowName}' must not be the same array as the input it belongs to; pass a separate array.");

        // Free 1-D arrays of one element type on the calling thread: a fixed-capacity stack.
        // Each closed generic type has its own [ThreadStatic] fields.
        private static class Pool1<T> where T : unmanaged
        {
            [ThreadStatic]
            private static T[]?[]? t_free;

            [ThreadStatic]
            private static int t_count;

            public static T[] Rent(T[] like)
            {
                ArgumentNullException.ThrowIfNull(like);
                return RentLength(like.Length);
            }

            public static T[] RentLength(int length)
            {
                T[]?[]? free = t_free;
                if (free is not null)
                {
                    int count = t_count;
                    for (int i = count - 1; i >= 0; i--) // most recently returned first
                    {
                        T[] candidate = free[i]!;
                        if (candidate.Length == length)
                        {
                            int last = count - 1;
                            free[i] = free[last];
                            free[last] = null;
                            t_count = last;
                            candidate.AsSpan().Clear();
                            return candidate;
                        }
                    }
                }
                return new T[length];
            }

            public static void Return(T[]? shadow)
            {
                if (shadow is null)
                    return;
                T[]?[] free = t_free ??= new T[]?[PoolCapacity];
                int count = t_count;
                if (count == free.Length)
                    return; // full: let the GC have it
                for (int i = 0; i < count; i++)
                {
                    if (ReferenceEquals(free[i], shadow))
                        return; // already free: pooling it twice would let Rent hand it out twice
                }
                free[count] = shadow;
                t_count = count + 1;
            }
        }

        // Free zero-based 2-D arrays of one element type on the calling thread: a fixed-capacity stack.
        private static class Pool2<T> where T : unmanaged
        {
            [ThreadStatic]
            private static T[,]?[]? t_free;

            [ThreadStatic]
            private static int t_count;

            public static T[,] Rent(T[,] like)
            {
                ArgumentNullException.ThrowIfNull(like);
                int rows = like.GetLength(0), cols = like.GetLength(1);
                T[,]?[]? free = t_free;
                if (free is not null)
                {
                    int count = t_count;
                    for (int i = count - 1; i >= 0; i--) // most recently returned first
                    {
                        T[,] candidate = free[i]!;
                        if (candidate.GetLength(0) == rows && candidate.GetLength(1) == cols)
                        {
                            int last = count - 1;
                            free[i] = free[last];
                            free[last] = null;
                            t_count = last;
                            Flat(candidate).Clear();
                            return candidate;
                        }
                    }
                }
                return new T[rows, cols];
            }

            public static void Return(T[,]? shadow)
            {
                if (shadow is null || shadow.GetLowerBound(0) != 0 || shadow.GetLowerBound(1) != 0)
                    return;
                T[,]?[] free = t_free ??= new T[,]?[PoolCapacity];
                int count = t_count;
                if (count == free.Length)
                    return; // full: let the GC have it
                for (int i = 0; i < count; i++)
                {
                    if (ReferenceEquals(free[i], shadow))
                        return; // already free: pooling it twice would let Rent hand it out twice
                }
                free[count] = shadow;
                t_count = count + 1;
            }
        }
    }
}
