// Element conversion between any two dtypes with MXNet 1.x's (that is, C++ on x86-64's)
// results: floating -> integer truncates toward zero; NaN and out-of-range values give the
// "integer indefinite" value of the conversion (INT32_MIN through 32 bits for the narrow types,
// then wrapped, INT64_MIN for int64) instead of undefined behaviour; -> bool is "non-zero"
// (NaN is true); the 16-bit float types convert through float32.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/dtype.h"

namespace mixnet::op {

template <typename T>
inline constexpr bool kIsHalfLike = std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>;

template <typename O, typename I>
inline O CastValue(I x) {
  if constexpr (std::is_same_v<O, I>) {
    return x;
  } else if constexpr (kIsHalfLike<I>) {
    return CastValue<O>(static_cast<float>(x));
  } else if constexpr (std::is_same_v<O, bool>) {
    return x != I(0);
  } else if constexpr (kIsHalfLike<O>) {
    return O(static_cast<float>(x));
  } else if constexpr (std::is_floating_point_v<I> && std::is_integral_v<O>) {
    const double v = static_cast<double>(x);
    if constexpr (sizeof(O) == 8) {
      if (!(v > -9223372036854775808.0 - 1.0 && v < 9223372036854775808.0)) {
        return static_cast<O>(std::numeric_limits<int64_t>::min());
      }
      return static_cast<O>(static_cast<int64_t>(v));
    } else {
      if (!(v > -2147483649.0 && v < 2147483648.0)) {
        return static_cast<O>(std::numeric_limits<int32_t>::min());
      }
      return static_cast<O>(static_cast<int32_t>(v));
    }
  } else {
    return static_cast<O>(x);
  }
}

}  // namespace mixnet::op
