using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Tangent.Generator.Helpers;

namespace Tangent.Generator.Diagnostics
{
    /// <summary>A source location as values (a <see cref="Location"/> holds a syntax tree, which must not be cached).</summary>
    public sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        /// <summary>
        /// The location in the compilation's syntax tree of this file, so that <c>#pragma warning disable</c>
        /// and code fixes apply to it; a file-path location when the tree is not found.
        /// </summary>
        public Location ToLocation(Compilation? compilation)
        {
            if (compilation != null)
            {
                foreach (var tree in compilation.SyntaxTrees)
                {
                    if (tree.FilePath == FilePath && Span.End <= tree.Length) return Location.Create(tree, Span);
                }
            }
            return ToLocation();
        }

        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null) return null;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }

        public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

        public static LocationInfo? From(SyntaxToken token) => From(token.GetLocation());
    }

    /// <summary>A diagnostic as values: descriptor id, primary and additional locations, message arguments.</summary>
    public sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<LocationInfo> AdditionalLocations, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
            => new DiagnosticInfo(descriptor.Id, location, EquatableArray<LocationInfo>.Empty, arguments.ToEquatableArray());

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, LocationInfo? additional, params string[] arguments)
            => new DiagnosticInfo(
                descriptor.Id,
                location,
                additional is null ? EquatableArray<LocationInfo>.Empty : new[] { additional }.ToEquatableArray(),
                arguments.ToEquatableArray());

        public Diagnostic ToDiagnostic(Compilation? compilation = null)
        {
            var descriptor = DiagnosticDescriptors.ById(Id);
            var additional = new Location[AdditionalLocations.Count];
            for (int i = 0; i < additional.Length; i++) additional[i] = AdditionalLocations[i].ToLocation(compilation);
            object[] args = new object[Arguments.Count];
            for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
            return Diagnostic.Create(descriptor, Location?.ToLocation(compilation) ?? Microsoft.CodeAnalysis.Location.None, additional, args);
        }
    }
}
