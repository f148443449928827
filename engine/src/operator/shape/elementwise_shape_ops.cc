// Elementwise ops of the shape family: Cast (cast), clip and where.
#include <span>

#include "ops/shape.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/cast_value.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/grad_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// out[i] = f(i) under req, in parallel chunks.
template <typename T, typename F>
void MapIndexed(T* out, int64_t n, OpReq req, int nthreads, F&& f) {
  ParallelFor(n, nthreads, [&](int64_t b, int64_t e) {
    if (req == OpReq::kAddTo) {
      for (int64_t i = b; i < e; ++i) out[i] = AddValues(out[i], f(i));
    } else {
      for (int64_t i = b; i < e; ++i) out[i] = f(i);
    }
  });
}

// --- Cast ---------------------------------------------------------------------------------

void InferCast(const ParamBase& base, InferIO& io) {
  io.out_shapes = {io.in_shapes.at(0)};
  io.out_types = {ParamAs<CastParam>(base).dtype};
}

void ForwardCast(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  if (in[0].dtype == out[0].dtype) {
    CopyBlob(req, out[0], in[0], ctx.nthreads);
    return;
  }
  MX_TYPE_SWITCH(in[0].dtype, I, {
    MX_TYPE_SWITCH(out[0].dtype, O, {
      const I* x = in[0].ptr<I>();
      MapIndexed(out[0].ptr<O>(), out[0].Size(), req, ctx.nthreads,
                 [x](int64_t i) { return CastValue<O>(x[i]); });
    });
  });
}

// --- clip ---------------------------------------------------------------------------------

void InferSameShapeType(const ParamBase&, InferIO& io) {
  io.out_shapes = {io.in_shapes.at(0)};
  io.out_types = {io.in_types.at(0)};
}

void ForwardClip(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<ClipParam>(base);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    // MXNet converts the bounds to the element type first (so integer data clips to truncated
    // bounds) and compares in that type; NaN passes through.
    using C = std::conditional_t<kIsHalfLike<T>, float, T>;
    const C lo = static_cast<C>(CastValue<T>(p.a_min));
    const C hi = static_cast<C>(CastValue<T>(p.a_max));
    const T* x = in[0].ptr<T>();
    MapIndexed(out[0].ptr<T>(), out[0].Size(), req, ctx.nthreads, [=](int64_t i) {
      const C v = static_cast<C>(x[i]);
      return T(v > hi ? hi : (v < lo ? lo : v));
    });
  });
}

// --- where --------------------------------------------------------------------------------

void InferWhere(const ParamBase&, InferIO& io) {
  const Shape& cond = io.in_shapes.at(0);
  const Shape& x = io.in_shapes.at(1);
  const Shape& y = io.in_shapes.at(2);
  MX_CHECK(x == y, ValueError) << "where: x and y must have the same shape, got " << x << " and "
                               << y;
  MX_CHECK(io.in_types.at(1) == io.in_types.at(2), TypeError)
      << "where: x and y must have the same dtype, got " << DTypeName(io.in_types[1]) << " and "
      << DTypeName(io.in_types[2]);
  MX_CHECK(cond == x || (cond.ndim() == 1 && x.ndim() >= 1 && cond[0] == x[0]), ValueError)
      << "where: condition of shape " << cond << " must have the shape of x " << x
      << " or be 1-d with length x.shape[0]";
  io.out_shapes = {x};
  io.out_types = {io.in_types[1]};
}

void ForwardWhere(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  // With a 1-d condition, element i of x belongs to row i / row_size.
  const bool rows = in[0].shape != in[1].shape;
  const int64_t row_size = rows ? out[0].Size() / in[1].shape[0] : 1;
  MX_TYPE_SWITCH(in[0].dtype, C, {
    MX_TYPE_SWITCH(in[1].dtype, T, {
      const C* c = in[0].ptr<C>();
      const T* x = in[1].ptr<T>();
      const T* y = in[2].ptr<T>();
      MapIndexed(out[0].ptr<T>(), out[0].Size(), req, ctx.nthreads, [=](int64_t i) {
        return CastValue<bool>(c[rows ? i / row_size : i]) ? x[i] : y[i];
      });
    });
  });
}

// --- gradients ----------------------------------------------------------------------------

// Cast: the head gradient cast back to the input's dtype (the forward's cast run backwards).
void BackwardCast(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob>, std::span<const TBlob>,
                  std::span<const TBlob> in_grads) {
  const TBlob& g = out_grads[0];
  const TBlob& gx = in_grads[0];
  OpContext bctx = ctx;
  bctx.req = ctx.req.subspan(0, std::min<size_t>(1, ctx.req.size()));
  ForwardCast(base, bctx, std::span<const TBlob>(&g, 1), std::span<const TBlob>(&gx, 1));
}

// clip: the head gradient where a_min <= x <= a_max (bounds in the element type, as the
// forward compares), 0 where x was clipped. Like MXNet, x exactly on a bound keeps its gradient.
void BackwardClip(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> inputs, std::span<const TBlob>,
                  std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<ClipParam>(base);
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "clip", {
    using C = std::conditional_t<kIsHalfLike<T>, float, T>;
    const C lo = static_cast<C>(CastValue<T>(p.a_min));
    const C hi = static_cast<C>(CastValue<T>(p.a_max));
    const T* x = inputs[0].ptr<T>();
    const T* g = out_grads[0].ptr<T>();
    MapIndexed(in_grads[0].ptr<T>(), inputs[0].Size(), req, ctx.nthreads, [=](int64_t i) {
      const C v = static_cast<C>(x[i]);
      return (v < lo || v > hi) ? T(C(0)) : g[i];
    });
  });
}

// where: the head gradient goes to x where the condition holds and to y elsewhere; the
// condition gets zeros.
void BackwardWhere(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                   std::span<const TBlob> inputs, std::span<const TBlob>,
                   std::span<const TBlob> in_grads) {
  ZeroGrad(ReqAt(ctx, 0), in_grads[0]);
  const int64_t n = out_grads[0].Size();
  if (n == 0) return;
  const bool rows = inputs[0].shape != inputs[1].shape;
  const int64_t row_size = rows ? n / inputs[1].shape[0] : 1;
  MX_TYPE_SWITCH(inputs[0].dtype, Cd, {
    MX_TYPE_SWITCH(out_grads[0].dtype, T, {
      const Cd* c = inputs[0].ptr<Cd>();
      const T* g = out_grads[0].ptr<T>();
      for (int side = 0; side < 2; ++side) {
        const OpReq req = ReqAt(ctx, 1 + side);
        if (req == OpReq::kNull) continue;
        const bool want = side == 0;  // x takes the positions where the condition is true
        MapIndexed(in_grads[1 + side].ptr<T>(), n, req, ctx.nthreads, [=](int64_t i) {
          const T gv = g[i];  // loaded unconditionally: the select then needs no branch
          return CastValue<bool>(c[rows ? i / row_size : i]) == want ? gv : T(0);
        });
      }
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(Cast, (OpKernel{.infer = InferCast, .forward = ForwardCast,
                                   .backward = BackwardCast, .cheap = true}));
MX_REGISTER_KERNEL(clip, (OpKernel{.infer = InferSameShapeType, .forward = ForwardClip,
                                   .backward = BackwardClip, .cheap = true}));
MX_REGISTER_KERNEL(where, (OpKernel{.infer = InferWhere, .forward = ForwardWhere,
                                    .backward = BackwardWhere, .cheap = true}));

}  // namespace mixnet::op
