// Element-wise binary ops: broadcast_* against a reference broadcasting loop written here,
// elemwise_* (equal shapes), the *_scalar forms, MXNet 1.x dtype rules (same dtype in and out,
// comparisons in the input dtype, integer division/mod), errors, requests and views.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Fn = std::function<double(double, double)>;

// Python-style remainder with MXNet's x mod 0 = 0.
double PyMod(double a, double b) {
  if (b == 0) return 0;
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

struct BinaryCase {
  const char* broadcast_op;
  const char* scalar_op;    // data op scalar
  const char* rscalar_op;   // scalar op data ("" if none)
  Fn ref;
};

std::vector<BinaryCase> BinaryCases() {
  return {
      {"broadcast_add", "_plus_scalar", "", [](double a, double b) { return a + b; }},
      {"broadcast_sub", "_minus_scalar", "_rminus_scalar",
       [](double a, double b) { return a - b; }},
      {"broadcast_mul", "_mul_scalar", "", [](double a, double b) { return a * b; }},
      {"broadcast_div", "_div_scalar", "_rdiv_scalar", [](double a, double b) { return a / b; }},
      {"broadcast_mod", "_mod_scalar", "_rmod_scalar", PyMod},
      {"broadcast_power", "_power_scalar", "_rpower_scalar",
       [](double a, double b) { return std::pow(a, b); }},
      {"broadcast_maximum", "_maximum_scalar", "",
       [](double a, double b) { return a > b ? a : b; }},
      {"broadcast_minimum", "_minimum_scalar", "",
       [](double a, double b) { return a < b ? a : b; }},
      {"broadcast_hypot", "_hypot_scalar", "", [](double a, double b) { return std::hypot(a, b); }},
      {"broadcast_equal", "_equal_scalar", "", [](double a, double b) { return double(a == b); }},
      {"broadcast_not_equal", "_not_equal_scalar", "",
       [](double a, double b) { return double(a != b); }},
      {"broadcast_greater", "_greater_scalar", "",
       [](double a, double b) { return double(a > b); }},
      {"broadcast_greater_equal", "_greater_equal_scalar", "",
       [](double a, double b) { return double(a >= b); }},
      {"broadcast_lesser", "_lesser_scalar", "", [](double a, double b) { return double(a < b); }},
      {"broadcast_lesser_equal", "_lesser_equal_scalar", "",
       [](double a, double b) { return double(a <= b); }},
      {"broadcast_logical_and", "_logical_and_scalar", "",
       [](double a, double b) { return double(a != 0 && b != 0); }},
      {"broadcast_logical_or", "_logical_or_scalar", "",
       [](double a, double b) { return double(a != 0 || b != 0); }},
      {"broadcast_logical_xor", "_logical_xor_scalar", "",
       [](double a, double b) { return double((a != 0) != (b != 0)); }},
  };
}

// Reference broadcasting: for each output index, the operand index with stretched axes pinned
// to 0. Deliberately the slow, obvious way.
std::vector<double> RefBroadcast(const Shape& ls, const std::vector<double>& l, const Shape& rs,
                                 const std::vector<double>& r, const Shape& os, const Fn& f) {
  const int n = os.ndim();
  std::vector<double> out(static_cast<size_t>(os.Size()));
  for (int64_t flat = 0; flat < os.Size(); ++flat) {
    int64_t rem = flat;
    int64_t li = 0, ri = 0, lmul = 1, rmul = 1;
    for (int d = n - 1; d >= 0; --d) {
      const int64_t c = rem % os[d];
      rem /= os[d];
      const int ld = d - (n - ls.ndim());
      const int rd = d - (n - rs.ndim());
      if (ld >= 0) {
        li += (ls[ld] == 1 ? 0 : c) * lmul;
        lmul *= ls[ld];
      }
      if (rd >= 0) {
        ri += (rs[rd] == 1 ? 0 : c) * rmul;
        rmul *= rs[rd];
      }
    }
    out[flat] = f(l[li], r[ri]);
  }
  return out;
}

// Deterministic test values in [-4, 4], including exact zeros and repeated values for the
// comparisons.
std::vector<double> TestValues(int64_t n, int salt) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<double>(((i * 7 + salt * 13) % 17) - 8) * 0.5;
  return v;
}

std::vector<float> ToFloat(const std::vector<double>& v) { return {v.begin(), v.end()}; }

TEST(BinaryOpTest, HandComputedFloat32) {
  const Shape s{2, 2};
  const NDArray a = Array<float>(s, {1.f, -2.f, 3.f, 0.5f});
  const NDArray b = Array<float>(s, {4.f, 2.f, -3.f, 0.5f});
  auto run = [&](const char* op) { return Values<float>(Run1(op, {a, b})); };
  EXPECT_EQ(run("broadcast_add"), (std::vector<float>{5, 0, 0, 1}));
  EXPECT_EQ(run("broadcast_sub"), (std::vector<float>{-3, -4, 6, 0}));
  EXPECT_EQ(run("broadcast_mul"), (std::vector<float>{4, -4, -9, 0.25f}));
  EXPECT_EQ(run("broadcast_div"), (std::vector<float>{0.25f, -1, -1, 1}));
  EXPECT_EQ(run("broadcast_mod"), (std::vector<float>{1, 0, 0, 0}));
  EXPECT_EQ(run("broadcast_power"), (std::vector<float>{1, 4, 1.f / 27, std::sqrt(0.5f)}));
  EXPECT_EQ(run("broadcast_maximum"), (std::vector<float>{4, 2, 3, 0.5f}));
  EXPECT_EQ(run("broadcast_minimum"), (std::vector<float>{1, -2, -3, 0.5f}));
  EXPECT_EQ(run("broadcast_hypot"),
            (std::vector<float>{std::hypot(1.f, 4.f), std::hypot(2.f, 2.f), std::hypot(3.f, 3.f),
                                std::hypot(.5f, .5f)}));
  EXPECT_EQ(run("broadcast_equal"), (std::vector<float>{0, 0, 0, 1}));
  EXPECT_EQ(run("broadcast_not_equal"), (std::vector<float>{1, 1, 1, 0}));
  EXPECT_EQ(run("broadcast_greater"), (std::vector<float>{0, 0, 1, 0}));
  EXPECT_EQ(run("broadcast_greater_equal"), (std::vector<float>{0, 0, 1, 1}));
  EXPECT_EQ(run("broadcast_lesser"), (std::vector<float>{1, 1, 0, 0}));
  EXPECT_EQ(run("broadcast_lesser_equal"), (std::vector<float>{1, 1, 0, 1}));
  const NDArray z = Array<float>(s, {0.f, 1.f, 0.f, -2.f});
  const NDArray w = Array<float>(s, {0.f, 0.f, 3.f, 5.f});
  EXPECT_EQ(Values<float>(Run1("broadcast_logical_and", {z, w})), (std::vector<float>{0, 0, 0, 1}));
  EXPECT_EQ(Values<float>(Run1("broadcast_logical_or", {z, w})), (std::vector<float>{0, 1, 1, 1}));
  EXPECT_EQ(Values<float>(Run1("broadcast_logical_xor", {z, w})), (std::vector<float>{0, 1, 1, 0}));
  EXPECT_EQ(Values<float>(Run1("elemwise_add", {a, b})), (std::vector<float>{5, 0, 0, 1}));
  EXPECT_EQ(Values<float>(Run1("elemwise_sub", {a, b})), (std::vector<float>{-3, -4, 6, 0}));
  EXPECT_EQ(Values<float>(Run1("elemwise_mul", {a, b})), (std::vector<float>{4, -4, -9, 0.25f}));
  EXPECT_EQ(Values<float>(Run1("elemwise_div", {a, b})), (std::vector<float>{0.25f, -1, -1, 1}));
  // Aliases find the same ops.
  EXPECT_EQ(Values<float>(Run1("broadcast_plus", {a, b})), (std::vector<float>{5, 0, 0, 1}));
  EXPECT_EQ(Values<float>(Run1("_plus", {a, b})), (std::vector<float>{5, 0, 0, 1}));
}

// Every op, float64, against the reference over shapes that exercise each kernel path.
TEST(BinaryOpTest, BroadcastMatchesReference) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {Shape{2, 3}, Shape{2, 3}},          // same shape
      {Shape{2, 3}, Shape{3}},             // row broadcast
      {Shape{2, 3}, Shape{2, 1}},          // column broadcast
      {Shape{2, 1, 3}, Shape{4, 1}},       // both stretch -> (2, 4, 3)
      {Shape{}, Shape{3, 2}},              // 0-d with anything
      {Shape{3, 2}, Shape{}},
      {Shape{1}, Shape{5}},
      {Shape{2, 1, 4, 1}, Shape{3, 1, 5}}, // -> (2, 3, 4, 5)
      {Shape{1, 1, 3}, Shape{2, 3, 1}},
      {Shape{4, 1, 2}, Shape{1, 3, 1}},
  };
  for (const BinaryCase& c : BinaryCases()) {
    for (const auto& [ls, rs] : shapes) {
      std::vector<double> l = TestValues(ls.Size(), 1);
      std::vector<double> r = TestValues(rs.Size(), 2);
      if (std::string(c.broadcast_op) == "broadcast_power") {
        for (double& x : l) x = std::fabs(x) + 0.25;  // real results only
      }
      NDArray out = Run1(c.broadcast_op, {Array<double>(ls, l), Array<double>(rs, r)});
      const Shape os = out.shape();
      ExpectAllClose(Values<double>(out), RefBroadcast(ls, l, rs, r, os, c.ref), 1e-15, 0,
                     std::string(c.broadcast_op) + " " + ls.ToString() + " " + rs.ToString());
    }
  }
}

TEST(BinaryOpTest, BroadcastShapes) {
  auto shape_of = [](const Shape& a, const Shape& b) {
    return Run1("broadcast_add", {Array<float>(a, std::vector<float>(a.Size(), 1.f)),
                                  Array<float>(b, std::vector<float>(b.Size(), 2.f))})
        .shape();
  };
  EXPECT_EQ(shape_of(Shape{2, 3}, Shape{3}), (Shape{2, 3}));
  EXPECT_EQ(shape_of(Shape{2, 1, 3}, Shape{4, 1}), (Shape{2, 4, 3}));
  EXPECT_EQ(shape_of(Shape{}, Shape{}), Shape{});
  EXPECT_EQ(shape_of(Shape{}, Shape{2, 2}), (Shape{2, 2}));
  // Zero-size axes: a size-1 axis stretches to 0.
  EXPECT_EQ(shape_of(Shape{0, 3}, Shape{1, 3}), (Shape{0, 3}));
  EXPECT_EQ(shape_of(Shape{2, 0}, Shape{2, 1}), (Shape{2, 0}));
  EXPECT_EQ(shape_of(Shape{0}, Shape{}), (Shape{0}));
}

TEST(BinaryOpTest, IncompatibleShapesError) {
  const NDArray a = Array<float>(Shape{2, 3}, std::vector<float>(6, 1.f));
  const NDArray b = Array<float>(Shape{4}, std::vector<float>(4, 1.f));
  auto [kind, msg] = CatchError([&] { Run1("broadcast_add", {a, b}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("broadcast_add"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(4,)"), std::string::npos) << msg;
  auto [k2, m2] = CatchError([&] {
    Run1("broadcast_mul", {Array<float>(Shape{2, 0}, {}), Array<float>(Shape{3}, {1, 2, 3})});
  });
  EXPECT_EQ(k2, ErrorKind::kValueError);
  EXPECT_NE(
      m2.find("broadcast_mul: operands could not be broadcast together with shapes (2, 0) (3,)"),
      std::string::npos)
      << m2;
  // elemwise_* do not broadcast.
  auto [k3, m3] = CatchError([&] {
    Run1("elemwise_add", {a, Array<float>(Shape{3}, {1, 2, 3})});
  });
  EXPECT_EQ(k3, ErrorKind::kValueError);
  EXPECT_NE(m3.find("elemwise_add"), std::string::npos) << m3;
  EXPECT_NE(m3.find("(3,)"), std::string::npos) << m3;
}

TEST(BinaryOpTest, DTypeRules) {
  // Mismatched dtypes are rejected (MXNet 1.x legacy ops do not promote).
  auto [kind, msg] = CatchError([&] {
    Run1("broadcast_add", {Array<float>(Shape{2}, {1, 2}), Array<int32_t>(Shape{2}, {1, 2})});
  });
  EXPECT_EQ(kind, ErrorKind::kTypeError);
  EXPECT_NE(msg.find("broadcast_add"), std::string::npos) << msg;
  EXPECT_NE(msg.find("float32"), std::string::npos) << msg;
  EXPECT_NE(msg.find("int32"), std::string::npos) << msg;
  // Comparisons keep the input dtype.
  NDArray eq = Run1("broadcast_equal",
                    {Array<int32_t>(Shape{3}, {1, 2, 3}), Array<int32_t>(Shape{1}, {2})});
  EXPECT_EQ(eq.dtype(), DType::kInt32);
  EXPECT_EQ(Values<int32_t>(eq), (std::vector<int32_t>{0, 1, 0}));
  NDArray gt = Run1("broadcast_greater", {Array<half_t>(Shape{2}, {half_t(1.f), half_t(3.f)}),
                                          Array<half_t>(Shape{}, {half_t(2.f)})});
  EXPECT_EQ(gt.dtype(), DType::kFloat16);
  EXPECT_EQ(AsDoubles(gt), (std::vector<double>{0, 1}));
  // bool: comparisons, logic and max/min accept it; arithmetic does not.
  const NDArray t = Array<bool>(Shape{4}, {true, true, false, false});
  const NDArray u = Array<bool>(Shape{4}, {true, false, true, false});
  EXPECT_EQ(Values<bool>(Run1("broadcast_logical_xor", {t, u})),
            (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(Values<bool>(Run1("broadcast_greater", {t, u})),
            (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(Values<bool>(Run1("broadcast_maximum", {t, u})),
            (std::vector<bool>{true, true, true, false}));
  auto [kb, mb] = CatchError([&] { Run1("broadcast_add", {t, u}); });
  EXPECT_EQ(kb, ErrorKind::kTypeError);
  EXPECT_NE(mb.find("bool"), std::string::npos) << mb;
}

TEST(BinaryOpTest, IntegerArithmetic) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  const NDArray a = Array<int32_t>(Shape{6}, {7, -7, 7, -7, 5, kMin});
  const NDArray b = Array<int32_t>(Shape{6}, {2, 2, -2, -2, 0, -1});
  // Division truncates toward zero; x / 0 = 0; INT_MIN / -1 wraps instead of trapping.
  EXPECT_EQ(Values<int32_t>(Run1("broadcast_div", {a, b})),
            (std::vector<int32_t>{3, -3, -3, 3, 0, kMin}));
  // mod takes the divisor's sign (Python), x mod 0 = 0.
  EXPECT_EQ(Values<int32_t>(Run1("broadcast_mod", {a, b})),
            (std::vector<int32_t>{1, 1, -1, -1, 0, 0}));
  // Wrapping add and multiply.
  EXPECT_EQ(Values<int8_t>(Run1("broadcast_add", {Array<int8_t>(Shape{2}, {127, -128}),
                                                  Array<int8_t>(Shape{2}, {1, -1})})),
            (std::vector<int8_t>{-128, 127}));
  EXPECT_EQ(Values<uint8_t>(Run1("broadcast_mul", {Array<uint8_t>(Shape{2}, {16, 3}),
                                                   Array<uint8_t>(Shape{}, {16})})),
            (std::vector<uint8_t>{0, 48}));
  // power through double: exact for small integers, truncated for fractional results.
  EXPECT_EQ(Values<int64_t>(Run1("broadcast_power", {Array<int64_t>(Shape{3}, {2, 3, 2}),
                                                     Array<int64_t>(Shape{3}, {40, 3, -1})})),
            (std::vector<int64_t>{1LL << 40, 27, 0}));
  EXPECT_EQ(Values<int32_t>(Run1("broadcast_hypot", {Array<int32_t>(Shape{2}, {3, 5}),
                                                     Array<int32_t>(Shape{2}, {4, 5})})),
            (std::vector<int32_t>{5, 7}));
}

TEST(BinaryOpTest, FloatModAndNaN) {
  // MXNet: x mod 0 is 0 for floats too (NumPy would give NaN).
  NDArray m = Run1("broadcast_mod", {Array<double>(Shape{5}, {5.5, -5.5, 5.5, 3.0, kNaN}),
                                     Array<double>(Shape{5}, {-2.0, 2.0, 0.0, 1.5, 1.0})});
  ExpectAllClose(Values<double>(m), {-0.5, 0.5, 0.0, 0.0, kNaN}, 0, 0, "mod");
  // maximum/minimum propagate NaN from either side.
  NDArray mx = Run1("broadcast_maximum", {Array<float>(Shape{3}, {float(kNaN), 1.f, 2.f}),
                                          Array<float>(Shape{3}, {1.f, float(kNaN), 1.f})});
  const std::vector<float> v = Values<float>(mx);
  EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1]));
  EXPECT_EQ(v[2], 2.f);
  // NaN is truthy in logical ops and unequal to itself.
  NDArray la = Run1("broadcast_logical_and", {Array<float>(Shape{1}, {float(kNaN)}),
                                              Array<float>(Shape{1}, {1.f})});
  EXPECT_EQ(Values<float>(la)[0], 1.f);
  EXPECT_EQ(Values<float>(Run1("_equal_scalar", {Array<float>(Shape{1}, {float(kNaN)})},
                               {{"scalar", "nan"}}))[0],
            0.f);
}

TEST(BinaryOpTest, HalfPrecision) {
  const std::vector<float> x = {0.1f, 1000.f, -3.25f, 65000.f};
  const std::vector<float> y = {0.2f, 0.5f, 2.f, 1000.f};
  std::vector<half_t> xh(x.begin(), x.end()), yh(y.begin(), y.end());
  NDArray sum = Run1("broadcast_add", {Array<half_t>(Shape{4}, xh), Array<half_t>(Shape{4}, yh)});
  EXPECT_EQ(sum.dtype(), DType::kFloat16);
  const std::vector<half_t> got = Values<half_t>(sum);
  for (int i = 0; i < 4; ++i) {
    // One rounding of the float sum of the float16 operands.
    const half_t want(static_cast<float>(xh[i]) + static_cast<float>(yh[i]));
    EXPECT_EQ(got[i].bits, want.bits) << i;
  }
  EXPECT_TRUE(std::isinf(static_cast<float>(got[3])));  // 66000 overflows float16
  std::vector<bf16_t> xb(x.begin(), x.end()), yb(y.begin(), y.end());
  const std::vector<bf16_t> prod = Values<bf16_t>(
      Run1("broadcast_mul", {Array<bf16_t>(Shape{4}, xb), Array<bf16_t>(Shape{4}, yb)}));
  for (int i = 0; i < 4; ++i) {
    const bf16_t want(static_cast<float>(xb[i]) * static_cast<float>(yb[i]));
    EXPECT_EQ(prod[i].bits, want.bits) << i;
  }
}

TEST(BinaryOpTest, ScalarOpsMatchReference) {
  const std::vector<double> x = {-3.5, -1.0, 0.0, 0.5, 2.0, 4.0};
  const std::vector<double> px = {0.25, 0.5, 1.0, 2.0, 3.5, 4.0};  // for power with data as base
  for (const BinaryCase& c : BinaryCases()) {
    for (double s : {-2.0, 0.0, 1.5}) {
      const std::string text = std::to_string(s);
      const bool power = std::string(c.scalar_op) == "_power_scalar";
      const std::vector<double>& in = power ? px : x;
      NDArray y = Run1(c.scalar_op, {Array<double>(Shape{6}, in)}, {{"scalar", text}});
      std::vector<double> want;
      for (double v : in) want.push_back(c.ref(v, s));
      ExpectAllClose(Values<double>(y), want, 1e-15, 0, std::string(c.scalar_op) + " " + text);
      if (*c.rscalar_op) {
        NDArray ry = Run1(c.rscalar_op, {Array<double>(Shape{6}, in)}, {{"scalar", text}});
        std::vector<double> rwant;
        for (double v : in) rwant.push_back(c.ref(s, v));
        ExpectAllClose(Values<double>(ry), rwant, 1e-15, 0, std::string(c.rscalar_op) + " " + text);
      }
    }
  }
}

TEST(BinaryOpTest, ScalarDTypeRules) {
  const NDArray xi = Array<int32_t>(Shape{3}, {1, -2, 7});
  // is_int defaults to True: the scalar is converted to int32 first (2.5 -> 2).
  NDArray a = Run1("_plus_scalar", {xi}, {{"scalar", "2.5"}});
  EXPECT_EQ(a.dtype(), DType::kInt32);
  EXPECT_EQ(Values<int32_t>(a), (std::vector<int32_t>{3, 0, 9}));
  EXPECT_EQ(Values<int32_t>(Run1("_div_scalar", {xi}, {{"scalar", "2"}})),
            (std::vector<int32_t>{0, -1, 3}));
  EXPECT_EQ(Values<int32_t>(Run1("_rmod_scalar", {xi}, {{"scalar", "-7"}})),
            (std::vector<int32_t>{0, -1, 0}));
  // is_int=False: integer input computed and returned as float64.
  NDArray b = Run1("_plus_scalar", {xi}, {{"scalar", "2.5"}, {"is_int", "False"}});
  EXPECT_EQ(b.dtype(), DType::kFloat64);
  EXPECT_EQ(Values<double>(b), (std::vector<double>{3.5, 0.5, 9.5}));
  NDArray c = Run1("_greater_scalar", {xi}, {{"scalar", "0.5"}, {"is_int", "False"}});
  EXPECT_EQ(c.dtype(), DType::kFloat64);
  EXPECT_EQ(Values<double>(c), (std::vector<double>{1, 0, 1}));
  // bool input: int64 (is_int) or float64.
  const NDArray xb = Array<bool>(Shape{2}, {true, false});
  NDArray d = Run1("_mul_scalar", {xb}, {{"scalar", "3"}});
  EXPECT_EQ(d.dtype(), DType::kInt64);
  EXPECT_EQ(Values<int64_t>(d), (std::vector<int64_t>{3, 0}));
  NDArray e = Run1("_rminus_scalar", {xb}, {{"scalar", "0.5"}, {"is_int", "False"}});
  EXPECT_EQ(e.dtype(), DType::kFloat64);
  EXPECT_EQ(Values<double>(e), (std::vector<double>{-0.5, 0.5}));
  // float16 input: the scalar is rounded to float16 before the operation.
  NDArray h = Run1("_plus_scalar", {Array<half_t>(Shape{1}, {half_t(0.f)})}, {{"scalar", "0.1"}});
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_EQ(Values<half_t>(h)[0].bits, half_t(0.1f).bits);
  // Default scalar is 1; unknown parameters are rejected.
  EXPECT_EQ(Values<float>(Run1("_plus_scalar", {Array<float>(Shape{1}, {1.f})}))[0], 2.f);
  auto [kind, msg] = CatchError([&] {
    Run1("_plus_scalar", {Array<float>(Shape{1}, {1.f})}, {{"scalr", "1"}});
  });
  EXPECT_EQ(kind, ErrorKind::kNotFound);
  auto [k2, m2] = CatchError([&] {
    Run1("_plus_scalar", {Array<float>(Shape{1}, {1.f})}, {{"scalar", "abc"}});
  });
  EXPECT_EQ(k2, ErrorKind::kTypeError);
  EXPECT_NE(m2.find("_plus_scalar"), std::string::npos) << m2;
}

TEST(BinaryOpTest, OutputRequests) {
  std::vector<float> l = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f};
  std::vector<float> r = {10.f, 20.f, 30.f};
  std::vector<float> out(6, 100.f);
  // (2, 3) + (3,) accumulated into out.
  RunKernel("broadcast_add", {}, {BlobOf(l, Shape{2, 3}), BlobOf(r, Shape{3})},
            {BlobOf(out, Shape{2, 3})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{111, 122, 133, 114, 125, 136}));
  RunKernel("broadcast_add", {}, {BlobOf(l, Shape{2, 3}), BlobOf(r, Shape{3})},
            {BlobOf(out, Shape{2, 3})}, op::OpReq::kNull);
  EXPECT_EQ(out, (std::vector<float>{111, 122, 133, 114, 125, 136}));
  std::vector<int32_t> xi = {1, 2};
  std::vector<int32_t> oi = {5, 5};
  RunKernel("_mul_scalar", {{"scalar", "3"}}, {BlobOf(xi, Shape{2})}, {BlobOf(oi, Shape{2})},
            op::OpReq::kAddTo);
  EXPECT_EQ(oi, (std::vector<int32_t>{8, 11}));
  // In place: lhs is the output.
  RunKernel("elemwise_mul", {}, {BlobOf(l, Shape{6}), BlobOf(l, Shape{6})}, {BlobOf(l, Shape{6})},
            op::OpReq::kWriteInplace);
  EXPECT_EQ(l, (std::vector<float>{1, 4, 9, 16, 25, 36}));
}

TEST(BinaryOpTest, ViewsAsInputsAndOutput) {
  std::vector<float> base(24);
  for (int i = 0; i < 24; ++i) base[i] = static_cast<float>(i);
  const NDArray big = Array<float>(Shape{4, 2, 3}, base);
  const NDArray lhs = big.Slice(1, 3);  // (2, 2, 3) starting at element 6
  const NDArray rhs = big.At(3).At(0);  // (3,) = {18, 19, 20}
  NDArray dst = Array<float>(Shape{3, 2, 3}, std::vector<float>(18, -1.f));
  auto outs = op::Invoke("broadcast_sub", std::vector<NDArray>{lhs, rhs}, {}, {dst.Slice(1, 3)});
  outs[0].WaitToRead();
  const std::vector<float> got = Values<float>(dst);
  for (int i = 0; i < 18; ++i) {
    const float want = i < 6 ? -1.f : base[i] - base[18 + i % 3];
    EXPECT_EQ(got[i], want) << i;
  }
}

TEST(BinaryOpTest, LargeBroadcastInParallel) {
  // Big enough to split into chunks that start mid-row.
  const Shape ls{3, 1, 50001};
  const Shape rs{4, 1};
  std::vector<double> l = TestValues(ls.Size(), 3);
  std::vector<double> r = TestValues(rs.Size(), 4);
  NDArray out = Run1("broadcast_mul", {Array<float>(ls, ToFloat(l)), Array<float>(rs, ToFloat(r))});
  ASSERT_EQ(out.shape(), (Shape{3, 4, 50001}));
  ExpectAllClose(AsDoubles(out),
                 RefBroadcast(ls, l, rs, r, out.shape(), [](double a, double b) { return a * b; }),
                 0, 0, "broadcast_mul large");
  // Same-shape and scalar fast paths, large.
  const int64_t n = 300001;
  std::vector<double> a = TestValues(n, 5);
  std::vector<double> b = TestValues(n, 6);
  NDArray s = Run1("broadcast_sub", {Array<float>(Shape{n}, ToFloat(a)),
                                     Array<float>(Shape{n}, ToFloat(b))});
  NDArray t = Run1("_rdiv_scalar", {Array<float>(Shape{n}, ToFloat(b))}, {{"scalar", "2"}});
  const std::vector<float> sv = Values<float>(s);
  const std::vector<float> tv = Values<float>(t);
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(sv[i], static_cast<float>(a[i] - b[i])) << i;
    ASSERT_EQ(tv[i], 2.f / static_cast<float>(b[i])) << i;
  }
}

// Many threads (more than this machine's cores): chunk borders fall inside rows and inside the
// float16 blocks; every element must still be written exactly once.
TEST(BinaryOpTest, ManyThreadChunks) {
  const Shape ls{3, 1, 40003};
  const Shape rs{5, 1};
  const Shape os{3, 5, 40003};
  std::vector<double> l = TestValues(ls.Size(), 7);
  std::vector<double> r = TestValues(rs.Size(), 8);
  const std::vector<double> want =
      RefBroadcast(ls, l, rs, r, os, [](double a, double b) { return a - b; });
  std::vector<float> lf = ToFloat(l), rf = ToFloat(r);
  std::vector<float> out(static_cast<size_t>(os.Size()), 1.f);
  RunKernel("broadcast_sub", {}, {BlobOf(lf, ls), BlobOf(rf, rs)}, {BlobOf(out, os)},
            op::OpReq::kAddTo, /*nthreads=*/7);
  std::vector<double> got(out.begin(), out.end());
  std::vector<double> want_plus_one = want;
  for (double& w : want_plus_one) w += 1.0;
  ExpectAllClose(got, want_plus_one, 0, 0, "broadcast_sub, 7 threads");
  std::vector<half_t> lh(l.begin(), l.end()), rh(r.begin(), r.end());
  std::vector<half_t> oh(static_cast<size_t>(os.Size()));
  RunKernel("broadcast_sub", {}, {BlobOf(lh, ls), BlobOf(rh, rs)}, {BlobOf(oh, os)},
            op::OpReq::kWriteTo, /*nthreads=*/5);
  for (size_t i = 0; i < oh.size(); ++i) {
    ASSERT_EQ(static_cast<float>(oh[i]), static_cast<float>(want[i])) << i;
  }
}

// The same-shape legacy ops MXNet 1.x symbols use (a ** b -> _Power, a == b -> _equal, ...).
TEST(BinaryOpTest, LegacySameShapeOps) {
  const NDArray a = Array<float>(Shape{4}, {2.f, -7.f, 3.f, 0.f});
  const NDArray b = Array<float>(Shape{4}, {3.f, 2.f, 3.f, 5.f});
  auto run = [&](const char* op) { return Values<float>(Run1(op, {a, b})); };
  EXPECT_EQ(run("_Power"), (std::vector<float>{8, 49, 27, 0}));
  EXPECT_EQ(run("_mod"), (std::vector<float>{2, 1, 0, 0}));
  EXPECT_EQ(run("_maximum"), (std::vector<float>{3, 2, 3, 5}));
  EXPECT_EQ(run("_Minimum"), (std::vector<float>{2, -7, 3, 0}));
  EXPECT_EQ(run("_hypot"), (std::vector<float>{std::hypot(2.f, 3.f), std::hypot(7.f, 2.f),
                                               std::hypot(3.f, 3.f), 5.f}));
  EXPECT_EQ(run("_grad_add"), (std::vector<float>{5, -5, 6, 5}));
  EXPECT_EQ(run("_equal"), (std::vector<float>{0, 0, 1, 0}));
  EXPECT_EQ(run("_Not_Equal"), (std::vector<float>{1, 1, 0, 1}));
  EXPECT_EQ(run("_greater"), (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(run("_greater_equal"), (std::vector<float>{0, 0, 1, 0}));
  EXPECT_EQ(run("_lesser"), (std::vector<float>{1, 1, 0, 1}));
  EXPECT_EQ(run("_Lesser_Equal"), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(run("_logical_and"), (std::vector<float>{1, 1, 1, 0}));
  EXPECT_EQ(run("_logical_or"), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(run("_logical_xor"), (std::vector<float>{0, 0, 0, 1}));
  auto [kind, msg] = CatchError([&] { Run1("_power", {a, Array<float>(Shape{1}, {2.f})}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("_power"), std::string::npos) << msg;
}

TEST(BinaryOpTest, RegistryShape) {
  for (const char* name : {"broadcast_add", "elemwise_div", "broadcast_equal"}) {
    const op::Op* o = op::FindOp(name);
    ASSERT_NE(o, nullptr) << name;
    ASSERT_EQ(o->schema->input_names.size(), 2u);
    EXPECT_STREQ(o->schema->input_names[0], "lhs");
    EXPECT_STREQ(o->schema->input_names[1], "rhs");
    EXPECT_TRUE(o->kernel.cheap);
  }
  const op::Op* s = op::FindOp("_PlusScalar");
  ASSERT_NE(s, nullptr);
  EXPECT_STREQ(s->name(), "_plus_scalar");
}

}  // namespace
}  // namespace mixnet::test
