// The math of each element-wise unary op, as small functors with an inline static Map().
//
// Map is called with the compute type: float (float32, float16, bfloat16), double (float64), and
// for ops flagged kIntNative also the integer type itself (abs, sign, rounding, ...), which must
// then be exact and wrap like the hardware. Integer inputs of the other ops are computed in
// double and converted back with SaturateCast, as MXNet computes them in double and casts.
// kBool marks the ops that accept bool (Map is then also called with bool).
#pragma once

#include <cmath>
#include <type_traits>

#include "operator/elemwise/elemwise_util.h"
#include "operator/elemwise/special_math.h"

namespace mixnet::op::elemwise {

struct UnaryOpBase {
  static constexpr bool kIntNative = false;
  static constexpr bool kBool = false;
};

struct UnaryIntOpBase {
  static constexpr bool kIntNative = true;
  static constexpr bool kBool = false;
};

#define MX_UNARY_FLOAT_OP(NAME, EXPR)        \
  struct NAME : UnaryOpBase {                \
    template <typename C>                    \
    static C Map(C x) {                      \
      return EXPR;                           \
    }                                        \
  }

// --- integral ops -----------------------------------------------------------------------------

struct AbsOp : UnaryIntOpBase {
  template <typename C>
  static C Map(C x) {
    if constexpr (std::is_unsigned_v<C>) {
      return x;
    } else if constexpr (kIsInt<C>) {
      return x < 0 ? WrapNeg(x) : x;
    } else {
      return std::fabs(x);
    }
  }
};

struct NegativeOp : UnaryIntOpBase {
  template <typename C>
  static C Map(C x) {
    if constexpr (kIsInt<C>) {
      return WrapNeg(x);
    } else {
      return -x;
    }
  }
};

struct SquareOp : UnaryIntOpBase {
  template <typename C>
  static C Map(C x) {
    if constexpr (kIsInt<C>) {
      return WrapMul(x, x);
    } else {
      return x * x;
    }
  }
};

// -1, 0 or 1; NaN gives 0, as in MXNet (neither x < 0 nor x > 0 holds).
struct SignOp : UnaryIntOpBase {
  template <typename C>
  static C Map(C x) {
    return x < C(0) ? C(-1) : (x > C(0) ? C(1) : C(0));
  }
};

// NaN propagates (MXNet: IsNan(a) || a > 0 ? a : 0).
struct ReluOp : UnaryIntOpBase {
  template <typename C>
  static C Map(C x) {
    if constexpr (kIsInt<C>) {
      return x > C(0) ? x : C(0);
    } else {
      return (x != x || x > C(0)) ? x : C(0);
    }
  }
};

// Rounding ops are the identity on integers.
#define MX_UNARY_ROUNDING_OP(NAME, FLOAT_EXPR) \
  struct NAME : UnaryIntOpBase {               \
    template <typename C>                      \
    static C Map(C x) {                        \
      if constexpr (kIsInt<C>) {               \
        return x;                              \
      } else {                                 \
        return FLOAT_EXPR;                     \
      }                                        \
    }                                          \
  }

MX_UNARY_ROUNDING_OP(FloorOp, std::floor(x));
MX_UNARY_ROUNDING_OP(CeilOp, std::ceil(x));
// Halves away from zero.
MX_UNARY_ROUNDING_OP(RoundOp, std::round(x));
MX_UNARY_ROUNDING_OP(TruncOp, std::trunc(x));
// MXNet's rint: the nearer of floor and ceil, ties going to floor (1.5 -> 1, -0.5 -> -1).
MX_UNARY_ROUNDING_OP(RintOp, (x - std::floor(x)) <= (std::ceil(x) - x) ? std::floor(x)
                                                                          : std::ceil(x));
// MXNet's fix: whichever of floor and ceil is smaller in magnitude, ceil on ties, so that
// fix(-0.5) = ceil(-0.5) = -0.0.
MX_UNARY_ROUNDING_OP(FixOp, std::fabs(std::floor(x)) < std::fabs(std::ceil(x)) ? std::floor(x)
                                                                                : std::ceil(x));

// 1 where x == 0, else 0 (NaN counts as true, so gives 0).
struct LogicalNotOp : UnaryIntOpBase {
  static constexpr bool kBool = true;
  template <typename C>
  static C Map(C x) {
    if constexpr (std::is_same_v<C, bool>) {
      return !x;
    } else {
      return x != C(0) ? C(0) : C(1);
    }
  }
};

// --- floating ops (integers via double) --------------------------------------------------------

MX_UNARY_FLOAT_OP(ExpOp, std::exp(x));
MX_UNARY_FLOAT_OP(LogOp, std::log(x));
MX_UNARY_FLOAT_OP(Log1pOp, std::log1p(x));
MX_UNARY_FLOAT_OP(Expm1Op, std::expm1(x));
MX_UNARY_FLOAT_OP(Log2Op, std::log2(x));
MX_UNARY_FLOAT_OP(Log10Op, std::log10(x));
MX_UNARY_FLOAT_OP(SqrtOp, std::sqrt(x));
MX_UNARY_FLOAT_OP(RsqrtOp, C(1) / std::sqrt(x));
MX_UNARY_FLOAT_OP(CbrtOp, std::cbrt(x));
MX_UNARY_FLOAT_OP(RcbrtOp, C(1) / std::cbrt(x));
MX_UNARY_FLOAT_OP(ReciprocalOp, C(1) / x);
MX_UNARY_FLOAT_OP(SinOp, std::sin(x));
MX_UNARY_FLOAT_OP(CosOp, std::cos(x));
MX_UNARY_FLOAT_OP(TanOp, std::tan(x));
MX_UNARY_FLOAT_OP(ArcsinOp, std::asin(x));
MX_UNARY_FLOAT_OP(ArccosOp, std::acos(x));
MX_UNARY_FLOAT_OP(ArctanOp, std::atan(x));
MX_UNARY_FLOAT_OP(SinhOp, std::sinh(x));
MX_UNARY_FLOAT_OP(CoshOp, std::cosh(x));
MX_UNARY_FLOAT_OP(TanhOp, std::tanh(x));
MX_UNARY_FLOAT_OP(ArcsinhOp, std::asinh(x));
MX_UNARY_FLOAT_OP(ArccoshOp, std::acosh(x));
MX_UNARY_FLOAT_OP(ArctanhOp, std::atanh(x));
MX_UNARY_FLOAT_OP(DegreesOp, x * C(57.295779513082320876798154814105));
MX_UNARY_FLOAT_OP(RadiansOp, x * C(0.017453292519943295769236907684886));
MX_UNARY_FLOAT_OP(SigmoidOp, C(1) / (C(1) + std::exp(-x)));
MX_UNARY_FLOAT_OP(SoftsignOp, x / (C(1) + std::fabs(x)));
MX_UNARY_FLOAT_OP(ErfOp, std::erf(x));
// Computed in double for every type: the refinement needs double accuracy anyway.
MX_UNARY_FLOAT_OP(ErfinvOp, static_cast<C>(ErfInv(static_cast<double>(x))));
MX_UNARY_FLOAT_OP(GammaOp, std::tgamma(x));
MX_UNARY_FLOAT_OP(GammalnOp, LogGamma(x));

#undef MX_UNARY_FLOAT_OP
#undef MX_UNARY_ROUNDING_OP

// Applies Op to one stored integer/bool element.
template <typename Op, typename T>
inline T ApplyUnaryInt(T x) {
  if constexpr (std::is_same_v<T, bool> || Op::kIntNative) {
    return Op::Map(x);
  } else {
    return SaturateCast<T>(Op::Map(static_cast<double>(x)));
  }
}

}  // namespace mixnet::op::elemwise
