// Convolution (1D/2D/3D, groups, dilation, optional bias) on oneDNN, float32.
#include <cstring>

#include "ops/nn_conv.h"
#include "operator/nn_conv/conv_common.h"
#include "operator/nn_conv/conv_dnnl.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {
namespace {

constexpr const char* kOp = "Convolution";

Geom ConvGeom(const ConvolutionParam& p) {
  const int nsp = CheckKernelRank(kOp, p.kernel);
  Geom g;
  g.nsp = nsp;
  g.kernel = SpatialTuple(kOp, "kernel", p.kernel, nsp, 1, 1);
  g.stride = SpatialTuple(kOp, "stride", p.stride, nsp, 1, 1);
  g.dilate = SpatialTuple(kOp, "dilate", p.dilate, nsp, 1, 1);
  g.pad_l = SpatialTuple(kOp, "pad", p.pad, nsp, 0, 0);
  g.pad_r = g.pad_l;
  return g;
}

// Checks everything and returns the output shape.
Shape ConvOutShape(const ConvolutionParam& p, const Geom& g, const Shape& data,
                   const Shape& weight, const Shape* bias) {
  if (p.layout) CheckLayout(kOp, std::string(ConvolutionParam::ToString(*p.layout)), g.nsp);
  CheckDataRank(kOp, data, g.nsp);
  CheckChannels(kOp, "data channels", data[1], "num_group", p.num_group);
  CheckChannels(kOp, "num_filter", p.num_filter, "num_group", p.num_group);
  Shape want_w{p.num_filter, data[1] / p.num_group};
  for (int64_t k : g.kernel) want_w.PushBack(k);
  CheckInputShape(kOp, "weight", want_w, weight, data);
  if (bias != nullptr) CheckInputShape(kOp, "bias", Shape{p.num_filter}, *bias, data);
  Shape out{data[0], p.num_filter};
  for (int64_t v : ConvOutSpatial(kOp, data, g)) out.PushBack(v);
  return out;
}

void InferConv(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<ConvolutionParam>(base);
  const Geom g = ConvGeom(p);
  const Shape out = ConvOutShape(p, g, io.in_shapes.at(0), io.in_shapes.at(1),
                                 p.no_bias ? nullptr : &io.in_shapes.at(2));
  for (DType t : io.in_types) CheckOneDnnDType(kOp, t);
  io.out_shapes = {out};
  io.out_types = {DType::kFloat32};
}

ConvSpec MakeSpec(const ConvolutionParam& p, const Shape& data, const Shape& weight,
                  const Shape& out) {
  const Geom g = ConvGeom(p);
  ConvSpec s;
  s.op = kOp;
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

void ForwardConv(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const auto& p = ParamAs<ConvolutionParam>(base);
  const OpReq req = ReqOf(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  ConvSpec s = MakeSpec(p, in[0].shape, in[1].shape, out[0].shape);
  ConvPrims::Forward(s, ctx.nthreads, in[0].dptr, in[1].dptr, p.no_bias ? nullptr : in[2].dptr,
                     out[0].dptr, req);
}

void BackwardConv(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                  std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<ConvolutionParam>(base);
  const OpReq rd = ReqOf(ctx, 0), rw = ReqOf(ctx, 1), rb = p.no_bias ? OpReq::kNull : ReqOf(ctx, 2);
  if (inputs[0].Size() == 0) {  // empty batch: weight and bias get zero gradients
    ZeroGrad(in_grads[1], rw);
    if (!p.no_bias) ZeroGrad(in_grads[2], rb);
    return;
  }
  ConvSpec s = MakeSpec(p, inputs[0].shape, inputs[1].shape, outputs[0].shape);
  ConvPrims::Backward(s, ctx.nthreads, out_grads[0].dptr, inputs[0].dptr, inputs[1].dptr,
                      in_grads[0].dptr, rd, in_grads[1].dptr, rw,
                      p.no_bias ? nullptr : in_grads[2].dptr, rb);
}

}  // namespace

MX_REGISTER_KERNEL(Convolution,
                   (OpKernel{.infer = InferConv, .forward = ForwardConv, .backward = BackwardConv}));

}  // namespace mixnet::op::nn_conv
