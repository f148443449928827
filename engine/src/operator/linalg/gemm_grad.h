// Gradients of C = op(A) * op(B) (dot, batch_dot, _linalg_gemm2) through the same GEMM helper as
// the forward: with A_ = op(A) (m x k), B_ = op(B) (k x n) and head gradient G (m x n),
//   dA_ = G B_^T  and  dB_ = A_^T G,
// written directly in A's and B's own storage layout (no transposed temporaries): e.g. for
// transpose_a, dA = B_ G^T. kAddTo is GEMM's accumulate (beta = 1); kNull skips the product.
#pragma once

#include <cstdint>

#include "common/dtype.h"
#include "operator/op.h"

namespace mixnet::op::linalg {

struct ProductGradArgs {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  const void* a = nullptr;  // as stored: (k x m) when trans_a else (m x k), row stride lda
  int64_t lda = 0;
  const void* b = nullptr;  // (n x k) when trans_b else (k x n), row stride ldb
  int64_t ldb = 0;
  const void* g = nullptr;  // m x n, row stride ldg
  int64_t ldg = 0;
  void* da = nullptr;       // laid out like a (row stride lda); nullptr/kNull: skipped
  void* db = nullptr;       // laid out like b (row stride ldb)
  OpReq req_a = OpReq::kNull, req_b = OpReq::kNull;
};

// `batch` products; matrix i of a/da starts at i * stride_a, of b/db at i * stride_b, of g at
// i * stride_g (elements).
void ProductGrads(const char* op_name, DType dtype, const ProductGradArgs& args, int64_t batch,
                  int64_t stride_a, int64_t stride_b, int64_t stride_g, int nthreads);

}  // namespace mixnet::op::linalg
