// Element types. The numeric codes are Apache MXNet 1.x's type flags, so they can be written to
// and read from .params files and cross the C ABI unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/error.h"

namespace mixnet {

enum class DType : int {
  kFloat32 = 0,
  kFloat64 = 1,
  kFloat16 = 2,
  kUint8 = 3,
  kInt32 = 4,
  kInt8 = 5,
  kInt64 = 6,
  kBool = 7,
  kBfloat16 = 12,
};

// IEEE binary16 stored as bits; arithmetic goes through float.
struct half_t {
  uint16_t bits = 0;
  half_t() = default;
  half_t(float f) : bits(FromFloat(f)) {}  // NOLINT: implicit like a numeric type
  operator float() const { return ToFloat(bits); }
  static uint16_t FromFloat(float f);
  static float ToFloat(uint16_t h);
};

// bfloat16: the top 16 bits of a float32, rounded to nearest even.
struct bf16_t {
  uint16_t bits = 0;
  bf16_t() = default;
  bf16_t(float f) : bits(FromFloat(f)) {}  // NOLINT
  operator float() const {
    uint32_t u = static_cast<uint32_t>(bits) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  static uint16_t FromFloat(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
  }
};

size_t DTypeSize(DType t);
// "float32", "float16", "bfloat16", "int64", "bool", ... (NumPy/MXNet spelling).
const char* DTypeName(DType t);
// Accepts the names above (and "float" / "double" / "half" aliases); throws TypeError otherwise.
DType ParseDType(std::string_view name);
// True for a code that names a supported dtype.
bool IsValidDTypeCode(int code);
bool IsFloatingDType(DType t);

template <typename T>
struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::kFloat32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kFloat64; };
template <> struct DTypeOf<half_t> { static constexpr DType value = DType::kFloat16; };
template <> struct DTypeOf<bf16_t> { static constexpr DType value = DType::kBfloat16; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kUint8; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::kInt8; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kInt32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kInt64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::kBool; };

}  // namespace mixnet

// Runs BODY with `DT` aliased to the C++ type of dtype VALUE (all nine dtypes).
#define MX_TYPE_SWITCH(VALUE, DT, ...)                                              \
  switch (VALUE) {                                                                  \
    case ::mixnet::DType::kFloat32: { using DT = float; __VA_ARGS__; break; }       \
    case ::mixnet::DType::kFloat64: { using DT = double; __VA_ARGS__; break; }      \
    case ::mixnet::DType::kFloat16: { using DT = ::mixnet::half_t; __VA_ARGS__; break; } \
    case ::mixnet::DType::kBfloat16: { using DT = ::mixnet::bf16_t; __VA_ARGS__; break; } \
    case ::mixnet::DType::kUint8: { using DT = uint8_t; __VA_ARGS__; break; }       \
    case ::mixnet::DType::kInt8: { using DT = int8_t; __VA_ARGS__; break; }         \
    case ::mixnet::DType::kInt32: { using DT = int32_t; __VA_ARGS__; break; }       \
    case ::mixnet::DType::kInt64: { using DT = int64_t; __VA_ARGS__; break; }       \
    case ::mixnet::DType::kBool: { using DT = bool; __VA_ARGS__; break; }           \
    default: MX_THROW(TypeError) << "unsupported dtype code " << static_cast<int>(VALUE); \
  }

// Same, floating dtypes only (float32/64/16, bfloat16); others throw TypeError naming OPNAME.
#define MX_FLOAT_TYPE_SWITCH(VALUE, DT, OPNAME, ...)                                \
  switch (VALUE) {                                                                  \
    case ::mixnet::DType::kFloat32: { using DT = float; __VA_ARGS__; break; }       \
    case ::mixnet::DType::kFloat64: { using DT = double; __VA_ARGS__; break; }      \
    case ::mixnet::DType::kFloat16: { using DT = ::mixnet::half_t; __VA_ARGS__; break; } \
    case ::mixnet::DType::kBfloat16: { using DT = ::mixnet::bf16_t; __VA_ARGS__; break; } \
    default: MX_THROW(TypeError) << OPNAME << ": dtype " << ::mixnet::DTypeName(VALUE) \
                                 << " is not supported (floating dtypes only)"; \
  }
