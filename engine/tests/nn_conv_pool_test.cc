// nn_conv family: Pooling (every pool_type, convention, global, count_include_pad; 1D/2D/3D; the
// oneDNN and hand-written paths) and LRN against the reference loops of nn_conv_test_ref.h, plus
// bad parameters.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "nn_conv_test_ref.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

namespace ref = nn_conv_ref;

std::string Tuple(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

template <typename T>
NDArray Typed(const Shape& s, const std::vector<double>& v) {
  return Array<T>(s, std::vector<T>(v.begin(), v.end()));
}

template <typename T>
void CheckPool(const ref::PoolCase& pc, double tol) {
  Shape xs{pc.n, pc.c};
  for (int64_t v : pc.x) xs.PushBack(v);
  const auto x = ref::Values(xs.Size(), 11);
  const std::string k = Tuple(pc.k), s = Tuple(pc.s), p = Tuple(pc.p), pv = std::to_string(pc.p_value);
  SCOPED_TRACE(pc.type + " " + pc.convention + " x=" + Tuple(pc.x) + " k=" + k + " s=" + s +
               " p=" + p + (pc.include_pad ? "" : " exclude-pad") + " " + DTypeName(DTypeOf<T>::value));
  Attrs attrs{{"kernel", k}, {"stride", s}, {"pad", p}, {"pool_type", pc.type},
              {"pooling_convention", pc.convention},
              {"count_include_pad", pc.include_pad ? "True" : "False"}};
  if (pc.type == "lp") attrs.emplace_back("p_value", pv);
  std::vector<double> xin = x;
  if (pc.type == "lp" && pc.p_value != 2) {
    for (double& v : xin) v = std::fabs(v) + 0.1;  // keep sum(x^3) positive for the cube root
  }
  NDArray out = Run1("Pooling", {Typed<T>(xs, xin)}, attrs);
  Shape want{pc.n, pc.c};
  for (int64_t v : ref::PoolOut(pc)) want.PushBack(v);
  EXPECT_EQ(out.shape(), want);
  ExpectAllClose(AsDoubles(out), ref::Pool(pc, xin, std::numeric_limits<T>::lowest()), tol, tol, "Pooling");
}

TEST(NnConvPooling, AllTypesAndConventions) {
  for (const char* type : {"max", "avg", "sum", "lp"}) {
    for (const char* conv : {"valid", "full"}) {
      for (bool inc : {true, false}) {
        ref::PoolCase c2{2, 3, {7, 6}, {3, 2}, {2, 2}, {1, 0}, type, conv, inc};
        CheckPool<float>(c2, 1e-5);
        CheckPool<double>(c2, 1e-12);
        ref::PoolCase c1{2, 2, {9}, {3}, {2}, {1}, type, conv, inc};
        CheckPool<float>(c1, 1e-5);
        ref::PoolCase c3{1, 2, {5, 4, 5}, {2, 2, 3}, {2, 1, 2}, {1, 0, 1}, type, conv, inc};
        CheckPool<float>(c3, 1e-5);
      }
    }
    // 'same' (1D, no pad): ceil(x / s) outputs, the last window clipped.
    for (int64_t x : {9, 10}) {
      ref::PoolCase same{2, 2, {x}, {3}, {2}, {0}, type, "same", true};
      CheckPool<float>(same, 1e-5);
      CheckPool<double>(same, 1e-12);
    }
  }
  for (int p : {1, 2, 3}) {
    ref::PoolCase lp{1, 2, {6, 6}, {2, 2}, {2, 2}, {0, 0}, "lp", "valid", true, p};
    CheckPool<double>(lp, 1e-12);
  }
}

TEST(NnConvPooling, GlobalPool) {
  const auto x = ref::Values(2 * 3 * 4 * 5, 12);
  for (const char* type : {"max", "avg", "sum"}) {
    NDArray out = Run1("Pooling", {Typed<float>({2, 3, 4, 5}, x)},
                       {{"global_pool", "True"}, {"pool_type", type}, {"kernel", "(1, 1)"}});
    ASSERT_EQ(out.shape(), (Shape{2, 3, 1, 1}));
    ref::PoolCase pc{2, 3, {4, 5}, {4, 5}, {1, 1}, {0, 0}, type};
    ExpectAllClose(AsDoubles(out), ref::Pool(pc, x), 1e-5, 1e-5, type);
  }
  // Global pooling without a kernel, 1D.
  NDArray out = Run1("Pooling", {Typed<float>({1, 2, 3}, {1, 5, 2, -1, -3, -2})}, {{"global_pool", "True"}});
  EXPECT_EQ(Values<float>(out), (std::vector<float>{5, -1}));
}

TEST(NnConvPooling, HalfPrecisionRunsHandWritten) {
  const auto x = ref::Values(1 * 2 * 4 * 4, 13);
  NDArray out = Run1("Pooling", {Typed<float>({1, 2, 4, 4}, x)}, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}});
  NDArray xh = Run1("Cast", {Typed<float>({1, 2, 4, 4}, x)}, {{"dtype", "float16"}});
  NDArray outh = Run1("Pooling", {xh}, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}});
  EXPECT_EQ(outh.dtype(), DType::kFloat16);
  ExpectAllClose(AsDoubles(outh), AsDoubles(out), 1e-3, 1e-3, "float16");
}

TEST(NnConvPooling, BadParameters) {
  NDArray x = Array<float>({1, 1, 3, 3}, std::vector<float>(9, 1.f));
  auto err = [&](const Attrs& a) { return CatchError([&] { Run1("Pooling", {x}, a); }); };
  auto e = err({{"kernel", "(4, 4)"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("Pooling"), std::string::npos) << e.second;
  EXPECT_NE(e.second.find("(1, 1, 3, 3)"), std::string::npos) << e.second;
  EXPECT_EQ(err({}).first, ErrorKind::kValueError);                              // no kernel
  EXPECT_EQ(err({{"kernel", "(2, 2)"}, {"stride", "(0, 1)"}}).first, ErrorKind::kValueError);
  EXPECT_EQ(err({{"kernel", "(2,)"}}).first, ErrorKind::kValueError);           // rank mismatch
  EXPECT_EQ(err({{"kernel", "(2, 2)"}, {"pool_type", "lp"}}).first, ErrorKind::kValueError);
  EXPECT_EQ(err({{"kernel", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", "4"}}).first,
            ErrorKind::kValueError);
  EXPECT_EQ(err({{"kernel", "(2, 2)"}, {"layout", "NHWC"}}).first, ErrorKind::kValueError);
  EXPECT_EQ(err({{"kernel", "(2, 2)"}, {"pool_type", "median"}}).first, ErrorKind::kValueError);
  e = err({{"kernel", "(2, 2)"}, {"pooling_convention", "same"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("1D"), std::string::npos) << e.second;
  EXPECT_EQ(CatchError([&] {
              Run1("Pooling", {Array<float>({1, 1, 5}, std::vector<float>(5, 1.f))},
                   {{"kernel", "(2,)"}, {"pad", "(1,)"}, {"pooling_convention", "same"}});
            }).first,
            ErrorKind::kValueError);
  e = CatchError([&] { Run1("Pooling", {Array<int32_t>({1, 1, 2, 2}, {1, 2, 3, 4})}, {{"kernel", "(2, 2)"}}); });
  EXPECT_EQ(e.first, ErrorKind::kTypeError);
}

TEST(NnConvPooling, EmptyBatch) {
  NDArray out = Run1("Pooling", {Array<float>({0, 3, 4, 4}, {})}, {{"kernel", "(2, 2)"}});
  EXPECT_EQ(out.shape(), (Shape{0, 3, 3, 3}));
}

TEST(NnConvLRN, MatchesReference) {
  const auto x = ref::Values(2 * 7 * 3 * 2, 14);
  for (int nsize : {1, 3, 5}) {
    NDArray out = Run1("LRN", {Typed<float>({2, 7, 3, 2}, x)},
                       {{"nsize", std::to_string(nsize)}, {"alpha", "0.5"}, {"beta", "0.6"}, {"knorm", "1.5"}});
    ExpectAllClose(AsDoubles(out), ref::Lrn(2, 7, 6, x, 0.5, 0.6, 1.5, nsize), 1e-5, 1e-6, "LRN");
    NDArray outd = Run1("LRN", {Typed<double>({2, 7, 3, 2}, x)},
                        {{"nsize", std::to_string(nsize)}, {"alpha", "0.5"}, {"beta", "0.6"}, {"knorm", "1.5"}});
    // The parameters are float (as in MXNet): the reference uses their float values.
    ExpectAllClose(AsDoubles(outd), ref::Lrn(2, 7, 6, x, 0.5f, 0.6f, 1.5f, nsize), 1e-12, 1e-12, "LRN f64");
  }
  // Defaults: alpha 1e-4, beta 0.75, knorm 2.
  NDArray out = Run1("LRN", {Typed<float>({2, 7, 3, 2}, x)}, {{"nsize", "3"}});
  ExpectAllClose(AsDoubles(out), ref::Lrn(2, 7, 6, x, 1e-4, 0.75, 2, 3), 1e-5, 1e-6, "LRN defaults");
  EXPECT_EQ(::mixnet::test::Run("LRN", {Typed<float>({2, 7, 3, 2}, x)}, {{"nsize", "3"}}).size(), 1u);  // tmp_norm hidden
}

TEST(NnConvLRN, BadParameters) {
  NDArray x = Array<float>({1, 3, 2}, std::vector<float>(6, 1.f));
  EXPECT_EQ(CatchError([&] { Run1("LRN", {x}, {{"nsize", "2"}}); }).first, ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] { Run1("LRN", {x}, {}); }).first, ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] { Run1("LRN", {Array<float>({3}, {1, 2, 3})}, {{"nsize", "3"}}); }).first,
            ErrorKind::kValueError);
}

}  // namespace
}  // namespace mixnet::test
