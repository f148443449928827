// Elementary functions written without library calls, so that loops calling them vectorise
// (expf was most of the softmax time and a fifth of an LSTM training step).
#pragma once

#include <bit>
#include <cstdint>

namespace mixnet {

// float32 exp: x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two for accuracy), e^r from its
// degree-6 minimax polynomial (the classic Cephes expf coefficients, ~2 ulp), and 2^n built
// directly in the exponent bits. Arguments are clamped to [-87, 88] through their bit patterns
// (GCC does not if-convert a float compare-and-select under -ftrapping-math); NaN stays NaN.
// Below -87 the result is ~1.6e-38 instead of a denormal or 0.
inline float FastExp(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const uint32_t sign = bits & 0x80000000u, mag = bits & 0x7fffffffu;
  const uint32_t limit = sign != 0 ? 0x42ae0000u : 0x42b00000u;  // 87.0f : 88.0f
  x = std::bit_cast<float>(((mag < limit) | (mag > 0x7f800000u) ? mag : limit) | sign);
  constexpr float kShift = 12582912.0f;  // 1.5 * 2^23: x + kShift - kShift rounds to integer
  const float n = (x * 1.44269504088896341f + kShift) - kShift;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * r * r + r + 1.0f;
  return er * std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
}

}  // namespace mixnet
