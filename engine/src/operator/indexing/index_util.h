// Reading index arrays of any dtype (take, pick, one_hot): values truncate toward zero like
// MXNet's integer conversion; NaN reads as 0 and huge values saturate instead of being undefined
// behaviour.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "common/dtype.h"

namespace mixnet::op {

template <typename I>
inline double IndexAsDouble(I raw) {
  if constexpr (std::is_same_v<I, half_t> || std::is_same_v<I, bf16_t>) {
    return static_cast<double>(static_cast<float>(raw));
  } else {
    return static_cast<double>(raw);
  }
}

inline int64_t TruncateIndex(double v) {
  if (!(v == v)) return 0;
  return static_cast<int64_t>(std::clamp(v, -9.0e18, 9.0e18));
}

inline int64_t ClipIndex(int64_t k, int64_t n) { return std::clamp<int64_t>(k, 0, n - 1); }

inline int64_t WrapIndex(int64_t k, int64_t n) {
  k %= n;
  return k < 0 ? k + n : k;
}

}  // namespace mixnet::op
