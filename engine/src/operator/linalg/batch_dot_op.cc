// batch_dot: (B..., M, K) x (B..., K, N) -> (B..., M, N) for N-d operands (N >= 3, equal ndim
// and batch dimensions, as in MXNet 1.9); transpose_a / transpose_b swap the last two axes.
#include <span>

#include "ops/linalg.h"
#include "operator/linalg/gemm.h"
#include "operator/linalg/gemm_grad.h"
#include "operator/op.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

void InferBatchDot(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<BatchDotParam>(base);
  const Shape& l = io.in_shapes.at(0);
  const Shape& r = io.in_shapes.at(1);
  const int nd = l.ndim();
  MX_CHECK(nd >= 3 && r.ndim() == nd, ValueError)
      << "batch_dot: operands must both be N-d with N >= 3, got shapes " << l << " and " << r;
  MX_CHECK(io.in_types.at(0) == io.in_types.at(1), TypeError)
      << "batch_dot: operands must have the same dtype, got " << DTypeName(io.in_types[0])
      << " and " << DTypeName(io.in_types[1]);
  MX_CHECK(io.in_types[0] != DType::kBool, TypeError)
      << "batch_dot: dtype bool is not supported (numeric dtypes only)";
  Shape out;
  for (int i = 0; i < nd - 2; ++i) {
    MX_CHECK(l[i] == r[i], ValueError)
        << "batch_dot: batch dimensions differ: " << l << " and " << r;
    out.PushBack(l[i]);
  }
  const int64_t m = p.transpose_a ? l[nd - 1] : l[nd - 2];
  const int64_t kl = p.transpose_a ? l[nd - 2] : l[nd - 1];
  const int64_t kr = p.transpose_b ? r[nd - 1] : r[nd - 2];
  const int64_t n = p.transpose_b ? r[nd - 2] : r[nd - 1];
  MX_CHECK(kl == kr, ValueError) << "batch_dot: shape mismatch: cannot contract " << l << " and "
                                 << r << " (transpose_a=" << (p.transpose_a ? "True" : "False")
                                 << ", transpose_b=" << (p.transpose_b ? "True" : "False") << ")";
  out.PushBack(m);
  out.PushBack(n);
  io.out_shapes = {out};
  io.out_types = {io.in_types[0]};
}

// The per-batch GEMM operands (shared by forward and backward): op(lhs) is m x k, op(rhs) k x n.
template <typename Args>
void SetOperands(const BatchDotParam& p, std::span<const TBlob> in, Args& g) {
  const Shape& l = in[0].shape;
  const Shape& r = in[1].shape;
  const int nd = l.ndim();
  g.trans_a = p.transpose_a;
  g.trans_b = p.transpose_b;
  g.m = p.transpose_a ? l[nd - 1] : l[nd - 2];
  g.k = p.transpose_a ? l[nd - 2] : l[nd - 1];
  g.n = p.transpose_b ? r[nd - 2] : r[nd - 1];
  g.a = in[0].dptr;
  g.lda = l[nd - 1];
  g.b = in[1].dptr;
  g.ldb = r[nd - 1];
}

void ForwardBatchDot(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                     std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const Shape& l = in[0].shape;
  const Shape& r = in[1].shape;
  const int nd = l.ndim();
  const int64_t batch = l.ProdRange(0, nd - 2);
  linalg::GemmArgs g;
  SetOperands(ParamAs<BatchDotParam>(base), in, g);
  g.c = out[0].dptr;
  g.ldc = g.n;
  g.accumulate = req == OpReq::kAddTo;
  linalg::BatchedGemm("batch_dot", in[0].dtype, g, batch, l[nd - 2] * l[nd - 1],
                      r[nd - 2] * r[nd - 1], g.m * g.n, ctx.nthreads);
}

void BackwardBatchDot(const ParamBase& base, const OpContext& ctx,
                      std::span<const TBlob> out_grads, std::span<const TBlob> in,
                      std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const Shape& l = in[0].shape;
  const Shape& r = in[1].shape;
  const int nd = l.ndim();
  const int64_t batch = l.ProdRange(0, nd - 2);
  linalg::ProductGradArgs g;
  SetOperands(ParamAs<BatchDotParam>(base), in, g);
  g.g = out_grads[0].dptr;
  g.ldg = g.n;
  g.da = in_grads[0].dptr;
  g.db = in_grads[1].dptr;
  g.req_a = ReqAt(ctx, 0);
  g.req_b = ReqAt(ctx, 1);
  linalg::ProductGrads("batch_dot", in[0].dtype, g, batch, l[nd - 2] * l[nd - 1],
                       r[nd - 2] * r[nd - 1], g.m * g.n, ctx.nthreads);
}

}  // namespace

MX_REGISTER_KERNEL(batch_dot, (OpKernel{.infer = InferBatchDot, .forward = ForwardBatchDot,
                                        .backward = BackwardBatchDot}));

}  // namespace mixnet::op
