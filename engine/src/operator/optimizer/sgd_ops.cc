// SGD-family updates: sgd_update, sgd_mom_update, nag_mom_update, signsgd_update and
// signum_update. The output is the new weight (callers usually pass out=weight: every element is
// read before it is written, so that works); the momentum state is updated in place.
#include <span>

#include "ops/optimizer.h"
#include "operator/op.h"
#include "operator/optimizer/update_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using optimizer::Compute;
using optimizer::ForEachElement;
using optimizer::MaybeClip;

void InferSgd(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("sgd_update", {"weight", "grad"}, io);
}

// weight = (1 - lr * wd) * weight - lr * clip(rescale_grad * grad)
void ForwardSgd(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<SgdUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "sgd_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]), p.clip_gradient);
      StoreReq(req, y + i, static_cast<T>((C(1) - lr * wd) * static_cast<C>(w[i]) - lr * grad));
    });
  });
}

void InferSgdMom(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("sgd_mom_update", {"weight", "grad", "mom"}, io);
}

// mom = momentum * mom - lr * wd * weight - lr * clip(rescale_grad * grad); weight += mom
void ForwardSgdMom(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<SgdMomUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "sgd_mom_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* mom = in[2].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad, momentum = p.momentum;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]), p.clip_gradient);
      const C m = momentum * static_cast<C>(mom[i]) - lr * wd * wi - lr * grad;
      mom[i] = static_cast<T>(m);
      if (req != OpReq::kNull) StoreReq(req, y + i, static_cast<T>(wi + m));
    });
  });
}

void InferNagMom(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("nag_mom_update", {"weight", "grad", "mom"}, io);
}

// g = clip(rescale_grad * grad) + wd * weight; mom = momentum * mom - lr * g;
// weight += momentum * mom - lr * g
void ForwardNagMom(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<NagMomUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "nag_mom_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* mom = in[2].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad, momentum = p.momentum;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]), p.clip_gradient) + wd * wi;
      const C m = momentum * static_cast<C>(mom[i]) - lr * grad;
      mom[i] = static_cast<T>(m);
      if (req != OpReq::kNull) StoreReq(req, y + i, static_cast<T>(wi + momentum * m - lr * grad));
    });
  });
}

// Sign of x as -1, 0 or 1.
template <typename C>
inline C SignOf(C x) {
  return static_cast<C>((x > C(0)) - (x < C(0)));
}

void InferSignSgd(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("signsgd_update", {"weight", "grad"}, io);
}

// weight = (1 - lr * wd) * weight - lr * sign(grad)
void ForwardSignSgd(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<SignsgdUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "signsgd_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C step = lr * SignOf(static_cast<C>(g[i]));
      StoreReq(req, y + i, static_cast<T>((C(1) - lr * wd) * wi - step));
    });
  });
}

void InferSignum(const ParamBase&, InferIO& io) {
  optimizer::InferLikeWeight("signum_update", {"weight", "grad", "mom"}, io);
}

// mom = momentum * mom - (1 - momentum) * (wd * weight + clip(rescale_grad * grad));
// weight = (1 - lr * wd_lh) * weight + lr * sign(mom)
void ForwardSignum(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<SignumUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "signum_update", {
    using C = Compute<T>;
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* mom = in[2].ptr<T>();
    T* y = out[0].ptr<T>();
    const C lr = p.lr, wd = p.wd, rescale = p.rescale_grad, momentum = p.momentum,
            wd_lh = p.wd_lh;
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const C wi = static_cast<C>(w[i]);
      const C grad = MaybeClip(rescale * static_cast<C>(g[i]), p.clip_gradient);
      const C m = momentum * static_cast<C>(mom[i]) - (C(1) - momentum) * wd * wi -
                  (C(1) - momentum) * grad;
      mom[i] = static_cast<T>(m);
      if (req != OpReq::kNull) {
        StoreReq(req, y + i, static_cast<T>((C(1) - lr * wd_lh) * wi + lr * SignOf(m)));
      }
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(sgd_update, (OpKernel{.infer = InferSgd, .forward = ForwardSgd}));
MX_REGISTER_KERNEL(sgd_mom_update, (OpKernel{.infer = InferSgdMom, .forward = ForwardSgdMom}));
MX_REGISTER_KERNEL(nag_mom_update, (OpKernel{.infer = InferNagMom, .forward = ForwardNagMom}));
MX_REGISTER_KERNEL(signsgd_update, (OpKernel{.infer = InferSignSgd, .forward = ForwardSignSgd}));
MX_REGISTER_KERNEL(signum_update, (OpKernel{.infer = InferSignum, .forward = ForwardSignum}));

}  // namespace mixnet::op
