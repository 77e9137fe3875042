using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Tangent.Generator.Tests.RandomPrograms
{
    // A small, typed AST of the random [Differentiable] methods: what ProgramGrammar generates, what
    // ProgramMutations edits, what ProgramMinimizer shrinks, and what RandomProgram.Print turns into C#.

    /// <summary>Expression types; <see cref="Array"/> is an array or span passed as an argument (never an operand).</summary>
    public enum Ty { Double, Int, Bool, Array }

    /// <summary>An expression; printed with the parentheses C# needs and no more.</summary>
    public abstract record Expr(Ty Type)
    {
        /// <summary>Binding strength: 100 primary, 90 unary/cast, 80 multiplicative, 70 additive, 60 relational, 55 equality, 40 &amp;&amp;, 35 ||, 20 ?:.</summary>
        public abstract int Precedence { get; }

        public abstract IReadOnlyList<Expr> Children { get; }

        public abstract Expr WithChildren(IReadOnlyList<Expr> children);

        public abstract void Print(StringBuilder sb);

        public sealed override string ToString()
        {
            var sb = new StringBuilder();
            Print(sb);
            return sb.ToString();
        }

        public int Size => 1 + Children.Sum(c => c.Size);

        /// <summary>This expression and all expressions in it, pre-order.</summary>
        public IEnumerable<Expr> Descendants() => Children.SelectMany(c => c.Descendants()).Prepend(this);

        /// <summary>Rewrites bottom-up.</summary>
        public Expr Map(Func<Expr, Expr> f) => f(Children.Count == 0 ? this : WithChildren(Children.Select(c => c.Map(f)).ToList()));

        protected static void PrintChild(StringBuilder sb, Expr child, int minimum)
        {
            if (child.Precedence < minimum)
            {
                sb.Append('(');
                child.Print(sb);
                sb.Append(')');
            }
            else
            {
                child.Print(sb);
            }
        }
    }

    /// <summary>A literal, a variable, a constant field or <c>a.Length</c>: anything printed as is.</summary>
    public sealed record Leaf(string Text, Ty T) : Expr(T)
    {
        public override int Precedence => Text.StartsWith("-", StringComparison.Ordinal) ? 90 : 100;
        public override IReadOnlyList<Expr> Children => Array.Empty<Expr>();
        public override Expr WithChildren(IReadOnlyList<Expr> children) => this;
        public override void Print(StringBuilder sb) => sb.Append(Text);

        public static Leaf Double(double value)
        {
            string s = value.ToString("R", CultureInfo.InvariantCulture);
            if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0) s += ".0";
            return new Leaf(s, Ty.Double);
        }

        public static Leaf Int(int value) => new Leaf(value.ToString(CultureInfo.InvariantCulture), Ty.Int);
    }

    /// <summary><c>-e</c> or <c>!e</c>.</summary>
    public sealed record Unary(string Op, Expr Operand) : Expr(Operand.Type)
    {
        public override int Precedence => 90;
        public override IReadOnlyList<Expr> Children => new[] { Operand };
        public override Expr WithChildren(IReadOnlyList<Expr> c) => this with { Operand = c[0] };

        public override void Print(StringBuilder sb)
        {
            sb.Append(Op);
            // "- -x" must not become "--x", nor "- -1.0" become "--1.0".
            bool clash = Operand is Unary || Operand.Precedence < 90 || (Operand is Leaf l && l.Text.StartsWith("-", StringComparison.Ordinal));
            if (clash)
            {
                sb.Append('(');
                Operand.Print(sb);
                sb.Append(')');
            }
            else
            {
                Operand.Print(sb);
            }
        }
    }

    /// <summary>A binary operator; the type is the C# result type (int op int is int, anything with a double is double).</summary>
    public sealed record Binary(string Op, Expr Left, Expr Right) : Expr(ResultType(Op, Left, Right))
    {
        public override int Precedence => OperatorPrecedence(Op);
        public override IReadOnlyList<Expr> Children => new[] { Left, Right };
        public override Expr WithChildren(IReadOnlyList<Expr> c) => new Binary(Op, c[0], c[1]);

        public override void Print(StringBuilder sb)
        {
            PrintChild(sb, Left, Precedence);
            sb.Append(' ').Append(Op).Append(' ');
            PrintChild(sb, Right, Precedence + 1);
        }

        public static int OperatorPrecedence(string op) => op switch
        {
            "*" or "/" or "%" => 80,
            "+" or "-" => 70,
            "<" or ">" or "<=" or ">=" => 60,
            "==" or "!=" => 55,
            "&&" => 40,
            "||" => 35,
            _ => throw new ArgumentException(op),
        };

        private static Ty ResultType(string op, Expr left, Expr right) => op switch
        {
            "<" or ">" or "<=" or ">=" or "==" or "!=" or "&&" or "||" => Ty.Bool,
            _ => left.Type == Ty.Double || right.Type == Ty.Double ? Ty.Double : Ty.Int,
        };
    }

    /// <summary>A call such as <c>Math.Sin(e)</c>; <see cref="Expr.Type"/> is given (Math.Max of two ints is an int).</summary>
    public sealed record Call(string Function, ImmutableArray<Expr> Args, Ty T) : Expr(T)
    {
        public override int Precedence => 100;
        public override IReadOnlyList<Expr> Children => Args;
        public override Expr WithChildren(IReadOnlyList<Expr> c) => this with { Args = c.ToImmutableArray() };

        public override void Print(StringBuilder sb)
        {
            sb.Append(Function).Append('(');
            for (int i = 0; i < Args.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                Args[i].Print(sb);
            }
            sb.Append(')');
        }

        public static Call Double(string function, params Expr[] args) => new Call(function, args.ToImmutableArray(), Ty.Double);
    }

    /// <summary><c>c ? a : b</c>.</summary>
    public sealed record Conditional(Expr Condition, Expr WhenTrue, Expr WhenFalse)
        : Expr(WhenTrue.Type == Ty.Double || WhenFalse.Type == Ty.Double ? Ty.Double : WhenTrue.Type)
    {
        public override int Precedence => 20;
        public override IReadOnlyList<Expr> Children => new[] { Condition, WhenTrue, WhenFalse };
        public override Expr WithChildren(IReadOnlyList<Expr> c) => new Conditional(c[0], c[1], c[2]);

        public override void Print(StringBuilder sb)
        {
            PrintChild(sb, Condition, 21);
            sb.Append(" ? ");
            PrintChild(sb, WhenTrue, 21);
            sb.Append(" : ");
            PrintChild(sb, WhenFalse, 21);
        }
    }

    /// <summary><c>array[index]</c>.</summary>
    public sealed record Element(string Array, Expr Index) : Expr(Ty.Double)
    {
        public override int Precedence => 100;
        public override IReadOnlyList<Expr> Children => new[] { Index };
        public override Expr WithChildren(IReadOnlyList<Expr> c) => this with { Index = c[0] };

        public override void Print(StringBuilder sb)
        {
            sb.Append(Array).Append('[');
            Index.Print(sb);
            sb.Append(']');
        }
    }

    /// <summary><c>(double)e</c> or <c>(int)e</c>.</summary>
    public sealed record Cast(Ty To, Expr Operand) : Expr(To)
    {
        public override int Precedence => 90;
        public override IReadOnlyList<Expr> Children => new[] { Operand };
        public override Expr WithChildren(IReadOnlyList<Expr> c) => this with { Operand = c[0] };

        public override void Print(StringBuilder sb)
        {
            sb.Append(To == Ty.Double ? "(double)" : "(int)");
            PrintChild(sb, Operand, 100);
        }
    }

    // ------------------------------------------------------------------ statements

    public abstract record Stmt
    {
        public abstract void Print(StringBuilder sb, int indent);

        /// <summary>Nested blocks (for mutation and shrinking).</summary>
        public virtual IReadOnlyList<Block> Blocks => Array.Empty<Block>();

        public virtual Stmt WithBlocks(IReadOnlyList<Block> blocks) => this;

        /// <summary>Expressions directly in this statement (not in nested blocks).</summary>
        public virtual IReadOnlyList<Expr> Exprs => Array.Empty<Expr>();

        public virtual Stmt WithExprs(IReadOnlyList<Expr> exprs) => this;

        protected static StringBuilder Line(StringBuilder sb, int indent) => sb.Append(' ', 4 * indent);
    }

    public sealed record Block(ImmutableList<Stmt> Items)
    {
        public static readonly Block Empty = new Block(ImmutableList<Stmt>.Empty);

        public void Print(StringBuilder sb, int indent)
        {
            sb.Append(' ', 4 * indent).AppendLine("{");
            foreach (var s in Items) s.Print(sb, indent + 1);
            sb.Append(' ', 4 * indent).AppendLine("}");
        }

        /// <summary>Statements in this block and all nested blocks.</summary>
        public int Count => Items.Sum(s => 1 + s.Blocks.Sum(b => b.Count));

        /// <summary>The expressions of all statements, nested blocks included (top-level expressions only).</summary>
        public IEnumerable<Expr> AllExprs() => Items.SelectMany(s => s.Exprs.Concat(s.Blocks.SelectMany(b => b.AllExprs())));

        /// <summary>Every expression rewritten bottom-up by <paramref name="f"/>.</summary>
        public Block MapExprs(Func<Expr, Expr> f) => new Block(Items.Select(s =>
        {
            var mapped = s.Exprs.Count == 0 ? s : s.WithExprs(s.Exprs.Select(e => e.Map(f)).ToList());
            return mapped.Blocks.Count == 0 ? mapped : mapped.WithBlocks(mapped.Blocks.Select(b => b.MapExprs(f)).ToList());
        }).ToImmutableList());
    }

    /// <summary><c>double v = e;</c>, <c>var v = e;</c> or <c>int c = e;</c>.</summary>
    public sealed record Declare(string TypeText, string Name, Expr Init) : Stmt
    {
        public override void Print(StringBuilder sb, int indent) => Line(sb, indent).Append(TypeText).Append(' ').Append(Name).Append(" = ").Append(Init).AppendLine(";");
        public override IReadOnlyList<Expr> Exprs => new[] { Init };
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => this with { Init = e[0] };
    }

    /// <summary><c>v = e;</c>, <c>v += e;</c> ... or <c>c++;</c> (Op "++", Value null).</summary>
    public sealed record Assign(string Target, string Op, Expr? Value) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            Line(sb, indent).Append(Target);
            if (Value is null) sb.Append(Op).AppendLine(";");
            else sb.Append(' ').Append(Op).Append(' ').Append(Value).AppendLine(";");
        }

        public override IReadOnlyList<Expr> Exprs => Value is null ? Array.Empty<Expr>() : new[] { Value };
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => Value is null ? this : this with { Value = e[0] };
    }

    /// <summary>How a local array is created.</summary>
    public enum ArrayForm { NewSized, Initializer, CollectionExpression }

    /// <summary><c>double[] a = new double[n];</c>, <c>var a = new double[] { e, ... };</c> or <c>double[] a = [e, ...];</c>.</summary>
    public sealed record DeclareArray(string Name, ArrayForm Form, Expr? Size, ImmutableArray<Expr> Elements) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            Line(sb, indent);
            switch (Form)
            {
                case ArrayForm.NewSized:
                    sb.Append("double[] ").Append(Name).Append(" = new double[").Append(Size).AppendLine("];");
                    break;
                case ArrayForm.Initializer:
                    sb.Append("var ").Append(Name).Append(" = new double[] { ").Append(string.Join(", ", Elements)).AppendLine(" };");
                    break;
                default:
                    sb.Append("double[] ").Append(Name).Append(" = [").Append(string.Join(", ", Elements)).AppendLine("];");
                    break;
            }
        }

        public override IReadOnlyList<Expr> Exprs => Form == ArrayForm.NewSized ? Array.Empty<Expr>() : Elements;
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => Form == ArrayForm.NewSized ? this : this with { Elements = e.ToImmutableArray() };
    }

    /// <summary><c>a[i] op e;</c> with op one of = += -= *= /=.</summary>
    public sealed record Store(string Array, Expr Index, string Op, Expr Value) : Stmt
    {
        public override void Print(StringBuilder sb, int indent) => Line(sb, indent).Append(Array).Append('[').Append(Index).Append("] ").Append(Op).Append(' ').Append(Value).AppendLine(";");
        public override IReadOnlyList<Expr> Exprs => new[] { Value };
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => this with { Value = e[0] };
    }

    public sealed record If(Expr Condition, Block Then, Block? Else) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            Line(sb, indent).Append("if (").Append(Condition).AppendLine(")");
            Then.Print(sb, indent);
            if (Else != null)
            {
                Line(sb, indent).AppendLine("else");
                Else.Print(sb, indent);
            }
        }

        public override IReadOnlyList<Block> Blocks => Else is null ? new[] { Then } : new[] { Then, Else };
        public override Stmt WithBlocks(IReadOnlyList<Block> b) => this with { Then = b[0], Else = Else is null ? null : b[1] };
        public override IReadOnlyList<Expr> Exprs => new[] { Condition };
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => this with { Condition = e[0] };
    }

    /// <summary><c>for (int i = 0; i &lt; bound; i++) body</c>.</summary>
    public sealed record For(string Variable, Expr Bound, Block Body) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            Line(sb, indent).Append("for (int ").Append(Variable).Append(" = 0; ").Append(Variable).Append(" < ").Append(Bound).Append("; ").Append(Variable).AppendLine("++)");
            Body.Print(sb, indent);
        }

        public override IReadOnlyList<Block> Blocks => new[] { Body };
        public override Stmt WithBlocks(IReadOnlyList<Block> b) => this with { Body = b[0] };
    }

    /// <summary>
    /// <c>int k = 0; while (k &lt; bound [&amp;&amp; extra]) { k++; body }</c>, or the <c>do { k++; body } while (...)</c> form.
    /// The counter is incremented first, so that <c>continue</c> cannot loop forever.
    /// </summary>
    public sealed record While(string Counter, Expr Bound, Expr? Extra, bool IsDo, Block Body) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            Line(sb, indent).Append("int ").Append(Counter).AppendLine(" = 0;");
            string condition = Counter + " < " + Bound + (Extra is null ? "" : " && " + Paren(Extra, 41));
            if (!IsDo) Line(sb, indent).Append("while (").Append(condition).AppendLine(")");
            else Line(sb, indent).AppendLine("do");
            Line(sb, indent).AppendLine("{");
            Line(sb, indent + 1).Append(Counter).AppendLine("++;");
            foreach (var s in Body.Items) s.Print(sb, indent + 1);
            Line(sb, indent).Append('}');
            if (IsDo) sb.Append(" while (").Append(condition).Append(");");
            sb.AppendLine();
        }

        private static string Paren(Expr e, int minimum) => e.Precedence < minimum ? "(" + e + ")" : e.ToString();

        public override IReadOnlyList<Block> Blocks => new[] { Body };
        public override Stmt WithBlocks(IReadOnlyList<Block> b) => this with { Body = b[0] };
        public override IReadOnlyList<Expr> Exprs => Extra is null ? Array.Empty<Expr>() : new[] { Extra };
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => Extra is null ? this : this with { Extra = e[0] };
    }

    /// <summary><c>foreach (double v in array) body</c>.</summary>
    public sealed record ForEach(string Variable, string Array, Block Body) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            Line(sb, indent).Append("foreach (double ").Append(Variable).Append(" in ").Append(Array).AppendLine(")");
            Body.Print(sb, indent);
        }

        public override IReadOnlyList<Block> Blocks => new[] { Body };
        public override Stmt WithBlocks(IReadOnlyList<Block> b) => this with { Body = b[0] };
    }

    public sealed record Break : Stmt
    {
        public override void Print(StringBuilder sb, int indent) => Line(sb, indent).AppendLine("break;");
    }

    public sealed record Continue : Stmt
    {
        public override void Print(StringBuilder sb, int indent) => Line(sb, indent).AppendLine("continue;");
    }

    /// <summary><c>return e;</c> (a double) or <c>return array;</c>.</summary>
    public sealed record Return(Expr? Value, string? Array) : Stmt
    {
        public override void Print(StringBuilder sb, int indent) => Line(sb, indent).Append("return ").Append(Value?.ToString() ?? Array).AppendLine(";");
        public override IReadOnlyList<Expr> Exprs => Value is null ? System.Array.Empty<Expr>() : new[] { Value };
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => Value is null ? this : this with { Value = e[0] };
    }

    /// <summary>Verbatim lines (mutations insert these); <see cref="Marker"/> names the mutation.</summary>
    public sealed record Raw(string Text, string Marker) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            foreach (string line in Text.Split('\n'))
                Line(sb, indent).AppendLine(line.TrimEnd('\r'));
        }
    }

    // ------------------------------------------------------------------ programs

    /// <summary>Parameter kinds; <see cref="Span"/> (<c>ReadOnlySpan&lt;double&gt;</c>) only in helpers (reflection cannot pass spans).</summary>
    public enum ParamKind { Double, Int, DoubleArray, Span }

    /// <summary>A parameter; <see cref="NoDerivative"/> prints <c>[NoDerivative]</c> (helpers only).</summary>
    public sealed record Param(ParamKind Kind, string Name, bool NoDerivative = false)
    {
        public string TypeText => Kind switch { ParamKind.Double => "double", ParamKind.Int => "int", ParamKind.Span => "ReadOnlySpan<double>", _ => "double[]" };

        public string Declaration => (NoDerivative ? "[NoDerivative] " : "") + TypeText + " " + Name;

        /// <summary>Whether the parameter carries a derivative (the callee's tangent and adjoint have a slot for it).</summary>
        public bool IsActive => !NoDerivative && Kind != ParamKind.Int;

        public bool IsArray => Kind is ParamKind.DoubleArray or ParamKind.Span;

        /// <summary>The derivative parameter's name: <c>x0</c> → <c>dX0</c>.</summary>
        public string DerivativeName => "d" + char.ToUpperInvariant(Name[0]) + Name.Substring(1);
    }

    /// <summary>
    /// <c>if (depth &lt;= 0) { return e; }</c>: the base case of a recursive helper. A statement of its own (not an
    /// <see cref="If"/>) so that the minimizer never removes it or replaces it by its body (that would recurse forever).
    /// </summary>
    public sealed record RecursionGuard(string Condition, Expr Base) : Stmt
    {
        public override void Print(StringBuilder sb, int indent)
        {
            Line(sb, indent).Append("if (").Append(Condition).AppendLine(")");
            Line(sb, indent).AppendLine("{");
            Line(sb, indent + 1).Append("return ").Append(Base).AppendLine(";");
            Line(sb, indent).AppendLine("}");
        }

        public override IReadOnlyList<Expr> Exprs => new[] { Base };
        public override Stmt WithExprs(IReadOnlyList<Expr> e) => this with { Base = e[0] };
    }

    /// <summary>
    /// One random [Differentiable] method. All arrays (parameters and locals) have length <see cref="ArrayLength"/>;
    /// int parameters take values in 0..ArrayLength (they bound loops that index arrays).
    /// <see cref="Signature"/> is a signature mutation ("ref", "in", "&lt;T&gt;"...) or null.
    /// <para>
    /// <see cref="Helpers"/> are the static [Differentiable] methods it may call, generated first from the same seed
    /// and printed in the same class, named <c>{Name}_h0</c>, <c>{Name}_h1</c>, ... (helper k may call helpers before
    /// it, and itself when <see cref="Recursive"/>). A helper has no helpers of its own. <see cref="Differentiable"/>
    /// false prints a plain static method (the TN2001 mutation); <see cref="ExpressionBodied"/> prints
    /// <c>=&gt; e;</c> for a body that is a single return.
    /// </para>
    /// </summary>
    public sealed record RandomProgram(
        string Name,
        ImmutableArray<Param> Params,
        bool ReturnsArray,
        int ArrayLength,
        Block Body,
        ulong Seed,
        int Index,
        string? Signature = null)
    {
        public ImmutableArray<RandomProgram> Helpers { get; init; } = ImmutableArray<RandomProgram>.Empty;

        public bool Recursive { get; init; }

        public bool Differentiable { get; init; } = true;

        public bool ExpressionBodied { get; init; }

        public string Modifiers { get; init; } = "public static";

        public IEnumerable<Param> ActiveParams => Params.Where(p => p.Kind != ParamKind.Int);

        /// <summary>This method and its helpers (helpers first).</summary>
        public string Print(int indent = 1)
        {
            var sb = new StringBuilder();
            foreach (var h in Helpers)
            {
                sb.Append(h.PrintMethod(indent));
                sb.AppendLine();
            }
            sb.Append(PrintMethod(indent));
            return sb.ToString();
        }

        /// <summary>Just this method.</summary>
        public string PrintMethod(int indent = 1)
        {
            var sb = new StringBuilder();
            if (Differentiable) sb.Append(' ', 4 * indent).AppendLine("[Differentiable]");
            sb.Append(' ', 4 * indent).Append(Modifiers).Append(' ').Append(Signature ?? DefaultSignature());
            if (ExpressionBodied && Body.Items.Count == 1 && Body.Items[0] is Return { Value: { } value })
            {
                sb.Append(" => ").Append(value).AppendLine(";");
                return sb.ToString();
            }
            sb.AppendLine();
            Body.Print(sb, indent);
            return sb.ToString();
        }

        public string DefaultSignature() =>
            (ReturnsArray ? "double[] " : "double ") + Name + "(" + string.Join(", ", Params.Select(p => p.Declaration)) + ")";

        /// <summary>A complete compilation unit holding just this program (what a failure report shows).</summary>
        public string PrintStandalone() => ProgramBatch.Source("Repro", new[] { this });

        /// <summary>The names of this method and its helpers.</summary>
        public IEnumerable<string> MethodNames => Helpers.Select(h => h.Name).Prepend(Name);

        /// <summary>The name of helper <paramref name="k"/> of the method <paramref name="owner"/>.</summary>
        public static string HelperName(string owner, int k) => owner + "_h" + k.ToString(CultureInfo.InvariantCulture);

        /// <summary>Renamed, with its helpers and every call of them (the minimizer compiles renamed copies side by side).</summary>
        public RandomProgram Renamed(string name)
        {
            if (name == Name) return this;
            string oldPrefix = Name + "_h", newPrefix = name + "_h";
            Expr Rename(Expr e) => e is Call c && c.Function.StartsWith(oldPrefix, StringComparison.Ordinal)
                ? c with { Function = newPrefix + c.Function.Substring(oldPrefix.Length) }
                : e;
            return this with
            {
                Name = name,
                Signature = Signature?.Replace(" " + Name + "(", " " + name + "(", StringComparison.Ordinal).Replace(" " + Name + "<", " " + name + "<", StringComparison.Ordinal),
                Body = Body.MapExprs(Rename),
                Helpers = Helpers.Select(h => h with { Name = newPrefix + h.Name.Substring(oldPrefix.Length), Body = h.Body.MapExprs(Rename) }).ToImmutableArray(),
            };
        }

        /// <summary>Calls of this program's helpers in its body and in the helpers' bodies.</summary>
        public IEnumerable<Call> HelperCalls() =>
            Helpers.SelectMany(h => h.Body.AllExprs()).Concat(Body.AllExprs()).SelectMany(e => e.Descendants())
                .OfType<Call>().Where(c => c.Function.StartsWith(Name + "_h", StringComparison.Ordinal));
    }

    /// <summary>The class that holds a batch of programs, with the members the grammar and the mutations refer to.</summary>
    public static class ProgramBatch
    {
        public const string Members = @"    const double K0 = 1.25;
    static readonly double K1 = 0.75;
    static readonly object Gate = new object();
    public static double Sink;
    static double Opaque(double v) => v + 1;
";

        /// <summary>A compilation unit: the class with <see cref="Members"/> (unless <paramref name="members"/> is false: another part of the partial class has them) and the programs.</summary>
        public static string Source(string className, IEnumerable<RandomProgram> programs, bool members = true)
        {
            var sb = new StringBuilder();
            sb.AppendLine("using System;");
            sb.AppendLine("using Tangent;");
            sb.AppendLine();
            sb.Append("public static partial class ").AppendLine(className);
            sb.AppendLine("{");
            if (members) sb.Append(Members);
            foreach (var p in programs)
            {
                sb.AppendLine();
                sb.Append(p.Print());
            }
            sb.AppendLine("}");
            return sb.ToString();
        }
    }
}
