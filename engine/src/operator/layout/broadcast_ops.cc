// broadcast_to, broadcast_axis (broadcast_axes) and broadcast_like: shape inference for each,
// one shared forward (BroadcastCopy). As in MXNet 1.x, the input keeps its rank: only axes of
// size 1 grow.
#include <string>
#include <vector>

#include "ops/broadcast_like.h"
#include "operator/layout/broadcast_copy.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/reduce/reduce_grad.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// Each in dim must be 1 or equal to out's.
void CheckBroadcastable(const char* op, const Shape& in, const Shape& out) {
  bool ok = in.ndim() == out.ndim();
  for (int i = 0; ok && i < in.ndim(); ++i) ok = in[i] == 1 || in[i] == out[i];
  MX_CHECK(ok, ValueError) << op << ": operand of shape " << in << " cannot be broadcast to "
                           << out;
}

void InferBroadcastTo(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<BroadcastToParam>(base);
  const Shape& in = io.in_shapes.at(0);
  MX_CHECK(p.shape.ndim() == in.ndim(), ValueError)
      << "broadcast_to: shape=" << p.shape << " must have the rank of the input of shape " << in;
  Shape out = p.shape;
  for (int i = 0; i < out.ndim(); ++i) {
    MX_CHECK(out[i] >= 0, ValueError)
        << "broadcast_to: shape=" << p.shape << " has a negative dimension";
    if (out[i] == 0) out[i] = in[i];
  }
  CheckBroadcastable("broadcast_to", in, out);
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

void InferBroadcastAxis(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<BroadcastAxisParam>(base);
  const Shape& in = io.in_shapes.at(0);
  MX_CHECK(p.axis.ndim() == p.size.ndim(), ValueError)
      << "broadcast_axis: axis=" << p.axis << " and size=" << p.size
      << " must have the same length";
  Shape out = in;
  for (int i = 0; i < p.axis.ndim(); ++i) {
    const int a = NormalizeAxis(p.axis[i], in.ndim(), "broadcast_axis");
    MX_CHECK(in[a] == 1, ValueError) << "broadcast_axis: axis " << p.axis[i]
                                     << " of the input of shape " << in << " must have size 1";
    MX_CHECK(p.size[i] >= 0, ValueError)
        << "broadcast_axis: size=" << p.size << " has a negative entry";
    out[a] = p.size[i];
  }
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

void InferBroadcastLike(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<BroadcastLikeParam>(base);
  const Shape& lhs = io.in_shapes.at(0);
  const Shape& rhs = io.in_shapes.at(1);
  Shape out;
  if (!p.lhs_axes.has_value() && !p.rhs_axes.has_value()) {
    MX_CHECK(lhs.ndim() == rhs.ndim(), ValueError)
        << "broadcast_like: operand of shape " << lhs << " cannot be broadcast to " << rhs;
    out = rhs;
  } else {
    MX_CHECK(p.lhs_axes.has_value() && p.rhs_axes.has_value() &&
                 p.lhs_axes->ndim() == p.rhs_axes->ndim(),
             ValueError)
        << "broadcast_like: lhs_axes and rhs_axes must both be given, with the same length";
    out = lhs;
    for (int i = 0; i < p.lhs_axes->ndim(); ++i) {
      const int la = NormalizeAxis((*p.lhs_axes)[i], lhs.ndim(), "broadcast_like lhs_axes");
      const int ra = NormalizeAxis((*p.rhs_axes)[i], rhs.ndim(), "broadcast_like rhs_axes");
      out[la] = rhs[ra];
    }
  }
  CheckBroadcastable("broadcast_like", lhs, out);
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

void ForwardBroadcast(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  layout::BroadcastCopy(ReqAt(ctx, 0), in[0], out[0], ctx.nthreads);
}

// The gradient sums the head gradient over the broadcast axes (size 1 in the input, not in the
// output) with the reduction kernel; broadcast_like's shape donor gets zeros.
void BackwardBroadcast(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                       std::span<const TBlob> in, std::span<const TBlob>,
                       std::span<const TBlob> in_grads) {
  ZeroOtherGrads(ctx, in_grads, 0);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const Shape& is = in[0].shape;
  const Shape& os = out_grads[0].shape;
  std::vector<bool> reduced(static_cast<size_t>(os.ndim()), false);
  for (int i = 0; i < os.ndim(); ++i) reduced[i] = is[i] == 1 && os[i] != 1;
  reduce::SumInto(req, out_grads[0], os, reduced, in_grads[0], ctx.nthreads);
}

}  // namespace

MX_REGISTER_KERNEL(broadcast_to,
                   (OpKernel{.infer = InferBroadcastTo, .forward = ForwardBroadcast,
                             .backward = BackwardBroadcast}));
MX_REGISTER_KERNEL(broadcast_axis,
                   (OpKernel{.infer = InferBroadcastAxis, .forward = ForwardBroadcast,
                             .backward = BackwardBroadcast}));
MX_REGISTER_KERNEL(broadcast_like,
                   (OpKernel{.infer = InferBroadcastLike, .forward = ForwardBroadcast,
                             .backward = BackwardBroadcast}));

}  // namespace mixnet::op
