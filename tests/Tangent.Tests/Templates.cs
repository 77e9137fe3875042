using System;

namespace Tangent.Tests;

/// <summary>
/// One [Differentiable] method per derivative template, composed with other operations so that the chain rule
/// is exercised. Every double method <c>X</c> has a float twin <c>XF</c> with the same formula (MathF, float
/// literals); the twin's derivative is checked against the double method's central differences.
/// </summary>
public static partial class Templates
{
    // ---- Trigonometric -------------------------------------------------------------------------------

    [Differentiable] public static double Sin(double x, double y) => Math.Sin(x * y) + x;
    [Differentiable] public static float SinF(float x, float y) => MathF.Sin(x * y) + x;

    [Differentiable] public static double Cos(double x, double y) => Math.Cos(x * y) - y;
    [Differentiable] public static float CosF(float x, float y) => MathF.Cos(x * y) - y;

    [Differentiable] public static double Tan(double x, double y) => Math.Tan(x) * y;
    [Differentiable] public static float TanF(float x, float y) => MathF.Tan(x) * y;

    [Differentiable] public static double Asin(double x, double y) => Math.Asin(x) * y;
    [Differentiable] public static float AsinF(float x, float y) => MathF.Asin(x) * y;

    [Differentiable] public static double Acos(double x, double y) => Math.Acos(x) + x * y;
    [Differentiable] public static float AcosF(float x, float y) => MathF.Acos(x) + x * y;

    [Differentiable] public static double Atan(double x, double y) => Math.Atan(x * y);
    [Differentiable] public static float AtanF(float x, float y) => MathF.Atan(x * y);

    /// <summary>Atan2 with both arguments active.</summary>
    [Differentiable] public static double Atan2(double y, double x) => Math.Atan2(y, x);
    [Differentiable] public static float Atan2F(float y, float x) => MathF.Atan2(y, x);

    /// <summary>Atan2 active in y only.</summary>
    [Differentiable] public static double Atan2Y(double y) => Math.Atan2(Math.Sin(y), 0.7);
    [Differentiable] public static float Atan2YF(float y) => MathF.Atan2(MathF.Sin(y), 0.7f);

    /// <summary>Atan2 active in x only.</summary>
    [Differentiable] public static double Atan2X(double x) => Math.Atan2(0.8, x * 2);
    [Differentiable] public static float Atan2XF(float x) => MathF.Atan2(0.8f, x * 2);

    // ---- Hyperbolic ----------------------------------------------------------------------------------

    [Differentiable] public static double Sinh(double x, double y) => Math.Sinh(x) * y;
    [Differentiable] public static float SinhF(float x, float y) => MathF.Sinh(x) * y;

    [Differentiable] public static double Cosh(double x, double y) => Math.Cosh(x * y);
    [Differentiable] public static float CoshF(float x, float y) => MathF.Cosh(x * y);

    [Differentiable] public static double Tanh(double x, double y) => Math.Tanh(x) + y * x;
    [Differentiable] public static float TanhF(float x, float y) => MathF.Tanh(x) + y * x;

    [Differentiable] public static double Asinh(double x, double y) => Math.Asinh(x * y);
    [Differentiable] public static float AsinhF(float x, float y) => MathF.Asinh(x * y);

    [Differentiable] public static double Acosh(double x, double y) => Math.Acosh(x) * y;
    [Differentiable] public static float AcoshF(float x, float y) => MathF.Acosh(x) * y;

    [Differentiable] public static double Atanh(double x) => Math.Atanh(x);
    [Differentiable] public static float AtanhF(float x) => MathF.Atanh(x);

    // ---- Exponentials, logarithms --------------------------------------------------------------------

    [Differentiable] public static double Exp(double x, double y) => Math.Exp(x * y) - x;
    [Differentiable] public static float ExpF(float x, float y) => MathF.Exp(x * y) - x;

    [Differentiable] public static double Log(double x, double y) => Math.Log(x * y);
    [Differentiable] public static float LogF(float x, float y) => MathF.Log(x * y);

    /// <summary>Log(a, newBase) with an active value and a constant base.</summary>
    [Differentiable] public static double LogValue(double x) => Math.Log(x * x + 1, 3.0);
    [Differentiable] public static float LogValueF(float x) => MathF.Log(x * x + 1, 3.0f);

    /// <summary>Log(a, newBase) with a constant value and an active base.</summary>
    [Differentiable] public static double LogBase(double b) => Math.Log(5.0, b);
    [Differentiable] public static float LogBaseF(float b) => MathF.Log(5.0f, b);

    /// <summary>Log(a, newBase) with both active.</summary>
    [Differentiable] public static double LogBoth(double a, double b) => Math.Log(a, b) * a;
    [Differentiable] public static float LogBothF(float a, float b) => MathF.Log(a, b) * a;

    [Differentiable] public static double Log10(double x, double y) => Math.Log10(x) * y;
    [Differentiable] public static float Log10F(float x, float y) => MathF.Log10(x) * y;

    [Differentiable] public static double Log2(double x, double y) => Math.Log2(x) + y;
    [Differentiable] public static float Log2F(float x, float y) => MathF.Log2(x) + y;

    // ---- Powers and roots ----------------------------------------------------------------------------

    [Differentiable] public static double Sqrt(double x, double y) => Math.Sqrt(x * x + y);
    [Differentiable] public static float SqrtF(float x, float y) => MathF.Sqrt(x * x + y);

    [Differentiable] public static double Cbrt(double x, double y) => Math.Cbrt(x) * y;
    [Differentiable] public static float CbrtF(float x, float y) => MathF.Cbrt(x) * y;

    /// <summary>Pow with an active base and a constant exponent.</summary>
    [Differentiable] public static double PowBase(double x) => Math.Pow(x, 2.5);
    [Differentiable] public static float PowBaseF(float x) => MathF.Pow(x, 2.5f);

    /// <summary>Pow with a constant base and an active exponent.</summary>
    [Differentiable] public static double PowExponent(double y) => Math.Pow(1.7, y * y);
    [Differentiable] public static float PowExponentF(float y) => MathF.Pow(1.7f, y * y);

    /// <summary>Pow with both active.</summary>
    [Differentiable] public static double PowBoth(double x, double y) => Math.Pow(x, y) + y;
    [Differentiable] public static float PowBothF(float x, float y) => MathF.Pow(x, y) + y;

    [Differentiable] public static double Hypot(double x, double y) => double.Hypot(x, y) * x;
    [Differentiable] public static float HypotF(float x, float y) => float.Hypot(x, y) * x;

    [Differentiable] public static double Fma(double x, double y, double z) => Math.FusedMultiplyAdd(x, y, z * z);
    [Differentiable] public static float FmaF(float x, float y, float z) => MathF.FusedMultiplyAdd(x, y, z * z);

    // ---- Kinks ---------------------------------------------------------------------------------------

    [Differentiable] public static double Abs(double x, double y) => Math.Abs(x) * y;
    [Differentiable] public static float AbsF(float x, float y) => MathF.Abs(x) * y;

    [Differentiable] public static double Max(double x, double y) => Math.Max(x, y) * x;
    [Differentiable] public static float MaxF(float x, float y) => MathF.Max(x, y) * x;

    [Differentiable] public static double Min(double x, double y) => Math.Min(x, y) * y;
    [Differentiable] public static float MinF(float x, float y) => MathF.Min(x, y) * y;

    /// <summary>Clamp with constant bounds.</summary>
    [Differentiable] public static double ClampValue(double x, double y) => Math.Clamp(x, -0.5, 0.5) * y + x;
    [Differentiable] public static float ClampValueF(float x, float y) => Math.Clamp(x, -0.5f, 0.5f) * y + x;

    /// <summary>Clamp with active bounds.</summary>
    [Differentiable] public static double ClampAll(double x, double lo, double hi) => Math.Clamp(x, lo, hi) * (hi - lo);
    [Differentiable] public static float ClampAllF(float x, float lo, float hi) => Math.Clamp(x, lo, hi) * (hi - lo);

    // Bare kinks, for the documented one-sided choices.
    [Differentiable] public static double AbsOnly(double x) => Math.Abs(x);
    [Differentiable] public static float AbsOnlyF(float x) => MathF.Abs(x);
    [Differentiable] public static double MaxOnly(double x, double y) => Math.Max(x, y);
    [Differentiable] public static float MaxOnlyF(float x, float y) => MathF.Max(x, y);
    [Differentiable] public static double MinOnly(double x, double y) => Math.Min(x, y);
    [Differentiable] public static float MinOnlyF(float x, float y) => MathF.Min(x, y);
    [Differentiable] public static double ClampOnly(double x, double lo, double hi) => Math.Clamp(x, lo, hi);
    [Differentiable] public static float ClampOnlyF(float x, float lo, float hi) => Math.Clamp(x, lo, hi);

    // ---- Zero-derivative (piecewise constant) --------------------------------------------------------

    // These test the zero-derivative templates: the zero derivative through Floor, Round, Sign... is the point,
    // so the warnings that it is zero (TN3001) and that a result gets no derivative at all (TN3002) are expected.
#pragma warning disable TN3001, TN3002

    [Differentiable] public static double Floor(double x, double y) => Math.Floor(x) * y + x;
    [Differentiable] public static float FloorF(float x, float y) => MathF.Floor(x) * y + x;

    [Differentiable] public static double Ceiling(double x, double y) => Math.Ceiling(x) * y + x;
    [Differentiable] public static float CeilingF(float x, float y) => MathF.Ceiling(x) * y + x;

    [Differentiable] public static double Round(double x, double y) => Math.Round(x) * y + x;
    [Differentiable] public static float RoundF(float x, float y) => MathF.Round(x) * y + x;

    [Differentiable] public static double Truncate(double x, double y) => Math.Truncate(x) * y + x;
    [Differentiable] public static float TruncateF(float x, float y) => MathF.Truncate(x) * y + x;


    /// <summary>Sign returns int.</summary>
    [Differentiable] public static double Sign(double x, double y) => Math.Sign(x) * y + x;
    [Differentiable] public static float SignF(float x, float y) => MathF.Sign(x) * y + x;

    [Differentiable] public static double StopGradient(double x, double y) => Autodiff.StopGradient(x * y) * x;
    [Differentiable] public static float StopGradientF(float x, float y) => Autodiff.StopGradient(x * y) * x;

    // Bare zero-derivative calls: derivative exactly 0.
    [Differentiable] public static double FloorOnly(double x) => Math.Floor(x);
    [Differentiable] public static float FloorOnlyF(float x) => MathF.Floor(x);
    [Differentiable] public static double CeilingOnly(double x) => Math.Ceiling(x);
    [Differentiable] public static float CeilingOnlyF(float x) => MathF.Ceiling(x);
    [Differentiable] public static double RoundOnly(double x) => Math.Round(x);
    [Differentiable] public static float RoundOnlyF(float x) => MathF.Round(x);
    [Differentiable] public static double TruncateOnly(double x) => Math.Truncate(x);
    [Differentiable] public static float TruncateOnlyF(float x) => MathF.Truncate(x);
    [Differentiable] public static double SignOnly(double x) => Math.Sign(x);
    [Differentiable] public static float SignOnlyF(float x) => MathF.Sign(x);
    [Differentiable] public static double StopGradientOnly(double x) => Autodiff.StopGradient(x);
    [Differentiable] public static float StopGradientOnlyF(float x) => Autodiff.StopGradient(x);
    [Differentiable] public static double RoundDigits(double x) => Math.Round(x, 2) * x;
    [Differentiable] public static float RoundDigitsF(float x) => MathF.Round(x, 2) * x;
    [Differentiable] public static double RoundMode(double x) => Math.Round(x, 1, MidpointRounding.AwayFromZero) * x;
    [Differentiable] public static float RoundModeF(float x) => MathF.Round(x, 1, MidpointRounding.AwayFromZero) * x;
#pragma warning restore TN3001, TN3002

    // ---- Static methods on double / float (generic math) ---------------------------------------------

    [Differentiable] public static double DSin(double x, double y) => double.Sin(x) * double.Cos(y) + double.Tan(x * 0.5);
    [Differentiable] public static float DSinF(float x, float y) => float.Sin(x) * float.Cos(y) + float.Tan(x * 0.5f);

    [Differentiable] public static double DExpLog(double x, double y) => double.Exp(x) * double.Log(y) + double.Sqrt(x * x + y);
    [Differentiable] public static float DExpLogF(float x, float y) => float.Exp(x) * float.Log(y) + float.Sqrt(x * x + y);

    [Differentiable] public static double DPow(double x, double y) => double.Pow(x, y) + double.Cbrt(x) * double.Atan2(y, x);
    [Differentiable] public static float DPowF(float x, float y) => float.Pow(x, y) + float.Cbrt(x) * float.Atan2(y, x);

    [Differentiable] public static double DHyperbolic(double x, double y) => double.Tanh(x) * double.Sinh(y) + double.Asinh(x * y) + double.Atan(y);
    [Differentiable] public static float DHyperbolicF(float x, float y) => float.Tanh(x) * float.Sinh(y) + float.Asinh(x * y) + float.Atan(y);

    // Floor in a product: tests its zero-derivative template (TN3001 expected; see the pragma above).
#pragma warning disable TN3001
    [Differentiable] public static double DKinks(double x, double y) => double.Abs(x) * double.Max(x, y) + double.Min(x, y) + double.Clamp(y, -1.0, 1.0) * double.Floor(x);
    [Differentiable] public static float DKinksF(float x, float y) => float.Abs(x) * float.Max(x, y) + float.Min(x, y) + float.Clamp(y, -1.0f, 1.0f) * float.Floor(x);
#pragma warning restore TN3001

    [Differentiable] public static double DLogs(double x, double y) => double.Log10(x) * y + double.Log2(x * y) + double.Log(x, y + 2) + double.FusedMultiplyAdd(x, y, x);
    [Differentiable] public static float DLogsF(float x, float y) => float.Log10(x) * y + float.Log2(x * y) + float.Log(x, y + 2) + float.FusedMultiplyAdd(x, y, x);
}
