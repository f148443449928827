// tile (repeat the whole array per axis) and repeat (repeat each element along an axis, or over
// the flattened array). Both copy contiguous runs with memcpy where the layout allows.
#include <algorithm>
#include <span>
#include <vector>

#include "ops/shape.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/reduce/reduce_grad.h"
#include "operator/shape/grad_util.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// Input shape and reps aligned on the right to the output's ndim (padding with leading 1s).
struct TilePlan {
  Shape in, reps, out;
};

TilePlan PlanTile(const Shape& in, const Shape& reps) {
  for (int64_t r : reps.dims()) {
    MX_CHECK(r >= 0, ValueError) << "tile: reps=" << reps << " must be non-negative";
  }
  TilePlan p;
  if (reps.ndim() == 0) {  // MXNet: empty reps returns the input unchanged
    p.in = p.out = in;
    p.reps = Shape::Filled(in.ndim(), 1);
    return p;
  }
  const int nd = std::max(in.ndim(), reps.ndim());
  for (int i = 0; i < nd; ++i) {
    const int ii = i - (nd - in.ndim()), ri = i - (nd - reps.ndim());
    p.in.PushBack(ii >= 0 ? in[ii] : 1);
    p.reps.PushBack(ri >= 0 ? reps[ri] : 1);
    p.out.PushBack(p.in[i] * p.reps[i]);
  }
  return p;
}

void InferTile(const ParamBase& base, InferIO& io) {
  io.out_shapes = {PlanTile(io.in_shapes.at(0), ParamAs<TileParam>(base).reps).out};
  io.out_types = {io.in_types.at(0)};
}

template <typename T>
void TileTyped(const T* in, T* out, const TilePlan& p, OpReq req, int nthreads) {
  const int nd = p.out.ndim();
  if (nd == 0) {
    StoreReq(req, out, in[0]);
    return;
  }
  const int64_t in_cols = p.in[nd - 1], out_cols = p.out[nd - 1];
  const int64_t rows = p.out.Size() / out_cols;
  std::vector<int64_t> stride(nd, 1);
  for (int i = nd - 2; i >= 0; --i) stride[i] = stride[i + 1] * p.in[i + 1];
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t o = r, off = 0;
          for (int i = nd - 2; i >= 0; --i) {
            off += ((o % p.out[i]) % p.in[i]) * stride[i];
            o /= p.out[i];
          }
          T* dst = out + r * out_cols;
          for (int64_t k = 0; k < p.reps[nd - 1]; ++k) {
            AssignRun(req, dst + k * in_cols, in + off, in_cols);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / out_cols));
}

void ForwardTile(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const TilePlan p = PlanTile(in[0].shape, ParamAs<TileParam>(base).reps);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    TileTyped<T>(in[0].ptr<T>(), out[0].ptr<T>(), p, req, ctx.nthreads);
  });
}

// (outer, n, inner): each of the n slices along the axis is written `repeats` times in a row.
struct RepeatPlan {
  int64_t outer = 1, n = 1, inner = 1;
  Shape out;
};

RepeatPlan PlanRepeat(const Shape& in, const RepeatParam& p) {
  RepeatPlan r;
  if (p.repeats == 0) {  // MXNet 1.x: zero repeats gives an empty 1-d array whatever the axis
    if (p.axis) NormalizeAxis(*p.axis, in.ndim(), "repeat");
    r.out = Shape{0};
    return r;
  }
  if (!p.axis) {
    r.n = in.Size();
    r.out = Shape{in.Size() * p.repeats};
    return r;
  }
  const int axis = NormalizeAxis(*p.axis, in.ndim(), "repeat");
  r.outer = in.ProdRange(0, axis);
  r.n = in[axis];
  r.inner = in.ProdRange(axis + 1, in.ndim());
  r.out = in;
  r.out[axis] *= p.repeats;
  return r;
}

void InferRepeat(const ParamBase& base, InferIO& io) {
  io.out_shapes = {PlanRepeat(io.in_shapes.at(0), ParamAs<RepeatParam>(base)).out};
  io.out_types = {io.in_types.at(0)};
}

template <typename T>
void RepeatTyped(const T* in, T* out, const RepeatPlan& r, int64_t repeats, OpReq req,
                 int nthreads) {
  const int64_t rows = r.outer * r.n;  // one input slice each
  const int64_t per_row = repeats * r.inner;
  ParallelFor(
      rows, nthreads,
      [&](int64_t s0, int64_t s1) {
        for (int64_t s = s0; s < s1; ++s) {
          const T* src = in + s * r.inner;
          T* dst = out + s * per_row;
          if (r.inner == 1) {
            for (int64_t k = 0; k < repeats; ++k) StoreReq(req, dst + k, src[0]);
          } else {
            for (int64_t k = 0; k < repeats; ++k) AssignRun(req, dst + k * r.inner, src, r.inner);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, per_row)));
}

void ForwardRepeat(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<RepeatParam>(base);
  const RepeatPlan r = PlanRepeat(in[0].shape, p);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    RepeatTyped<T>(in[0].ptr<T>(), out[0].ptr<T>(), r, p.repeats, req, ctx.nthreads);
  });
}

// Both gradients are sums of the head gradient over the copies: tile's output viewed as
// (reps_0, in_0, reps_1, in_1, ...) summed over the reps axes; repeat's as (outer, n, repeats,
// inner) summed over the repeats axis.
void BackwardTile(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> in, std::span<const TBlob>,
                  std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const TilePlan p = PlanTile(in[0].shape, ParamAs<TileParam>(base).reps);
  Shape view;
  std::vector<bool> reduced;
  for (int i = 0; i < p.in.ndim(); ++i) {
    view.PushBack(p.reps[i]);
    view.PushBack(p.in[i]);
    reduced.push_back(true);
    reduced.push_back(false);
  }
  reduce::SumInto(req, out_grads[0], view, reduced, in_grads[0], ctx.nthreads);
}

void BackwardRepeat(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> in, std::span<const TBlob>,
                    std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<RepeatParam>(base);
  if (p.repeats == 0) {
    ZeroGrad(req, in_grads[0]);
    return;
  }
  const RepeatPlan r = PlanRepeat(in[0].shape, p);
  const Shape view{r.outer, r.n, static_cast<int64_t>(p.repeats), r.inner};
  reduce::SumInto(req, out_grads[0], view, {false, false, true, false}, in_grads[0],
                  ctx.nthreads);
}

}  // namespace

MX_REGISTER_KERNEL(tile, (OpKernel{.infer = InferTile, .forward = ForwardTile,
                                   .backward = BackwardTile}));
MX_REGISTER_KERNEL(repeat, (OpKernel{.infer = InferRepeat, .forward = ForwardRepeat,
                                     .backward = BackwardRepeat}));

}  // namespace mixnet::op
