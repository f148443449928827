// sort_search family: topk, sort, argsort, argmax_channel. Hand-computed values, a reference
// sort per line, req handling, dtypes, errors, and the ops.json cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

TEST(SortSearchOps, TopkReturnTypes) {
  NDArray x = Array<float>({2, 4}, {3, 1, 4, 1.5, 9, 2, 6, 5});
  NDArray idx = Run1("topk", {x}, {{"k", "2"}});
  EXPECT_EQ(idx.dtype(), DType::kFloat32);
  EXPECT_EQ(Values<float>(idx), (std::vector<float>{2, 0, 0, 2}));
  NDArray val = Run1("topk", {x}, {{"k", "2"}, {"ret_typ", "value"}, {"is_ascend", "True"}});
  EXPECT_EQ(Values<float>(val), (std::vector<float>{1, 1.5, 2, 5}));
  NDArray mask = Run1("topk", {x}, {{"k", "2"}, {"ret_typ", "mask"}});
  EXPECT_EQ(mask.shape(), Shape({2, 4}));
  EXPECT_EQ(Values<float>(mask), (std::vector<float>{1, 0, 1, 0, 1, 0, 1, 0}));
  auto both = test::Run("topk", {x}, {{"k", "1"}, {"ret_typ", "both"}, {"axis", "0"}, {"dtype", "int64"}});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(Values<float>(both[0]), (std::vector<float>{9, 2, 6, 5}));
  EXPECT_EQ(Values<int64_t>(both[1]), (std::vector<int64_t>{1, 1, 1, 1}));
}

TEST(SortSearchOps, TopkFlattenedAndFullSort) {
  NDArray x = Array<int32_t>({2, 3}, {5, -1, 7, 0, 7, 2});
  NDArray v = Run1("topk", {x}, {{"axis", "None"}, {"k", "3"}, {"ret_typ", "value"}});
  EXPECT_EQ(v.shape(), Shape({3}));
  EXPECT_EQ(Values<int32_t>(v), (std::vector<int32_t>{7, 7, 5}));
  // Ties keep input order: the first 7 (flat index 2) comes before the second (index 4).
  NDArray i = Run1("topk", {x}, {{"axis", "None"}, {"k", "0"}, {"dtype", "int32"}});
  EXPECT_EQ(Values<int32_t>(i), (std::vector<int32_t>{2, 4, 0, 5, 3, 1}));
  auto [kind, msg] = CatchError([&] { Run1("topk", {x}, {{"k", "4"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("topk"), std::string::npos) << msg;
  EXPECT_EQ(CatchError([&] { Run1("topk", {x}, {{"dtype", "bool"}}); }).first,
            ErrorKind::kTypeError);
}

TEST(SortSearchOps, SortAndArgsortMatchReferenceOnMiddleAxis) {
  const int A = 3, N = 50, B = 4;
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> data(A * N * B);
  for (float& v : data) v = dist(gen);
  NDArray x = Array<float>({A, N, B}, data);
  std::vector<float> sorted = Values<float>(Run1("sort", {x}, {{"axis", "1"}, {"is_ascend", "False"}}));
  std::vector<double> order = AsDoubles(Run1("argsort", {x}, {{"axis", "1"}, {"dtype", "float64"}}));
  for (int a = 0; a < A; ++a) {
    for (int b = 0; b < B; ++b) {
      std::vector<float> line;
      for (int n = 0; n < N; ++n) line.push_back(data[(a * N + n) * B + b]);
      std::vector<float> desc = line;
      std::sort(desc.begin(), desc.end(), std::greater<float>());
      std::vector<int> idx(N);
      std::iota(idx.begin(), idx.end(), 0);
      std::stable_sort(idx.begin(), idx.end(), [&](int p, int q) { return line[p] < line[q]; });
      for (int n = 0; n < N; ++n) {
        EXPECT_EQ(sorted[(a * N + n) * B + b], desc[n]);
        EXPECT_EQ(order[(a * N + n) * B + b], idx[n]);
      }
    }
  }
}

TEST(SortSearchOps, SortFlattenedHalfAndEmpty) {
  NDArray x = Array<float>({2, 2}, {4, 1, 3, 2});
  NDArray h = Run1("Cast", {x}, {{"dtype", "float16"}});
  NDArray s = Run1("sort", {h}, {{"axis", "None"}});
  EXPECT_EQ(s.shape(), Shape({4}));
  EXPECT_EQ(AsDoubles(s), (std::vector<double>{1, 2, 3, 4}));
  NDArray e = Array<float>({0, 3}, {});
  EXPECT_EQ(Run1("sort", {e}).shape(), Shape({0, 3}));
  EXPECT_EQ(Run1("argsort", {e}, {{"axis", "0"}}).shape(), Shape({0, 3}));
}

TEST(SortSearchOps, SortAddTo) {
  std::vector<float> in{3, 1, 2}, out{10, 10, 10};
  RunKernel("sort", {}, {BlobOf(in, Shape{3})}, {BlobOf(out, Shape{3})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{11, 12, 13}));
}

TEST(SortSearchOps, ArgmaxChannel) {
  NDArray x = Array<int32_t>({2, 3}, {1, 5, 5, 7, 0, 2});
  NDArray y = Run1("argmax_channel", {x});
  EXPECT_EQ(y.dtype(), DType::kInt32);
  EXPECT_EQ(Values<int32_t>(y), (std::vector<int32_t>{1, 0}));  // first maximum wins ties
  NDArray v = Run1("argmax_channel", {Array<float>({3}, {0, 2, 1})});
  EXPECT_EQ(v.shape(), Shape({1}));
  EXPECT_EQ(Values<float>(v), (std::vector<float>{1}));
}

TEST(SortSearchOps, ThreadedTopkMatchesSerial) {
  // 4000 lines of 20: enough lines that the kernel forks with nthreads = 2.
  const int L = 4000, N = 20;
  std::mt19937 gen(3);
  std::uniform_int_distribution<int> dist(-50, 50);
  std::vector<float> in(L * N);
  for (float& v : in) v = static_cast<float>(dist(gen));
  std::vector<float> serial(L * 3), threaded(L * 3);
  const Attrs attrs = {{"k", "3"}, {"ret_typ", "value"}};
  RunKernel("topk", attrs, {BlobOf(in, Shape{L, N})}, {BlobOf(serial, Shape{L, 3})},
            op::OpReq::kWriteTo, 1);
  RunKernel("topk", attrs, {BlobOf(in, Shape{L, N})}, {BlobOf(threaded, Shape{L, 3})},
            op::OpReq::kWriteTo, 2);
  EXPECT_EQ(serial, threaded);
  for (int l = 0; l < L; ++l) {
    std::vector<float> line(in.begin() + l * N, in.begin() + (l + 1) * N);
    std::sort(line.begin(), line.end(), std::greater<float>());
    for (int j = 0; j < 3; ++j) ASSERT_EQ(serial[l * 3 + j], line[j]) << "line " << l;
  }
}

TEST(SortSearchOps, OpsJsonCasesMatch) {
  EXPECT_EQ(family_cases::RunFamilyCases("sort_search"), 8);
}

}  // namespace
}  // namespace mixnet::test
