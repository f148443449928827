// Embedding and UpSampling: values against loops, index clipping, the scatter-add gradient with
// repeated indices, both multi-input modes, errors, and numeric gradient checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "elemwise_test_util.h"
#include "grad_check_util.h"
#include "nn_basic_test_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

TEST(NnBasicEmbedding, LookupClipsIndices) {
  // weight rows r = [10r, 10r + 1]; indices -3 and 7.9 clip to rows 0 and 3, 2.7 truncates to 2.
  NDArray w = Array<float>({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
  NDArray idx = Array<float>({2, 2}, {1, 2.7f, -3, 7.9f});
  NDArray y = Run1("Embedding", {idx, w}, {{"input_dim", "4"}, {"output_dim", "2"}});
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(Values<float>(y), (std::vector<float>{10, 11, 20, 21, 0, 1, 30, 31}));
  // Integer indices and a float64 table.
  NDArray wd = Array<double>({3, 1}, {5, 6, 7});
  NDArray ii = Array<int32_t>({3}, {2, 0, 2});
  NDArray yd = Run1("Embedding", {ii, wd},
                    {{"input_dim", "3"}, {"output_dim", "1"}, {"dtype", "float64"}});
  EXPECT_EQ(Values<double>(yd), (std::vector<double>{7, 5, 7}));
}

TEST(NnBasicEmbedding, GradientScatterAddsRepeatedIndices) {
  NDArray w = Array<double>({3, 2}, {0, 0, 0, 0, 0, 0});
  NDArray idx = Array<double>({4}, {1, 1, 0, 1});
  NDArray dy = Array<double>({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Attrs attrs{{"input_dim", "3"}, {"output_dim", "2"}, {"dtype", "float64"}};
  auto g = Backward("Embedding", attrs, {idx, w}, dy);
  EXPECT_EQ(Values<double>(g[1]), (std::vector<double>{5, 6, 11, 14, 0, 0}));
  EXPECT_EQ(Values<double>(g[0]), (std::vector<double>{0, 0, 0, 0}));
}

TEST(NnBasicEmbedding, Errors) {
  NDArray idx = Array<float>({2}, {0, 1});
  auto e = CatchError([&] {
    Run1("Embedding", {idx, Array<float>({3, 2}, std::vector<float>(6, 0))},
         {{"input_dim", "4"}, {"output_dim", "2"}});
  });
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("expected (4, 2)"), std::string::npos) << e.second;
  EXPECT_NE(e.second.find("got (3, 2)"), std::string::npos) << e.second;
  EXPECT_EQ(CatchError([&] {
              Run1("Embedding", {idx, Array<double>({4, 2}, std::vector<double>(8, 0))},
                   {{"input_dim", "4"}, {"output_dim", "2"}});
            }).first,
            ErrorKind::kTypeError);
  EXPECT_EQ(CatchError([&] { Run1("Embedding", {idx, idx}, {{"output_dim", "2"}}); }).first,
            ErrorKind::kValueError);
}

GRAD_TEST(NnBasicEmbeddingGrad, Weight, "Embedding") {
  CheckGradient({.op = "Embedding",
                 .attrs = {{"input_dim", "4"}, {"output_dim", "3"}, {"dtype", "float64"}},
                 .inputs = {ArrayFromDoubles({2, 3}, DType::kFloat64, {0, 3, 1, 3, 3, 2}),
                            RandomArray({4, 3}, DType::kFloat64, -1, 1, 21)},
                 .wrt = {1}});
}

// Nearest upsampling of input x (n, c, h, w) by f, as a loop.
std::vector<double> Nearest(const std::vector<double>& x, int64_t n, int64_t c, int64_t h,
                            int64_t w, int64_t f) {
  std::vector<double> y;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t yy = 0; yy < h * f; ++yy)
        for (int64_t xx = 0; xx < w * f; ++xx)
          y.push_back(x[((b * c + ch) * h + yy / f) * w + xx / f]);
  return y;
}

TEST(NnBasicUpSampling, SingleInput) {
  NDArray x = Array<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  NDArray y = Run1("UpSampling", {x}, {{"scale", "2"}, {"sample_type", "nearest"}});
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(Values<float>(y),
            (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

TEST(NnBasicUpSampling, MultiInputConcatAndSum) {
  // a: (2, 1, 2, 2) upsampled by 2; b: (2, 2, 4, 4) by 1 -> both 4 x 4.
  NDArray a = RandomArray({2, 1, 2, 2}, DType::kFloat64, -1, 1, 31);
  NDArray b = RandomArray({2, 1, 4, 4}, DType::kFloat64, -1, 1, 32);
  NDArray b2 = RandomArray({2, 2, 4, 4}, DType::kFloat64, -1, 1, 33);
  const auto ua = Nearest(ValuesAsDouble(a), 2, 1, 2, 2, 2);
  const auto ub2 = ValuesAsDouble(b2);
  NDArray cat = Run1("UpSampling", {a, b2},
                     {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "2"}});
  EXPECT_EQ(cat.shape(), (Shape{2, 3, 4, 4}));
  std::vector<double> want;
  for (int64_t n = 0; n < 2; ++n) {
    want.insert(want.end(), ua.begin() + n * 16, ua.begin() + (n + 1) * 16);
    want.insert(want.end(), ub2.begin() + n * 32, ub2.begin() + (n + 1) * 32);
  }
  ExpectAllClose(AsDoubles(cat), want, 0, 0, "concat");
  NDArray sum = Run1("UpSampling", {a, b},
                     {{"scale", "2"}, {"sample_type", "nearest"}, {"multi_input_mode", "sum"}});
  EXPECT_EQ(sum.shape(), (Shape{2, 1, 4, 4}));
  const auto bv = ValuesAsDouble(b);
  std::vector<double> want_sum(ua.size());
  for (size_t i = 0; i < ua.size(); ++i) want_sum[i] = ua[i] + bv[i];
  ExpectAllClose(AsDoubles(sum), want_sum, 1e-15, 1e-15, "sum");
}

TEST(NnBasicUpSampling, Errors) {
  NDArray a = Array<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  NDArray odd = Array<float>({1, 1, 3, 3}, std::vector<float>(9, 0));
  const Attrs nearest2{{"scale", "2"}, {"sample_type", "nearest"}};
  EXPECT_EQ(CatchError([&] { Run1("UpSampling", {a, odd}, nearest2); }).first,
            ErrorKind::kValueError);
  NDArray two_ch = Array<float>({1, 2, 4, 4}, std::vector<float>(32, 0));
  EXPECT_EQ(CatchError([&] {
              Run1("UpSampling", {a, two_ch},
                   {{"scale", "2"}, {"sample_type", "nearest"}, {"multi_input_mode", "sum"}});
            }).first,
            ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] { Run1("UpSampling", {Array<float>({2, 2}, {1, 2, 3, 4})}, nearest2); })
                .first,
            ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] {
              Run1("UpSampling", {a}, {{"scale", "2"}, {"sample_type", "bilinear"}});
            }).first,
            ErrorKind::kValueError);
}

GRAD_TEST(NnBasicUpSamplingGrad, BothModes, "UpSampling") {
  // The harness parses attrs for the backward itself: variadic ops need num_args spelled out.
  CheckGradient({.op = "UpSampling",
                 .attrs = {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "1"}},
                 .inputs = {RandomArray({1, 2, 2, 3}, DType::kFloat64, -1, 1, 41)}});
  CheckGradient({.op = "UpSampling",
                 .attrs = {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "2"}},
                 .inputs = {RandomArray({1, 1, 2, 2}, DType::kFloat64, -1, 1, 42),
                            RandomArray({1, 2, 1, 1}, DType::kFloat64, -1, 1, 43)}});
  CheckGradient({.op = "UpSampling",
                 .attrs = {{"scale", "1"}, {"sample_type", "nearest"},
                           {"multi_input_mode", "sum"}, {"num_args", "2"}},
                 .inputs = {RandomArray({1, 2, 2, 2}, DType::kFloat64, -1, 1, 44),
                            RandomArray({1, 2, 1, 1}, DType::kFloat64, -1, 1, 45)}});
}

}  // namespace
}  // namespace mixnet::test
