// Partial derivatives of the differentiable element-wise binary ops (shared by broadcast_*,
// elemwise_*, the legacy _mod/_power/... and the *_scalar ops), as functors with inline static
// L(a, b, y) = dy/da and R(a, b, y) = dy/db, given both operands and the forward's output y.
//
// Called with float (float32, float16, bfloat16) or double (float64) only. Conventions are
// MXNet 1.x's: maximum sends the gradient to lhs where a >= b and to rhs where a < b (minimum:
// lhs where a <= b, rhs where a > b); mod's derivatives are 1 and -floor(a / b); power's rhs
// derivative is a^b ln a (NaN for a < 0, as in MXNet).
#pragma once

#include <cmath>

namespace mixnet::op::elemwise {

#define MX_BINARY_GRAD(NAME, LEXPR, REXPR) \
  struct NAME {                            \
    template <typename C>                  \
    static C L(C a, C b, C y) {            \
      (void)a;                             \
      (void)b;                             \
      (void)y;                             \
      return LEXPR;                        \
    }                                      \
    template <typename C>                  \
    static C R(C a, C b, C y) {            \
      (void)a;                             \
      (void)b;                             \
      (void)y;                             \
      return REXPR;                        \
    }                                      \
  }

MX_BINARY_GRAD(PlusGrad, C(1), C(1));
MX_BINARY_GRAD(MinusGrad, C(1), C(-1));
MX_BINARY_GRAD(MulGrad, b, a);
MX_BINARY_GRAD(DivGrad, C(1) / b, -a / (b * b));
MX_BINARY_GRAD(ModGrad, C(1), -std::floor(a / b));
MX_BINARY_GRAD(PowerGrad, b * std::pow(a, b - C(1)), y * std::log(a));
MX_BINARY_GRAD(MaximumGrad, a >= b ? C(1) : C(0), a < b ? C(1) : C(0));
MX_BINARY_GRAD(MinimumGrad, a <= b ? C(1) : C(0), a > b ? C(1) : C(0));
MX_BINARY_GRAD(HypotGrad, a / y, b / y);

#undef MX_BINARY_GRAD

}  // namespace mixnet::op::elemwise
