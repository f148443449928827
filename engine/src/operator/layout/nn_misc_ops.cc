// hard_sigmoid and L2Normalization, forward and backward (floating dtypes; half/bfloat16 compute
// in float).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "ops/nn_misc.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// float for the 16-bit types, else the type itself.
template <typename T>
using Compute = std::conditional_t<std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>, float, T>;

void InferSameFloat(const char* op, InferIO& io) {
  MX_CHECK(IsFloatingDType(io.in_types.at(0)), TypeError)
      << op << ": dtype " << DTypeName(io.in_types.at(0))
      << " is not supported (floating dtypes only)";
  io.out_shapes = {io.in_shapes.at(0)};
  io.out_types = {io.in_types.at(0)};
}

void InferHardSigmoid(const ParamBase&, InferIO& io) { InferSameFloat("hard_sigmoid", io); }

void ForwardHardSigmoid(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                        std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<HardSigmoidParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "hard_sigmoid", {
    using C = Compute<T>;
    const T* x = in[0].ptr<T>();
    T* y = out[0].ptr<T>();
    const C alpha = static_cast<C>(p.alpha), beta = static_cast<C>(p.beta);
    ParallelFor(out[0].Size(), ctx.nthreads, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const C v = std::max(C(0), std::min(C(1), alpha * static_cast<C>(x[i]) + beta));
        StoreReq(req, y + i, static_cast<T>(v));
      }
    });
  });
}

// MXNet's rule: the gradient passes (times alpha) where the output is strictly inside (0, 1).
void BackwardHardSigmoid(const ParamBase& base, const OpContext& ctx,
                         std::span<const TBlob> out_grads, std::span<const TBlob>,
                         std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || in_grads[0].Size() == 0) return;
  const auto& p = ParamAs<HardSigmoidParam>(base);
  MX_FLOAT_TYPE_SWITCH(in_grads[0].dtype, T, "hard_sigmoid", {
    using C = Compute<T>;
    const T* gy = out_grads[0].ptr<T>();
    const T* y = outputs[0].ptr<T>();
    T* gx = in_grads[0].ptr<T>();
    const C alpha = static_cast<C>(p.alpha);
    ParallelFor(in_grads[0].Size(), ctx.nthreads, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const C yv = static_cast<C>(y[i]);
        const C g = (yv > C(0) && yv < C(1)) ? alpha * static_cast<C>(gy[i]) : C(0);
        StoreReq(req, gx + i, static_cast<T>(g));
      }
    });
  });
}

// ---- L2Normalization ----------------------------------------------------------------------------

void InferL2Norm(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<L2NormalizationParam>(base);
  const Shape& s = io.in_shapes.at(0);
  using M = L2NormalizationParam::Mode;
  const int min_ndim = p.mode == M::kInstance ? 1 : p.mode == M::kChannel ? 2 : 3;
  MX_CHECK(s.ndim() >= min_ndim, ValueError)
      << "L2Normalization: mode=" << L2NormalizationParam::ToString(p.mode) << " needs at least "
      << min_ndim << " axes, got shape " << s;
  InferSameFloat("L2Normalization", io);
}

// The input as (outer, n, inner): see L2NormTyped.
void L2NormGroups(const L2NormalizationParam& p, const Shape& s, int64_t& outer, int64_t& n,
                  int64_t& inner) {
  outer = s[0];
  n = s.ProdRange(1, s.ndim());
  inner = 1;
  using M = L2NormalizationParam::Mode;
  if (p.mode == M::kChannel) {
    n = s[1];
    inner = s.ProdRange(2, s.ndim());
  } else if (p.mode == M::kSpatial) {
    outer = s[0] * s[1];
    n = s.ProdRange(2, s.ndim());
  }
}

// The input as (outer, n, inner): each of the outer * inner groups of n elements, spaced inner
// apart, is normalised on its own.
template <typename T>
void L2NormTyped(OpReq req, const T* x, T* y, int64_t outer, int64_t n, int64_t inner, float eps,
                 int nthreads) {
  using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
  ParallelFor(
      outer * inner, nthreads,
      [&](int64_t g0, int64_t g1) {
        for (int64_t g = g0; g < g1; ++g) {
          const int64_t base = (g / inner) * n * inner + g % inner;
          C sum = 0;
          for (int64_t j = 0; j < n; ++j) {
            const C v = static_cast<C>(x[base + j * inner]);
            sum += v * v;
          }
          const C norm = std::sqrt(sum + static_cast<C>(eps));
          for (int64_t j = 0; j < n; ++j) {
            const int64_t at = base + j * inner;
            StoreReq(req, y + at, static_cast<T>(static_cast<C>(x[at]) / norm));
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)));
}

void ForwardL2Norm(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<L2NormalizationParam>(base);
  int64_t outer = 0, n = 0, inner = 0;
  L2NormGroups(p, in[0].shape, outer, n, inner);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "L2Normalization", {
    L2NormTyped<T>(req, in[0].ptr<T>(), out[0].ptr<T>(), outer, n, inner, p.eps, ctx.nthreads);
  });
}

// Groups as in the forward. With n = sqrt(sum x^2 + eps) and y = x / n, each group's gradient is
// dx = (dy - y * sum(dy * y)) / n; the norm is recomputed from x rather than kept.
template <typename T>
void L2NormGradTyped(OpReq req, const T* gy, const T* x, T* gx, int64_t outer, int64_t n,
                     int64_t inner, float eps, int nthreads) {
  using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
  ParallelFor(
      outer * inner, nthreads,
      [&](int64_t g0, int64_t g1) {
        for (int64_t g = g0; g < g1; ++g) {
          const int64_t base = (g / inner) * n * inner + g % inner;
          C sum = 0;
          C dot = 0;  // sum(dy * x)
          for (int64_t j = 0; j < n; ++j) {
            const C v = static_cast<C>(x[base + j * inner]);
            sum += v * v;
            dot += static_cast<C>(gy[base + j * inner]) * v;
          }
          const C norm = std::sqrt(sum + static_cast<C>(eps));
          const C inv = C(1) / norm;
          const C k = dot * inv * inv * inv;  // sum(dy * y) / n
          for (int64_t j = 0; j < n; ++j) {
            const int64_t at = base + j * inner;
            const C v = static_cast<C>(gy[at]) * inv - static_cast<C>(x[at]) * k;
            StoreReq(req, gx + at, static_cast<T>(v));
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)));
}

void BackwardL2Norm(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> inputs, std::span<const TBlob>,
                    std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || in_grads[0].Size() == 0) return;
  const auto& p = ParamAs<L2NormalizationParam>(base);
  int64_t outer = 0, n = 0, inner = 0;
  L2NormGroups(p, inputs[0].shape, outer, n, inner);
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "L2Normalization", {
    L2NormGradTyped<T>(req, out_grads[0].ptr<T>(), inputs[0].ptr<T>(), in_grads[0].ptr<T>(),
                       outer, n, inner, p.eps, ctx.nthreads);
  });
}

}  // namespace

MX_REGISTER_KERNEL(hard_sigmoid, (OpKernel{.infer = InferHardSigmoid,
                                           .forward = ForwardHardSigmoid,
                                           .backward = BackwardHardSigmoid,
                                           .cheap = true}));
MX_REGISTER_KERNEL(L2Normalization, (OpKernel{.infer = InferL2Norm,
                                              .forward = ForwardL2Norm,
                                              .backward = BackwardL2Norm}));

}  // namespace mixnet::op
