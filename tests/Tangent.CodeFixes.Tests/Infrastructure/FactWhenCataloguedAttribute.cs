using System.Linq;
using Tangent.Generator.Diagnostics;

namespace Tangent.CodeFixes.Tests.Infrastructure
{
    /// <summary>
    /// A test of a fix for a diagnostic id that is fixable before the generator reports it (an id being added
    /// in parallel): skipped, saying why, until the id is in <see cref="DiagnosticDescriptors"/>.
    /// </summary>
    public sealed class FactWhenCataloguedAttribute : FactAttribute
    {
        public FactWhenCataloguedAttribute(string id)
        {
            if (!DiagnosticDescriptors.All.Any(d => d.Id == id))
                Skip = $"{id} is not in the generator's catalogue yet";
        }
    }
}
