// Convolution (1D/2D/3D, groups, dilation, optional bias) on oneDNN, float32, and _conv_act:
// Convolution followed by an activation in one op (see conv_act.h).
#include <cstring>
#include <optional>

#include "ops/nn_conv.h"
#include "operator/nn_conv/conv_act.h"
#include "operator/nn_conv/conv_common.h"
#include "operator/nn_conv/conv_dnnl.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {
namespace {

constexpr const char* kOp = "Convolution";

// _conv_act's convolution, as Convolution's parameters (the fields it shares; the rest are
// Convolution's defaults and only matter to other back-ends).
ConvolutionParam AsConvolution(const ConvActParam& a) {
  ConvolutionParam p;
  p.kernel = a.kernel;
  p.stride = a.stride;
  p.dilate = a.dilate;
  p.pad = a.pad;
  p.num_filter = a.num_filter;
  p.num_group = a.num_group;
  p.no_bias = a.no_bias;
  return p;
}

Geom ConvGeom(const char* op, const ConvolutionParam& p) {
  const int nsp = CheckKernelRank(op, p.kernel);
  Geom g;
  g.nsp = nsp;
  g.kernel = SpatialTuple(op, "kernel", p.kernel, nsp, 1, 1);
  g.stride = SpatialTuple(op, "stride", p.stride, nsp, 1, 1);
  g.dilate = SpatialTuple(op, "dilate", p.dilate, nsp, 1, 1);
  g.pad_l = SpatialTuple(op, "pad", p.pad, nsp, 0, 0);
  g.pad_r = g.pad_l;
  return g;
}

// Checks everything and returns the output shape.
Shape ConvOutShape(const char* op, const ConvolutionParam& p, const Geom& g, const Shape& data,
                   const Shape& weight, const Shape* bias) {
  if (p.layout) CheckLayout(op, std::string(ConvolutionParam::ToString(*p.layout)), g.nsp);
  CheckDataRank(op, data, g.nsp);
  CheckChannels(op, "data channels", data[1], "num_group", p.num_group);
  CheckChannels(op, "num_filter", p.num_filter, "num_group", p.num_group);
  Shape want_w{p.num_filter, data[1] / p.num_group};
  for (int64_t k : g.kernel) want_w.PushBack(k);
  CheckInputShape(op, "weight", want_w, weight, data);
  if (bias != nullptr) CheckInputShape(op, "bias", Shape{p.num_filter}, *bias, data);
  Shape out{data[0], p.num_filter};
  for (int64_t v : ConvOutSpatial(op, data, g)) out.PushBack(v);
  return out;
}

void InferConvAs(const char* op, const ConvolutionParam& p, InferIO& io) {
  const Geom g = ConvGeom(op, p);
  const Shape out = ConvOutShape(op, p, g, io.in_shapes.at(0), io.in_shapes.at(1),
                                 p.no_bias ? nullptr : &io.in_shapes.at(2));
  for (DType t : io.in_types) CheckOneDnnDType(op, t);
  io.out_shapes = {out};
  io.out_types = {DType::kFloat32};
}

void InferConv(const ParamBase& base, InferIO& io) {
  InferConvAs(kOp, ParamAs<ConvolutionParam>(base), io);
}

ConvSpec MakeSpec(const char* op, const ConvolutionParam& p, const Shape& data,
                  const Shape& weight, const Shape& out) {
  const Geom g = ConvGeom(op, p);
  ConvSpec s;
  s.op = op;
  s.src = dnnl_util::Dims(data);
  s.dst = dnnl_util::Dims(out);
  s.weights = GroupedDims(weight, p.num_group);
  s.user_weights = s.Plain(s.weights);  // (O, I/G, k...) is (G, O/G, I/G, k...) row-major
  s.bias = !p.no_bias;
  s.num_out = p.num_filter;
  s.formats = ChooseFormats(data[1] / p.num_group, p.num_filter / p.num_group);
  FillSpatial(g, s);
  return s;
}

// Convolution's forward for op (Convolution or _conv_act), the activation post_act fused in.
void RunForward(const char* op, const ConvolutionParam& p, dnnl::algorithm post_act,
                const OpContext& ctx, std::span<const TBlob> in, std::span<const TBlob> out) {
  const OpReq req = ReqOf(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  ConvSpec s = MakeSpec(op, p, in[0].shape, in[1].shape, out[0].shape);
  s.post_act = post_act;
  ConvPrims::Forward(s, ctx.nthreads, in[0].dptr, in[1].dptr, p.no_bias ? nullptr : in[2].dptr,
                     out[0].dptr, req);
}

// Convolution's backward for op. With act (_conv_act), diff_dst is dy * act'(x), computed from the
// output y straight into the layout each backward primitive asks for; else it is dy.
void RunBackward(const char* op, const ConvolutionParam& p, std::optional<ConvActType> act,
                 const OpContext& ctx, std::span<const TBlob> out_grads,
                 std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                 std::span<const TBlob> in_grads) {
  const OpReq rd = ReqOf(ctx, 0), rw = ReqOf(ctx, 1), rb = p.no_bias ? OpReq::kNull : ReqOf(ctx, 2);
  if (inputs[0].Size() == 0) {  // empty batch: weight and bias get zero gradients
    ZeroGrad(in_grads[1], rw);
    if (!p.no_bias) ZeroGrad(in_grads[2], rb);
    return;
  }
  const ConvSpec s = MakeSpec(op, p, inputs[0].shape, inputs[1].shape, outputs[0].shape);
  const auto* dy = static_cast<const float*>(out_grads[0].dptr);
  const auto* y = static_cast<const float*>(outputs[0].dptr);
  const ConvPrims::MakeDiffDst act_grad = [&](const dnnl::memory::desc& want, dnnl::stream& st) {
    return ActGradInLayout(*act, want, s.dst, dy, y, ctx.nthreads, st);
  };
  ConvPrims::Backward(s, ctx.nthreads, out_grads[0].dptr, inputs[0].dptr, inputs[1].dptr,
                      in_grads[0].dptr, rd, in_grads[1].dptr, rw,
                      p.no_bias ? nullptr : in_grads[2].dptr, rb, act ? &act_grad : nullptr);
}

void ForwardConv(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  RunForward(kOp, ParamAs<ConvolutionParam>(base), dnnl::algorithm::undef, ctx, in, out);
}

void BackwardConv(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                  std::span<const TBlob> in_grads) {
  RunBackward(kOp, ParamAs<ConvolutionParam>(base), std::nullopt, ctx, out_grads, inputs, outputs,
              in_grads);
}

}  // namespace

MX_REGISTER_KERNEL(Convolution,
                   (OpKernel{.infer = InferConv, .forward = ForwardConv, .backward = BackwardConv}));

// ---- _conv_act ---------------------------------------------------------------------------------

namespace {

constexpr const char* kActOp = "_conv_act";

void InferConvAct(const ParamBase& base, InferIO& io) {
  InferConvAs(kActOp, AsConvolution(ParamAs<ConvActParam>(base)), io);
}

void ForwardConvAct(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const auto& a = ParamAs<ConvActParam>(base);
  RunForward(kActOp, AsConvolution(a), DnnlActivation(a.act_type), ctx, in, out);
}

void BackwardConvAct(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                     std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                     std::span<const TBlob> in_grads) {
  const auto& a = ParamAs<ConvActParam>(base);
  RunBackward(kActOp, AsConvolution(a), a.act_type, ctx, out_grads, inputs, outputs, in_grads);
}

}  // namespace

MX_REGISTER_KERNEL(_conv_act, (OpKernel{.infer = InferConvAct, .forward = ForwardConvAct,
                                        .backward = BackwardConvAct}));

}  // namespace mixnet::op::nn_conv
