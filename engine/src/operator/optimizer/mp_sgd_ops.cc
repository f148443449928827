// Multi-precision SGD (mp_sgd_update, mp_sgd_mom_update): the step is taken in float32 on the
// master copy weight32 (and a float32 momentum), and the output is the result cast to the
// weight's own dtype, so float16 training does not lose small updates to rounding.
#include <span>

#include "ops/optimizer.h"
#include "operator/op.h"
#include "operator/optimizer/update_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using optimizer::ForEachElement;
using optimizer::MaybeClip;

// weight and grad share a floating dtype; the float32 states (from index 2) have its shape.
void InferMp(const char* op, std::initializer_list<const char*> states, InferIO& io) {
  optimizer::InferLikeWeight(op, {"weight", "grad"}, io);
  size_t i = 2;
  for (const char* name : states) {
    MX_CHECK(io.in_shapes.at(i) == io.in_shapes[0], ValueError)
        << op << ": " << name << " must have the weight's shape " << io.in_shapes[0] << ", got "
        << io.in_shapes[i];
    MX_CHECK(io.in_types[i] == DType::kFloat32, TypeError)
        << op << ": " << name << " must be float32, got " << DTypeName(io.in_types[i]);
    ++i;
  }
}

void InferMpSgd(const ParamBase&, InferIO& io) { InferMp("mp_sgd_update", {"weight32"}, io); }

void ForwardMpSgd(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<MpSgdUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "mp_sgd_update", {
    const T* g = in[1].ptr<T>();
    float* w32 = in[2].ptr<float>();
    T* y = out[0].ptr<T>();
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const float grad = MaybeClip(p.rescale_grad * static_cast<float>(g[i]), p.clip_gradient);
      const float w = (1.0f - p.lr * p.wd) * w32[i] - p.lr * grad;
      w32[i] = w;
      if (req != OpReq::kNull) StoreReq(req, y + i, static_cast<T>(w));
    });
  });
}

void InferMpSgdMom(const ParamBase&, InferIO& io) {
  InferMp("mp_sgd_mom_update", {"mom", "weight32"}, io);
}

void ForwardMpSgdMom(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                     std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const auto& p = ParamAs<MpSgdMomUpdateParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "mp_sgd_mom_update", {
    const T* g = in[1].ptr<T>();
    float* mom = in[2].ptr<float>();
    float* w32 = in[3].ptr<float>();
    T* y = out[0].ptr<T>();
    ForEachElement(ctx, in[0].Size(), [&](int64_t i) {
      const float grad = MaybeClip(p.rescale_grad * static_cast<float>(g[i]), p.clip_gradient);
      const float m = p.momentum * mom[i] - p.lr * p.wd * w32[i] - p.lr * grad;
      mom[i] = m;
      const float w = w32[i] + m;
      w32[i] = w;
      if (req != OpReq::kNull) StoreReq(req, y + i, static_cast<T>(w));
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(mp_sgd_update, (OpKernel{.infer = InferMpSgd, .forward = ForwardMpSgd}));
MX_REGISTER_KERNEL(mp_sgd_mom_update,
                   (OpKernel{.infer = InferMpSgdMom, .forward = ForwardMpSgdMom}));

}  // namespace mixnet::op
