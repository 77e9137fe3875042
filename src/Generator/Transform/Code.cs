using System.Collections.Generic;
using Tangent.Generator.IR;

namespace Tangent.Generator.Transform
{
    /// <summary>
    /// The statements of generated code: what the transformations produce, the optimizer rewrites and
    /// the emitter prints. Short-lived (built in the output stage, never cached), so plain classes.
    /// </summary>
    public abstract class CStmt
    {
    }

    /// <summary><c>T name = init;</c> (no initializer when <see cref="Init"/> is null).</summary>
    public sealed class CDecl : CStmt
    {
        public CDecl(IrType type, string name, Expr? init, string? comment = null)
        {
            Type = type;
            Name = name;
            Init = init;
            Comment = comment;
        }

        public IrType Type { get; }
        public string Name { get; }
        public Expr? Init { get; set; }
        public string? Comment { get; set; }
    }

    /// <summary><c>name = value;</c>, <c>name += value;</c> or <c>name -= value;</c></summary>
    public sealed class CAssign : CStmt
    {
        public CAssign(string name, Expr value, string op = "=", string? comment = null)
        {
            Name = name;
            Value = value;
            Op = op;
            Comment = comment;
        }

        public string Name { get; }
        public Expr Value { get; set; }
        public string Op { get; set; }
        public string? Comment { get; set; }
    }

    /// <summary><c>array[indices] = value;</c>, <c>+=</c> or <c>-=</c>: an element write (primal arrays and shadows).</summary>
    public sealed class CStore : CStmt
    {
        public CStore(string array, Helpers.EquatableArray<Expr> indices, Expr value, string op = "=", string? comment = null)
        {
            Array = array;
            Indices = indices;
            Value = value;
            Op = op;
            Comment = comment;
        }

        public string Array { get; }
        public Helpers.EquatableArray<Expr> Indices { get; set; }
        public Expr Value { get; set; }
        public string Op { get; set; }
        public string? Comment { get; set; }
    }

    /// <summary>An expression evaluated for its effect (a discarded call).</summary>
    public sealed class CExprStmt : CStmt
    {
        public CExprStmt(Expr value) => Value = value;

        public Expr Value { get; set; }

        /// <summary>A comment printed above the statement (why a value goes on the tape).</summary>
        public string? Comment { get; set; }
    }

    /// <summary><c>return value;</c></summary>
    public sealed class CReturn : CStmt
    {
        public CReturn(Expr value) => Value = value;

        public Expr Value { get; set; }
    }

    /// <summary>A comment line (<c>// Grad of: ...</c>), or a blank line when <see cref="Text"/> is empty.</summary>
    public sealed class CComment : CStmt
    {
        public CComment(string text) => Text = text;

        public string Text { get; }
    }

    /// <summary><c>if (condition) { then } else { else }</c></summary>
    public sealed class CIf : CStmt
    {
        public CIf(Expr condition, List<CStmt> then, List<CStmt> @else)
        {
            Condition = condition;
            Then = then;
            Else = @else;
        }

        public Expr Condition { get; set; }
        public List<CStmt> Then { get; }
        public List<CStmt> Else { get; }
    }

    /// <summary><c>while (condition) { body }</c></summary>
    public sealed class CWhile : CStmt
    {
        public CWhile(Expr condition, List<CStmt> body)
        {
            Condition = condition;
            Body = body;
        }

        public Expr Condition { get; set; }
        public List<CStmt> Body { get; }
    }

    /// <summary><c>break;</c> or <c>continue;</c></summary>
    public sealed class CJump : CStmt
    {
        public CJump(bool isBreak) => IsBreak = isBreak;

        public bool IsBreak { get; }
    }

    /// <summary>A generated method: its declaration line(s) and body, ready to print.</summary>
    public sealed class CMethod
    {
        public CMethod(string summary, string attribute, string signature, List<CStmt> body)
        {
            Summary = summary;
            Attribute = attribute;
            Signature = signature;
            Body = body;
        }

        public string Summary { get; }
        public string Attribute { get; }
        public string Signature { get; }
        public List<CStmt> Body { get; }

        /// <summary>Names the optimizer must keep: parameters and the caller's accumulators.</summary>
        public HashSet<string> Pinned { get; } = new HashSet<string>();

        /// <summary>True when the method records on the tape: the emitter then opens a tape frame.</summary>
        public bool UsesTape { get; set; }

        /// <summary>False for the halves of a split adjoint, which record into their caller's frame.</summary>
        public bool OpensFrame { get; set; } = true;

        public string? TapeName { get; set; }

        public string? TapeMarkName { get; set; }

        /// <summary>Locals the optimizer may fold into their single use (temporaries and their derivatives).</summary>
        public HashSet<string> Inlinable { get; } = new HashSet<string>();

        /// <summary>
        /// Tangents and adjoints (scalars, and shadow arrays whose elements are derivatives): the variables derivative
        /// expressions are linear in, which <see cref="Optimization.LinearTerms"/> collects terms over.
        /// </summary>
        public HashSet<string> Derivatives { get; } = new HashSet<string>();

        /// <summary>Variables of floating type (double or float scalars, arrays and spans of them), derivatives included.</summary>
        public HashSet<string> Floating { get; } = new HashSet<string>();

        /// <summary>
        /// Registers the method's parameters and locals with the optimizer: parameters and their accumulators are
        /// pinned, temporaries (and derivatives of non-user locals) may be folded, and the derivative and floating
        /// names are noted for <see cref="Optimization.LinearTerms"/>.
        /// </summary>
        public void NoteVariables(IR.MethodIR ir, System.Func<string, bool> isActive)
        {
            foreach (var p in ir.Parameters)
            {
                Pinned.Add(p.Name);
                if (p.IsActive)
                {
                    Pinned.Add(p.DerivativeName);
                    Derivatives.Add(p.DerivativeName);
                }
                NoteType(p.Name, p.Type, p.IsActive ? p.DerivativeName : null);
            }
            foreach (var local in ir.Locals)
            {
                bool active = isActive(local.Name);
                if (active) Derivatives.Add(local.DerivativeName);
                NoteType(local.Name, local.Type, active ? local.DerivativeName : null);
                if (local.Kind == IR.VariableKind.Temp) Inlinable.Add(local.Name);
                if (local.Kind != IR.VariableKind.User && active) Inlinable.Add(local.DerivativeName);
            }
        }

        private void NoteType(string name, IR.IrType type, string? derivative)
        {
            if (type.Kind != IR.TypeKind.Double && type.Kind != IR.TypeKind.Float) return;
            Floating.Add(name);
            if (derivative != null) Floating.Add(derivative);
        }
    }
}
