// reshape_like, slice_like, shape_array, size_array and SwapAxis (swapaxes).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "ops/layout.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/parallel.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// ---- reshape_like ------------------------------------------------------------------------------

// Resolves an optional [begin, end) axis range against ndim (None: the whole range; negative
// counts from the end), as MXNet's reshape_like does.
void ResolveRange(const char* side, std::optional<int> begin, std::optional<int> end, int ndim,
                  int& b, int& e) {
  b = begin.value_or(0);
  e = end.has_value() ? *end : ndim;
  if (b < 0) b += ndim;
  if (e < 0) e += ndim;
  MX_CHECK(b >= 0 && e <= ndim && b <= e, ValueError)
      << "reshape_like: invalid " << side << "_begin=" << begin.value_or(0) << ", " << side
      << "_end=" << e << " for a " << ndim << "-d " << side;
}

void InferReshapeLike(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<ReshapeLikeParam>(base);
  const Shape& lhs = io.in_shapes.at(0);
  const Shape& rhs = io.in_shapes.at(1);
  int lb, le, rb, re;
  ResolveRange("lhs", p.lhs_begin, p.lhs_end, lhs.ndim(), lb, le);
  ResolveRange("rhs", p.rhs_begin, p.rhs_end, rhs.ndim(), rb, re);
  Shape out;
  for (int i = 0; i < lb; ++i) out.PushBack(lhs[i]);
  for (int i = rb; i < re; ++i) out.PushBack(rhs[i]);
  for (int i = le; i < lhs.ndim(); ++i) out.PushBack(lhs[i]);
  MX_CHECK(out.Size() == lhs.Size(), ValueError)
      << "reshape_like: cannot reshape lhs of shape " << lhs << " (" << lhs.Size()
      << " elements) to " << out << " (" << out.Size() << " elements) taken from rhs of shape "
      << rhs;
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

void ForwardCopy(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  CopyBlob(req, out[0], in[0], ctx.nthreads);
}

// ---- slice_like --------------------------------------------------------------------------------

void InferSliceLike(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<SliceLikeParam>(base);
  const Shape& data = io.in_shapes.at(0);
  const Shape& like = io.in_shapes.at(1);
  Shape out = data;
  auto slice_axis = [&](int a) {
    MX_CHECK(like[a] <= data[a], ValueError)
        << "slice_like: axis " << a << " of shape_like " << like << " (size " << like[a]
        << ") exceeds that of data " << data << " (size " << data[a] << ")";
    out[a] = like[a];
  };
  if (p.axes.ndim() == 0) {
    MX_CHECK(data.ndim() == like.ndim(), ValueError)
        << "slice_like: with axes=() data " << data << " and shape_like " << like
        << " must have the same rank";
    for (int a = 0; a < data.ndim(); ++a) slice_axis(a);
  } else {
    for (int i = 0; i < p.axes.ndim(); ++i) {
      const int a = NormalizeAxis(p.axes[i], data.ndim(), "slice_like");
      MX_CHECK(a < like.ndim(), ValueError)
          << "slice_like: axis " << p.axes[i] << " is out of range for shape_like " << like;
      slice_axis(a);
    }
  }
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

// out = in[0:o0, 0:o1, ...]: rows of the last axis copied from their input offsets.
template <typename T>
void SliceFromOrigin(OpReq req, const T* in, const Shape& ishape, T* out, const Shape& oshape,
                     int nthreads) {
  const int nd = oshape.ndim();
  if (nd == 0) {
    StoreReq(req, out, in[0]);
    return;
  }
  std::vector<int64_t> istride(static_cast<size_t>(nd), 1);
  for (int i = nd - 2; i >= 0; --i) istride[i] = istride[i + 1] * ishape[i + 1];
  const int64_t run = oshape[nd - 1];
  const int64_t rows = oshape.Size() / run;
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t rest = r, off = 0;
          for (int i = nd - 2; i >= 0; --i) {
            off += (rest % oshape[i]) * istride[i];
            rest /= oshape[i];
          }
          AssignRun(req, out + r * run, in + off, run);
        }
      },
      std::max<int64_t>(1, kParallelGrain / run));
}

void ForwardSliceLike(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    SliceFromOrigin<T>(req, in[0].ptr<T>(), in[0].shape, out[0].ptr<T>(), out[0].shape,
                       ctx.nthreads);
  });
}

// ---- shape_array / size_array -------------------------------------------------------------------

void InferShapeArray(const ParamBase&, InferIO& io) {
  io.out_shapes = {Shape{io.in_shapes.at(0).ndim()}};
  io.out_types = {DType::kInt64};
}

void ForwardShapeArray(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                       std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  int64_t* dst = out[0].ptr<int64_t>();
  for (int i = 0; i < in[0].ndim(); ++i) StoreReq(req, dst + i, in[0].shape[i]);
}

void InferSizeArray(const ParamBase&, InferIO& io) {
  io.out_shapes = {Shape{1}};
  io.out_types = {DType::kInt64};
}

void ForwardSizeArray(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  StoreReq(ReqAt(ctx, 0), out[0].ptr<int64_t>(), in[0].Size());
}

// ---- SwapAxis -----------------------------------------------------------------------------------

void ResolveSwap(const SwapAxisParam& p, const Shape& in, int& a, int& b) {
  a = NormalizeAxis(p.dim1, in.ndim(), "SwapAxis dim1");
  b = NormalizeAxis(p.dim2, in.ndim(), "SwapAxis dim2");
  if (a > b) std::swap(a, b);
}

void InferSwapAxis(const ParamBase& base, InferIO& io) {
  const Shape& in = io.in_shapes.at(0);
  int a, b;
  ResolveSwap(ParamAs<SwapAxisParam>(base), in, a, b);
  Shape out = in;
  std::swap(out[a], out[b]);
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

// The input viewed as (outer, d1, mid, d2, inner); the output is (outer, d2, mid, d1, inner), and
// each of its rows of `inner` elements is one contiguous run of the input.
template <typename T>
void SwapTyped(OpReq req, const T* in, T* out, int64_t outer, int64_t d1, int64_t mid, int64_t d2,
               int64_t inner, int nthreads) {
  const int64_t rows = outer * d2 * mid * d1;
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t rest = r;
          const int64_t i = rest % d1;  // output's d1 position
          rest /= d1;
          const int64_t m = rest % mid;
          rest /= mid;
          const int64_t j = rest % d2;
          const int64_t o = rest / d2;
          const int64_t src = (((o * d1 + i) * mid + m) * d2 + j) * inner;
          AssignRun(req, out + r * inner, in + src, inner);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, inner)));
}

void ForwardSwapAxis(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                     std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const Shape& s = in[0].shape;
  int a, b;
  ResolveSwap(ParamAs<SwapAxisParam>(base), s, a, b);
  if (a == b) {  // nothing moves
    CopyBlob(req, out[0], in[0], ctx.nthreads);
    return;
  }
  MX_TYPE_SWITCH(in[0].dtype, T, {
    SwapTyped<T>(req, in[0].ptr<T>(), out[0].ptr<T>(), s.ProdRange(0, a), s[a],
                 s.ProdRange(a + 1, b), s[b], s.ProdRange(b + 1, s.ndim()), ctx.nthreads);
  });
}

void BackwardSliceLike(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                       std::span<const TBlob> in, std::span<const TBlob> out,
                       std::span<const TBlob> in_grads) {
  GatherBackward(ForwardSliceLike, base, ctx, out_grads, in, out, in_grads, 0, true);
}

void BackwardSwapAxis(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                      std::span<const TBlob> in, std::span<const TBlob> out,
                      std::span<const TBlob> in_grads) {
  GatherBackward(ForwardSwapAxis, base, ctx, out_grads, in, out, in_grads, 0, true);
}

}  // namespace

MX_REGISTER_KERNEL(reshape_like, (OpKernel{.infer = InferReshapeLike, .forward = ForwardCopy,
                                           .backward = CopyBackward}));
MX_REGISTER_KERNEL(slice_like, (OpKernel{.infer = InferSliceLike, .forward = ForwardSliceLike,
                                         .backward = BackwardSliceLike}));
MX_REGISTER_KERNEL(shape_array, (OpKernel{.infer = InferShapeArray,
                                          .forward = ForwardShapeArray, .cheap = true}));
MX_REGISTER_KERNEL(size_array, (OpKernel{.infer = InferSizeArray, .forward = ForwardSizeArray,
                                         .cheap = true}));
MX_REGISTER_KERNEL(SwapAxis, (OpKernel{.infer = InferSwapAxis, .forward = ForwardSwapAxis,
                                       .backward = BackwardSwapAxis}));

}  // namespace mixnet::op
