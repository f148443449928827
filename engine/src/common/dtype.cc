#include "common/dtype.h"

#include <string>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace mixnet {

namespace {

uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

#if !defined(__F16C__)
// IEEE binary32 -> binary16, round to nearest even, NaN stays NaN (quiet), overflow -> inf,
// tiny values -> subnormals or signed zero. Used where the F16C instructions are unavailable.
uint16_t FloatToHalfSoftware(float f) {
  const uint32_t x = FloatBits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) {  // NaN: keep the top payload bits, force quiet so it cannot become inf
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  }
  // 65520 is halfway between 65504 (largest half) and 65536; ties-to-even rounds it up to inf.
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (abs >= 0x38800000u) {  // normal half (>= 2^-14): re-bias the exponent by 127 - 15
    uint32_t h = (abs - 0x38000000u) >> 13;
    const uint32_t rest = abs & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // carry may bump the exponent
    return static_cast<uint16_t>(sign | h);
  }
  // 2^-25 is halfway between 0 and the smallest subnormal (2^-24); ties-to-even gives 0.
  if (abs <= 0x33000000u) return sign;
  const uint32_t exp = abs >> 23;  // 102..112 here
  const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126u - exp;  // value / 2^-24 == mant >> shift
  uint32_t h = mant >> shift;
  const uint32_t rest = mant & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1u);
  if (rest > half || (rest == half && (h & 1u))) ++h;  // may round up to the smallest normal
  return static_cast<uint16_t>(sign | h);
}

float HalfToFloatSoftware(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) {  // inf / NaN; a NaN comes back quiet, as the F16C instruction does
    return BitsFloat(sign | 0x7f800000u | (mant << 13) | (mant ? 0x400000u : 0u));
  }
  if (exp == 0) {
    if (mant == 0) return BitsFloat(sign);
    const float v = static_cast<float>(mant) * 5.9604644775390625e-8f;  // mant * 2^-24, exact
    return sign ? -v : v;
  }
  return BitsFloat(sign | ((exp + 112u) << 23) | (mant << 13));
}
#endif

}  // namespace

uint16_t half_t::FromFloat(float f) {
#if defined(__F16C__)
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
#else
  return FloatToHalfSoftware(f);
#endif
}

float half_t::ToFloat(uint16_t h) {
#if defined(__F16C__)
  return _cvtsh_ss(h);
#else
  return HalfToFloatSoftware(h);
#endif
}

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kFloat32: return 4;
    case DType::kFloat64: return 8;
    case DType::kFloat16: return 2;
    case DType::kBfloat16: return 2;
    case DType::kUint8: return 1;
    case DType::kInt8: return 1;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kBool: return 1;
  }
  MX_THROW(TypeError) << "unsupported dtype code " << static_cast<int>(t);
}

const char* DTypeName(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kFloat16: return "float16";
    case DType::kBfloat16: return "bfloat16";
    case DType::kUint8: return "uint8";
    case DType::kInt8: return "int8";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
  }
  // Never throws: names appear inside error messages that are themselves being built.
  return "unknown";
}

DType ParseDType(std::string_view name) {
  static constexpr DType kAll[] = {DType::kFloat32, DType::kFloat64, DType::kFloat16,
                                   DType::kBfloat16, DType::kUint8,  DType::kInt8,
                                   DType::kInt32,   DType::kInt64,   DType::kBool};
  for (DType t : kAll) {
    if (name == DTypeName(t)) return t;
  }
  if (name == "float") return DType::kFloat32;
  if (name == "double") return DType::kFloat64;
  if (name == "half") return DType::kFloat16;
  MX_THROW(TypeError) << "unknown dtype '" << name
                      << "' (expected one of float32, float64, float16, bfloat16, uint8, int8, "
                         "int32, int64, bool)";
}

bool IsValidDTypeCode(int code) {
  switch (code) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 12:
      return true;
    default:
      return false;
  }
}

bool IsFloatingDType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kBfloat16;
}

}  // namespace mixnet
