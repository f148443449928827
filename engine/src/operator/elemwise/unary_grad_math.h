// Derivatives of the differentiable element-wise unary ops, as functors with an inline static
// Map(x, y) returning dy/dx from the input x and the forward's output y (whichever is cheaper or
// more accurate). The backward multiplies it by the head gradient.
//
// Map is only called with float (float32, float16, bfloat16) or double (float64). At kinks the
// conventions are MXNet's: abs'(0) = sign(0) = 0, relu'(0) = 0.
#pragma once

#include <cmath>

#include "operator/elemwise/special_math.h"

namespace mixnet::op::elemwise {

#define MX_UNARY_GRAD(NAME, EXPR)  \
  struct NAME {                    \
    template <typename C>          \
    static C Map(C x, C y) {       \
      (void)x;                     \
      (void)y;                     \
      return EXPR;                 \
    }                              \
  }

MX_UNARY_GRAD(AbsGrad, x > C(0) ? C(1) : (x < C(0) ? C(-1) : C(0)));
MX_UNARY_GRAD(NegativeGrad, C(-1));
MX_UNARY_GRAD(ExpGrad, y);
MX_UNARY_GRAD(LogGrad, C(1) / x);
MX_UNARY_GRAD(Log1pGrad, C(1) / (C(1) + x));
MX_UNARY_GRAD(Expm1Grad, y + C(1));
MX_UNARY_GRAD(Log2Grad, C(1) / (x * C(0.69314718055994530941723212145818)));
MX_UNARY_GRAD(Log10Grad, C(1) / (x * C(2.3025850929940456840179914546844)));
MX_UNARY_GRAD(SqrtGrad, C(0.5) / y);
// rsqrt: -1/2 x^(-3/2) = -y^3 / 2.
MX_UNARY_GRAD(RsqrtGrad, C(-0.5) * y * y * y);
MX_UNARY_GRAD(CbrtGrad, C(1) / (C(3) * y * y));
// rcbrt: -1/3 x^(-4/3) = -y / (3x).
MX_UNARY_GRAD(RcbrtGrad, -y / (C(3) * x));
MX_UNARY_GRAD(SquareGrad, C(2) * x);
MX_UNARY_GRAD(ReciprocalGrad, -(y * y));
MX_UNARY_GRAD(SinGrad, std::cos(x));
MX_UNARY_GRAD(CosGrad, -std::sin(x));
MX_UNARY_GRAD(TanGrad, C(1) + y * y);
MX_UNARY_GRAD(ArcsinGrad, C(1) / std::sqrt(C(1) - x * x));
MX_UNARY_GRAD(ArccosGrad, C(-1) / std::sqrt(C(1) - x * x));
MX_UNARY_GRAD(ArctanGrad, C(1) / (C(1) + x * x));
MX_UNARY_GRAD(SinhGrad, std::cosh(x));
MX_UNARY_GRAD(CoshGrad, std::sinh(x));
MX_UNARY_GRAD(TanhGrad, C(1) - y * y);
MX_UNARY_GRAD(ArcsinhGrad, C(1) / std::sqrt(x * x + C(1)));
MX_UNARY_GRAD(ArccoshGrad, C(1) / std::sqrt(x * x - C(1)));
MX_UNARY_GRAD(ArctanhGrad, C(1) / (C(1) - x * x));
MX_UNARY_GRAD(DegreesGrad, C(57.295779513082320876798154814105));
MX_UNARY_GRAD(RadiansGrad, C(0.017453292519943295769236907684886));
MX_UNARY_GRAD(SigmoidGrad, y * (C(1) - y));
// MXNet's relu gradient tests the output: 1 where y > 0 (NaN and 0 give 0).
MX_UNARY_GRAD(ReluGrad, y > C(0) ? C(1) : C(0));
MX_UNARY_GRAD(SoftsignGrad, C(1) / ((C(1) + std::fabs(x)) * (C(1) + std::fabs(x))));
// erf: 2/sqrt(pi) e^(-x^2).
MX_UNARY_GRAD(ErfGrad, C(1.1283791670955125738961589031215) * std::exp(-x * x));
// erfinv: sqrt(pi)/2 e^(erfinv(x)^2).
MX_UNARY_GRAD(ErfinvGrad, C(0.88622692545275801364908374167057) * std::exp(y * y));
MX_UNARY_GRAD(GammaGrad, y * static_cast<C>(Digamma(static_cast<double>(x))));
MX_UNARY_GRAD(GammalnGrad, static_cast<C>(Digamma(static_cast<double>(x))));

#undef MX_UNARY_GRAD

}  // namespace mixnet::op::elemwise
