// Ops whose output is the input's elements unchanged, in a new shape: Reshape, Flatten,
// expand_dims, squeeze and _copy. Each produces a new array (a contiguous copy; a later graph
// pass may run them in place); NDArray::Reshape is the separate zero-copy view.
#include <span>

#include "ops/shape.h"
#include "operator/op.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/grad_util.h"
#include "operator/shape/req_assign.h"
#include "operator/shape/reshape_infer.h"

namespace mixnet::op {
namespace {

void SetOutput(InferIO& io, Shape shape) {
  io.out_shapes = {std::move(shape)};
  io.out_types = {io.in_types.at(0)};
}

void CopyForward(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  CopyBlob(ReqAt(ctx, 0), out[0], in[0], ctx.nthreads);
}

void InferReshape(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<ReshapeParam>(base);
  const Shape& in = io.in_shapes.at(0);
  if (p.shape.ndim() > 0 || p.target_shape.ndim() == 0) {
    SetOutput(io, InferReshapeShape(in, p.shape, p.reverse));
  } else {
    SetOutput(io, InferLegacyReshapeShape(in, p.target_shape, p.keep_highest));
  }
}

void InferFlatten(const ParamBase&, InferIO& io) {
  const Shape& in = io.in_shapes.at(0);
  MX_CHECK(in.ndim() >= 1, ValueError) << "Flatten: the input must have at least 1 dimension, got "
                                       << in;
  SetOutput(io, Shape{in[0], in.ProdRange(1, in.ndim())});
}

void InferExpandDims(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<ExpandDimsParam>(base);
  const Shape& in = io.in_shapes.at(0);
  const int nd = in.ndim();
  MX_CHECK(p.axis >= -nd - 1 && p.axis <= nd, IndexError)
      << "expand_dims: axis " << p.axis << " is out of range [" << -nd - 1 << ", " << nd
      << "] for input shape " << in;
  const int axis = p.axis < 0 ? p.axis + nd + 1 : p.axis;
  Shape out;
  for (int i = 0; i < nd; ++i) {
    if (i == axis) out.PushBack(1);
    out.PushBack(in[i]);
  }
  if (axis == nd) out.PushBack(1);
  SetOutput(io, out);
}

void InferSqueeze(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<SqueezeParam>(base);
  const Shape& in = io.in_shapes.at(0);
  const int nd = in.ndim();
  std::vector<bool> drop(static_cast<size_t>(nd), false);
  if (p.axis.has_value()) {
    for (int64_t a : p.axis->dims()) {
      const int axis = NormalizeAxis(a, nd, "squeeze");
      MX_CHECK(!drop[axis], ValueError)
          << "squeeze: duplicate axis " << a << " in axis=" << *p.axis;
      MX_CHECK(in[axis] == 1, ValueError)
          << "squeeze: cannot select axis " << a << " of input shape " << in
          << ": its size is " << in[axis] << ", not 1";
      drop[axis] = true;
    }
  } else {
    for (int i = 0; i < nd; ++i) drop[i] = in[i] == 1;
  }
  Shape out;
  for (int i = 0; i < nd; ++i)
    if (!drop[i]) out.PushBack(in[i]);
  if (out.ndim() == 0) out = Shape{1};  // MXNet 1.x: squeezing (1, 1) gives (1,)
  SetOutput(io, out);
}

void InferSame(const ParamBase&, InferIO& io) { SetOutput(io, io.in_shapes.at(0)); }

}  // namespace

// cheap: a small copy may run inline on the pushing thread.
MX_REGISTER_KERNEL(Reshape, (OpKernel{.infer = InferReshape, .forward = CopyForward,
                                      .backward = CopyBackward, .cheap = true}));
MX_REGISTER_KERNEL(Flatten, (OpKernel{.infer = InferFlatten, .forward = CopyForward,
                                      .backward = CopyBackward, .cheap = true}));
MX_REGISTER_KERNEL(expand_dims, (OpKernel{.infer = InferExpandDims, .forward = CopyForward,
                                          .backward = CopyBackward, .cheap = true}));
MX_REGISTER_KERNEL(squeeze, (OpKernel{.infer = InferSqueeze, .forward = CopyForward,
                                      .backward = CopyBackward, .cheap = true}));
MX_REGISTER_KERNEL(_copy, (OpKernel{.infer = InferSame, .forward = CopyForward,
                                    .backward = CopyBackward, .cheap = true}));

}  // namespace mixnet::op
