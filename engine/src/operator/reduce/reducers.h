// The reduction operators (sum, product, max, ...) as small policy structs used by the generic
// kernel in reduce_kernel.h, plus the accumulator type each input dtype reduces in.
//
// A reducer R<A> has: Acc (= A, the accumulator type), Identity(), Combine(a, b), and
// Map<kFirst>(x), which converts an input element to Acc; it applies the element transform (NaN
// -> 0 for nansum, |x| for the 1-norm, x*x for the 2-norm) only when kFirst, i.e. on the pass
// that reads the original input; later passes of a multi-axis reduction combine accumulators.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/dtype.h"

namespace mixnet::op::reduce {

template <typename T>
inline constexpr bool kIsLowPrecisionFloat = std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>;

template <typename T>
inline constexpr bool kIsFloatLike = std::is_floating_point_v<T> || kIsLowPrecisionFloat<T>;

// Accumulator of sums and products. float32 accumulates in float64: a row of a million 0.1f
// then sums to the correctly rounded result, where float32 lanes drift by ~1% at 16M elements
// (measured). Cost, measured on this project's 2-core AVX2 machine: none for rows streamed from
// memory (both ~9 GB/s), about 0.6x the float32-lane speed for rows already in cache.
// float16/bfloat16 accumulate in float32, integers (and bool) in int64, wrapping like the narrow
// type does after the final cast.
template <typename T>
struct SumAcc {
  using type = std::conditional_t<
      std::is_same_v<T, float> || std::is_same_v<T, double>, double,
      std::conditional_t<kIsLowPrecisionFloat<T>, float, int64_t>>;
};

// Accumulator of norms: floating point even for integer inputs.
template <typename T>
struct NormAcc {
  using type = std::conditional_t<kIsLowPrecisionFloat<T>, float, double>;
};

// Integer sums and products wrap around like the narrow types do (through unsigned arithmetic:
// signed overflow would be undefined behaviour); floating types use plain arithmetic.
template <typename A>
inline A WrapAdd(A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    using U = std::make_unsigned_t<A>;
    return static_cast<A>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <typename A>
inline A WrapMul(A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    using U = std::make_unsigned_t<A>;
    return static_cast<A>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}

// Accumulator of max/min: exact in the input type; the 16-bit floats compare as float32.
template <typename T>
struct CompareAcc {
  using type = std::conditional_t<kIsLowPrecisionFloat<T>, float, T>;
};

// Input element -> A, going through float for the 16-bit float types.
template <typename A, typename T>
inline A ToAcc(T x) {
  if constexpr (kIsLowPrecisionFloat<T>) {
    return static_cast<A>(static_cast<float>(x));
  } else {
    return static_cast<A>(x);
  }
}

// A -> output element, going through float for the 16-bit float types.
template <typename O, typename A>
inline O FromAcc(A a) {
  if constexpr (kIsLowPrecisionFloat<O>) {
    return O(static_cast<float>(a));
  } else if constexpr (std::is_same_v<O, bool>) {
    return a != A(0);
  } else {
    return static_cast<O>(a);
  }
}

template <typename T>
inline bool IsNaN(T x) {
  if constexpr (kIsLowPrecisionFloat<T>) {
    return std::isnan(static_cast<float>(x));
  } else if constexpr (std::is_floating_point_v<T>) {
    return x != x;
  } else {
    return false;
  }
}

template <typename A>
struct SumReducer {
  using Acc = A;
  static A Identity() { return A(0); }
  static A Combine(A a, A b) { return WrapAdd(a, b); }
  template <bool kFirst, typename T>
  static A Map(T x) { return ToAcc<A>(x); }
};

template <typename A>
struct ProdReducer {
  using Acc = A;
  static A Identity() { return A(1); }
  static A Combine(A a, A b) { return WrapMul(a, b); }
  template <bool kFirst, typename T>
  static A Map(T x) { return ToAcc<A>(x); }
};

template <typename A>
struct NanSumReducer : SumReducer<A> {
  template <bool kFirst, typename T>
  static A Map(T x) {
    if constexpr (kFirst) {
      if (IsNaN(x)) return A(0);
    }
    return ToAcc<A>(x);
  }
};

template <typename A>
struct NanProdReducer : ProdReducer<A> {
  template <bool kFirst, typename T>
  static A Map(T x) {
    if constexpr (kFirst) {
      if (IsNaN(x)) return A(1);
    }
    return ToAcc<A>(x);
  }
};

// Sum of |x| (1-norm before finalisation).
template <typename A>
struct AbsSumReducer : SumReducer<A> {
  template <bool kFirst, typename T>
  static A Map(T x) {
    A v = ToAcc<A>(x);
    if constexpr (kFirst) {
      return v < A(0) ? A(-v) : v;
    } else {
      return v;
    }
  }
};

// Sum of x*x (2-norm before the square root).
template <typename A>
struct SquareSumReducer : SumReducer<A> {
  template <bool kFirst, typename T>
  static A Map(T x) {
    A v = ToAcc<A>(x);
    if constexpr (kFirst) {
      return v * v;
    } else {
      return v;
    }
  }
};

// NaN propagates, as in MXNet 1.x (mshadow's maximum keeps a NaN once it has one).
template <typename A>
struct MaxReducer {
  using Acc = A;
  static A Identity() {
    if constexpr (std::is_floating_point_v<A>) return -std::numeric_limits<A>::infinity();
    else return std::numeric_limits<A>::lowest();
  }
  // (| rather than ||: no branch, so the lanes vectorise.)
  static A Combine(A a, A b) { return ((a >= b) | IsNaN(a)) ? a : b; }
  template <bool kFirst, typename T>
  static A Map(T x) { return ToAcc<A>(x); }
};

template <typename A>
struct MinReducer {
  using Acc = A;
  static A Identity() {
    if constexpr (std::is_floating_point_v<A>) return std::numeric_limits<A>::infinity();
    else return std::numeric_limits<A>::max();
  }
  static A Combine(A a, A b) { return ((a <= b) | IsNaN(a)) ? a : b; }
  template <bool kFirst, typename T>
  static A Map(T x) { return ToAcc<A>(x); }
};

}  // namespace mixnet::op::reduce
