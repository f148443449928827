// Random ops: reproducibility after SeedRandom, sample statistics over 1e5 draws, ranges,
// dtypes and parameter validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

NDArray Draw(const char* op, const Attrs& attrs) { return Run1(op, {}, attrs); }

struct Moments {
  double mean = 0;
  double var = 0;
};

Moments MomentsOf(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(v.size() - 1);
  return m;
}

TEST(RandomOpTest, SeedReproducesExactly) {
  for (const char* op : {"_random_uniform", "_random_normal"}) {
    op::SeedRandom(42);
    const std::vector<float> a = Values<float>(Draw(op, {{"shape", "(1000,)"}}));
    const std::vector<float> a2 = Values<float>(Draw(op, {{"shape", "(1000,)"}}));
    op::SeedRandom(42);
    const std::vector<float> b = Values<float>(Draw(op, {{"shape", "(1000,)"}}));
    const std::vector<float> b2 = Values<float>(Draw(op, {{"shape", "(1000,)"}}));
    EXPECT_EQ(a, b) << op;
    EXPECT_EQ(a2, b2) << op;
    EXPECT_NE(a, a2) << op;  // the stream advances
    op::SeedRandom(43);
    EXPECT_NE(Values<float>(Draw(op, {{"shape", "(1000,)"}})), a) << op;
  }
  op::SeedRandom(7);
  const auto r1 = Values<int32_t>(Draw("_random_randint", {{"low", "0"}, {"high", "1000"},
                                                           {"shape", "(500,)"}}));
  op::SeedRandom(7);
  const auto r2 = Values<int32_t>(Draw("_random_randint", {{"low", "0"}, {"high", "1000"},
                                                           {"shape", "(500,)"}}));
  EXPECT_EQ(r1, r2);
}

TEST(RandomOpTest, UniformStatistics) {
  op::SeedRandom(1);
  NDArray u = Draw("_random_uniform", {{"low", "-2"}, {"high", "3"}, {"shape", "(100000,)"}});
  EXPECT_EQ(u.dtype(), DType::kFloat32);
  const std::vector<double> v = AsDoubles(u);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -2.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 3.0);
  const Moments m = MomentsOf(v);
  // mean 0.5, variance 25/12; standard errors about 0.0046 and 0.006.
  EXPECT_NEAR(m.mean, 0.5, 0.03);
  EXPECT_NEAR(m.var, 25.0 / 12.0, 0.04);
  // Equal bounds give the constant; default is [0, 1).
  EXPECT_EQ(Values<float>(Draw("_random_uniform", {{"low", "2"}, {"high", "2"},
                                                   {"shape", "(3,)"}})),
            std::vector<float>(3, 2.f));
  const std::vector<double> d = AsDoubles(Draw("_random_uniform", {{"shape", "(1000,)"},
                                                                   {"dtype", "float64"}}));
  EXPECT_GE(*std::min_element(d.begin(), d.end()), 0.0);
  EXPECT_LT(*std::max_element(d.begin(), d.end()), 1.0);
}

TEST(RandomOpTest, NormalStatistics) {
  op::SeedRandom(2);
  NDArray n = Draw("_random_normal", {{"loc", "1.5"}, {"scale", "2"}, {"shape", "(100000,)"},
                                      {"dtype", "float64"}});
  EXPECT_EQ(n.dtype(), DType::kFloat64);
  const std::vector<double> v = Values<double>(n);
  const Moments m = MomentsOf(v);
  // Standard errors: mean 0.0063, variance 0.018.
  EXPECT_NEAR(m.mean, 1.5, 0.04);
  EXPECT_NEAR(m.var, 4.0, 0.1);
  // About 68.3% within one standard deviation.
  const double within = std::count_if(v.begin(), v.end(), [](double x) {
                          return std::fabs(x - 1.5) < 2.0;
                        }) / 1e5;
  EXPECT_NEAR(within, 0.6827, 0.01);
  // scale 0 gives loc.
  EXPECT_EQ(Values<float>(Draw("_random_normal", {{"loc", "3"}, {"scale", "0"},
                                                  {"shape", "(2,)"}})),
            std::vector<float>(2, 3.f));
}

TEST(RandomOpTest, RandintRangeAndUniformity) {
  op::SeedRandom(3);
  NDArray r = Draw("_random_randint", {{"low", "-3"}, {"high", "7"}, {"shape", "(100000,)"}});
  EXPECT_EQ(r.dtype(), DType::kInt32);
  const std::vector<int32_t> v = Values<int32_t>(r);
  std::vector<int> counts(10, 0);
  for (int32_t x : v) {
    ASSERT_GE(x, -3);
    ASSERT_LT(x, 7);
    ++counts[x + 3];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);  // each value about 1e4 times (sd ~95)
  NDArray w = Draw("_random_randint", {{"low", "-5000000000"}, {"high", "5000000000"},
                                       {"shape", "(1000,)"}, {"dtype", "int64"}});
  EXPECT_EQ(w.dtype(), DType::kInt64);
  const std::vector<int64_t> wv = Values<int64_t>(w);
  const std::set<int64_t> distinct(wv.begin(), wv.end());
  EXPECT_GT(distinct.size(), 990u);
  for (int64_t x : wv) {
    ASSERT_GE(x, -5000000000LL);
    ASSERT_LT(x, 5000000000LL);
  }
  EXPECT_EQ(Values<int32_t>(Draw("_random_randint", {{"low", "4"}, {"high", "5"},
                                                     {"shape", "(3,)"}})),
            std::vector<int32_t>(3, 4));
}

TEST(RandomOpTest, DTypesAndShapes) {
  NDArray h = Draw("_random_uniform", {{"shape", "(2, 3)"}, {"dtype", "float16"}});
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_EQ(h.shape(), (Shape{2, 3}));
  for (double x : AsDoubles(h)) {
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
  EXPECT_EQ(Draw("_random_normal", {{"dtype", "None"}}).dtype(), DType::kFloat32);
  EXPECT_EQ(Draw("_random_normal", {}).shape(), Shape{});
  EXPECT_EQ(Draw("_random_uniform", {{"shape", "(0, 4)"}}).Size(), 0);
  // Aliases.
  EXPECT_EQ(Draw("uniform", {{"shape", "(2,)"}}).shape(), (Shape{2}));
  EXPECT_EQ(Draw("random_normal", {{"shape", "(2,)"}}).shape(), (Shape{2}));
  const op::Op* o = op::FindOp("_random_randint");
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->schema->needs_rng);
}

TEST(RandomOpTest, BadParameters) {
  struct Bad {
    const char* op;
    Attrs attrs;
    ErrorKind kind;
    const char* mentions;
  };
  const std::vector<Bad> cases = {
      {"_random_uniform", {{"low", "2"}, {"high", "1"}}, ErrorKind::kValueError, "low"},
      {"_random_uniform", {{"low", "0"}, {"high", "inf"}}, ErrorKind::kValueError, "high"},
      {"_random_uniform", {{"dtype", "int32"}}, ErrorKind::kTypeError, "int32"},
      {"_random_normal", {{"scale", "-1"}}, ErrorKind::kValueError, "scale"},
      {"_random_normal", {{"shape", "(-2,)"}}, ErrorKind::kValueError, "shape"},
      {"_random_normal", {{"ctx", "gpu(0)"}}, ErrorKind::kNotImplemented, "ctx"},
      {"_random_randint", {{"low", "5"}, {"high", "5"}}, ErrorKind::kValueError, "low"},
      {"_random_randint", {{"low", "0"}, {"high", "3000000000"}}, ErrorKind::kValueError,
       "int32"},
      {"_random_randint", {{"low", "0"}, {"high", "3"}, {"dtype", "float32"}},
       ErrorKind::kTypeError, "float32"},
      {"_random_randint", {{"high", "3"}}, ErrorKind::kValueError, "low"},
  };
  for (const Bad& b : cases) {
    auto [kind, msg] = CatchError([&] { Draw(b.op, b.attrs); });
    EXPECT_EQ(kind, b.kind) << b.op << ": " << msg;
    EXPECT_NE(msg.find(b.op), std::string::npos) << msg;
    EXPECT_NE(msg.find(b.mentions), std::string::npos) << msg;
  }
  // The generator still works after errors.
  EXPECT_EQ(Draw("_random_uniform", {{"shape", "(4,)"}}).Size(), 4);
}

TEST(RandomOpTest, AddToRequest) {
  std::vector<float> out(5, 10.f);
  RunKernel("_random_uniform", {{"shape", "(5,)"}}, {}, {BlobOf(out, Shape{5})},
            op::OpReq::kAddTo);
  for (float x : out) {
    EXPECT_GE(x, 10.f);
    EXPECT_LT(x, 11.f);
  }
}

}  // namespace
}  // namespace mixnet::test
