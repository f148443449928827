// Writing kernel results according to OpReq (MXNet's kWriteTo / kWriteInplace / kAddTo / kNull).
// Shared by the reduce, linalg, shape and indexing kernels so every one of them honours `req` the
// same way: write and in-place overwrite, add-to accumulates in the element type (half/bfloat16
// through float, bool as logical or), null leaves the output untouched.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "common/dtype.h"
#include "operator/op.h"

namespace mixnet::op {

// a + b in the element type's own arithmetic.
template <typename T>
inline T AddValues(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || b;
  } else if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>) {
    return T(static_cast<float>(a) + static_cast<float>(b));
  } else {
    return static_cast<T>(a + b);
  }
}

// Stores one value under req (never called with kNull by the kernels, but harmless).
template <typename T>
inline void StoreReq(OpReq req, T* dst, T value) {
  if (req == OpReq::kAddTo) {
    *dst = AddValues(*dst, value);
  } else if (req != OpReq::kNull) {
    *dst = value;
  }
}

// Copies a contiguous run of n elements under req: memmove for write/in-place (the run may alias
// itself when an in-place pass hands the same buffer back), elementwise add for add-to.
template <typename T>
inline void AssignRun(OpReq req, T* dst, const T* src, int64_t n) {
  if (n <= 0 || req == OpReq::kNull) return;
  if (req == OpReq::kAddTo) {
    for (int64_t i = 0; i < n; ++i) dst[i] = AddValues(dst[i], src[i]);
  } else if (dst != src) {
    std::memmove(dst, src, static_cast<size_t>(n) * sizeof(T));
  }
}

// The req for output i (kWriteTo when the caller passed none, as tests of raw kernels may).
inline OpReq ReqAt(const OpContext& ctx, size_t i) {
  return i < ctx.req.size() ? ctx.req[i] : OpReq::kWriteTo;
}

}  // namespace mixnet::op
