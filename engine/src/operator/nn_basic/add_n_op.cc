// add_n (ElementWiseSum): the elementwise sum of num_args arrays of one shape and dtype. The sum
// is formed block by block in a small local accumulator before it is stored, so an output that
// aliases one of the inputs (out=args[k]) still reads every input before it is overwritten.
#include <algorithm>
#include <span>

#include "ops/nn_basic.h"
#include "operator/nn_basic/nn_basic_util.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

void InferAddN(const ParamBase&, InferIO& io) {
  MX_CHECK(!io.in_shapes.empty(), ValueError) << "add_n: needs at least one input";
  for (size_t i = 1; i < io.in_shapes.size(); ++i) {
    MX_CHECK(io.in_shapes[i] == io.in_shapes[0], ValueError)
        << "add_n: all inputs must have the same shape, input 0 has shape " << io.in_shapes[0]
        << " and input " << i << " has shape " << io.in_shapes[i];
    MX_CHECK(io.in_types[i] == io.in_types[0], TypeError)
        << "add_n: all inputs must have the same dtype, input 0 has " << DTypeName(io.in_types[0])
        << " and input " << i << " has " << DTypeName(io.in_types[i]);
  }
  MX_CHECK(io.in_types[0] != DType::kBool, TypeError) << "add_n: dtype bool is not supported";
  io.out_shapes = {io.in_shapes[0]};
  io.out_types = {io.in_types[0]};
}

// Accumulates in float for the 16-bit floats and in the type itself otherwise (integers wrap
// like the type, as MXNet's elementwise sum does).
template <typename T>
using Acc = std::conditional_t<std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>, float, T>;

template <typename T>
void SumTyped(OpReq req, std::span<const TBlob> in, T* y, int64_t n, int nthreads) {
  constexpr int64_t kBlock = 1024;
  ParallelFor(n, nthreads, [&](int64_t b, int64_t e) {
    Acc<T> acc[kBlock];
    for (int64_t s = b; s < e; s += kBlock) {
      const int64_t len = std::min(kBlock, e - s);
      const T* x0 = in[0].ptr<T>() + s;
      for (int64_t j = 0; j < len; ++j) acc[j] = static_cast<Acc<T>>(x0[j]);
      for (size_t k = 1; k < in.size(); ++k) {
        const T* xk = in[k].ptr<T>() + s;
        for (int64_t j = 0; j < len; ++j) acc[j] += static_cast<Acc<T>>(xk[j]);
      }
      for (int64_t j = 0; j < len; ++j) StoreReq(req, y + s + j, static_cast<T>(acc[j]));
    }
  });
}

void ForwardAddN(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  MX_TYPE_SWITCH(out[0].dtype, T, {
    if constexpr (!std::is_same_v<T, bool>) {
      SumTyped<T>(req, in, out[0].ptr<T>(), out[0].Size(), ctx.nthreads);
    }
  });
}

// Each input's gradient is the output gradient.
void BackwardAddN(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob>, std::span<const TBlob>,
                  std::span<const TBlob> in_grads) {
  MX_TYPE_SWITCH(out_grads[0].dtype, T, {
    const T* g = out_grads[0].ptr<T>();
    const int64_t n = out_grads[0].Size();
    for (size_t i = 0; i < in_grads.size(); ++i) {
      const OpReq req = ReqAt(ctx, i);
      if (req == OpReq::kNull) continue;
      T* dst = in_grads[i].ptr<T>();
      ParallelFor(n, ctx.nthreads,
                  [&](int64_t b, int64_t e) { AssignRun(req, dst + b, g + b, e - b); });
    }
  });
}

}  // namespace

MX_REGISTER_KERNEL(add_n, (OpKernel{.infer = InferAddN, .forward = ForwardAddN,
                                    .backward = BackwardAddN, .cheap = true}));

}  // namespace mixnet::op
