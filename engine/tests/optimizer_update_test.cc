// Optimizer updates: three steps of each op, in place (out=weight) as the optimizers call them,
// against reference loops written here from Apache MXNet 1.x's documented formulas, with weight
// decay, rescaling and clipping; state arrays must be updated in place; bad shapes are errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "grad_check_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

// Parameters as the kernels see them (float32 attributes), widened.
double F(float v) { return static_cast<double>(v); }
double ClipRef(double x, double c) { return c < 0 ? x : std::max(-c, std::min(c, x)); }

const std::vector<double> kW0 = {0.5, -1.0, 2.0, 0.25, -0.75, 1.5};
// Per step gradients, one large enough to be clipped.
std::vector<double> GradAt(int step) {
  std::vector<double> g(kW0.size());
  for (size_t i = 0; i < g.size(); ++i)
    g[i] = std::sin(1.0 + i + 3.0 * step) * (i == 2 ? 5.0 : 1.0);
  return g;
}

// One reference step: updates w and the states in place from gradient g.
using RefStep = std::function<void(std::vector<double>& w, std::vector<std::vector<double>>& s,
                                   const std::vector<double>& g)>;

// Runs `op` three times with out=weight (states as mutable inputs, zero-initialised) and compares
// weight and every state with the reference after each step.
void CheckSteps(const std::string& op, const Attrs& attrs, int num_states, const RefStep& ref,
                DType dt = DType::kFloat64, const std::vector<NDArray>& extra = {}) {
  const Shape shape{2, 3};
  NDArray w = ArrayFromDoubles(shape, dt, kW0);
  std::vector<NDArray> states;
  for (int k = 0; k < num_states; ++k)
    states.push_back(ArrayFromDoubles(shape, dt, std::vector<double>(kW0.size(), 0.0)));
  std::vector<double> rw = kW0;
  std::vector<std::vector<double>> rs(num_states, std::vector<double>(kW0.size(), 0.0));
  const double tol = dt == DType::kFloat64 ? 1e-12 : 2e-5;
  for (int step = 0; step < 3; ++step) {
    const std::vector<double> g = GradAt(step);
    std::vector<NDArray> inputs{w, ArrayFromDoubles(shape, dt, g)};
    inputs.insert(inputs.end(), states.begin(), states.end());
    inputs.insert(inputs.end(), extra.begin(), extra.end());
    std::vector<NDArray> outs = op::Invoke(op, inputs, attrs, {w});
    ASSERT_EQ(outs.size(), 1u);
    ref(rw, rs, g);
    const std::string what = op + " step " + std::to_string(step);
    ExpectAllClose(ValuesAsDouble(w), rw, tol, tol, what + " weight");
    for (int k = 0; k < num_states; ++k)
      ExpectAllClose(ValuesAsDouble(states[k]), rs[k], tol, tol,
                     what + " state " + std::to_string(k));
  }
}

TEST(OptimizerUpdate, Sgd) {
  const double lr = F(0.1f), wd = F(0.01f), rg = F(0.5f), clip = F(1.5f);
  CheckSteps("sgd_update",
             {{"lr", "0.1"}, {"wd", "0.01"}, {"rescale_grad", "0.5"}, {"clip_gradient", "1.5"}}, 0,
             [&](auto& w, auto&, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i)
                 w[i] = (1 - lr * wd) * w[i] - lr * ClipRef(rg * g[i], clip);
             });
  // No clipping by default; float32.
  CheckSteps("sgd_update", {{"lr", "0.1"}}, 0,
             [&](auto& w, auto&, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) w[i] -= lr * g[i];
             },
             DType::kFloat32);
}

TEST(OptimizerUpdate, SgdMomentum) {
  const double lr = F(0.1f), wd = F(0.01f), mom = F(0.9f), clip = F(2.0f);
  CheckSteps("sgd_mom_update",
             {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}, {"clip_gradient", "2"}}, 1,
             [&](auto& w, auto& s, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) {
                 s[0][i] = mom * s[0][i] - lr * wd * w[i] - lr * ClipRef(g[i], clip);
                 w[i] += s[0][i];
               }
             });
}

TEST(OptimizerUpdate, Nesterov) {
  const double lr = F(0.05f), wd = F(0.1f), mom = F(0.8f), rg = F(2.0f);
  CheckSteps("nag_mom_update",
             {{"lr", "0.05"}, {"momentum", "0.8"}, {"wd", "0.1"}, {"rescale_grad", "2"}}, 1,
             [&](auto& w, auto& s, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) {
                 const double gi = rg * g[i] + wd * w[i];
                 s[0][i] = mom * s[0][i] - lr * gi;
                 w[i] += mom * s[0][i] - lr * gi;
               }
             });
}

TEST(OptimizerUpdate, Adam) {
  const double lr = F(0.01f), b1 = F(0.9f), b2 = F(0.999f), eps = F(1e-8f), wd = F(0.1f),
               clip = F(1.0f);
  CheckSteps("adam_update", {{"lr", "0.01"}, {"wd", "0.1"}, {"clip_gradient", "1"}}, 2,
             [&](auto& w, auto& s, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) {
                 const double gi = ClipRef(g[i] + wd * w[i], clip);
                 s[0][i] = b1 * s[0][i] + (1 - b1) * gi;
                 s[1][i] = b2 * s[1][i] + (1 - b2) * gi * gi;
                 w[i] -= lr * s[0][i] / (std::sqrt(s[1][i]) + eps);
               }
             });
}

TEST(OptimizerUpdate, AdamW) {
  const double lr = F(0.01f), b1 = F(0.8f), b2 = F(0.99f), eps = F(1e-8f), wd = F(0.1f),
               eta = F(0.5f), rg = F(0.5f), clip = F(0.8f);
  NDArray scale = Array<float>({1}, {0.5f});
  const RefStep ref = [&](auto& w, auto& s, const auto& g) {
    for (size_t i = 0; i < w.size(); ++i) {
      const double gi = ClipRef(rg * g[i], clip);
      s[0][i] = b1 * s[0][i] + (1 - b1) * gi;
      s[1][i] = b2 * s[1][i] + (1 - b2) * gi * gi;
      w[i] -= eta * (lr * s[0][i] / (std::sqrt(s[1][i]) + eps) + wd * w[i]);
    }
  };
  const Attrs attrs{{"lr", "0.01"}, {"beta1", "0.8"}, {"beta2", "0.99"}, {"wd", "0.1"},
                    {"eta", "0.5"}, {"clip_gradient", "0.8"}};
  CheckSteps("_adamw_update", attrs, 2, ref, DType::kFloat64, {scale});
  CheckSteps("adamw_update", attrs, 2, ref, DType::kFloat32, {scale});
  // A non-finite or zero scale skips the step: weight and states stay as they are.
  for (float bad : {INFINITY, NAN, 0.0f}) {
    NDArray w = ArrayFromDoubles({2, 3}, DType::kFloat32, kW0);
    NDArray m = ArrayFromDoubles({2, 3}, DType::kFloat32, std::vector<double>(6, 0.25));
    NDArray v = ArrayFromDoubles({2, 3}, DType::kFloat32, std::vector<double>(6, 0.5));
    NDArray g = ArrayFromDoubles({2, 3}, DType::kFloat32, GradAt(0));
    NDArray out = Run1("_adamw_update", {w, g, m, v, Array<float>({1}, {bad})}, attrs);
    ExpectAllClose(ValuesAsDouble(out), kW0, 1e-7, 1e-7, "skipped step");
    ExpectAllClose(ValuesAsDouble(m), std::vector<double>(6, 0.25), 0, 0, "skipped mean");
  }
  EXPECT_EQ(CatchError([&] {
              NDArray w = ArrayFromDoubles({2, 3}, DType::kFloat32, kW0);
              Run1("_adamw_update", {w, w, w, w, Array<float>({2}, {1, 1})}, attrs);
            }).first,
            ErrorKind::kValueError);
}

TEST(OptimizerUpdate, RmsProp) {
  const double lr = F(0.01f), g1 = F(0.9f), eps = F(1e-8f), wd = F(0.05f), cw = F(1.2f);
  CheckSteps("rmsprop_update",
             {{"lr", "0.01"}, {"gamma1", "0.9"}, {"wd", "0.05"}, {"clip_weights", "1.2"}}, 1,
             [&](auto& w, auto& s, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) {
                 const double gi = g[i] + wd * w[i];
                 s[0][i] = (1 - g1) * gi * gi + g1 * s[0][i];
                 w[i] = ClipRef(w[i] - lr * gi / std::sqrt(s[0][i] + eps), cw);
               }
             });
}

TEST(OptimizerUpdate, RmsPropAlex) {
  const double lr = F(0.01f), g1 = F(0.95f), g2 = F(0.9f), eps = F(1e-8f), clip = F(1.0f);
  CheckSteps("rmspropalex_update", {{"lr", "0.01"}, {"clip_gradient", "1"}}, 3,
             [&](auto& w, auto& s, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) {
                 const double r = ClipRef(g[i], clip);
                 s[0][i] = (1 - g1) * r * r + g1 * s[0][i];
                 s[1][i] = (1 - g1) * r + g1 * s[1][i];
                 s[2][i] = g2 * s[2][i] - lr * r / std::sqrt(s[0][i] - s[1][i] * s[1][i] + eps);
                 w[i] += s[2][i];
               }
             });
}

TEST(OptimizerUpdate, Adagrad) {
  const double lr = F(0.1f), eps = F(1e-7f), rg = F(0.5f);
  const RefStep ref = [&](auto& w, auto& s, const auto& g) {
    for (size_t i = 0; i < w.size(); ++i) {
      const double gi = rg * g[i];
      s[0][i] += gi * gi;
      w[i] -= lr * gi / std::sqrt(s[0][i] + eps);
    }
  };
  CheckSteps("_sparse_adagrad_update", {{"lr", "0.1"}, {"rescale_grad", "0.5"}}, 1, ref);
  CheckSteps("adagrad_update", {{"lr", "0.1"}, {"rescale_grad", "0.5"}}, 1, ref);
}

TEST(OptimizerUpdate, MultiPrecisionSgd) {
  // float16 weight and gradient, float32 master copy (and momentum): the master copy follows the
  // float32 formula and the output is its float16 rounding.
  const float lr = 0.1f, wd = 0.01f, mom = 0.9f;
  std::vector<float> w32(kW0.begin(), kW0.end()), m32(kW0.size(), 0.0f);
  NDArray w = ArrayFromDoubles({2, 3}, DType::kFloat16, kW0);
  NDArray master = ArrayFromDoubles({2, 3}, DType::kFloat32, kW0);
  NDArray momentum = ArrayFromDoubles({2, 3}, DType::kFloat32, std::vector<double>(6, 0.0));
  for (int step = 0; step < 3; ++step) {
    const std::vector<double> g = GradAt(step);
    NDArray grad = ArrayFromDoubles({2, 3}, DType::kFloat16, g);
    std::vector<double> g16 = ValuesAsDouble(grad);
    const Attrs attrs{{"lr", "0.1"}, {"wd", "0.01"}, {"momentum", "0.9"}};
    op::Invoke("mp_sgd_mom_update", std::vector<NDArray>{w, grad, momentum, master}, attrs,
               std::vector<NDArray>{w});
    std::vector<double> want_w16;
    for (size_t i = 0; i < w32.size(); ++i) {
      m32[i] = mom * m32[i] - lr * wd * w32[i] - lr * static_cast<float>(g16[i]);
      w32[i] += m32[i];
      want_w16.push_back(static_cast<float>(half_t(w32[i])));
    }
    ExpectAllClose(ValuesAsDouble(master), std::vector<double>(w32.begin(), w32.end()), 1e-6,
                   1e-6, "weight32");
    ExpectAllClose(ValuesAsDouble(w), want_w16, 0, 0, "float16 weight");
  }
  NDArray w2 = ArrayFromDoubles({2, 3}, DType::kFloat16, kW0);
  NDArray m2 = ArrayFromDoubles({2, 3}, DType::kFloat32, kW0);
  NDArray g2 = ArrayFromDoubles({2, 3}, DType::kFloat16, std::vector<double>(6, 1.0));
  NDArray out = Run1("mp_sgd_update", {w2, g2, m2}, {{"lr", "0.5"}});
  std::vector<double> want;
  for (double v : kW0) want.push_back(static_cast<float>(v) - 0.5f);
  ExpectAllClose(ValuesAsDouble(m2), want, 0, 0, "mp_sgd_update weight32");
  EXPECT_EQ(CatchError([&] { Run1("mp_sgd_update", {w2, g2, w2}, {{"lr", "0.5"}}); }).first,
            ErrorKind::kTypeError);
}

TEST(OptimizerUpdate, SignSgdAndSignum) {
  const double lr = F(0.1f), wd = F(0.01f), mom = F(0.9f), wd_lh = F(0.05f), clip = F(0.5f);
  auto sign = [](double x) { return static_cast<double>((x > 0) - (x < 0)); };
  CheckSteps("signsgd_update", {{"lr", "0.1"}, {"wd", "0.01"}}, 0,
             [&](auto& w, auto&, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) w[i] = (1 - lr * wd) * w[i] - lr * sign(g[i]);
             });
  CheckSteps("signum_update",
             {{"lr", "0.1"}, {"wd", "0.01"}, {"momentum", "0.9"}, {"wd_lh", "0.05"},
              {"clip_gradient", "0.5"}},
             1, [&](auto& w, auto& s, const auto& g) {
               for (size_t i = 0; i < w.size(); ++i) {
                 s[0][i] = mom * s[0][i] - (1 - mom) * wd * w[i] - (1 - mom) * ClipRef(g[i], clip);
                 w[i] = (1 - lr * wd_lh) * w[i] + lr * sign(s[0][i]);
               }
             });
}

TEST(OptimizerUpdate, FreshOutputLeavesWeight) {
  NDArray w = Array<float>({2}, {1, 2});
  NDArray g = Array<float>({2}, {1, -1});
  NDArray out = Run1("sgd_update", {w, g}, {{"lr", "0.5"}});
  EXPECT_EQ(Values<float>(out), (std::vector<float>{0.5f, 2.5f}));
  EXPECT_EQ(Values<float>(w), (std::vector<float>{1, 2}));
}

TEST(OptimizerUpdate, Errors) {
  NDArray w = Array<float>({2, 2}, {1, 2, 3, 4});
  NDArray g = Array<float>({4}, {1, 2, 3, 4});
  auto e = CatchError([&] { Run1("sgd_update", {w, g}, {{"lr", "0.1"}}); });
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("grad"), std::string::npos) << e.second;
  EXPECT_NE(e.second.find("(2, 2)"), std::string::npos) << e.second;
  EXPECT_NE(CatchError([&] { Run1("sgd_update", {w, w}); }).first, ErrorKind::kInternal);
  NDArray wd = Array<double>({2, 2}, {0, 0, 0, 0});
  EXPECT_EQ(CatchError([&] { Run1("adam_update", {w, w, w, wd}, {{"lr", "0.1"}}); }).first,
            ErrorKind::kTypeError);
  NDArray wi = Array<int32_t>({2}, {1, 2});
  EXPECT_EQ(CatchError([&] { Run1("sgd_update", {wi, wi}, {{"lr", "0.1"}}); }).first,
            ErrorKind::kTypeError);
}

}  // namespace
}  // namespace mixnet::test
