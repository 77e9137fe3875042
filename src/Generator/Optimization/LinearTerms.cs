using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;
using Tangent.Generator.Transform;

namespace Tangent.Generator.Optimization
{
    /// <summary>
    /// Collects the terms of a derivative expression by the derivative they multiply. Derivative code is linear
    /// in tangents and adjoints, and once the optimizer has folded temporaries into their use the same derivative
    /// often appears in several terms:
    /// <c>dX = (dR * x + r * dX) * difference - product * dX</c> (the tangent of <c>x = r * x * (1 - x)</c>)
    /// becomes <c>dX = x * difference * dR + (r * difference - product) * dX</c>.
    /// The coefficients are computed from primal values only, off the derivative's dependency chain, so a
    /// loop-carried tangent costs one multiply-add per pass instead of a chain of them (the logistic map's tangent
    /// ran at 2× its primal before, 1.2× after).
    /// </summary>
    /// <remarks>
    /// Only expressions built from <c>+ - *</c>, negation and division by a derivative-free divisor are rewritten, and
    /// only when some derivative appears more than once. Every coefficient factor must be pure and of floating type
    /// (a variable known to be <c>double</c>/<c>float</c>, a floating call of an intrinsic, or a literal; divisors
    /// must not be integer literals), so that summing or multiplying coefficients never becomes integer arithmetic.
    /// </remarks>
    public static class LinearTerms
    {
        /// <summary>Rewrites every statement of the body whose value collects; true when something changed.</summary>
        public static bool Collect(CMethod method) => Collect(method.Body, method);

        private static bool Collect(List<CStmt> list, CMethod method)
        {
            bool changed = MergeUpdates(list, method);
            for (int j = 0; j < list.Count; j++)
            {
                switch (list[j])
                {
                    case CDecl d when d.Init != null:
                        if ((Rewrite(d.Init, method) ?? (method.Derivatives.Contains(d.Name) ? RewriteSubstituted(d.Init, list, j, method) : null)) is { } init) { d.Init = init; changed = true; }
                        break;
                    case CAssign a:
                        if ((Rewrite(a.Value, method) ?? (method.Derivatives.Contains(a.Name) ? RewriteSubstituted(a.Value, list, j, method) : null)) is { } value) { a.Value = value; changed = true; }
                        break;
                    case CStore st:
                        if (Rewrite(st.Value, method) is { } stored) { st.Value = stored; changed = true; }
                        break;
                    case CReturn r when r.Value is TupleExpr tuple:
                    {
                        // Forward mode returns (value, tangent).
                        Expr[]? items = null;
                        for (int i = 0; i < tuple.Items.Count; i++)
                        {
                            if (!(Rewrite(tuple.Items[i], method) is { } item)) continue;
                            items ??= tuple.Items.AsImmutableArray().ToArray();
                            items[i] = item;
                        }
                        if (items != null) { r.Value = new TupleExpr(Optimizer.Own(items)); changed = true; }
                        break;
                    }
                    case CReturn r:
                        if (Rewrite(r.Value, method) is { } returned) { r.Value = returned; changed = true; }
                        break;
                    case CIf c:
                        changed |= Collect(c.Then, method);
                        changed |= Collect(c.Else, method);
                        break;
                    case CWhile w:
                        changed |= Collect(w.Body, method);
                        break;
                }
            }
            return changed;
        }

        /// <summary>
        /// Merges consecutive updates of one derivative in a statement list, <c>dX = a; …; dX += b;</c> into
        /// <c>dX = a + b;</c> (and <c>+=</c> followed by <c>+=</c>/<c>-=</c> alike), when no statement between them
        /// mentions <c>dX</c> and the value that moves reads nothing written between. The reverse sweep adds each
        /// operand's contribution in its own statement; merged, the terms can be collected (see
        /// <see cref="RewriteSubstituted"/>). Never across a comment: each primal statement's block stays its own.
        /// </summary>
        private static bool MergeUpdates(List<CStmt> list, CMethod method)
        {
            bool changed = false;
            for (int j = 1; j < list.Count; j++)
            {
                if (!(list[j] is CAssign b) || (b.Op != "+=" && b.Op != "-=") || !method.Derivatives.Contains(b.Name)
                    || !method.Floating.Contains(b.Name) || b.Comment != null || Optimizer.CountReads(b.Value, b.Name) > 0 || !Optimizer.IsPure(b.Value)) continue;
                int i = j - 1;
                while (i >= 0 && !(list[i] is CComment) && !Mentions(list[i], b.Name)) i--;
                if (i < 0 || !(list[i] is CAssign a) || a.Name != b.Name || (a.Op != "=" && a.Op != "+=") || a.Comment != null || !Optimizer.IsPure(a.Value)) continue;
                var merged = new OpExpr(b.Op == "+=" ? Ops.Add : Ops.Subtract, a.Value, b.Value);
                if (!WrittenBetween(a.Value, list, i, j))
                {
                    // Down to the second update: the first one's value is still what it was.
                    b.Value = merged;
                    b.Op = a.Op;
                    list.RemoveAt(i);
                }
                else if (!WrittenBetween(b.Value, list, i, j))
                {
                    // Up to the first one: the second one's value is already what it will be.
                    a.Value = merged;
                    list.RemoveAt(j);
                }
                else continue;
                changed = true;
                j--;  // the merged statement may merge again with an earlier update
            }
            return changed;
        }

        private static bool Mentions(CStmt s, string name) => Optimizer.CountReads(s, name) > 0 || Optimizer.CountWrites(s, name) > 0 || s is CDecl d && d.Name == name;

        /// <summary>Whether a statement strictly between <paramref name="from"/> and <paramref name="to"/> may write what <paramref name="e"/> reads.</summary>
        private static bool WrittenBetween(Expr e, List<CStmt> list, int from, int to)
        {
            var reads = new HashSet<string>();
            Optimizer.Reads(e, reads);
            for (int k = from + 1; k < to; k++)
            {
                if (list[k] is CJump) return true;
                foreach (var name in reads)
                {
                    if (Optimizer.CountWrites(list[k], name) > 0 || list[k] is CDecl d && d.Name == name) return true;
                }
            }
            return false;
        }

        /// <summary>
        /// <see cref="Rewrite"/> after replacing derivative temporaries by their definitions earlier in the same list, when
        /// that lets terms be collected without making the expression depend on more derivatives: in the reverse sweep of
        /// <c>x = r * x * (1 - x)</c>, <c>dX = r * dProduct - r * x * dX</c> with <c>dProduct = dX * (1 - x)</c> just above
        /// becomes <c>dX = (r * (1 - x) - r * x) * dX</c>, one multiplication on the loop-carried chain instead of three
        /// operations. The temporary's definition stays for its other reads (or is removed as dead). A definition is used
        /// only when it is an assignment in the same list, nothing between writes the temporary or what the definition
        /// reads, and the definition does not read the temporary itself.
        /// </summary>
        private static Expr? RewriteSubstituted(Expr value, List<CStmt> list, int at, CMethod method)
        {
            if (!(value is OpExpr) || method.Derivatives.Count == 0 || !ReadsTemporaryDerivative(value, method)) return null;
            var atoms = new List<string>();
            DerivativeVariables(value, method, atoms);
            int before = atoms.Distinct().Count();
            Expr current = value;
            bool substituted = false;
            foreach (var temporary in atoms.Distinct().ToList())
            {
                if (!method.Inlinable.Contains(temporary) || !method.Floating.Contains(temporary)) continue;
                var definition = Definition(temporary, list, at);
                if (definition is null) continue;
                var trial = Optimizer.Replace(current, temporary, definition);
                var after = new List<string>();
                DerivativeVariables(trial, method, after);
                if (after.Distinct().Count() > before) continue;
                current = trial;
                substituted = true;
            }
            return substituted ? Rewrite(current, method) : null;
        }

        /// <summary>The value <paramref name="temporary"/> holds at statement <paramref name="at"/>, from an assignment earlier in the list that still holds, or null.</summary>
        private static Expr? Definition(string temporary, List<CStmt> list, int at)
        {
            for (int i = at - 1; i >= 0; i--)
            {
                var s = list[i];
                Expr? value = s switch
                {
                    CAssign a when a.Name == temporary => a.Op == "=" ? a.Value : null,
                    CDecl d when d.Name == temporary => d.Init,
                    _ => null,
                };
                if (value != null)
                {
                    if (!(value is OpExpr) || Optimizer.CountReads(value, temporary) > 0 || !Optimizer.IsPure(value) || WrittenBetween(value, list, i, at)) return null;
                    return value;
                }
                if (s is CJump || s is CDecl decl && decl.Name == temporary || Optimizer.CountWrites(s, temporary) > 0) return null;
            }
            return null;
        }

        /// <summary>Whether the expression reads a derivative temporary (a candidate for <see cref="RewriteSubstituted"/>), without allocating.</summary>
        private static bool ReadsTemporaryDerivative(Expr e, CMethod method)
        {
            if (e is VarExpr v) return method.Derivatives.Contains(v.Name) && method.Inlinable.Contains(v.Name);
            if (!(e is OpExpr o)) return false;
            foreach (var arg in o.Args)
            {
                if (ReadsTemporaryDerivative(arg, method)) return true;
            }
            return false;
        }

        /// <summary>The scalar derivative variables an expression reads, in order, with repeats.</summary>
        private static void DerivativeVariables(Expr e, CMethod method, List<string> into)
        {
            if (e is VarExpr v)
            {
                if (method.Derivatives.Contains(v.Name)) into.Add(v.Name);
                return;
            }
            if (e is IndexExpr { Array: VarExpr array } && method.Derivatives.Contains(array.Name))
            {
                into.Add(array.Name + "[]");
                return;
            }
            foreach (var child in e.Children) DerivativeVariables(child, method, into);
        }

        /// <summary>One term: ± Multiplier · Derivative / Divisor (either factor may be absent).</summary>
        private readonly struct Term
        {
            public Term(Expr derivative, Expr? multiplier, Expr? divisor, bool negative)
            {
                Derivative = derivative;
                Multiplier = multiplier;
                Divisor = divisor;
                Negative = negative;
            }

            public Expr Derivative { get; }
            public Expr? Multiplier { get; }
            public Expr? Divisor { get; }
            public bool Negative { get; }
        }

        /// <summary>The collected expression, or null when <paramref name="e"/> is not linear or no derivative repeats.</summary>
        public static Expr? Rewrite(Expr e, CMethod method)
        {
            if (!(e is OpExpr) || method.Derivatives.Count == 0 || !RepeatsDerivative(e, method)) return null;
            var terms = new List<Term>();
            if (!Linearize(e, null, null, false, terms, method) || terms.Count < 2 || terms.Count > 16) return null;

            // Group by derivative, in order of first appearance.
            var order = new List<Expr>();
            var groups = new Dictionary<Expr, List<Term>>();
            bool repeats = false;
            foreach (var term in terms)
            {
                if (groups.TryGetValue(term.Derivative, out var group))
                {
                    group.Add(term);
                    repeats = true;
                }
                else
                {
                    groups.Add(term.Derivative, new List<Term> { term });
                    order.Add(term.Derivative);
                }
            }
            if (!repeats) return null;

            Expr? result = null;
            foreach (var derivative in order)
            {
                var group = groups[derivative];
                Expr part;
                bool negative;
                if (group.Count == 1)
                {
                    var t = group[0];
                    part = t.Multiplier is null ? derivative : new OpExpr(Ops.Multiply, t.Multiplier, derivative);
                    if (t.Divisor != null) part = new OpExpr(Ops.Divide, part, t.Divisor);
                    negative = t.Negative;
                }
                else
                {
                    Expr? coefficient = null;
                    foreach (var t in group)
                    {
                        Expr c = t.Multiplier ?? ConstExpr.One;
                        if (t.Divisor != null) c = new OpExpr(Ops.Divide, c, t.Divisor);
                        coefficient = coefficient is null ? (t.Negative ? Simplifier.Negate(c) : c)
                            : new OpExpr(t.Negative ? Ops.Subtract : Ops.Add, coefficient, c);
                    }
                    part = new OpExpr(Ops.Multiply, coefficient!, derivative);
                    negative = false;
                }
                result = result is null ? (negative ? Simplifier.Negate(part) : part)
                    : new OpExpr(negative ? Ops.Subtract : Ops.Add, result, part);
            }
            return Simplifier.Simplify(result!);
        }

        [System.ThreadStatic] private static List<Expr>? t_seen;

        /// <summary>
        /// Whether a derivative appears twice among the operands reached through operators (where <see cref="Linearize"/>
        /// finds its terms): without that, <see cref="Rewrite"/> has nothing to collect. Checked first, without allocating,
        /// since most statements have nothing to collect.
        /// </summary>
        private static bool RepeatsDerivative(Expr e, CMethod method)
        {
            var seen = t_seen ??= new List<Expr>();
            seen.Clear();
            bool repeats = Repeats(e, method, seen);
            seen.Clear();
            return repeats;
        }

        private static bool Repeats(Expr e, CMethod method, List<Expr> seen)
        {
            if (IsDerivative(e, method))
            {
                foreach (var other in seen)
                {
                    if (other.Equals(e)) return true;
                }
                seen.Add(e);
                return false;
            }
            if (!(e is OpExpr o)) return false;
            foreach (var arg in o.Args)
            {
                if (Repeats(arg, method, seen)) return true;
            }
            return false;
        }

        /// <summary>Adds the terms of ±multiplier·<paramref name="e"/>/divisor; false when <paramref name="e"/> is not linear in derivatives as described.</summary>
        private static bool Linearize(Expr e, Expr? multiplier, Expr? divisor, bool negative, List<Term> terms, CMethod method)
        {
            if (IsDerivative(e, method))
            {
                terms.Add(new Term(e, multiplier, divisor, negative));
                return true;
            }
            if (!(e is OpExpr o)) return false;
            switch (o.Op)
            {
                case Ops.Add:
                    return Linearize(o.Args[0], multiplier, divisor, negative, terms, method)
                        && Linearize(o.Args[1], multiplier, divisor, negative, terms, method);
                case Ops.Subtract:
                    return Linearize(o.Args[0], multiplier, divisor, negative, terms, method)
                        && Linearize(o.Args[1], multiplier, divisor, !negative, terms, method);
                case Ops.Negate:
                    return Linearize(o.Args[0], multiplier, divisor, !negative, terms, method);
                case Ops.Plus:
                    return Linearize(o.Args[0], multiplier, divisor, negative, terms, method);
                case Ops.Multiply:
                {
                    bool left = HasDerivative(o.Args[0], method), right = HasDerivative(o.Args[1], method);
                    if (left == right) return false;
                    var factor = left ? o.Args[1] : o.Args[0];
                    if (!IsFloatingFactor(factor, method, divisor: false)) return false;
                    var combined = multiplier is null ? factor : new OpExpr(Ops.Multiply, factor, multiplier);
                    return Linearize(left ? o.Args[0] : o.Args[1], combined, divisor, negative, terms, method);
                }
                case Ops.Divide:
                {
                    if (!HasDerivative(o.Args[0], method) || HasDerivative(o.Args[1], method)) return false;
                    if (!IsFloatingFactor(o.Args[1], method, divisor: true)) return false;
                    var combined = divisor is null ? o.Args[1] : new OpExpr(Ops.Multiply, divisor, o.Args[1]);
                    return Linearize(o.Args[0], multiplier, combined, negative, terms, method);
                }
                default:
                    return false;
            }
        }

        private static bool IsDerivative(Expr e, CMethod method)
            => e is VarExpr v && method.Derivatives.Contains(v.Name)
               || e is IndexExpr { Array: VarExpr a } && method.Derivatives.Contains(a.Name);

        private static bool HasDerivative(Expr e, CMethod method)
        {
            if (IsDerivative(e, method)) return true;
            if (e is IndexExpr) return false;  // indices are integers, never derivatives
            foreach (var child in e.Children)
            {
                if (HasDerivative(child, method)) return true;
            }
            return false;
        }

        /// <summary>
        /// A pure factor whose arithmetic is floating: variables and elements known to be double/float, calls of
        /// differentiable intrinsics (they return floating values), literals (not an integer divisor), and + - * /
        /// and negation of such factors.
        /// </summary>
        private static bool IsFloatingFactor(Expr e, CMethod method, bool divisor)
        {
            switch (e)
            {
                case VarExpr v:
                    return method.Floating.Contains(v.Name);
                case ConstExpr c:
                    return c.Kind == TypeKind.Double || c.Kind == TypeKind.Float || (c.Kind == TypeKind.Int && !divisor && !c.IsZero);
                case IndexExpr { Array: VarExpr a }:
                    return method.Floating.Contains(a.Name) && Optimizer.IsPure(e);
                case CallExpr call:
                    if (!IsFloatingCall(call)) return false;
                    foreach (var arg in call.Args)
                    {
                        if (!IsFloatingFactor(arg, method, divisor: false)) return false;
                    }
                    return true;
                case OpExpr o when o.Op == Ops.Negate || o.Op == Ops.Plus:
                    return IsFloatingFactor(o.Args[0], method, divisor);
                case OpExpr o when o.Op == Ops.Add || o.Op == Ops.Subtract || o.Op == Ops.Multiply || o.Op == Ops.Divide:
                    // A sum or product is floating when one operand is (the other is converted); require both, which is simpler to trust.
                    return IsFloatingFactor(o.Args[0], method, divisor: false) && IsFloatingFactor(o.Args[1], method, divisor: o.Op == Ops.Divide || divisor)
                           && (IsFloatingValue(o.Args[0], method) || IsFloatingValue(o.Args[1], method));
                default:
                    return false;
            }
        }

        /// <summary>
        /// A pure call of a differentiable intrinsic or of System.Math/MathF (which return floating values for floating
        /// arguments, checked by the caller), except the few that return integers or tuples.
        /// </summary>
        private static bool IsFloatingCall(CallExpr call)
        {
            if (!call.Pure || call.Receiver != null || call.Callee != null) return false;
            if (call.TemplateKey != null) return true;
            string f = call.Function;
            int dot = f.LastIndexOf('.');
            string type = dot < 0 ? "" : f.Substring(0, dot), name = f.Substring(dot + 1);
            if (type != "global::System.Math" && type != "global::System.MathF") return false;
            return name != "Sign" && name != "ILogB" && name != "SinCos" && name != "DivRem" && name != "BigMul";
        }

        /// <summary>True when the expression's own type is floating (not merely its parts).</summary>
        private static bool IsFloatingValue(Expr e, CMethod method) => e switch
        {
            VarExpr v => method.Floating.Contains(v.Name),
            ConstExpr c => c.Kind == TypeKind.Double || c.Kind == TypeKind.Float,
            IndexExpr { Array: VarExpr a } => method.Floating.Contains(a.Name),
            CallExpr call => IsFloatingCall(call),
            OpExpr o when o.Op == Ops.Negate || o.Op == Ops.Plus => IsFloatingValue(o.Args[0], method),
            OpExpr o => IsFloatingValue(o.Args[0], method) || IsFloatingValue(o.Args[1], method),
            _ => false,
        };
    }
}
