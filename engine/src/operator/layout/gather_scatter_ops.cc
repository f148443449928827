// batch_take, gather_nd and scatter_nd. Index tuples are read from any real dtype (MXNet passes
// float indices as often as integer ones) and truncated toward zero; negative entries count from
// the end, anything else outside an axis is an IndexError naming the op.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "ops/gather_scatter.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

template <typename I>
inline int64_t IndexOf(I v) {
  if constexpr (std::is_same_v<I, half_t> || std::is_same_v<I, bf16_t>) {
    return static_cast<int64_t>(static_cast<float>(v));
  } else {
    return static_cast<int64_t>(v);
  }
}

// The indices as int64 (one conversion instead of one per use).
std::vector<int64_t> ReadIndices(const char* op, const TBlob& idx) {
  MX_CHECK(idx.dtype != DType::kBool, TypeError) << op << ": indices must not be bool";
  std::vector<int64_t> out(static_cast<size_t>(idx.Size()));
  MX_TYPE_SWITCH(idx.dtype, I, {
    const I* p = idx.ptr<I>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = IndexOf(p[i]);
  });
  return out;
}

// ---- batch_take ---------------------------------------------------------------------------------

void InferBatchTake(const ParamBase&, InferIO& io) {
  const Shape& a = io.in_shapes.at(0);
  const Shape& idx = io.in_shapes.at(1);
  const bool splits = idx.Size() > 0 ? a.Size() % idx.Size() == 0 && a.Size() > 0
                                     : a.Size() == 0;
  MX_CHECK(splits, ValueError)
      << "batch_take: a of shape " << a << " cannot be split into " << idx.Size()
      << " rows, one per entry of indices of shape " << idx;
  MX_CHECK(io.in_types.at(1) != DType::kBool, TypeError) << "batch_take: indices must not be bool";
  io.out_shapes = {idx};
  io.out_types = {io.in_types.at(0)};
}

void ForwardBatchTake(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  const int64_t rows = in[1].Size();
  if (req == OpReq::kNull || rows == 0) return;
  const int64_t m = in[0].Size() / rows;
  const std::vector<int64_t> idx = ReadIndices("batch_take", in[1]);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    const T* a = in[0].ptr<T>();
    T* o = out[0].ptr<T>();
    for (int64_t i = 0; i < rows; ++i) {
      const int64_t j = std::clamp<int64_t>(idx[i], 0, m - 1);
      StoreReq(req, o + i, a[i * m + j]);
    }
  });
}

// ---- gather_nd / scatter_nd ---------------------------------------------------------------------

// For indices (M, Y...) into `space`: the output is (Y..., space[M:]); each of the Y tuples
// addresses a contiguous slice of `slice` elements.
struct NdPlan {
  int64_t m = 0, tuples = 0, slice = 1;
  std::vector<int64_t> stride;  // element strides of the first m axes of space
};

NdPlan PlanNd(const char* op, const Shape& space, const Shape& idx, Shape* out) {
  MX_CHECK(idx.ndim() >= 1, ValueError) << op << ": indices of shape " << idx
                                        << " must have at least one axis";
  NdPlan p;
  p.m = idx[0];
  MX_CHECK(p.m <= space.ndim(), ValueError)
      << op << ": indices of shape " << idx << " index " << p.m << " axes but the array has shape "
      << space;
  Shape o;
  for (int i = 1; i < idx.ndim(); ++i) o.PushBack(idx[i]);
  for (int i = static_cast<int>(p.m); i < space.ndim(); ++i) o.PushBack(space[i]);
  if (out != nullptr) *out = o;
  p.tuples = idx.ProdRange(1, idx.ndim());
  p.slice = space.ProdRange(static_cast<int>(p.m), space.ndim());
  p.stride.assign(static_cast<size_t>(p.m), p.slice);
  for (int i = static_cast<int>(p.m) - 2; i >= 0; --i) p.stride[i] = p.stride[i + 1] * space[i + 1];
  return p;
}

// The element offset of tuple y's slice.
int64_t TupleOffset(const char* op, const NdPlan& p, const std::vector<int64_t>& idx,
                    const Shape& space, int64_t y) {
  int64_t off = 0;
  for (int64_t j = 0; j < p.m; ++j) {
    int64_t v = idx[j * p.tuples + y];
    const int64_t dim = space[static_cast<int>(j)];
    if (v < 0) v += dim;
    MX_CHECK(v >= 0 && v < dim, IndexError)
        << op << ": index " << idx[j * p.tuples + y] << " is out of bounds for axis " << j
        << " with size " << dim << " (array of shape " << space << ")";
    off += v * p.stride[j];
  }
  return off;
}

void InferGatherNd(const ParamBase&, InferIO& io) {
  Shape out;
  PlanNd("gather_nd", io.in_shapes.at(0), io.in_shapes.at(1), &out);
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

void ForwardGatherNd(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                     std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const NdPlan p = PlanNd("gather_nd", in[0].shape, in[1].shape, nullptr);
  const std::vector<int64_t> idx = ReadIndices("gather_nd", in[1]);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    const T* data = in[0].ptr<T>();
    T* o = out[0].ptr<T>();
    ParallelFor(
        p.tuples, ctx.nthreads,
        [&](int64_t y0, int64_t y1) {
          for (int64_t y = y0; y < y1; ++y)
            AssignRun(req, o + y * p.slice,
                      data + TupleOffset("gather_nd", p, idx, in[0].shape, y), p.slice);
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, p.slice)));
  });
}

void InferScatterNd(const ParamBase& base, InferIO& io) {
  const Shape& shape = ParamAs<ScatterNdParam>(base).shape;
  for (int64_t d : shape.dims())
    MX_CHECK(d >= 0, ValueError) << "scatter_nd: shape=" << shape << " has a negative dimension";
  Shape expect;
  PlanNd("scatter_nd", shape, io.in_shapes.at(1), &expect);
  MX_CHECK(expect == io.in_shapes.at(0), ValueError)
      << "scatter_nd: data of shape " << io.in_shapes.at(0) << " does not match indices of shape "
      << io.in_shapes.at(1) << " and shape=" << shape << " (expected data of shape " << expect
      << ")";
  io.out_shapes = {shape};
  io.out_types = {io.in_types.at(0)};
}

void ForwardScatterNd(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const Shape& shape = out[0].shape;
  const NdPlan p = PlanNd("scatter_nd", shape, in[1].shape, nullptr);
  const std::vector<int64_t> idx = ReadIndices("scatter_nd", in[1]);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    const T* data = in[0].ptr<T>();
    T* o = out[0].ptr<T>();
    // Build the scattered array (zeros elsewhere; serial so repeated tuples resolve to the last
    // write), then apply it under req.
    std::unique_ptr<T[]> full(new T[static_cast<size_t>(out[0].Size())]());
    for (int64_t y = 0; y < p.tuples; ++y) {
      const int64_t off = TupleOffset("scatter_nd", p, idx, shape, y);
      std::copy(data + y * p.slice, data + (y + 1) * p.slice, full.get() + off);
    }
    AssignRun(req, o, full.get(), out[0].Size());
  });
}

// All three move data elements to output positions one to one (scatter_nd: the positions it
// writes), so each gradient is the head gradient gathered back through the forward's own map;
// the indices get zeros. batch_take reads one element per row and scatter_nd places each data
// element at most once, so their scatters are injective (parallel); gather_nd may repeat tuples.
void BackwardBatchTake(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                       std::span<const TBlob> in, std::span<const TBlob> out,
                       std::span<const TBlob> in_grads) {
  GatherBackward(ForwardBatchTake, base, ctx, out_grads, in, out, in_grads, 0, true);
}

void BackwardGatherNd(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                      std::span<const TBlob> in, std::span<const TBlob> out,
                      std::span<const TBlob> in_grads) {
  GatherBackward(ForwardGatherNd, base, ctx, out_grads, in, out, in_grads);
}

void BackwardScatterNd(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                       std::span<const TBlob> in, std::span<const TBlob> out,
                       std::span<const TBlob> in_grads) {
  GatherBackward(ForwardScatterNd, base, ctx, out_grads, in, out, in_grads, 0, true);
}

}  // namespace

MX_REGISTER_KERNEL(batch_take, (OpKernel{.infer = InferBatchTake, .forward = ForwardBatchTake,
                                         .backward = BackwardBatchTake}));
MX_REGISTER_KERNEL(gather_nd, (OpKernel{.infer = InferGatherNd, .forward = ForwardGatherNd,
                                        .backward = BackwardGatherNd}));
MX_REGISTER_KERNEL(scatter_nd, (OpKernel{.infer = InferScatterNd, .forward = ForwardScatterNd,
                                         .backward = BackwardScatterNd}));

}  // namespace mixnet::op
