// multi_sgd_update: two steps on three weights of different shapes, in place (out=the weights,
// as MXNet's optimizers call it) and into fresh outputs, against a reference loop written here
// from sgd_update's documented formula with per-weight lr and wd; bad counts and shapes are
// ValueErrors naming the op.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "grad_check_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

double F(float v) { return static_cast<double>(v); }
double ClipRef(double x, double c) { return c < 0 ? x : std::max(-c, std::min(c, x)); }

const std::vector<Shape> kShapes = {Shape{2, 3}, Shape{4}, Shape{1, 2, 2}};

std::vector<double> Fill(size_t n, double phase, double scale) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(phase + 1.3 * i) * scale;
  return v;
}

// Runs two steps with lrs=(0.1, 0.05, 0.2), wds=(0.01, 0, 0.1), rescale_grad=0.5,
// clip_gradient=1 (the gradients are large enough for some to be clipped).
void CheckTwoSteps(DType dt, bool in_place) {
  const std::vector<double> lrs = {F(0.1f), F(0.05f), F(0.2f)};
  const std::vector<double> wds = {F(0.01f), 0.0, F(0.1f)};
  const double rg = F(0.5f), clip = F(1.0f);
  const Attrs attrs{{"lrs", "(0.1, 0.05, 0.2)"},
                    {"wds", "(0.01, 0.0, 0.1)"},
                    {"rescale_grad", "0.5"},
                    {"clip_gradient", "1"},
                    {"num_weights", "3"}};
  std::vector<NDArray> w;
  std::vector<std::vector<double>> rw;
  for (size_t k = 0; k < kShapes.size(); ++k) {
    rw.push_back(Fill(kShapes[k].Size(), 0.3 * k, 1.5));
    w.push_back(ArrayFromDoubles(kShapes[k], dt, rw.back()));
    rw.back() = ValuesAsDouble(w.back());  // as stored (float32 rounding)
  }
  const double tol = dt == DType::kFloat64 ? 1e-12 : 2e-6;
  for (int step = 0; step < 2; ++step) {
    std::vector<NDArray> inputs;
    std::vector<std::vector<double>> g;
    for (size_t k = 0; k < kShapes.size(); ++k) {
      inputs.push_back(w[k]);
      inputs.push_back(ArrayFromDoubles(kShapes[k], dt, Fill(kShapes[k].Size(), step + k, 4.0)));
      g.push_back(ValuesAsDouble(inputs.back()));
    }
    std::vector<NDArray> outs =
        op::Invoke("multi_sgd_update", inputs, attrs, in_place ? w : std::vector<NDArray>{});
    ASSERT_EQ(outs.size(), kShapes.size());
    for (size_t k = 0; k < kShapes.size(); ++k) {
      EXPECT_EQ(outs[k].shape(), kShapes[k]);
      EXPECT_EQ(outs[k].dtype(), dt);
      for (size_t i = 0; i < rw[k].size(); ++i)
        rw[k][i] = (1 - lrs[k] * wds[k]) * rw[k][i] - lrs[k] * ClipRef(rg * g[k][i], clip);
      const std::string what = "step " + std::to_string(step) + " weight " + std::to_string(k);
      ExpectAllClose(ValuesAsDouble(outs[k]), rw[k], tol, tol, what);
      if (in_place) EXPECT_EQ(outs[k].data(), w[k].data()) << what;
    }
    if (!in_place) w = outs;  // next step from the new weights
  }
}

TEST(OptimizerMultiSgd, InPlaceTwoStepsFloat64) { CheckTwoSteps(DType::kFloat64, true); }
TEST(OptimizerMultiSgd, InPlaceTwoStepsFloat32) { CheckTwoSteps(DType::kFloat32, true); }
TEST(OptimizerMultiSgd, FreshOutputsTwoSteps) { CheckTwoSteps(DType::kFloat64, false); }

TEST(OptimizerMultiSgd, FreshOutputLeavesWeightsAndDefaults) {
  // num_weights left out is filled in from the input count; no clipping, rescale 1.
  NDArray w0 = Array<float>({2}, {1, 2});
  NDArray g0 = Array<float>({2}, {1, -4});
  NDArray w1 = Array<float>({1}, {3});
  NDArray g1 = Array<float>({1}, {2});
  std::vector<NDArray> outs = op::Invoke("multi_sgd_update", std::vector<NDArray>{w0, g0, w1, g1},
                                         Attrs{{"lrs", "(0.5, 0.25)"}, {"wds", "(0, 0.5)"}});
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(Values<float>(outs[0]), (std::vector<float>{0.5f, 4.0f}));
  EXPECT_EQ(Values<float>(outs[1]), (std::vector<float>{(1 - 0.125f) * 3 - 0.5f}));
  EXPECT_EQ(Values<float>(w0), (std::vector<float>{1, 2}));
  EXPECT_EQ(Values<float>(w1), (std::vector<float>{3}));
}

TEST(OptimizerMultiSgd, ZeroSizeWeight) {
  NDArray w0 = Array<float>({0, 3}, {});
  NDArray w1 = Array<float>({1}, {1});
  std::vector<NDArray> outs =
      op::Invoke("multi_sgd_update", std::vector<NDArray>{w0, w0, w1, w1},
                 Attrs{{"lrs", "(0.5, 0.5)"}, {"wds", "(0, 0)"}}, std::vector<NDArray>{w0, w1});
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].shape(), (Shape{0, 3}));
  EXPECT_EQ(Values<float>(w1), (std::vector<float>{0.5f}));
}

TEST(OptimizerMultiSgd, Errors) {
  NDArray a = Array<float>({2, 2}, {1, 2, 3, 4});
  NDArray b = Array<float>({4}, {1, 2, 3, 4});
  auto run = [&](std::vector<NDArray> in, const Attrs& attrs) {
    return CatchError([&] { op::Invoke("multi_sgd_update", in, attrs); });
  };
  auto expect = [](const std::pair<ErrorKind, std::string>& e, ErrorKind kind,
                   std::vector<std::string> parts) {
    EXPECT_EQ(e.first, kind) << e.second;
    for (const std::string& s : parts) EXPECT_NE(e.second.find(s), std::string::npos) << e.second;
  };
  // lrs / wds length != num_weights.
  expect(run({a, a, b, b}, {{"lrs", "(0.1,)"}, {"wds", "(0, 0)"}}), ErrorKind::kValueError,
         {"multi_sgd_update", "lrs", "2"});
  expect(run({a, a, b, b}, {{"lrs", "(0.1, 0.1)"}, {"wds", "(0, 0, 0)"}}),
         ErrorKind::kValueError, {"multi_sgd_update", "wds", "2"});
  // Weight/grad shape mismatch names the index and both shapes.
  expect(run({a, a, a, b}, {{"lrs", "(0.1, 0.1)"}, {"wds", "(0, 0)"}}), ErrorKind::kValueError,
         {"multi_sgd_update", "grad 1", "(4,)", "(2, 2)"});
  // num_weights disagreeing with the inputs, an odd input count, no inputs.
  expect(run({a, a, b, b}, {{"lrs", "(0.1,)"}, {"wds", "(0,)"}, {"num_weights", "1"}}),
         ErrorKind::kValueError, {"multi_sgd_update", "num_weights"});
  expect(run({a, a, b}, {{"lrs", "(0.1,)"}, {"wds", "(0,)"}}), ErrorKind::kValueError,
         {"multi_sgd_update"});
  EXPECT_EQ(run({}, {{"lrs", "()"}, {"wds", "()"}}).first, ErrorKind::kValueError);
  // lrs and wds are required.
  EXPECT_NE(run({a, a}, {{"lrs", "(0.1,)"}}).first, ErrorKind::kInternal);
  // Dtypes: integer weights, mixed dtypes.
  NDArray i = Array<int32_t>({2}, {1, 2});
  EXPECT_EQ(run({i, i}, {{"lrs", "(0.1,)"}, {"wds", "(0,)"}}).first, ErrorKind::kTypeError);
  NDArray d = Array<double>({4}, {1, 2, 3, 4});
  expect(run({a, a, b, d}, {{"lrs", "(0.1, 0.1)"}, {"wds", "(0, 0)"}}), ErrorKind::kTypeError,
         {"multi_sgd_update", "grad 1"});
  // Outputs given must be one per weight.
  EXPECT_EQ(CatchError([&] {
              op::Invoke("multi_sgd_update", std::vector<NDArray>{a, a, b, b},
                         Attrs{{"lrs", "(0.1, 0.1)"}, {"wds", "(0, 0)"}}, std::vector<NDArray>{a});
            }).first,
            ErrorKind::kValueError);
}

}  // namespace
}  // namespace mixnet::test
