// The activation half of _conv_act (Convolution followed by an activation, in one op). Forward:
// the convolution primitive applies the activation as a oneDNN eltwise post-op while it writes its
// output, so there is no separate pass over it. Backward: the activation's gradient, dy * act'(x)
// written from the output y, goes straight into the layout the backward primitives want
// (channels-last or channel-blocked), in the same pass that would otherwise only reorder dy. On
// LeNet's first layer (1.5 M elements a step) that removes the forward activation pass and the
// backward one, each as costly as a reorder (memory-bound, about 0.6 ms).
#pragma once

#include <dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "ops/nn_conv.h"
#include "operator/dnnl/dnnl_util.h"
#include "operator/parallel.h"

namespace mixnet::op::nn_conv {

using ConvActType = ConvActParam::ActType;

inline dnnl::algorithm DnnlActivation(ConvActType t) {
  switch (t) {
    case ConvActType::kRelu: return dnnl::algorithm::eltwise_relu;
    case ConvActType::kSigmoid: return dnnl::algorithm::eltwise_logistic;
    case ConvActType::kTanh: return dnnl::algorithm::eltwise_tanh;
    case ConvActType::kSoftrelu: return dnnl::algorithm::eltwise_soft_relu;
  }
  return dnnl::algorithm::undef;
}

// dy * act'(x) from y = act(x): relu y > 0 (the same test as x > 0, also for NaN); sigmoid
// y (1 - y); tanh 1 - y^2; softrelu sigmoid(x) = 1 - exp(-y).
template <ConvActType kType>
inline float ActGrad(float dy, float y) {
  if constexpr (kType == ConvActType::kRelu) {
    return y > 0.0f ? dy : 0.0f;  // both operands loaded: compiles to a blend, not a branch
  } else if constexpr (kType == ConvActType::kSigmoid) {
    return dy * y * (1.0f - y);
  } else if constexpr (kType == ConvActType::kTanh) {
    return dy * (1.0f - y * y);
  } else {
    return dy * -std::expm1(-y);
  }
}

namespace conv_act_detail {

// Where element (n, c, s) of a (N, C, S) tensor lives in a layout oneDNN may ask for.
enum class Layout { kPlain, kChannelsLast, kBlocked };

struct Target {
  Layout layout;
  int64_t block = 0;  // kBlocked: channels per block (8 or 16); C is padded to a multiple
};

// The layout of want (over dims), if it is one of those written directly.
inline bool Recognise(const dnnl::memory::desc& want, const dnnl::memory::dims& dims, Target& t) {
  using Tag = dnnl::memory::format_tag;
  const auto is = [&](Tag tag) {
    return want == dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tag);
  };
  const size_t nd = dims.size();
  if (nd < 3 || nd > 5) return false;
  const Tag plain[] = {Tag::abc, Tag::abcd, Tag::abcde};
  const Tag last[] = {Tag::acb, Tag::acdb, Tag::acdeb};
  const Tag b16[] = {Tag::aBc16b, Tag::aBcd16b, Tag::aBcde16b};
  const Tag b8[] = {Tag::aBc8b, Tag::aBcd8b, Tag::aBcde8b};
  if (is(plain[nd - 3])) t = {Layout::kPlain};
  else if (is(last[nd - 3])) t = {Layout::kChannelsLast};
  else if (is(b16[nd - 3])) t = {Layout::kBlocked, 16};
  else if (is(b8[nd - 3])) t = {Layout::kBlocked, 8};
  else return false;
  return true;
}

#if defined(__AVX2__)
template <ConvActType kType>
inline __m256 ActGrad8(__m256 dy, __m256 y) {
  if constexpr (kType == ConvActType::kRelu) {
    return _mm256_and_ps(dy, _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ));
  } else {  // the smooth ones are not worth hand-vectorising: lane by lane
    alignas(32) float d[8], v[8];
    _mm256_store_ps(d, dy);
    _mm256_store_ps(v, y);
    for (int i = 0; i < 8; ++i) d[i] = ActGrad<kType>(d[i], v[i]);
    return _mm256_load_ps(d);
  }
}

// Rows r[0..7] (8 positions of one channel each) become r[k] = element k of every row (8
// channels at one position): the usual unpack / shuffle / lane-permute 8x8 transpose.
inline void Transpose8x8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}
#endif

// Channels [c0, c0 + nc) of one (C, S) plane, read channel-major (dy and y point at channel c0),
// written position-major: out[s * ld + (c - c0)] for s in [0, S). width (nc <= width <= 8) lanes
// are written per position; those past nc get zeros (the channel padding of a blocked layout).
template <ConvActType kType>
void WriteChannelGroup(const float* dy, const float* y, int64_t S, int64_t nc, int64_t width,
                       float* out, int64_t ld) {
  int64_t s = 0;
#if defined(__AVX2__)
  for (; s + 8 <= S; s += 8) {
    __m256 r[8];
    for (int64_t c = 0; c < 8; ++c) {
      r[c] = c < nc ? ActGrad8<kType>(_mm256_loadu_ps(dy + c * S + s), _mm256_loadu_ps(y + c * S + s))
                    : _mm256_setzero_ps();
    }
    Transpose8x8(r);
    if (width == 8) {
      for (int64_t k = 0; k < 8; ++k) _mm256_storeu_ps(out + (s + k) * ld, r[k]);
    } else {  // the last group of a channels-last row must not run into the next position
      alignas(32) float lanes[8];
      for (int64_t k = 0; k < 8; ++k) {
        _mm256_store_ps(lanes, r[k]);
        std::copy(lanes, lanes + width, out + (s + k) * ld);
      }
    }
  }
#endif
  for (; s < S; ++s) {
    for (int64_t c = 0; c < nc; ++c) out[s * ld + c] = ActGrad<kType>(dy[c * S + s], y[c * S + s]);
    for (int64_t c = nc; c < width; ++c) out[s * ld + c] = 0.0f;
  }
}

template <ConvActType kType>
void Write(const Target& t, const float* dy, const float* y, float* out, int64_t N, int64_t C,
           int64_t S, int nthreads) {
  switch (t.layout) {
    case Layout::kPlain:
      ParallelFor(N * C * S, nthreads, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) out[i] = ActGrad<kType>(dy[i], y[i]);
      });
      return;
    case Layout::kChannelsLast:
      ParallelFor(N, nthreads, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
          for (int64_t c0 = 0; c0 < C; c0 += 8) {
            const int64_t nc = std::min<int64_t>(8, C - c0), at = (n * C + c0) * S;
            WriteChannelGroup<kType>(dy + at, y + at, S, nc, nc, out + n * S * C + c0, C);
          }
        }
      }, 1);
      return;
    case Layout::kBlocked: {
      // Blocks of B channels (C padded with zero channels to a multiple of B), each position's B
      // channels contiguous: written 8 channels at a time.
      const int64_t B = t.block, CB = (C + B - 1) / B;
      ParallelFor(N * CB, nthreads, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t n = p / CB, cb = p % CB;
          for (int64_t g = 0; g < B; g += 8) {
            const int64_t c0 = std::min(C, cb * B + g), nc = std::clamp<int64_t>(C - c0, 0, 8);
            const int64_t at = (n * C + c0) * S;
            WriteChannelGroup<kType>(dy + at, y + at, S, nc, 8, out + p * S * B + g, B);
          }
        }
      }, 1);
      return;
    }
  }
}

}  // namespace conv_act_detail

// dy * act'(x) as a oneDNN memory in layout `want` over dims (N, C, spatial...): written directly
// for plain, channels-last and 8/16-channel-blocked layouts, else made plain and reordered.
inline dnnl::memory ActGradInLayout(ConvActType type, const dnnl::memory::desc& want,
                                    const dnnl::memory::dims& dims, const float* dy,
                                    const float* y, int nthreads, dnnl::stream& st) {
  using namespace conv_act_detail;
  int64_t S = 1;
  for (size_t i = 2; i < dims.size(); ++i) S *= dims[i];
  Target t;
  const bool direct = Recognise(want, dims, t);
  if (!direct) t = {Layout::kPlain};
  const dnnl::memory::desc plain(dims, dnnl::memory::data_type::f32,
                                 dnnl_util::PlainTag(static_cast<int>(dims.size())));
  dnnl::memory m = dnnl_util::TempMemory(direct ? want : plain);
  float* out = static_cast<float*>(m.get_data_handle());
  const auto write = [&]<ConvActType kType>() {
    Write<kType>(t, dy, y, out, dims[0], dims[1], S, nthreads);
  };
  switch (type) {
    case ConvActType::kRelu: write.template operator()<ConvActType::kRelu>(); break;
    case ConvActType::kSigmoid: write.template operator()<ConvActType::kSigmoid>(); break;
    case ConvActType::kTanh: write.template operator()<ConvActType::kTanh>(); break;
    case ConvActType::kSoftrelu: write.template operator()<ConvActType::kSoftrelu>(); break;
  }
  if (direct) return m;
  dnnl::memory r = dnnl_util::TempMemory(want);
  dnnl::reorder(m, r).execute(st, m, r);
  return r;
}

}  // namespace mixnet::op::nn_conv
