// nn_misc family: hard_sigmoid and L2Normalization, against formulas evaluated here, and the
// ops.json cases.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

TEST(NnMiscOps, HardSigmoid) {
  NDArray x = Array<float>({5}, {-5, -1, 0, 1, 5});
  ExpectAllClose(AsDoubles(Run1("hard_sigmoid", {x})), {0, 0.3, 0.5, 0.7, 1}, 1e-6, 1e-7,
                 "hard_sigmoid");
  NDArray y = Run1("hard_sigmoid", {x}, {{"alpha", "1"}, {"beta", "0"}});
  EXPECT_EQ(Values<float>(y), (std::vector<float>{0, 0, 0, 1, 1}));
  EXPECT_EQ(CatchError([&] { Run1("hard_sigmoid", {Array<int32_t>({1}, {1})}); }).first,
            ErrorKind::kTypeError);
}

TEST(NnMiscOps, L2NormalizationModes) {
  // (2, 2, 2): sample 0 = [[3, 4], [0, 0]], sample 1 = [[1, 0], [0, 1]].
  NDArray x = Array<double>({2, 2, 2}, {3, 4, 0, 0, 1, 0, 0, 1});
  const double r2 = std::sqrt(2.0);
  std::vector<double> inst = Values<double>(Run1("L2Normalization", {x}, {{"eps", "0"}}));
  std::vector<double> want_inst{0.6, 0.8, 0, 0, 1 / r2, 0, 0, 1 / r2};
  ExpectAllClose(inst, want_inst, 1e-12, 1e-12, "instance");
  // channel: norm over axis 1 at each (n, w): sample 0 columns [3,0] and [4,0].
  std::vector<double> ch = Values<double>(Run1("L2Normalization", {x}, {{"mode", "channel"}, {"eps", "0"}}));
  ExpectAllClose(ch, {1, 1, 0, 0, 1, 0, 0, 1}, 1e-12, 1e-12, "channel");
  // spatial: norm over axis 2 at each (n, c); the zero row stays 0 thanks to eps.
  std::vector<double> sp = Values<double>(Run1("L2Normalization", {x}, {{"mode", "spatial"}}));
  ExpectAllClose(sp, {0.6, 0.8, 0, 0, 1, 0, 0, 1}, 1e-9, 1e-12, "spatial");
  EXPECT_EQ(CatchError([&] {
              Run1("L2Normalization", {Array<float>({2, 2}, {1, 2, 3, 4})}, {{"mode", "spatial"}});
            }).first,
            ErrorKind::kValueError);
}

TEST(NnMiscOps, OpsJsonCasesMatch) { EXPECT_EQ(family_cases::RunFamilyCases("nn_misc"), 3); }

}  // namespace
}  // namespace mixnet::test
