using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex;
using DiffPlex.Model;

namespace Tangent.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Approved-file snapshots: <c>Snapshots/{name}.verified.cs</c> in the test project's source directory.
    /// On a mismatch <c>{name}.received.cs</c> is written beside it and the test fails with a line diff.
    /// Set <c>TANGENT_ACCEPT=1</c> to (re)write the verified files instead.
    /// </summary>
    public static class Snapshot
    {
        public const string AcceptVariable = "TANGENT_ACCEPT";

        /// <summary>True when <c>TANGENT_ACCEPT=1</c> (or <c>true</c>).</summary>
        public static bool AcceptMode =>
            Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true" or "True" or "TRUE";

        /// <summary>The directory holding the snapshots (<c>tests/Tangent.Generator.Tests/Snapshots</c>).</summary>
        public static string Directory => Path.Combine(ProjectDirectory(), "Snapshots");

        /// <summary>
        /// Compares <paramref name="actual"/> to <c>Snapshots/{name}.verified.cs</c>. <paramref name="name"/> may contain
        /// <c>/</c> for subfolders. Line endings are normalized to <c>\n</c>.
        /// </summary>
        public static void Verify(string actual, string name)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(name))
                throw GeneratorHarness.Fail($"Invalid snapshot name '{name}'.");
            string basePath = Path.Combine(Directory, name.Replace('/', Path.DirectorySeparatorChar));
            string verifiedPath = basePath + ".verified.cs";
            string receivedPath = basePath + ".received.cs";
            string normalizedActual = Normalize(actual);

            if (AcceptMode)
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
                if (!File.Exists(verifiedPath) || Normalize(File.ReadAllText(verifiedPath)) != normalizedActual)
                    File.WriteAllText(verifiedPath, normalizedActual, new UTF8Encoding(false));
                File.Delete(receivedPath);
                return;
            }

            if (!File.Exists(verifiedPath))
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
                File.WriteAllText(receivedPath, normalizedActual, new UTF8Encoding(false));
                throw GeneratorHarness.Fail(
                    $"No approved snapshot '{name}' at {verifiedPath}.\n" +
                    $"Received output written to {receivedPath}.\n" +
                    $"Review it, then accept with: {AcceptVariable}=1 dotnet test tests/Tangent.Generator.Tests " +
                    $"(or rename the .received.cs file to .verified.cs).\n\n--- received ---\n{normalizedActual}");
            }

            string expected = Normalize(File.ReadAllText(verifiedPath));
            if (expected == normalizedActual)
            {
                File.Delete(receivedPath);
                return;
            }

            File.WriteAllText(receivedPath, normalizedActual, new UTF8Encoding(false));
            throw GeneratorHarness.Fail(
                $"Snapshot '{name}' does not match {verifiedPath}.\n" +
                $"Received output written to {receivedPath}; accept with {AcceptVariable}=1 dotnet test tests/Tangent.Generator.Tests\n\n" +
                Diff(expected, normalizedActual));
        }

        /// <summary><c>\r\n</c>/<c>\r</c> → <c>\n</c>, exactly one trailing newline.</summary>
        public static string Normalize(string text) =>
            text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimEnd('\n') + "\n";

        /// <summary>
        /// A unified-style line diff: <c>--- verified</c>/<c>+++ received</c> headers, <c>@@ -a,b +c,d @@</c> hunks with
        /// <paramref name="context"/> unchanged lines around each change, removed lines prefixed <c>-</c>, added <c>+</c>,
        /// context lines with a space. Returns an empty string when the texts are equal (after normalization).
        /// </summary>
        public static string Diff(string expected, string actual, int context = 3)
        {
            string[] a = SplitLines(Normalize(expected));
            string[] b = SplitLines(Normalize(actual));
            DiffResult result = new Differ().CreateLineDiffs(string.Join("\n", a), string.Join("\n", b), ignoreWhitespace: false);
            IList<DiffBlock> blocks = result.DiffBlocks;
            if (blocks.Count == 0) return "";

            var sb = new StringBuilder();
            sb.Append("--- verified\n+++ received\n");
            int i = 0;
            while (i < blocks.Count)
            {
                // Group blocks whose context windows touch into one hunk.
                int j = i;
                while (j + 1 < blocks.Count && blocks[j + 1].DeleteStartA - (blocks[j].DeleteStartA + blocks[j].DeleteCountA) <= 2 * context)
                    j++;

                int startA = Math.Max(0, blocks[i].DeleteStartA - context);
                int startB = blocks[i].InsertStartB - (blocks[i].DeleteStartA - startA);
                int endA = Math.Min(a.Length, blocks[j].DeleteStartA + blocks[j].DeleteCountA + context);
                int endB = blocks[j].InsertStartB + blocks[j].InsertCountB + (endA - (blocks[j].DeleteStartA + blocks[j].DeleteCountA));

                sb.Append("@@ -").Append(startA + 1).Append(',').Append(endA - startA)
                  .Append(" +").Append(startB + 1).Append(',').Append(endB - startB).Append(" @@\n");

                int pa = startA;
                for (int k = i; k <= j; k++)
                {
                    DiffBlock blk = blocks[k];
                    for (; pa < blk.DeleteStartA; pa++) sb.Append(' ').Append(a[pa]).Append('\n');
                    for (int d = 0; d < blk.DeleteCountA; d++) sb.Append('-').Append(a[blk.DeleteStartA + d]).Append('\n');
                    for (int n = 0; n < blk.InsertCountB; n++) sb.Append('+').Append(b[blk.InsertStartB + n]).Append('\n');
                    pa = blk.DeleteStartA + blk.DeleteCountA;
                }
                for (; pa < endA; pa++) sb.Append(' ').Append(a[pa]).Append('\n');
                i = j + 1;
            }
            return sb.ToString();
        }

        private static string[] SplitLines(string normalized) =>
            normalized.Substring(0, normalized.Length - 1).Split('\n');

        private static string ProjectDirectory()
        {
            // Compile-time path of this file: <project>/Infrastructure/Snapshot.cs.
            string? dir = Path.GetDirectoryName(Path.GetDirectoryName(ThisFile()));
            if (dir is not null && File.Exists(Path.Combine(dir, "Tangent.Generator.Tests.csproj")))
                return dir;
            // Path-mapped (deterministic CI) builds: walk up from bin/.
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Tangent.Generator.Tests.csproj")))
                    return d.FullName;
                string nested = Path.Combine(d.FullName, "tests", "Tangent.Generator.Tests");
                if (File.Exists(Path.Combine(nested, "Tangent.Generator.Tests.csproj")))
                    return nested;
            }
            throw GeneratorHarness.Fail("Cannot locate the Tangent.Generator.Tests project directory for snapshots.");
        }

        private static string ThisFile([CallerFilePath] string path = "") => path;
    }
}
