// Deconvolution (transposed convolution; 1D/2D/3D, groups, dilation, adj/target_shape, optional
// bias) on oneDNN, float32.
#include "ops/nn_conv.h"
#include "operator/nn_conv/conv_common.h"
#include "operator/nn_conv/conv_dnnl.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {
namespace {

constexpr const char* kOp = "Deconvolution";

// Geometry of the matching convolution; pad_r = pad - adj (oneDNN's deconvolution output is
// (x - 1) * s + dk - pad_l - pad_r). With target_shape, pad and adj are derived from it as MXNet
// does: total = s * (x - 1) + dk - target, adj = total % 2, pad = (total + 1) / 2.
Geom DeconvGeom(const DeconvolutionParam& p, const Shape& data) {
  const int nsp = CheckKernelRank(kOp, p.kernel);
  Geom g;
  g.nsp = nsp;
  g.kernel = SpatialTuple(kOp, "kernel", p.kernel, nsp, 1, 1);
  g.stride = SpatialTuple(kOp, "stride", p.stride, nsp, 1, 1);
  g.dilate = SpatialTuple(kOp, "dilate", p.dilate, nsp, 1, 1);
  std::vector<int64_t> pad = SpatialTuple(kOp, "pad", p.pad, nsp, 0, 0);
  std::vector<int64_t> adj = SpatialTuple(kOp, "adj", p.adj, nsp, 0, 0);
  const std::vector<int64_t> target = SpatialTuple(kOp, "target_shape", p.target_shape, nsp, 0, 0);
  bool use_target = false;
  for (int64_t t : target) use_target = use_target || t != 0;
  CheckDataRank(kOp, data, nsp);
  for (int i = 0; i < nsp; ++i) {
    const int64_t dk = g.dilate[i] * (g.kernel[i] - 1) + 1;
    if (use_target) {
      const int64_t full = g.stride[i] * (data[2 + i] - 1) + dk;
      MX_CHECK(full >= target[i], ValueError)
          << kOp << ": target_shape " << p.target_shape << " is too big for data shape " << data
          << " (at most " << full << " in spatial dimension " << i << ")";
      const int64_t total = full - target[i];
      adj[i] = total % 2;
      pad[i] = (total + 1) / 2;
    }
    MX_CHECK(adj[i] < g.stride[i] || (use_target && adj[i] == 0), ValueError)
        << kOp << ": adj " << VecString(adj) << " must be smaller than stride "
        << VecString(g.stride);
  }
  g.pad_l = pad;
  g.pad_r.resize(nsp);
  for (int i = 0; i < nsp; ++i) g.pad_r[i] = pad[i] - adj[i];
  return g;
}

Shape DeconvOutShape(const DeconvolutionParam& p, const Geom& g, const Shape& data,
                     const Shape& weight, const Shape* bias) {
  if (p.layout) CheckLayout(kOp, std::string(DeconvolutionParam::ToString(*p.layout)), g.nsp);
  CheckChannels(kOp, "data channels", data[1], "num_group", p.num_group);
  CheckChannels(kOp, "num_filter", p.num_filter, "num_group", p.num_group);
  Shape want_w{data[1], p.num_filter / p.num_group};
  for (int64_t k : g.kernel) want_w.PushBack(k);
  CheckInputShape(kOp, "weight", want_w, weight, data);
  if (bias != nullptr) CheckInputShape(kOp, "bias", Shape{p.num_filter}, *bias, data);
  Shape out{data[0], p.num_filter};
  for (int i = 0; i < g.nsp; ++i) {
    const int64_t dk = g.dilate[i] * (g.kernel[i] - 1) + 1;
    const int64_t o = g.stride[i] * (data[2 + i] - 1) + dk - g.pad_l[i] - g.pad_r[i];
    MX_CHECK(data[2 + i] >= 1 && o >= 1, ValueError)
        << kOp << ": data shape " << data << " with kernel " << p.kernel << ", pad "
        << VecString(g.pad_l) << " gives an empty output";
    out.PushBack(o);
  }
  return out;
}

void InferDeconv(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<DeconvolutionParam>(base);
  const Geom g = DeconvGeom(p, io.in_shapes.at(0));
  const Shape out = DeconvOutShape(p, g, io.in_shapes.at(0), io.in_shapes.at(1),
                                   p.no_bias ? nullptr : &io.in_shapes.at(2));
  for (DType t : io.in_types) CheckOneDnnDType(kOp, t);
  io.out_shapes = {out};
  io.out_types = {DType::kFloat32};
}

ConvSpec MakeSpec(const DeconvolutionParam& p, const Shape& data, const Shape& weight,
                  const Shape& out) {
  const Geom g = DeconvGeom(p, data);
  ConvSpec s;
  s.op = kOp;
  s.src = dnnl_util::Dims(data);
  s.dst = dnnl_util::Dims(out);
  // The user's weight is (C, F/G, k...) = (G, C/G, F/G, k...) row-major; oneDNN wants the logical
  // order (G, F/G, C/G, k...), so describe the buffer with strides instead of copying it.
  const int64_t G = p.num_group, Cg = data[1] / G, Fg = p.num_filter / G;
  int64_t K = 1;
  for (int64_t k : g.kernel) K *= k;
  dnnl::memory::dims dims, strides;
  if (G > 1) {
    dims = {G, Fg, Cg};
    strides = {Cg * Fg * K, K, Fg * K};
  } else {
    dims = {Fg, Cg};
    strides = {K, Fg * K};
  }
  int64_t inner = K;
  for (int i = 0; i < g.nsp; ++i) {
    dims.push_back(g.kernel[i]);
    inner /= g.kernel[i];
    strides.push_back(inner);
  }
  s.weights = dims;
  s.user_weights = dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
  s.bias = !p.no_bias;
  s.num_out = p.num_filter;
  s.formats = ChooseFormats(Cg, Fg);
  FillSpatial(g, s);
  (void)weight;
  return s;
}

void ForwardDeconv(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const auto& p = ParamAs<DeconvolutionParam>(base);
  const OpReq req = ReqOf(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  ConvSpec s = MakeSpec(p, in[0].shape, in[1].shape, out[0].shape);
  DeconvPrims::Forward(s, ctx.nthreads, in[0].dptr, in[1].dptr, p.no_bias ? nullptr : in[2].dptr,
                       out[0].dptr, req);
}

void BackwardDeconv(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                    std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<DeconvolutionParam>(base);
  const OpReq rd = ReqOf(ctx, 0), rw = ReqOf(ctx, 1), rb = p.no_bias ? OpReq::kNull : ReqOf(ctx, 2);
  if (inputs[0].Size() == 0) {
    ZeroGrad(in_grads[1], rw);
    if (!p.no_bias) ZeroGrad(in_grads[2], rb);
    return;
  }
  ConvSpec s = MakeSpec(p, inputs[0].shape, inputs[1].shape, outputs[0].shape);
  DeconvPrims::Backward(s, ctx.nthreads, out_grads[0].dptr, inputs[0].dptr, inputs[1].dptr,
                        in_grads[0].dptr, rd, in_grads[1].dptr, rw,
                        p.no_bias ? nullptr : in_grads[2].dptr, rb);
}

}  // namespace

MX_REGISTER_KERNEL(Deconvolution, (OpKernel{.infer = InferDeconv, .forward = ForwardDeconv,
                                            .backward = BackwardDeconv}));

}  // namespace mixnet::op::nn_conv
