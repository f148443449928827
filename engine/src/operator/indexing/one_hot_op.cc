// one_hot: indices of shape S -> S + (depth,), on_value at the (truncated) index, off_value
// elsewhere; out-of-range indices give a row of off_value, as in MXNet.
#include <span>

#include "ops/indexing.h"
#include "operator/indexing/index_util.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/cast_value.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

void InferOneHot(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<OneHotParam>(base);
  Shape out = io.in_shapes.at(0);
  out.PushBack(p.depth);
  io.out_shapes = {out};
  io.out_types = {p.dtype};
}

template <typename T, typename I>
void OneHotTyped(const I* idx, int64_t count, int64_t depth, T on, T off, T* out, OpReq req,
                 int nthreads) {
  ParallelFor(
      count, nthreads,
      [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const int64_t k = TruncateIndex(IndexAsDouble(idx[i]));
          T* row = out + i * depth;
          for (int64_t j = 0; j < depth; ++j) StoreReq(req, row + j, j == k ? on : off);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, depth)));
}

void ForwardOneHot(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<OneHotParam>(base);
  MX_TYPE_SWITCH(out[0].dtype, T, {
    MX_TYPE_SWITCH(in[0].dtype, I, {
      OneHotTyped<T, I>(in[0].ptr<I>(), in[0].Size(), p.depth, CastValue<T>(p.on_value),
                        CastValue<T>(p.off_value), out[0].ptr<T>(), req, ctx.nthreads);
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(one_hot, (OpKernel{.infer = InferOneHot, .forward = ForwardOneHot}));

}  // namespace mixnet::op
