// gather_scatter family: batch_take, gather_nd, scatter_nd. Hand-computed values, a gather /
// scatter round trip, index errors, req handling, and the ops.json cases.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

TEST(GatherScatterOps, BatchTakeClips) {
  NDArray a = Array<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  NDArray idx = Array<int32_t>({3}, {1, 0, 7});
  EXPECT_EQ(Values<float>(Run1("batch_take", {a, idx})), (std::vector<float>{2, 3, 6}));
  NDArray neg = Array<int64_t>({3}, {-1, 1, 0});
  EXPECT_EQ(Values<float>(Run1("batch_take", {a, neg})), (std::vector<float>{1, 4, 5}));
  EXPECT_EQ(CatchError([&] { Run1("batch_take", {a, Array<int32_t>({4}, {0, 0, 0, 0})}); }).first,
            ErrorKind::kValueError);
}

TEST(GatherScatterOps, GatherNdSlicesAndNegativeIndices) {
  NDArray data = Array<int32_t>({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  // Two tuples of length 2 -> two slices of shape (2,): data[1, 2] and data[0, -1].
  NDArray idx = Array<float>({2, 2}, {1, 0, 2, -1});
  NDArray y = Run1("gather_nd", {data, idx});
  EXPECT_EQ(y.shape(), Shape({2, 2}));
  EXPECT_EQ(Values<int32_t>(y), (std::vector<int32_t>{10, 11, 4, 5}));
  NDArray bad = Array<int32_t>({1, 1}, {2});
  auto [kind, msg] = CatchError([&] { Values<int32_t>(Run1("gather_nd", {data, bad})); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_NE(msg.find("gather_nd"), std::string::npos) << msg;
}

TEST(GatherScatterOps, ScatterNdInvertsGatherNd) {
  NDArray idx = Array<int64_t>({2, 3}, {0, 2, 1, 3, 0, 1});
  NDArray vals = Array<float>({3}, {1.5, -2, 4});
  NDArray s = Run1("scatter_nd", {vals, idx}, {{"shape", "(3, 4)"}});
  std::vector<float> want(12, 0.0f);
  want[0 * 4 + 3] = 1.5f;
  want[2 * 4 + 0] = -2;
  want[1 * 4 + 1] = 4;
  EXPECT_EQ(Values<float>(s), want);
  EXPECT_EQ(Values<float>(Run1("gather_nd", {s, idx})), Values<float>(vals));
  EXPECT_EQ(CatchError([&] { Run1("scatter_nd", {vals, idx}, {{"shape", "(3,)"}}); }).first,
            ErrorKind::kValueError);
  std::vector<float> d{5}, out{1, 1};
  std::vector<int32_t> i{1};
  RunKernel("scatter_nd", {{"shape", "(2,)"}}, {BlobOf(d, Shape{1}), BlobOf(i, Shape{1, 1})},
            {BlobOf(out, Shape{2})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{1, 6}));
}

TEST(GatherScatterOps, OpsJsonCasesMatch) {
  EXPECT_EQ(family_cases::RunFamilyCases("gather_scatter"), 3);
}

}  // namespace
}  // namespace mixnet::test
