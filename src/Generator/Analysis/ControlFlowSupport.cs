using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Tangent.Generator.Diagnostics;
using Tangent.Generator.IR;

namespace Tangent.Generator.Analysis
{
    /// <summary>
    /// Reports the control flow that the transformations of this version cannot differentiate, so that
    /// it is a located error rather than wrong code. Straight-line bodies with one final return are
    /// supported in both modes.
    /// </summary>
    internal static class ControlFlowSupport
    {
        public static void Check(MethodIR ir, MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics)
        {
            if (IsStraightLine(ir.Body)) return;
            SyntaxNode at = syntax.Body is null
                ? (SyntaxNode?)syntax.ExpressionBody?.DescendantNodes().OfType<ConditionalExpressionSyntax>().FirstOrDefault() ?? syntax.ExpressionBody!
                : syntax.Body.DescendantNodes().FirstOrDefault(n => n is IfStatementSyntax || n is ForStatementSyntax || n is WhileStatementSyntax
                    || n is DoStatementSyntax || n is ConditionalExpressionSyntax || n is ReturnStatementSyntax r && r.Parent != syntax.Body
                    || n is BreakStatementSyntax || n is ContinueStatementSyntax
                    || n is BinaryExpressionSyntax b && (b.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.LogicalAndExpression) || b.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.LogicalOrExpression)))
                  ?? (SyntaxNode)syntax.Body;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedStatement, LocationInfo.From(at),
                "'" + FirstLine(at.ToString()) + "'",
                "branches, loops and early returns are not supported yet; this version differentiates straight-line code that ends in one return"));
        }

        private static string FirstLine(string text)
        {
            int newline = text.IndexOf('\n');
            text = (newline < 0 ? text : text.Substring(0, newline)).Trim();
            return text.Length > 60 ? text.Substring(0, 57) + "..." : text;
        }

        private static bool IsStraightLine(IReadOnlyList<Stmt> body)
        {
            for (int i = 0; i < body.Count; i++)
            {
                switch (body[i])
                {
                    case AssignStmt _:
                    case ExprStmt _:
                        break;
                    case ReturnStmt _ when i == body.Count - 1:
                        break;
                    default:
                        return false;
                }
            }
            return body.Count > 0 && body[body.Count - 1] is ReturnStmt;
        }
    }
}
