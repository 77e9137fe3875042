namespace Tangent.Generator
{
    /// <summary>Names of the tracked incremental steps, used by the incremental tests.</summary>
    public static class TrackingNames
    {
        /// <summary>Discovery, parsing and lowering of each [Differentiable] method into its model.</summary>
        public const string Methods = nameof(Methods);

        /// <summary>The position-free part of a model that code is generated from.</summary>
        public const string Code = nameof(Code);

        /// <summary>The diagnostics of a model (they carry source positions, kept apart from code).</summary>
        public const string Diagnostics = nameof(Diagnostics);

        /// <summary>Discovery and checking of each [DerivativeOf] registration.</summary>
        public const string Registrations = nameof(Registrations);

        /// <summary>
        /// Diagnostics paired with the compilation, to be reported against its syntax trees. This step and the
        /// output that reports from it run again on every edit (cheaply: no lowering); nothing else does.
        /// </summary>
        public const string DiagnosticsReport = nameof(DiagnosticsReport);

        /// <summary>The steps every run has (registrations appear only when a project has some).</summary>
        public static readonly string[] All = { Methods, Code, Diagnostics };
    }
}
