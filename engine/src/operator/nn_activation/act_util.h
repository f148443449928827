// Shared pieces of the nn_activation kernels: the compute type, dtype checks and an elementwise
// loop that honours OpReq and splits large arrays across the granted threads.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "common/dtype.h"
#include "common/error.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::act {

// float for the 16-bit types and float, double for double: half/bfloat16 compute in float.
template <typename T>
using Compute = std::conditional_t<std::is_same_v<T, double>, double, float>;

inline void CheckFloat(const char* op, const char* arg, DType t) {
  MX_CHECK(IsFloatingDType(t), TypeError)
      << op << ": " << arg << " has dtype " << DTypeName(t)
      << ", which is not supported (floating dtypes only)";
}

// out[i] (=|+=) f(i) for i in [0, n). The branch on req sits outside the loop so the body stays
// a straight vectorisable loop.
template <typename T, typename F>
void MapReq(OpReq req, int64_t n, int nthreads, T* out, F&& f) {
  if (req == OpReq::kNull || n <= 0) return;
  using C = Compute<T>;
  ParallelFor(n, nthreads, [&](int64_t b, int64_t e) {
    if (req == OpReq::kAddTo) {
      for (int64_t i = b; i < e; ++i) out[i] = static_cast<T>(static_cast<C>(out[i]) + f(i));
    } else {
      for (int64_t i = b; i < e; ++i) out[i] = static_cast<T>(f(i));
    }
  });
}

template <typename C>
inline C Sigmoid(C x) {
  return C(1) / (C(1) + std::exp(-x));
}

// log(1 + exp(x)); above 20 it equals x in float precision (and exp would overflow later).
template <typename C>
inline C SoftRelu(C x) {
  return x > C(20) ? x : std::log1p(std::exp(x));
}

}  // namespace mixnet::op::act
