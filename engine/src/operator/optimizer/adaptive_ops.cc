// Adaptive-rate updates: adam_update, _adamw_update, rmsprop_update, rmspropalex_update and
// _sparse_adagrad_update (adagrad_update), with Apache MXNet 1.x's formulas. The output is the new
// weight (out=weight works: each element is read before it is written); the state inputs (mean,
// var, n, g, delta, history) are updated in place.
#include <cmath>
#include <cstring>
#include <span>

#include "ops/optimizer.h"
#include "operator/op.h"
#include "operator/optimizer/update_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using optimizer::Clip;
using optimizer::Compute;
using optimizer::ForEachElement;
using optimizer::MaybeClip;

// ---- adam ---------------------------------------------------------------------------------------

void InferAdam(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("adam_update", {"weight", "grad", "mean", "var"}, io);
}

// g = clip(rescale_grad * grad + wd * weight); mean = beta1 * mean + (1 - beta1) * g;
// var = beta2 * var + (1 - beta2) * g^2; weight -= lr * mean / (sqrt(var) + epsilon)
void ForwardAdam(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<AdamUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "adam_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* mean = in[2].ptr<T>();
    T* var = in[3].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad, b1 = p.beta1, b2 = p.beta2,
            eps = p.epsilon;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]) + wd * wi, p.clip_gradient);
      const C m = b1 * static_cast<C>(mean[i]) + (C(1) - b1) * grad;
      const C v = b2 * static_cast<C>(var[i]) + (C(1) - b2) * grad * grad;
      mean[i] = static_cast<T>(m);
      var[i] = static_cast<T>(v);
      if (req != OpReq::kNull) {
        StoreReq(req, y + i, static_cast<T>(wi - lr * m / (std::sqrt(v) + eps)));
      }
    });
  });
}

// ---- adamw --------------------------------------------------------------------------------------

void InferAdamW(const ParamBase&, InferIO& io) {
  const Shape& r = io.in_shapes.at(4);
  MX_CHECK(r.Size() == 1, ValueError)
      << "_adamw_update: rescale_grad must hold exactly one value, got shape " << r;
  MX_CHECK(IsFloatingDType(io.in_types.at(4)), TypeError)
      << "_adamw_update: rescale_grad has dtype " << DTypeName(io.in_types[4])
      << " (floating dtypes only)";
  optimizer::InferLikeWeight("_adamw_update", {"weight", "grad", "mean", "var"}, io);
}

// g = clip(rescale_grad * grad); mean, var as Adam;
// weight -= eta * (lr * mean / (sqrt(var) + epsilon) + wd * weight).
// A NaN, infinite or zero rescale_grad (a mixed-precision overflow) skips the step entirely.
void ForwardAdamW(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<AdamwUpdateParam>(base);
  float scale = 0;
  MX_FLOAT_TYPE_SWITCH(in[4].dtype, R, "_adamw_update",
                       { scale = static_cast<float>(*in[4].ptr<R>()); });
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "_adamw_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    T* y = out[0].ptr<T>();
    if (!std::isfinite(scale) || scale == 0.0f) {
      if (req != OpReq::kNull) {
        ForEachElement(ctx, in[0].Size(), [&](int64_t i) { StoreReq(req, y + i, w[i]); });
      }
      return;
    }
    const T* g = in[1].ptr<T>();
    T* mean = in[2].ptr<T>();
    T* var = in[3].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = scale, b1 = p.beta1, b2 = p.beta2, eps = p.epsilon,
            eta = p.eta;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]), p.clip_gradient);
      const C m = b1 * static_cast<C>(mean[i]) + (C(1) - b1) * grad;
      const C v = b2 * static_cast<C>(var[i]) + (C(1) - b2) * grad * grad;
      mean[i] = static_cast<T>(m);
      var[i] = static_cast<T>(v);
      if (req != OpReq::kNull) {
        StoreReq(req, y + i, static_cast<T>(wi - eta * (lr * m / (std::sqrt(v) + eps) + wd * wi)));
      }
    });
  });
}

// ---- rmsprop ------------------------------------------------------------------------------------

// Weight clipping shared by both RMSProp variants (clip_weights < 0: none).
template <typename C>
inline C ClipWeight(C w, float clip_weights) {
  return clip_weights >= 0.0f ? Clip(w, static_cast<C>(clip_weights)) : w;
}

void InferRmsProp(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("rmsprop_update", {"weight", "grad", "n"}, io);
}

// g = clip(rescale_grad * grad + wd * weight); n = (1 - gamma1) * g^2 + gamma1 * n;
// weight = clip_weights(weight - lr * g / sqrt(n + epsilon))
void ForwardRmsProp(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<RmspropUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "rmsprop_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* n = in[2].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad, gamma1 = p.gamma1, eps = p.epsilon;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]) + wd * wi, p.clip_gradient);
      const C ni = (C(1) - gamma1) * grad * grad + gamma1 * static_cast<C>(n[i]);
      n[i] = static_cast<T>(ni);
      const C nw = ClipWeight(wi - lr * grad / std::sqrt(ni + eps), p.clip_weights);
      if (req != OpReq::kNull) StoreReq(req, y + i, static_cast<T>(nw));
    });
  });
}

void InferRmsPropAlex(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("rmspropalex_update", {"weight", "grad", "n", "g", "delta"}, io);
}

// r = clip(rescale_grad * grad + wd * weight); n = (1 - gamma1) * r^2 + gamma1 * n;
// g = (1 - gamma1) * r + gamma1 * g; delta = gamma2 * delta - lr * r / sqrt(n - g^2 + epsilon);
// weight = clip_weights(weight + delta)
void ForwardRmsPropAlex(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                        std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<RmspropalexUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "rmspropalex_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* gr = in[1].ptr<T>();
    T* n = in[2].ptr<T>();
    T* gs = in[3].ptr<T>();
    T* delta = in[4].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad, gamma1 = p.gamma1,
            gamma2 = p.gamma2, eps = p.epsilon;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C r = MaybeClip(rescale * static_cast<C>(gr[i]) + wd * wi, p.clip_gradient);
      const C ni = (C(1) - gamma1) * r * r + gamma1 * static_cast<C>(n[i]);
      const C gi = (C(1) - gamma1) * r + gamma1 * static_cast<C>(gs[i]);
      const C di = gamma2 * static_cast<C>(delta[i]) - lr * r / std::sqrt(ni - gi * gi + eps);
      n[i] = static_cast<T>(ni);
      gs[i] = static_cast<T>(gi);
      delta[i] = static_cast<T>(di);
      if (req != OpReq::kNull) {
        StoreReq(req, y + i, static_cast<T>(ClipWeight(wi + di, p.clip_weights)));
      }
    });
  });
}

// ---- adagrad ------------------------------------------------------------------------------------

void InferAdagrad(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("_sparse_adagrad_update", {"weight", "grad", "history"}, io);
}

// g = clip(rescale_grad * grad); history += g^2;
// weight -= lr * (g / sqrt(history + epsilon) + wd * weight). (MXNet's row_sparse kernel takes
// wd = 0 only; with wd = 0 both agree, and wd != 0 follows MXNet's dense Python AdaGrad.)
void ForwardAdagrad(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<SparseAdagradUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "_sparse_adagrad_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* hist = in[2].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad, eps = p.epsilon;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]), p.clip_gradient);
      const C h = static_cast<C>(hist[i]) + grad * grad;
      hist[i] = static_cast<T>(h);
      if (req != OpReq::kNull) {
        StoreReq(req, y + i, static_cast<T>(wi - lr * (grad / std::sqrt(h + eps) + wd * wi)));
      }
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(adam_update, (OpKernel{.infer = InferAdam, .forward = ForwardAdam}));
MX_REGISTER_KERNEL(_adamw_update, (OpKernel{.infer = InferAdamW, .forward = ForwardAdamW}));
MX_REGISTER_KERNEL(rmsprop_update, (OpKernel{.infer = InferRmsProp, .forward = ForwardRmsProp}));
MX_REGISTER_KERNEL(rmspropalex_update,
                   (OpKernel{.infer = InferRmsPropAlex, .forward = ForwardRmsPropAlex}));
MX_REGISTER_KERNEL(_sparse_adagrad_update,
                   (OpKernel{.infer = InferAdagrad, .forward = ForwardAdagrad}));

}  // namespace mixnet::op
