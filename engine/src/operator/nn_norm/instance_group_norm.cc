// InstanceNorm and GroupNorm: per-sample normalisation over contiguous rows of the data.
//   InstanceNorm: data (N, C, spatial...), one row per (n, c) over the spatial axes; gamma and
//                 beta (C,). Saves mean and var (hidden, (N, C)).
//   GroupNorm:    data (N, C, ...), channels split into num_groups groups, one row per (n, g);
//                 gamma and beta (num_groups,), as in Apache MXNet 1.x (2.0 made them per
//                 channel). Saves mean and std ((N, num_groups)), visible with output_mean_var.
#include "operator/nn_norm/norm_util.h"
#include "operator/nn_norm/slice_norm.h"
#include "ops/nn_norm.h"

namespace mixnet::op {
namespace {

void CheckGammaBeta(const char* op, const InferIO& io, int64_t n, const char* what) {
  const Shape& d = io.in_shapes.at(0);
  nn_norm::CheckVectorInput(op, "gamma", io.in_shapes.at(1), n, d, what);
  nn_norm::CheckVectorInput(op, "beta", io.in_shapes.at(2), n, d, what);
}

// ---- InstanceNorm ----------------------------------------------------------------------------

void InferInstanceNorm(const ParamBase&, InferIO& io) {
  const Shape& d = io.in_shapes.at(0);
  MX_CHECK(d.ndim() >= 3, ValueError)
      << "InstanceNorm: data must be (batch, channel, spatial...) with at least 3 axes, got shape "
      << d;
  CheckGammaBeta("InstanceNorm", io, d[1], "the channel count");
  nn_norm::CheckNormDType("InstanceNorm", io);
  const DType t = io.in_types[0];
  io.out_shapes = {d, Shape({d[0], d[1]}), Shape({d[0], d[1]})};
  io.out_types = {t, t, t};
}

nn_norm::SliceNorm InstanceLayout(const InstanceNormParam& p, const Shape& s) {
  nn_norm::SliceNorm L;
  L.outer = s[0] * s[1];
  L.n = s.ProdRange(2, s.ndim());
  L.gamma_per_element = false;
  L.P = s[1];
  L.eps = p.eps;
  L.save_var = true;
  return L;
}

// ---- GroupNorm -------------------------------------------------------------------------------

void InferGroupNorm(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<GroupNormParam>(base);
  const Shape& d = io.in_shapes.at(0);
  MX_CHECK(d.ndim() >= 2, ValueError)
      << "GroupNorm: data must be (batch, channel, ...) with at least 2 axes, got shape " << d;
  MX_CHECK(d[1] % p.num_groups == 0, ValueError)
      << "GroupNorm: num_groups=" << p.num_groups << " does not divide the channel count " << d[1]
      << " of data shape " << d;
  CheckGammaBeta("GroupNorm", io, p.num_groups, "num_groups");
  nn_norm::CheckNormDType("GroupNorm", io);
  const DType t = io.in_types[0];
  const Shape stats({d[0], static_cast<int64_t>(p.num_groups)});
  io.out_shapes = {d, stats, stats};
  io.out_types = {t, t, t};
  io.num_visible_outputs = p.output_mean_var ? 3 : 1;
}

nn_norm::SliceNorm GroupLayout(const GroupNormParam& p, const Shape& s) {
  nn_norm::SliceNorm L;
  L.outer = s[0] * p.num_groups;
  L.n = s.ProdRange(1, s.ndim()) / p.num_groups;
  L.gamma_per_element = false;
  L.P = p.num_groups;
  L.eps = p.eps;
  return L;
}

// ---- shared kernels --------------------------------------------------------------------------

template <typename P, nn_norm::SliceNorm (*Layout)(const P&, const Shape&)>
void Forward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
             std::span<const TBlob> out) {
  const auto L = Layout(ParamAs<P>(base), in[0].shape);
  if (in[0].dtype == DType::kFloat32) {
    nn_norm::SliceNormForward<float>(L, ctx, in[0].ptr<float>(), in[1].ptr<float>(),
                                     in[2].ptr<float>(), out);
  } else {
    nn_norm::SliceNormForward<double>(L, ctx, in[0].ptr<double>(), in[1].ptr<double>(),
                                      in[2].ptr<double>(), out);
  }
}

template <typename P, nn_norm::SliceNorm (*Layout)(const P&, const Shape&)>
void Backward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
              std::span<const TBlob> inputs, std::span<const TBlob> outputs,
              std::span<const TBlob> in_grads) {
  const auto L = Layout(ParamAs<P>(base), inputs[0].shape);
  if (inputs[0].dtype == DType::kFloat32) {
    nn_norm::SliceNormBackward<float>(L, ctx, out_grads, inputs[0].ptr<float>(),
                                      inputs[1].ptr<float>(), outputs, in_grads);
  } else {
    nn_norm::SliceNormBackward<double>(L, ctx, out_grads, inputs[0].ptr<double>(),
                                       inputs[1].ptr<double>(), outputs, in_grads);
  }
}

}  // namespace

MX_REGISTER_KERNEL(InstanceNorm,
                   (OpKernel{.infer = InferInstanceNorm,
                             .forward = Forward<InstanceNormParam, InstanceLayout>,
                             .backward = Backward<InstanceNormParam, InstanceLayout>}));
MX_REGISTER_KERNEL(GroupNorm, (OpKernel{.infer = InferGroupNorm,
                                        .forward = Forward<GroupNormParam, GroupLayout>,
                                        .backward = Backward<GroupNormParam, GroupLayout>}));

}  // namespace mixnet::op
