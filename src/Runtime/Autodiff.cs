namespace Tangent
{
    /// <summary>Functions that generated derivative code treats specially.</summary>
    public static class Autodiff
    {
        /// <summary>Returns <paramref name="x"/>; its derivative is zero (like PyTorch's <c>detach</c>).</summary>
        public static double StopGradient(double x) => x;

        /// <summary>Returns <paramref name="x"/>; its derivative is zero (like PyTorch's <c>detach</c>).</summary>
        public static float StopGradient(float x) => x;

        /// <summary>Returns <paramref name="x"/>; its derivative is zero.</summary>
        public static double[] StopGradient(double[] x) => x;

        /// <summary>Returns <paramref name="x"/>; its derivative is zero.</summary>
        public static float[] StopGradient(float[] x) => x;

        /// <summary>Returns <paramref name="x"/>; its derivative is zero.</summary>
        public static double[,] StopGradient(double[,] x) => x;

        /// <summary>Returns <paramref name="x"/>; its derivative is zero.</summary>
        public static float[,] StopGradient(float[,] x) => x;
    }
}
