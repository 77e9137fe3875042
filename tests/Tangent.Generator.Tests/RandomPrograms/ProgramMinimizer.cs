using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>
    /// Shrinks a failing program to a small one that fails the same way (same <see cref="Failure.Kind"/>, same random
    /// points, since those come from the program's seed): removes statements, replaces if/loops by their bodies,
    /// drops else branches, and replaces expressions by a subexpression or a constant, in the program and in the helpers
    /// it calls; removes helpers nobody calls any more. Candidates are compiled 50 to
    /// a compilation; the smallest failing candidate wins each round, until no candidate fails or time runs out.
    /// </summary>
    public static class ProgramMinimizer
    {
        public static Failure Minimize(Failure failure, TimeSpan budget, int points)
        {
            var clock = Stopwatch.StartNew();
            Failure best = failure;
            string original = failure.Program.Name;
            int round = 0;
            while (clock.Elapsed < budget)
            {
                var candidates = ProgramCandidates(best.Program)
                    .Where(p => Size(p) < Size(best.Program))
                    .Distinct()
                    .OrderBy(Size)
                    .ToList();
                Failure? improved = null;
                for (int start = 0; start < candidates.Count && improved is null && clock.Elapsed < budget; start += RandomProgramSettings.BatchSize)
                {
                    var chunk = candidates.Skip(start).Take(RandomProgramSettings.BatchSize)
                        .Select((p, i) => p.Renamed(original + "_" + round + "_" + (start + i))).ToList();
                    var failures = RandomProgramRunner.RunBatch(chunk, "Shrink", points, new CheckStats());
                    improved = failures.Where(f => f.Kind == failure.Kind).OrderBy(f => Size(f.Program)).FirstOrDefault();
                }
                if (improved is null) break;
                best = improved with { Program = improved.Program.Renamed(original) };
                round++;
            }
            return best;
        }

        private static int Size(RandomProgram p) => p.Print().Length;

        /// <summary>The program with its body shrunk, a helper's body shrunk, or a helper nobody calls any more removed.</summary>
        private static IEnumerable<RandomProgram> ProgramCandidates(RandomProgram program)
        {
            var called = program.HelperCalls().Select(c => c.Function).ToHashSet();
            for (int h = 0; h < program.Helpers.Length; h++)
            {
                var helper = program.Helpers[h];
                bool calledByOthers = program.Body.AllExprs().Concat(program.Helpers.Where(o => o != helper).SelectMany(o => o.Body.AllExprs()))
                    .SelectMany(e => e.Descendants()).Any(e => e is Call c && c.Function == helper.Name);
                if (!calledByOthers) yield return program with { Helpers = program.Helpers.RemoveAt(h) };
            }
            foreach (var body in Candidates(program.Body, true))
                yield return program with { Body = body };
            for (int h = 0; h < program.Helpers.Length; h++)
            {
                if (!called.Contains(program.Helpers[h].Name)) continue;
                foreach (var body in Candidates(program.Helpers[h].Body, true))
                    yield return program with { Helpers = program.Helpers.SetItem(h, program.Helpers[h] with { Body = body }) };
            }
        }

        private static IEnumerable<Block> Candidates(Block block, bool isBody)
        {
            var items = block.Items;
            for (int i = 0; i < items.Count; i++)
            {
                var s = items[i];
                bool isFinalReturn = isBody && i == items.Count - 1;
                // A recursive helper's base case stays (without it the recursion would not end).
                if (!isFinalReturn && s is not RecursionGuard) yield return new Block(items.RemoveAt(i));
                // An if or a loop replaced by one of its blocks.
                foreach (var inner in s.Blocks)
                    yield return new Block(items.RemoveAt(i).InsertRange(i, inner.Items));
                if (s is If { Else: not null } conditional)
                    yield return new Block(items.SetItem(i, conditional with { Else = null }));
                // Shrink inside nested blocks.
                var blocks = s.Blocks;
                for (int b = 0; b < blocks.Count; b++)
                {
                    foreach (var smaller in Candidates(blocks[b], false))
                    {
                        var copy = blocks.ToList();
                        copy[b] = smaller;
                        yield return new Block(items.SetItem(i, s.WithBlocks(copy)));
                    }
                }
                // Shrink the expressions of the statement.
                var exprs = s.Exprs;
                for (int e = 0; e < exprs.Count; e++)
                {
                    foreach (var smaller in Smaller(exprs[e]))
                    {
                        var copy = exprs.ToList();
                        copy[e] = smaller;
                        yield return new Block(items.SetItem(i, s.WithExprs(copy)));
                    }
                }
            }
        }

        /// <summary>An expression replaced by a child, by a constant, or with one of its children shrunk.</summary>
        private static IEnumerable<Expr> Smaller(Expr e)
        {
            var children = e.Children;
            if (children.Count == 0)
            {
                if (e.Type == Ty.Double && e is Leaf l && l.Text != "1.0") yield return Leaf.Double(1.0);
                yield break;
            }
            foreach (var c in children)
            {
                if (c.Type == e.Type) yield return c;
            }
            if (e.Type == Ty.Double) yield return Leaf.Double(1.0);
            for (int i = 0; i < children.Count; i++)
            {
                foreach (var smaller in Smaller(children[i]))
                {
                    var copy = children.ToList();
                    copy[i] = smaller;
                    yield return e.WithChildren(copy);
                }
            }
        }
    }
}
