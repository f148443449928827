// broadcast_like family (broadcast_to, broadcast_axis, broadcast_like) and layout family
// (reshape_like, slice_like, shape_array, size_array, SwapAxis): hand-computed values, reference
// loops, req handling, errors, and the ops.json cases.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

std::vector<float> Iota(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0.0f);
  return v;
}

// ---- broadcast_like family ----------------------------------------------------------------------

TEST(BroadcastLikeOps, BroadcastToKeepsZeroDims) {
  NDArray x = Array<float>({1, 3}, {1, 2, 3});
  NDArray y = Run1("broadcast_to", {x}, {{"shape", "(2, 0)"}});
  EXPECT_EQ(y.shape(), Shape({2, 3}));
  EXPECT_EQ(Values<float>(y), (std::vector<float>{1, 2, 3, 1, 2, 3}));
}

TEST(BroadcastLikeOps, BroadcastToMiddleAxisMatchesReferenceLoop) {
  // (2, 1, 3, 1) -> (2, 4, 3, 5): reference out[a,b,c,d] = in[a,0,c,0].
  NDArray x = Array<int32_t>({2, 1, 3, 1}, {0, 1, 2, 3, 4, 5});
  NDArray y = Run1("broadcast_to", {x}, {{"shape", "(2, 4, 3, 5)"}});
  ASSERT_EQ(y.shape(), Shape({2, 4, 3, 5}));
  std::vector<int32_t> got = Values<int32_t>(y);
  size_t i = 0;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 3; ++c)
        for (int d = 0; d < 5; ++d) EXPECT_EQ(got[i++], a * 3 + c);
}

TEST(BroadcastLikeOps, BroadcastToLargeParallelAndDtypes) {
  NDArray x = Array<double>({1, 4}, {1.5, -2, 3, 4});
  NDArray y = Run1("broadcast_to", {x}, {{"shape", "(50000, 4)"}});
  std::vector<double> got = Values<double>(y);
  ASSERT_EQ(got.size(), 200000u);
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], (std::vector<double>{1.5, -2, 3, 4})[i % 4]);
  NDArray b = Array<bool>({2, 1}, {true, false});
  EXPECT_EQ(Values<bool>(Run1("broadcast_to", {b}, {{"shape", "(2, 3)"}})),
            (std::vector<bool>{true, true, true, false, false, false}));
}

TEST(BroadcastLikeOps, BroadcastToZeroSizeAndErrors) {
  NDArray x = Array<float>({1, 3}, {1, 2, 3});
  EXPECT_EQ(Run1("broadcast_to", {x}, {{"shape", "(0, 3)"}}).shape(), Shape({1, 3}));
  NDArray e = Run1("broadcast_axis", {x}, {{"axis", "0"}, {"size", "0"}});
  EXPECT_EQ(e.shape(), Shape({0, 3}));
  auto [kind, msg] = CatchError([&] { Run1("broadcast_to", {x}, {{"shape", "(2, 4)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("broadcast_to"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(1, 3)"), std::string::npos) << msg;
  EXPECT_EQ(CatchError([&] { Run1("broadcast_to", {x}, {{"shape", "(3,)"}}); }).first,
            ErrorKind::kValueError);
}

TEST(BroadcastLikeOps, BroadcastAxisAndAlias) {
  NDArray x = Array<float>({1, 2, 1}, {7, 8});
  NDArray y = Run1("broadcast_axes", {x}, {{"axis", "(0, -1)"}, {"size", "(2, 3)"}});
  EXPECT_EQ(y.shape(), Shape({2, 2, 3}));
  EXPECT_EQ(Values<float>(y), (std::vector<float>{7, 7, 7, 8, 8, 8, 7, 7, 7, 8, 8, 8}));
  auto [kind, msg] =
      CatchError([&] { Run1("broadcast_axis", {x}, {{"axis", "1"}, {"size", "3"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("size 1"), std::string::npos) << msg;
}

TEST(BroadcastLikeOps, BroadcastLikeWithAxes) {
  NDArray x = Array<float>({1, 2}, {1, 2});
  NDArray like = Array<float>({3, 4, 5}, std::vector<float>(60, 0));
  NDArray y = Run1("broadcast_like", {x, like}, {{"lhs_axes", "(0,)"}, {"rhs_axes", "(-1,)"}});
  EXPECT_EQ(y.shape(), Shape({5, 2}));
  EXPECT_EQ(Values<float>(y), (std::vector<float>{1, 2, 1, 2, 1, 2, 1, 2, 1, 2}));
  EXPECT_EQ(CatchError([&] { Run1("broadcast_like", {x, like}); }).first, ErrorKind::kValueError);
}

TEST(BroadcastLikeOps, ReqAddToAndNull) {
  std::vector<float> in{1, 2}, out{10, 10, 10, 10};
  RunKernel("broadcast_to", {{"shape", "(2, 2)"}}, {BlobOf(in, Shape{2, 1})},
            {BlobOf(out, Shape{2, 2})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{11, 11, 12, 12}));
  RunKernel("broadcast_to", {{"shape", "(2, 2)"}}, {BlobOf(in, Shape{2, 1})},
            {BlobOf(out, Shape{2, 2})}, op::OpReq::kNull);
  EXPECT_EQ(out, (std::vector<float>{11, 11, 12, 12}));
}

TEST(BroadcastLikeOps, OpsJsonCasesMatch) {
  EXPECT_EQ(family_cases::RunFamilyCases("broadcast_like"), 3);
}

// ---- layout family ------------------------------------------------------------------------------

TEST(LayoutOps, ReshapeLikeRanges) {
  NDArray x = Array<float>({2, 6}, Iota(12));
  NDArray like = Array<float>({3, 4}, Iota(12));
  NDArray y = Run1("reshape_like", {x, like});
  EXPECT_EQ(y.shape(), Shape({3, 4}));
  EXPECT_EQ(Values<float>(y), Iota(12));
  // lhs (30, 7) with lhs_begin=0, lhs_end=1 takes rhs (15, 2, 4)[0:2] -> (15, 2, 7).
  NDArray a = Array<float>({30, 7}, Iota(210));
  NDArray b = Array<float>({15, 2, 4}, Iota(120));
  NDArray z = Run1("reshape_like", {a, b},
                   {{"lhs_begin", "0"}, {"lhs_end", "1"}, {"rhs_begin", "0"}, {"rhs_end", "2"}});
  EXPECT_EQ(z.shape(), Shape({15, 2, 7}));
  auto [kind, msg] = CatchError([&] {
    Run1("reshape_like", {a, b}, {{"lhs_begin", "-1"}, {"rhs_begin", "1"}, {"rhs_end", "None"}});
  });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("(30, 2, 4)"), std::string::npos) << msg;
  // lhs_begin=-1 resolves to axis 1: (30, 7) with rhs (7,) -> (30, 7).
  NDArray r = Array<float>({7}, Iota(7));
  EXPECT_EQ(Run1("reshape_like", {a, r}, {{"lhs_begin", "-1"}}).shape(), Shape({30, 7}));
}

TEST(LayoutOps, SliceLikeMatchesReferenceLoop) {
  NDArray x = Array<float>({3, 4, 5}, Iota(60));
  NDArray like = Array<float>({2, 3, 5}, std::vector<float>(30, 0));
  NDArray y = Run1("slice_like", {x, like});
  ASSERT_EQ(y.shape(), Shape({2, 3, 5}));
  std::vector<float> got = Values<float>(y);
  size_t i = 0;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 5; ++c) EXPECT_EQ(got[i++], a * 20 + b * 5 + c);
  NDArray z = Run1("slice_like", {x, like}, {{"axes", "(-2,)"}});
  ASSERT_EQ(z.shape(), Shape({3, 3, 5}));
  EXPECT_EQ(Values<float>(z)[15], 20.0f);  // element (1, 0, 0)
  NDArray zero = Array<float>({0, 4}, {});
  EXPECT_EQ(Run1("slice_like", {x, zero}, {{"axes", "(0, 1)"}}).shape(), Shape({0, 4, 5}));
  auto [kind, msg] = CatchError([&] { Run1("slice_like", {like, x}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("slice_like"), std::string::npos) << msg;
}

TEST(LayoutOps, ShapeAndSizeArrays) {
  NDArray x = Array<int8_t>({2, 0, 4}, {});
  NDArray s = Run1("shape_array", {x});
  EXPECT_EQ(s.shape(), Shape({3}));
  EXPECT_EQ(Values<int64_t>(s), (std::vector<int64_t>{2, 0, 4}));
  NDArray n = Run1("size_array", {Array<float>({2, 3}, Iota(6))});
  EXPECT_EQ(n.shape(), Shape({1}));
  EXPECT_EQ(Values<int64_t>(n), (std::vector<int64_t>{6}));
}

TEST(LayoutOps, SwapAxisMatchesReferenceLoop) {
  NDArray x = Array<float>({2, 3, 4, 5}, Iota(120));
  NDArray y = Run1("swapaxes", {x}, {{"dim1", "1"}, {"dim2", "-1"}});
  ASSERT_EQ(y.shape(), Shape({2, 5, 4, 3}));
  std::vector<float> got = Values<float>(y);
  size_t i = 0;
  for (int a = 0; a < 2; ++a)
    for (int d = 0; d < 5; ++d)
      for (int c = 0; c < 4; ++c)
        for (int b = 0; b < 3; ++b) EXPECT_EQ(got[i++], ((a * 3 + b) * 4 + c) * 5 + d);
  // A size-1 axis swapped past others still moves elements: (3, 2, 1) -> (1, 2, 3).
  NDArray z = Run1("SwapAxis", {Array<float>({3, 2, 1}, Iota(6))}, {{"dim1", "0"}, {"dim2", "2"}});
  EXPECT_EQ(Values<float>(z), (std::vector<float>{0, 2, 4, 1, 3, 5}));
  EXPECT_EQ(Values<float>(Run1("SwapAxis", {x})), Iota(120));
  EXPECT_EQ(CatchError([&] { Run1("SwapAxis", {x}, {{"dim1", "4"}}); }).first,
            ErrorKind::kIndexError);
}

TEST(LayoutOps, SwapAxisAddTo) {
  std::vector<float> in{0, 1, 2, 3, 4, 5}, out(6, 1.0f);
  RunKernel("SwapAxis", {{"dim1", "0"}, {"dim2", "1"}}, {BlobOf(in, Shape{2, 3})},
            {BlobOf(out, Shape{3, 2})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(LayoutOps, OpsJsonCasesMatch) { EXPECT_EQ(family_cases::RunFamilyCases("layout"), 5); }

}  // namespace
}  // namespace mixnet::test
