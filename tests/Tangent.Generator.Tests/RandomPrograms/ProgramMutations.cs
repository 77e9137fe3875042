using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>
    /// A valid program turned into one the generator must reject: <see cref="Located"/> is text of the inserted code
    /// (or of the mutated signature) that an error must point into, <see cref="ExpectedIds"/> the ids that fit.
    /// </summary>
    public sealed record Mutant(RandomProgram Program, string Kind, ImmutableArray<string> ExpectedIds, string Located);

    /// <summary>
    /// Random mutations of valid programs into unsupported ones: an unsupported statement or expression inserted at
    /// a random point of the body (try/catch, lock, goto, using, switch, throw, a local function, a lambda capturing
    /// a parameter, dynamic, object creation, string conversion of an active value, a call without derivative, LINQ,
    /// ref/out arguments, a write to a field, a write into a parameter array, a differentiated array created in a
    /// loop), or a signature the contract rejects (ref parameter, generic method).
    /// <para>
    /// Code whose error depends on activity (a call without derivative, string conversion, dynamic, an array created
    /// in a loop) feeds a sink local that every return adds to the result, so the value surely reaches the result.
    /// </para>
    /// </summary>
    public static class ProgramMutations
    {
        /// <summary>A mutation: its name, the ids it may produce, whether it needs a loop, and its code for a parameter name x.</summary>
        private sealed record Kind(string Name, string[] Ids, bool NeedsLoop, bool NeedsSink, Func<string, string, string> Code);

        // {x}: an active double parameter; {s}: the sink local; {n}: a unique suffix.
        private static readonly Kind[] BodyKinds =
        {
            new("try/catch", new[] { "TN1001" }, false, true, (x, s) => $"try\n{{\n    {s} += {x};\n}}\ncatch (Exception)\n{{\n}}"),
            new("try/finally", new[] { "TN1001" }, false, true, (x, s) => $"try\n{{\n    {s} += {x};\n}}\nfinally\n{{\n    Console.WriteLine();\n}}"),
            new("lock", new[] { "TN1001" }, false, true, (x, s) => $"lock (Gate)\n{{\n    {s} += {x};\n}}"),
            new("goto", new[] { "TN1001" }, false, true, (x, s) => $"if ({x} > 0.5) goto skip{{n}};\n{s} += {x};\nskip{{n}}: ;"),
            new("using", new[] { "TN1001" }, false, true, (x, s) => $"using (var stream{{n}} = new System.IO.MemoryStream())\n{{\n    {s} += {x};\n}}"),
            new("switch", new[] { "TN1001" }, false, true, (x, s) => $"switch ((int){x})\n{{\n    case 0:\n        {s} += {x};\n        break;\n}}"),
            new("throw", new[] { "TN1001" }, false, false, (x, s) => $"if ({x} > 100.0)\n{{\n    throw new InvalidOperationException();\n}}"),
            new("local function", new[] { "TN1001" }, false, true, (x, s) => $"double Twice{{n}}(double t) => 2.0 * t;\n{s} += Twice{{n}}({x});"),
            new("lambda capturing an active value", new[] { "TN1002" }, false, true, (x, s) => $"Func<double, double> f{{n}} = t => t * {x};\n{s} += f{{n}}(1.5);"),
            new("unused lambda", new[] { "TN1002" }, false, false, (x, s) => $"Func<double> g{{n}} = () => {x} * {x};"),
            new("dynamic", new[] { "TN1002" }, false, true, (x, s) => $"dynamic d{{n}} = {x};\n{s} += (double)d{{n}};"),
            new("object creation", new[] { "TN1002" }, false, true, (x, s) => $"var random{{n}} = new Random(1);\n{s} += {x} * random{{n}}.NextDouble();"),
            new("interpolated string", new[] { "TN1002" }, false, true, (x, s) => $"{s} += double.Parse($\"{{{x}}}\");"),
            new("ToString", new[] { "TN2001" }, false, true, (x, s) => $"{s} += double.Parse({x}.ToString());"),
            new("string length", new[] { "TN2001" }, false, true, (x, s) => $"{s} += Convert.ToString({x}).Length;"),
            new("call without derivative", new[] { "TN2001" }, false, true, (x, s) => $"{s} += Opaque({x});"),
            new("unused call without derivative", new[] { "TN2001" }, false, false, (x, s) => $"double m{{n}} = Opaque({x} * {x});"),
            // An array that carries derivatives passed as IEnumerable<double> (it once got no TN2001: a regression test covers it).
            new("LINQ", new[] { "TN2001" }, false, true, (x, s) => $"{s} += System.Linq.Enumerable.Sum(new[] {{ {x}, 1.0 }});"),
            new("out argument", new[] { "TN1002" }, false, true, (x, s) => $"double.TryParse(\"1.5\", out double parsed{{n}});\n{s} += parsed{{n}} * {x};"),
            new("ref argument", new[] { "TN1002" }, false, true, (x, s) => $"double t{{n}} = {x};\nSystem.Threading.Interlocked.Exchange(ref t{{n}}, 1.0);\n{s} += t{{n}};"),
            new("field write", new[] { "TN1003" }, false, false, (x, s) => $"Sink = {x} * 2.0;"),
            new("field compound assignment", new[] { "TN1003" }, false, false, (x, s) => $"Sink += {x};"),
            new("array created in a loop", new[] { "TN1005" }, true, true, (x, s) => $"double[] temp{{n}} = new double[2];\ntemp{{n}}[0] = {x};\n{s} += temp{{n}}[1] + temp{{n}}[0];"),
            new("span local", new[] { "TN1002" }, false, true, (x, s) => $"Span<double> buffer{{n}} = stackalloc double[2];\nbuffer{{n}}[0] = {x};\n{s} += buffer{{n}}[0];"),
        };

        /// <summary>Mutation kinds not generated, each because of an open generator bug (see the comment at the kind).</summary>
        public static readonly HashSet<string> ExcludedKinds = new HashSet<string>();

        /// <summary>The names of all mutation kinds (for the report).</summary>
        public static IEnumerable<string> KindNames => BodyKinds.Select(k => k.Name).Concat(new[] { "write into a parameter array", "ref parameter", "generic method" });

        public static Gen<Mutant> Mutate(RandomProgram program)
        {
            var options = new List<(int, Gen<Mutant>)>();
            foreach (var kind in BodyKinds.Where(k => !ExcludedKinds.Contains(k.Name)))
                options.Add((kind.NeedsLoop ? 2 : 3, ProgramGrammar.Defer(() => InsertBody(program, kind))));
            var array = program.Params.FirstOrDefault(p => p.Kind == ParamKind.DoubleArray);
            if (array != null)
            {
                var write = new Kind("write into a parameter array", new[] { "TN1004" }, false, false, (x, s) => $"{array.Name}[0] = {x};");
                options.Add((3, ProgramGrammar.Defer(() => InsertBody(program, write))));
            }
            options.Add((2, ProgramGrammar.Defer(() => RefParameter(program))));
            options.Add((1, Gen.Constant(Generic(program))));
            return ProgramGrammar.Weighted(options.ToArray());
        }

        private static Gen<Mutant> InsertBody(RandomProgram program, Kind kind) =>
            from x in Gen.Elements(program.Params.Where(p => p.Kind == ParamKind.Double).Select(p => p.Name).ToArray())
            from point in Gen.Choose(0, Math.Max(0, CountPoints(program.Body, true, kind.NeedsLoop, false) - 1))
            select Insert(program, kind, x, point);

        private static Mutant Insert(RandomProgram program, Kind kind, string x, int point)
        {
            string suffix = program.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string sink = "sink" + suffix;
            string text = kind.Code(x, sink).Replace("{n}", suffix, StringComparison.Ordinal);
            var raw = new Raw(text, kind.Name);
            Block body = program.Body;
            string located = text.Split('\n')[0];
            if (kind.NeedsLoop && CountPoints(body, true, true, false) == 0)
            {
                // No loop to put it in: wrap it in one.
                raw = new Raw($"for (int q{suffix} = 0; q{suffix} < 2; q{suffix}++)\n{{\n" + string.Join("\n", text.Split('\n').Select(l => "    " + l)) + "\n}", kind.Name);
                body = InsertAt(body, raw, 0, needsLoop: false);
            }
            else
            {
                body = InsertAt(body, raw, point, kind.NeedsLoop);
            }
            if (kind.NeedsSink) body = AddSink(body, sink, program);
            return new Mutant(program with { Body = body }, kind.Name, kind.Ids.ToImmutableArray(), located.Trim());
        }

        /// <summary><c>double sink = 0.0;</c> first, and the sink added to every result.</summary>
        private static Block AddSink(Block body, string sink, RandomProgram program)
        {
            Block withReturns = MapReturns(body, program, sink);
            return new Block(withReturns.Items.Insert(0, new Declare("double", sink, Leaf.Double(0.0))));
        }

        private static Block MapReturns(Block block, RandomProgram program, string sink) =>
            new Block(block.Items.SelectMany(s => MapReturn(s, program, sink)).ToImmutableList());

        private static IEnumerable<Stmt> MapReturn(Stmt s, RandomProgram program, string sink)
        {
            if (s is Return { Value: { } value }) return new[] { new Return(new Binary("+", value, new Leaf(sink, Ty.Double)), null) };
            if (s is Return { Array: { } array } && program.Params.All(p => p.Name != array))
                return new Stmt[] { new Store(array, Leaf.Int(0), "+=", new Leaf(sink, Ty.Double)), s };
            if (s.Blocks.Count == 0) return new[] { s };
            return new[] { s.WithBlocks(s.Blocks.Select(b => MapReturns(b, program, sink)).ToList()) };
        }

        /// <summary>
        /// Insertion points in pre-order: before each statement of each block, and at the end of blocks that do not
        /// end with a jump (so the inserted code is reachable). With <paramref name="needsLoop"/> only points inside loops.
        /// </summary>
        private static int CountPoints(Block block, bool isBody, bool needsLoop, bool inLoop)
        {
            int count = 0;
            int positions = Positions(block, isBody);
            if (!needsLoop || inLoop) count += positions;
            foreach (var s in block.Items)
            {
                bool loop = inLoop || s is For or While or ForEach;
                foreach (var b in s.Blocks) count += CountPoints(b, false, needsLoop, loop);
            }
            return count;
        }

        private static int Positions(Block block, bool isBody)
        {
            bool endsWithJump = block.Items.Count > 0 && block.Items[^1] is Return or Break or Continue;
            return endsWithJump ? block.Items.Count : block.Items.Count + 1;
        }

        private static Block InsertAt(Block body, Raw raw, int point, bool needsLoop)
        {
            int remaining = point;
            Block? result = InsertIn(body, raw, ref remaining, true, needsLoop, false);
            return result ?? throw new InvalidOperationException("insertion point " + point + " not found");
        }

        private static Block? InsertIn(Block block, Raw raw, ref int remaining, bool isBody, bool needsLoop, bool inLoop)
        {
            if (!needsLoop || inLoop)
            {
                int positions = Positions(block, isBody);
                if (remaining < positions) return new Block(block.Items.Insert(remaining, raw));
                remaining -= positions;
            }
            for (int i = 0; i < block.Items.Count; i++)
            {
                var s = block.Items[i];
                bool loop = inLoop || s is For or While or ForEach;
                var blocks = s.Blocks.ToList();
                for (int b = 0; b < blocks.Count; b++)
                {
                    Block? inner = InsertIn(blocks[b], raw, ref remaining, false, needsLoop, loop);
                    if (inner != null)
                    {
                        blocks[b] = inner;
                        return new Block(block.Items.SetItem(i, s.WithBlocks(blocks)));
                    }
                }
            }
            return null;
        }

        private static Gen<Mutant> RefParameter(RandomProgram program) =>
            from index in Gen.Elements(program.Params.Select((p, i) => (p, i)).Where(t => t.p.Kind == ParamKind.Double).Select(t => t.i).ToArray())
            select SignatureMutant(program, "ref parameter", "TN0004", p => p.Select((q, i) => i == index ? "ref double " + q.Name : q.TypeText + " " + q.Name), "ref double " + program.Params[index].Name, "");

        private static Mutant Generic(RandomProgram program) =>
            SignatureMutant(program, "generic method", "TN0005", p => p.Select(q => q.TypeText + " " + q.Name), "<T>", "<T>");

        private static Mutant SignatureMutant(RandomProgram program, string kind, string id, Func<IEnumerable<Param>, IEnumerable<string>> parameters, string located, string typeParameters)
        {
            string signature = (program.ReturnsArray ? "double[] " : "double ") + program.Name + typeParameters + "(" + string.Join(", ", parameters(program.Params)) + ")";
            return new Mutant(program with { Signature = signature }, kind, ImmutableArray.Create(id), located);
        }
    }
}
