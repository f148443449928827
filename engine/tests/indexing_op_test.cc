// take, pick and one_hot against reference loops written here, hand-computed values and MXNet
// 1.9.1's outputs; take's mode=raise error surfaces asynchronously at the next sync point.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "tensor_op_test_util.h"

namespace mixnet {
namespace {

using test::Attrs;
using test::Run1;
using namespace test::tensor;

TEST(IndexingOp, TakeAlongAxes) {
  const NDArray a = F32({4, 3}, Iota(12));
  // axis 0 with 2-d indices: output (2, 2, 3).
  NDArray y = Run1("take", {a, F32({2, 2}, {0, 3, 1, 1})});
  EXPECT_EQ(y.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(ToDoubles(y), (std::vector<double>{0, 1, 2, 9, 10, 11, 3, 4, 5, 3, 4, 5}));
  // axis 1 (and -1), integer index dtypes, fractional indices truncate.
  NDArray y1 = Run1("take", {a, FromDoubles({2}, DType::kInt64, {2, 0})}, {{"axis", "1"}});
  EXPECT_EQ(y1.shape(), (Shape{4, 2}));
  EXPECT_EQ(ToDoubles(y1), (std::vector<double>{2, 0, 5, 3, 8, 6, 11, 9}));
  EXPECT_EQ(ToDoubles(Run1("take", {a, F32({2}, {2.9, 0.2})}, {{"axis", "-1"}})), ToDoubles(y1));
  EXPECT_EQ(ToDoubles(Run1("take", {a, FromDoubles({1}, DType::kFloat16, {3})})),
            (std::vector<double>{9, 10, 11}));
  // Reference on a 3-d array along the middle axis.
  const Shape s{3, 5, 4};
  const std::vector<double> x = RandomValues(s.Size(), 2);
  const std::vector<double> idx = {4, 0, 2, 2, 1, 3};
  NDArray z = Run1("take", {F32(s, x), FromDoubles({2, 3}, DType::kInt32, idx)}, {{"axis", "1"}});
  EXPECT_EQ(z.shape(), (Shape{3, 2, 3, 4}));
  std::vector<double> want;
  for (int o = 0; o < 3; ++o)
    for (double k : idx)
      for (int i = 0; i < 4; ++i) want.push_back(static_cast<float>(x[(o * 5 + k) * 4 + i]));
  EXPECT_EQ(ToDoubles(z), want);
  // Empty indices and dtypes of the data.
  EXPECT_EQ(Run1("take", {a, F32({0}, {})}).shape(), (Shape{0, 3}));
  NDArray yi = Run1("take", {FromDoubles({3}, DType::kInt8, {-1, 5, 7}), F32({2}, {2, 0})});
  EXPECT_EQ(yi.dtype(), DType::kInt8);
  EXPECT_EQ(ToDoubles(yi), (std::vector<double>{7, -1}));
  auto add = RunWithReq("take", {a, F32({1}, {1})}, {}, op::OpReq::kAddTo, 100);
  EXPECT_EQ(ToDoubles(add.at(0)), (std::vector<double>{103, 104, 105}));
  auto [kind, msg] = CatchError([&] { Run1("take", {a, F32({1}, {0})}, {{"axis", "2"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_NE(msg.find("take"), std::string::npos) << msg;
}

TEST(IndexingOp, TakeClipAndWrapModes) {
  const NDArray a = F32({4}, {10, 11, 12, 13});
  const NDArray idx = F32({5}, {-5, -1, 0, 4, 9});
  EXPECT_EQ(ToDoubles(Run1("take", {a, idx})), (std::vector<double>{10, 10, 10, 13, 13}));
  EXPECT_EQ(ToDoubles(Run1("take", {a, idx}, {{"mode", "clip"}})),
            (std::vector<double>{10, 10, 10, 13, 13}));
  EXPECT_EQ(ToDoubles(Run1("take", {a, idx}, {{"mode", "wrap"}})),
            (std::vector<double>{13, 13, 10, 10, 11}));
}

TEST(IndexingOp, TakeRaiseSurfacesAtSyncPointWithOpName) {
  const NDArray a = F32({4, 2}, Iota(8));
  // In range: fine.
  EXPECT_EQ(ToDoubles(Run1("take", {a, F32({2}, {3, 0})}, {{"mode", "raise"}})),
            (std::vector<double>{6, 7, 0, 1}));
  // Out of range: Invoke returns (the index is only read when the kernel runs); the error comes
  // back at WaitToRead, naming the op, the index and the bound.
  NDArray bad;
  ASSERT_NO_THROW(bad = Run1("take", {a, F32({3}, {1, 5, 0})}, {{"mode", "raise"}}));
  auto [kind, msg] = CatchError([&] { bad.WaitToRead(); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_EQ(msg.rfind("take", 0), 0u) << msg;
  EXPECT_NE(msg.find("index 5 is out of bounds for axis 0 with size 4"), std::string::npos) << msg;
  // Negative indices are out of range too in raise mode, as in MXNet.
  NDArray neg = Run1("take", {a, F32({1}, {-1})}, {{"mode", "raise"}});
  std::tie(kind, msg) = CatchError([&] { neg.WaitToRead(); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_NE(msg.find("index -1"), std::string::npos) << msg;
  // The engine keeps working afterwards.
  EXPECT_EQ(ToDoubles(Run1("take", {a, F32({1}, {2})}, {{"mode", "raise"}})),
            (std::vector<double>{4, 5}));
}

TEST(IndexingOp, Pick) {
  const NDArray x = F32({3, 4}, Iota(12));
  NDArray p = Run1("pick", {x, F32({3}, {0, 3, 1})});  // default axis -1
  EXPECT_EQ(p.shape(), (Shape{3}));
  EXPECT_EQ(ToDoubles(p), (std::vector<double>{0, 7, 9}));
  NDArray p0 = Run1("pick", {x, FromDoubles({4}, DType::kInt32, {2, 0, 1, 2})}, {{"axis", "0"}});
  EXPECT_EQ(ToDoubles(p0), (std::vector<double>{8, 1, 6, 11}));
  NDArray pk = Run1("pick", {x, F32({3}, {1, 1, 1})}, {{"keepdims", "True"}});
  EXPECT_EQ(pk.shape(), (Shape{3, 1}));
  // The index may also carry the picked axis as size 1.
  EXPECT_EQ(ToDoubles(Run1("pick", {x, F32({3, 1}, {1, 2, 3})})), (std::vector<double>{1, 6, 11}));
  // clip (default) and wrap.
  const NDArray far = F32({3}, {-2, 4, 9});
  EXPECT_EQ(ToDoubles(Run1("pick", {x, far})), (std::vector<double>{0, 7, 11}));
  EXPECT_EQ(ToDoubles(Run1("pick", {x, far}, {{"mode", "wrap"}})), (std::vector<double>{2, 4, 9}));
  // Middle axis against a reference.
  const Shape s{2, 5, 3};
  const std::vector<double> v = RandomValues(s.Size(), 9);
  const std::vector<double> idx = {0, 4, 2, 1, 1, 3};
  NDArray pm = Run1("pick", {F32(s, v), F32({2, 3}, idx)}, {{"axis", "1"}});
  std::vector<double> want;
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 3; ++i) {
      want.push_back(static_cast<float>(v[(o * 5 + idx[o * 3 + i]) * 3 + i]));
    }
  EXPECT_EQ(ToDoubles(pm), want);
  auto [kind, msg] = CatchError([&] { Run1("pick", {x, F32({4}, {0, 0, 0, 0})}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("pick"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(4,)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3, 4)"), std::string::npos) << msg;
  std::tie(kind, msg) =
      CatchError([&] { Run1("pick", {x, F32({3}, {0, 0, 0})}, {{"axis", "None"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
}

TEST(IndexingOp, OneHot) {
  NDArray y = Run1("one_hot", {F32({4}, {1, 0, 2, 7})}, {{"depth", "3"}});
  EXPECT_EQ(y.shape(), (Shape{4, 3}));
  EXPECT_EQ(y.dtype(), DType::kFloat32);
  // An out-of-range index gives a row of off_value.
  EXPECT_EQ(ToDoubles(y), (std::vector<double>{0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0}));
  NDArray z = Run1("one_hot", {FromDoubles({2, 1}, DType::kInt64, {-1, 1})},
                   {{"depth", "2"}, {"on_value", "5"}, {"off_value", "-2"}, {"dtype", "int8"}});
  EXPECT_EQ(z.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(z.dtype(), DType::kInt8);
  EXPECT_EQ(ToDoubles(z), (std::vector<double>{-2, -2, -2, 5}));
  EXPECT_EQ(ToDoubles(Run1("one_hot", {F32({1}, {1.8})}, {{"depth", "3"}})),
            (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(Run1("one_hot", {F32({2}, {0, 1})}, {{"depth", "0"}}).shape(), (Shape{2, 0}));
}

TEST(IndexingOp, MatchesMXNetFixtures) {
  for (const char* name : {"take_clip", "take_wrap_axis1", "pick", "pick_keepdims_axis0",
                           "one_hot", "one_hot_onoff"}) {
    SCOPED_TRACE(name);
    ExpectFixtureCase(name);
  }
}

}  // namespace
}  // namespace mixnet
