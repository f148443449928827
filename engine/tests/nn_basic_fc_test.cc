// FullyConnected: values against plain loops (bias / no bias, flatten on and off, float32 and
// float64, req kAddTo), shape errors, MXNet 1.9.1's ops.json cases for the whole nn_basic family,
// and numeric gradient checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "grad_check_util.h"
#include "nn_basic_test_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

// y[r, h] = sum_k x[r, k] * w[h, k] + b[h]
std::vector<double> FcReference(const std::vector<double>& x, const std::vector<double>& w,
                                const std::vector<double>* b, int64_t rows, int64_t k,
                                int64_t h) {
  std::vector<double> y(static_cast<size_t>(rows * h));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < h; ++j) {
      double s = b ? (*b)[j] : 0.0;
      for (int64_t q = 0; q < k; ++q) s += x[r * k + q] * w[j * k + q];
      y[r * h + j] = s;
    }
  return y;
}

TEST(NnBasicFullyConnected, BiasAndNoBiasBothDtypes) {
  for (DType dt : {DType::kFloat32, DType::kFloat64}) {
    NDArray x = RandomArray({3, 2, 2}, dt, -1, 1, 1);
    NDArray w = RandomArray({5, 4}, dt, -1, 1, 2);
    NDArray b = RandomArray({5}, dt, -1, 1, 3);
    const auto xv = ValuesAsDouble(x), wv = ValuesAsDouble(w), bv = ValuesAsDouble(b);
    const double tol = dt == DType::kFloat64 ? 1e-12 : 1e-5;
    NDArray y = Run1("FullyConnected", {x, w, b}, {{"num_hidden", "5"}});
    EXPECT_EQ(y.shape(), (Shape{3, 5}));
    EXPECT_EQ(y.dtype(), dt);
    ExpectAllClose(AsDoubles(y), FcReference(xv, wv, &bv, 3, 4, 5), tol, tol, "bias");
    NDArray y2 = Run1("FullyConnected", {x, w}, {{"num_hidden", "5"}, {"no_bias", "True"}});
    ExpectAllClose(AsDoubles(y2), FcReference(xv, wv, nullptr, 3, 4, 5), tol, tol, "no_bias");
  }
}

TEST(NnBasicFullyConnected, FlattenFalseUsesLastAxis) {
  NDArray x = RandomArray({2, 3, 4}, DType::kFloat64, -1, 1, 4);
  NDArray w = RandomArray({6, 4}, DType::kFloat64, -1, 1, 5);
  NDArray b = RandomArray({6}, DType::kFloat64, -1, 1, 6);
  const auto bv = ValuesAsDouble(b);
  NDArray y = Run1("FullyConnected", {x, w, b}, {{"num_hidden", "6"}, {"flatten", "False"}});
  EXPECT_EQ(y.shape(), (Shape{2, 3, 6}));
  ExpectAllClose(AsDoubles(y), FcReference(ValuesAsDouble(x), ValuesAsDouble(w), &bv, 6, 4, 6),
                 1e-12, 1e-12, "flatten=False");
  // A 1-d input with flatten: one row per element, K = 1.
  NDArray v = Array<float>({3}, {1, 2, 3});
  NDArray w1 = Array<float>({2, 1}, {2, -1});
  EXPECT_EQ(Values<float>(Run1("FullyConnected", {v, w1}, {{"num_hidden", "2"}, {"no_bias", "1"}})),
            (std::vector<float>{2, -1, 4, -2, 6, -3}));
}

TEST(NnBasicFullyConnected, AddToAndLargeProduct) {
  // Large enough for a multi-threaded BLAS call; kAddTo through the raw kernel.
  const int64_t rows = 64, k = 96, h = 80;
  NDArray x = RandomArray({rows, k}, DType::kFloat32, -1, 1, 7);
  NDArray w = RandomArray({h, k}, DType::kFloat32, -1, 1, 8);
  NDArray b = RandomArray({h}, DType::kFloat32, -1, 1, 9);
  auto xv = Values<float>(x), wv = Values<float>(w), bv = Values<float>(b);
  std::vector<float> out(static_cast<size_t>(rows * h), 1.0f);
  RunKernel("FullyConnected", {{"num_hidden", "80"}},
            {BlobOf(xv, {rows, k}), BlobOf(wv, {h, k}), BlobOf(bv, {h})},
            {BlobOf(out, {rows, h})}, op::OpReq::kAddTo, 2);
  const auto bd = ValuesAsDouble(b);
  std::vector<double> want = FcReference(ValuesAsDouble(x), ValuesAsDouble(w), &bd, rows, k, h);
  for (double& v : want) v += 1.0;
  ExpectAllClose(std::vector<double>(out.begin(), out.end()), want, 1e-4, 1e-4, "kAddTo");
}

TEST(NnBasicFullyConnected, ShapeAndDtypeErrors) {
  NDArray x = Array<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  NDArray w = Array<float>({4, 2}, std::vector<float>(8, 1));
  const Attrs four_no_bias{{"num_hidden", "4"}, {"no_bias", "1"}};
  auto e = CatchError([&] { Run1("FullyConnected", {x, w}, four_no_bias); });
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("expected (4, 3)"), std::string::npos) << e.second;
  EXPECT_NE(e.second.find("got (4, 2)"), std::string::npos) << e.second;
  NDArray w3 = Array<float>({4, 3}, std::vector<float>(12, 1));
  NDArray bad_b = Array<float>({3}, {1, 2, 3});
  e = CatchError([&] { Run1("FullyConnected", {x, w3, bad_b}, {{"num_hidden", "4"}}); });
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("bias"), std::string::npos) << e.second;
  EXPECT_NE(e.second.find("(3,)"), std::string::npos) << e.second;
  // Missing bias input, wrong dtype, bad num_hidden.
  EXPECT_EQ(CatchError([&] { Run1("FullyConnected", {x, w3}, {{"num_hidden", "4"}}); }).first,
            ErrorKind::kValueError);
  NDArray xd = Array<double>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(CatchError([&] { Run1("FullyConnected", {xd, w3}, four_no_bias); }).first,
            ErrorKind::kTypeError);
  EXPECT_EQ(CatchError([&] {
              Run1("FullyConnected", {x, w3}, {{"num_hidden", "0"}, {"no_bias", "1"}});
            }).first,
            ErrorKind::kValueError);
}

TEST(NnBasicFullyConnected, ZeroBatch) {
  NDArray x(Shape{0, 3}, Context::CPU(), DType::kFloat32);
  NDArray w = Array<float>({2, 3}, std::vector<float>(6, 1));
  NDArray y = Run1("FullyConnected", {x, w}, {{"num_hidden", "2"}, {"no_bias", "1"}});
  EXPECT_EQ(y.shape(), (Shape{0, 2}));
  // No rows: the weight gradient is zero, the bias gradient too.
  auto g = Backward("FullyConnected", {{"num_hidden", "2"}, {"no_bias", "1"}}, {x, w},
                    NDArray(Shape{0, 2}, Context::CPU(), DType::kFloat32));
  EXPECT_EQ(Values<float>(g[1]), std::vector<float>(6, 0.0f));
  // K = 0: the product is empty and the output is the bias.
  NDArray x0(Shape{2, 0}, Context::CPU(), DType::kFloat32);
  NDArray w0(Shape{2, 0}, Context::CPU(), DType::kFloat32);
  NDArray b = Array<float>({2}, {3, 4});
  EXPECT_EQ(Values<float>(Run1("FullyConnected", {x0, w0, b}, {{"num_hidden", "2"}})),
            (std::vector<float>{3, 4, 3, 4}));
  // Other ops of the family on empty arrays.
  NDArray e(Shape{0, 3}, Context::CPU(), DType::kFloat32);
  EXPECT_EQ(Run1("Embedding", {e, w}, {{"input_dim", "2"}, {"output_dim", "3"}}).shape(),
            (Shape{0, 3, 3}));
  EXPECT_EQ(Run1("SequenceMask", {NDArray(Shape{3, 0}, Context::CPU(), DType::kFloat32)}).shape(),
            (Shape{3, 0}));
  EXPECT_EQ(Run1("add_n", {e, e}).shape(), (Shape{0, 3}));
  EXPECT_EQ(Run1("UpSampling", {NDArray(Shape{0, 1, 2, 2}, Context::CPU(), DType::kFloat32)},
                 {{"scale", "2"}, {"sample_type", "nearest"}}).shape(),
            (Shape{0, 1, 4, 4}));
}

// Every ops.json case of the family: FullyConnected (3), Embedding, SequenceMask, UpSampling,
// add_n.
TEST(NnBasicFamily, OpsJsonCasesMatch) { EXPECT_EQ(family_cases::RunFamilyCases("nn_basic"), 7); }

GRAD_TEST(NnBasicFullyConnectedGrad, AllInputs, "FullyConnected") {
  CheckGradient({.op = "FullyConnected", .attrs = {{"num_hidden", "3"}},
                 .inputs = {RandomArray({2, 2, 2}, DType::kFloat64, -1, 1, 11),
                            RandomArray({3, 4}, DType::kFloat64, -1, 1, 12),
                            RandomArray({3}, DType::kFloat64, -1, 1, 13)}});
  CheckGradient({.op = "FullyConnected", .attrs = {{"num_hidden", "2"}, {"flatten", "False"},
                                                   {"no_bias", "True"}},
                 .inputs = {RandomArray({2, 3, 4}, DType::kFloat64, -1, 1, 14),
                            RandomArray({2, 4}, DType::kFloat64, -1, 1, 15)}});
  CheckGradient({.op = "FullyConnected", .attrs = {{"num_hidden", "3"}},
                 .inputs = {RandomArray({2, 4}, DType::kFloat32, -1, 1, 16),
                            RandomArray({3, 4}, DType::kFloat32, -1, 1, 17),
                            RandomArray({3}, DType::kFloat32, -1, 1, 18)}});
}

}  // namespace
}  // namespace mixnet::test
