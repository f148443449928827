// rearrange family: depth_to_space, space_to_depth, diag, _np_cumsum. Reference loops written
// here, round trips, req handling, errors, and the ops.json cases.
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

TEST(RearrangeOps, DepthToSpaceMatchesReferenceAndRoundTrips) {
  const int N = 2, C = 3, H = 2, W = 3, b = 2;
  NDArray x = Array<float>({N, C * b * b, H, W}, Iota(N * C * b * b * H * W));
  NDArray y = Run1("depth_to_space", {x}, {{"block_size", "2"}});
  ASSERT_EQ(y.shape(), Shape({N, C, H * b, W * b}));
  std::vector<float> got = Values<float>(y);
  size_t idx = 0;
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int h = 0; h < H * b; ++h)
        for (int w = 0; w < W * b; ++w) {
          const int depth = ((h % b) * b + (w % b)) * C + c;
          EXPECT_EQ(got[idx++], ((n * C * b * b + depth) * H + h / b) * W + w / b);
        }
  NDArray back = Run1("space_to_depth", {y}, {{"block_size", "2"}});
  EXPECT_EQ(back.shape(), x.shape());
  EXPECT_EQ(Values<float>(back), Values<float>(x));
  auto [kind, msg] = CatchError([&] { Run1("depth_to_space", {x}, {{"block_size", "3"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("depth_to_space"), std::string::npos) << msg;
  EXPECT_EQ(CatchError([&] { Run1("space_to_depth", {y}, {{"block_size", "3"}}); }).first,
            ErrorKind::kValueError);
}

TEST(RearrangeOps, DiagFromVectorAndMatrix) {
  NDArray v = Array<int32_t>({2}, {7, 8});
  EXPECT_EQ(Values<int32_t>(Run1("diag", {v})), (std::vector<int32_t>{7, 0, 0, 8}));
  NDArray up = Run1("diag", {v}, {{"k", "1"}});
  EXPECT_EQ(up.shape(), Shape({3, 3}));
  EXPECT_EQ(Values<int32_t>(up), (std::vector<int32_t>{0, 7, 0, 0, 0, 8, 0, 0, 0}));
  NDArray down = Run1("diag", {v}, {{"k", "-1"}});
  EXPECT_EQ(Values<int32_t>(down), (std::vector<int32_t>{0, 0, 0, 7, 0, 0, 0, 8, 0}));
  NDArray m = Array<float>({3, 4}, Iota(12));
  EXPECT_EQ(Values<float>(Run1("diag", {m}, {{"k", "-1"}})), (std::vector<float>{4, 9}));
  EXPECT_EQ(Run1("diag", {m}, {{"k", "5"}}).shape(), Shape({0}));
}

TEST(RearrangeOps, DiagOfPlanesMatchesReferenceLoop) {
  // (2, 3, 4) with axis1=2, axis2=0, k=1: out[j, d] = in[d + 1, j, d]... d indexes axis1 row.
  NDArray x = Array<float>({2, 3, 4}, Iota(24));
  NDArray y = Run1("diag", {x}, {{"axis1", "2"}, {"axis2", "0"}, {"k", "-1"}});
  // Plane (axis1=2 rows, axis2=0 cols); k=-1: row i = d + 1, col = d: in[d, j, d + 1].
  ASSERT_EQ(y.shape(), Shape({3, 2}));
  std::vector<float> got = Values<float>(y);
  for (int j = 0; j < 3; ++j)
    for (int d = 0; d < 2; ++d) EXPECT_EQ(got[j * 2 + d], d * 12 + j * 4 + (d + 1));
  EXPECT_EQ(CatchError([&] { Run1("diag", {x}, {{"axis1", "1"}, {"axis2", "-2"}}); }).first,
            ErrorKind::kValueError);
}

TEST(RearrangeOps, CumsumAxesDtypes) {
  NDArray x = Array<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Values<int32_t>(Run1("_np_cumsum", {x})), (std::vector<int32_t>{1, 3, 6, 10, 15, 21}));
  EXPECT_EQ(Values<int32_t>(Run1("_np_cumsum", {x}, {{"axis", "0"}})),
            (std::vector<int32_t>{1, 2, 3, 5, 7, 9}));
  NDArray d = Run1("_np_cumsum", {x}, {{"axis", "-1"}, {"dtype", "float64"}});
  EXPECT_EQ(Values<double>(d), (std::vector<double>{1, 3, 6, 4, 9, 15}));
  NDArray b = Array<bool>({3}, {true, false, true});
  EXPECT_EQ(Values<int64_t>(Run1("_np_cumsum", {b})), (std::vector<int64_t>{1, 1, 2}));
  EXPECT_EQ(Run1("_np_cumsum", {Array<float>({0, 2}, {})}).shape(), Shape({0}));
  std::vector<float> in{1, 2, 3}, out{10, 10, 10};
  RunKernel("_np_cumsum", {}, {BlobOf(in, Shape{3})}, {BlobOf(out, Shape{3})},
            op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{11, 13, 16}));
}

TEST(RearrangeOps, OpsJsonCasesMatch) { EXPECT_EQ(family_cases::RunFamilyCases("rearrange"), 6); }

}  // namespace
}  // namespace mixnet::test
