using System;

namespace Tangent
{
    /// <summary>
    /// Marks a method for automatic differentiation. At compile time the Tangent.Net generator adds
    /// <c>MForward</c>, <c>MAdjoint</c> and (for scalar results) <c>MGradient</c> to the containing partial type.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class DifferentiableAttribute : Attribute
    {
    }

    /// <summary>
    /// Marks a parameter of a <see cref="DifferentiableAttribute"/> method as data: it gets no tangent and no adjoint.
    /// </summary>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class NoDerivativeAttribute : Attribute
    {
    }

    /// <summary>
    /// Registers the annotated method as the forward or adjoint derivative of <c>Type.MethodName</c>.
    /// The annotated method must have exactly the forward shape
    /// <c>(R Value, R Tangent) M(p1..pn, dP1..dPk)</c> or the adjoint shape
    /// <c>R M(p1..pn, ref dP1..dPk, R dResult)</c> of the target.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public sealed class DerivativeOfAttribute : Attribute
    {
        public DerivativeOfAttribute(Type type, string methodName)
        {
            Type = type;
            MethodName = methodName;
        }

        /// <summary>The type that declares the method being differentiated.</summary>
        public Type Type { get; }

        /// <summary>The name of the method being differentiated.</summary>
        public string MethodName { get; }
    }

    /// <summary>The kind of a derivative method.</summary>
    public enum DerivativeKind
    {
        /// <summary>Forward (tangent) mode: returns the value and a directional derivative.</summary>
        Forward = 0,

        /// <summary>Adjoint (reverse) mode: accumulates weighted partial derivatives into adjoint parameters.</summary>
        Adjoint = 1,

        /// <summary>Full gradient of a scalar-valued method.</summary>
        Gradient = 2,

        /// <summary>
        /// The forward half of a split adjoint: runs the method and records on the thread's tape what the
        /// reverse half needs. Generated code calls it when differentiating a call to the method.
        /// </summary>
        Record = 3,

        /// <summary>The reverse half of a split adjoint: replays what the matching <see cref="Record"/> call recorded.</summary>
        Reverse = 4,
    }

    /// <summary>
    /// Carried by every method the generator emits, so that the generator can find derivatives of
    /// <c>[Differentiable]</c> methods declared in other assemblies through metadata.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class GeneratedDerivativeAttribute : Attribute
    {
        public GeneratedDerivativeAttribute(string primalName, DerivativeKind kind)
        {
            PrimalName = primalName;
            Kind = kind;
        }

        /// <summary>The name of the primal method this method differentiates.</summary>
        public string PrimalName { get; }

        /// <summary>Which derivative this method computes.</summary>
        public DerivativeKind Kind { get; }
    }

    /// <summary>
    /// Emitted by the generator into an assembly that registers derivatives with
    /// <see cref="DerivativeOfAttribute"/>: names each type holding registrations, so that projects
    /// referencing the assembly find them without scanning every type.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
    public sealed class DerivativeRegistrationsAttribute : Attribute
    {
        public DerivativeRegistrationsAttribute(Type type) => Type = type;

        /// <summary>A type with methods marked <see cref="DerivativeOfAttribute"/>.</summary>
        public Type Type { get; }
    }
}
