// linalg_gemm family: _linalg_gemm2 against a triple loop written here (transposes, alpha, a
// row axis other than -2), errors, req add-to, and the ops.json case.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

std::vector<double> RandomValues(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1, 1);
  std::vector<double> v(n);
  for (double& x : v) x = dist(gen);
  return v;
}

TEST(LinalgGemmOps, TransposesAndAlphaMatchReference) {
  const int B = 2, M = 3, K = 4, N = 5;
  std::vector<double> a = RandomValues(B * K * M, 1), b = RandomValues(B * N * K, 2);
  // A stored transposed (B, K, M), B stored transposed (B, N, K).
  NDArray y = Run1("_linalg_gemm2", {Array<double>({B, K, M}, a), Array<double>({B, N, K}, b)},
                   {{"transpose_a", "True"}, {"transpose_b", "True"}, {"alpha", "-2"}});
  ASSERT_EQ(y.shape(), Shape({B, M, N}));
  std::vector<double> got = Values<double>(y);
  for (int t = 0; t < B; ++t)
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        double s = 0;
        for (int k = 0; k < K; ++k) s += a[(t * K + k) * M + i] * b[(t * N + j) * K + k];
        EXPECT_NEAR(got[(t * M + i) * N + j], -2 * s, 1e-12);
      }
}

TEST(LinalgGemmOps, RowAxisZero) {
  // Rows on axis 0, a batch axis in the middle: A (M, B, K), B (K, B, N) -> (M, B, N).
  const int M = 2, Bt = 3, K = 4, N = 2;
  std::vector<double> a = RandomValues(M * Bt * K, 3), b = RandomValues(K * Bt * N, 4);
  NDArray y = Run1("linalg_gemm2", {Array<double>({M, Bt, K}, a), Array<double>({K, Bt, N}, b)},
                   {{"axis", "0"}});
  ASSERT_EQ(y.shape(), Shape({M, Bt, N}));
  std::vector<double> got = Values<double>(y);
  for (int i = 0; i < M; ++i)
    for (int t = 0; t < Bt; ++t)
      for (int j = 0; j < N; ++j) {
        double s = 0;
        for (int k = 0; k < K; ++k) s += a[(i * Bt + t) * K + k] * b[(k * Bt + t) * N + j];
        EXPECT_NEAR(got[(i * Bt + t) * N + j], s, 1e-12);
      }
}

TEST(LinalgGemmOps, ErrorsAndAddTo) {
  NDArray a = Array<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto [kind, msg] = CatchError([&] { Run1("_linalg_gemm2", {a, a}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
  NDArray i = Array<int32_t>({1, 1}, {1});
  EXPECT_EQ(CatchError([&] { Run1("_linalg_gemm2", {i, i}); }).first, ErrorKind::kTypeError);
  std::vector<float> x{1, 2, 3, 4}, id{1, 0, 0, 1}, out{10, 10, 10, 10};
  RunKernel("_linalg_gemm2", {{"alpha", "0.5"}}, {BlobOf(x, Shape{2, 2}), BlobOf(id, Shape{2, 2})},
            {BlobOf(out, Shape{2, 2})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{10.5, 11, 11.5, 12}));
}

TEST(LinalgGemmOps, OpsJsonCasesMatch) {
  EXPECT_EQ(family_cases::RunFamilyCases("linalg_gemm"), 1);
}

}  // namespace
}  // namespace mixnet::test
