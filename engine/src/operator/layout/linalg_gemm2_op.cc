// _linalg_gemm2: out = alpha * op(A) op(B) per matrix (float32/float64, as MXNet's CPU linalg).
// The matrices of an input of shape (outer..., R, mid..., C) with R at `axis` are addressed in
// place: matrix (o, m) starts at (o * R * MID + m) * C with row stride MID * C, so no transpose
// is needed for axis != -2; the products go through linalg::BatchedGemm (OpenBLAS).
#include <cstdint>
#include <memory>
#include <vector>

#include "ops/linalg_gemm.h"
#include "operator/linalg/gemm.h"
#include "operator/linalg/gemm_grad.h"
#include "operator/op.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

struct MatrixView {
  int axis = 0;
  int64_t outer = 1, mid = 1, rows = 0, cols = 0;
};

MatrixView ViewMatrices(const Shape& s, int axis_param, const char* what) {
  MX_CHECK(s.ndim() >= 2, ValueError) << "_linalg_gemm2: " << what
                                      << " must have at least 2 axes, got shape " << s;
  MatrixView v;
  v.axis = NormalizeAxis(axis_param, s.ndim(), "_linalg_gemm2");
  MX_CHECK(v.axis != s.ndim() - 1, ValueError)
      << "_linalg_gemm2: axis=" << axis_param << " must not be the last axis (the columns)";
  v.outer = s.ProdRange(0, v.axis);
  v.rows = s[v.axis];
  v.mid = s.ProdRange(v.axis + 1, s.ndim() - 1);
  v.cols = s[s.ndim() - 1];
  return v;
}

void InferGemm2(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<LinalgGemm2Param>(base);
  const Shape& a = io.in_shapes.at(0);
  const Shape& b = io.in_shapes.at(1);
  const MatrixView va = ViewMatrices(a, p.axis, "A");
  const MatrixView vb = ViewMatrices(b, p.axis, "B");
  bool batch_ok = a.ndim() == b.ndim();
  for (int i = 0; batch_ok && i < a.ndim() - 1; ++i)
    if (i != va.axis) batch_ok = a[i] == b[i];
  const int64_t m = p.transpose_a ? va.cols : va.rows, ka = p.transpose_a ? va.rows : va.cols;
  const int64_t kb = p.transpose_b ? vb.cols : vb.rows, n = p.transpose_b ? vb.rows : vb.cols;
  MX_CHECK(batch_ok && ka == kb, ValueError)
      << "_linalg_gemm2: incompatible shapes A " << a << " and B " << b
      << " (transpose_a=" << p.transpose_a << ", transpose_b=" << p.transpose_b
      << ", axis=" << p.axis << ")";
  MX_CHECK(io.in_types.at(0) == io.in_types.at(1), TypeError)
      << "_linalg_gemm2: A and B must have the same dtype, got " << DTypeName(io.in_types.at(0))
      << " and " << DTypeName(io.in_types.at(1));
  const DType t = io.in_types.at(0);
  MX_CHECK(t == DType::kFloat32 || t == DType::kFloat64, TypeError)
      << "_linalg_gemm2: dtype " << DTypeName(t) << " is not supported (float32, float64)";
  Shape out = a;
  out[va.axis] = m;
  out[a.ndim() - 1] = n;
  io.out_shapes = {out};
  io.out_types = {t};
}

template <typename T>
void Gemm2Typed(const LinalgGemm2Param& p, const OpContext& ctx, const TBlob& A, const TBlob& B,
                const TBlob& C, OpReq req) {
  const MatrixView va = ViewMatrices(A.shape, p.axis, "A");
  const MatrixView vb = ViewMatrices(B.shape, p.axis, "B");
  const MatrixView vc = ViewMatrices(C.shape, p.axis, "output");
  // The product goes to a scratch array laid out like the output; alpha and req apply after.
  const int64_t total = C.Size();
  std::unique_ptr<T[]> tmp(new T[static_cast<size_t>(total)]());
  linalg::GemmArgs g;
  g.trans_a = p.transpose_a;
  g.trans_b = p.transpose_b;
  g.m = vc.rows;
  g.n = vc.cols;
  g.k = p.transpose_a ? va.rows : va.cols;
  g.lda = va.mid * va.cols;
  g.ldb = vb.mid * vb.cols;
  g.ldc = vc.mid * vc.cols;
  for (int64_t o = 0; o < vc.outer; ++o) {
    g.a = A.ptr<T>() + o * va.rows * va.mid * va.cols;
    g.b = B.ptr<T>() + o * vb.rows * vb.mid * vb.cols;
    g.c = tmp.get() + o * vc.rows * vc.mid * vc.cols;
    linalg::BatchedGemm("_linalg_gemm2", C.dtype, g, vc.mid, va.cols, vb.cols, vc.cols,
                        ctx.nthreads);
  }
  T* out = C.ptr<T>();
  const T alpha = static_cast<T>(p.alpha);
  for (int64_t i = 0; i < total; ++i) StoreReq(req, out + i, alpha * tmp[i]);
}

void ForwardGemm2(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<LinalgGemm2Param>(base);
  if (out[0].dtype == DType::kFloat32) {
    Gemm2Typed<float>(p, ctx, in[0], in[1], out[0], req);
  } else {
    Gemm2Typed<double>(p, ctx, in[0], in[1], out[0], req);
  }
}

// dA, dB of alpha * op(A) op(B): the head gradient is scaled by alpha once (a scratch copy when
// alpha != 1), then each outer block's mid interleaved matrices go through ProductGrads.
template <typename T>
void Gemm2GradTyped(const LinalgGemm2Param& p, const OpContext& ctx, const TBlob& A,
                    const TBlob& B, const TBlob& G, const TBlob& dA, const TBlob& dB) {
  const MatrixView va = ViewMatrices(A.shape, p.axis, "A");
  const MatrixView vb = ViewMatrices(B.shape, p.axis, "B");
  const MatrixView vc = ViewMatrices(G.shape, p.axis, "output");
  const T* g = G.ptr<T>();
  std::unique_ptr<T[]> scaled;
  if (p.alpha != 1.0) {
    scaled.reset(new T[static_cast<size_t>(G.Size())]);
    const T alpha = static_cast<T>(p.alpha);
    for (int64_t i = 0; i < G.Size(); ++i) scaled[i] = alpha * g[i];
    g = scaled.get();
  }
  linalg::ProductGradArgs a;
  a.trans_a = p.transpose_a;
  a.trans_b = p.transpose_b;
  a.m = vc.rows;
  a.n = vc.cols;
  a.k = p.transpose_a ? va.rows : va.cols;
  a.lda = va.mid * va.cols;
  a.ldb = vb.mid * vb.cols;
  a.ldg = vc.mid * vc.cols;
  a.req_a = ReqAt(ctx, 0);
  a.req_b = ReqAt(ctx, 1);
  for (int64_t o = 0; o < vc.outer; ++o) {
    const int64_t oa = o * va.rows * va.mid * va.cols, ob = o * vb.rows * vb.mid * vb.cols;
    a.a = A.ptr<T>() + oa;
    a.b = B.ptr<T>() + ob;
    a.g = g + o * vc.rows * vc.mid * vc.cols;
    a.da = a.req_a == OpReq::kNull ? nullptr : dA.ptr<T>() + oa;
    a.db = a.req_b == OpReq::kNull ? nullptr : dB.ptr<T>() + ob;
    linalg::ProductGrads("_linalg_gemm2", G.dtype, a, vc.mid, va.cols, vb.cols, vc.cols,
                         ctx.nthreads);
  }
}

void BackwardGemm2(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                   std::span<const TBlob> in, std::span<const TBlob>,
                   std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<LinalgGemm2Param>(base);
  if (out_grads[0].dtype == DType::kFloat32) {
    Gemm2GradTyped<float>(p, ctx, in[0], in[1], out_grads[0], in_grads[0], in_grads[1]);
  } else {
    Gemm2GradTyped<double>(p, ctx, in[0], in[1], out_grads[0], in_grads[0], in_grads[1]);
  }
}

}  // namespace

MX_REGISTER_KERNEL(_linalg_gemm2, (OpKernel{.infer = InferGemm2, .forward = ForwardGemm2,
                                            .backward = BackwardGemm2}));

}  // namespace mixnet::op
