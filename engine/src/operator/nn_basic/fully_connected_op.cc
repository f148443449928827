// FullyConnected: out = data * weight^T + bias, through the shared OpenBLAS GEMM (linalg/gemm.h)
// with the scheduler's thread budget. With flatten the data is (batch, K) after collapsing all
// trailing axes; without, every leading position is a row and K is the last axis.
#include <algorithm>
#include <span>
#include <vector>

#include "ops/nn_basic.h"
#include "operator/linalg/gemm.h"
#include "operator/nn_basic/nn_basic_util.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using nn_basic::Compute;

// The data as a (rows x k) matrix.
struct FcDims {
  int64_t rows = 0, k = 0;
};

FcDims DimsOf(const Shape& data, bool flatten) {
  if (flatten) return {data[0], data.ProdRange(1, data.ndim())};
  return {data.ProdRange(0, data.ndim() - 1), data[data.ndim() - 1]};
}

void InferFullyConnected(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<FullyConnectedParam>(base);
  const Shape& d = io.in_shapes.at(0);
  const Shape& w = io.in_shapes.at(1);
  MX_CHECK(d.ndim() >= 1, ValueError)
      << "FullyConnected: data must have at least one axis, got shape " << d;
  const FcDims dims = DimsOf(d, p.flatten);
  const Shape want_w{p.num_hidden, dims.k};
  MX_CHECK(w == want_w, ValueError)
      << "FullyConnected: weight shape mismatch: expected " << want_w
      << " (num_hidden, K) for data " << d
      << (p.flatten ? " (flatten=True)" : " (flatten=False)") << ", got " << w;
  if (!p.no_bias) {
    const Shape& b = io.in_shapes.at(2);
    MX_CHECK(b == Shape{p.num_hidden}, ValueError)
        << "FullyConnected: bias shape mismatch: expected (" << p.num_hidden << ",), got " << b;
  }
  const char* names[] = {"data", "weight", "bias"};
  for (size_t i = 0; i < io.in_types.size(); ++i) {
    nn_basic::CheckFloating("FullyConnected", names[i], io.in_types[i]);
    MX_CHECK(io.in_types[i] == io.in_types[0], TypeError)
        << "FullyConnected: " << names[i] << " has dtype " << DTypeName(io.in_types[i])
        << " but data has " << DTypeName(io.in_types[0]);
  }
  Shape out;
  if (p.flatten) {
    out = Shape{d[0], p.num_hidden};
  } else {
    for (int i = 0; i + 1 < d.ndim(); ++i) out.PushBack(d[i]);
    out.PushBack(p.num_hidden);
  }
  io.out_shapes = {out};
  io.out_types = {io.in_types[0]};
}

// out[r, :] = bias (write) or out[r, :] += bias (add-to), so the GEMM can then accumulate.
template <typename T>
void SeedWithBias(OpReq req, const T* bias, T* out, int64_t rows, int64_t h, int nthreads) {
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          T* row = out + r * h;
          if (req == OpReq::kAddTo) {
            for (int64_t j = 0; j < h; ++j) row[j] = AddValues(row[j], bias[j]);
          } else {
            std::copy(bias, bias + h, row);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, h)));
}

void ForwardFullyConnected(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                           std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<FullyConnectedParam>(base);
  const FcDims dims = DimsOf(in[0].shape, p.flatten);
  const int64_t h = p.num_hidden;
  bool accumulate = req == OpReq::kAddTo;
  if (!p.no_bias) {
    MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "FullyConnected", {
      SeedWithBias<T>(req, in[2].ptr<T>(), out[0].ptr<T>(), dims.rows, h, ctx.nthreads);
    });
    accumulate = true;
  }
  linalg::GemmArgs g;
  g.trans_b = true;  // weight is (num_hidden, K)
  g.m = dims.rows;
  g.n = h;
  g.k = dims.k;
  g.a = in[0].dptr;
  g.lda = dims.k;
  g.b = in[1].dptr;
  g.ldb = dims.k;
  g.c = out[0].dptr;
  g.ldc = h;
  g.accumulate = accumulate;
  linalg::BatchedGemm("FullyConnected", in[0].dtype, g, 1, 0, 0, 0, ctx.nthreads);
}

// bias_grad[j] (op)= sum over rows of out_grad[r, j], accumulated in Compute<T>. Columns are split
// among threads so each thread streams all rows of its column range.
template <typename T>
void BiasGrad(OpReq req, const T* dy, T* db, int64_t rows, int64_t h, int nthreads) {
  using C = Compute<T>;
  ParallelFor(
      h, nthreads,
      [&](int64_t j0, int64_t j1) {
        std::vector<C> acc(static_cast<size_t>(j1 - j0), C(0));
        for (int64_t r = 0; r < rows; ++r) {
          const T* row = dy + r * h + j0;
          for (int64_t j = 0; j < j1 - j0; ++j) acc[j] += static_cast<C>(row[j]);
        }
        for (int64_t j = j0; j < j1; ++j) StoreReq(req, db + j, static_cast<T>(acc[j - j0]));
      },
      std::max<int64_t>(16, kParallelGrain / std::max<int64_t>(1, rows)));
}

void BackwardFullyConnected(const ParamBase& base, const OpContext& ctx,
                            std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                            std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<FullyConnectedParam>(base);
  const FcDims dims = DimsOf(inputs[0].shape, p.flatten);
  const int64_t h = p.num_hidden;
  const DType dt = inputs[0].dtype;
  const TBlob& dy = out_grads[0];
  if (ReqAt(ctx, 0) != OpReq::kNull) {  // d data = dy (rows x h) * weight (h x k)
    linalg::GemmArgs g;
    g.m = dims.rows;
    g.n = dims.k;
    g.k = h;
    g.a = dy.dptr;
    g.lda = h;
    g.b = inputs[1].dptr;
    g.ldb = dims.k;
    g.c = in_grads[0].dptr;
    g.ldc = dims.k;
    g.accumulate = ReqAt(ctx, 0) == OpReq::kAddTo;
    linalg::BatchedGemm("FullyConnected", dt, g, 1, 0, 0, 0, ctx.nthreads);
  }
  if (ReqAt(ctx, 1) != OpReq::kNull) {  // d weight = dy^T (h x rows) * data (rows x k)
    linalg::GemmArgs g;
    g.trans_a = true;
    g.m = h;
    g.n = dims.k;
    g.k = dims.rows;
    g.a = dy.dptr;
    g.lda = h;
    g.b = inputs[0].dptr;
    g.ldb = dims.k;
    g.c = in_grads[1].dptr;
    g.ldc = dims.k;
    g.accumulate = ReqAt(ctx, 1) == OpReq::kAddTo;
    linalg::BatchedGemm("FullyConnected", dt, g, 1, 0, 0, 0, ctx.nthreads);
  }
  if (!p.no_bias && ReqAt(ctx, 2) != OpReq::kNull) {
    MX_FLOAT_TYPE_SWITCH(dt, T, "FullyConnected", {
      BiasGrad<T>(ReqAt(ctx, 2), dy.ptr<T>(), in_grads[2].ptr<T>(), dims.rows, h, ctx.nthreads);
    });
  }
}

}  // namespace

MX_REGISTER_KERNEL(FullyConnected,
                   (OpKernel{.infer = InferFullyConnected, .forward = ForwardFullyConnected,
                             .backward = BackwardFullyConnected}));

}  // namespace mixnet::op
