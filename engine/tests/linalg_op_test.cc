// dot and batch_dot against a triple-loop reference written here (every transpose combination,
// odd sizes, N-d operands, every numeric dtype), hand-computed values and MXNet 1.9.1's outputs.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <tuple>
#include <vector>

#include "tensor_op_test_util.h"

namespace mixnet {
namespace {

using test::Attrs;
using test::Run1;
using namespace test::tensor;

// C = op(A) op(B) for row-major A (stored K x M when ta, else M x K) and B (stored N x K when
// tb, else K x N), accumulated in long double.
std::vector<double> RefMatmul(const std::vector<double>& a, const std::vector<double>& b,
                              int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  std::vector<double> c(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      long double s = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double av = ta ? a[p * m + i] : a[i * k + p];
        const double bv = tb ? b[j * k + p] : b[p * n + j];
        s += static_cast<long double>(av) * bv;
      }
      c[i * n + j] = static_cast<double>(s);
    }
  }
  return c;
}

const char* Bool(bool b) { return b ? "True" : "False"; }

TEST(LinalgOp, DotHandComputed) {
  const NDArray a = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  const NDArray b = F32({3, 2}, {7, 8, 9, 10, 11, 12});
  NDArray c = Run1("dot", {a, b});
  EXPECT_EQ(c.shape(), (Shape{2, 2}));
  EXPECT_EQ(ToDoubles(c), (std::vector<double>{58, 64, 139, 154}));
  // 1-d cases: inner product (shape (1,)), vector x matrix, matrix x vector.
  const NDArray v = F32({3}, {1, 0, -1});
  NDArray ip = Run1("dot", {v, v});
  EXPECT_EQ(ip.shape(), (Shape{1}));
  EXPECT_EQ(ToDoubles(ip), (std::vector<double>{2}));
  EXPECT_EQ(ToDoubles(Run1("dot", {v, b})), (std::vector<double>{-4, -4}));
  EXPECT_EQ(ToDoubles(Run1("dot", {a, v})), (std::vector<double>{-2, -2}));
  EXPECT_EQ(Run1("dot", {a, v}).shape(), (Shape{2}));
}

TEST(LinalgOp, DotMatchesReferenceForEveryTransposeAndOddSizes) {
  const std::vector<std::array<int64_t, 3>> sizes = {
      {1, 1, 1}, {3, 5, 7}, {17, 9, 1}, {1, 33, 13}, {8, 8, 8}, {65, 31, 70}, {130, 257, 9}};
  uint32_t seed = 1;
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    for (auto [m, k, n] : sizes) {
      for (int ta = 0; ta < 2; ++ta) {
        for (int tb = 0; tb < 2; ++tb) {
          std::vector<double> a = RandomValues(m * k, seed++);
          std::vector<double> b = RandomValues(k * n, seed++);
          if (t == DType::kFloat32) {
            for (double& x : a) x = static_cast<float>(x);
            for (double& x : b) x = static_cast<float>(x);
          }
          const Shape as = ta ? Shape{k, m} : Shape{m, k};
          const Shape bs = tb ? Shape{n, k} : Shape{k, n};
          NDArray c = Run1("dot", {FromDoubles(as, t, a), FromDoubles(bs, t, b)},
                           {{"transpose_a", Bool(ta)}, {"transpose_b", Bool(tb)}});
          const std::string what = std::string(DTypeName(t)) + " m=" + std::to_string(m) +
                                   " k=" + std::to_string(k) + " n=" + std::to_string(n) +
                                   " ta=" + Bool(ta) + " tb=" + Bool(tb);
          ASSERT_EQ(c.shape(), (Shape{m, n})) << what;
          ASSERT_EQ(c.dtype(), t) << what;
          const double tol = t == DType::kFloat32 ? 1e-5 : 1e-12;
          ExpectClose(ToDoubles(c), RefMatmul(a, b, m, n, k, ta, tb), tol, tol, what);
        }
      }
    }
  }
}

TEST(LinalgOp, DotNdSemantics) {
  // (2, 3, 4) x (4, 5): lhs is (6, 4).
  std::vector<double> a = RandomValues(24, 3), b = RandomValues(20, 4);
  for (double& x : a) x = static_cast<float>(x);
  for (double& x : b) x = static_cast<float>(x);
  NDArray c = Run1("dot", {F32({2, 3, 4}, a), F32({4, 5}, b)});
  EXPECT_EQ(c.shape(), (Shape{2, 3, 5}));
  ExpectClose(ToDoubles(c), RefMatmul(a, b, 6, 5, 4, false, false));
  // transpose_a: (4, 2, 3) is viewed as (4, 6) and transposed -> output (2, 3, 5).
  c = Run1("dot", {F32({4, 2, 3}, a), F32({4, 5}, b)}, {{"transpose_a", "True"}});
  EXPECT_EQ(c.shape(), (Shape{2, 3, 5}));
  ExpectClose(ToDoubles(c), RefMatmul(a, b, 6, 5, 4, true, false));
  // transpose_b with an N-d rhs: (5, 2, 2) is viewed as (10, 2) -> (3, 5, 2) for lhs (3, 2).
  std::vector<double> l = RandomValues(6, 5), r = RandomValues(20, 6);
  for (double& x : l) x = static_cast<float>(x);
  for (double& x : r) x = static_cast<float>(x);
  c = Run1("dot", {F32({3, 2}, l), F32({5, 2, 2}, r)}, {{"transpose_b", "True"}});
  EXPECT_EQ(c.shape(), (Shape{3, 5, 2}));
  ExpectClose(ToDoubles(c), RefMatmul(l, r, 3, 10, 2, false, true));
  // rhs N-d without transpose: (3, 2) x (2, 5, 2) -> (3, 5, 2).
  c = Run1("dot", {F32({3, 2}, l), F32({2, 5, 2}, r)});
  EXPECT_EQ(c.shape(), (Shape{3, 5, 2}));
  ExpectClose(ToDoubles(c), RefMatmul(l, r, 3, 10, 2, false, false));
}

TEST(LinalgOp, DotOtherDtypes) {
  const std::vector<double> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12};
  const std::vector<double> want = {58, 64, 139, 154};
  for (DType t : {DType::kInt32, DType::kInt64, DType::kFloat16, DType::kBfloat16}) {
    NDArray c = Run1("dot", {FromDoubles({2, 3}, t, a), FromDoubles({3, 2}, t, b)});
    EXPECT_EQ(c.dtype(), t);
    // bfloat16 holds 139 and 154 only to 8 bits of precision.
    ExpectClose(ToDoubles(c), want, t == DType::kBfloat16 ? 4e-3 : 0.0, 0.0, DTypeName(t));
  }
  // Integer products with transposes against the reference; int8 wraps like int8.
  const std::vector<double> ai = RandomValues(5 * 7, 8, -9, 9, true);
  const std::vector<double> bi = RandomValues(7 * 3, 9, -9, 9, true);
  const NDArray a32 = FromDoubles({7, 5}, DType::kInt32, ai);
  const NDArray b32 = FromDoubles({3, 7}, DType::kInt32, bi);
  NDArray ci = Run1("dot", {a32, b32}, {{"transpose_a", "True"}, {"transpose_b", "True"}});
  EXPECT_EQ(ToDoubles(ci), RefMatmul(ai, bi, 5, 3, 7, true, true));
  NDArray c8 = Run1("dot", {FromDoubles({1, 2}, DType::kInt8, {100, 100}),
                            FromDoubles({2, 1}, DType::kInt8, {1, 1})});
  EXPECT_EQ(ToDoubles(c8), (std::vector<double>{-56}));
  // float16 through float32: a longer reduction stays accurate to float16 rounding.
  std::vector<double> h = RandomValues(40 * 30, 10), g = RandomValues(30 * 20, 11);
  for (double& x : h) x = static_cast<float>(half_t(static_cast<float>(x)));
  for (double& x : g) x = static_cast<float>(half_t(static_cast<float>(x)));
  NDArray ch = Run1("dot", {FromDoubles({40, 30}, DType::kFloat16, h),
                            FromDoubles({30, 20}, DType::kFloat16, g)});
  ExpectClose(ToDoubles(ch), RefMatmul(h, g, 40, 20, 30, false, false), 1e-3, 2e-3);
}

TEST(LinalgOp, DotZeroSizeAndRequests) {
  NDArray e = Run1("dot", {F32({0, 3}, {}), F32({3, 4}, Iota(12))});
  EXPECT_EQ(e.shape(), (Shape{0, 4}));
  // K == 0: the product is all zeros.
  NDArray z = Run1("dot", {F32({2, 0}, {}), F32({0, 3}, {})});
  EXPECT_EQ(ToDoubles(z), std::vector<double>(6, 0.0));
  const NDArray a = F32({2, 2}, {1, 2, 3, 4});
  auto add = RunWithReq("dot", {a, a}, {}, op::OpReq::kAddTo, 1.0);
  EXPECT_EQ(ToDoubles(add.at(0)), (std::vector<double>{8, 11, 16, 23}));
  auto none = RunWithReq("dot", {a, a}, {}, op::OpReq::kNull, 5.0);
  EXPECT_EQ(ToDoubles(none.at(0)), std::vector<double>(4, 5.0));
  const NDArray ai = FromDoubles({2, 2}, DType::kInt32, {1, 2, 3, 4});
  auto addi = RunWithReq("dot", {ai, ai}, {}, op::OpReq::kAddTo, 1.0);
  EXPECT_EQ(ToDoubles(addi.at(0)), (std::vector<double>{8, 11, 16, 23}));
  const NDArray ah = FromDoubles({2, 2}, DType::kFloat16, {1, 2, 3, 4});
  auto addh = RunWithReq("batch_dot", {FromDoubles({1, 2, 2}, DType::kFloat16, {1, 2, 3, 4}),
                                       FromDoubles({1, 2, 2}, DType::kFloat16, {1, 2, 3, 4})},
                         {}, op::OpReq::kAddTo, 1.0);
  EXPECT_EQ(ToDoubles(addh.at(0)), (std::vector<double>{8, 11, 16, 23}));
}

TEST(LinalgOp, DotErrorsNameOpAndShapes) {
  auto [kind, msg] = CatchError([] { Run1("dot", {F32({2, 3}, Iota(6)), F32({4, 5}, Iota(20))}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("dot: shape mismatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3) and (4, 5)"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([] {
    Run1("dot", {F32({3, 2}, Iota(6)), F32({2, 3}, Iota(6))}, {{"transpose_b", "True"}});
  });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("(3, 2) and (2, 3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("transpose_b=True"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([] {
    Run1("dot", {F32({3}, Iota(3)), F32({3}, Iota(3))}, {{"transpose_a", "True"}});
  });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  std::tie(kind, msg) = CatchError([] {
    Run1("dot", {F32({2, 2}, Iota(4)), FromDoubles({2, 2}, DType::kFloat64, Iota(4))});
  });
  EXPECT_EQ(kind, ErrorKind::kTypeError);
  EXPECT_NE(msg.find("float32 and float64"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([] {
    NDArray b = FromDoubles({2, 2}, DType::kBool, {1, 0, 0, 1});
    Run1("dot", {b, b}).WaitToRead();
  });
  EXPECT_EQ(kind, ErrorKind::kTypeError);
  EXPECT_NE(msg.find("dot"), std::string::npos) << msg;
}

TEST(LinalgOp, BatchDotMatchesReference) {
  struct Case {
    int64_t batch, m, k, n;
  };
  uint32_t seed = 100;
  // Large batches of small matrices take the batch-parallel path.
  for (Case c : {Case{1, 3, 5, 7}, Case{3, 17, 9, 1}, Case{50, 6, 7, 5}, Case{4, 70, 65, 33}}) {
    for (int ta = 0; ta < 2; ++ta) {
      for (int tb = 0; tb < 2; ++tb) {
        std::vector<double> a = RandomValues(c.batch * c.m * c.k, seed++);
        std::vector<double> b = RandomValues(c.batch * c.k * c.n, seed++);
        for (double& x : a) x = static_cast<float>(x);
        for (double& x : b) x = static_cast<float>(x);
        const Shape as = ta ? Shape{c.batch, c.k, c.m} : Shape{c.batch, c.m, c.k};
        const Shape bs = tb ? Shape{c.batch, c.n, c.k} : Shape{c.batch, c.k, c.n};
        NDArray out = Run1("batch_dot", {F32(as, a), F32(bs, b)},
                           {{"transpose_a", Bool(ta)}, {"transpose_b", Bool(tb)}});
        ASSERT_EQ(out.shape(), (Shape{c.batch, c.m, c.n}));
        std::vector<double> want;
        for (int64_t i = 0; i < c.batch; ++i) {
          std::vector<double> ai(a.begin() + i * c.m * c.k, a.begin() + (i + 1) * c.m * c.k);
          std::vector<double> bi(b.begin() + i * c.k * c.n, b.begin() + (i + 1) * c.k * c.n);
          auto ci = RefMatmul(ai, bi, c.m, c.n, c.k, ta, tb);
          want.insert(want.end(), ci.begin(), ci.end());
        }
        ExpectClose(ToDoubles(out), want, 1e-5, 1e-5,
                    "batch " + std::to_string(c.batch) + " ta=" + Bool(ta) + " tb=" + Bool(tb));
      }
    }
  }
  // 4-d operands: the leading two axes are batch axes.
  std::vector<double> a = RandomValues(2 * 3 * 4 * 5, 7), b = RandomValues(2 * 3 * 5 * 2, 8);
  for (double& x : a) x = static_cast<float>(x);
  for (double& x : b) x = static_cast<float>(x);
  NDArray out = Run1("batch_dot", {F32({2, 3, 4, 5}, a), F32({2, 3, 5, 2}, b)});
  ASSERT_EQ(out.shape(), (Shape{2, 3, 4, 2}));
  std::vector<double> want;
  for (int i = 0; i < 6; ++i) {
    auto ci = RefMatmul(std::vector<double>(a.begin() + i * 20, a.begin() + (i + 1) * 20),
                        std::vector<double>(b.begin() + i * 10, b.begin() + (i + 1) * 10), 4, 2,
                        5, false, false);
    want.insert(want.end(), ci.begin(), ci.end());
  }
  ExpectClose(ToDoubles(out), want);
  // Integers.
  NDArray bi = Run1("batch_dot", {FromDoubles({2, 1, 2}, DType::kInt64, {1, 2, 3, 4}),
                                  FromDoubles({2, 2, 1}, DType::kInt64, {5, 6, 7, 8})});
  EXPECT_EQ(ToDoubles(bi), (std::vector<double>{17, 53}));
}

TEST(LinalgOp, BatchDotErrors) {
  auto [kind, msg] =
      CatchError([] { Run1("batch_dot", {F32({2, 3}, Iota(6)), F32({3, 2}, Iota(6))}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("batch_dot"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3) and (3, 2)"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError(
      [] { Run1("batch_dot", {F32({2, 3, 4}, Iota(24)), F32({3, 4, 2}, Iota(24))}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("batch dimensions"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError(
      [] { Run1("batch_dot", {F32({2, 3, 4}, Iota(24)), F32({2, 3, 4}, Iota(24))}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("batch_dot: shape mismatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3, 4) and (2, 3, 4)"), std::string::npos) << msg;
}

TEST(LinalgOp, MatchesMXNetFixtures) {
  for (const char* name : {"dot", "dot_transpose_a", "dot_transpose_b", "dot_3d_2d", "batch_dot",
                           "batch_dot_transpose_b"}) {
    SCOPED_TRACE(name);
    ExpectFixtureCase(name);
  }
}

}  // namespace
}  // namespace mixnet
