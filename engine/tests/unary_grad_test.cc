// Gradients of the element-wise unary ops: numeric checks in float64 at points inside each op's
// domain and off its kinks, hand values of the backward kernel, float32/float16 paths, requests.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "backward_call_util.h"
#include "grad_check_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

constexpr DType kF64 = DType::kFloat64;

void CheckUnary(const char* op, double lo, double hi, uint64_t seed) {
  CheckGradient({.op = op, .inputs = {RandomArray({2, 3, 2}, kF64, lo, hi, seed)}});
}

void CheckUnaryAwayFromZero(const char* op, double min_abs, double hi, uint64_t seed) {
  CheckGradient({.op = op, .inputs = {RandomArrayAwayFromZero({3, 4}, kF64, min_abs, hi, seed)}});
}

// Defined on the whole real line.
GRAD_TEST(UnaryGrad, WholeLine, "negative", "exp", "expm1", "square", "sin", "cos", "tan",
          "arctan", "sinh", "cosh", "tanh", "arcsinh", "degrees", "radians", "sigmoid", "erf") {
  uint64_t seed = 1;
  for (const char* op : {"negative", "exp", "expm1", "square", "sin", "cos", "tan", "arctan",
                         "sinh", "cosh", "tanh", "arcsinh", "degrees", "radians", "sigmoid",
                         "erf"}) {
    CheckUnary(op, -1.2, 1.2, seed++);
  }
}

// Kinks at zero.
GRAD_TEST(UnaryGrad, KinkAtZero, "abs", "relu", "softsign", "cbrt", "rcbrt", "reciprocal") {
  uint64_t seed = 20;
  for (const char* op : {"abs", "relu", "softsign", "cbrt", "rcbrt", "reciprocal"}) {
    CheckUnaryAwayFromZero(op, 0.2, 2.0, seed++);
  }
}

// Positive arguments.
GRAD_TEST(UnaryGrad, PositiveDomain, "log", "log2", "log10", "sqrt", "rsqrt", "log1p", "gamma",
          "gammaln") {
  uint64_t seed = 40;
  for (const char* op : {"log", "log2", "log10", "sqrt", "rsqrt", "gamma", "gammaln"}) {
    CheckUnary(op, 0.3, 3.0, seed++);
  }
  CheckUnary("log1p", -0.6, 2.0, seed++);
  // gamma and gammaln on negative non-integers (digamma through the reflection formula).
  CheckUnary("gamma", -0.9, -0.1, seed++);
  CheckUnary("gammaln", -2.9, -2.1, seed++);
  // Large arguments: the asymptotic series of digamma directly.
  CheckUnary("gammaln", 7.0, 20.0, seed++);
}

// (-1, 1) and [1, inf) domains.
GRAD_TEST(UnaryGrad, BoundedDomain, "arcsin", "arccos", "arctanh", "erfinv", "arccosh") {
  uint64_t seed = 60;
  for (const char* op : {"arcsin", "arccos", "arctanh", "erfinv"}) {
    CheckUnary(op, -0.8, 0.8, seed++);
  }
  CheckUnary("arccosh", 1.2, 3.0, seed++);
}

// --- hand values, straight from the backward kernel ---------------------------------------------

double Grad1(const char* op, double x, double head = 1.0, DType dt = kF64) {
  const auto g = CallBackward({.op = op,
                               .inputs = {ArrayFromDoubles({1}, dt, {x})},
                               .heads = {{head}}});
  return g.at(0).at(0);
}

TEST(UnaryGradValues, HandValues) {
  constexpr double kPi = 3.14159265358979323846;
  EXPECT_DOUBLE_EQ(Grad1("exp", 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Grad1("exp", 0.0, 2.5), 2.5);
  EXPECT_DOUBLE_EQ(Grad1("log", 4.0), 0.25);
  EXPECT_DOUBLE_EQ(Grad1("sqrt", 4.0), 0.25);
  EXPECT_DOUBLE_EQ(Grad1("rsqrt", 4.0), -1.0 / 16.0);
  EXPECT_NEAR(Grad1("cbrt", 8.0), 1.0 / 12.0, 1e-15);
  EXPECT_NEAR(Grad1("rcbrt", 8.0), -1.0 / 48.0, 1e-15);
  EXPECT_DOUBLE_EQ(Grad1("square", -3.0), -6.0);
  EXPECT_DOUBLE_EQ(Grad1("reciprocal", 2.0), -0.25);
  EXPECT_DOUBLE_EQ(Grad1("sigmoid", 0.0), 0.25);
  EXPECT_DOUBLE_EQ(Grad1("tanh", 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Grad1("sin", 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Grad1("arctan", 1.0), 0.5);
  EXPECT_NEAR(Grad1("erf", 0.0), 2.0 / std::sqrt(kPi), 1e-15);
  EXPECT_NEAR(Grad1("erfinv", 0.0), std::sqrt(kPi) / 2.0, 1e-15);
  EXPECT_NEAR(Grad1("log2", 1.0), 1.0 / std::log(2.0), 1e-15);
  EXPECT_NEAR(Grad1("log10", 1.0), 1.0 / std::log(10.0), 1e-15);
  EXPECT_NEAR(Grad1("degrees", 5.0), 180.0 / kPi, 1e-12);
  // digamma(1) = -Euler's gamma, digamma(0.5) = -gamma - 2 ln 2, Gamma'(1) = -gamma.
  constexpr double kEuler = 0.57721566490153286061;
  EXPECT_NEAR(Grad1("gammaln", 1.0), -kEuler, 1e-14);
  EXPECT_NEAR(Grad1("gammaln", 0.5), -kEuler - 2.0 * std::log(2.0), 1e-14);
  EXPECT_NEAR(Grad1("gamma", 1.0), -kEuler, 1e-14);
  // digamma(-0.5) = digamma(0.5) + 2 (recurrence), at the reflection branch.
  EXPECT_NEAR(Grad1("gammaln", -0.5), -kEuler - 2.0 * std::log(2.0) + 2.0, 1e-13);
  // MXNet's conventions at kinks: abs'(0) = 0, relu'(0) = 0.
  EXPECT_EQ(Grad1("abs", 0.0), 0.0);
  EXPECT_EQ(Grad1("abs", -2.0), -1.0);
  EXPECT_EQ(Grad1("relu", 0.0), 0.0);
  EXPECT_EQ(Grad1("relu", 0.5, 3.0), 3.0);
  EXPECT_EQ(Grad1("relu", -0.5, 3.0), 0.0);
}

TEST(UnaryGradValues, ZeroGradientOpsAreNotDifferentiable) {
  for (const char* name : {"floor", "ceil", "round", "rint", "trunc", "fix", "sign",
                           "logical_not"}) {
    const op::Op* o = op::FindOp(name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_FALSE(o->schema->differentiable) << name;
    EXPECT_EQ(o->kernel.backward, nullptr) << name;
  }
}

// float32 over a large array (parallel chunks), float16/bfloat16 through the block path, kAddTo.
TEST(UnaryGradValues, DtypesAndRequests) {
  const int64_t n = 100003;
  std::vector<double> x(n), head(n);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = static_cast<double>(i % 97) / 50.0 - 0.97;
    head[i] = static_cast<double>(i % 13) / 4.0 - 1.5;
  }
  for (DType dt : {DType::kFloat32, DType::kFloat16, DType::kBfloat16}) {
    const auto g = CallBackward({.op = "square",
                                 .inputs = {ArrayFromDoubles({n}, dt, x)},
                                 .heads = {head}});
    const std::vector<double> xr = ValuesAsDouble(ArrayFromDoubles({n}, dt, x));
    const std::vector<double> hr = ValuesAsDouble(ArrayFromDoubles({n}, dt, head));
    const double tol = dt == DType::kFloat32 ? 1e-6 : 2e-2;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_NEAR(g[0][i], 2.0 * xr[i] * hr[i], tol * (1.0 + std::fabs(2.0 * xr[i] * hr[i])))
          << DTypeName(dt) << " " << i;
    }
  }
  // kAddTo adds onto what is there; kNull leaves it alone (and accepts a null blob).
  const auto g = CallBackward({.op = "exp",
                               .inputs = {ArrayFromDoubles({2}, kF64, {0.0, 1.0})},
                               .heads = {{1.0, 2.0}},
                               .req = {op::OpReq::kAddTo},
                               .prefill = {{10.0, 20.0}}});
  EXPECT_DOUBLE_EQ(g[0][0], 11.0);
  EXPECT_DOUBLE_EQ(g[0][1], 20.0 + 2.0 * std::exp(1.0));
  const auto none = CallBackward({.op = "exp",
                                  .inputs = {ArrayFromDoubles({2}, kF64, {0.0, 1.0})},
                                  .heads = {{1.0, 2.0}},
                                  .req = {op::OpReq::kNull}});
  EXPECT_TRUE(none[0].empty());
}

TEST(UnaryGradValues, ZeroSizeAndIntegerInputs) {
  const auto g = CallBackward(
      {.op = "exp", .inputs = {ArrayFromDoubles({0, 3}, kF64, {})}, .heads = {{}}});
  EXPECT_TRUE(g[0].empty());
  // Integer inputs have no gradient: a TypeError naming the op, not a crash.
  const Error e = Catch([] {
    CallBackward({.op = "exp",
                  .inputs = {Array<int32_t>({2}, {1, 2})},
                  .heads = {{1.0, 1.0}}});
  });
  EXPECT_TRUE(Contains(e, "exp")) << e.what();
  EXPECT_TRUE(Contains(e, "int32")) << e.what();
}

}  // namespace
}  // namespace mixnet::test
