// LayerNorm, InstanceNorm and GroupNorm: forward against loops written here (outputs and the
// saved/visible statistics), numeric gradient checks (float64 and float32, visible statistics
// included), zero-size data and bad input. MXNet's fixture cases run in nn_norm_batch_norm_test.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "grad_check_util.h"
#include "operator/imperative.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

// Run under another name: inside a TEST body `Run` is gtest's own member.
std::vector<NDArray> RunOp(std::string_view op, std::vector<NDArray> in, const Attrs& attrs = {}) {
  return Run(op, std::move(in), attrs);
}

struct NormRef {
  std::vector<double> y, mean, std;
};

// Normalises every slice (outer, :, inner) of x viewed as (outer, n, inner); gamma index is
// gidx(slice, j). eps is the op's float32 parameter, widened.
template <typename G>
NormRef RefSliceNorm(const std::vector<double>& x, int64_t outer, int64_t n, int64_t inner,
                     double eps, G gidx, const std::vector<double>& gamma,
                     const std::vector<double>& beta) {
  NormRef r;
  r.y.assign(x.size(), 0);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      double s = 0, sq = 0;
      for (int64_t j = 0; j < n; ++j) s += x[(o * n + j) * inner + i];
      const double mean = s / n;
      for (int64_t j = 0; j < n; ++j) {
        const double d = x[(o * n + j) * inner + i] - mean;
        sq += d * d;
      }
      const double sd = std::sqrt(sq / n + eps);
      for (int64_t j = 0; j < n; ++j) {
        const int64_t at = (o * n + j) * inner + i;
        const int64_t k = gidx(o * inner + i, j);
        r.y[at] = (x[at] - mean) / sd * gamma[k] + beta[k];
      }
      r.mean.push_back(mean);
      r.std.push_back(sd);
    }
  }
  return r;
}

TEST(NnNormLayer, LayerNormAxes) {
  const Shape s{2, 3, 4};
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    for (int axis : {-1, 0, 1, 2, -3}) {
      SCOPED_TRACE(std::string(DTypeName(t)) + " axis " + std::to_string(axis));
      const int a = axis < 0 ? axis + 3 : axis;
      NDArray x = RandomArray(s, t, -2, 2, 1);
      NDArray g = RandomArray({s[a]}, t, 0.5, 1.5, 2);
      NDArray b = RandomArray({s[a]}, t, -1, 1, 3);
      const std::string ax = std::to_string(axis);
      auto outs = RunOp("LayerNorm", {x, g, b}, {{"axis", ax}, {"output_mean_var", "True"}});
      ASSERT_EQ(outs.size(), 3u);
      Shape stats = s;
      stats[a] = 1;
      EXPECT_EQ(outs[1].shape(), stats);
      const NormRef r = RefSliceNorm(
          AsDoubles(x), s.ProdRange(0, a), s[a], s.ProdRange(a + 1, 3), static_cast<double>(1e-5f),
          [](int64_t, int64_t j) { return j; }, AsDoubles(g), AsDoubles(b));
      const double tol = t == DType::kFloat64 ? 1e-12 : 1e-5;
      ExpectAllClose(AsDoubles(outs[0]), r.y, tol, tol, "output");
      ExpectAllClose(AsDoubles(outs[1]), r.mean, tol, tol, "mean");
      ExpectAllClose(AsDoubles(outs[2]), r.std, tol, tol, "std");
      EXPECT_EQ(RunOp("LayerNorm", {x, g, b}, {{"axis", ax}}).size(), 1u);
    }
  }
}

TEST(NnNormLayer, InstanceNorm) {
  const Shape s{2, 3, 2, 3};
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    NDArray x = RandomArray(s, t, -2, 2, 4);
    NDArray g = RandomArray({3}, t, 0.5, 1.5, 5);
    NDArray b = RandomArray({3}, t, -1, 1, 6);
    const NormRef r = RefSliceNorm(
        AsDoubles(x), 6, 6, 1, static_cast<double>(0.01f),
        [](int64_t slice, int64_t) { return slice % 3; }, AsDoubles(g), AsDoubles(b));
    const double tol = t == DType::kFloat64 ? 1e-12 : 1e-5;
    ExpectAllClose(AsDoubles(Run1("InstanceNorm", {x, g, b}, {{"eps", "0.01"}})), r.y, tol, tol,
                   "InstanceNorm");
  }
}

TEST(NnNormLayer, GroupNorm) {
  const Shape s{2, 6, 2};
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    for (int groups : {1, 2, 3, 6}) {
      SCOPED_TRACE(groups);
      NDArray x = RandomArray(s, t, -2, 2, 7);
      NDArray g = RandomArray({groups}, t, 0.5, 1.5, 8);
      NDArray b = RandomArray({groups}, t, -1, 1, 9);
      const std::string gs = std::to_string(groups);
      auto outs = RunOp("GroupNorm", {x, g, b}, {{"num_groups", gs}, {"output_mean_var", "True"}});
      ASSERT_EQ(outs.size(), 3u);
      EXPECT_EQ(outs[1].shape(), Shape({2, groups}));
      const int64_t n = 12 / groups;
      const NormRef r = RefSliceNorm(
          AsDoubles(x), 2 * groups, n, 1, static_cast<double>(1e-5f),
          [groups](int64_t slice, int64_t) { return slice % groups; }, AsDoubles(g),
          AsDoubles(b));
      const double tol = t == DType::kFloat64 ? 1e-12 : 1e-5;
      ExpectAllClose(AsDoubles(outs[0]), r.y, tol, tol, "output");
      ExpectAllClose(AsDoubles(outs[1]), r.mean, tol, tol, "mean");
      ExpectAllClose(AsDoubles(outs[2]), r.std, tol, tol, "std");
    }
  }
}

// Hand values: [1, 3] normalised is [-1, 1] (eps 0) whatever the op.
TEST(NnNormLayer, HandValues) {
  NDArray x = Array<double>({1, 2, 1}, {1, 3});
  NDArray one2 = Array<double>({2}, {1, 1}), zero2 = Array<double>({2}, {0, 0});
  ExpectAllClose(AsDoubles(Run1("LayerNorm", {x, one2, zero2}, {{"axis", "1"}, {"eps", "0"}})),
                 {-1, 1}, 1e-12, 1e-12, "LayerNorm");
  NDArray x2 = Array<double>({1, 1, 2}, {1, 3});
  NDArray one1 = Array<double>({1}, {2}), zero1 = Array<double>({1}, {0.5});
  ExpectAllClose(AsDoubles(Run1("InstanceNorm", {x2, one1, zero1}, {{"eps", "0"}})), {-1.5, 2.5},
                 1e-12, 1e-12, "InstanceNorm");
  ExpectAllClose(AsDoubles(Run1("GroupNorm", {x2, one1, zero1}, {{"eps", "0"}})), {-1.5, 2.5},
                 1e-12, 1e-12, "GroupNorm");
}

TEST(NnNormLayer, ZeroSize) {
  NDArray x(Shape({0, 4}), Context::CPU(), DType::kFloat32);
  NDArray g = Array<float>({4}, {1, 1, 1, 1});
  EXPECT_EQ(Run1("LayerNorm", {x, g, g}).shape(), Shape({0, 4}));
  NDArray xg(Shape({0, 4, 3}), Context::CPU(), DType::kFloat32);
  NDArray g2 = Array<float>({2}, {1, 1}), g4 = g;
  EXPECT_EQ(Run1("GroupNorm", {xg, g2, g2}, {{"num_groups", "2"}}).shape(), Shape({0, 4, 3}));
  EXPECT_EQ(Run1("InstanceNorm", {xg, g4, g4}).shape(), Shape({0, 4, 3}));
}

TEST(NnNormLayer, BadInput) {
  NDArray x = RandomArray({2, 4, 3}, DType::kFloat32, -1, 1, 1);
  NDArray g3 = Array<float>({3}, {1, 1, 1});
  NDArray g4 = Array<float>({4}, {1, 1, 1, 1});
  NDArray g2 = Array<float>({2}, {1, 1});
  auto e = Catch([&] { RunOp("LayerNorm", {x, g4, g3}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "LayerNorm") && Contains(e, "gamma") && Contains(e, "(4,)") &&
              Contains(e, "(2, 4, 3)"))
      << e.what();
  e = Catch([&] { RunOp("LayerNorm", {x, g3, g3}, {{"axis", "3"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "axis 3")) << e.what();
  e = Catch([&] { RunOp("InstanceNorm", {x, g3, g3}); });
  EXPECT_TRUE(Contains(e, "InstanceNorm") && Contains(e, "gamma")) << e.what();
  e = Catch([&] { RunOp("InstanceNorm", {Array<float>({2, 2}, {1, 2, 3, 4}), g2, g2}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  e = Catch([&] { RunOp("GroupNorm", {x, g3, g3}, {{"num_groups", "3"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "num_groups=3") && Contains(e, "(2, 4, 3)")) << e.what();
  e = Catch([&] { RunOp("GroupNorm", {x, g4, g4}, {{"num_groups", "2"}}); });  // per group: (2,)
  EXPECT_TRUE(Contains(e, "gamma") && Contains(e, "(2,)")) << e.what();
  EXPECT_EQ(Catch([&] { RunOp("GroupNorm", {x, g2, g2}, {{"num_groups", "0"}}); }).kind(),
            ErrorKind::kValueError);
  NDArray xi = Array<int32_t>({1, 3}, {1, 2, 3});
  EXPECT_EQ(Catch([&] { RunOp("LayerNorm", {xi, g3, g3}); }).kind(), ErrorKind::kTypeError);
}

GRAD_TEST(NnNormLayerGrad, LayerNorm, "LayerNorm") {
  const Shape s{2, 3, 4};
  for (int axis : {-1, 1, 0}) {
    const int64_t n = s[axis < 0 ? axis + 3 : axis];
    const std::string ax = std::to_string(axis);
    CheckGradient({.op = "LayerNorm", .attrs = {{"axis", ax}},
                   .inputs = {RandomArray(s, DType::kFloat64, -1, 1, 21),
                              RandomArray({n}, DType::kFloat64, 0.5, 1.5, 22),
                              RandomArray({n}, DType::kFloat64, -1, 1, 23)}});
  }
  CheckGradient({.op = "LayerNorm", .attrs = {{"output_mean_var", "True"}},
                 .inputs = {RandomArray({3, 4}, DType::kFloat64, -1, 1, 24),
                            RandomArray({4}, DType::kFloat64, 0.5, 1.5, 25),
                            RandomArray({4}, DType::kFloat64, -1, 1, 26)}});
  CheckGradient({.op = "LayerNorm",
                 .inputs = {RandomArray({3, 5}, DType::kFloat32, -1, 1, 27),
                            RandomArray({5}, DType::kFloat32, 0.5, 1.5, 28),
                            RandomArray({5}, DType::kFloat32, -1, 1, 29)}});
}

GRAD_TEST(NnNormLayerGrad, InstanceNorm, "InstanceNorm") {
  CheckGradient({.op = "InstanceNorm",
                 .inputs = {RandomArray({2, 3, 2, 2}, DType::kFloat64, -1, 1, 31),
                            RandomArray({3}, DType::kFloat64, 0.5, 1.5, 32),
                            RandomArray({3}, DType::kFloat64, -1, 1, 33)}});
}

GRAD_TEST(NnNormLayerGrad, GroupNorm, "GroupNorm") {
  CheckGradient({.op = "GroupNorm", .attrs = {{"num_groups", "2"}},
                 .inputs = {RandomArray({2, 4, 3}, DType::kFloat64, -1, 1, 41),
                            RandomArray({2}, DType::kFloat64, 0.5, 1.5, 42),
                            RandomArray({2}, DType::kFloat64, -1, 1, 43)}});
  CheckGradient({.op = "GroupNorm", .attrs = {{"num_groups", "3"}, {"output_mean_var", "True"}},
                 .inputs = {RandomArray({2, 3, 2}, DType::kFloat64, -1, 1, 44),
                            RandomArray({3}, DType::kFloat64, 0.5, 1.5, 45),
                            RandomArray({3}, DType::kFloat64, -1, 1, 46)}});
}

}  // namespace
}  // namespace mixnet::test
