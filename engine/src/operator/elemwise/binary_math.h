// The math of each element-wise binary op (shared by broadcast_*, elemwise_* and *_scalar ops),
// as functors with an inline static Map(a, b).
//
// Map is called with the compute type: float (float32, float16, bfloat16), double (float64), the
// integer type itself when kIntNative (integer arithmetic wraps; x / 0 and x mod 0 are 0 rather
// than a crash), and bool when kBool. Non-native ops compute integers in double and convert back.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include "operator/elemwise/elemwise_util.h"

namespace mixnet::op::elemwise {

struct BinaryArithBase {
  static constexpr bool kIntNative = true;
  static constexpr bool kBool = false;
};
struct BinaryLogicBase {
  static constexpr bool kIntNative = true;
  static constexpr bool kBool = true;
};

struct PlusOp : BinaryArithBase {
  template <typename C>
  static C Map(C a, C b) {
    if constexpr (kIsInt<C>) {
      return WrapAdd(a, b);
    } else {
      return a + b;
    }
  }
};

struct MinusOp : BinaryArithBase {
  template <typename C>
  static C Map(C a, C b) {
    if constexpr (kIsInt<C>) {
      return WrapSub(a, b);
    } else {
      return a - b;
    }
  }
};

struct MulOp : BinaryArithBase {
  template <typename C>
  static C Map(C a, C b) {
    if constexpr (kIsInt<C>) {
      return WrapMul(a, b);
    } else {
      return a * b;
    }
  }
};

// Integers: C division (truncates toward zero); x / 0 = 0 and MIN / -1 wraps, where the hardware
// would trap.
struct DivOp : BinaryArithBase {
  template <typename C>
  static C Map(C a, C b) {
    if constexpr (kIsInt<C>) {
      if (b == C(0)) return C(0);
      if constexpr (std::is_signed_v<C>) {
        if (b == C(-1)) return WrapNeg(a);
      }
      return static_cast<C>(a / b);
    } else {
      return a / b;
    }
  }
};

// Remainder with the sign of the divisor (Python's %), and x mod 0 = 0 for every dtype, as MXNet
// 1.x defines it. Floats are computed in double like MXNet, so float32 results match it exactly.
struct ModOp : BinaryArithBase {
  template <typename C>
  static C Map(C a, C b) {
    if constexpr (kIsInt<C>) {
      if (b == C(0)) return C(0);
      if constexpr (std::is_signed_v<C>) {
        if (b == C(-1)) return C(0);
        C r = static_cast<C>(a % b);
        if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<C>(r + b);
        return r;
      } else {
        return static_cast<C>(a % b);
      }
    } else {
      if (b == C(0)) return C(0);
      const double bd = static_cast<double>(b);
      double r = std::fmod(static_cast<double>(a), bd);
      if (r != 0 && ((r < 0) != (bd < 0))) r += bd;
      return static_cast<C>(r);
    }
  }
};

struct PowerOp {
  static constexpr bool kIntNative = false;
  static constexpr bool kBool = false;
  template <typename C>
  static C Map(C a, C b) {
    return std::pow(a, b);
  }
};

struct HypotOp {
  static constexpr bool kIntNative = false;
  static constexpr bool kBool = false;
  template <typename C>
  static C Map(C a, C b) {
    return std::hypot(a, b);
  }
};

// NaN in either operand gives NaN (MXNet: a is NaN -> a; otherwise a > b fails for NaN b -> b).
struct MaximumOp : BinaryLogicBase {
  template <typename C>
  static C Map(C a, C b) {
    if constexpr (std::is_floating_point_v<C>) {
      return (a != a || a > b) ? a : b;
    } else {
      return a > b ? a : b;
    }
  }
};

struct MinimumOp : BinaryLogicBase {
  template <typename C>
  static C Map(C a, C b) {
    if constexpr (std::is_floating_point_v<C>) {
      return (a != a || a < b) ? a : b;
    } else {
      return a < b ? a : b;
    }
  }
};

// Comparisons and logical ops return 1/0 in the compute (= input) type, as MXNet 1.x does.
#define MX_BINARY_LOGIC_OP(NAME, EXPR)   \
  struct NAME : BinaryLogicBase {        \
    template <typename C>                \
    static C Map(C a, C b) {             \
      return (EXPR) ? C(1) : C(0);       \
    }                                    \
  }

MX_BINARY_LOGIC_OP(EqualOp, a == b);
MX_BINARY_LOGIC_OP(NotEqualOp, a != b);
MX_BINARY_LOGIC_OP(GreaterOp, a > b);
MX_BINARY_LOGIC_OP(GreaterEqualOp, a >= b);
MX_BINARY_LOGIC_OP(LesserOp, a < b);
MX_BINARY_LOGIC_OP(LesserEqualOp, a <= b);
// Non-zero (NaN included) is true.
MX_BINARY_LOGIC_OP(LogicalAndOp, a != C(0) && b != C(0));
MX_BINARY_LOGIC_OP(LogicalOrOp, a != C(0) || b != C(0));
MX_BINARY_LOGIC_OP(LogicalXorOp, (a != C(0)) != (b != C(0)));

#undef MX_BINARY_LOGIC_OP

// Applies Op to two stored integer/bool elements.
template <typename Op, typename T>
inline T ApplyBinaryInt(T a, T b) {
  if constexpr (std::is_same_v<T, bool> || Op::kIntNative) {
    return Op::Map(a, b);
  } else {
    return SaturateCast<T>(Op::Map(static_cast<double>(a), static_cast<double>(b)));
  }
}

// Applies Op in the compute type of T (values already loaded into it).
template <typename Op, typename T>
inline ComputeOf<T> ApplyBinary(ComputeOf<T> a, ComputeOf<T> b) {
  if constexpr (std::is_integral_v<T>) {
    return ApplyBinaryInt<Op, T>(a, b);
  } else {
    return Op::template Map<ComputeOf<T>>(a, b);
  }
}

}  // namespace mixnet::op::elemwise
