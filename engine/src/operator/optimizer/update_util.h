// Shared pieces of the optimizer update kernels: shape/dtype inference (every state has the
// weight's shape and dtype), gradient clipping as MXNet 1.x does it (clip_gradient < 0 means no
// clipping; 0 clips everything to 0), and an elementwise driver.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <span>
#include <type_traits>

#include "common/dtype.h"
#include "common/error.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::optimizer {

// Arithmetic type: float for the 16-bit floats, else the element type.
template <typename T>
using Compute =
    std::conditional_t<std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>, float, T>;

// The first names.size() inputs must match the weight (input 0) in shape and dtype; the output
// is shaped like the weight.
inline void InferLikeWeight(const char* op, std::initializer_list<const char*> names,
                            InferIO& io) {
  const Shape& w = io.in_shapes.at(0);
  const DType t = io.in_types.at(0);
  MX_CHECK(IsFloatingDType(t), TypeError)
      << op << ": weight has dtype " << DTypeName(t) << " (floating dtypes only)";
  size_t i = 0;
  for (const char* name : names) {
    MX_CHECK(io.in_shapes.at(i) == w, ValueError)
        << op << ": " << name << " must have the weight's shape " << w << ", got "
        << io.in_shapes[i];
    MX_CHECK(io.in_types[i] == t, TypeError)
        << op << ": " << name << " has dtype " << DTypeName(io.in_types[i]) << " but weight has "
        << DTypeName(t);
    ++i;
  }
  io.out_shapes = {w};
  io.out_types = {t};
}

template <typename C>
inline C Clip(C x, C bound) {
  return x > bound ? bound : (x < -bound ? -bound : x);
}

// g clipped when clip_gradient >= 0 (MXNet's test), else unchanged.
template <typename C>
inline C MaybeClip(C g, float clip_gradient) {
  return clip_gradient >= 0.0f ? Clip(g, static_cast<C>(clip_gradient)) : g;
}

// Calls f(i) for every element, split over the op's threads.
template <typename F>
void ForEachElement(const OpContext& ctx, int64_t n, F&& f) {
  ParallelFor(n, ctx.nthreads, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) f(i);
  });
}

}  // namespace mixnet::op::optimizer
