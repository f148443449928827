// Creation ops: _zeros/_ones/_full, _arange, _eye, zeros_like/ones_like: values, shapes, dtypes,
// parameter validation (shape, ctx, range) and output requests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

NDArray Make(const char* op, const Attrs& attrs) { return Run1(op, {}, attrs); }

TEST(CreationOpTest, ZerosOnesFull) {
  NDArray z = Make("_zeros", {{"shape", "(2, 3)"}});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_EQ(Values<float>(z), std::vector<float>(6, 0.f));
  NDArray o = Make("_ones", {{"shape", "(4,)"}, {"dtype", "int64"}});
  EXPECT_EQ(o.dtype(), DType::kInt64);
  EXPECT_EQ(Values<int64_t>(o), std::vector<int64_t>(4, 1));
  NDArray f = Make("_full", {{"shape", "[2,2]"}, {"value", "2.5"}, {"dtype", "float64"}});
  EXPECT_EQ(Values<double>(f), std::vector<double>(4, 2.5));
  // The value is converted to the dtype: truncated for integers, rounded for float16.
  EXPECT_EQ(Values<int32_t>(Make("_full", {{"shape", "(2,)"}, {"value", "-2.7"},
                                           {"dtype", "int32"}})),
            (std::vector<int32_t>{-2, -2}));
  NDArray h = Make("_full", {{"shape", "(1,)"}, {"value", "0.1"}, {"dtype", "float16"}});
  EXPECT_EQ(Values<half_t>(h)[0].bits, half_t(0.1f).bits);
  EXPECT_EQ(Values<bool>(Make("_full", {{"shape", "(2,)"}, {"value", "3"}, {"dtype", "bool"}})),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(Values<uint8_t>(Make("_ones", {{"shape", "(3,)"}, {"dtype", "uint8"}})),
            (std::vector<uint8_t>{1, 1, 1}));
  NDArray b = Make("_ones", {{"shape", "(2,)"}, {"dtype", "bfloat16"}});
  EXPECT_EQ(AsDoubles(b), (std::vector<double>{1, 1}));
}

TEST(CreationOpTest, DefaultShapeAndEmptyShapes) {
  NDArray s = Make("_zeros", {});
  EXPECT_EQ(s.shape(), Shape{});  // 0-d
  EXPECT_EQ(Values<float>(s), std::vector<float>{0.f});
  NDArray e = Make("_ones", {{"shape", "(0, 5)"}});
  EXPECT_EQ(e.shape(), (Shape{0, 5}));
  EXPECT_EQ(e.Size(), 0);
  NDArray big = Make("_full", {{"shape", "(1000, 300)"}, {"value", "-1.5"}});
  const std::vector<float> v = Values<float>(big);
  for (float x : v) ASSERT_EQ(x, -1.5f);
}

TEST(CreationOpTest, BadParameters) {
  auto [k1, m1] = CatchError([] { Make("_zeros", {{"shape", "(2, -1)"}}); });
  EXPECT_EQ(k1, ErrorKind::kValueError);
  EXPECT_NE(m1.find("_zeros"), std::string::npos) << m1;
  EXPECT_NE(m1.find("(2, -1)"), std::string::npos) << m1;
  auto [k2, m2] = CatchError([] { Make("_full", {{"shape", "(2,)"}}); });  // value is required
  EXPECT_EQ(k2, ErrorKind::kValueError);
  EXPECT_NE(m2.find("value"), std::string::npos) << m2;
  auto [k3, m3] = CatchError([] { Make("_ones", {{"dtype", "float8"}}); });
  EXPECT_EQ(k3, ErrorKind::kTypeError);
  // ctx: accepted spellings, an unavailable device, garbage.
  EXPECT_NO_THROW(Make("_zeros", {{"ctx", "cpu(0)"}}));
  EXPECT_NO_THROW(Make("_zeros", {{"ctx", "cpu_pinned(0)"}}));
  EXPECT_NO_THROW(Make("_zeros", {{"ctx", "cpu_shared(1)"}}));
  auto [k4, m4] = CatchError([] { Make("_zeros", {{"ctx", "gpu(0)"}}); });
  EXPECT_EQ(k4, ErrorKind::kNotImplemented);
  EXPECT_NE(m4.find("_zeros"), std::string::npos) << m4;
  for (const char* bad : {"tpu(0)", "cpu", "cpu(", "cpu(x)", "cpu(-1)"}) {
    auto [k, m] = CatchError([&] { Make("_ones", {{"ctx", bad}}); });
    EXPECT_EQ(k, ErrorKind::kValueError) << bad;
    EXPECT_NE(m.find("ctx"), std::string::npos) << m;
  }
}

TEST(CreationOpTest, Arange) {
  // The MXNet 1.9.1 fixture case.
  NDArray a = Make("_arange", {{"start", "1.0"}, {"stop", "4.0"}, {"step", "0.5"},
                               {"repeat", "1"}, {"infer_range", "False"}, {"dtype", "float32"}});
  EXPECT_EQ(Values<float>(a), (std::vector<float>{1, 1.5, 2, 2.5, 3, 3.5}));
  // stop omitted: [0, start).
  EXPECT_EQ(Values<float>(Make("_arange", {{"start", "4"}})), (std::vector<float>{0, 1, 2, 3}));
  // repeat, negative step, length ceil((stop - start) / step).
  EXPECT_EQ(Values<float>(Make("_arange", {{"start", "0"}, {"stop", "3"}, {"repeat", "2"}})),
            (std::vector<float>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(Values<double>(Make("_arange", {{"start", "5"}, {"stop", "0"}, {"step", "-2"},
                                            {"dtype", "float64"}})),
            (std::vector<double>{5, 3, 1}));
  // Integer dtypes convert start and step first, as MXNet does: step 0.5 -> 0.
  EXPECT_EQ(Values<int32_t>(Make("_arange", {{"start", "0"}, {"stop", "2"}, {"step", "0.5"},
                                             {"dtype", "int32"}})),
            (std::vector<int32_t>{0, 0, 0, 0}));
  EXPECT_EQ(Values<int64_t>(Make("_arange", {{"start", "-3"}, {"stop", "3"}, {"step", "2"},
                                             {"dtype", "int64"}})),
            (std::vector<int64_t>{-3, -1, 1}));
  // float16 values are rounded once.
  NDArray h = Make("_arange", {{"start", "0"}, {"stop", "0.35"}, {"step", "0.1"},
                               {"dtype", "float16"}});
  ASSERT_EQ(h.Size(), 4);
  EXPECT_EQ(Values<half_t>(h)[3].bits, half_t(static_cast<float>(half_t(0.1f)) * 3.f).bits);
  // Large: parallel fill, exact in float64.
  NDArray big = Make("_arange", {{"start", "0"}, {"stop", "200000"}, {"dtype", "float64"}});
  const std::vector<double> bv = Values<double>(big);
  for (int64_t i = 0; i < 200000; ++i) ASSERT_EQ(bv[i], static_cast<double>(i));
}

TEST(CreationOpTest, ArangeErrors) {
  auto [k1, m1] =
      CatchError([] { Make("_arange", {{"start", "0"}, {"stop", "3"}, {"step", "0"}}); });
  EXPECT_EQ(k1, ErrorKind::kValueError);
  EXPECT_NE(m1.find("step"), std::string::npos) << m1;
  // MXNet 1.x rejects empty ranges.
  auto [k2, m2] = CatchError([] { Make("_arange", {{"start", "5"}, {"stop", "1"}}); });
  EXPECT_EQ(k2, ErrorKind::kValueError);
  EXPECT_NE(m2.find("_arange"), std::string::npos) << m2;
  auto [k3, m3] = CatchError([] { Make("_arange", {{"start", "1"}, {"repeat", "0"}}); });
  EXPECT_EQ(k3, ErrorKind::kValueError);
  auto [k4, m4] = CatchError([] { Make("_arange", {{"start", "3"}, {"infer_range", "True"}}); });
  EXPECT_EQ(k4, ErrorKind::kValueError);
  EXPECT_NE(m4.find("infer_range"), std::string::npos) << m4;
  auto [k5, m5] = CatchError([] { Make("_arange", {{"start", "3"}, {"dtype", "bool"}}); });
  EXPECT_EQ(k5, ErrorKind::kTypeError);
  auto [k6, m6] = CatchError([] { Make("_arange", {{"stop", "3"}}); });  // start is required
  EXPECT_EQ(k6, ErrorKind::kValueError);
}

TEST(CreationOpTest, Eye) {
  EXPECT_EQ(Values<float>(Make("_eye", {{"N", "3"}})),
            (std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  NDArray e = Make("_eye", {{"N", "2"}, {"M", "4"}, {"k", "1"}, {"dtype", "int32"}});
  EXPECT_EQ(e.shape(), (Shape{2, 4}));
  EXPECT_EQ(Values<int32_t>(e), (std::vector<int32_t>{0, 1, 0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(Values<double>(Make("_eye", {{"N", "3"}, {"M", "2"}, {"k", "-1"},
                                         {"dtype", "float64"}})),
            (std::vector<double>{0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(Values<float>(Make("_eye", {{"N", "2"}, {"k", "5"}})), std::vector<float>(4, 0.f));
  EXPECT_EQ(Make("_eye", {{"N", "0"}}).shape(), (Shape{0, 0}));
  auto [k, m] = CatchError([] { Make("_eye", {{"N", "-1"}}); });
  EXPECT_EQ(k, ErrorKind::kValueError);
  EXPECT_NE(m.find("N"), std::string::npos) << m;
}

TEST(CreationOpTest, ZerosLikeOnesLike) {
  const NDArray x = Array<int32_t>(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  NDArray z = Run1("zeros_like", {x});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::kInt32);
  EXPECT_EQ(Values<int32_t>(z), std::vector<int32_t>(6, 0));
  NDArray o = Run1("ones_like", {Array<bool>(Shape{3}, {false, true, false})});
  EXPECT_EQ(o.dtype(), DType::kBool);
  EXPECT_EQ(Values<bool>(o), (std::vector<bool>{true, true, true}));
  NDArray h = Run1("ones_like", {Array<half_t>(Shape{2}, {half_t(5.f), half_t(-1.f)})});
  EXPECT_EQ(AsDoubles(h), (std::vector<double>{1, 1}));
  EXPECT_EQ(Run1("zeros_like", {Array<float>(Shape{0}, {})}).Size(), 0);
  // A view as the input.
  const NDArray big = Array<float>(Shape{4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(Values<float>(Run1("ones_like", {big.Slice(1, 3)})), std::vector<float>(4, 1.f));
}

TEST(CreationOpTest, OutputRequests) {
  std::vector<float> out = {1.f, 2.f, 3.f, 4.f};
  RunKernel("_full", {{"shape", "(4,)"}, {"value", "0.5"}}, {}, {BlobOf(out, Shape{4})},
            op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f}));
  RunKernel("_zeros", {{"shape", "(4,)"}}, {}, {BlobOf(out, Shape{4})}, op::OpReq::kNull);
  EXPECT_EQ(out, (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f}));
  RunKernel("_eye", {{"N", "2"}}, {}, {BlobOf(out, Shape{2, 2})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{2.5f, 2.5f, 3.5f, 5.5f}));
  RunKernel("_arange", {{"start", "4"}}, {}, {BlobOf(out, Shape{4})}, op::OpReq::kAddTo);
  EXPECT_EQ(out, (std::vector<float>{2.5f, 3.5f, 5.5f, 8.5f}));
  RunKernel("_zeros", {{"shape", "(4,)"}}, {}, {BlobOf(out, Shape{4})}, op::OpReq::kWriteTo);
  EXPECT_EQ(out, std::vector<float>(4, 0.f));
}

TEST(CreationOpTest, RegistryShape) {
  const op::Op* z = op::FindOp("_zeros");
  ASSERT_NE(z, nullptr);
  EXPECT_TRUE(z->schema->input_names.empty());
  EXPECT_FALSE(z->schema->needs_rng);
  const op::Op* zl = op::FindOp("zeros_like");
  ASSERT_NE(zl, nullptr);
  // The output does not depend on the input's values: a constant for autograd.
  EXPECT_FALSE(zl->schema->differentiable);
  ASSERT_EQ(zl->schema->input_names.size(), 1u);
}

}  // namespace
}  // namespace mixnet::test
