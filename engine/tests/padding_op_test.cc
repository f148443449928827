// padding family: Pad in its three modes against hand-computed rows, errors, and the ops.json
// cases.
#include <gtest/gtest.h>

#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

const Attrs kPadW = {{"pad_width", "(0, 0, 0, 0, 0, 0, 2, 1)"}};

NDArray Row() { return Array<float>({1, 1, 1, 3}, {1, 2, 3}); }

TEST(PaddingOps, ConstantEdgeReflect) {
  Attrs c = kPadW;
  c.emplace_back("constant_value", "-1");
  EXPECT_EQ(Values<float>(Run1("Pad", {Row()}, c)), (std::vector<float>{-1, -1, 1, 2, 3, -1}));
  Attrs e = kPadW;
  e.emplace_back("mode", "edge");
  EXPECT_EQ(Values<float>(Run1("pad", {Row()}, e)), (std::vector<float>{1, 1, 1, 2, 3, 3}));
  Attrs r = kPadW;
  r.emplace_back("mode", "reflect");
  EXPECT_EQ(Values<float>(Run1("Pad", {Row()}, r)), (std::vector<float>{3, 2, 1, 2, 3, 2}));
}

TEST(PaddingOps, TwoAxesReflectAndErrors) {
  NDArray x = Array<int32_t>({1, 1, 2, 2}, {1, 2, 3, 4});
  NDArray y = Run1("Pad", {x}, {{"mode", "edge"}, {"pad_width", "(0, 0, 0, 0, 1, 0, 0, 1)"}});
  EXPECT_EQ(y.shape(), Shape({1, 1, 3, 3}));
  EXPECT_EQ(Values<int32_t>(y), (std::vector<int32_t>{1, 2, 2, 1, 2, 2, 3, 4, 4}));
  auto [kind, msg] = CatchError(
      [&] { Run1("Pad", {x}, {{"mode", "reflect"}, {"pad_width", "(0, 0, 0, 0, 2, 0, 0, 0)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("Pad"), std::string::npos) << msg;
  EXPECT_EQ(CatchError([&] { Run1("Pad", {x}, {{"pad_width", "(1, 0, 0, 0, 0, 0, 0, 0)"}}); }).first,
            ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] { Run1("Pad", {Array<float>({2}, {1, 2})}, {{"pad_width", "(1, 1)"}}); })
                .first,
            ErrorKind::kValueError);
}

TEST(PaddingOps, OpsJsonCasesMatch) { EXPECT_EQ(family_cases::RunFamilyCases("padding"), 3); }

}  // namespace
}  // namespace mixnet::test
