// Max pooling over 1-D and 2-D windows, written for speed: the common layer of every CNN.
//
// oneDNN's pooling is fast only in its blocked layouts; on the plain NC[H]W memory our tensors
// live in, its forward transposes internally and its backward needs the forward's workspace,
// which the op does not keep (so it reran the forward): together 5.4 ms of a 23 ms LeNet training
// step at batch 128 (2 threads, AVX-512 Xeon), where these loops take about 0.8 ms. They also
// give every float dtype the same code path and the same tie rule as the reference kernels of
// pool_ref.h (the first maximum in row-major window order takes the gradient; NaN never wins
// because it is compared with std::max's `a < b`).
//
// Windows are precomputed once per call (clipped to the input, reaching at most x + pad on the
// right as MXNet counts them), so the inner loops are plain row scans; one (n, c) plane per task.
#pragma once

#include <algorithm>
#include <limits>
#include <type_traits>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "operator/nn_conv/pool_geom.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op::nn_conv {

// Whether MaxPool2D* handle this geometry: max pooling with at most two real spatial dims (the
// padded leading dim then has extent, kernel and output 1).
inline bool MaxPool2DApplies(const PoolGeom& g) {
  return g.type == PoolingParam::PoolType::kMax && g.nsp <= 2 && g.x[0] == 1 && g.k[0] == 1 &&
         g.o[0] == 1;
}

namespace max2d_detail {

// [b, e) input range of each output index along one spatial dim (d = 1 rows, d = 2 columns).
struct Windows {
  std::vector<int64_t> b, e;
  Windows(const PoolGeom& g, int d) : b(g.o[d]), e(g.o[d]) {
    for (int64_t o = 0; o < g.o[d]; ++o) {
      const int64_t start = o * g.s[d] - g.p[d];
      const int64_t end_pad = std::min(start + g.k[d], g.x[d] + g.p[d]);
      b[o] = std::max<int64_t>(start, 0);
      e[o] = std::min(end_pad, g.x[d]);
    }
  }
};

// Windows of 2 at stride 2 with no padding along dim d: output j reads inputs 2j and 2j + 1.
inline bool Pairwise(const PoolGeom& g, int d) {
  return g.k[d] == 2 && g.s[d] == 2 && g.p[d] == 0 && 2 * g.o[d] <= g.x[d];
}

template <typename T>
using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;

inline int64_t Grain(const PoolGeom& g) {
  const int64_t work = g.x[1] * g.x[2];
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, work));
}

}  // namespace max2d_detail

#if defined(__AVX2__)
namespace max2d_detail {

// The row bodies below are written once over a float vector type: V8 (AVX, eight windows per
// iteration) runs first, V4 (SSE4.1, four) takes what is left, so that LeNet's 12- and 4-wide
// output rows need no scalar iteration at all (the scalar tail had been most of the backward).
struct V8 {
  using R = __m256;
  static constexpr int64_t kLanes = 8;
  static R Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, R v) { _mm256_storeu_ps(p, v); }
  static R Max(R a, R b) { return _mm256_max_ps(a, b); }
  static R Gt(R a, R b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }  // ordered: NaN is never >
  static R Blend(R a, R b, R m) { return _mm256_blendv_ps(a, b, m); }
  static R And(R a, R b) { return _mm256_and_ps(a, b); }
  static R AndNot(R m, R b) { return _mm256_andnot_ps(m, b); }  // ~m & b
  static R Or(R a, R b) { return _mm256_or_ps(a, b); }
  // Even and odd elements of 16 consecutive floats: (p[0], p[2], ... p[14]), (p[1], ... p[15]).
  static void Deinterleave(const float* p, R& even, R& odd) {
    const R lo = Load(p), hi = Load(p + 8);
    // Within each 128-bit lane the shuffles give (lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6); the 64-bit
    // permute restores the order.
    const R e = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    const R o = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
    even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
    odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0)));
  }
  // The inverse: p[2i] = even[i], p[2i + 1] = odd[i].
  static void Interleave(float* p, R even, R odd) {
    const R lo = _mm256_unpacklo_ps(even, odd), hi = _mm256_unpackhi_ps(even, odd);
    Store(p, _mm256_permute2f128_ps(lo, hi, 0x20));
    Store(p + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
  }
};

struct V4 {
  using R = __m128;
  static constexpr int64_t kLanes = 4;
  static R Load(const float* p) { return _mm_loadu_ps(p); }
  static void Store(float* p, R v) { _mm_storeu_ps(p, v); }
  static R Max(R a, R b) { return _mm_max_ps(a, b); }
  static R Gt(R a, R b) { return _mm_cmpgt_ps(a, b); }  // ordered, as V8's
  static R Blend(R a, R b, R m) { return _mm_blendv_ps(a, b, m); }
  static R And(R a, R b) { return _mm_and_ps(a, b); }
  static R AndNot(R m, R b) { return _mm_andnot_ps(m, b); }
  static R Or(R a, R b) { return _mm_or_ps(a, b); }
  static void Deinterleave(const float* p, R& even, R& odd) {
    const R lo = Load(p), hi = Load(p + 4);
    even = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    odd = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
  }
  static void Interleave(float* p, R even, R odd) {
    Store(p, _mm_unpacklo_ps(even, odd));
    Store(p + 4, _mm_unpackhi_ps(even, odd));
  }
};

// 2x2 windows [from, to) of a float32 row pair (kWriteTo), V::kLanes at a time: the scalar
// loop's comparisons as masks. Returns the first window it did not do.
template <class V>
int64_t Max2x2BackwardRowVec(const float* x0, const float* x1, const float* g, float* d0,
                             float* d1, int64_t from, int64_t to) {
  using R = typename V::R;
  int64_t ow = from;
  for (; ow + V::kLanes <= to; ow += V::kLanes) {
    R a, b, c, d;
    V::Deinterleave(x0 + 2 * ow, a, b);
    V::Deinterleave(x1 + 2 * ow, c, d);
    const R gv = V::Load(g + ow);
    const R tb = V::Gt(b, a);
    const R m1 = V::Blend(a, b, tb);
    const R tc = V::Gt(c, m1);
    const R m2 = V::Blend(m1, c, tc);
    const R td = V::Gt(d, m2);
    const R not_cd = V::AndNot(V::Or(tc, td), gv);  // neither c nor d won
    V::Interleave(d0 + 2 * ow, V::AndNot(tb, not_cd), V::And(tb, not_cd));
    V::Interleave(d1 + 2 * ow, V::AndNot(td, V::And(tc, gv)), V::And(td, gv));
  }
  return ow;
}

inline int64_t Max2x2BackwardRowSimd(const float* x0, const float* x1, const float* g, float* d0,
                                     float* d1, int64_t ow_count) {
  const int64_t ow = Max2x2BackwardRowVec<V8>(x0, x1, g, d0, d1, 0, ow_count);
  return Max2x2BackwardRowVec<V4>(x0, x1, g, d0, d1, ow, ow_count);
}

// One input row of pairwise (width-2, stride-2) windows folded into the running maxima m
// (float32): m = max(max(m, x[2i]), x[2i + 1]) with std::max's NaN rule (max_ps(q, p) returns p
// unless q > p, as std::max(p, q) does). Returns the first output it did not do.
template <class V>
int64_t MaxPairsRowVec(const float* x, float* m, int64_t from, int64_t to) {
  using R = typename V::R;
  int64_t ow = from;
  for (; ow + V::kLanes <= to; ow += V::kLanes) {
    R a, b;
    V::Deinterleave(x + 2 * ow, a, b);
    V::Store(m + ow, V::Max(b, V::Max(a, V::Load(m + ow))));
  }
  return ow;
}

inline int64_t MaxPairsRowSimd(const float* x, float* m, int64_t ow_count) {
  return MaxPairsRowVec<V4>(x, m, MaxPairsRowVec<V8>(x, m, 0, ow_count), ow_count);
}

}  // namespace max2d_detail
#endif

// y (under req) = the maximum of each window of x.
template <typename T>
void MaxPool2DForward(const PoolGeom& g, const T* x, T* y, OpReq req, int nthreads) {
  using namespace max2d_detail;
  using C = Acc<T>;
  const Windows rows(g, 1), cols(g, 2);
  const int64_t W = g.x[2], OH = g.o[1], OW = g.o[2];
  const int64_t in_plane = g.x[1] * W, out_plane = OH * OW;
  const bool pairwise = Pairwise(g, 2);
  ParallelFor(g.planes, nthreads, [&](int64_t p0, int64_t p1) {
    std::vector<C> m(static_cast<size_t>(OW));
    for (int64_t pl = p0; pl < p1; ++pl) {
      const T* xp = x + pl * in_plane;
      T* yp = y + pl * out_plane;
      for (int64_t oh = 0; oh < OH; ++oh) {
        // A window wholly in the padding gives lowest(), as MXNet does.
        std::fill(m.begin(), m.end(), std::numeric_limits<C>::lowest());
        for (int64_t ih = rows.b[oh]; ih < rows.e[oh]; ++ih) {
          const T* xr = xp + ih * W;
          if (pairwise) {
            int64_t ow = 0;
#if defined(__AVX2__)
            if constexpr (std::is_same_v<T, float>) ow = MaxPairsRowSimd(xr, m.data(), OW);
#endif
            for (; ow < OW; ++ow) {
              const C a = static_cast<C>(xr[2 * ow]), b = static_cast<C>(xr[2 * ow + 1]);
              m[ow] = std::max(std::max(m[ow], a), b);
            }
          } else {
            for (int64_t ow = 0; ow < OW; ++ow) {
              C r = m[ow];
              for (int64_t iw = cols.b[ow]; iw < cols.e[ow]; ++iw) {
                r = std::max(r, static_cast<C>(xr[iw]));
              }
              m[ow] = r;
            }
          }
        }
        T* yr = yp + oh * OW;
        for (int64_t ow = 0; ow < OW; ++ow) StoreReq(req, yr + ow, static_cast<T>(m[ow]));
      }
    }
  }, Grain(g));
}

// Pairwise in both dims (2x2 windows at stride 2, no padding): windows do not overlap, so each
// input receives at most one gradient and dx is written in one pass, without an accumulator. The
// sequence of comparisons is the general loop's, unrolled; float32 rows written over (kWriteTo)
// take the SIMD version of it, eight and then four windows at a time.
template <typename T>
void MaxPool2x2Backward(const PoolGeom& g, const T* dy, const T* x, T* dx, OpReq req,
                        int nthreads) {
  using C = max2d_detail::Acc<T>;
  const int64_t H = g.x[1], W = g.x[2], OH = g.o[1], OW = g.o[2];
  const int64_t in_plane = H * W, out_plane = OH * OW;
  ParallelFor(g.planes, nthreads, [&](int64_t p0, int64_t p1) {
    for (int64_t pl = p0; pl < p1; ++pl) {
      const T* xp = x + pl * in_plane;
      const T* gp = dy + pl * out_plane;
      T* dxp = dx + pl * in_plane;
      for (int64_t oh = 0; oh < OH; ++oh) {
        const T* x0 = xp + 2 * oh * W;
        const T* x1 = x0 + W;
        T* d0 = dxp + 2 * oh * W;
        T* d1 = d0 + W;
        int64_t ow = 0;
#if defined(__AVX2__)
        if constexpr (std::is_same_v<T, float>) {
          if (req == OpReq::kWriteTo) {
            ow = max2d_detail::Max2x2BackwardRowSimd(x0, x1, gp + oh * OW, d0, d1, OW);
          }
        }
#endif
        for (; ow < OW; ++ow) {  // the tail, other dtypes and kAddTo
          const C a = static_cast<C>(x0[2 * ow]), b = static_cast<C>(x0[2 * ow + 1]);
          const C c = static_cast<C>(x1[2 * ow]), d = static_cast<C>(x1[2 * ow + 1]);
          const T gv = gp[oh * OW + ow];
          const bool tb = b > a;
          const C m1 = tb ? b : a;
          const bool tc = c > m1;
          const C m2 = tc ? c : m1;
          const int at = d > m2 ? 3 : tc ? 2 : tb ? 1 : 0;
          StoreReq(req, d0 + 2 * ow, at == 0 ? gv : T(0));
          StoreReq(req, d0 + 2 * ow + 1, at == 1 ? gv : T(0));
          StoreReq(req, d1 + 2 * ow, at == 2 ? gv : T(0));
          StoreReq(req, d1 + 2 * ow + 1, at == 3 ? gv : T(0));
        }
        // An odd last column lies in no window.
        for (int64_t iw = 2 * OW; iw < W; ++iw) {
          StoreReq(req, d0 + iw, T(0));
          StoreReq(req, d1 + iw, T(0));
        }
      }
      for (int64_t i = 2 * OH * W; i < in_plane; ++i) StoreReq(req, dxp + i, T(0));  // odd last row
    }
  }, max2d_detail::Grain(g));
}

// dx (under req): each window's gradient goes to the first position holding its maximum.
template <typename T>
void MaxPool2DBackward(const PoolGeom& g, const T* dy, const T* x, T* dx, OpReq req,
                       int nthreads) {
  using namespace max2d_detail;
  using C = Acc<T>;
  if (Pairwise(g, 1) && Pairwise(g, 2)) return MaxPool2x2Backward(g, dy, x, dx, req, nthreads);
  const Windows rows(g, 1), cols(g, 2);
  const int64_t W = g.x[2], OH = g.o[1], OW = g.o[2];
  const int64_t in_plane = g.x[1] * W, out_plane = OH * OW;
  ParallelFor(g.planes, nthreads, [&](int64_t p0, int64_t p1) {
    std::vector<C> acc(static_cast<size_t>(in_plane));
    for (int64_t pl = p0; pl < p1; ++pl) {
      std::fill(acc.begin(), acc.end(), C(0));
      const T* xp = x + pl * in_plane;
      const T* gp = dy + pl * out_plane;
      for (int64_t oh = 0; oh < OH; ++oh) {
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t best = -1;
          C bv = C(0);
          for (int64_t ih = rows.b[oh]; ih < rows.e[oh]; ++ih) {
            const T* xr = xp + ih * W;
            for (int64_t iw = cols.b[ow]; iw < cols.e[ow]; ++iw) {
              const C v = static_cast<C>(xr[iw]);
              if (best < 0 || v > bv) best = ih * W + iw, bv = v;
            }
          }
          if (best >= 0) acc[best] += static_cast<C>(gp[oh * OW + ow]);
        }
      }
      T* dxp = dx + pl * in_plane;
      for (int64_t i = 0; i < in_plane; ++i) StoreReq(req, dxp + i, static_cast<T>(acc[i]));
    }
  }, Grain(g));
}

}  // namespace mixnet::op::nn_conv
