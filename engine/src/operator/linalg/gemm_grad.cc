#include "operator/linalg/gemm_grad.h"

#include "operator/linalg/gemm.h"

namespace mixnet::op::linalg {

void ProductGrads(const char* op_name, DType dtype, const ProductGradArgs& p, int64_t batch,
                  int64_t stride_a, int64_t stride_b, int64_t stride_g, int nthreads) {
  if (p.req_a != OpReq::kNull && p.da != nullptr) {
    GemmArgs g;
    int64_t sa = stride_g, sb = stride_b;  // strides of the product's own a and b
    if (!p.trans_a) {  // dA (m x k) = G (m x n) * B_^T
      g.trans_a = false;
      g.a = p.g;
      g.lda = p.ldg;
      g.trans_b = !p.trans_b;
      g.b = p.b;
      g.ldb = p.ldb;
      g.m = p.m, g.n = p.k, g.k = p.n;
    } else {  // dA (k x m) = B_ (k x n) * G^T
      g.trans_a = p.trans_b;
      g.a = p.b;
      g.lda = p.ldb;
      g.trans_b = true;
      g.b = p.g;
      g.ldb = p.ldg;
      g.m = p.k, g.n = p.m, g.k = p.n;
      sa = stride_b, sb = stride_g;
    }
    g.c = p.da;
    g.ldc = p.lda;
    g.accumulate = p.req_a == OpReq::kAddTo;
    BatchedGemm(op_name, dtype, g, batch, sa, sb, stride_a, nthreads);
  }
  if (p.req_b != OpReq::kNull && p.db != nullptr) {
    GemmArgs g;
    int64_t sa = stride_a, sb = stride_g;
    if (!p.trans_b) {  // dB (k x n) = A_^T (k x m) * G (m x n)
      g.trans_a = !p.trans_a;
      g.a = p.a;
      g.lda = p.lda;
      g.trans_b = false;
      g.b = p.g;
      g.ldb = p.ldg;
      g.m = p.k, g.n = p.n, g.k = p.m;
    } else {  // dB (n x k) = G^T (n x m) * A_ (m x k)
      g.trans_a = true;
      g.a = p.g;
      g.lda = p.ldg;
      g.trans_b = p.trans_a;
      g.b = p.a;
      g.ldb = p.lda;
      g.m = p.n, g.n = p.k, g.k = p.m;
      sa = stride_g, sb = stride_a;
    }
    g.c = p.db;
    g.ldc = p.ldb;
    g.accumulate = p.req_b == OpReq::kAddTo;
    BatchedGemm(op_name, dtype, g, batch, sa, sb, stride_b, nthreads);
  }
}

}  // namespace mixnet::op::linalg
