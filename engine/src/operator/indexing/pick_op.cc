// pick: one element per position along an axis, out[i, j] = data[i, index[i, j], j] (axis 1).
// index has the data's shape without the axis (or with it kept as size 1); mode clip or wrap.
#include <span>

#include "ops/indexing.h"
#include "operator/indexing/index_util.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/parallel.h"
#include "operator/reduce/reduce_axes.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

void InferPick(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<PickParam>(base);
  const Shape& data = io.in_shapes.at(0);
  const Shape& index = io.in_shapes.at(1);
  MX_CHECK(p.axis.has_value(), ValueError) << "pick: axis=None is not supported; give an axis";
  MX_CHECK(data.ndim() > 0, ValueError) << "pick: cannot pick from a 0-d array";
  const int axis = NormalizeAxis(*p.axis, data.ndim(), "pick");
  const int64_t picks = data.ProdRange(0, axis) * data.ProdRange(axis + 1, data.ndim());
  MX_CHECK(data[axis] > 0 || picks == 0, IndexError)
      << "pick: cannot pick from axis " << *p.axis << " of size 0 (shape " << data << ")";
  // index matches the output with or without the picked axis kept.
  const bool kept = index.ndim() == data.ndim();
  const Shape expected = reduce::ResolveSingleAxis("pick", data, axis, kept).out_shape;
  MX_CHECK(index == expected, ValueError)
      << "pick: index of shape " << index << " does not match data of shape " << data
      << " with axis=" << *p.axis << " (expected " << expected << ")";
  io.out_shapes = {reduce::ResolveSingleAxis("pick", data, axis, p.keepdims).out_shape};
  io.out_types = {io.in_types.at(0)};
}

template <typename T, typename I>
void PickTyped(const T* data, const I* index, T* out, int64_t outer, int64_t n, int64_t inner,
               bool wrap, OpReq req, int nthreads) {
  ParallelFor(outer * inner, nthreads, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / inner, i = t % inner;
      const int64_t raw = TruncateIndex(IndexAsDouble(index[t]));
      const int64_t k = wrap ? WrapIndex(raw, n) : ClipIndex(raw, n);
      StoreReq(req, out + t, data[(o * n + k) * inner + i]);
    }
  });
}

void ForwardPick(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<PickParam>(base);
  const Shape& s = in[0].shape;
  const int axis = NormalizeAxis(*p.axis, s.ndim(), "pick");
  const int64_t outer = s.ProdRange(0, axis), n = s[axis], inner = s.ProdRange(axis + 1, s.ndim());
  const bool wrap = p.mode == PickParam::Mode::kWrap;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    MX_TYPE_SWITCH(in[1].dtype, I, {
      PickTyped<T, I>(in[0].ptr<T>(), in[1].ptr<I>(), out[0].ptr<T>(), outer, n, inner, wrap,
                      req, ctx.nthreads);
    });
  });
}

void Backward_pick(const ParamBase& base, const OpContext& ctx,
                    std::span<const TBlob> out_grads, std::span<const TBlob> in,
                    std::span<const TBlob> out, std::span<const TBlob> in_grads) {
  GatherBackward(ForwardPick, base, ctx, out_grads, in, out, in_grads, 0, true);
}

}  // namespace

MX_REGISTER_KERNEL(pick, (OpKernel{.infer = InferPick, .forward = ForwardPick,
                                  .backward = Backward_pick}));

}  // namespace mixnet::op
