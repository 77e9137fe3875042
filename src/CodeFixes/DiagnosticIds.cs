namespace Tangent.CodeFixes
{
    /// <summary>
    /// The ids of the generator's diagnostics that have a code fix. The catalogue is
    /// <c>src/Generator/Diagnostics/DiagnosticDescriptors.cs</c>; this assembly does not reference the
    /// generator, so the ids are repeated here, and the tests check them against the catalogue.
    /// </summary>
    internal static class DiagnosticIds
    {
        /// <summary>TN0001: a type that contains a [Differentiable] method is not partial; on the type's identifier.</summary>
        public const string TypeNotPartial = "TN0001";

        /// <summary>TN0003: a parameter type that holds doubles but has no derivative; on the parameter.</summary>
        public const string UnsupportedParameterType = "TN0003";

        /// <summary>TN2001: an active argument of a call with no derivative; on the argument (or the receiver).</summary>
        public const string NoDerivative = "TN2001";

        /// <summary>TN2005: an active argument for a [NoDerivative] parameter; on the argument.</summary>
        public const string ArgumentLosesDerivative = "TN2005";

        /// <summary>
        /// TN3001: an active value passes through a zero-derivative operation (Math.Floor, Math.Round, an
        /// int cast, Math.Sign, a comparison used as a value); on the operation's argument or operand.
        /// </summary>
        public const string ZeroDerivative = "TN3001";

        /// <summary>TN3003: a parameter of a [Differentiable] method is never used; on the parameter.</summary>
        public const string UnusedParameter = "TN3003";
    }
}
