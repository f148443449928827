// Row-major matrix products for the linalg ops: float32/float64 through OpenBLAS
// (cblas_sgemm/dgemm, with the scheduler's thread budget), float16/bfloat16 through float32
// buffers, integer types through a plain loop with int64 accumulation (wrapping like the type).
#pragma once

#include <cstdint>

#include "common/dtype.h"

namespace mixnet::op::linalg {

// One product C = op(A) * op(B) (+ C when accumulate). A is stored row-major as (K x M) when
// trans_a else (M x K), with row stride lda; likewise B as (N x K) when trans_b else (K x N);
// C is (M x N) with row stride ldc. Any of M, N, K may be 0.
struct GemmArgs {
  bool trans_a = false;
  bool trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  const void* a = nullptr;
  int64_t lda = 0;
  const void* b = nullptr;
  int64_t ldb = 0;
  void* c = nullptr;
  int64_t ldc = 0;
  bool accumulate = false;
};

// Runs `batch` products; matrix i starts at a + i * stride_a elements (likewise b, c). Small
// products are spread over nthreads one matrix per task; large ones are split into one tile per
// thread, each a single-threaded BLAS call (see gemm.cc for why BLAS never threads itself).
// Throws TypeError naming op_name for dtypes without a product (bool).
void BatchedGemm(const char* op_name, DType dtype, const GemmArgs& args, int64_t batch,
                 int64_t stride_a, int64_t stride_b, int64_t stride_c, int nthreads);

}  // namespace mixnet::op::linalg
