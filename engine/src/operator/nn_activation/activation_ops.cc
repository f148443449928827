// Activation (relu, sigmoid, log_sigmoid, mish, tanh, softrelu, softsign), smooth_l1 and
// BlockGrad: elementwise forward and backward over floating dtypes.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "ops/nn_activation.h"
#include "operator/nn_activation/act_util.h"
#include "operator/op.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using act::Compute;
using act::MapReq;
using AT = ActivationParam::ActType;

void InferActivation(const ParamBase&, InferIO& io) {
  act::CheckFloat("Activation", "data", io.in_types.at(0));
  io.out_shapes = {io.in_shapes.at(0)};
  io.out_types = {io.in_types.at(0)};
}

template <typename T>
void ActivationForwardTyped(AT type, OpReq req, const T* x, T* y, int64_t n, int nthreads) {
  using C = Compute<T>;
  auto in = [x](int64_t i) { return static_cast<C>(x[i]); };
  switch (type) {
    case AT::kRelu:
      MapReq(req, n, nthreads, y, [&](int64_t i) { return std::max(in(i), C(0)); });
      break;
    case AT::kSigmoid:
      MapReq(req, n, nthreads, y, [&](int64_t i) { return act::Sigmoid(in(i)); });
      break;
    case AT::kLogSigmoid:
      // log(sigmoid(x)) = -softrelu(-x), stable for both signs.
      MapReq(req, n, nthreads, y, [&](int64_t i) { return -act::SoftRelu(-in(i)); });
      break;
    case AT::kMish:
      MapReq(req, n, nthreads, y, [&](int64_t i) {
        const C v = in(i);
        return v * std::tanh(act::SoftRelu(v));
      });
      break;
    case AT::kTanh:
      MapReq(req, n, nthreads, y, [&](int64_t i) { return std::tanh(in(i)); });
      break;
    case AT::kSoftrelu:
      MapReq(req, n, nthreads, y, [&](int64_t i) { return act::SoftRelu(in(i)); });
      break;
    case AT::kSoftsign:
      MapReq(req, n, nthreads, y, [&](int64_t i) {
        const C v = in(i);
        return v / (C(1) + std::abs(v));
      });
      break;
  }
}

// The derivative from the input x (and the output y where that is cheaper), times the head.
template <typename T>
void ActivationBackwardTyped(AT type, OpReq req, const T* g, const T* x, const T* y, T* gx,
                             int64_t n, int nthreads) {
  using C = Compute<T>;
  auto G = [g](int64_t i) { return static_cast<C>(g[i]); };
  auto X = [x](int64_t i) { return static_cast<C>(x[i]); };
  auto Y = [y](int64_t i) { return static_cast<C>(y[i]); };
  switch (type) {
    case AT::kRelu:
      // Both loads happen unconditionally so the select compiles to a blend: a load under the
      // condition cannot be speculated, and the branch it leaves mispredicts on random signs
      // (10x slower on a 1.5M-element conv activation).
      MapReq(req, n, nthreads, gx, [&](int64_t i) {
        const C gv = G(i);
        return X(i) > C(0) ? gv : C(0);
      });
      break;
    case AT::kSigmoid:
      MapReq(req, n, nthreads, gx, [&](int64_t i) { return G(i) * Y(i) * (C(1) - Y(i)); });
      break;
    case AT::kLogSigmoid:
      // d/dx log(sigmoid(x)) = 1 - sigmoid(x) = sigmoid(-x).
      MapReq(req, n, nthreads, gx, [&](int64_t i) { return G(i) * act::Sigmoid(-X(i)); });
      break;
    case AT::kMish:
      MapReq(req, n, nthreads, gx, [&](int64_t i) {
        const C v = X(i);
        const C t = std::tanh(act::SoftRelu(v));
        return G(i) * (t + v * act::Sigmoid(v) * (C(1) - t * t));
      });
      break;
    case AT::kTanh:
      MapReq(req, n, nthreads, gx, [&](int64_t i) { return G(i) * (C(1) - Y(i) * Y(i)); });
      break;
    case AT::kSoftrelu:
      MapReq(req, n, nthreads, gx, [&](int64_t i) { return G(i) * act::Sigmoid(X(i)); });
      break;
    case AT::kSoftsign:
      MapReq(req, n, nthreads, gx, [&](int64_t i) {
        const C d = C(1) + std::abs(X(i));
        return G(i) / (d * d);
      });
      break;
  }
}

void ForwardActivation(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                       std::span<const TBlob> out) {
  const auto& p = ParamAs<ActivationParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "Activation", {
    ActivationForwardTyped<T>(p.act_type, ReqAt(ctx, 0), in[0].ptr<T>(), out[0].ptr<T>(),
                              in[0].Size(), ctx.nthreads);
  });
}

void BackwardActivation(const ParamBase& base, const OpContext& ctx,
                        std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                        std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<ActivationParam>(base);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "Activation", {
    ActivationBackwardTyped<T>(p.act_type, req, out_grads[0].ptr<T>(), inputs[0].ptr<T>(),
                               outputs[0].ptr<T>(), in_grads[0].ptr<T>(), inputs[0].Size(),
                               ctx.nthreads);
  });
}

// ---- smooth_l1 ----------------------------------------------------------------------------------

void InferSmoothL1(const ParamBase&, InferIO& io) {
  act::CheckFloat("smooth_l1", "data", io.in_types.at(0));
  io.out_shapes = {io.in_shapes.at(0)};
  io.out_types = {io.in_types.at(0)};
}

void ForwardSmoothL1(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                     std::span<const TBlob> out) {
  const double sigma = ParamAs<SmoothL1Param>(base).scalar;
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "smooth_l1", {
    using C = Compute<T>;
    const C s2 = static_cast<C>(sigma * sigma), inv = C(1) / s2;
    const T* x = in[0].ptr<T>();
    MapReq(ReqAt(ctx, 0), in[0].Size(), ctx.nthreads, out[0].ptr<T>(), [&](int64_t i) {
      const C v = static_cast<C>(x[i]), a = std::abs(v);
      return a < inv ? C(0.5) * s2 * v * v : a - C(0.5) * inv;
    });
  });
}

void BackwardSmoothL1(const ParamBase& base, const OpContext& ctx,
                      std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                      std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const double sigma = ParamAs<SmoothL1Param>(base).scalar;
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "smooth_l1", {
    using C = Compute<T>;
    const C s2 = static_cast<C>(sigma * sigma), inv = C(1) / s2;
    const T* x = inputs[0].ptr<T>();
    const T* g = out_grads[0].ptr<T>();
    MapReq(ReqAt(ctx, 0), inputs[0].Size(), ctx.nthreads, in_grads[0].ptr<T>(), [&](int64_t i) {
      const C v = static_cast<C>(x[i]);
      const C d = std::abs(v) < inv ? s2 * v : (v > C(0) ? C(1) : (v < C(0) ? C(-1) : C(0)));
      return static_cast<C>(g[i]) * d;
    });
  });
}

// ---- BlockGrad ----------------------------------------------------------------------------------

void InferBlockGrad(const ParamBase&, InferIO& io) {
  io.out_shapes = {io.in_shapes.at(0)};
  io.out_types = {io.in_types.at(0)};
}

void ForwardBlockGrad(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  MX_TYPE_SWITCH(in[0].dtype, T, {
    AssignRun(ReqAt(ctx, 0), out[0].ptr<T>(), static_cast<const T*>(in[0].dptr), in[0].Size());
  });
}

}  // namespace

MX_REGISTER_KERNEL(Activation, (OpKernel{.infer = InferActivation, .forward = ForwardActivation,
                                         .backward = BackwardActivation, .cheap = true}));
MX_REGISTER_KERNEL(smooth_l1, (OpKernel{.infer = InferSmoothL1, .forward = ForwardSmoothL1,
                                        .backward = BackwardSmoothL1, .cheap = true}));
// Not differentiable: autograd treats the output as a constant, which is the op's whole point.
MX_REGISTER_KERNEL(BlockGrad, (OpKernel{.infer = InferBlockGrad, .forward = ForwardBlockGrad,
                                        .cheap = true}));

}  // namespace mixnet::op
