// Building blocks shared by the element-wise kernels (unary, binary, broadcast, scalar) and the
// fill kernels: which type an element is computed in, safe conversions back to the storage type,
// how an output request (write / add) is applied, and block conversion of float16/bfloat16 to and
// from float32 so that the arithmetic loops over them still run on plain float arrays.
//
// Everything here is header-only and inline so that the loops in the kernels see through it and
// GCC can vectorise them (plain loops over raw pointers, no calls per element).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#if defined(__F16C__) && defined(__AVX__)
#include <immintrin.h>
#endif

#include "common/dtype.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::elemwise {

// float16 and bfloat16: stored as 16 bits, computed in float32 (as MXNet's mshadow does).
template <typename T>
inline constexpr bool kIsHalf = std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>;

// Integer storage types (bool excluded: it has its own rules).
template <typename T>
inline constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Elements per block when float16/bfloat16 data goes through float32 scratch buffers.
constexpr int64_t kHalfBlock = 256;

// Converts a double to an integer type without undefined behaviour: truncates toward zero,
// NaN becomes 0 and values outside the type's range saturate. Float types convert directly.
template <typename T>
inline T SaturateCast(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else if constexpr (kIsInt<T>) {
    if (!(v == v)) return T(0);
    constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
    constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
    if (v <= lo) return std::numeric_limits<T>::min();
    // For int64 `hi` rounds up to 2^63, so >= catches everything that would overflow.
    if (v >= hi) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return T(static_cast<float>(v));
  }
}
template <>
inline double SaturateCast<double>(double v) {
  return v;
}
template <>
inline float SaturateCast<float>(double v) {
  return static_cast<float>(v);
}

// Wrapping integer arithmetic (two's complement, as the hardware does, without signed-overflow UB).
template <typename T>
inline T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
}
template <typename T>
inline T WrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
}
template <typename T>
inline T WrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  // Promote to at least unsigned int so that uint8 * uint8 does not go through signed int.
  using W = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;
  return static_cast<T>(static_cast<U>(static_cast<W>(static_cast<U>(a)) *
                                       static_cast<W>(static_cast<U>(b))));
}
template <typename T>
inline T WrapNeg(T a) {
  return WrapSub<T>(T(0), a);
}

// out = v (write) or out += v (add), in the storage type.
template <OpReq R, typename T>
inline void StoreReq(T& out, T v) {
  if constexpr (R == OpReq::kAddTo) {
    if constexpr (std::is_same_v<T, bool>) {
      out = out || v;
    } else if constexpr (kIsInt<T>) {
      out = WrapAdd<T>(out, v);
    } else if constexpr (kIsHalf<T>) {
      out = T(static_cast<float>(out) + static_cast<float>(v));
    } else {
      out = out + v;
    }
  } else {
    out = v;
  }
}

// --- float16 / bfloat16 blocks ----------------------------------------------------------------

inline void ToFloat(const half_t* in, float* out, int64_t n) {
  int64_t i = 0;
#if defined(__F16C__) && defined(__AVX__)
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
  }
#endif
  for (; i < n; ++i) out[i] = static_cast<float>(in[i]);
}

inline void ToFloat(const bf16_t* in, float* out, int64_t n) {
  const uint16_t* bits = reinterpret_cast<const uint16_t*>(in);
  for (int64_t i = 0; i < n; ++i) {
    uint32_t u = static_cast<uint32_t>(bits[i]) << 16;
    float f;
    __builtin_memcpy(&f, &u, 4);
    out[i] = f;
  }
}

// Converts float results back and applies the request (write or add).
template <OpReq R>
inline void FromFloat(const float* in, half_t* out, int64_t n) {
  int64_t i = 0;
#if defined(__F16C__) && defined(__AVX__)
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(in + i);
    if constexpr (R == OpReq::kAddTo) {
      __m128i old = _mm_loadu_si128(reinterpret_cast<const __m128i*>(out + i));
      v = _mm256_add_ps(v, _mm256_cvtph_ps(old));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
  }
#endif
  for (; i < n; ++i) StoreReq<R>(out[i], half_t(in[i]));
}

template <OpReq R>
inline void FromFloat(const float* in, bf16_t* out, int64_t n) {
  uint16_t* bits = reinterpret_cast<uint16_t*>(out);
  for (int64_t i = 0; i < n; ++i) {
    float v = in[i];
    if constexpr (R == OpReq::kAddTo) v += static_cast<float>(out[i]);
    bits[i] = bf16_t::FromFloat(v);
  }
}

// The storage type's compute type: float for float32/float16/bfloat16, double for float64, the
// type itself for integers and bool.
template <typename T>
using ComputeOf = std::conditional_t<kIsHalf<T>, float, T>;

// The request for output 0, defaulting to write when the caller passed none.
inline OpReq OutputReq(const OpContext& ctx, size_t i = 0) {
  return i < ctx.req.size() ? ctx.req[i] : OpReq::kWriteTo;
}

}  // namespace mixnet::op::elemwise

// Runs BODY with constexpr `REQ` set to kWriteTo or kAddTo (write-in-place writes); kNull skips.
#define MX_REQ_SWITCH(VALUE, REQ, ...)                                            \
  switch (VALUE) {                                                              \
    case ::mixnet::op::OpReq::kNull:                                            \
      break;                                                                    \
    case ::mixnet::op::OpReq::kWriteTo:                                         \
    case ::mixnet::op::OpReq::kWriteInplace: {                                  \
      constexpr ::mixnet::op::OpReq REQ = ::mixnet::op::OpReq::kWriteTo;        \
      __VA_ARGS__;                                                              \
      break;                                                                    \
    }                                                                           \
    case ::mixnet::op::OpReq::kAddTo: {                                         \
      constexpr ::mixnet::op::OpReq REQ = ::mixnet::op::OpReq::kAddTo;          \
      __VA_ARGS__;                                                              \
      break;                                                                    \
    }                                                                           \
  }
