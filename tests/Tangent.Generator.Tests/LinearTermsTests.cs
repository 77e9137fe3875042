using System.Collections.Generic;
using Tangent.Generator.IR;
using Tangent.Generator.Optimization;
using Tangent.Generator.Transform;
using Xunit;

namespace Tangent.Generator.Tests
{
    /// <summary>
    /// The optimizer's collection of derivative terms (<see cref="LinearTerms"/>): which expressions it rewrites, and the
    /// ones it must leave alone because the rewrite would change their type or meaning. The numbers of every rewritten
    /// method are checked by the integration tests and the random programs in both modes.
    /// </summary>
    public class LinearTermsTests
    {
        private static readonly ConstExpr Two = new ConstExpr("2", TypeKind.Int);
        private static readonly ConstExpr TwoPointFive = new ConstExpr("2.5", TypeKind.Double);

        private static CMethod Method()
        {
            var method = new CMethod("", "", "", new List<CStmt>());
            method.Derivatives.UnionWith(new[] { "dX", "dY", "dZs" });
            // x, y and the arrays are double; n is an int.
            method.Floating.UnionWith(new[] { "x", "y", "dX", "dY", "zs", "dZs" });
            return method;
        }

        private static VarExpr V(string name) => new VarExpr(name);

        private static OpExpr Op(string op, params Expr[] args) => new OpExpr(op, args);

        private static string? Rewrite(Expr e) => LinearTerms.Rewrite(e, Method()) is { } r ? ExprPrinter.Print(r) : null;

        [Fact]
        public void Terms_of_the_same_derivative_share_one_coefficient()
        {
            // dX * x + y * dX  →  (x + y) * dX
            Assert.Equal("(x + y) * dX", Rewrite(Op(Ops.Add, Op(Ops.Multiply, V("dX"), V("x")), Op(Ops.Multiply, V("y"), V("dX")))));
        }

        [Fact]
        public void A_sum_of_derivatives_times_a_factor_is_distributed_and_collected()
        {
            // (dY * x + y * dX) * x - y * dX  →  x * x * dY + (y * x - y) * dX
            var e = Op(Ops.Subtract, Op(Ops.Multiply, Op(Ops.Add, Op(Ops.Multiply, V("dY"), V("x")), Op(Ops.Multiply, V("y"), V("dX"))), V("x")),
                       Op(Ops.Multiply, V("y"), V("dX")));
            Assert.Equal("x * x * dY + (y * x - y) * dX", Rewrite(e));
        }

        [Fact]
        public void Division_by_a_floating_divisor_gives_a_floating_reciprocal()
        {
            // dX / y + dX * x  →  (1 / y + x) * dX   (1 / y is floating because y is)
            Assert.Equal("(1 / y + x) * dX", Rewrite(Op(Ops.Add, Op(Ops.Divide, V("dX"), V("y")), Op(Ops.Multiply, V("dX"), V("x")))));
        }

        [Fact]
        public void Shadow_elements_are_derivatives_too()
        {
            var element = new IndexExpr(V("dZs"), V("i"));
            Assert.Equal("(x - y) * dZs[i]", Rewrite(Op(Ops.Subtract, Op(Ops.Multiply, element, V("x")), Op(Ops.Multiply, V("y"), element))));
        }

        [Fact]
        public void Nothing_changes_when_no_derivative_repeats()
        {
            Assert.Null(Rewrite(Op(Ops.Add, Op(Ops.Multiply, V("dX"), V("x")), Op(Ops.Multiply, V("y"), V("dY")))));
        }

        [Fact]
        public void An_integer_variable_factor_is_not_collected()
        {
            // (n + x) would still be floating, but n * n in a distributed coefficient would be integer arithmetic.
            Assert.Null(Rewrite(Op(Ops.Add, Op(Ops.Multiply, V("dX"), V("n")), Op(Ops.Multiply, V("x"), V("dX")))));
        }

        [Fact]
        public void An_integer_literal_divisor_is_not_collected()
        {
            // dX / 2 + dX would need 1 / 2, which is integer division (zero).
            Assert.Null(Rewrite(Op(Ops.Add, Op(Ops.Divide, V("dX"), Two), V("dX"))));
            // A floating literal divisor is fine.
            Assert.Equal("(1 / 2.5 + 1) * dX", Rewrite(Op(Ops.Add, Op(Ops.Divide, V("dX"), TwoPointFive), V("dX"))));
        }

        [Fact]
        public void Products_of_derivatives_and_impure_factors_are_not_collected()
        {
            Assert.Null(Rewrite(Op(Ops.Add, Op(Ops.Multiply, V("dX"), V("dX")), V("dX"))));
            var userCall = new CallExpr("global::N.C.F", new Helpers.EquatableArray<Expr>(new Expr[] { V("x") }), null, Pure: false);
            Assert.Null(Rewrite(Op(Ops.Add, Op(Ops.Multiply, V("dX"), userCall), V("dX"))));
        }

        [Fact]
        public void Calls_that_return_integers_are_not_floating_factors()
        {
            var sign = new CallExpr("global::System.Math.Sign", new Helpers.EquatableArray<Expr>(new Expr[] { V("x") }), null, Pure: true);
            var cos = new CallExpr("global::System.Math.Cos", new Helpers.EquatableArray<Expr>(new Expr[] { V("x") }), null, Pure: true);
            Assert.Null(Rewrite(Op(Ops.Add, Op(Ops.Multiply, V("dX"), sign), V("dX"))));
            Assert.Equal("(global::System.Math.Cos(x) + 1) * dX", Rewrite(Op(Ops.Add, Op(Ops.Multiply, V("dX"), cos), V("dX"))));
        }

        // ---- merging the updates of one derivative in a statement list, and using temporaries' definitions ----

        private static CMethod MethodWith(params CStmt[] body)
        {
            var method = Method();
            method.Body.AddRange(body);
            method.Derivatives.Add("dT");
            method.Floating.Add("dT");
            method.Inlinable.Add("dT");
            return method;
        }

        private static string Body(CMethod method) => string.Join(" ", method.Body.ConvertAll(s => s switch
        {
            CAssign a => $"{a.Name} {a.Op} {ExprPrinter.Print(a.Value)};",
            CComment c => "//" + c.Text,
            _ => s.GetType().Name,
        }));

        [Fact]
        public void An_assignment_and_a_later_addition_of_the_same_derivative_merge_and_collect()
        {
            // dX = x * dY; dZ += y; dX += y * dY   →   dZ += y; dX = (x + y) * dY
            var method = MethodWith(
                new CAssign("dX", Op(Ops.Multiply, V("x"), V("dY"))),
                new CAssign("dZ", V("y"), "+="),
                new CAssign("dX", Op(Ops.Multiply, V("y"), V("dY")), "+="));
            Assert.True(LinearTerms.Collect(method));
            Assert.Equal("dZ += y; dX = (x + y) * dY;", Body(method));
        }

        [Fact]
        public void An_addition_that_reads_the_derivative_it_adds_into_is_not_merged()
        {
            // dX = x * dY; dX += y * dX: the second update reads the first one's result.
            var method = MethodWith(
                new CAssign("dX", Op(Ops.Multiply, V("x"), V("dY"))),
                new CAssign("dX", Op(Ops.Multiply, V("y"), V("dX")), "+="));
            Assert.False(LinearTerms.Collect(method));
            Assert.Equal(2, method.Body.Count);
        }

        [Fact]
        public void Updates_move_only_past_statements_that_leave_their_operands_alone()
        {
            // dX = x * dY; x = y; dX += dY: the first value cannot move down past x = y, the second can move up.
            var up = MethodWith(
                new CAssign("dX", Op(Ops.Multiply, V("x"), V("dY"))),
                new CAssign("x", V("y")),
                new CAssign("dX", V("dY"), "+="));
            Assert.True(LinearTerms.Collect(up));
            Assert.Equal("dX = (x + 1) * dY; x = y;", Body(up));

            // dX = x * dY; x = y; dX += x * dY: neither can move.
            var stuck = MethodWith(
                new CAssign("dX", Op(Ops.Multiply, V("x"), V("dY"))),
                new CAssign("x", V("y")),
                new CAssign("dX", Op(Ops.Multiply, V("x"), V("dY")), "+="));
            Assert.False(LinearTerms.Collect(stuck));
            Assert.Equal(3, stuck.Body.Count);
        }

        [Fact]
        public void Updates_of_different_primal_statements_stay_under_their_own_comment()
        {
            var method = MethodWith(
                new CAssign("dX", Op(Ops.Multiply, V("x"), V("dY"))),
                new CComment("Grad of: y = x * x;"),
                new CAssign("dX", Op(Ops.Multiply, V("y"), V("dY")), "+="));
            Assert.False(LinearTerms.Collect(method));
            Assert.Equal(3, method.Body.Count);
        }

        [Fact]
        public void A_temporary_is_replaced_by_its_definition_when_that_collects_terms()
        {
            // dT = dX * y; dY += dT * x; dX = x * dX + y * dT   →   dX = (x + y * y) * dX  (dT stays for its other read)
            var method = MethodWith(
                new CAssign("dT", Op(Ops.Multiply, V("dX"), V("y"))),
                new CAssign("dY", Op(Ops.Multiply, V("dT"), V("x")), "+="),
                new CAssign("dX", Op(Ops.Add, Op(Ops.Multiply, V("x"), V("dX")), Op(Ops.Multiply, V("y"), V("dT")))));
            Assert.True(LinearTerms.Collect(method));
            Assert.Equal("dT = dX * y; dY += dT * x; dX = (x + y * y) * dX;", Body(method));
        }

        [Fact]
        public void A_temporary_whose_definition_no_longer_holds_is_not_replaced()
        {
            // dT = dX * y; dX = x * dY; dY = x * dX + y * dT: dX changes between the definition of dT and its use.
            var method = MethodWith(
                new CAssign("dT", Op(Ops.Multiply, V("dX"), V("y"))),
                new CAssign("dX", Op(Ops.Multiply, V("x"), V("dY"))),
                new CAssign("dY", Op(Ops.Add, Op(Ops.Multiply, V("x"), V("dX")), Op(Ops.Multiply, V("y"), V("dT")))));
            Assert.False(LinearTerms.Collect(method));
            Assert.Equal("dT = dX * y; dX = x * dY; dY = x * dX + y * dT;", Body(method));
        }
    }
}
