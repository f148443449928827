// Dropout: the kept fraction (statistically, fixed seed), the 1/(1-p) scaling, broadcasting the
// mask along `axes`, identity in predict mode, p = 0 and p = 1, reproducibility under a seed,
// numeric gradient checks (fixed seed so that every evaluation draws the same mask) and bad
// input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "elemwise_test_util.h"
#include "grad_check_util.h"
#include "operator/imperative.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

struct TrainScope {
  bool prev;
  explicit TrainScope(bool on) : prev(autograd::SetTraining(on)) {}
  ~TrainScope() { autograd::SetTraining(prev); }
};

// Output and mask of one call.
std::pair<std::vector<double>, std::vector<double>> Drop(const NDArray& x, const Attrs& attrs,
                                                         bool train, uint64_t seed = 7,
                                                         Shape* mask_shape = nullptr) {
  TrainScope scope(train);
  op::SeedRandom(seed);
  op::InvokeResult r = op::InvokeAll(*op::FindOp("Dropout"), std::vector<NDArray>{x}, attrs);
  EXPECT_EQ(r.num_visible, 1u);
  EXPECT_EQ(r.outputs.size(), 2u);
  if (mask_shape != nullptr) *mask_shape = r.outputs[1].shape();
  return {AsDoubles(r.outputs[0]), AsDoubles(r.outputs[1])};
}

// Dropout's visible output (a free function: inside a TEST body `Run` is gtest's member).
NDArray RunOp1(const NDArray& x, const Attrs& attrs) { return Run1("Dropout", {x}, attrs); }

NDArray Ones(const Shape& s, DType t = DType::kFloat32) {
  return ArrayFromDoubles(s, t, std::vector<double>(static_cast<size_t>(s.Size()), 1.0));
}

TEST(NnNormDropout, KeptFractionAndScale) {
  const int64_t n = 100000;
  for (double p : {0.3, 0.5, 0.9}) {
    SCOPED_TRACE(p);
    const std::string ps = std::to_string(p);
    auto [y, mask] = Drop(Ones({n}), {{"p", ps}}, true);
    int64_t kept = 0;
    const double scale = 1 / (1 - p);
    for (double v : y) {
      if (v != 0) {
        ++kept;
        EXPECT_NEAR(v, scale, 1e-5 * scale);
      }
    }
    // Binomial(n, 1 - p): 5 standard deviations.
    const double frac = static_cast<double>(kept) / n, sd = std::sqrt(p * (1 - p) / n);
    EXPECT_NEAR(frac, 1 - p, 5 * sd);
    EXPECT_EQ(mask, y);  // data of ones: the output is the mask
  }
}

TEST(NnNormDropout, OutputIsDataTimesMask) {
  NDArray x = RandomArray({7, 9}, DType::kFloat64, -2, 2, 3);
  const std::vector<double> xv = AsDoubles(x);
  auto [y, mask] = Drop(x, {{"p", "0.4"}}, true);
  for (size_t i = 0; i < y.size(); ++i) {
    const double scale = 1 / (1 - static_cast<double>(0.4f));  // p is a float32 parameter
    EXPECT_TRUE(mask[i] == 0 || std::fabs(mask[i] - scale) < 1e-12) << mask[i];
    EXPECT_DOUBLE_EQ(y[i], xv[i] * mask[i]);
  }
}

TEST(NnNormDropout, PredictModeIsIdentity) {
  NDArray x = RandomArray({3, 4}, DType::kFloat32, -2, 2, 3);
  auto [y, mask] = Drop(x, {{"p", "0.7"}}, false);
  EXPECT_EQ(y, AsDoubles(x));
  EXPECT_EQ(mask, std::vector<double>(12, 1.0));
  EXPECT_EQ(AsDoubles(RunOp1(x, {})), AsDoubles(x));
  // mode=always drops in predict mode too.
  auto [ya, ma] = Drop(Ones({1000}), {{"p", "0.5"}, {"mode", "always"}}, false);
  int zeros = 0;
  for (double v : ya) zeros += v == 0;
  EXPECT_GT(zeros, 400);
  EXPECT_LT(zeros, 600);
}

TEST(NnNormDropout, PZeroAndPOne) {
  NDArray x = RandomArray({50}, DType::kFloat32, -2, 2, 3);
  EXPECT_EQ(Drop(x, {{"p", "0"}}, true).first, AsDoubles(x));
  EXPECT_EQ(Drop(x, {{"p", "1"}}, true).first, std::vector<double>(50, 0.0));
}

TEST(NnNormDropout, AxesShareOneDraw) {
  Shape ms;
  auto [y, mask] = Drop(Ones({4, 50, 6}), {{"p", "0.5"}, {"axes", "(1,)"}}, true, 9, &ms);
  EXPECT_EQ(ms, Shape({4, 1, 6}));
  int kept_rows = 0;
  for (int i = 0; i < 4; ++i) {
    for (int k = 0; k < 6; ++k) {
      const double first = y[(i * 50) * 6 + k];
      for (int j = 0; j < 50; ++j) EXPECT_EQ(y[(i * 50 + j) * 6 + k], first);
      EXPECT_EQ(first, mask[i * 6 + k]);
      kept_rows += first != 0;
    }
  }
  EXPECT_GT(kept_rows, 0);
  EXPECT_LT(kept_rows, 24);
  // Several axes, negative ones included.
  Shape ms2;
  auto [y2, m2] = Drop(Ones({3, 4, 5}), {{"p", "0.5"}, {"axes", "(0, -1)"}}, true, 9, &ms2);
  EXPECT_EQ(ms2, Shape({1, 4, 1}));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 5; ++k) EXPECT_EQ(y2[(i * 4 + j) * 5 + k], m2[j]);
}

TEST(NnNormDropout, SeedMakesItReproducible) {
  NDArray x = Ones({200});
  EXPECT_EQ(Drop(x, {}, true, 5).first, Drop(x, {}, true, 5).first);
  EXPECT_NE(Drop(x, {}, true, 5).first, Drop(x, {}, true, 6).first);
}

TEST(NnNormDropout, HalfPrecisionAndZeroSize) {
  auto [y, mask] = Drop(Ones({64}, DType::kFloat16), {{"p", "0.5"}}, true);
  for (double v : y) EXPECT_TRUE(v == 0 || v == 2) << v;
  NDArray empty(Shape({0, 3}), Context::CPU(), DType::kFloat32);
  EXPECT_EQ(Drop(empty, {}, true).first.size(), 0u);
}

TEST(NnNormDropout, BadInput) {
  NDArray x = Ones({2, 3});
  auto e = Catch([&] { RunOp1(x, {{"axes", "(2,)"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "Dropout") && Contains(e, "(2, 3)")) << e.what();
  EXPECT_EQ(Catch([&] { RunOp1(x, {{"p", "1.5"}}); }).kind(), ErrorKind::kValueError);
  EXPECT_EQ(Catch([&] { RunOp1(x, {{"mode", "sometimes"}}); }).kind(), ErrorKind::kValueError);
  EXPECT_EQ(Catch([&] { RunOp1(Array<int32_t>({2}, {1, 2}), {}); }).kind(), ErrorKind::kTypeError);
}

GRAD_TEST(NnNormDropoutGrad, Dropout, "Dropout") {
  CheckGradient({.op = "Dropout", .attrs = {{"p", "0.4"}},
                 .inputs = {RandomArray({4, 5}, DType::kFloat64, -1, 1, 51)},
                 .is_train = true, .seed = 3});
  CheckGradient({.op = "Dropout", .attrs = {{"p", "0.5"}, {"axes", "(0,)"}},
                 .inputs = {RandomArray({3, 4, 2}, DType::kFloat64, -1, 1, 52)},
                 .is_train = true, .seed = 4});
  CheckGradient({.op = "Dropout", .attrs = {{"p", "0.5"}},
                 .inputs = {RandomArray({3, 4}, DType::kFloat64, -1, 1, 53)}});  // predict
  CheckGradient({.op = "Dropout", .attrs = {{"p", "0.3"}},
                 .inputs = {RandomArray({3, 4}, DType::kFloat32, -1, 1, 54)},
                 .is_train = true, .seed = 5});
}

}  // namespace
}  // namespace mixnet::test
