#include "operator/linalg/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "common/error.h"
#include "operator/parallel.h"

namespace mixnet::op::linalg {
namespace {

// Products up to this many multiply-adds run one matrix per task: for small matrices the batch
// is the only useful parallelism (and OpenBLAS would not thread them: m*n*k <= 65536 * 4).
constexpr int64_t kSmallGemmFlops = int64_t{65536} * 4;

// OpenBLAS always runs single-threaded on the calling thread; mixnet threads a large product
// itself by splitting it into one tile per granted thread on the OpenMP pool that oneDNN and the
// other kernels use. OpenBLAS's own pthread pool would otherwise spin (sched_yield) between
// calls and take cores from the next convolution, and its process-wide thread count would be
// shared by concurrent ops. With a fixed split per thread count the bits of every product are
// the same from run to run.
void PinBlasToOneThread() {
  static const bool once = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}

// Tile boundaries are multiples of this many rows/columns, so every tile keeps whole register
// blocks of the BLAS micro-kernel.
constexpr int64_t kTileAlign = 16;

template <typename T>
const T* At(const void* p, int64_t offset) {
  return static_cast<const T*>(p) + offset;
}

// Element (r, c) of op(X) for X stored row-major with stride ld.
template <typename T>
inline T OpAt(const T* x, int64_t ld, bool trans, int64_t r, int64_t c) {
  return trans ? x[c * ld + r] : x[r * ld + c];
}

void GemmF32(const GemmArgs& g, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans,
              g.trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(g.m), static_cast<int>(g.n),
              static_cast<int>(g.k), 1.0f, a, static_cast<int>(g.lda), b, static_cast<int>(g.ldb),
              g.accumulate ? 1.0f : 0.0f, c, static_cast<int>(g.ldc));
}

void GemmF64(const GemmArgs& g, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans,
              g.trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(g.m), static_cast<int>(g.n),
              static_cast<int>(g.k), 1.0, a, static_cast<int>(g.lda), b, static_cast<int>(g.ldb),
              g.accumulate ? 1.0 : 0.0, c, static_cast<int>(g.ldc));
}

// rows x cols matrix with row stride ld -> dense float32 copy.
template <typename T>
std::vector<float> ToFloat(const T* x, int64_t rows, int64_t cols, int64_t ld) {
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[r * cols + c] = static_cast<float>(x[r * ld + c]);
  return out;
}

// float16 / bfloat16: float32 GEMM on converted copies, rounded back once at the end.
template <typename T>
void GemmLowPrecision(const GemmArgs& g, const T* a, const T* b, T* c) {
  const int64_t a_rows = g.trans_a ? g.k : g.m, a_cols = g.trans_a ? g.m : g.k;
  const int64_t b_rows = g.trans_b ? g.n : g.k, b_cols = g.trans_b ? g.k : g.n;
  std::vector<float> fa = ToFloat(a, a_rows, a_cols, g.lda);
  std::vector<float> fb = ToFloat(b, b_rows, b_cols, g.ldb);
  std::vector<float> fc = g.accumulate ? ToFloat(c, g.m, g.n, g.ldc)
                                       : std::vector<float>(static_cast<size_t>(g.m * g.n));
  GemmArgs f = g;
  f.lda = a_cols;
  f.ldb = b_cols;
  f.ldc = g.n;
  GemmF32(f, fa.data(), fb.data(), fc.data());
  for (int64_t r = 0; r < g.m; ++r)
    for (int64_t j = 0; j < g.n; ++j) c[r * g.ldc + j] = T(fc[r * g.n + j]);
}

// An integer sign-extended to 64 bits, as unsigned so products and sums wrap.
template <typename T>
inline uint64_t AsWrapping(T x) {
  return static_cast<uint64_t>(static_cast<int64_t>(x));
}

// Integers: a straightforward i-k-j loop with 64-bit accumulators (unsigned arithmetic, so
// overflow wraps like the narrow type instead of being undefined).
template <typename T>
void GemmInteger(const GemmArgs& g, const T* a, const T* b, T* c) {
  std::vector<uint64_t> acc(static_cast<size_t>(g.n));
  for (int64_t i = 0; i < g.m; ++i) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t p = 0; p < g.k; ++p) {
      const uint64_t av = AsWrapping(OpAt(a, g.lda, g.trans_a, i, p));
      if (av == 0) continue;
      for (int64_t j = 0; j < g.n; ++j) acc[j] += av * AsWrapping(OpAt(b, g.ldb, g.trans_b, p, j));
    }
    T* row = c + i * g.ldc;
    for (int64_t j = 0; j < g.n; ++j) {
      const uint64_t prev = g.accumulate ? AsWrapping(row[j]) : 0;
      row[j] = static_cast<T>(acc[j] + prev);
    }
  }
}

void GemmOne(DType dtype, const GemmArgs& g) {
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0) {
    if (!g.accumulate) {
      const size_t es = DTypeSize(dtype);
      for (int64_t r = 0; r < g.m; ++r)
        std::fill_n(static_cast<char*>(g.c) + r * g.ldc * es, g.n * es, 0);
    }
    return;
  }
  switch (dtype) {
    case DType::kFloat32:
      GemmF32(g, At<float>(g.a, 0), At<float>(g.b, 0), static_cast<float*>(g.c));
      break;
    case DType::kFloat64:
      GemmF64(g, At<double>(g.a, 0), At<double>(g.b, 0), static_cast<double*>(g.c));
      break;
    case DType::kFloat16:
      GemmLowPrecision(g, At<half_t>(g.a, 0), At<half_t>(g.b, 0), static_cast<half_t*>(g.c));
      break;
    case DType::kBfloat16:
      GemmLowPrecision(g, At<bf16_t>(g.a, 0), At<bf16_t>(g.b, 0), static_cast<bf16_t*>(g.c));
      break;
    case DType::kUint8:
      GemmInteger(g, At<uint8_t>(g.a, 0), At<uint8_t>(g.b, 0), static_cast<uint8_t*>(g.c));
      break;
    case DType::kInt8:
      GemmInteger(g, At<int8_t>(g.a, 0), At<int8_t>(g.b, 0), static_cast<int8_t*>(g.c));
      break;
    case DType::kInt32:
      GemmInteger(g, At<int32_t>(g.a, 0), At<int32_t>(g.b, 0), static_cast<int32_t*>(g.c));
      break;
    case DType::kInt64:
      GemmInteger(g, At<int64_t>(g.a, 0), At<int64_t>(g.b, 0), static_cast<int64_t*>(g.c));
      break;
    default:
      break;  // rejected by BatchedGemm
  }
}

}  // namespace

void BatchedGemm(const char* op_name, DType dtype, const GemmArgs& args, int64_t batch,
                 int64_t stride_a, int64_t stride_b, int64_t stride_c, int nthreads) {
  MX_CHECK(dtype != DType::kBool, TypeError)
      << op_name << ": dtype bool is not supported (numeric dtypes only)";
  const int64_t dims[] = {args.m, args.n, args.k, args.lda, args.ldb, args.ldc};
  for (int64_t d : dims) {
    MX_CHECK(d <= INT_MAX, ValueError)
        << op_name << ": matrix dimension " << d << " exceeds the BLAS limit of " << INT_MAX;
  }
  const size_t es = DTypeSize(dtype);
  auto one = [&](int64_t i) {
    GemmArgs g = args;
    g.a = static_cast<const char*>(args.a) + i * stride_a * es;
    g.b = static_cast<const char*>(args.b) + i * stride_b * es;
    g.c = static_cast<char*>(args.c) + i * stride_c * es;
    GemmOne(dtype, g);
  };
  PinBlasToOneThread();
  const int64_t flops = args.m * args.n * args.k;
  if (batch > 1 && nthreads > 1 && flops <= kSmallGemmFlops) {
    const int64_t grain = std::max<int64_t>(1, kSmallGemmFlops / 4 / std::max<int64_t>(1, flops));
    ParallelFor(
        batch, nthreads,
        [&](int64_t b0, int64_t b1) {
          for (int64_t i = b0; i < b1; ++i) one(i);
        },
        grain);
    return;
  }
  const bool blas = dtype == DType::kFloat32 || dtype == DType::kFloat64;
  if (!blas || nthreads <= 1 || flops <= kSmallGemmFlops) {
    for (int64_t i = 0; i < batch; ++i) one(i);
    return;
  }
  // Split each product along its longer output side into one tile per thread.
  const bool split_rows = args.m >= args.n;
  const int64_t extent = split_rows ? args.m : args.n;
  const int64_t tiles = std::min<int64_t>(nthreads, std::max<int64_t>(1, extent / kTileAlign));
  const int64_t step = (extent + tiles - 1) / tiles;
  const int64_t tile = (step + kTileAlign - 1) / kTileAlign * kTileAlign;
  const int64_t ntiles = (extent + tile - 1) / tile;
  for (int64_t i = 0; i < batch; ++i) {
    const char* a0 = static_cast<const char*>(args.a) + i * stride_a * es;
    const char* b0 = static_cast<const char*>(args.b) + i * stride_b * es;
    char* c0 = static_cast<char*>(args.c) + i * stride_c * es;
    ParallelFor(
        ntiles, nthreads,
        [&](int64_t t0, int64_t t1) {
          for (int64_t t = t0; t < t1; ++t) {
            const int64_t lo = t * tile, len = std::min(tile, extent - lo);
            GemmArgs g = args;
            g.a = a0;
            g.b = b0;
            g.c = c0;
            if (split_rows) {  // rows lo.. of op(A) and of C
              g.m = len;
              g.a = a0 + (args.trans_a ? lo : lo * args.lda) * static_cast<int64_t>(es);
              g.c = c0 + lo * args.ldc * static_cast<int64_t>(es);
            } else {  // columns lo.. of op(B) and of C
              g.n = len;
              g.b = b0 + (args.trans_b ? lo * args.ldb : lo) * static_cast<int64_t>(es);
              g.c = c0 + lo * static_cast<int64_t>(es);
            }
            GemmOne(dtype, g);
          }
        },
        1);
  }
}

}  // namespace mixnet::op::linalg
