namespace Tangent.CodeFixes
{
    /// <summary>Names from Tangent.Runtime that the fixes write into user code.</summary>
    internal static class TangentNames
    {
        /// <summary>The metadata name of the class that holds <c>StopGradient</c>.</summary>
        public const string Autodiff = "Tangent.Autodiff";

        /// <summary>The metadata name of the attribute that marks a parameter as data.</summary>
        public const string NoDerivativeAttribute = "Tangent.NoDerivativeAttribute";
    }
}
