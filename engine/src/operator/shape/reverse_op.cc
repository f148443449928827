// reverse (flip): reverses the order of elements along the given axes. Rows along the last axis
// are copied whole (memcpy) when that axis is not reversed.
#include <span>
#include <vector>

#include "ops/shape.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/grad_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// flip[i]: axis i is reversed. Listing an axis twice reverses it twice (no change), as MXNet does.
std::vector<bool> FlippedAxes(const Shape& in, const Shape& axis) {
  std::vector<bool> flip(static_cast<size_t>(in.ndim()), false);
  for (int64_t a : axis.dims()) {
    const int n = NormalizeAxis(a, in.ndim(), "reverse");
    flip[n] = !flip[n];
  }
  return flip;
}

void InferReverse(const ParamBase& base, InferIO& io) {
  FlippedAxes(io.in_shapes.at(0), ParamAs<ReverseParam>(base).axis);  // validates
  io.out_shapes = {io.in_shapes[0]};
  io.out_types = {io.in_types.at(0)};
}

template <typename T>
void ReverseTyped(const T* in, const Shape& s, T* out, const std::vector<bool>& flip, OpReq req,
                  int nthreads) {
  const int nd = s.ndim();
  const int64_t cols = nd == 0 ? 1 : s[nd - 1];
  if (cols == 0) return;
  const int64_t rows = s.Size() / cols;
  std::vector<int64_t> stride(nd, 1);
  for (int i = nd - 2; i >= 0; --i) stride[i] = stride[i + 1] * s[i + 1];
  const bool flip_last = nd > 0 && flip[nd - 1];
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t o = r, off = 0;
          for (int i = nd - 2; i >= 0; --i) {
            const int64_t idx = o % s[i];
            o /= s[i];
            off += (flip[i] ? s[i] - 1 - idx : idx) * stride[i];
          }
          T* dst = out + r * cols;
          const T* src = in + off;
          if (!flip_last) {
            AssignRun(req, dst, src, cols);
          } else {
            for (int64_t c = 0; c < cols; ++c) StoreReq(req, dst + c, src[cols - 1 - c]);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / cols));
}

void ForwardReverse(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || in[0].Size() == 0) return;
  const auto flip = FlippedAxes(in[0].shape, ParamAs<ReverseParam>(base).axis);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    ReverseTyped<T>(in[0].ptr<T>(), in[0].shape, out[0].ptr<T>(), flip, req, ctx.nthreads);
  });
}

void BackwardReverse(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                     std::span<const TBlob> in, std::span<const TBlob> out,
                     std::span<const TBlob> in_grads) {
  GatherBackward(ForwardReverse, base, ctx, out_grads, in, out, in_grads, 0, true);
}

}  // namespace

MX_REGISTER_KERNEL(reverse, (OpKernel{.infer = InferReverse, .forward = ForwardReverse,
                                      .backward = BackwardReverse}));

}  // namespace mixnet::op
