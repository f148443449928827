// LRN: local response normalisation across channels, as MXNet defines it:
//   tmp_norm = knorm + alpha / nsize * sum_{c' in [c - nsize/2, c + nsize/2]} x_{c'}^2
//   out = x * tmp_norm^-beta
// tmp_norm is MXNet's hidden second output, kept for the backward:
//   dx_j = g_j tmp_norm_j^-beta
//          - 2 alpha beta / nsize * x_j * sum_{c in window(j)} g_c x_c tmp_norm_c^(-beta-1)
// (the window is symmetric, so the channels whose window holds j are window(j)).
//
// Hand-written rather than oneDNN: oneDNN's LRN keeps an implementation-defined workspace instead
// of tmp_norm, and this keeps float64 (tight gradient checks) and the other float dtypes. The
// loops run over the contiguous inner (spatial) axis and vectorise.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "ops/nn_conv.h"
#include "operator/nn_conv/conv_common.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op::nn_conv {
namespace {

constexpr const char* kOp = "LRN";

void InferLRN(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<LRNParam>(base);
  const Shape& s = io.in_shapes.at(0);
  MX_CHECK(s.ndim() >= 2, ValueError)
      << kOp << ": data shape " << s << " must have at least 2 dimensions (N, C, ...)";
  MX_CHECK(p.nsize >= 1 && p.nsize % 2 == 1, ValueError)
      << kOp << ": nsize=" << p.nsize << " must be a positive odd number";
  MX_CHECK(IsFloatingDType(io.in_types.at(0)), TypeError)
      << kOp << ": dtype " << DTypeName(io.in_types.at(0))
      << " is not supported (floating dtypes only)";
  io.out_shapes = {s, s};
  io.out_types = {io.in_types.at(0), io.in_types.at(0)};
}

template <typename T>
using Compute = std::conditional_t<std::is_same_v<T, double>, double, float>;

struct Dims {
  int64_t n, c, inner;
};
Dims DimsOf(const Shape& s) { return {s[0], s[1], s.ProdRange(2, s.ndim())}; }

template <typename T>
void LRNForward(const LRNParam& p, const Dims& d, const T* x, T* y, T* norm, OpReq req,
                int nthreads) {
  using C = Compute<T>;
  const int64_t half = p.nsize / 2;
  const C scale = static_cast<C>(p.alpha) / static_cast<C>(p.nsize);
  const C k = static_cast<C>(p.knorm), beta = static_cast<C>(p.beta);
  ParallelFor(d.n * d.c, nthreads, [&](int64_t b, int64_t e) {
    std::vector<C> acc(static_cast<size_t>(d.inner));
    for (int64_t nc = b; nc < e; ++nc) {
      const int64_t n = nc / d.c, c = nc % d.c;
      std::fill(acc.begin(), acc.end(), C(0));
      const int64_t c0 = std::max<int64_t>(0, c - half), c1 = std::min(d.c - 1, c + half);
      for (int64_t j = c0; j <= c1; ++j) {
        const T* xj = x + (n * d.c + j) * d.inner;
        for (int64_t i = 0; i < d.inner; ++i) {
          const C v = static_cast<C>(xj[i]);
          acc[i] += v * v;
        }
      }
      const T* xc = x + nc * d.inner;
      T* yc = y + nc * d.inner;
      T* nrm = norm + nc * d.inner;
      for (int64_t i = 0; i < d.inner; ++i) {
        const C t = k + scale * acc[i];
        nrm[i] = static_cast<T>(t);
        if (req != OpReq::kNull) StoreReq(req, yc + i, static_cast<T>(static_cast<C>(xc[i]) * std::pow(t, -beta)));
      }
    }
  }, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, d.inner * p.nsize)));
}

template <typename T>
void LRNBackward(const LRNParam& p, const Dims& d, const T* g, const T* x, const T* norm, T* dx,
                 OpReq req, int nthreads) {
  using C = Compute<T>;
  const int64_t half = p.nsize / 2;
  const C beta = static_cast<C>(p.beta);
  const C coef = C(2) * static_cast<C>(p.alpha) * beta / static_cast<C>(p.nsize);
  const int64_t total = d.n * d.c * d.inner;
  std::vector<C> t(static_cast<size_t>(total));  // g_c x_c norm_c^(-beta-1)
  ParallelFor(total, nthreads, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      t[i] = static_cast<C>(g[i]) * static_cast<C>(x[i]) *
             std::pow(static_cast<C>(norm[i]), -beta - C(1));
    }
  });
  ParallelFor(d.n * d.c, nthreads, [&](int64_t b, int64_t e) {
    std::vector<C> acc(static_cast<size_t>(d.inner));
    for (int64_t nc = b; nc < e; ++nc) {
      const int64_t n = nc / d.c, c = nc % d.c;
      std::fill(acc.begin(), acc.end(), C(0));
      const int64_t c0 = std::max<int64_t>(0, c - half), c1 = std::min(d.c - 1, c + half);
      for (int64_t j = c0; j <= c1; ++j) {
        const C* tj = t.data() + (n * d.c + j) * d.inner;
        for (int64_t i = 0; i < d.inner; ++i) acc[i] += tj[i];
      }
      const int64_t base = nc * d.inner;
      for (int64_t i = 0; i < d.inner; ++i) {
        const C xv = static_cast<C>(x[base + i]);
        const C v = static_cast<C>(g[base + i]) * std::pow(static_cast<C>(norm[base + i]), -beta) -
                    coef * xv * acc[i];
        StoreReq(req, dx + base + i, static_cast<T>(v));
      }
    }
  }, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, d.inner * p.nsize)));
}

void ForwardLRN(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                std::span<const TBlob> out) {
  const auto& p = ParamAs<LRNParam>(base);
  if (in[0].Size() == 0) return;
  // tmp_norm is always written (the backward needs it); the visible output honours req.
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, kOp, {
    LRNForward<T>(p, DimsOf(in[0].shape), in[0].ptr<T>(), out[0].ptr<T>(), out[1].ptr<T>(),
                  ReqOf(ctx, 0), ctx.nthreads);
  });
}

void BackwardLRN(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                 std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                 std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<LRNParam>(base);
  const OpReq req = ReqOf(ctx, 0);
  if (req == OpReq::kNull || inputs[0].Size() == 0) return;
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, kOp, {
    LRNBackward<T>(p, DimsOf(inputs[0].shape), out_grads[0].ptr<T>(), inputs[0].ptr<T>(),
                   outputs[1].ptr<T>(), in_grads[0].ptr<T>(), req, ctx.nthreads);
  });
}

}  // namespace

MX_REGISTER_KERNEL(LRN, (OpKernel{.infer = InferLRN, .forward = ForwardLRN, .backward = BackwardLRN}));

}  // namespace mixnet::op::nn_conv
