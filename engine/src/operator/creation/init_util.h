// Helpers shared by the creation and random ops: validation of the `ctx` and `shape` parameters
// they take (as MXNet's creation ops do), and a parallel fill kernel.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "common/shape.h"
#include "ndarray/context.h"
#include "operator/elemwise/elemwise_util.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::creation {

// Parses a `ctx` parameter: "" (the default device), "cpu(0)", "cpu_pinned(0)", "cpu_shared(0)";
// "gpu(n)" is NotImplemented in this build, anything else ValueError naming op and value.
Context ParseCtxParam(const char* op_name, std::string_view text);

// ValueError naming the op when a dimension of `shape` is negative.
void CheckShapeParam(const char* op_name, const char* param, const Shape& shape);

// Writes (or adds) v to out[0, n), in parallel for large n.
template <typename T>
void Fill(const OpContext& ctx, OpReq req, T* out, int64_t n, T v) {
  using elemwise::StoreReq;
  if (n == 0) return;
  MX_REQ_SWITCH(req, R, {
    ParallelFor(n, ctx.nthreads, [&](int64_t b, int64_t e) {
      if constexpr (R != OpReq::kAddTo && std::is_arithmetic_v<T>) {
        if (v == T(0)) {
          std::memset(out + b, 0, static_cast<size_t>(e - b) * sizeof(T));
          return;
        }
      }
      for (int64_t i = b; i < e; ++i) StoreReq<R>(out[i], v);
    });
  });
}

// `value` as an element of T: rounded for float types, truncated and saturated for integers,
// value != 0 for bool.
template <typename T>
T ValueAs(double value) {
  if constexpr (elemwise::kIsHalf<T>) {
    return T(static_cast<float>(value));
  } else {
    return elemwise::SaturateCast<T>(value);
  }
}

}  // namespace mixnet::op::creation
