// dot: MXNet 1.x's N-d dot. lhs is viewed as a matrix (its leading axes x its last axis; with
// transpose_a, its first axis x the rest, transposed) and rhs likewise (first axis x the rest;
// with transpose_b, leading axes x last axis, transposed); the contracted extents must agree.
// 1-D x 1-D is the inner product with shape (1,).
#include <span>

#include "ops/linalg.h"
#include "operator/linalg/gemm.h"
#include "operator/linalg/gemm_grad.h"
#include "operator/op.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// The matrix view of both operands.
struct DotDims {
  int64_t m = 1, n = 1, k = 1;  // op(lhs) is m x k, op(rhs) is k x n
  int64_t k_rhs = 1;            // the rhs's contracted extent (must equal k)
};

DotDims ComputeDotDims(const Shape& l, const Shape& r, bool ta, bool tb) {
  DotDims d;
  d.k = ta ? l[0] : l[l.ndim() - 1];
  d.m = d.k == 0 ? l.ProdRange(ta ? 1 : 0, ta ? l.ndim() : l.ndim() - 1) : l.Size() / d.k;
  d.k_rhs = tb ? r[r.ndim() - 1] : r[0];
  d.n = d.k_rhs == 0 ? r.ProdRange(tb ? 0 : 1, tb ? r.ndim() - 1 : r.ndim()) : r.Size() / d.k_rhs;
  return d;
}

void InferDot(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<DotParam>(base);
  const Shape& l = io.in_shapes.at(0);
  const Shape& r = io.in_shapes.at(1);
  MX_CHECK(l.ndim() > 0 && r.ndim() > 0, ValueError)
      << "dot: 0-d (scalar) operands are not supported, got shapes " << l << " and " << r;
  MX_CHECK(io.in_types.at(0) == io.in_types.at(1), TypeError)
      << "dot: operands must have the same dtype, got " << DTypeName(io.in_types[0]) << " and "
      << DTypeName(io.in_types[1]);
  MX_CHECK(io.in_types[0] != DType::kBool, TypeError)
      << "dot: dtype bool is not supported (numeric dtypes only)";
  Shape out;
  if (l.ndim() == 1 && r.ndim() == 1) {
    MX_CHECK(!p.transpose_a && !p.transpose_b, ValueError)
        << "dot: cannot transpose 1-d operands, got shapes " << l << " and " << r;
    MX_CHECK(l[0] == r[0], ValueError) << "dot: shape mismatch: cannot take the inner product of "
                                       << l << " and " << r;
    out = Shape{1};
  } else {
    const DotDims d = ComputeDotDims(l, r, p.transpose_a, p.transpose_b);
    MX_CHECK(d.k == d.k_rhs, ValueError)
        << "dot: shape mismatch: cannot contract " << l << " and " << r
        << " (transpose_a=" << (p.transpose_a ? "True" : "False")
        << ", transpose_b=" << (p.transpose_b ? "True" : "False") << ")";
    if (l.ndim() > 1) {
      const int b = p.transpose_a ? 1 : 0, e = p.transpose_a ? l.ndim() : l.ndim() - 1;
      for (int i = b; i < e; ++i) out.PushBack(l[i]);
    }
    if (r.ndim() > 1) {
      const int b = p.transpose_b ? 0 : 1, e = p.transpose_b ? r.ndim() - 1 : r.ndim();
      for (int i = b; i < e; ++i) out.PushBack(r[i]);
    }
  }
  io.out_shapes = {out};
  io.out_types = {io.in_types[0]};
}

// The GEMM a dot call is (shared by forward and backward): two 1-d operands are a 1 x 1 inner
// product and ignore the transpose flags.
struct DotLayout {
  bool ta, tb;
  DotDims d;
  int64_t lda, ldb;
};

DotLayout LayoutOf(const DotParam& p, std::span<const TBlob> in) {
  const bool vec = in[0].ndim() == 1 && in[1].ndim() == 1;
  const bool ta = p.transpose_a && !vec, tb = p.transpose_b && !vec;
  const DotDims d = vec ? DotDims{1, 1, in[0].shape[0], in[0].shape[0]}
                        : ComputeDotDims(in[0].shape, in[1].shape, ta, tb);
  return {ta, tb, d, ta ? d.m : d.k, tb ? d.k : d.n};
}

void ForwardDot(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const DotLayout L = LayoutOf(ParamAs<DotParam>(base), in);
  linalg::GemmArgs g;
  g.trans_a = L.ta;
  g.trans_b = L.tb;
  g.m = L.d.m;
  g.n = L.d.n;
  g.k = L.d.k;
  g.a = in[0].dptr;
  g.lda = L.lda;
  g.b = in[1].dptr;
  g.ldb = L.ldb;
  g.c = out[0].dptr;
  g.ldc = L.d.n;
  g.accumulate = req == OpReq::kAddTo;
  linalg::BatchedGemm("dot", in[0].dtype, g, 1, 0, 0, 0, ctx.nthreads);
}

void BackwardDot(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                 std::span<const TBlob> in, std::span<const TBlob>,
                 std::span<const TBlob> in_grads) {
  const DotLayout L = LayoutOf(ParamAs<DotParam>(base), in);
  linalg::ProductGradArgs g;
  g.trans_a = L.ta;
  g.trans_b = L.tb;
  g.m = L.d.m;
  g.n = L.d.n;
  g.k = L.d.k;
  g.a = in[0].dptr;
  g.lda = L.lda;
  g.b = in[1].dptr;
  g.ldb = L.ldb;
  g.g = out_grads[0].dptr;
  g.ldg = L.d.n;
  g.da = in_grads[0].dptr;
  g.db = in_grads[1].dptr;
  g.req_a = ReqAt(ctx, 0);
  g.req_b = ReqAt(ctx, 1);
  linalg::ProductGrads("dot", in[0].dtype, g, 1, 0, 0, 0, ctx.nthreads);
}

}  // namespace

MX_REGISTER_KERNEL(dot, (OpKernel{.infer = InferDot, .forward = ForwardDot,
                                  .backward = BackwardDot}));

}  // namespace mixnet::op
