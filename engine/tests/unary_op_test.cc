// Element-wise unary ops: every op against a double-precision std:: reference (float64 tightly,
// float32/float16/bfloat16 with their precision), MXNet's rounding quirks, integer and bool
// dtypes, output requests, views, empty and large (parallel) arrays.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct UnaryCase {
  const char* op;
  std::function<double(double)> ref;
  std::vector<double> inputs;
};

// Inputs stay inside each function's domain (plus a few edge values where the result is defined).
std::vector<UnaryCase> UnaryCases() {
  const std::vector<double> any = {-3.5, -1.25, -0.5, 0.0, 0.3, 1.0, 2.75, 7.0};
  const std::vector<double> pos = {0.01, 0.5, 1.0, 2.0, 10.0, 123.25};
  const std::vector<double> unit = {-0.99, -0.5, 0.0, 0.25, 0.75, 0.99};
  const double deg = 180.0 / std::numbers::pi;
  return {
      {"abs", [](double x) { return std::fabs(x); }, any},
      {"negative", [](double x) { return -x; }, any},
      {"exp", [](double x) { return std::exp(x); }, any},
      {"log", [](double x) { return std::log(x); }, pos},
      {"log1p", [](double x) { return std::log1p(x); }, {-0.5, 1e-7, 0.3, 4.0}},
      {"expm1", [](double x) { return std::expm1(x); }, {-2.0, -1e-6, 1e-8, 0.5, 3.0}},
      {"log2", [](double x) { return std::log2(x); }, pos},
      {"log10", [](double x) { return std::log10(x); }, pos},
      {"sqrt", [](double x) { return std::sqrt(x); }, pos},
      {"rsqrt", [](double x) { return 1.0 / std::sqrt(x); }, pos},
      {"cbrt", [](double x) { return std::cbrt(x); }, any},
      {"rcbrt", [](double x) { return 1.0 / std::cbrt(x); }, {-8.0, -0.5, 0.2, 27.0}},
      {"square", [](double x) { return x * x; }, any},
      {"reciprocal", [](double x) { return 1.0 / x; }, {-4.0, -0.5, 0.25, 3.0}},
      {"sin", [](double x) { return std::sin(x); }, any},
      {"cos", [](double x) { return std::cos(x); }, any},
      {"tan", [](double x) { return std::tan(x); }, {-1.2, -0.5, 0.0, 0.3, 1.0}},
      {"arcsin", [](double x) { return std::asin(x); }, unit},
      {"arccos", [](double x) { return std::acos(x); }, unit},
      {"arctan", [](double x) { return std::atan(x); }, any},
      {"sinh", [](double x) { return std::sinh(x); }, any},
      {"cosh", [](double x) { return std::cosh(x); }, any},
      {"tanh", [](double x) { return std::tanh(x); }, any},
      {"arcsinh", [](double x) { return std::asinh(x); }, any},
      {"arccosh", [](double x) { return std::acosh(x); }, {1.0, 1.5, 3.0, 100.0}},
      {"arctanh", [](double x) { return std::atanh(x); }, unit},
      {"degrees", [deg](double x) { return x * deg; }, any},
      {"radians", [deg](double x) { return x / deg; }, any},
      {"sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, any},
      {"relu", [](double x) { return x > 0 ? x : 0.0; }, any},
      {"softsign", [](double x) { return x / (1.0 + std::fabs(x)); }, any},
      {"erf", [](double x) { return std::erf(x); }, any},
      {"gamma", [](double x) { return std::tgamma(x); }, {-2.5, -0.5, 0.5, 1.0, 4.5, 10.0}},
      {"gammaln", [](double x) { return std::lgamma(x); }, {-2.5, 0.5, 1.0, 4.5, 30.0}},
      {"floor", [](double x) { return std::floor(x); }, any},
      {"ceil", [](double x) { return std::ceil(x); }, any},
      {"round", [](double x) { return std::round(x); }, any},
      {"trunc", [](double x) { return std::trunc(x); }, any},
      {"sign", [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }, any},
      {"logical_not", [](double x) { return x == 0 ? 1.0 : 0.0; }, any},
  };
}

std::vector<double> Apply(const UnaryCase& c, const std::vector<double>& xs) {
  std::vector<double> out;
  for (double x : xs) out.push_back(c.ref(x));
  return out;
}

TEST(UnaryOpTest, Float64MatchesStdMath) {
  for (const UnaryCase& c : UnaryCases()) {
    const Shape s{static_cast<int64_t>(c.inputs.size())};
    NDArray y = Run1(c.op, {Array<double>(s, c.inputs)});
    EXPECT_EQ(y.dtype(), DType::kFloat64) << c.op;
    EXPECT_EQ(y.shape(), s) << c.op;
    ExpectAllClose(AsDoubles(y), Apply(c, c.inputs), 1e-14, 1e-300, c.op);
  }
}

TEST(UnaryOpTest, Float32MatchesStdMath) {
  for (const UnaryCase& c : UnaryCases()) {
    std::vector<float> xs(c.inputs.begin(), c.inputs.end());
    std::vector<double> exact;  // reference on the float32-rounded inputs
    for (float x : xs) exact.push_back(c.ref(x));
    NDArray y = Run1(c.op, {Array<float>(Shape{static_cast<int64_t>(xs.size())}, xs)});
    EXPECT_EQ(y.dtype(), DType::kFloat32) << c.op;
    ExpectAllClose(AsDoubles(y), exact, 2e-6, 1e-6, c.op);
  }
}

TEST(UnaryOpTest, HalfTypesComputeInFloat) {
  for (const UnaryCase& c : UnaryCases()) {
    std::vector<half_t> xh;
    std::vector<bf16_t> xb;
    std::vector<double> want_h, want_b;
    for (double x : c.inputs) {
      xh.emplace_back(static_cast<float>(x));
      xb.emplace_back(static_cast<float>(x));
      want_h.push_back(c.ref(static_cast<float>(xh.back())));
      want_b.push_back(c.ref(static_cast<float>(xb.back())));
    }
    const Shape s{static_cast<int64_t>(xh.size())};
    NDArray yh = Run1(c.op, {Array<half_t>(s, xh)});
    NDArray yb = Run1(c.op, {Array<bf16_t>(s, xb)});
    EXPECT_EQ(yh.dtype(), DType::kFloat16);
    EXPECT_EQ(yb.dtype(), DType::kBfloat16);
    // One rounding of the float result to 11 (float16) or 8 (bfloat16) significant bits;
    // float16 overflows to inf above 65504.
    std::vector<double> got_h = AsDoubles(yh);
    for (size_t i = 0; i < want_h.size(); ++i) {
      if (std::fabs(want_h[i]) > 65504) want_h[i] = std::copysign(kInf, want_h[i]);
    }
    ExpectAllClose(got_h, want_h, 1e-3, 1e-4, std::string(c.op) + " float16");
    ExpectAllClose(AsDoubles(yb), want_b, 8e-3, 1e-3, std::string(c.op) + " bfloat16");
  }
}

// The fixture's values: MXNet 1.9.1 itself produced them.
TEST(UnaryOpTest, RoundingQuirksOfMxnet) {
  const std::vector<float> x = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -0.7f, 0.3f,
                                1.7f,  -1.2f, 3.5f,  -3.5f};
  const Shape s{3, 4};
  auto run = [&](const char* op) { return Values<float>(Run1(op, {Array<float>(s, x)})); };
  EXPECT_EQ(run("rint"), (std::vector<float>{-3, -2, -1, 0, 1, 2, -1, 0, 2, -1, 3, -4}));
  EXPECT_EQ(run("round"), (std::vector<float>{-3, -2, -1, 1, 2, 3, -1, 0, 2, -1, 4, -4}));
  EXPECT_EQ(run("fix"), (std::vector<float>{-2, -1, -0.f, 0, 1, 2, -0.f, 0, 1, -1, 3, -3}));
  EXPECT_EQ(run("floor"), (std::vector<float>{-3, -2, -1, 0, 1, 2, -1, 0, 1, -2, 3, -4}));
  EXPECT_EQ(run("ceil"), (std::vector<float>{-2, -1, -0.f, 1, 2, 3, -0.f, 1, 2, -1, 4, -3}));
  EXPECT_EQ(run("trunc"), (std::vector<float>{-2, -1, -0.f, 0, 1, 2, -0.f, 0, 1, -1, 3, -3}));
  // fix keeps the sign of zero for small negatives.
  const std::vector<float> fixed = run("fix");
  EXPECT_TRUE(std::signbit(fixed[2]));
  EXPECT_TRUE(std::signbit(fixed[6]));
  EXPECT_FALSE(std::signbit(fixed[7]));
  // float64 follows the same rules.
  std::vector<double> xd(x.begin(), x.end());
  EXPECT_EQ(Values<double>(Run1("rint", {Array<double>(s, xd)})),
            (std::vector<double>{-3, -2, -1, 0, 1, 2, -1, 0, 2, -1, 3, -4}));
}

TEST(UnaryOpTest, ErfinvIsAccurateToDoublePrecision) {
  const std::vector<double> y = {0.5, -0.5, 0.9, 0.1, 1e-3, 0.999, -0.999999, 0.99999999};
  // Exact erfinv of those doubles (80-digit Newton iteration on the erf series), rounded.
  const std::vector<double> want = {0.476936276204469878,   -0.476936276204469878,
                                    1.16308715367667426,    0.0888559904942576861,
                                    8.86227157466552124e-4, 2.32675376551352464,
                                    -3.45891073727549880,   4.05223724326876322};
  ExpectAllClose(Values<double>(Run1("erfinv", {Array<double>(Shape{8}, y)})), want, 4e-15, 0,
                 "erfinv");
  // erf(erfinv(y)) == y to within rounding, across (-1, 1).
  std::vector<double> grid;
  for (int i = -999; i <= 999; i += 7) grid.push_back(i / 1000.0);
  grid.push_back(1 - 1e-15);
  grid.push_back(-1 + 1e-12);
  const std::vector<double> inv =
      Values<double>(Run1("erfinv", {Array<double>(Shape{int64_t(grid.size())}, grid)}));
  for (size_t i = 0; i < grid.size(); ++i) {
    EXPECT_NEAR(std::erf(inv[i]), grid[i], 4e-16) << "y = " << grid[i];
  }
  // Edges: +-1 -> +-inf, outside [-1, 1] and NaN -> NaN, zero keeps its sign.
  const std::vector<double> edge =
      Values<double>(Run1("erfinv", {Array<double>(Shape{6}, {1, -1, 1.5, -2, kNaN, -0.0})}));
  EXPECT_EQ(edge[0], kInf);
  EXPECT_EQ(edge[1], -kInf);
  EXPECT_TRUE(std::isnan(edge[2]) && std::isnan(edge[3]) && std::isnan(edge[4]));
  EXPECT_TRUE(edge[5] == 0 && std::signbit(edge[5]));
}

TEST(UnaryOpTest, NaNHandling) {
  const std::vector<double> x = {kNaN};
  auto one = [&](const char* op) {
    return Values<double>(Run1(op, {Array<double>(Shape{1}, x)}))[0];
  };
  EXPECT_TRUE(std::isnan(one("relu")));   // NaN propagates through relu
  EXPECT_EQ(one("sign"), 0.0);            // MXNet: neither < 0 nor > 0
  EXPECT_EQ(one("logical_not"), 0.0);     // NaN is truthy
  EXPECT_TRUE(std::isnan(one("rint")));
  EXPECT_TRUE(std::isnan(one("fix")));
}

TEST(UnaryOpTest, IntegerDTypes) {
  // Integral ops stay exact and wrap like the hardware.
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(Values<int32_t>(Run1("abs", {Array<int32_t>(Shape{4}, {-3, 0, 5, kMin})})),
            (std::vector<int32_t>{3, 0, 5, kMin}));
  EXPECT_EQ(Values<int8_t>(Run1("negative", {Array<int8_t>(Shape{3}, {-128, 1, 127})})),
            (std::vector<int8_t>{-128, -1, -127}));
  EXPECT_EQ(Values<uint8_t>(Run1("square", {Array<uint8_t>(Shape{3}, {3, 15, 16})})),
            (std::vector<uint8_t>{9, 225, 0}));
  EXPECT_EQ(Values<int64_t>(Run1("sign", {Array<int64_t>(Shape{3}, {-7, 0, 1LL << 40})})),
            (std::vector<int64_t>{-1, 0, 1}));
  EXPECT_EQ(Values<int32_t>(Run1("relu", {Array<int32_t>(Shape{3}, {-2, 0, 9})})),
            (std::vector<int32_t>{0, 0, 9}));
  EXPECT_EQ(Values<int32_t>(Run1("rint", {Array<int32_t>(Shape{2}, {-5, 6})})),
            (std::vector<int32_t>{-5, 6}));
  EXPECT_EQ(Values<uint8_t>(Run1("logical_not", {Array<uint8_t>(Shape{3}, {0, 1, 200})})),
            (std::vector<uint8_t>{1, 0, 0}));
  // Other functions compute in double and truncate toward zero, as MXNet casts.
  EXPECT_EQ(Values<int32_t>(Run1("exp", {Array<int32_t>(Shape{3}, {0, 1, 2})})),
            (std::vector<int32_t>{1, 2, 7}));
  EXPECT_EQ(Values<int32_t>(Run1("sqrt", {Array<int32_t>(Shape{3}, {16, 17, 99})})),
            (std::vector<int32_t>{4, 4, 9}));
  EXPECT_EQ(Values<int64_t>(Run1("reciprocal", {Array<int64_t>(Shape{3}, {1, 2, -1})})),
            (std::vector<int64_t>{1, 0, -1}));
  EXPECT_EQ(Values<int32_t>(Run1("sigmoid", {Array<int32_t>(Shape{2}, {0, 40})})),
            (std::vector<int32_t>{0, 1}));
  // Non-finite results: NaN -> 0, infinities saturate (MXNet's cast is undefined there).
  EXPECT_EQ(Values<int32_t>(Run1("log", {Array<int32_t>(Shape{2}, {0, -1})})),
            (std::vector<int32_t>{kMin, 0}));
  EXPECT_EQ(Values<uint8_t>(Run1("exp", {Array<uint8_t>(Shape{1}, {10})})),
            (std::vector<uint8_t>{255}));
}

TEST(UnaryOpTest, BoolOnlyForLogicalNot) {
  const NDArray b = Array<bool>(Shape{3}, {true, false, true});
  NDArray y = Run1("logical_not", {b});
  EXPECT_EQ(y.dtype(), DType::kBool);
  EXPECT_EQ(Values<bool>(y), (std::vector<bool>{false, true, false}));
  for (const char* op : {"abs", "exp", "sign", "relu"}) {
    auto [kind, msg] = CatchError([&] { Run1(op, {b}); });
    EXPECT_EQ(kind, ErrorKind::kTypeError) << op;
    EXPECT_NE(msg.find(op), std::string::npos) << msg;
    EXPECT_NE(msg.find("bool"), std::string::npos) << msg;
  }
}

TEST(UnaryOpTest, ZeroSizeAndScalarShapes) {
  NDArray empty = Run1("exp", {Array<float>(Shape{0, 3}, {})});
  EXPECT_EQ(empty.shape(), (Shape{0, 3}));
  EXPECT_EQ(empty.Size(), 0);
  NDArray scalar = Run1("square", {Array<float>(Shape{}, {3.f})});
  EXPECT_EQ(scalar.shape(), Shape{});
  EXPECT_EQ(Values<float>(scalar), std::vector<float>{9.f});
}

TEST(UnaryOpTest, OutputRequests) {
  std::vector<float> x = {0.f, 1.f, 4.f};
  std::vector<float> out = {10.f, 20.f, 30.f};
  RunKernel("sqrt", {}, {BlobOf(x, Shape{3})}, {BlobOf(out, Shape{3})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{10.f, 21.f, 32.f}));
  RunKernel("sqrt", {}, {BlobOf(x, Shape{3})}, {BlobOf(out, Shape{3})}, op::OpReq::kNull);
  EXPECT_EQ(out, (std::vector<float>{10.f, 21.f, 32.f}));
  RunKernel("sqrt", {}, {BlobOf(x, Shape{3})}, {BlobOf(out, Shape{3})}, op::OpReq::kWriteTo);
  EXPECT_EQ(out, (std::vector<float>{0.f, 1.f, 2.f}));
  // In place: output and input are the same memory.
  RunKernel("square", {}, {BlobOf(out, Shape{3})}, {BlobOf(out, Shape{3})},
            op::OpReq::kWriteInplace);
  EXPECT_EQ(out, (std::vector<float>{0.f, 1.f, 4.f}));
  // kAddTo for float16 and int32.
  std::vector<half_t> xh = {half_t(1.5f), half_t(-2.f)};
  std::vector<half_t> oh = {half_t(1.f), half_t(1.f)};
  RunKernel("abs", {}, {BlobOf(xh, Shape{2})}, {BlobOf(oh, Shape{2})}, op::OpReq::kAddTo);
  EXPECT_EQ(static_cast<float>(oh[0]), 2.5f);
  EXPECT_EQ(static_cast<float>(oh[1]), 3.f);
  std::vector<int32_t> xi = {-3, 4};
  std::vector<int32_t> oi = {100, 100};
  RunKernel("negative", {}, {BlobOf(xi, Shape{2})}, {BlobOf(oi, Shape{2})}, op::OpReq::kAddTo);
  EXPECT_EQ(oi, (std::vector<int32_t>{103, 96}));
}

TEST(UnaryOpTest, ViewsAsInputAndOutput) {
  std::vector<float> base(12);
  for (int i = 0; i < 12; ++i) base[i] = static_cast<float>(i) - 5.5f;
  NDArray a = Array<float>(Shape{3, 4}, base);
  NDArray dst = Array<float>(Shape{4, 4}, std::vector<float>(16, 7.f));
  // Row 1 of `a` (a view) into rows [2, 3) of `dst` (a view of shape (1, 4)).
  NDArray row = a.At(1).Reshape(Shape{1, 4});
  auto outs = op::Invoke("abs", std::vector<NDArray>{row}, {}, {dst.Slice(2, 3)});
  outs[0].WaitToRead();
  const std::vector<float> got = Values<float>(dst);
  for (int i = 0; i < 16; ++i) {
    const float want = (i >= 8 && i < 12) ? std::fabs(base[4 + (i - 8)]) : 7.f;
    EXPECT_EQ(got[i], want) << i;
  }
}

TEST(UnaryOpTest, LargeArraysRunInParallelChunks) {
  const int64_t n = 1 << 20;
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>((i % 2001) - 1000) * 0.01f;
  for (const char* op : {"tanh", "relu", "floor"}) {
    const std::vector<float> got = Values<float>(Run1(op, {Array<float>(Shape{n}, x)}));
    for (int64_t i = 0; i < n; i += 997) {
      const float want = std::string(op) == "tanh"   ? std::tanh(x[i])
                         : std::string(op) == "relu" ? std::max(x[i], 0.f)
                                                     : std::floor(x[i]);
      ASSERT_NEAR(got[i], want, 1e-6) << op << " at " << i;
    }
    EXPECT_EQ(got[n - 1], std::string(op) == "tanh"   ? std::tanh(x[n - 1])
                          : std::string(op) == "relu" ? std::max(x[n - 1], 0.f)
                                                      : std::floor(x[n - 1]));
  }
  // float16 through the block conversion path, with a length that is not a multiple of 8.
  const int64_t m = 100003;
  std::vector<half_t> xh(m);
  for (int64_t i = 0; i < m; ++i) xh[i] = half_t(static_cast<float>(i % 64) - 31.5f);
  const std::vector<half_t> yh = Values<half_t>(Run1("abs", {Array<half_t>(Shape{m}, xh)}));
  for (int64_t i = 0; i < m; ++i) {
    ASSERT_EQ(static_cast<float>(yh[i]), std::fabs(static_cast<float>(xh[i]))) << i;
  }
}

TEST(UnaryOpTest, RegistryFlags) {
  for (const char* name : {"abs", "exp", "erfinv", "rint", "logical_not", "sign"}) {
    const op::Op* o = op::FindOp(name);
    ASSERT_NE(o, nullptr) << name;
    // Rounding, sign and logical ops have a zero gradient: not differentiable (no backward).
    const std::string n = name;
    const bool zero_grad = n == "rint" || n == "logical_not" || n == "sign";
    EXPECT_EQ(o->schema->differentiable, !zero_grad) << name;
    EXPECT_TRUE(o->kernel.cheap) << name;
    EXPECT_EQ(o->schema->input_names.size(), 1u);
    EXPECT_STREQ(o->schema->input_names[0], "data");
  }
}

}  // namespace
}  // namespace mixnet::test
