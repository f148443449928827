// Embedding: out[i, :] = weight[clip(trunc(data[i]), 0, input_dim - 1), :]. Like Apache MXNet,
// out-of-range indices are clipped rather than rejected. The gradient flows to weight only
// (a scatter-add of the output gradient rows); data, being indices, gets zeros.
#include <algorithm>
#include <cstring>
#include <span>

#include "ops/nn_basic.h"
#include "operator/indexing/index_util.h"
#include "operator/nn_basic/nn_basic_util.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using nn_basic::Compute;

void InferEmbedding(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<EmbeddingParam>(base);
  const Shape& d = io.in_shapes.at(0);
  const Shape& w = io.in_shapes.at(1);
  const Shape want_w{p.input_dim, p.output_dim};
  MX_CHECK(w == want_w, ValueError)
      << "Embedding: weight shape mismatch: expected " << want_w
      << " (input_dim, output_dim), got " << w;
  MX_CHECK(io.in_types.at(1) == p.dtype, TypeError)
      << "Embedding: weight has dtype " << DTypeName(io.in_types[1]) << " but dtype="
      << DTypeName(p.dtype) << " was requested";
  nn_basic::CheckFloating("Embedding", "weight", io.in_types[1]);
  Shape out = d;
  out.PushBack(p.output_dim);
  io.out_shapes = {out};
  io.out_types = {p.dtype};
}

// The row of weight that index value v selects.
template <typename I>
inline int64_t RowOf(I v, int64_t input_dim) {
  return ClipIndex(TruncateIndex(IndexAsDouble(v)), input_dim);
}

void ForwardEmbedding(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<EmbeddingParam>(base);
  const int64_t n = in[0].Size(), dim = p.output_dim;
  MX_TYPE_SWITCH(in[0].dtype, I, {
    const I* idx = in[0].ptr<I>();
    MX_FLOAT_TYPE_SWITCH(in[1].dtype, T, "Embedding", {
      const T* w = in[1].ptr<T>();
      T* y = out[0].ptr<T>();
      ParallelFor(
          n, ctx.nthreads,
          [&](int64_t i0, int64_t i1) {
            for (int64_t i = i0; i < i1; ++i) {
              AssignRun(req, y + i * dim, w + RowOf(idx[i], p.input_dim) * dim, dim);
            }
          },
          std::max<int64_t>(1, kParallelGrain / dim));
    });
  });
}

void BackwardEmbedding(const ParamBase& base, const OpContext& ctx,
                       std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                       std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<EmbeddingParam>(base);
  if (ReqAt(ctx, 0) == OpReq::kWriteTo || ReqAt(ctx, 0) == OpReq::kWriteInplace) {
    std::memset(in_grads[0].dptr, 0, in_grads[0].nbytes());  // indices: no gradient
  }
  const OpReq req = ReqAt(ctx, 1);
  if (req == OpReq::kNull) return;
  const int64_t n = inputs[0].Size(), dim = p.output_dim;
  if (req != OpReq::kAddTo) std::memset(in_grads[1].dptr, 0, in_grads[1].nbytes());
  MX_TYPE_SWITCH(inputs[0].dtype, I, {
    const I* idx = inputs[0].ptr<I>();
    MX_FLOAT_TYPE_SWITCH(in_grads[1].dtype, T, "Embedding", {
      using C = Compute<T>;
      const T* dy = out_grads[0].ptr<T>();
      T* dw = in_grads[1].ptr<T>();
      // Repeated indices add into the same row, so threads split the columns, not the indices:
      // every thread walks all indices over its own column range and no two threads touch the
      // same element.
      ParallelFor(
          dim, ctx.nthreads,
          [&](int64_t c0, int64_t c1) {
            for (int64_t i = 0; i < n; ++i) {
              T* row = dw + RowOf(idx[i], p.input_dim) * dim;
              const T* g = dy + i * dim;
              for (int64_t c = c0; c < c1; ++c) {
                row[c] = static_cast<T>(static_cast<C>(row[c]) + static_cast<C>(g[c]));
              }
            }
          },
          std::max<int64_t>(16, kParallelGrain / std::max<int64_t>(1, n)));
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(Embedding, (OpKernel{.infer = InferEmbedding, .forward = ForwardEmbedding,
                                        .backward = BackwardEmbedding}));

}  // namespace mixnet::op
