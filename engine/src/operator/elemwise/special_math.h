// Special functions the C++ standard library lacks: the inverse error function, the digamma
// function (derivative of log-gamma, for the gradients of gamma and gammaln), and a thread-safe
// log-gamma (std::lgamma writes the global `signgam` in glibc, a data race when
// kernels run on several threads).
#pragma once

#include <math.h>

#include <cmath>
#include <limits>

namespace mixnet::op::elemwise {

// erfinv(y) for y in [-1, 1]: +-inf at +-1, NaN outside [-1, 1] and for NaN.
//
// Starts from M. Giles' single-precision approximation ("Approximating the erfinv function",
// GPU Computing Gems, 2011), about 1e-7 relative error, and refines it with Newton steps on
// erf(x) = y in double precision (two steps from the float-accurate start). For |y| > 0.5 the
// equation is solved as log(erfc(x)) = log(1 - |y|), where 1 - |y| is exact, so the result keeps
// full accuracy as |y| approaches 1 (down to 1 - |y| = 2^-53).
inline double ErfInv(double y) {
  if (!(y >= -1.0 && y <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
  if (y == 1.0) return std::numeric_limits<double>::infinity();
  if (y == -1.0) return -std::numeric_limits<double>::infinity();
  if (y == 0.0) return y;  // keeps the sign of zero
  const double a = std::fabs(y);
  double w = -std::log((1.0 - a) * (1.0 + a));
  double p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double x = p * a;
  constexpr double kTwoOverSqrtPi = 1.1283791670955126;  // d/dx erf(x) = 2/sqrt(pi) e^-x^2
  const double log_tail = std::log1p(-a);  // log(1 - a), used when a > 0.5
  for (int step = 0; step < 8; ++step) {
    const double slope = kTwoOverSqrtPi * std::exp(-x * x);
    double dx;
    if (a > 0.5) {
      // Newton on log(erfc(x)) = log(1 - a): nearly linear in the tail, so it converges in a
      // few steps even where the initial approximation (fitted for float) is far off.
      const double tail = std::erfc(x);
      dx = (std::log(tail) - log_tail) * tail / -slope;
    } else {
      dx = (std::erf(x) - a) / slope;
    }
    x -= dx;
    if (!(std::fabs(dx) > 1e-16 * std::fabs(x))) break;
  }
  return y < 0 ? -x : x;
}

// log|Gamma(x)| without touching the global signgam.
inline double LogGamma(double x) {
  int sign;
  return ::lgamma_r(x, &sign);
}
inline float LogGamma(float x) {
  int sign;
  return ::lgammaf_r(x, &sign);
}

// psi(x) = d/dx ln|Gamma(x)|: NaN at the poles (0, -1, -2, ...) and for NaN.
//
// Negative arguments go through the reflection psi(x) = psi(1 - x) - pi / tan(pi x); the
// recurrence psi(x) = psi(x + 1) - 1/x then moves x to >= 6, where the asymptotic series
// ln x - 1/(2x) - sum B_2k / (2k x^2k) (seven terms) is accurate to double precision.
inline double Digamma(double x) {
  if (!(x == x)) return x;
  if (x <= 0.0 && std::floor(x) == x) return std::numeric_limits<double>::quiet_NaN();
  constexpr double kPi = 3.14159265358979323846;
  double result = 0.0;
  if (x < 0.5) {
    result = -kPi / std::tan(kPi * x);
    x = 1.0 - x;
  }
  while (x < 10.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  const double series =
      f * (-1.0 / 12 +
           f * (1.0 / 120 +
                f * (-1.0 / 252 +
                     f * (1.0 / 240 + f * (-1.0 / 132 + f * (691.0 / 32760 + f * (-1.0 / 12)))))));
  return result + std::log(x) - 0.5 / x + series;
}

}  // namespace mixnet::op::elemwise
