using System;
using System.Collections.Generic;
using System.Composition;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Tangent.Generator;
using Tangent.Generator.Diagnostics;

namespace Tangent.CodeFixes.Tests
{
    /// <summary>
    /// Which ids each fix is offered for, checked against the generator's catalogue and the help pages; and how
    /// the providers are exported and packaged.
    /// </summary>
    public class CatalogueTests
    {
        /// <summary>Ids that have a fix before the generator reports them (being added in parallel).</summary>
        private static readonly string[] Pending = { "TN3001", "TN3003" };

        private static readonly CodeFixProvider[] Providers =
        {
            new MakeTypePartialCodeFixProvider(),
            new StopGradientCodeFixProvider(),
            new NoDerivativeCodeFixProvider(),
        };

        [Fact]
        public void Each_fix_is_offered_for_exactly_its_ids()
        {
            Assert.Equal(new[] { "TN0001" }, new MakeTypePartialCodeFixProvider().FixableDiagnosticIds);
            Assert.Equal(new[] { "TN2001", "TN2005", "TN3001" }, new StopGradientCodeFixProvider().FixableDiagnosticIds);
            Assert.Equal(new[] { "TN0003", "TN3003" }, new NoDerivativeCodeFixProvider().FixableDiagnosticIds);
        }

        [Fact]
        public void No_id_has_two_fixes()
        {
            var ids = Providers.SelectMany(p => p.FixableDiagnosticIds).ToList();
            Assert.Equal(ids.Distinct().Count(), ids.Count);
        }

        [Fact]
        public void Every_fixable_id_is_in_the_catalogue_or_pending()
        {
            var catalogue = DiagnosticDescriptors.All.Select(d => d.Id).ToHashSet();
            foreach (string id in Providers.SelectMany(p => p.FixableDiagnosticIds))
                Assert.True(catalogue.Contains(id) || Pending.Contains(id), $"{id} has a fix but is not in the catalogue");
        }

        [Fact]
        public void Every_catalogued_fixable_id_and_no_other_says_Code_fix_on_its_help_page()
        {
            string docs = Path.Combine(RepoRoot(), "docs", "diagnostics");
            var fixable = Providers.SelectMany(p => p.FixableDiagnosticIds).ToHashSet();
            foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
            {
                string page = File.ReadAllText(Path.Combine(docs, descriptor.Id + ".md"));
                Assert.True(fixable.Contains(descriptor.Id) == page.Contains("**Code fix:**", StringComparison.Ordinal),
                    fixable.Contains(descriptor.Id)
                        ? $"{descriptor.Id}.md does not describe its code fix (a '**Code fix:**' line)"
                        : $"{descriptor.Id}.md describes a code fix, but no provider fixes {descriptor.Id}");
            }
        }

        [Fact]
        public void Providers_are_exported_for_CSharp_shared_and_support_Fix_All()
        {
            foreach (CodeFixProvider provider in Providers)
            {
                Type type = provider.GetType();
                ExportCodeFixProviderAttribute? export = type.GetCustomAttribute<ExportCodeFixProviderAttribute>();
                Assert.NotNull(export);
                Assert.Equal(new[] { LanguageNames.CSharp }, export!.Languages);
                Assert.Equal(type.Name, export.Name);
                Assert.NotNull(type.GetCustomAttribute<SharedAttribute>());
                Assert.Same(WellKnownFixAllProviders.BatchFixer, provider.GetFixAllProvider());
            }
        }

        [Fact]
        public void The_code_fix_assembly_is_netstandard_and_separate_from_the_generator()
        {
            Assembly codeFixes = typeof(MakeTypePartialCodeFixProvider).Assembly;
            Assembly generator = typeof(TangentGenerator).Assembly;
            Assert.Contains(codeFixes.GetReferencedAssemblies(), a => a.Name == "netstandard");
            Assert.DoesNotContain(codeFixes.GetReferencedAssemblies(), a => a.Name == generator.GetName().Name);
            // The compiler loads the generator without the Workspaces layer, so the generator must not need it.
            Assert.DoesNotContain(generator.GetReferencedAssemblies(), a => a.Name!.Contains("Workspaces", StringComparison.Ordinal));
        }

        private static string RepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Tangent.Net.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException($"Tangent.Net.sln not found above {AppContext.BaseDirectory}");
        }
    }
}
