using System.Collections.Generic;
using System.Linq;

namespace Tangent.Generator.Tests.RandomPrograms
{
    /// <summary>
    /// What a program does with its helpers, for the counts of a run: whether it calls one, and the kinds of calls
    /// (in a loop, in a branch, nested, the same helper twice, recursion, array and span arguments, [NoDerivative]
    /// parameters, helpers calling helpers). Only calls reachable from the program count.
    /// </summary>
    public static class ProgramCalls
    {
        public const string Calls = "calls";

        public static SortedSet<string> Features(RandomProgram program)
        {
            var features = new SortedSet<string>(System.StringComparer.Ordinal);
            var helpers = program.Helpers.ToDictionary(h => h.Name);
            var reached = new HashSet<string>();
            var pending = new Queue<RandomProgram>();
            pending.Enqueue(program);
            while (pending.Count > 0)
            {
                var method = pending.Dequeue();
                if (!reached.Add(method.Name)) continue;
                var counts = new Dictionary<string, int>();
                Walk(method, method.Body, inLoop: false, inBranch: false);

                void Walk(RandomProgram m, Block block, bool inLoop, bool inBranch)
                {
                    foreach (var s in block.Items)
                    {
                        bool loop = inLoop || s is For or While or ForEach;
                        foreach (var e in s.Exprs) Visit(m, e, s is While ? loop : inLoop, inBranch, inArgument: false);
                        foreach (var b in s.Blocks) Walk(m, b, loop, inBranch || s is If);
                    }
                }

                void Visit(RandomProgram m, Expr e, bool inLoop, bool inBranch, bool inArgument)
                {
                    if (e is Call c && helpers.TryGetValue(c.Function, out var target))
                    {
                        if (m == program) features.Add(Calls);
                        else features.Add(c.Function == m.Name ? "recursion" : "helper calling a helper");
                        if (inLoop) features.Add("in a loop");
                        if (inBranch) features.Add("in a branch");
                        if (inArgument) features.Add("nested H(G(x))");
                        counts[c.Function] = counts.TryGetValue(c.Function, out int n) ? n + 1 : 1;
                        if (counts[c.Function] == 2) features.Add("same helper twice");
                        if (target.ExpressionBodied) features.Add("expression-bodied helper");
                        if (!target.Modifiers.StartsWith("public", System.StringComparison.Ordinal)) features.Add("non-public helper");
                        for (int i = 0; i < target.Params.Length; i++)
                        {
                            var p = target.Params[i];
                            if (p.Kind == ParamKind.Span) features.Add("ReadOnlySpan<double> parameter");
                            if (p.Kind == ParamKind.DoubleArray) features.Add("double[] parameter");
                            if (p.IsArray && c.Args[i] is Leaf a && m.Params.All(q => q.Name != a.Text)) features.Add("local array argument");
                            if (p.NoDerivative) features.Add(p.Kind == ParamKind.Int ? "[NoDerivative] int" : "[NoDerivative] double");
                            if (p.Kind == ParamKind.Int && !p.NoDerivative) features.Add("int parameter");
                        }
                        if (c.Function != m.Name) pending.Enqueue(target);
                        foreach (var arg in c.Args) Visit(m, arg, inLoop, inBranch, inArgument: true);
                        return;
                    }
                    if (e is Conditional q)
                    {
                        Visit(m, q.Condition, inLoop, inBranch, inArgument);
                        Visit(m, q.WhenTrue, inLoop, true, inArgument);
                        Visit(m, q.WhenFalse, inLoop, true, inArgument);
                        return;
                    }
                    foreach (var child in e.Children) Visit(m, child, inLoop, inBranch, inArgument);
                }
            }
            return features;
        }
    }
}
