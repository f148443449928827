// The kernel behind LayerNorm, InstanceNorm and GroupNorm: normalise independent slices of the
// data by their own mean and population variance, then apply gamma/beta.
//
// The data is viewed as (outer, n, inner): there are outer * inner slices of n elements each,
// spaced `inner` apart (inner = 1 when the normalised axes are the last ones, the common case,
// which keeps the loops contiguous). gamma/beta are indexed either by the position j inside the
// slice (LayerNorm) or by slice % P (InstanceNorm: the channel; GroupNorm: the group).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ndarray/tblob.h"
#include "operator/nn_norm/norm_util.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::nn_norm {

struct SliceNorm {
  int64_t outer = 1, n = 1, inner = 1;
  bool gamma_per_element = true;  // gamma[j]; else gamma[slice % P]
  int64_t P = 1;
  double eps = 0;
  bool save_var = false;  // the second saved statistic is var (InstanceNorm), else std
  int64_t slices() const { return outer * inner; }
  int64_t Base(int64_t s) const { return (s / inner) * n * inner + s % inner; }
};

// out: [y, mean, std|var]; reqs from ctx for each.
template <typename T>
void SliceNormForward(const SliceNorm& L, const OpContext& ctx, const T* x, const T* gamma,
                      const T* beta, std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0), req_m = ReqAt(ctx, 1), req_s = ReqAt(ctx, 2);
  T* y = out[0].ptr<T>();
  const int64_t n = L.n, inner = L.inner;
  ParallelFor(
      L.slices(), ctx.nthreads,
      [&](int64_t s0, int64_t s1) {
        for (int64_t s = s0; s < s1; ++s) {
          const T* xs = x + L.Base(s);
          T* ys = y + L.Base(s);
          Acc sum = 0;
          for (int64_t j = 0; j < n; ++j) sum += xs[j * inner];
          const Acc mean = n > 0 ? sum / n : 0;
          Acc sq = 0;
          for (int64_t j = 0; j < n; ++j) sq += (xs[j * inner] - mean) * (xs[j * inner] - mean);
          const Acc var = n > 0 ? sq / n : 0;
          const Acc sd = std::sqrt(var + L.eps);
          StoreVec(req_m, out[1], s, static_cast<T>(mean));
          StoreVec(req_s, out[2], s, static_cast<T>(L.save_var ? var : sd));
          if (req == OpReq::kNull) continue;
          const T inv = static_cast<T>(1 / sd), m = static_cast<T>(mean);
          if (L.gamma_per_element) {
            for (int64_t j = 0; j < n; ++j) {
              const T v = (xs[j * inner] - m) * inv * gamma[j] + beta[j];
              StoreReq(req, ys + j * inner, v);
            }
          } else {
            const T k = inv * gamma[s % L.P], b = beta[s % L.P];
            for (int64_t j = 0; j < n; ++j) {
              StoreReq(req, ys + j * inner, static_cast<T>((xs[j * inner] - m) * k + b));
            }
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)));
}

// outputs: [y, mean, std|var] as saved by the forward; out_grads[1], [2] (when given) are head
// gradients of the visible mean and std.
template <typename T>
void SliceNormBackward(const SliceNorm& L, const OpContext& ctx, std::span<const TBlob> out_grads,
                       const T* x, const T* gamma, std::span<const TBlob> outputs,
                       std::span<const TBlob> in_grads) {
  const OpReq req_x = ReqAt(ctx, 0), req_g = ReqAt(ctx, 1), req_b = ReqAt(ctx, 2);
  const T* dy = out_grads[0].ptr<T>();
  const T* dmean = out_grads.size() > 1 ? out_grads[1].ptr<T>() : nullptr;
  const T* dstd = out_grads.size() > 2 ? out_grads[2].ptr<T>() : nullptr;
  const T* mean_v = outputs[1].ptr<T>();
  const T* stat_v = outputs[2].ptr<T>();
  const int64_t n = L.n, inner = L.inner, S = L.slices();
  auto inv_std = [&](int64_t s) {
    const Acc st = stat_v[s];
    return L.save_var ? 1 / std::sqrt(st + L.eps) : 1 / st;
  };
  auto g_at = [&](int64_t s, int64_t j) -> Acc {
    return L.gamma_per_element ? gamma[j] : gamma[s % L.P];
  };
  // Per-slice sums for gamma/beta gradients when they are indexed by slice.
  std::vector<Acc> slice_dyx, slice_dy;
  if (!L.gamma_per_element) {
    slice_dyx.assign(static_cast<size_t>(S), 0);
    slice_dy.assign(static_cast<size_t>(S), 0);
  }
  T* dx = req_x == OpReq::kNull ? nullptr : in_grads[0].ptr<T>();
  ParallelFor(
      S, ctx.nthreads,
      [&](int64_t s0, int64_t s1) {
        for (int64_t s = s0; s < s1; ++s) {
          const int64_t base = L.Base(s);
          const Acc mean = mean_v[s], inv = inv_std(s);
          Acc sg = 0, sgx = 0, sdy = 0, sdyx = 0;  // sums of g*dy, g*dy*xhat, dy, dy*xhat
          for (int64_t j = 0; j < n; ++j) {
            const int64_t at = base + j * inner;
            const Acc xh = (x[at] - mean) * inv, d = dy[at], gd = g_at(s, j) * d;
            sg += gd;
            sgx += gd * xh;
            sdy += d;
            sdyx += d * xh;
          }
          if (!L.gamma_per_element) {
            slice_dy[s] = sdy;
            slice_dyx[s] = sdyx;
          }
          if (dx == nullptr || n == 0) continue;
          const Acc a = sg / n, b = sgx / n;
          const Acc cm = dmean != nullptr ? static_cast<Acc>(dmean[s]) / n : 0;
          // d std / d x_j = xhat_j / n (std = sqrt(var + eps)).
          const Acc cs = dstd != nullptr ? static_cast<Acc>(dstd[s]) / n : 0;
          for (int64_t j = 0; j < n; ++j) {
            const int64_t at = base + j * inner;
            const Acc xh = (x[at] - mean) * inv;
            const Acc v = (g_at(s, j) * dy[at] - a - xh * b) * inv + cm + cs * xh;
            StoreReq(req_x, dx + at, static_cast<T>(v));
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)));
  if (req_g == OpReq::kNull && req_b == OpReq::kNull) return;
  const int64_t np = L.gamma_per_element ? n : L.P;
  std::vector<Acc> dg(static_cast<size_t>(np), 0), db(static_cast<size_t>(np), 0);
  if (L.gamma_per_element) {
    ParallelFor(
        n, ctx.nthreads,
        [&](int64_t j0, int64_t j1) {
          for (int64_t s = 0; s < S; ++s) {
            const int64_t base = L.Base(s);
            const Acc mean = mean_v[s], inv = inv_std(s);
            for (int64_t j = j0; j < j1; ++j) {
              const int64_t at = base + j * inner;
              dg[j] += dy[at] * (x[at] - mean) * inv;
              db[j] += dy[at];
            }
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, S)));
  } else {
    for (int64_t s = 0; s < S; ++s) {
      dg[s % L.P] += slice_dyx[s];
      db[s % L.P] += slice_dy[s];
    }
  }
  for (int64_t j = 0; j < np; ++j) {
    StoreVec(req_g, in_grads[1], j, static_cast<T>(dg[j]));
    StoreVec(req_b, in_grads[2], j, static_cast<T>(db[j]));
  }
}

}  // namespace mixnet::op::nn_norm
