using System.Collections.Generic;

namespace Tangent.Generator.Helpers
{
    /// <summary>Identity comparison for IR statements, which are records (equal by value): two equal statements at different places are different statements.</summary>
    internal sealed class ReferenceComparer<T> : IEqualityComparer<T> where T : class
    {
        public static readonly ReferenceComparer<T> Instance = new ReferenceComparer<T>();

        public bool Equals(T? x, T? y) => ReferenceEquals(x, y);

        public int GetHashCode(T obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
