using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>
    /// A local or parameter array (or a <c>ReadOnlySpan&lt;double&gt;</c> parameter of a helper) in scope. Parameter
    /// arrays are read-only (writing one is TN1004); a local array becomes read-only when it is frozen (from then on
    /// it may be passed to helpers: a local array written after a differentiated call is TN1006).
    /// </summary>
    public sealed record ArrayVar(string Name, bool Writable, bool IsSpan = false)
    {
        /// <summary>Local arrays (not the result of an array-valued program) may be frozen.</summary>
        public bool Freezable => Writable && Name.StartsWith("arr", StringComparison.Ordinal);
    }

    /// <summary>
    /// What a statement or expression may refer to at a point of the method. Immutable: statements return the
    /// scope after them. <see cref="Indices"/> are int expressions known to lie in [0, L) and <see cref="Bounds"/>
    /// int expressions in [0, L], where L is the program's array length, so every element access is in range.
    /// </summary>
    public sealed record Scope(
        ImmutableList<string> Doubles,
        ImmutableList<string> Locals,
        ImmutableList<string> Assignable,
        ImmutableList<string> Ints,
        ImmutableList<string> IntLocals,
        ImmutableList<ArrayVar> Arrays,
        ImmutableList<Expr> Indices,
        ImmutableList<Expr> Bounds,
        int Next,
        int LoopDepth,
        int Nesting)
    {
        public bool InLoop => LoopDepth > 0;

        public string Fresh(string prefix, out Scope next)
        {
            next = this with { Next = Next + 1 };
            return prefix + Next;
        }
    }

    /// <summary>
    /// A [Differentiable] helper the grammar may call: its name and parameters (double, int, double[],
    /// ReadOnlySpan&lt;double&gt;, [NoDerivative] int or double); <see cref="Recursive"/> for a helper whose
    /// <c>[NoDerivative] int depth</c> parameter bounds its recursion.
    /// </summary>
    public sealed record CallTarget(string Name, ImmutableArray<Param> Params, bool Recursive = false)
    {
        public static CallTarget Of(RandomProgram helper) => new CallTarget(helper.Name, helper.Params, helper.Recursive);
    }

    /// <summary>
    /// FsCheck generators of random [Differentiable] methods in the supported language: double, int and double[]
    /// parameters; expressions over + - * /, unary minus, the templated Math functions (arguments guarded into their
    /// domains), ternaries, comparisons, &amp;&amp;, ||, !; locals, reassignment (of parameters too), compound assignment;
    /// if/else; for, while and do loops with small bounds; break, continue and early return; local double[] arrays
    /// (new double[n], initializers, collection expressions) with element writes, reads and compound writes;
    /// foreach over arrays; calls of helper [Differentiable] methods generated first (scalar, array, span and
    /// [NoDerivative] parameters, recursion bounded by a [NoDerivative] int, helpers calling earlier helpers).
    /// <para>
    /// Values stay moderate so that central differences are meaningful: inside loops every value written to a
    /// loop-carried variable goes through a bounded function (Sin, Tanh, ...), division is by 2 + e*e or a
    /// constant, Log and Sqrt take 1 + e*e, Exp, Sinh and Cosh take a bounded argument.
    /// </para>
    /// </summary>
    public sealed class ProgramGrammar
    {
        public ProgramGrammar(int arrayLength, bool returnsArray, IReadOnlyList<CallTarget>? helpers = null, CallTarget? self = null, bool inHelper = false)
        {
            L = arrayLength;
            ReturnsArray = returnsArray;
            Helpers = helpers ?? Array.Empty<CallTarget>();
            Self = self;
            InHelper = inHelper;
        }

        /// <summary>Weight of early <c>return array;</c> in array-valued programs: 0 while the generator bug it finds is open.</summary>
        private const int ArrayEarlyReturnWeight = 1;

        /// <summary>Length of every array of the program (parameters and locals).</summary>
        public int L { get; }

        public bool ReturnsArray { get; }

        /// <summary>Previously generated [Differentiable] helpers the method may call.</summary>
        public IReadOnlyList<CallTarget> Helpers { get; }

        /// <summary>The recursive helper being generated (it may call itself, outside loops, with <c>depth - 1</c>).</summary>
        public CallTarget? Self { get; }

        /// <summary>
        /// Generating a helper: calls of other helpers only outside loops (so that chains of helpers, each looping
        /// over calls of the next, cannot multiply into millions of calls).
        /// </summary>
        public bool InHelper { get; }

        /// <summary>TANGENT_RANDOM_CALLS=0 turns calls off (programs without helpers, as before calls were supported).</summary>
        public static bool CallsEnabled => Environment.GetEnvironmentVariable("TANGENT_RANDOM_CALLS") != "0";

        // ------------------------------------------------------------------ programs

        /// <summary>A whole program: its helpers (none in a third of the programs), parameters, body, final return.</summary>
        public static Gen<RandomProgram> Program(string name, ulong seed, int index, bool calls = true) =>
            from length in Gen.Choose(2, 4)
            from returnsArray in Weighted((9, Gen.Constant(false)), (1, Gen.Constant(true)))
            from helperCount in calls && CallsEnabled
                ? Weighted((3, Gen.Constant(0)), (3, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(3)))
                : Gen.Constant(0)
            from helpers in HelperList(name, length, seed, index, helperCount)
            from program in new ProgramGrammar(length, returnsArray, helpers.Select(CallTarget.Of).ToList()).ProgramWith(name, seed, index)
            select program with { Helpers = helpers };

        private Gen<RandomProgram> ProgramWith(string name, ulong seed, int index) =>
            from parameters in Parameters()
            from body in Body(InitialScope(parameters))
            select new RandomProgram(name, parameters, ReturnsArray, L, body, seed, index);

        /// <summary><paramref name="count"/> helpers, each of which may call the ones before it.</summary>
        private static Gen<ImmutableArray<RandomProgram>> HelperList(string owner, int length, ulong seed, int index, int count)
        {
            Gen<ImmutableArray<RandomProgram>> list = Gen.Constant(ImmutableArray<RandomProgram>.Empty);
            for (int k = 0; k < count; k++)
            {
                int kk = k;
                list = from earlier in list
                       from helper in Helper(RandomProgram.HelperName(owner, kk), length, seed, index, earlier.Select(CallTarget.Of).ToList())
                       select earlier.Add(helper);
            }
            return list;
        }

        /// <summary>
        /// A static double-valued [Differentiable] helper: 1-3 double parameters, maybe an int (plain or
        /// [NoDerivative]), a [NoDerivative] double, a double[] or ReadOnlySpan&lt;double&gt;; a smaller body than a
        /// program's, sometimes expression-bodied; one in five is recursive, with a [NoDerivative] int depth.
        /// </summary>
        private static Gen<RandomProgram> Helper(string name, int length, ulong seed, int index, IReadOnlyList<CallTarget> earlier) =>
            from recursive in Weighted((4, Gen.Constant(false)), (1, Gen.Constant(true)))
            from parameters in HelperParameters(recursive)
            from expressionBodied in recursive ? Gen.Constant(false) : Weighted((3, Gen.Constant(false)), (1, Gen.Constant(true)))
            from modifiers in Gen.Elements("public static", "private static", "internal static", "static")
            from body in new ProgramGrammar(length, false, earlier,
                    recursive ? new CallTarget(name, parameters, true) : null, inHelper: true)
                .HelperBody(parameters, recursive, expressionBodied)
            select new RandomProgram(name, parameters, false, length, body, seed, index)
            {
                Recursive = recursive,
                ExpressionBodied = expressionBodied,
                Modifiers = modifiers,
            };

        private static Gen<ImmutableArray<Param>> HelperParameters(bool recursive) =>
            from doubles in Gen.Choose(1, 3)
            from ints in recursive ? Gen.Constant(0) : Weighted((3, Gen.Constant(0)), (1, Gen.Constant(1)))
            from intNoDerivative in Gen.Elements(true, false)
            from constants in Weighted((3, Gen.Constant(0)), (1, Gen.Constant(1)))
            from array in Weighted((3, Gen.Constant((ParamKind?)null)), (1, Gen.Constant((ParamKind?)ParamKind.DoubleArray)), (1, Gen.Constant((ParamKind?)ParamKind.Span)))
            from order in Gen.Shuffle(Enumerable.Repeat((Kind: ParamKind.Double, NoDerivative: false), doubles)
                .Concat(Enumerable.Repeat((Kind: ParamKind.Int, NoDerivative: intNoDerivative), ints))
                .Concat(Enumerable.Repeat((Kind: ParamKind.Double, NoDerivative: true), constants))
                .Concat(array is ParamKind a ? new[] { (Kind: a, NoDerivative: false) } : Array.Empty<(ParamKind Kind, bool NoDerivative)>())
                .Concat(recursive ? new[] { (Kind: ParamKind.Int, NoDerivative: true) } : Array.Empty<(ParamKind Kind, bool NoDerivative)>())
                .ToArray())
            select order.Select((p, i) => new Param(p.Kind,
                p.Kind == ParamKind.Int && recursive ? "depth"
                    : (p.Kind switch { ParamKind.Double => p.NoDerivative ? "c" : "x", ParamKind.Int => "n", _ => "a" }) + i,
                p.NoDerivative)).ToImmutableArray();

        /// <summary>
        /// A helper's body: 1-4 statements and a return, or just <c>=&gt; e</c>. A recursive helper starts with its base
        /// case, <c>if (depth &lt;= 0) { return e; }</c>, and its final return adds a call of itself with <c>depth - 1</c>;
        /// at most three calls of itself in all (a call tree of at most 3^4 calls for depth &lt;= 4).
        /// </summary>
        private Gen<Block> HelperBody(ImmutableArray<Param> parameters, bool recursive, bool expressionBodied)
        {
            Scope scope = InitialScope(parameters);
            if (expressionBodied)
                return ResultExpression(scope).Select(e => new Block(ImmutableList.Create<Stmt>(new Return(e, null))));
            if (!recursive)
            {
                return from count in Gen.Choose(1, 4)
                       from statements in Statements(scope, count)
                       from value in ResultExpression(statements.After)
                       select new Block(statements.Items.Add(new Return(value, null)));
            }
            var withoutSelf = new ProgramGrammar(L, false, Helpers, null, inHelper: true);
            Gen<Block> body =
                from condition in Gen.Elements("depth <= 0", "depth < 1", "depth == 0")
                from baseCase in withoutSelf.Double(scope, 1)
                from count in Gen.Choose(0, 3)
                from statements in Statements(scope, count)
                from value in ResultExpression(statements.After)
                from self in SelfCall(statements.After, 1)
                from last in Gen.Elements(true, false)
                select new Block(ImmutableList.Create<Stmt>(new RecursionGuard(condition, baseCase))
                    .AddRange(statements.Items)
                    .Add(new Return(last ? new Binary("+", value, self) : new Binary("+", self, value), null)));
            return body.Where(b => b.AllExprs().SelectMany(e => e.Descendants()).Count(e => e is Call c && c.Function == Self!.Name) <= 3);
        }

        private static Gen<ImmutableArray<Param>> Parameters() =>
            from doubles in Gen.Choose(2, 4)
            from ints in Weighted((5, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)))
            from arrays in Weighted((6, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)))
            from order in Gen.Shuffle(Enumerable.Repeat(ParamKind.Double, doubles)
                .Concat(Enumerable.Repeat(ParamKind.Int, ints))
                .Concat(Enumerable.Repeat(ParamKind.DoubleArray, arrays)).ToArray())
            select order.Select((kind, i) => new Param(kind, (kind switch { ParamKind.Double => "x", ParamKind.Int => "n", _ => "a" }) + i)).ToImmutableArray();

        private Scope InitialScope(ImmutableArray<Param> parameters)
        {
            var doubles = parameters.Where(p => p.Kind == ParamKind.Double).Select(p => p.Name).ToImmutableList();
            var ints = parameters.Where(p => p.Kind == ParamKind.Int).Select(p => p.Name).ToImmutableList();
            var arrays = parameters.Where(p => p.IsArray).Select(p => new ArrayVar(p.Name, false, p.Kind == ParamKind.Span)).ToImmutableList();
            var indices = Enumerable.Range(0, L).Select(i => (Expr)Leaf.Int(i)).ToImmutableList();
            var bounds = Enumerable.Range(1, L).Select(i => (Expr)Leaf.Int(i))
                .Concat(ints.Select(n => (Expr)new Leaf(n, Ty.Int)))
                .Concat(arrays.Select(a => (Expr)new Leaf(a.Name + ".Length", Ty.Int)))
                .ToImmutableList();
            return new Scope(doubles, ImmutableList<string>.Empty, doubles, ints, ImmutableList<string>.Empty, arrays, indices, bounds,
                Next: parameters.Length, LoopDepth: 0, Nesting: 0);
        }

        private Gen<Block> Body(Scope scope)
        {
            if (!ReturnsArray)
            {
                return from count in Gen.Choose(2, 7)
                       from statements in Statements(scope, count)
                       from value in ResultExpression(statements.After)
                       select new Block(statements.Items.Add(new Return(value, null)));
            }

            // An array result: a local array created first, filled along the way and returned at the end.
            string result = scope.Fresh("r", out Scope afterName);
            var withResult = afterName with
            {
                Arrays = afterName.Arrays.Add(new ArrayVar(result, true)),
                Bounds = afterName.Bounds.Add(new Leaf(result + ".Length", Ty.Int)),
            };
            return from count in Gen.Choose(1, 7)
                   from statements in Statements(withResult, count)
                   from fill in Fill(statements.After, result)
                   select new Block(ImmutableList.Create<Stmt>(new DeclareArray(result, ArrayForm.NewSized, Leaf.Int(L), ImmutableArray<Expr>.Empty))
                       .AddRange(statements.Items).AddRange(fill).Add(new Return(null, result)));
        }

        /// <summary>Writes into the result array at the end: one element, or a loop over all of them.</summary>
        private Gen<ImmutableList<Stmt>> Fill(Scope scope, string result)
        {
            string i = scope.Fresh("i", out Scope next);
            var inLoop = next with
            {
                LoopDepth = next.LoopDepth + 1,
                Ints = next.Ints.Add(i),
                Indices = next.Indices.Add(new Leaf(i, Ty.Int)),
            };
            return Weighted(
                (1, Gen.Constant(ImmutableList<Stmt>.Empty)),
                (2, from index in Elements(scope.Indices)
                    from value in Double(scope, 2)
                    select ImmutableList.Create<Stmt>(new Store(result, index, "+=", value))),
                (3, from value in Bounded(inLoop, 2)
                    select ImmutableList.Create<Stmt>(new For(i, new Leaf(result + ".Length", Ty.Int),
                        new Block(ImmutableList.Create<Stmt>(new Store(result, new Leaf(i, Ty.Int), "+=", value)))))));
        }

        /// <summary>The final scalar result: a sum of a few terms that prefer the locals (so that the body matters).</summary>
        private Gen<Expr> ResultExpression(Scope scope) =>
            from count in Gen.Choose(1, 3)
            from terms in Gen.ListOf(Term(scope), count)
            select terms.Skip(1).Aggregate(terms[0], (sum, t) => new Binary("+", sum, t));

        private Gen<Expr> Term(Scope scope) =>
            Weighted(
                (scope.Locals.IsEmpty ? 0 : 4, Elements(scope.Locals).Select(v => (Expr)new Leaf(v, Ty.Double))),
                (3, Double(scope, 2)),
                (scope.Arrays.IsEmpty ? 0 : 1, ElementRead(scope)),
                (Callable(scope).Count > 0 ? 2 : 0, HelperCall(scope, 1)));

        // ------------------------------------------------------------------ statements

        /// <summary>Statements and the scope after them.</summary>
        public sealed record StatementList(ImmutableList<Stmt> Items, Scope After);

        /// <summary><paramref name="count"/> statements, each seeing the declarations of the ones before it.</summary>
        private Gen<StatementList> Statements(Scope scope, int count)
        {
            if (count == 0) return Gen.Constant(new StatementList(ImmutableList<Stmt>.Empty, scope));
            return from first in Statement(scope)
                   from rest in Statements(first.After, count - 1)
                   select new StatementList(rest.Items.InsertRange(0, first.Items), rest.After);
        }

        /// <summary>One statement (a while loop prints as two: its counter and the loop).</summary>
        private Gen<StatementList> Statement(Scope s) => Defer(() => StatementCore(s));

        private Gen<StatementList> StatementCore(Scope s)
        {
            bool canNest = s.Nesting < 3;
            bool canLoop = canNest && s.LoopDepth < 2;
            var writable = s.Arrays.Where(a => a.Writable).ToImmutableList();
            return Weighted(
                (5, DeclareDouble(s)),
                (5, AssignDouble(s)),
                (1, DeclareInt(s)),
                (s.IntLocals.IsEmpty ? 0 : 1, AssignInt(s)),
                (s.InLoop ? 0 : 2, DeclareArray(s)),
                (writable.IsEmpty ? 0 : 4, StoreElement(s, writable)),
                (canNest ? 3 : 0, IfElse(s)),
                (canLoop ? 3 : 0, ForLoop(s)),
                (canLoop ? 2 : 0, WhileLoop(s)),
                (canLoop && !s.Arrays.IsEmpty ? 1 : 0, ForEachLoop(s)),
                (s.Nesting == 0 && s.Arrays.Any(a => a.Freezable) && Helpers.Any(h => h.Params.Any(p => p.IsArray)) ? 2 : 0, Freeze(s)),
                (s.Nesting == 0 && Helpers.Any(h => h.Params.Any(p => p.IsArray)) ? 2 : 0, DeclareFrozenArray(s)));
        }

        /// <summary>A local array with initial values, read-only from the start (an argument for helpers with array parameters).</summary>
        private Gen<StatementList> DeclareFrozenArray(Scope s) =>
            from declared in DeclareArray(s)
            let array = declared.After.Arrays[^1]
            select declared with { After = declared.After with { Arrays = declared.After.Arrays.Replace(array, array with { Writable = false }) } };

        /// <summary>
        /// No code: a local array is read-only from here on, so it may be passed to helpers (a local array written after
        /// it was passed to a differentiated call is TN1006, also when the write comes before the call in the same
        /// loop). Only at the top level of the body, so that every later statement sees it read-only.
        /// </summary>
        private Gen<StatementList> Freeze(Scope s) =>
            from array in Elements(s.Arrays.Where(a => a.Freezable).ToList())
            select new StatementList(ImmutableList<Stmt>.Empty, s with { Arrays = s.Arrays.Replace(array, array with { Writable = false }) });

        private static StatementList One(Stmt stmt, Scope after) => new StatementList(ImmutableList.Create(stmt), after);

        private Gen<StatementList> DeclareDouble(Scope s)
        {
            string name = s.Fresh("v", out Scope next);
            var after = next with { Doubles = next.Doubles.Add(name), Locals = next.Locals.Add(name), Assignable = next.Assignable.Add(name) };
            // Not loop-carried, so unbounded values are fine even in loops.
            // Always 'double v', not 'var v': Math.Sign and Math.Max of two ints are ints.
            return from depth in Weighted((1, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Constant(3)))
                   from init in Double(s, depth)
                   select One(new Declare("double", name, init), after);
        }

        private Gen<StatementList> AssignDouble(Scope s)
        {
            // Inside loops a variable may be updated many times: keep its value bounded (a bounded value, a bounded
            // increment, a factor of at most 1 in size, or a division by at least 2).
            Gen<Expr> Free(int depth) => s.InLoop ? Bounded(s, depth) : Double(s, depth);
            return from target in Elements(s.Assignable)
                   from assignment in Weighted(
                       // Self-assignments 'v = v;' included (they once dropped the adjoint: a regression test covers it).
                       (4, Free(2).Select(v => (Op: "=", Value: v))),
                       (3, Free(2).Select(v => (Op: "+=", Value: v))),
                       (2, Free(2).Select(v => (Op: "-=", Value: v))),
                       (2, (s.InLoop ? Bounded(s, 2) : Double(s, 1)).Select(v => (Op: "*=", Value: v))),
                       (1, Denominator(s, 1).Select(v => (Op: "/=", Value: v))))
                   select One(new Assign(target, assignment.Op, assignment.Value), s);
        }

        private Gen<StatementList> DeclareInt(Scope s)
        {
            string name = s.Fresh("c", out Scope next);
            var after = next with { Ints = next.Ints.Add(name), IntLocals = next.IntLocals.Add(name) };
            return from init in Int(s)
                   select One(new Declare("int", name, init), after);
        }

        private Gen<StatementList> AssignInt(Scope s) =>
            from target in Elements(s.IntLocals)
            from stmt in Weighted(
                (2, Gen.Constant((Stmt)new Assign(target, "++", null))),
                (1, Gen.Choose(1, 3).Select(v => (Stmt)new Assign(target, "+=", Leaf.Int(v)))),
                (1, Int(s).Select(v => (Stmt)new Assign(target, "=", v))))
            select One(stmt, s);

        /// <summary>
        /// A local array, never inside a loop: an array that carries derivatives must be created exactly once
        /// (TN1005). Creation inside an if branch is allowed and generated.
        /// </summary>
        private Gen<StatementList> DeclareArray(Scope s)
        {
            string name = s.Fresh("arr", out Scope next);
            var after = next with
            {
                Arrays = next.Arrays.Add(new ArrayVar(name, true)),
                Bounds = next.Bounds.Add(new Leaf(name + ".Length", Ty.Int)),
            };
            var sizes = ImmutableList.Create<Expr>(Leaf.Int(L)).AddRange(s.Arrays.Select(a => (Expr)new Leaf(a.Name + ".Length", Ty.Int)));
            return Weighted(
                (4, Elements(sizes).Select(size => new DeclareArray(name, ArrayForm.NewSized, size, ImmutableArray<Expr>.Empty))),
                (1, Gen.ListOf(Double(s, 1), L).Select(e => new DeclareArray(name, ArrayForm.Initializer, null, e.ToImmutableArray()))),
                (1, Gen.ListOf(Double(s, 1), L).Select(e => new DeclareArray(name, ArrayForm.CollectionExpression, null, e.ToImmutableArray()))))
                .Select(d => One(d, after));
        }

        private Gen<StatementList> StoreElement(Scope s, ImmutableList<ArrayVar> writable) =>
            from array in Elements(writable)
            from index in Elements(s.Indices)
            from store in Weighted(
                (4, (s.InLoop ? Bounded(s, 2) : Double(s, 2)).Select(v => (Op: "=", Value: v))),
                (4, (s.InLoop ? Bounded(s, 2) : Double(s, 2)).Select(v => (Op: "+=", Value: v))),
                (1, (s.InLoop ? Bounded(s, 2) : Double(s, 2)).Select(v => (Op: "-=", Value: v))),
                (1, Bounded(s, 1).Select(v => (Op: "*=", Value: v))),
                (1, Denominator(s, 1).Select(v => (Op: "/=", Value: v))))
            select One(new Store(array.Name, index, store.Op, store.Value), s);

        private Gen<StatementList> IfElse(Scope s)
        {
            var inner = s with { Nesting = s.Nesting + 1 };
            return from condition in Condition(s, 2)
                   from then in NestedBlock(inner, 1, 4 - s.Nesting)
                   from hasElse in Gen.Elements(true, false)
                   from otherwise in hasElse
                       ? NestedBlock(inner with { Next = then.After.Next }, 1, 4 - s.Nesting).Select(b => ((Block?)b.Block, b.After))
                       : Gen.Constant(((Block?)null, then.After))
                   select One(new If(condition, then.Block, otherwise.Item1), s with { Next = otherwise.After.Next });
        }

        private Gen<StatementList> ForLoop(Scope s)
        {
            string i = s.Fresh("i", out Scope next);
            var inner = next with
            {
                LoopDepth = next.LoopDepth + 1,
                Nesting = next.Nesting + 1,
                Ints = next.Ints.Add(i),
                // i < bound <= L: an index, a bound, and i + 1 a bound (triangular inner loops).
                Indices = next.Indices.Add(new Leaf(i, Ty.Int)).Add(new Binary("%", new Binary("+", new Leaf(i, Ty.Int), Leaf.Int(1)), Leaf.Int(L))),
                Bounds = next.Bounds.Add(new Leaf(i, Ty.Int)).Add(new Binary("+", new Leaf(i, Ty.Int), Leaf.Int(1))),
            };
            return from bound in Elements(s.Bounds)
                   from body in NestedBlock(inner, 1, 4 - s.Nesting)
                   select One(new For(i, bound, body.Block), s with { Next = body.After.Next });
        }

        private Gen<StatementList> WhileLoop(Scope s)
        {
            string k = s.Fresh("k", out Scope next);
            // The counter is incremented first, so in the body 1 <= k <= bound and k - 1 is an index.
            var inner = next with
            {
                LoopDepth = next.LoopDepth + 1,
                Nesting = next.Nesting + 1,
                Ints = next.Ints.Add(k),
                Indices = next.Indices.Add(new Binary("-", new Leaf(k, Ty.Int), Leaf.Int(1))),
                Bounds = next.Bounds.Add(new Leaf(k, Ty.Int)),
            };
            var afterLoop = next with { Ints = next.Ints.Add(k) };
            return from bound in Elements(s.Bounds)
                   from hasExtra in Weighted((1, Gen.Constant(false)), (1, Gen.Constant(true)))
                   from extra in hasExtra ? Condition(s, 1).Select(c => (Expr?)c) : Gen.Constant((Expr?)null)
                   from isDo in Weighted((3, Gen.Constant(false)), (1, Gen.Constant(true)))
                   from body in NestedBlock(inner, 1, 4 - s.Nesting)
                   select One(new While(k, bound, extra, isDo, body.Block), afterLoop with { Next = body.After.Next });
        }

        private Gen<StatementList> ForEachLoop(Scope s)
        {
            string e = s.Fresh("e", out Scope next);
            var inner = next with
            {
                LoopDepth = next.LoopDepth + 1,
                Nesting = next.Nesting + 1,
                Doubles = next.Doubles.Add(e),
                Locals = next.Locals.Add(e),
            };
            return from array in Elements(s.Arrays)
                   from body in NestedBlock(inner, 1, 3 - s.Nesting)
                   select One(new ForEach(e, array.Name, body.Block), s with { Next = body.After.Next });
        }

        /// <summary>A nested block and the scope at its end (only its name counter matters to the enclosing block).</summary>
        public sealed record Nested(Block Block, Scope After);

        /// <summary>A block of 1..max statements that may end with break, continue (in loops) or an early return.</summary>
        private Gen<Nested> NestedBlock(Scope s, int min, int max) =>
            from count in Gen.Choose(min, max)
            from statements in Statements(s, count)
            from jump in Jump(statements.After)
            select new Nested(new Block(jump is null ? statements.Items : statements.Items.Add(jump)), statements.After);

        /// <summary>
        /// Jumps end a block (so no statement is unreachable); they are generated only as the last statement of a
        /// nested block, which is how they appear in real code (<c>if (...) { ...; break; }</c>).
        /// </summary>
        private Gen<Stmt?> Jump(Scope s)
        {
            var arrays = s.Arrays.Where(a => a.Writable).ToImmutableList();
            return Weighted(
                (12, Gen.Constant((Stmt?)null)),
                (s.InLoop ? 2 : 0, Gen.Constant((Stmt?)new Break())),
                (s.InLoop ? 2 : 0, Gen.Constant((Stmt?)new Continue())),
                (ReturnsArray ? 0 : 2, ResultExpression(s).Select(e => (Stmt?)new Return(e, null))),
                // Early returns of arrays (their adjoint once threw in Shadows.Accumulate: a regression test covers it).
                (ReturnsArray ? ArrayEarlyReturnWeight : 0, Elements(s.Arrays).Select(a => (Stmt?)new Return(null, a.Name))));
        }

        // ------------------------------------------------------------------ expressions

        /// <summary>A double-valued expression of at most <paramref name="depth"/> levels of operators.</summary>
        public Gen<Expr> Double(Scope s, int depth) => Defer(() => DoubleCore(s, depth));

        private Gen<Expr> DoubleCore(Scope s, int depth)
        {
            if (depth <= 0) return DoubleLeaf(s);
            int d = depth - 1;
            return Weighted(
                (4, DoubleLeaf(s)),
                (3, Arithmetic("+", s, d)),
                (2, Arithmetic("-", s, d)),
                (3, Arithmetic("*", s, d)),
                (1, from a in Double(s, d) from b in Int(s) select (Expr)new Binary("*", a, b)),
                (2, from a in Double(s, d) from b in Denominator(s, d) select (Expr)new Binary("/", a, b)),
                (1, Double(s, d).Select(a => (Expr)new Unary("-", a))),
                (6, UnaryFunction(s, d)),
                (2, BinaryFunction(s, d)),
                (1, from c in Condition(s, d) from a in Double(s, d) from b in Double(s, d) select (Expr)new Conditional(c, a, b)),
                (Callable(s).Count > 0 ? (InHelper ? 2 : 4) : 0, HelperCall(s, d)),
                (Self != null && !s.InLoop ? 1 : 0, SelfCall(s, d)),
                // Zero-derivative and discontinuous operations: rare (they make a point near a jump likelier).
                (1, ZeroDerivative(s, d)));
        }

        private Gen<Expr> Arithmetic(string op, Scope s, int depth) =>
            from a in Double(s, depth)
            from b in Double(s, depth)
            select (Expr)new Binary(op, a, b);

        private Gen<Expr> DoubleLeaf(Scope s) =>
            Weighted(
                (6, Elements(s.Doubles).Select(v => (Expr)new Leaf(v, Ty.Double))),
                (s.Locals.IsEmpty ? 0 : 4, Elements(s.Locals).Select(v => (Expr)new Leaf(v, Ty.Double))),
                (2, Literal()),
                (1, Gen.Elements("K0", "K1", "Math.PI").Select(k => (Expr)new Leaf(k, Ty.Double))),
                (1, Int(s).Select(i => (Expr)new Cast(Ty.Double, i))),
                (s.Arrays.IsEmpty ? 0 : 3, ElementRead(s)));

        private Gen<Expr> ElementRead(Scope s) =>
            from array in Elements(s.Arrays)
            from index in Elements(s.Indices)
            select (Expr)new Element(array.Name, index);

        private static Gen<Expr> Literal() =>
            Gen.Elements(0.5, 1.5, 2.0, 0.25, 3.0, 1.0, 0.1, 2.5, -0.5, -1.5, 0.75)
                .Select(v => (Expr)Leaf.Double(v));

        /// <summary>An int expression that is never negative and never divides: variables, literals, sums, remainders.</summary>
        private static Gen<Expr> Int(Scope s) => Defer(() => IntCore(s));

        private static Gen<Expr> IntCore(Scope s)
        {
            var leaves = s.Ints.Select(n => (Expr)new Leaf(n, Ty.Int))
                .Concat(s.Arrays.Select(a => (Expr)new Leaf(a.Name + ".Length", Ty.Int)))
                .ToImmutableList();
            Gen<Expr> leaf = Weighted(
                (leaves.IsEmpty ? 0 : 3, Elements(leaves)),
                (1, Gen.Choose(0, 3).Select(i => (Expr)Leaf.Int(i))));
            return Weighted(
                (4, leaf),
                (1, from a in leaf from b in Gen.Choose(1, 2) select (Expr)new Binary("+", a, Leaf.Int(b))),
                (1, from a in leaf select (Expr)new Binary("%", a, Leaf.Int(2))));
        }

        /// <summary>A value in about [-1, 1] whatever its argument: for everything loop-carried.</summary>
        public Gen<Expr> Bounded(Scope s, int depth) => Defer(() =>
            from e in Double(s, Math.Max(0, depth - 1))
            from f in Weighted(
                (3, Gen.Constant<Func<Expr, Expr>>(x => Call.Double("Math.Sin", x))),
                (3, Gen.Constant<Func<Expr, Expr>>(x => Call.Double("Math.Tanh", x))),
                (2, Gen.Constant<Func<Expr, Expr>>(x => Call.Double("Math.Cos", x))),
                (1, Gen.Constant<Func<Expr, Expr>>(x => Call.Double("Math.Atan", x))),
                (1, Gen.Constant<Func<Expr, Expr>>(x => new Binary("/", x, OnePlusSquare(x, 1.0)))),
                (1, Gen.Constant<Func<Expr, Expr>>(x => Call.Double("double.Sin", x))))
            select f(e));

        /// <summary>A denominator at least 2 in size: <c>2.0 + e * e</c>, or a constant.</summary>
        private Gen<Expr> Denominator(Scope s, int depth) =>
            Weighted(
                (3, Double(s, depth).Select(e => OnePlusSquare(e, 2.0))),
                (1, Gen.Elements(2.0, 3.0, 4.0, -2.5).Select(v => (Expr)Leaf.Double(v))));

        /// <summary><c>c + e * e</c>, which is at least c.</summary>
        private static Expr OnePlusSquare(Expr e, double c) => new Binary("+", Leaf.Double(c), new Binary("*", e, e));

        private Gen<Expr> UnaryFunction(Scope s, int depth)
        {
            Gen<Expr> e = Double(s, depth);
            Gen<Expr> bounded = Bounded(s, depth);
            Gen<Expr> unit = from a in Double(s, depth)
                             from f in Gen.Elements("Math.Sin", "Math.Cos", "Math.Tanh")
                             select (Expr)Call.Double(f, a);
            Gen<string> math = Weighted((5, Gen.Constant("Math")), (1, Gen.Constant("double")));
            return Weighted(
                // Defined everywhere.
                (3, from m in math from a in e select (Expr)Call.Double(m + ".Sin", a)),
                (3, from m in math from a in e select (Expr)Call.Double(m + ".Cos", a)),
                (3, from m in math from a in e select (Expr)Call.Double(m + ".Tanh", a)),
                (1, from a in e select (Expr)Call.Double("Math.Atan", a)),
                (1, from a in e select (Expr)Call.Double("Math.Asinh", a)),
                // Cbrt'(0), like Atan2' and Hypot' at (0, 0), is infinite: an argument that is exactly 0 with a zero
                // derivative (an unwritten element of an active array, x - x) gives 0·∞ = NaN in forward mode where
                // central differences see a constant. Keep the arguments away from 0.
                (1, from a in e select (Expr)Call.Double("Math.Cbrt", OnePlusSquare(a, 0.5))),
                // Bounded arguments, so that values stay moderate.
                (3, from m in math from a in bounded select (Expr)Call.Double(m + ".Exp", a)),
                (1, from a in bounded select (Expr)Call.Double("Math.Sinh", a)),
                (1, from a in bounded select (Expr)Call.Double("Math.Cosh", a)),
                (1, from a in bounded select (Expr)Call.Double("Math.Tan", a)),
                // Arguments guarded into the domain.
                (3, from m in math from a in e select (Expr)Call.Double(m + ".Log", OnePlusSquare(a, 1.0))),
                (3, from m in math from a in e select (Expr)Call.Double(m + ".Sqrt", OnePlusSquare(a, 1.0))),
                (1, from a in e select (Expr)Call.Double("Math.Log10", OnePlusSquare(a, 1.0))),
                (1, from a in e select (Expr)Call.Double("Math.Log2", OnePlusSquare(a, 0.5))),
                (1, from a in e select (Expr)Call.Double("Math.Acosh", OnePlusSquare(a, 1.5))),
                // 0.9 times a value in [-1, 1] (not Bounded, which includes Atan's ±π/2).
                (1, from a in unit select (Expr)Call.Double("Math.Asin", new Binary("*", Leaf.Double(0.9), a))),
                (1, from a in unit select (Expr)Call.Double("Math.Acos", new Binary("*", Leaf.Double(0.9), a))),
                (1, from a in unit select (Expr)Call.Double("Math.Atanh", new Binary("*", Leaf.Double(0.9), a))),
                // Kink at 0.
                (2, from m in math from a in e select (Expr)Call.Double(m + ".Abs", a)),
                // Powers: an integer exponent with any base, or a positive base with a bounded exponent.
                (2, from m in math from a in e from p in Gen.Elements(2.0, 3.0) select (Expr)Call.Double(m + ".Pow", a, Leaf.Double(p))),
                (1, from a in e select (Expr)Call.Double("Math.Pow", a, Leaf.Int(2))),
                (2, from a in e from b in bounded select (Expr)Call.Double("Math.Pow", OnePlusSquare(a, 1.0), b)),
                (1, from a in e select (Expr)Call.Double("Math.Log", OnePlusSquare(a, 1.0), Leaf.Double(3.0))),
                (1, from a in e select (Expr)Call.Double("Math.Clamp", a, Leaf.Double(-1.0), Leaf.Double(1.0))));
        }

        private Gen<Expr> BinaryFunction(Scope s, int depth)
        {
            Gen<Expr> e = Double(s, depth);
            Gen<string> math = Weighted((5, Gen.Constant("Math")), (1, Gen.Constant("double")));
            return Weighted(
                (3, from m in math from a in e from b in e select (Expr)Call.Double(m + ".Max", a, b)),
                (3, from m in math from a in e from b in e select (Expr)Call.Double(m + ".Min", a, b)),
                (2, from a in e from b in e select (Expr)Call.Double("Math.Atan2", a, OnePlusSquare(b, 0.5))),
                (1, from a in e from b in e select (Expr)Call.Double("Math.Atan2", Call.Double("Math.Sin", a), Call.Double("Math.Cos", b))),
                (1, from a in e from b in e select (Expr)Call.Double("double.Hypot", a, OnePlusSquare(b, 0.5))),
                (1, from a in e from b in e from c in e select (Expr)Call.Double("Math.FusedMultiplyAdd", a, b, c)),
                (1, from a in e from b in e select (Expr)Call.Double("Math.Log", OnePlusSquare(a, 1.0), OnePlusSquare(b, 2.0))),
                (1, from a in e from b in e select (Expr)Call.Double("Math.Pow", OnePlusSquare(a, 1.0), Call.Double("Math.Sin", b))));
        }

        /// <summary>Operations whose derivative is zero almost everywhere: Floor, Round, casts to int, Sign; and %, which jumps.</summary>
        private Gen<Expr> ZeroDerivative(Scope s, int depth)
        {
            Gen<Expr> e = Double(s, depth);
            return Weighted(
                // An int argument (Math.Sign) would make Math.Floor(int) ambiguous between double and decimal.
                (1, from f in Gen.Elements("Math.Floor", "Math.Ceiling", "Math.Round", "Math.Truncate") from a in e
                    select (Expr)Call.Double(f, a.Type == Ty.Double ? a : new Cast(Ty.Double, a))),
                (1, from a in e select (Expr)new Cast(Ty.Double, new Cast(Ty.Int, a))),
                (1, from a in e select (Expr)new Call("Math.Sign", ImmutableArray.Create(a), Ty.Int)),
                (2, from a in e from b in e select (Expr)new Binary("%", a, OnePlusSquare(b, 1.5))));
        }

        /// <summary>
        /// The helpers a call may go to here: in a helper, none inside loops; helpers with an array or span parameter only
        /// when a read-only array is in scope (a parameter array, or a frozen local array).
        /// </summary>
        private IReadOnlyList<CallTarget> Callable(Scope s)
        {
            if (Helpers.Count == 0 || InHelper && s.InLoop) return Array.Empty<CallTarget>();
            bool anyArray = s.Arrays.Any(a => !a.Writable), realArray = s.Arrays.Any(a => !a.Writable && !a.IsSpan);
            return Helpers.Where(h => h.Params.All(p => p.Kind switch
            {
                ParamKind.DoubleArray => realArray,
                ParamKind.Span => anyArray,
                _ => true,
            })).ToList();
        }

        /// <summary>A call of a previously generated [Differentiable] helper; its arguments may call helpers too.</summary>
        private Gen<Expr> HelperCall(Scope s, int depth) =>
            from helper in Elements(Callable(s))
            from args in Arguments(s, helper, depth, self: false)
            select (Expr)new Call(helper.Name, args, Ty.Double);


        /// <summary>
        /// A recursive helper's call of itself: bounded arguments, <c>depth - 1</c>, and the result through a bounded or
        /// contracting function, so that values stay moderate whatever the depth.
        /// </summary>
        private Gen<Expr> SelfCall(Scope s, int depth) => Defer(() =>
            from args in Arguments(s, Self!, depth, self: true)
            from wrap in Gen.Elements<Func<Expr, Expr>>(
                e => Call.Double("Math.Sin", e),
                e => Call.Double("Math.Tanh", e),
                e => Call.Double("Math.Atan", e),
                e => new Binary("*", Leaf.Double(0.5), e))
            select wrap(new Call(Self!.Name, args, Ty.Double)));

        /// <summary>
        /// Arguments by parameter kind: any double expression for a double; a bound (in [0, L], it may bound loops
        /// that index arrays) for an int, <c>depth - 1</c> for the depth of a recursive call; an inactive value (a
        /// literal, a constant, an int) for a [NoDerivative] double; a read-only array for an array or span.
        /// </summary>
        private Gen<ImmutableArray<Expr>> Arguments(Scope s, CallTarget target, int depth, bool self)
        {
            var passable = s.Arrays.Where(a => !a.Writable).ToImmutableList();
            Gen<Expr> Argument(Param p) => p.Kind switch
            {
                ParamKind.Double when p.NoDerivative => InactiveDouble(s),
                ParamKind.Double => self ? Bounded(s, depth) : Double(s, depth),
                // A leaf, so that the minimizer cannot turn 'depth - 1' into 'depth' (infinite recursion).
                ParamKind.Int when self && p.Name == "depth" => Gen.Constant((Expr)new Leaf("depth - 1", Ty.Int)),
                ParamKind.Int => Elements(s.Bounds),
                ParamKind.DoubleArray => Elements(passable.Where(a => !a.IsSpan).ToList()).Select(a => (Expr)new Leaf(a.Name, Ty.Array)),
                _ => Elements(passable).Select(a => (Expr)new Leaf(a.Name, Ty.Array)),
            };
            Gen<ImmutableArray<Expr>> args = Gen.Constant(ImmutableArray<Expr>.Empty);
            foreach (var p in target.Params)
            {
                var param = p;
                args = from before in args from a in Argument(param) select before.Add(a);
            }
            return args;
        }

        /// <summary>A value that carries no derivative, for a [NoDerivative] double parameter.</summary>
        private static Gen<Expr> InactiveDouble(Scope s) =>
            Weighted(
                (3, Literal()),
                (1, Gen.Elements("K0", "K1", "Math.PI").Select(k => (Expr)new Leaf(k, Ty.Double))),
                (2, Int(s).Select(i => (Expr)new Cast(Ty.Double, i))),
                (1, from a in Literal() from i in Int(s) select (Expr)new Binary("*", a, new Cast(Ty.Double, i))));

        /// <summary>A bool: comparisons of doubles (most), of ints, and their combinations.</summary>
        public Gen<Expr> Condition(Scope s, int depth) => Defer(() => ConditionCore(s, depth));

        private Gen<Expr> ConditionCore(Scope s, int depth)
        {
            int d = Math.Max(0, depth - 1);
            Gen<Expr> compare = from op in Gen.Elements("<", ">", "<=", ">=")
                                from a in Double(s, d)
                                from b in Weighted((2, Double(s, d)), (1, Literal()))
                                select (Expr)new Binary(op, a, b);
            Gen<Expr> intCompare = from op in Gen.Elements("<", ">", "==", "!=")
                                   from a in Int(s)
                                   from b in Int(s)
                                   select (Expr)new Binary(op, a, b);
            if (depth <= 0) return Weighted((4, compare), (1, intCompare));
            return Weighted(
                (6, compare),
                (2, intCompare),
                (1, from a in Condition(s, d) from b in Condition(s, d) select (Expr)new Binary("&&", a, b)),
                (1, from a in Condition(s, d) from b in Condition(s, d) select (Expr)new Binary("||", a, b)),
                (1, Condition(s, d).Select(a => (Expr)new Unary("!", a))));
        }

        // ------------------------------------------------------------------ helpers

        /// <summary>
        /// A generator built only when a value is drawn from it. The productions are recursive, and C# evaluates the
        /// first source of a query eagerly, so building every alternative up front would be exponential in depth.
        /// </summary>
        public static Gen<T> Elements<T>(IReadOnlyList<T> items) => Defer(() => Gen.Elements<T>(items));

        public static Gen<T> Defer<T>(Func<Gen<T>> make) => Gen.Constant(0).SelectMany(_ => make());

        /// <summary><c>Gen.Frequency</c> that ignores alternatives of weight 0 (not applicable in this scope).</summary>
        public static Gen<T> Weighted<T>(params (int Weight, Gen<T> Gen)[] options)
        {
            var usable = options.Where(o => o.Weight > 0).ToArray();
            if (usable.Length == 1) return usable[0].Gen;
            return Gen.Frequency(usable.Select((o, i) => (o.Weight, Gen.Constant(i))).ToArray()).SelectMany(i => usable[i].Gen);
        }
    }
}
