using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Tangent.Generator.Diagnostics;
using Tangent.Generator.Helpers;
using Tangent.Generator.Lowering;

namespace Tangent.Generator.Parsing
{
    /// <summary>
    /// What discovery produces for one method marked <c>[DerivativeOf]</c>: its signature errors, and the
    /// type that holds it (listed in an assembly attribute so referencing projects find it).
    /// </summary>
    public sealed record RegistrationModel(EquatableArray<DiagnosticInfo> Diagnostics, string? IndexedType);

    /// <summary>Checks a <c>[DerivativeOf]</c> registration against the contract's forward and adjoint shapes.</summary>
    internal static class RegistrationParser
    {
        public static RegistrationModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
        {
            var method = (IMethodSymbol)context.TargetSymbol;
            var syntax = (MethodDeclarationSyntax)context.TargetNode;
            var diagnostics = new System.Collections.Generic.List<DiagnosticInfo>();
            try
            {
                foreach (var attribute in context.Attributes)
                {
                    if (attribute.ConstructorArguments.Length != 2) continue;
                    if (!(attribute.ConstructorArguments[0].Value is INamedTypeSymbol type) || !(attribute.ConstructorArguments[1].Value is string name)) continue;
                    var where = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(ct));
                    var targets = type.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
                    if (targets.Count == 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DerivativeTargetNotFound, where, method.Name, type.Name, name));
                        continue;
                    }
                    string? mismatch = null;
                    foreach (var target in targets)
                    {
                        if (Shapes.Match(target, method, out var why) != DerivativeShape.None) { mismatch = null; break; }
                        mismatch ??= targets.Count == 1 ? why : "for " + target.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ", " + why;
                    }
                    if (mismatch != null)
                    {
                        string expected = string.Join(" or, for another overload, ", targets.Select(t => Shapes.Describe(t, method.Name)));
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DerivativeSignatureMismatch, LocationInfo.From(syntax.Identifier), where,
                            method.Name, type.Name + "." + name, mismatch, expected));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(syntax.Identifier), method.Name, ex.GetType().Name + ": " + ex.Message));
            }
            return new RegistrationModel(diagnostics.ToEquatableArray(), Indexable(method.ContainingType) ? method.ContainingType.ToDisplayString(TypeNames.Qualified) : null);
        }

        /// <summary>Types an assembly-level <c>typeof</c> can name: not generic, nothing private or protected on the way.</summary>
        private static bool Indexable(INamedTypeSymbol type)
        {
            for (var t = type; t != null; t = t.ContainingType)
            {
                if (t.IsGenericType) return false;
                if (t.DeclaredAccessibility != Accessibility.Public && t.DeclaredAccessibility != Accessibility.Internal) return false;
            }
            return true;
        }
    }
}
