// LayerNorm: normalises along one axis (the last by default) by each slice's mean and
// std = sqrt(var + eps); gamma and beta are shaped like that axis. The hidden outputs mean and
// std (shaped like the data with the axis reduced to 1) are visible with output_mean_var.
#include "operator/nn_norm/norm_util.h"
#include "operator/nn_norm/slice_norm.h"
#include "ops/nn_norm.h"

namespace mixnet::op {
namespace {

nn_norm::SliceNorm LayoutOf(const LayerNormParam& p, const Shape& s) {
  const int axis = nn_norm::NormAxis("LayerNorm", p.axis, s);
  nn_norm::SliceNorm L;
  L.outer = s.ProdRange(0, axis);
  L.n = s[axis];
  L.inner = s.ProdRange(axis + 1, s.ndim());
  L.gamma_per_element = true;
  L.eps = p.eps;
  return L;
}

void InferLayerNorm(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<LayerNormParam>(base);
  const Shape& d = io.in_shapes.at(0);
  MX_CHECK(d.ndim() >= 1, ValueError)
      << "LayerNorm: data must have at least 1 axis, got shape " << d;
  const int axis = nn_norm::NormAxis("LayerNorm", p.axis, d);
  nn_norm::CheckVectorInput("LayerNorm", "gamma", io.in_shapes.at(1), d[axis], d,
                            "the size of the normalised axis");
  nn_norm::CheckVectorInput("LayerNorm", "beta", io.in_shapes.at(2), d[axis], d,
                            "the size of the normalised axis");
  nn_norm::CheckNormDType("LayerNorm", io);
  Shape stats = d;
  stats[axis] = 1;
  const DType t = io.in_types[0];
  io.out_shapes = {d, stats, stats};
  io.out_types = {t, t, t};
  io.num_visible_outputs = p.output_mean_var ? 3 : 1;
}

void ForwardLayerNorm(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const auto L = LayoutOf(ParamAs<LayerNormParam>(base), in[0].shape);
  if (in[0].dtype == DType::kFloat32) {
    nn_norm::SliceNormForward<float>(L, ctx, in[0].ptr<float>(), in[1].ptr<float>(),
                                     in[2].ptr<float>(), out);
  } else {
    nn_norm::SliceNormForward<double>(L, ctx, in[0].ptr<double>(), in[1].ptr<double>(),
                                      in[2].ptr<double>(), out);
  }
}

void BackwardLayerNorm(const ParamBase& base, const OpContext& ctx,
                       std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                       std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const auto L = LayoutOf(ParamAs<LayerNormParam>(base), inputs[0].shape);
  if (inputs[0].dtype == DType::kFloat32) {
    nn_norm::SliceNormBackward<float>(L, ctx, out_grads, inputs[0].ptr<float>(),
                                      inputs[1].ptr<float>(), outputs, in_grads);
  } else {
    nn_norm::SliceNormBackward<double>(L, ctx, out_grads, inputs[0].ptr<double>(),
                                       inputs[1].ptr<double>(), outputs, in_grads);
  }
}

}  // namespace

MX_REGISTER_KERNEL(LayerNorm, (OpKernel{.infer = InferLayerNorm, .forward = ForwardLayerNorm,
                                        .backward = BackwardLayerNorm}));

}  // namespace mixnet::op
