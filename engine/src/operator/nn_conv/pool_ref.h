// Hand-written pooling for every pool_type and float dtype (the oneDNN path covers float32 max and
// the avg cases whose divisor matches MXNet's; this one covers sum, lp, other dtypes and MXNet's
// count_include_pad rule where the window reaches past x + pad). One (n, c) plane per task.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "operator/nn_conv/pool_geom.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op::nn_conv {

// One output window, clipped to the input ([b, e) per dim) plus MXNet's padded-count divisor.
struct Window {
  int64_t b[3], e[3];
  int64_t padded_count, valid_count;
};

inline Window WindowAt(const PoolGeom& g, const int64_t* oi) {
  Window w;
  w.padded_count = w.valid_count = 1;
  for (int d = 0; d < 3; ++d) {
    const int64_t start = oi[d] * g.s[d] - g.p[d];
    const int64_t end_pad = std::min(start + g.k[d], g.x[d] + g.p[d]);
    w.padded_count *= std::max<int64_t>(0, end_pad - start);
    w.b[d] = std::max<int64_t>(start, 0);
    w.e[d] = std::min(end_pad, g.x[d]);
    w.valid_count *= std::max<int64_t>(0, w.e[d] - w.b[d]);
  }
  return w;
}

template <typename Fn>
inline void ForEachIn(const PoolGeom& g, const Window& w, Fn&& fn) {
  for (int64_t a = w.b[0]; a < w.e[0]; ++a)
    for (int64_t b = w.b[1]; b < w.e[1]; ++b)
      for (int64_t c = w.b[2]; c < w.e[2]; ++c) fn((a * g.x[1] + b) * g.x[2] + c);
}

template <typename C>
inline C PowP(C v, int p) { return p == 1 ? v : p == 2 ? v * v : v * v * v; }
template <typename C>
inline C RootP(C v, int p) { return p == 1 ? v : p == 2 ? std::sqrt(v) : std::cbrt(v); }

template <typename T>
void PoolForwardRef(const PoolGeom& g, const T* x, T* y, OpReq req, int nthreads) {
  using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
  using PT = PoolingParam::PoolType;
  const int64_t in_plane = g.x[0] * g.x[1] * g.x[2], out_plane = g.o[0] * g.o[1] * g.o[2];
  ParallelFor(g.planes, nthreads, [&](int64_t p0, int64_t p1) {
    for (int64_t pl = p0; pl < p1; ++pl) {
      const T* xp = x + pl * in_plane;
      T* yp = y + pl * out_plane;
      int64_t oi[3];
      int64_t at = 0;
      for (oi[0] = 0; oi[0] < g.o[0]; ++oi[0])
        for (oi[1] = 0; oi[1] < g.o[1]; ++oi[1])
          for (oi[2] = 0; oi[2] < g.o[2]; ++oi[2], ++at) {
            const Window w = WindowAt(g, oi);
            C r;
            if (g.type == PT::kMax) {
              r = std::numeric_limits<C>::lowest();  // MXNet's value for a window wholly in padding
              ForEachIn(g, w, [&](int64_t i) { r = std::max(r, static_cast<C>(xp[i])); });
            } else if (g.type == PT::kLp) {
              C acc = 0;
              ForEachIn(g, w, [&](int64_t i) { acc += PowP(static_cast<C>(xp[i]), g.p_value); });
              r = RootP(acc, g.p_value);
            } else {
              C acc = 0;
              ForEachIn(g, w, [&](int64_t i) { acc += static_cast<C>(xp[i]); });
              if (g.type == PT::kAvg) {
                // A window wholly in the padding divides 0 by 0, as MXNet does.
                acc /= static_cast<C>(g.include_pad ? w.padded_count : w.valid_count);
              }
              r = acc;
            }
            StoreReq(req, yp + at, static_cast<T>(r));
          }
    }
  }, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, out_plane * g.k[0] * g.k[1] * g.k[2])));
}

// dx (under req) from dy, x and the forward output y.
template <typename T>
void PoolBackwardRef(const PoolGeom& g, const T* dy, const T* x, const T* y, T* dx, OpReq req,
                     int nthreads) {
  using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
  using PT = PoolingParam::PoolType;
  const int64_t in_plane = g.x[0] * g.x[1] * g.x[2], out_plane = g.o[0] * g.o[1] * g.o[2];
  ParallelFor(g.planes, nthreads, [&](int64_t p0, int64_t p1) {
    std::vector<C> acc(static_cast<size_t>(in_plane));
    for (int64_t pl = p0; pl < p1; ++pl) {
      std::fill(acc.begin(), acc.end(), C(0));
      const T* xp = x + pl * in_plane;
      const T* yp = y + pl * out_plane;
      const T* gp = dy + pl * out_plane;
      int64_t oi[3];
      int64_t at = 0;
      for (oi[0] = 0; oi[0] < g.o[0]; ++oi[0])
        for (oi[1] = 0; oi[1] < g.o[1]; ++oi[1])
          for (oi[2] = 0; oi[2] < g.o[2]; ++oi[2], ++at) {
            const Window w = WindowAt(g, oi);
            const C gy = static_cast<C>(gp[at]);
            if (g.type == PT::kMax) {  // the first maximum takes the gradient
              int64_t best = -1;
              C bv = -std::numeric_limits<C>::infinity();
              ForEachIn(g, w, [&](int64_t i) {
                const C v = static_cast<C>(xp[i]);
                if (best < 0 || v > bv) best = i, bv = v;
              });
              if (best >= 0) acc[best] += gy;
            } else if (g.type == PT::kLp) {
              const C out = static_cast<C>(yp[at]);
              if (out == 0) continue;
              ForEachIn(g, w, [&](int64_t i) {
                const C r = static_cast<C>(xp[i]) / out;  // d out / d x = (x / out)^(p-1)
                acc[i] += g.p_value == 1 ? gy : g.p_value == 2 ? gy * r : gy * r * r;
              });
            } else {
              C share = gy;
              if (g.type == PT::kAvg) {
                const int64_t n = g.include_pad ? w.padded_count : w.valid_count;
                share = n > 0 ? gy / static_cast<C>(n) : C(0);
              }
              ForEachIn(g, w, [&](int64_t i) { acc[i] += share; });
            }
          }
      T* dxp = dx + pl * in_plane;
      for (int64_t i = 0; i < in_plane; ++i) StoreReq(req, dxp + i, static_cast<T>(acc[i]));
    }
  }, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, out_plane * g.k[0] * g.k[1] * g.k[2])));
}

}  // namespace mixnet::op::nn_conv
