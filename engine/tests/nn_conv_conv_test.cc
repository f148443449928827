// nn_conv family: Convolution and Deconvolution forward against the reference loops of
// nn_conv_test_ref.h (1D/2D/3D, stride/pad/dilate/groups, bias), MXNet's ops.json cases,
// OpReq handling, empty batches and bad parameters.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
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

Shape ShapeOf(std::initializer_list<int64_t> lead, const std::vector<int64_t>& rest) {
  Shape s(lead);
  for (int64_t v : rest) s.PushBack(v);
  return s;
}

NDArray FloatArray(const Shape& s, const std::vector<double>& v) {
  std::vector<float> f(v.begin(), v.end());
  return Array<float>(s, f);
}

void CheckConv(const ref::ConvCase& cc, bool bias) {
  SCOPED_TRACE("conv x=" + Tuple(cc.x) + " k=" + Tuple(cc.k) + " s=" + Tuple(cc.s) +
               " d=" + Tuple(cc.d) + " p=" + Tuple(cc.p) + " g=" + std::to_string(cc.groups));
  const Shape xs = ShapeOf({cc.n, cc.c}, cc.x), ws = ShapeOf({cc.f, cc.c / cc.groups}, cc.k);
  const auto x = ref::Values(xs.Size(), 1), w = ref::Values(ws.Size(), 2);
  const auto b = bias ? ref::Values(cc.f, 3) : std::vector<double>{};
  const std::string k = Tuple(cc.k), s = Tuple(cc.s), d = Tuple(cc.d), p = Tuple(cc.p),
                    nf = std::to_string(cc.f), ng = std::to_string(cc.groups);
  Attrs attrs{{"kernel", k}, {"stride", s}, {"dilate", d}, {"pad", p}, {"num_filter", nf},
              {"num_group", ng}, {"no_bias", bias ? "False" : "True"}};
  std::vector<NDArray> in{FloatArray(xs, x), FloatArray(ws, w)};
  if (bias) in.push_back(FloatArray(Shape{cc.f}, b));
  NDArray out = Run1("Convolution", in, attrs);
  EXPECT_EQ(out.shape(), ShapeOf({cc.n, cc.f}, ref::ConvOut(cc)));
  ExpectAllClose(AsDoubles(out), ref::Conv(cc, x, w, b), 1e-4, 1e-4, "Convolution");
}

TEST(NnConvConvolution, MatchesReference1D2D3D) {
  CheckConv({2, 3, 4, 1, {9}, {3}, {2}, {1}, {1}}, true);
  CheckConv({1, 4, 6, 2, {10}, {3}, {1}, {2}, {2}}, false);
  CheckConv({2, 3, 5, 1, {7, 6}, {3, 2}, {1, 1}, {1, 1}, {0, 0}}, true);
  CheckConv({2, 4, 6, 2, {9, 8}, {3, 3}, {2, 1}, {2, 1}, {1, 2}}, true);
  CheckConv({1, 6, 6, 6, {7, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1}}, false);  // depthwise
  CheckConv({1, 2, 3, 1, {5, 4, 6}, {3, 2, 3}, {1, 2, 2}, {1, 1, 1}, {1, 0, 1}}, true);
  CheckConv({2, 4, 4, 2, {6, 5, 5}, {2, 2, 2}, {1, 1, 1}, {2, 1, 2}, {0, 1, 1}}, false);
  // 5..15 input channels per group: oneDNN on the plain formats (no reorders).
  CheckConv({2, 6, 5, 1, {7, 6}, {3, 3}, {2, 1}, {1, 2}, {1, 1}}, true);
  CheckConv({1, 12, 4, 2, {6}, {3}, {1}, {1}, {1}}, false);
  // Channels per group multiples of 16: oneDNN's blocked formats with reorders at the boundary.
  CheckConv({2, 16, 32, 1, {6, 5}, {3, 3}, {1, 2}, {1, 1}, {1, 1}}, true);
  CheckConv({1, 32, 32, 2, {5, 5}, {3, 3}, {1, 1}, {2, 2}, {2, 2}}, false);
  CheckConv({1, 16, 16, 1, {4, 4, 4}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}}, true);
}

void CheckDeconv(const ref::ConvCase& cc, const std::vector<int64_t>& adj, bool bias) {
  SCOPED_TRACE("deconv x=" + Tuple(cc.x) + " k=" + Tuple(cc.k) + " s=" + Tuple(cc.s) +
               " d=" + Tuple(cc.d) + " p=" + Tuple(cc.p) + " adj=" + Tuple(adj) +
               " g=" + std::to_string(cc.groups));
  const Shape xs = ShapeOf({cc.n, cc.c}, cc.x), ws = ShapeOf({cc.c, cc.f / cc.groups}, cc.k);
  const auto x = ref::Values(xs.Size(), 4), w = ref::Values(ws.Size(), 5);
  const auto b = bias ? ref::Values(cc.f, 6) : std::vector<double>{};
  const std::string k = Tuple(cc.k), s = Tuple(cc.s), d = Tuple(cc.d), p = Tuple(cc.p),
                    a = Tuple(adj), nf = std::to_string(cc.f), ng = std::to_string(cc.groups);
  Attrs attrs{{"kernel", k}, {"stride", s}, {"dilate", d}, {"pad", p}, {"adj", a},
              {"num_filter", nf}, {"num_group", ng}, {"no_bias", bias ? "False" : "True"}};
  std::vector<NDArray> in{FloatArray(xs, x), FloatArray(ws, w)};
  if (bias) in.push_back(FloatArray(Shape{cc.f}, b));
  NDArray out = Run1("Deconvolution", in, attrs);
  EXPECT_EQ(out.shape(), ShapeOf({cc.n, cc.f}, ref::DeconvOut(cc, adj)));
  ExpectAllClose(AsDoubles(out), ref::Deconv(cc, adj, x, w, b), 1e-4, 1e-4, "Deconvolution");
}

TEST(NnConvDeconvolution, MatchesReference1D2D3D) {
  CheckDeconv({2, 3, 4, 1, {5}, {3}, {2}, {1}, {1}}, {1}, true);
  CheckDeconv({1, 4, 6, 2, {6}, {3}, {1}, {2}, {0}}, {0}, false);
  CheckDeconv({2, 3, 2, 1, {4, 3}, {3, 2}, {2, 2}, {1, 1}, {1, 0}}, {1, 0}, true);
  CheckDeconv({1, 4, 6, 2, {4, 4}, {3, 3}, {2, 1}, {1, 2}, {0, 1}}, {1, 0}, false);
  CheckDeconv({1, 2, 2, 1, {3, 3, 2}, {2, 3, 2}, {2, 1, 2}, {1, 1, 1}, {0, 1, 0}}, {0, 0, 1}, true);
  CheckDeconv({2, 6, 5, 1, {4, 3}, {3, 3}, {2, 2}, {1, 1}, {1, 1}}, {1, 0}, true);  // plain
  CheckDeconv({1, 12, 4, 2, {3, 3}, {2, 2}, {2, 2}, {1, 1}, {0, 0}}, {0, 0}, false);
  CheckDeconv({2, 16, 32, 1, {4, 3}, {3, 3}, {2, 2}, {1, 1}, {1, 1}}, {1, 1}, true);  // blocked
  CheckDeconv({1, 32, 32, 2, {3, 3}, {2, 2}, {2, 2}, {1, 1}, {0, 0}}, {0, 0}, false);
}

TEST(NnConvDeconvolution, TargetShapeSetsPadAndAdj) {
  // x = 4, k = 3, s = 2: full size 9; target 8 -> total 1 -> pad 1, adj 1 (out 9 - 2 + 1 = 8).
  NDArray x = FloatArray(Shape{1, 1, 4, 4}, ref::Values(16, 7));
  NDArray w = FloatArray(Shape{1, 1, 3, 3}, ref::Values(9, 8));
  NDArray with_target = Run1("Deconvolution", {x, w},
                             {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"num_filter", "1"},
                              {"target_shape", "(8, 7)"}, {"pad", "(5, 5)"}});
  EXPECT_EQ(with_target.shape(), (Shape{1, 1, 8, 7}));
  NDArray explicit_pad = Run1("Deconvolution", {x, w},
                              {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"num_filter", "1"},
                               {"pad", "(1, 1)"}, {"adj", "(1, 0)"}});
  EXPECT_EQ(explicit_pad.shape(), (Shape{1, 1, 8, 7}));
  ExpectAllClose(AsDoubles(with_target), AsDoubles(explicit_pad), 0, 0, "target_shape");
}

TEST(NnConvFamily, OpsJsonCasesMatch) { EXPECT_EQ(family_cases::RunFamilyCases("nn_conv"), 15); }

TEST(NnConvConvolution, ForwardHonoursAddTo) {
  const std::vector<double> xv = ref::Values(2 * 3 * 5 * 5, 9), wv = ref::Values(4 * 3 * 3 * 3, 10);
  std::vector<float> x(xv.begin(), xv.end()), w(wv.begin(), wv.end());
  std::vector<float> b{0.5f, -0.25f, 1, 0};
  const Attrs attrs{{"kernel", "(3, 3)"}, {"num_filter", "4"}, {"pad", "(1, 1)"}};
  std::vector<float> once(2 * 4 * 5 * 5, 0.f), twice(2 * 4 * 5 * 5, 1.f);
  const Shape os{2, 4, 5, 5};
  RunKernel("Convolution", attrs, {BlobOf(x, {2, 3, 5, 5}), BlobOf(w, {4, 3, 3, 3}), BlobOf(b, {4})},
            {BlobOf(once, os)}, op::OpReq::kWriteTo, 2);
  RunKernel("Convolution", attrs, {BlobOf(x, {2, 3, 5, 5}), BlobOf(w, {4, 3, 3, 3}), BlobOf(b, {4})},
            {BlobOf(twice, os)}, op::OpReq::kAddTo, 2);
  for (size_t i = 0; i < once.size(); ++i) ASSERT_NEAR(twice[i], once[i] + 1.f, 1e-5) << i;
}

TEST(NnConvConvolution, ConcurrentCallsShareCachedPrimitives) {
  // Several threads run the same cached primitives at once (as engine workers do); each execution
  // has its own scratchpad, so every result must equal the single-threaded one.
  const std::vector<double> xv = ref::Values(4 * 16 * 9 * 9, 15), wv = ref::Values(16 * 16 * 3 * 3, 16);
  std::vector<float> x(xv.begin(), xv.end()), w(wv.begin(), wv.end());
  const Attrs attrs{{"kernel", "(3, 3)"}, {"num_filter", "16"}, {"no_bias", "True"}};
  const Shape xs{4, 16, 9, 9}, ws{16, 16, 3, 3}, os{4, 16, 7, 7};
  std::vector<float> want(static_cast<size_t>(os.Size()));
  RunKernel("Convolution", attrs, {BlobOf(x, xs), BlobOf(w, ws)}, {BlobOf(want, os)},
            op::OpReq::kWriteTo, 1);
  std::vector<std::vector<float>> got(4, std::vector<float>(want.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        RunKernel("Convolution", attrs, {BlobOf(x, xs), BlobOf(w, ws)}, {BlobOf(got[t], os)},
                  op::OpReq::kWriteTo, 1);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(got[t], want) << "thread " << t;
}

TEST(NnConvConvolution, EmptyBatch) {
  NDArray out = Run1("Convolution", {Array<float>({0, 2, 5, 5}, {}), Array<float>({3, 2, 3, 3}, std::vector<float>(54, 1.f))},
                     {{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"no_bias", "True"}});
  EXPECT_EQ(out.shape(), (Shape{0, 3, 3, 3}));
}

TEST(NnConvConvolution, BadParameters) {
  NDArray x = Array<float>({1, 4, 5, 5}, std::vector<float>(100, 1.f));
  NDArray w = Array<float>({2, 4, 3, 3}, std::vector<float>(72, 1.f));
  NDArray b = Array<float>({2}, {0.f, 0.f});
  auto err = [&](std::vector<NDArray> in, const Attrs& a) {
    return CatchError([&] { Run1("Convolution", in, a); });
  };
  auto e = err({x, w, b}, {{"kernel", "(7, 7)"}, {"num_filter", "2"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("Convolution"), std::string::npos) << e.second;
  EXPECT_NE(e.second.find("(1, 4, 5, 5)"), std::string::npos) << e.second;
  e = err({x, w, b}, {{"kernel", "(3, 3)"}, {"num_filter", "3"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("expected (3, 4, 3, 3), got (2, 4, 3, 3)"), std::string::npos) << e.second;
  e = err({x, w, b}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"num_group", "3"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("num_group"), std::string::npos) << e.second;
  e = err({x, w, b}, {{"kernel", "(3,)"}, {"num_filter", "2"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  e = err({x, w, b}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"stride", "(0, 1)"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("stride"), std::string::npos) << e.second;
  e = err({x, w, b}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"dilate", "(1, 0)"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  e = err({x, w, b}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"layout", "NHWC"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("NHWC"), std::string::npos) << e.second;
  e = err({x, w, Array<float>({3}, {0.f, 0.f, 0.f})}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("bias"), std::string::npos) << e.second;
  NDArray xd = Array<double>({1, 4, 5, 5}, std::vector<double>(100, 1.0));
  NDArray wd = Array<double>({2, 4, 3, 3}, std::vector<double>(72, 1.0));
  e = err({xd, wd}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"no_bias", "True"}});
  EXPECT_EQ(e.first, ErrorKind::kTypeError);
  EXPECT_NE(e.second.find("Convolution"), std::string::npos) << e.second;
  EXPECT_NE(e.second.find("float64"), std::string::npos) << e.second;
  // Layout NCHW is accepted.
  EXPECT_NO_THROW(Run1("Convolution", {x, w, b}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"layout", "NCHW"}}));
}

TEST(NnConvDeconvolution, BadParameters) {
  NDArray x = Array<float>({1, 4, 3, 3}, std::vector<float>(36, 1.f));
  NDArray w = Array<float>({4, 2, 3, 3}, std::vector<float>(72, 1.f));
  auto err = [&](std::vector<NDArray> in, const Attrs& a) {
    return CatchError([&] { Run1("Deconvolution", in, a); });
  };
  auto e = err({x, w}, {{"kernel", "(3, 3)"}, {"num_filter", "4"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("expected (4, 4, 3, 3), got (4, 2, 3, 3)"), std::string::npos) << e.second;
  e = err({x, w}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"stride", "(2, 2)"}, {"adj", "(2, 0)"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("adj"), std::string::npos) << e.second;
  e = err({x, w}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"target_shape", "(20, 20)"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  e = err({x, w}, {{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"num_group", "2"}});
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  // Default no_bias is True: two inputs suffice.
  EXPECT_EQ(Run1("Deconvolution", {x, w}, {{"kernel", "(3, 3)"}, {"num_filter", "2"}}).shape(),
            (Shape{1, 2, 5, 5}));
}

}  // namespace
}  // namespace mixnet::test
