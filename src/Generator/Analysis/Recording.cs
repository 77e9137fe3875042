using System.Collections.Generic;
using System.Linq;
using Tangent.Generator.IR;
using Tangent.Generator.Transform;

namespace Tangent.Generator.Analysis
{
    /// <summary>
    /// To-be-recorded analysis: which overwritten values the reverse sweep needs. An assignment to
    /// <c>t</c> must keep <c>t</c>'s old value exactly when some statement between the previous
    /// assignment of <c>t</c> and this one reads <c>t</c> in its adjoint. Straight-line code keeps such
    /// values in locals, never on the tape; most code keeps nothing at all.
    /// </summary>
    internal static class Recording
    {
        /// <summary>The indices of the assignments in a straight-line block whose old value must be kept.</summary>
        public static HashSet<int> StraightLineSaves(TransformContext context, IReadOnlyList<Stmt> statements)
        {
            var saves = new HashSet<int>();
            var lastAssignment = new Dictionary<string, int>();
            var readSince = new Dictionary<string, bool>();
            for (int k = 0; k < statements.Count; k++)
            {
                if (statements[k] is AssignStmt a)
                {
                    // Parameters are never assigned (lowering copies them), so an earlier value exists
                    // only after a first assignment.
                    if (lastAssignment.ContainsKey(a.Target) && readSince.TryGetValue(a.Target, out bool read) && read)
                    {
                        saves.Add(k);
                    }
                    foreach (var name in context.AdjointReads(a.Target, a.Value).Distinct())
                    {
                        readSince[name] = true;
                    }
                    lastAssignment[a.Target] = k;
                    // This statement's own adjoint may read the value it assigns (Exp reads its result):
                    // then the next assignment of the target must keep it.
                    readSince[a.Target] = context.AdjointReads(a.Target, a.Value).Contains(a.Target);
                }
            }
            return saves;
        }
    }
}
