// take: out[a.shape[:axis], indices.shape, a.shape[axis+1:]] gathers slices of `a` along `axis`.
// Indices may have any dtype (fractional values truncate toward zero). mode: clip (clamp into
// range), wrap (modulo), raise (IndexError naming the index and the bound; the check runs inside
// the kernel, so the error surfaces at the next sync point, as MXNet's does).
#include <span>

#include "ops/indexing.h"
#include "operator/indexing/index_util.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

void InferTake(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<TakeParam>(base);
  const Shape& a = io.in_shapes.at(0);
  const Shape& idx = io.in_shapes.at(1);
  MX_CHECK(a.ndim() > 0, ValueError) << "take: cannot take from a 0-d array";
  const int axis = NormalizeAxis(p.axis, a.ndim(), "take");
  Shape out;
  for (int i = 0; i < axis; ++i) out.PushBack(a[i]);
  for (int64_t d : idx.dims()) out.PushBack(d);
  for (int i = axis + 1; i < a.ndim(); ++i) out.PushBack(a[i]);
  MX_CHECK(a[axis] > 0 || out.Size() == 0, IndexError)
      << "take: cannot take indices " << idx << " from axis " << p.axis << " of size 0 (shape "
      << a << ")";
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

// One index resolved to [0, n) under mode.
template <typename I>
int64_t ResolveIndex(I raw, int64_t n, TakeParam::Mode mode, int axis) {
  const double v = IndexAsDouble(raw);
  if (mode == TakeParam::Mode::kRaise) {
    // Like MXNet, the raw value is compared with [0, n - 1] before it is truncated.
    MX_CHECK(v >= 0 && v <= static_cast<double>(n - 1), IndexError)
        << "take: index " << v << " is out of bounds for axis " << axis << " with size " << n
        << " (mode=raise)";
  }
  const int64_t k = TruncateIndex(v);
  return mode == TakeParam::Mode::kClip ? ClipIndex(k, n) : WrapIndex(k, n);
}

template <typename T, typename I>
void TakeTyped(const T* a, const I* idx, T* out, int64_t outer, int64_t n, int64_t inner,
               int64_t count, TakeParam::Mode mode, int axis, OpReq req, int nthreads) {
  ParallelFor(
      outer * count, nthreads,
      [&](int64_t b, int64_t e) {
        for (int64_t t = b; t < e; ++t) {
          const int64_t o = t / count, j = t % count;
          const int64_t k = ResolveIndex(idx[j], n, mode, axis);
          AssignRun(req, out + t * inner, a + (o * n + k) * inner, inner);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, inner)));
}

void ForwardTake(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<TakeParam>(base);
  const Shape& s = in[0].shape;
  const int axis = NormalizeAxis(p.axis, s.ndim(), "take");
  const int64_t outer = s.ProdRange(0, axis), n = s[axis], inner = s.ProdRange(axis + 1, s.ndim());
  MX_TYPE_SWITCH(in[0].dtype, T, {
    MX_TYPE_SWITCH(in[1].dtype, I, {
      TakeTyped<T, I>(in[0].ptr<T>(), in[1].ptr<I>(), out[0].ptr<T>(), outer, n, inner,
                      in[1].Size(), p.mode, axis, req, ctx.nthreads);
    });
  });
}

void Backward_take(const ParamBase& base, const OpContext& ctx,
                    std::span<const TBlob> out_grads, std::span<const TBlob> in,
                    std::span<const TBlob> out, std::span<const TBlob> in_grads) {
  GatherBackward(ForwardTake, base, ctx, out_grads, in, out, in_grads);
}

}  // namespace

MX_REGISTER_KERNEL(take, (OpKernel{.infer = InferTake, .forward = ForwardTake,
                                  .backward = Backward_take}));

}  // namespace mixnet::op
