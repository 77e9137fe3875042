using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Tangent.Generator.Diagnostics
{
    /// <summary>
    /// Every diagnostic Tangent.Net reports. Ids by kind: TN0xxx usage (declarations the contract does
    /// not accept), TN1xxx unsupported constructs in a body, TN2xxx missing or invalid derivatives,
    /// TN3xxx zero-derivative warnings, TN9xxx internal errors. Each message names the construct, says
    /// why, and says what to do; each links to docs/diagnostics/ID.md.
    /// </summary>
    public static class DiagnosticDescriptors
    {
        private const string Usage = "Tangent.Usage";
        private const string Unsupported = "Tangent.Unsupported";
        private const string Derivative = "Tangent.Derivative";
        private const string ZeroDerivative = "Tangent.ZeroDerivative";
        private const string Internal = "Tangent.Internal";

        private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new Dictionary<string, DiagnosticDescriptor>();

        /// <summary>TN0001: a type that contains a [Differentiable] method is not partial.</summary>
        public static readonly DiagnosticDescriptor TypeNotPartial = Error("TN0001", Usage,
            "Containing type must be partial",
            "Type '{0}' contains the [Differentiable] method '{1}' but is not partial, so its derivatives cannot be added to it; declare it 'partial'");

        /// <summary>TN0002: the return type has no derivative.</summary>
        public static readonly DiagnosticDescriptor UnsupportedReturnType = Error("TN0002", Usage,
            "Unsupported return type",
            "[Differentiable] method '{0}' returns '{1}', which cannot be differentiated; return double, float, or a double[], float[], double[,] or float[,] array");

        /// <summary>TN0003: a parameter type that looks differentiable but is not supported.</summary>
        public static readonly DiagnosticDescriptor UnsupportedParameterType = Error("TN0003", Usage,
            "Unsupported parameter type",
            "Parameter '{0}' of type '{1}' cannot be differentiated; use double[], double[,], ReadOnlySpan<double> (or the float versions), or mark the parameter [NoDerivative] if it is data");

        /// <summary>TN0004: ref, out or in parameter.</summary>
        public static readonly DiagnosticDescriptor ByRefParameter = Error("TN0004", Usage,
            "Parameter passed by reference",
            "Parameter '{0}' is declared '{1}'; a [Differentiable] method takes its inputs by value and returns its result; remove '{1}'");

        /// <summary>TN0005: generic method.</summary>
        public static readonly DiagnosticDescriptor GenericMethod = Error("TN0005", Usage,
            "Generic method",
            "Generic method '{0}' cannot be differentiated yet; write it for double or float");

        /// <summary>TN0006: the type already declares a member with a generated name.</summary>
        public static readonly DiagnosticDescriptor NameCollision = Error("TN0006", Usage,
            "Generated name already in use",
            "Tangent.Net adds '{0}' to '{1}' for the [Differentiable] method '{2}', but '{1}' already declares a member named '{0}'; rename that member or the method");

        /// <summary>TN0007: two derived names collide.</summary>
        public static readonly DiagnosticDescriptor DerivedNameCollision = Error("TN0007", Usage,
            "Derivative parameter name already in use",
            "Parameter '{0}' gets the derivative parameter '{1}', which is also {2}; rename one of the parameters");

        /// <summary>TN0008: async method.</summary>
        public static readonly DiagnosticDescriptor AsyncMethod = Error("TN0008", Usage,
            "Async method",
            "async method '{0}' cannot be differentiated; remove 'async' and compute the value synchronously");

        /// <summary>TN0009: iterator method.</summary>
        public static readonly DiagnosticDescriptor IteratorMethod = Error("TN0009", Usage,
            "Iterator method",
            "Iterator method '{0}' cannot be differentiated; return a single double or float instead of yielding values");

        /// <summary>TN0010: no active parameter (warning).</summary>
        public static readonly DiagnosticDescriptor NoActiveParameter = Warning("TN0010", Usage,
            "Nothing to differentiate",
            "[Differentiable] method '{0}' has no double or float parameter without [NoDerivative], so all its derivatives are zero");

        /// <summary>TN0011: no body.</summary>
        public static readonly DiagnosticDescriptor NoBody = Error("TN0011", Usage,
            "Method has no body",
            "[Differentiable] method '{0}' has no body to differentiate; give it a body, or register its derivative with [DerivativeOf]");

        /// <summary>TN1001: unsupported statement.</summary>
        public static readonly DiagnosticDescriptor UnsupportedStatement = Error("TN1001", Unsupported,
            "Unsupported statement",
            "{0} cannot be differentiated: {1}");

        /// <summary>TN1002: unsupported expression.</summary>
        public static readonly DiagnosticDescriptor UnsupportedExpression = Error("TN1002", Unsupported,
            "Unsupported expression",
            "{0} cannot be differentiated: {1}");

        /// <summary>TN1003: write to something other than a local.</summary>
        public static readonly DiagnosticDescriptor UnsupportedWrite = Error("TN1003", Unsupported,
            "Write outside the method's locals",
            "Writing to '{0}' is not supported in a [Differentiable] method: derivatives flow only through locals and the return value; assign to a local instead");

        /// <summary>TN1004: a write into a parameter array or span.</summary>
        public static readonly DiagnosticDescriptor WriteToInput = Error("TN1004", Unsupported,
            "Write into an input array",
            "'{0}' writes into the parameter '{1}': the inputs of a [Differentiable] method are read-only, because the adjoint needs their values unchanged; copy '{1}' into a local array (new double[n] and a loop) and write into the copy");

        /// <summary>TN1005: a local array that carries derivatives but is not created once, at the top level, with new.</summary>
        public static readonly DiagnosticDescriptor ArrayNotCreatedOnce = Error("TN1005", Unsupported,
            "Differentiated local array must be created once",
            "The local array '{0}' carries derivatives, so it must be created with 'new' exactly once, outside loops and branches, and never reassigned: {1}");

        /// <summary>TN2001: call of a method with no derivative, with an active argument.</summary>
        public static readonly DiagnosticDescriptor NoDerivative = Error("TN2001", Derivative,
            "Call has no derivative",
            "'{0}' has no derivative, and its argument '{1}' depends on a differentiated parameter; use a function with a derivative, make '{0}' [Differentiable], register its derivative with [DerivativeOf(typeof(T), nameof(T.M))] on a static method with its forward or adjoint signature, or wrap the argument in Autodiff.StopGradient if no derivative should flow through it");

        /// <summary>TN2002: a registered derivative provides one mode, and the call is differentiated in both.</summary>
        public static readonly DiagnosticDescriptor MissingDerivativeMode = Error("TN2002", Derivative,
            "Registered derivative lacks a mode",
            "'{0}' has {1} derivative registered with [DerivativeOf] but no {2} derivative, and this call is differentiated in both modes; register the {2} derivative too, or wrap the arguments in Autodiff.StopGradient");

        /// <summary>TN2003: a [DerivativeOf] method has neither the forward nor the adjoint shape of its target.</summary>
        public static readonly DiagnosticDescriptor DerivativeSignatureMismatch = Error("TN2003", Derivative,
            "Registered derivative has the wrong signature",
            "'{0}' is registered as a derivative of '{1}' but {2}; expected {3}");

        /// <summary>TN2004: a [DerivativeOf] names a method that does not exist.</summary>
        public static readonly DiagnosticDescriptor DerivativeTargetNotFound = Error("TN2004", Derivative,
            "Registered derivative names no method",
            "'{0}' is registered as a derivative of '{1}.{2}', but '{1}' has no method '{2}'; use [DerivativeOf(typeof(T), nameof(T.M))]");

        /// <summary>TN2005: a differentiated argument for a parameter that takes no derivative.</summary>
        public static readonly DiagnosticDescriptor ArgumentLosesDerivative = Error("TN2005", Derivative,
            "Argument loses its derivative",
            "The argument '{1}' depends on a differentiated parameter, but parameter '{2}' of '{0}' takes no derivative ([NoDerivative]), so its derivative would be lost; wrap the argument in Autodiff.StopGradient to drop it on purpose, or remove [NoDerivative] from '{2}'");

        /// <summary>TN1006: a local array passed to a differentiated call is written afterwards.</summary>
        public static readonly DiagnosticDescriptor ArrayWrittenAfterCall = Error("TN1006", Unsupported,
            "Array written after a differentiated call",
            "The local array '{0}' is written here after it was passed to '{1}', whose derivative needs the values it had at the call; pass a copy, or finish writing '{0}' before the call");

        /// <summary>TN2006: a differentiated call of a [Differentiable] method of this compilation that has errors, so has no derivative methods.</summary>
        public static readonly DiagnosticDescriptor CalleeHasErrors = Error("TN2006", Derivative,
            "Called method cannot be differentiated",
            "'{0}' cannot be differentiated because of the errors reported on it, and a derivative flows through this call; fix the errors of '{0}', or wrap the arguments in Autodiff.StopGradient if no derivative should flow through the call");

        /// <summary>TN3001: a value that depends on a differentiated parameter goes through an operation whose derivative is zero, and the result is used.</summary>
        public static readonly DiagnosticDescriptor ZeroDerivativeOperation = Warning("TN3001", ZeroDerivative,
            "Derivative through a zero-derivative operation",
            "{0} has a zero derivative everywhere, so no derivative flows through it from '{1}', which depends on a differentiated parameter; wrap the argument in Autodiff.StopGradient if that is intended");

        /// <summary>TN3002: the result does not depend on any differentiated parameter through an operation with a derivative.</summary>
        public static readonly DiagnosticDescriptor ResultNotDifferentiated = Warning("TN3002", ZeroDerivative,
            "Result does not depend on the differentiated parameters",
            "The result of [Differentiable] method '{0}' does not depend on {1} through any operation that has a derivative (conditions, loops and Autodiff.StopGradient carry none), so all its derivatives are zero; compute the result from {2}, or remove [Differentiable] if no derivative is needed");

        /// <summary>TN3003: a differentiated parameter the body never uses.</summary>
        public static readonly DiagnosticDescriptor UnusedParameter = Warning("TN3003", ZeroDerivative,
            "Differentiated parameter is never used",
            "Parameter '{0}' of [Differentiable] method '{1}' is never used, so its derivative is always zero; remove it, or mark it [NoDerivative] if the signature must keep it");

        /// <summary>TN9999: the generator failed.</summary>
        public static readonly DiagnosticDescriptor InternalError = Error("TN9999", Internal,
            "Internal error in Tangent.Net",
            "Tangent.Net failed while differentiating '{0}': {1}. This is a bug in Tangent.Net; please report it with the method's source");

        public static DiagnosticDescriptor ById(string id) => s_byId[id];

        public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

        private static DiagnosticDescriptor Error(string id, string category, string title, string message)
            => Register(new DiagnosticDescriptor(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id)));

        private static DiagnosticDescriptor Warning(string id, string category, string title, string message)
            => Register(new DiagnosticDescriptor(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id)));

        private static string HelpLink(string id) => "docs/diagnostics/" + id + ".md";

        private static DiagnosticDescriptor Register(DiagnosticDescriptor descriptor)
        {
            s_byId[descriptor.Id] = descriptor;
            return descriptor;
        }
    }
}
