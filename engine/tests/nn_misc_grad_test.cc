// Gradients of hard_sigmoid and L2Normalization: numeric checks in float64 (every mode of
// L2Normalization, a large eps, points off hard_sigmoid's kinks) and hand values.
#include <gtest/gtest.h>

#include <vector>

#include "backward_call_util.h"
#include "grad_check_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

constexpr DType kF64 = DType::kFloat64;

GRAD_TEST(NnMiscGrad, HardSigmoid, "hard_sigmoid") {
  // Default alpha 0.2, beta 0.5: linear on (-2.5, 2.5); points on both flat parts too.
  const std::vector<double> x = {-3.5, -2.0, -0.7, 0.3, 1.9, 3.2};
  CheckGradient({.op = "hard_sigmoid", .inputs = {ArrayFromDoubles({2, 3}, kF64, x)}});
  // alpha 0.5, beta 0.1: linear on (-0.2, 1.8).
  CheckGradient({.op = "hard_sigmoid",
                 .attrs = {{"alpha", "0.5"}, {"beta", "0.1"}},
                 .inputs = {ArrayFromDoubles({2, 3}, kF64, x)}});
  CheckGradient({.op = "hard_sigmoid", .inputs = {RandomArray({3, 4}, kF64, -2.4, 2.4, 5)}});
}

GRAD_TEST(NnMiscGrad, L2Normalization, "L2Normalization") {
  CheckGradient({.op = "L2Normalization", .inputs = {RandomArray({2, 3, 4}, kF64, -1, 1, 1)}});
  CheckGradient({.op = "L2Normalization",
                 .attrs = {{"mode", "channel"}},
                 .inputs = {RandomArray({2, 3, 4}, kF64, -1, 1, 2)}});
  CheckGradient({.op = "L2Normalization",
                 .attrs = {{"mode", "spatial"}},
                 .inputs = {RandomArray({2, 3, 2, 2}, kF64, -1, 1, 3)}});
  // A large eps makes the norm differ from |x|: the gradient must keep it.
  CheckGradient({.op = "L2Normalization",
                 .attrs = {{"mode", "instance"}, {"eps", "0.5"}},
                 .inputs = {RandomArray({3, 5}, kF64, -1, 1, 4)}});
  CheckGradient({.op = "L2Normalization",
                 .attrs = {{"mode", "channel"}, {"eps", "0.25"}},
                 .inputs = {RandomArray({2, 4}, kF64, -1, 1, 6)}});
}

TEST(NnMiscGradValues, HandValues) {
  // x = (3, 4): y = (0.6, 0.8); head (1, 0): dx = ((1, 0) - y * 0.6) / 5.
  auto g = CallBackward({.op = "L2Normalization",
                         .inputs = {ArrayFromDoubles({1, 2}, kF64, {3, 4})},
                         .heads = {{1, 0}}});
  EXPECT_NEAR(g[0][0], 0.128, 1e-12);
  EXPECT_NEAR(g[0][1], -0.096, 1e-12);
  // hard_sigmoid: alpha inside (0, 1), zero on the flat parts.
  g = CallBackward({.op = "hard_sigmoid",
                    .inputs = {ArrayFromDoubles({3}, kF64, {-3, 0, 3})},
                    .heads = {{2, 2, 2}}});
  ASSERT_EQ(g[0].size(), 3u);
  EXPECT_EQ(g[0][0], 0.0);
  EXPECT_NEAR(g[0][1], 0.4, 1e-7);  // alpha is a float parameter: 0.2f * 2
  EXPECT_EQ(g[0][2], 0.0);
  // kAddTo, float32.
  g = CallBackward({.op = "hard_sigmoid",
                    .inputs = {ArrayFromDoubles({2}, DType::kFloat32, {0, 0})},
                    .heads = {{1, 1}},
                    .req = {op::OpReq::kAddTo},
                    .prefill = {{1, 2}}});
  EXPECT_NEAR(g[0][0], 1.2, 1e-6);
  EXPECT_NEAR(g[0][1], 2.2, 1e-6);
}

TEST(NnMiscGradValues, ZeroSize) {
  auto g = CallBackward({.op = "L2Normalization",
                         .inputs = {ArrayFromDoubles({0, 3}, kF64, {})},
                         .heads = {{}}});
  EXPECT_TRUE(g[0].empty());
  g = CallBackward(
      {.op = "hard_sigmoid", .inputs = {ArrayFromDoubles({0}, kF64, {})}, .heads = {{}}});
  EXPECT_TRUE(g[0].empty());
}

}  // namespace
}  // namespace mixnet::test
