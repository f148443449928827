// Small helpers shared by the nn_basic kernels (FullyConnected, Embedding, UpSampling, the
// Sequence* ops, add_n).
#pragma once

#include <type_traits>

#include "common/dtype.h"
#include "common/error.h"
#include "common/shape.h"

namespace mixnet::op::nn_basic {

// Arithmetic type for element type T: float for the 16-bit floats, else T itself.
template <typename T>
using Compute =
    std::conditional_t<std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>, float, T>;

inline void CheckFloating(const char* op, const char* arg, DType t) {
  MX_CHECK(IsFloatingDType(t), TypeError)
      << op << ": " << arg << " has dtype " << DTypeName(t)
      << ", which is not supported (floating dtypes only)";
}

}  // namespace mixnet::op::nn_basic
