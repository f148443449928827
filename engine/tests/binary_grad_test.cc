// Gradients of the element-wise binary ops (broadcast_*, elemwise_*, legacy _mod/_power/...,
// *_scalar): numeric checks in float64 with broadcasting, hand values of the backward kernel
// (MXNet's tie rules for maximum/minimum), the parallel reduction paths, zero-size arrays.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "backward_call_util.h"
#include "grad_check_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

constexpr DType kF64 = DType::kFloat64;

// Shape pairs every broadcast op is checked on: both sides broadcast, scalar-shaped (1,) on
// either side, a trailing-axis vector, and equal shapes.
const std::vector<std::pair<Shape, Shape>>& BroadcastCases() {
  static const std::vector<std::pair<Shape, Shape>> cases = {
      {Shape{2, 1, 3}, Shape{1, 4, 3}}, {Shape{2, 3}, Shape{1}}, {Shape{1}, Shape{2, 3}},
      {Shape{2, 3}, Shape{3}},          {Shape{4, 1}, Shape{4, 3}}, {Shape{2, 3}, Shape{2, 3}}};
  return cases;
}

struct Range {
  double lo, hi;
  bool away_from_zero = false;  // values in (-hi, -lo] U [lo, hi)
};

NDArray Point(const Shape& s, Range r, uint64_t seed) {
  return r.away_from_zero ? RandomArrayAwayFromZero(s, kF64, r.lo, r.hi, seed)
                          : RandomArray(s, kF64, r.lo, r.hi, seed);
}

void CheckBroadcastOp(const char* op, Range lhs, Range rhs, uint64_t seed) {
  for (const auto& [ls, rs] : BroadcastCases()) {
    CheckGradient({.op = op, .inputs = {Point(ls, lhs, seed), Point(rs, rhs, seed + 1)}});
    seed += 2;
  }
}

void CheckSameShapeOp(const char* op, Range lhs, Range rhs, uint64_t seed) {
  CheckGradient({.op = op, .inputs = {Point({2, 3}, lhs, seed), Point({2, 3}, rhs, seed + 1)}});
}

constexpr Range kAny{-1.5, 1.5};
constexpr Range kNonZero{0.3, 1.5, true};
constexpr Range kPositive{0.4, 2.0};
constexpr Range kExponent{-1.5, 1.5};
// mod: divisors of either sign away from zero; random quotients are off the integers (the kinks
// of floor(a / b)) at these seeds.
constexpr Range kDividend{-3.0, 3.0};
constexpr Range kDivisor{0.7, 1.3, true};

GRAD_TEST(BinaryGrad, Broadcast, "broadcast_add", "broadcast_sub", "broadcast_mul",
          "broadcast_div", "broadcast_mod", "broadcast_power", "broadcast_maximum",
          "broadcast_minimum", "broadcast_hypot") {
  CheckBroadcastOp("broadcast_add", kAny, kAny, 100);
  CheckBroadcastOp("broadcast_sub", kAny, kAny, 200);
  CheckBroadcastOp("broadcast_mul", kAny, kAny, 300);
  CheckBroadcastOp("broadcast_div", kAny, kNonZero, 400);
  CheckBroadcastOp("broadcast_mod", kDividend, kDivisor, 500);
  CheckBroadcastOp("broadcast_power", kPositive, kExponent, 600);
  CheckBroadcastOp("broadcast_maximum", kAny, kAny, 700);
  CheckBroadcastOp("broadcast_minimum", kAny, kAny, 800);
  CheckBroadcastOp("broadcast_hypot", kNonZero, kNonZero, 900);
}

GRAD_TEST(BinaryGrad, SameShape, "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div",
          "_grad_add", "_mod", "_power", "_maximum", "_minimum", "_hypot") {
  CheckSameShapeOp("elemwise_add", kAny, kAny, 1);
  CheckSameShapeOp("elemwise_sub", kAny, kAny, 3);
  CheckSameShapeOp("elemwise_mul", kAny, kAny, 5);
  CheckSameShapeOp("elemwise_div", kAny, kNonZero, 7);
  CheckSameShapeOp("_grad_add", kAny, kAny, 9);
  CheckSameShapeOp("_mod", kDividend, kDivisor, 11);
  CheckSameShapeOp("_power", kPositive, kExponent, 13);
  CheckSameShapeOp("_maximum", kAny, kAny, 15);
  CheckSameShapeOp("_minimum", kAny, kAny, 17);
  CheckSameShapeOp("_hypot", kNonZero, kNonZero, 19);
}

void CheckScalarOp(const char* op, const char* scalar, Range x, uint64_t seed) {
  CheckGradient({.op = op,
                 .attrs = {{"scalar", scalar}, {"is_int", "False"}},
                 .inputs = {Point({3, 4}, x, seed)}});
}

GRAD_TEST(BinaryGrad, Scalar, "_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar",
          "_div_scalar", "_rdiv_scalar", "_mod_scalar", "_rmod_scalar", "_power_scalar",
          "_rpower_scalar", "_maximum_scalar", "_minimum_scalar", "_hypot_scalar") {
  CheckScalarOp("_plus_scalar", "2.5", kAny, 31);
  CheckScalarOp("_minus_scalar", "2.5", kAny, 32);
  CheckScalarOp("_rminus_scalar", "2.5", kAny, 33);
  CheckScalarOp("_mul_scalar", "-1.5", kAny, 34);
  CheckScalarOp("_div_scalar", "0.75", kAny, 35);
  CheckScalarOp("_rdiv_scalar", "2.5", kNonZero, 36);
  CheckScalarOp("_mod_scalar", "1.3", kDividend, 37);
  CheckScalarOp("_rmod_scalar", "2.5", kDivisor, 38);
  CheckScalarOp("_power_scalar", "2.5", kPositive, 39);
  CheckScalarOp("_power_scalar", "3", kAny, 40);  // integral exponent: negative bases too
  CheckScalarOp("_rpower_scalar", "2.5", kAny, 41);
  CheckScalarOp("_maximum_scalar", "0.3", kAny, 42);
  CheckScalarOp("_minimum_scalar", "0.3", kAny, 43);
  CheckScalarOp("_hypot_scalar", "0.7", kAny, 44);
}

// --- hand values, straight from the backward kernel ---------------------------------------------

std::pair<double, double> Grad2(const char* op, double a, double b) {
  const auto g = CallBackward({.op = op,
                               .inputs = {ArrayFromDoubles({1}, kF64, {a}),
                                          ArrayFromDoubles({1}, kF64, {b})},
                               .heads = {{1.0}}});
  return {g.at(0).at(0), g.at(1).at(0)};
}

double GradScalar(const char* op, const char* scalar, double x) {
  const auto g = CallBackward({.op = op,
                               .attrs = {{"scalar", scalar}},
                               .inputs = {ArrayFromDoubles({1}, kF64, {x})},
                               .heads = {{1.0}}});
  return g.at(0).at(0);
}

TEST(BinaryGradValues, HandValues) {
  using P = std::pair<double, double>;
  EXPECT_EQ(Grad2("broadcast_div", 3.0, 2.0), P(0.5, -0.75));
  EXPECT_EQ(Grad2("elemwise_mul", 3.0, 2.0), P(2.0, 3.0));
  EXPECT_EQ(Grad2("broadcast_sub", 3.0, 2.0), P(1.0, -1.0));
  const auto [pa, pb] = Grad2("broadcast_power", 2.0, 3.0);
  EXPECT_DOUBLE_EQ(pa, 12.0);
  EXPECT_DOUBLE_EQ(pb, 8.0 * std::log(2.0));
  EXPECT_EQ(Grad2("_mod", 5.5, 2.0), P(1.0, -2.0));
  EXPECT_EQ(Grad2("broadcast_mod", -5.5, 2.0), P(1.0, 3.0));  // floor(-2.75) = -3
  const auto [ha, hb] = Grad2("_hypot", 3.0, 4.0);
  EXPECT_DOUBLE_EQ(ha, 0.6);
  EXPECT_DOUBLE_EQ(hb, 0.8);
  // MXNet's tie rules: maximum and minimum give the whole gradient to lhs when a == b.
  EXPECT_EQ(Grad2("broadcast_maximum", 1.0, 1.0), P(1.0, 0.0));
  EXPECT_EQ(Grad2("_maximum", 0.5, 1.0), P(0.0, 1.0));
  EXPECT_EQ(Grad2("broadcast_minimum", 1.0, 1.0), P(1.0, 0.0));
  EXPECT_EQ(Grad2("_minimum", 0.5, 1.0), P(1.0, 0.0));
  EXPECT_EQ(GradScalar("_maximum_scalar", "1", 1.0), 1.0);
  EXPECT_EQ(GradScalar("_maximum_scalar", "1", 0.5), 0.0);
  EXPECT_EQ(GradScalar("_minimum_scalar", "1", 1.0), 1.0);
  EXPECT_EQ(GradScalar("_minimum_scalar", "1", 1.5), 0.0);
  EXPECT_DOUBLE_EQ(GradScalar("_rdiv_scalar", "2", 4.0), -0.125);
  EXPECT_DOUBLE_EQ(GradScalar("_rpower_scalar", "2", 3.0), 8.0 * std::log(2.0));
  EXPECT_DOUBLE_EQ(GradScalar("_power_scalar", "3", 2.0), 12.0);
  EXPECT_EQ(GradScalar("_rmod_scalar", "7", 2.0), -3.0);
  EXPECT_EQ(GradScalar("_rminus_scalar", "7", 2.0), -1.0);
  EXPECT_EQ(GradScalar("_div_scalar", "4", 2.0), 0.25);
}

TEST(BinaryGradValues, ZeroGradientOpsAreNotDifferentiable) {
  const std::vector<std::string> logic = {"equal",  "not_equal",    "greater",
                                          "greater_equal", "lesser", "lesser_equal",
                                          "logical_and",   "logical_or", "logical_xor"};
  for (const std::string& l : logic) {
    for (const std::string& name : {"broadcast_" + l, "_" + l, "_" + l + "_scalar"}) {
      const op::Op* o = op::FindOp(name);
      ASSERT_NE(o, nullptr) << name;
      EXPECT_FALSE(o->schema->differentiable) << name;
      EXPECT_EQ(o->kernel.backward, nullptr) << name;
    }
  }
}

std::vector<double> Iota(int64_t n, double scale, double shift) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<double>(i % 101) * scale + shift;
  return v;
}

// Large arrays: the parallel walk, per-thread partial sums and the serial reduction path.
TEST(BinaryGradValues, LargeBroadcastReductions) {
  // (2, m) * (m,): lhs not broadcast (direct), rhs summed over rows with per-thread partials.
  const int64_t m = 40000;
  const std::vector<double> a = Iota(2 * m, 0.01, -0.5), b = Iota(m, -0.02, 1.0),
                            h = Iota(2 * m, 0.03, -1.0);
  auto g = CallBackward({.op = "broadcast_mul",
                         .inputs = {ArrayFromDoubles({2, m}, kF64, a),
                                    ArrayFromDoubles({m}, kF64, b)},
                         .heads = {h}});
  for (int64_t i = 0; i < 2 * m; ++i) ASSERT_DOUBLE_EQ(g[0][i], h[i] * b[i % m]) << i;
  for (int64_t j = 0; j < m; ++j) {
    ASSERT_NEAR(g[1][j], h[j] * a[j] + h[m + j] * a[m + j], 1e-12) << j;
  }
  // (n,) - (1,): the rhs gradient is minus the sum of the head (serial, single-element target).
  const int64_t n = 100000;
  const std::vector<double> hn = Iota(n, 0.5, -20.0);
  double sum = 0;
  for (double v : hn) sum += v;
  g = CallBackward({.op = "broadcast_sub",
                    .inputs = {ArrayFromDoubles({n}, kF64, Iota(n, 1.0, 0.0)),
                               ArrayFromDoubles({1}, kF64, {3.0})},
                    .heads = {hn}});
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(g[0][i], hn[i]) << i;
  EXPECT_NEAR(g[1][0], -sum, 1e-9 * std::fabs(sum));
  // (m, 2) + (m, 1): inner-axis reduction into each row, float32.
  const std::vector<double> h2 = Iota(2 * m, 0.25, -3.0);
  g = CallBackward({.op = "broadcast_add",
                    .inputs = {ArrayFromDoubles({m, 2}, DType::kFloat32, Iota(2 * m, 1.0, 0.0)),
                               ArrayFromDoubles({m, 1}, DType::kFloat32, Iota(m, 1.0, 0.0))},
                    .heads = {h2}});
  for (int64_t i = 0; i < m; ++i) ASSERT_EQ(g[1][i], h2[2 * i] + h2[2 * i + 1]) << i;
}

TEST(BinaryGradValues, RequestsAndZeroSize) {
  // rhs kNull (null blob), lhs kAddTo, with broadcasting.
  auto g = CallBackward({.op = "broadcast_mul",
                         .inputs = {ArrayFromDoubles({2, 2}, kF64, {1, 2, 3, 4}),
                                    ArrayFromDoubles({2}, kF64, {10, 20})},
                         .heads = {{1, 1, 1, 1}},
                         .req = {op::OpReq::kAddTo, op::OpReq::kNull},
                         .prefill = {{1, 1, 1, 1}, {}}});
  EXPECT_EQ(g[0], (std::vector<double>{11, 21, 11, 21}));
  EXPECT_TRUE(g[1].empty());
  // A reduced input under kAddTo.
  g = CallBackward({.op = "broadcast_add",
                    .inputs = {ArrayFromDoubles({2, 2}, kF64, {1, 2, 3, 4}),
                               ArrayFromDoubles({2}, kF64, {10, 20})},
                    .heads = {{1, 2, 3, 4}},
                    .req = {op::OpReq::kNull, op::OpReq::kAddTo},
                    .prefill = {{}, {100, 200}}});
  EXPECT_EQ(g[1], (std::vector<double>{104, 206}));
  // (0, 3) against (1, 3): the output is empty, the (1, 3) input's gradient is zero.
  g = CallBackward({.op = "broadcast_mul",
                    .inputs = {ArrayFromDoubles({0, 3}, kF64, {}),
                               ArrayFromDoubles({1, 3}, kF64, {1, 2, 3})},
                    .heads = {{}},
                    .prefill = {{}, {5, 5, 5}}});
  EXPECT_TRUE(g[0].empty());
  EXPECT_EQ(g[1], (std::vector<double>{0, 0, 0}));
  // Integer operands have no gradient: TypeError naming the op.
  const Error e = Catch([] {
    CallBackward({.op = "broadcast_add",
                  .inputs = {Array<int32_t>({2}, {1, 2}), Array<int32_t>({2}, {3, 4})},
                  .heads = {{1.0, 1.0}}});
  });
  EXPECT_TRUE(Contains(e, "broadcast_add")) << e.what();
}

// float16 and bfloat16 go through float32 per element.
TEST(BinaryGradValues, HalfTypes) {
  for (DType dt : {DType::kFloat16, DType::kBfloat16}) {
    const auto g = CallBackward({.op = "broadcast_mul",
                                 .inputs = {ArrayFromDoubles({2, 2}, dt, {1, 2, 3, 4}),
                                            ArrayFromDoubles({2}, dt, {0.5, -2})},
                                 .heads = {{1, 1, 2, 2}}});
    EXPECT_EQ(g[0], (std::vector<double>{0.5, -2, 1, -4})) << DTypeName(dt);
    EXPECT_EQ(g[1], (std::vector<double>{7, 10})) << DTypeName(dt);
  }
}

}  // namespace
}  // namespace mixnet::test
