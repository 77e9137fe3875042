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
    /// With <see cref="ExactText"/>, an error with an expected id must start on the line of <see cref="Located"/> and
    /// its location must be exactly that text (the argument of a call, the element written).
    /// </summary>
    public sealed record Mutant(RandomProgram Program, string Kind, ImmutableArray<string> ExpectedIds, string Located, string? ExactText = null);

    /// <summary>
    /// Random mutations of valid programs into unsupported ones: an unsupported statement or expression inserted at
    /// a random point of the body (try/catch, lock, goto, using, switch, throw, a local function, a lambda capturing
    /// a parameter, dynamic, object creation, string conversion of an active value, a call without derivative, LINQ,
    /// ref/out arguments, a write to a field, a write into a parameter array, a differentiated array created in a
    /// loop), or a signature the contract rejects (ref parameter, generic method); and around calls of helpers: a
    /// helper without [Differentiable] called with an active argument (TN2001 at the argument), an active argument
    /// for a [NoDerivative] parameter (TN2005 at the argument), a local array written after it was passed to a
    /// [Differentiable] helper, or before the call in the same loop (TN1006 at the write).
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
        public static IEnumerable<string> KindNames => BodyKinds.Select(k => k.Name).Concat(new[]
        {
            "write into a parameter array", "ref parameter", "generic method",
            CallWithoutDerivative, ActiveNoDerivativeArgument, ArrayWrittenAfterCall, ArrayWrittenBeforeCallInLoop,
        });

        public const string CallWithoutDerivative = "helper without [Differentiable] called with an active argument";
        public const string ActiveNoDerivativeArgument = "active argument for a [NoDerivative] parameter";
        public const string ArrayWrittenAfterCall = "local array written after a differentiated call";
        public const string ArrayWrittenBeforeCallInLoop = "local array written before a differentiated call in the same loop";

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
            options.Add((6, ProgramGrammar.Defer(() => PlainHelperCall(program))));
            options.Add((6, ProgramGrammar.Defer(() => NoDerivativeArgument(program))));
            options.Add((4, ProgramGrammar.Defer(() => ArrayWrittenAround(program, after: true))));
            options.Add((3, ProgramGrammar.Defer(() => ArrayWrittenAround(program, after: false))));
            return ProgramGrammar.Weighted(options.ToArray());
        }

        // ------------------------------------------------------------------ mutations around calls

        /// <summary>An active expression of the double parameter x, for an argument.</summary>
        private static Gen<string> ActiveArgument(string x) =>
            Gen.Elements(x, x + " * 2.0", "Math.Sin(" + x + ")", x + " + K0", "0.5 * " + x + " * " + x);

        /// <summary>Helpers whose arguments can be written without a scope: only double and int parameters (ints get 1, within every bound).</summary>
        private static IEnumerable<RandomProgram> ScalarHelpers(RandomProgram program) =>
            program.Helpers.Where(h => h.Differentiable && h.Params.All(p => !p.IsArray));

        /// <summary>
        /// <c>sink += H(0.5, x * 2.0, 1);</c>: the arguments of the call, with <paramref name="active"/> at parameter
        /// <paramref name="at"/>, 0.5 or a literal for the other doubles, 1 for ints, <paramref name="array"/> for arrays.
        /// </summary>
        private static string CallText(string function, ImmutableArray<Param> parameters, int at, string active, string? array = null) =>
            function + "(" + string.Join(", ", parameters.Select((p, i) => i == at ? active : p.Kind switch
            {
                ParamKind.Int => "1",
                ParamKind.DoubleArray or ParamKind.Span => array ?? throw new InvalidOperationException("no array for " + p.Name),
                _ => "0.5",
            })) + ")";

        /// <summary>
        /// A copy of one of the program's scalar helpers (or a small fixed one) without [Differentiable], called with an
        /// active argument: TN2001 at that argument.
        /// </summary>
        private static Gen<Mutant> PlainHelperCall(RandomProgram program)
        {
            string name = program.Name + "_hplain";
            var candidates = ScalarHelpers(program).Where(h => h.Params.Any(p => p.IsActive)).ToList();
            Gen<RandomProgram> plain = candidates.Count == 0
                ? Gen.Constant(FixedHelper(program, name, new[] { new Param(ParamKind.Double, "v"), new Param(ParamKind.Double, "w") },
                    new Binary("+", new Binary("*", new Leaf("v", Ty.Double), new Leaf("w", Ty.Double)), Call.Double("Math.Sin", new Leaf("v", Ty.Double)))))
                : ProgramGrammar.Elements(candidates).Select(h => h with { Name = name });
            return from helper in plain
                   let copy = helper with { Differentiable = false, Modifiers = "static", Recursive = false }
                   from at in Gen.Elements(copy.Params.Select((p, i) => (p, i)).Where(t => t.p.IsActive).Select(t => t.i).ToArray())
                   from x in Gen.Elements(DoubleParams(program))
                   from active in ActiveArgument(x)
                   from point in Gen.Choose(0, Math.Max(0, CountPoints(program.Body, true, false, false) - 1))
                   select InsertCall(program with { Helpers = program.Helpers.Add(copy) }, CallWithoutDerivative, "TN2001", CallText(name, copy.Params, at, active), active, point);
        }

        /// <summary>
        /// A call of a helper with a [NoDerivative] double parameter (one of the program's, or a small fixed one) that
        /// passes an active value to it: TN2005 at that argument.
        /// </summary>
        private static Gen<Mutant> NoDerivativeArgument(RandomProgram program)
        {
            var candidates = ScalarHelpers(program).Where(h => h.Params.Any(p => p.NoDerivative && p.Kind == ParamKind.Double)).ToList();
            string fixedName = program.Name + "_hscale";
            Gen<(RandomProgram Program, RandomProgram Helper)> target = candidates.Count == 0
                ? Gen.Constant(AddHelper(program, FixedHelper(program, fixedName,
                    new[] { new Param(ParamKind.Double, "v"), new Param(ParamKind.Double, "scale", NoDerivative: true) },
                    new Binary("*", new Leaf("v", Ty.Double), new Leaf("scale", Ty.Double)))))
                : ProgramGrammar.Elements(candidates).Select(h => (program, h));
            return from t in target
                   from at in Gen.Elements(t.Helper.Params.Select((p, i) => (p, i)).Where(q => q.p.NoDerivative && q.p.Kind == ParamKind.Double).Select(q => q.i).ToArray())
                   from x in Gen.Elements(DoubleParams(program))
                   from active in ActiveArgument(x)
                   from point in Gen.Choose(0, Math.Max(0, CountPoints(program.Body, true, false, false) - 1))
                   select InsertCall(t.Program, ActiveNoDerivativeArgument, "TN2005", CallText(t.Helper.Name, t.Helper.Params, at, active), active, point);
        }

        private static (RandomProgram, RandomProgram) AddHelper(RandomProgram program, RandomProgram helper) =>
            (program with { Helpers = program.Helpers.Add(helper) }, helper);

        private static RandomProgram FixedHelper(RandomProgram program, string name, Param[] parameters, Expr value) =>
            new RandomProgram(name, parameters.ToImmutableArray(), false, program.ArrayLength,
                new Block(ImmutableList.Create<Stmt>(new Return(value, null))), program.Seed, program.Index)
            { ExpressionBodied = true, Modifiers = "static" };

        private static string[] DoubleParams(RandomProgram program) =>
            program.Params.Where(p => p.Kind == ParamKind.Double).Select(p => p.Name).ToArray();

        /// <summary><c>sink += call;</c> at an insertion point; the error must be exactly on the active argument.</summary>
        private static Mutant InsertCall(RandomProgram program, string kind, string id, string call, string active, int point)
        {
            string sink = "sink" + program.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string text = sink + " += " + call + ";";
            Block body = AddSink(InsertAt(program.Body, new Raw(text, kind), point, false), sink, program);
            return new Mutant(program with { Body = body }, kind, ImmutableArray.Create(id), text, active);
        }

        /// <summary>
        /// A local array, with an active element, passed to a [Differentiable] helper with an array or span parameter (one
        /// of the program's, or a small fixed one) and written after the call, or before it in the same loop: TN1006 at
        /// the write. Inserted outside loops (an array that carries derivatives created in a loop is TN1005).
        /// </summary>
        private static Gen<Mutant> ArrayWrittenAround(RandomProgram program, bool after)
        {
            var candidates = program.Helpers.Where(h => h.Differentiable && h.Params.Count(p => p.IsArray) == 1).ToList();
            Gen<(RandomProgram Program, RandomProgram Helper)> target = candidates.Count == 0
                ? Gen.Elements(ParamKind.DoubleArray, ParamKind.Span).Select(kind => AddHelper(program, SumOfSquares(program, kind)))
                : ProgramGrammar.Elements(candidates).Select(h => (program, h));
            string n = program.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string sink = "sink" + n, t = "t" + n, q = "q" + n;
            string length = program.ArrayLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return from tp in target
                   let at = tp.Helper.Params.Select((p, i) => (p, i)).First(p => p.p.IsArray).i
                   from x in Gen.Elements(DoubleParams(program))
                   from point in Gen.Choose(0, Math.Max(0, CountPoints(program.Body, true, false, false, avoidLoops: true) - 1))
                   let call = CallText(tp.Helper.Name, tp.Helper.Params, at, t, t)
                   let write = after ? $"{t}[1] = {sink};" : $"{t}[{q}] = {x} * (1.0 + {q});"
                   let text = after
                       ? $"double[] {t} = new double[{length}];\n{t}[0] = {x};\n{sink} += {call};\n{write}\n{sink} += {t}[1];"
                       : $"double[] {t} = new double[{length}];\nfor (int {q} = 0; {q} < 2; {q}++)\n{{\n    {write}\n    {sink} += {call};\n}}"
                   let body = AddSink(InsertAt(tp.Program.Body, new Raw(text, "array"), point, false, avoidLoops: true), sink, program)
                   select new Mutant(tp.Program with { Body = body }, after ? ArrayWrittenAfterCall : ArrayWrittenBeforeCallInLoop,
                       ImmutableArray.Create("TN1006"), write, write.Substring(0, write.IndexOf(';', StringComparison.Ordinal)));
        }

        /// <summary><c>double s = 0.0; foreach (double e in v) s += e * e; return s;</c> over a double[] or a ReadOnlySpan&lt;double&gt;.</summary>
        private static RandomProgram SumOfSquares(RandomProgram program, ParamKind kind)
        {
            var e = new Leaf("e", Ty.Double);
            var body = new Block(ImmutableList.Create<Stmt>(
                new Declare("double", "s", Leaf.Double(0.0)),
                new ForEach("e", "v", new Block(ImmutableList.Create<Stmt>(new Assign("s", "+=", new Binary("*", e, e))))),
                new Return(new Leaf("s", Ty.Double), null)));
            return new RandomProgram(program.Name + "_hsum", ImmutableArray.Create(new Param(kind, "v")), false, program.ArrayLength, body, program.Seed, program.Index)
            { Modifiers = "static" };
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
        private static int CountPoints(Block block, bool isBody, bool needsLoop, bool inLoop, bool avoidLoops = false)
        {
            int count = 0;
            int positions = Positions(block, isBody);
            if (!needsLoop || inLoop) count += positions;
            foreach (var s in block.Items)
            {
                bool loop = inLoop || s is For or While or ForEach;
                if (avoidLoops && loop) continue;
                foreach (var b in s.Blocks) count += CountPoints(b, false, needsLoop, loop, avoidLoops);
            }
            return count;
        }

        private static int Positions(Block block, bool isBody)
        {
            bool endsWithJump = block.Items.Count > 0 && block.Items[^1] is Return or Break or Continue;
            return endsWithJump ? block.Items.Count : block.Items.Count + 1;
        }

        private static Block InsertAt(Block body, Raw raw, int point, bool needsLoop, bool avoidLoops = false)
        {
            int remaining = point;
            Block? result = InsertIn(body, raw, ref remaining, true, needsLoop, false, avoidLoops);
            return result ?? throw new InvalidOperationException("insertion point " + point + " not found");
        }

        private static Block? InsertIn(Block block, Raw raw, ref int remaining, bool isBody, bool needsLoop, bool inLoop, bool avoidLoops = false)
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
                if (avoidLoops && loop) continue;
                var blocks = s.Blocks.ToList();
                for (int b = 0; b < blocks.Count; b++)
                {
                    Block? inner = InsertIn(blocks[b], raw, ref remaining, false, needsLoop, loop, avoidLoops);
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
