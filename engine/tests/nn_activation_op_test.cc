// nn_activation family: Activation, LeakyReLU, smooth_l1 and BlockGrad forward values against
// formulas evaluated here, MXNet 1.9.1's ops.json cases, OpReq handling and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/autograd.h"
#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

const std::vector<double> kX{-25, -3, -0.5, -1e-3, 0, 0.7, 2.5, 25};

std::vector<double> Map(const std::vector<double>& x, double (*f)(double)) {
  std::vector<double> y;
  for (double v : x) y.push_back(f(v));
  return y;
}

std::vector<double> RunD(const char* op, const std::vector<double>& x, const Attrs& attrs) {
  return Values<double>(Run1(op, {Array<double>({static_cast<int64_t>(x.size())}, x)}, attrs));
}

TEST(NnActivationOps, ActivationEveryTypeMatchesFormulas) {
  struct Case {
    const char* type;
    double (*f)(double);
  };
  const Case cases[] = {
      {"relu", [](double v) { return v > 0 ? v : 0.0; }},
      {"sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); }},
      {"log_sigmoid", [](double v) { return std::log(1 / (1 + std::exp(-v))); }},
      {"mish", [](double v) { return v * std::tanh(std::log(1 + std::exp(v))); }},
      {"tanh", [](double v) { return std::tanh(v); }},
      {"softrelu", [](double v) { return std::log(1 + std::exp(v)); }},
      {"softsign", [](double v) { return v / (1 + std::fabs(v)); }},
  };
  for (const Case& c : cases) {
    ExpectAllClose(RunD("Activation", kX, {{"act_type", c.type}}), Map(kX, c.f), 1e-12, 1e-12,
                   c.type);
  }
}

TEST(NnActivationOps, ActivationFloat32AndFloat16) {
  NDArray x = Array<float>({2, 2}, {-1, 0.5f, 2, -3});
  ExpectAllClose(AsDoubles(Run1("Activation", {x}, {{"act_type", "tanh"}})),
                 {std::tanh(-1.0), std::tanh(0.5), std::tanh(2.0), std::tanh(-3.0)}, 1e-6, 1e-7,
                 "tanh f32");
  NDArray h = Run1("Cast", {x}, {{"dtype", "float16"}});
  NDArray y = Run1("Activation", {h}, {{"act_type", "sigmoid"}});
  EXPECT_EQ(y.dtype(), DType::kFloat16);
  ExpectAllClose(AsDoubles(y), {1 / (1 + std::exp(1.0)), 1 / (1 + std::exp(-0.5)),
                                1 / (1 + std::exp(-2.0)), 1 / (1 + std::exp(3.0))},
                 2e-3, 1e-3, "sigmoid f16");
}

TEST(NnActivationOps, ActivationBadInput) {
  NDArray x = Array<float>({2}, {1, 2});
  auto missing = CatchError([&] { Run1("Activation", {x}); });
  EXPECT_NE(missing.second.find("act_type"), std::string::npos) << missing.second;
  auto bad = CatchError([&] { Run1("Activation", {x}, {{"act_type", "swish"}}); });
  EXPECT_NE(bad.second.find("act_type"), std::string::npos) << bad.second;
  auto ints = CatchError(
      [&] { Run1("Activation", {Array<int32_t>({1}, {1})}, {{"act_type", "relu"}}); });
  EXPECT_EQ(ints.first, ErrorKind::kTypeError);
  EXPECT_NE(ints.second.find("Activation"), std::string::npos) << ints.second;
  // Zero-size input is fine.
  NDArray empty(Shape{0, 3}, Context::CPU(), DType::kFloat32);
  EXPECT_EQ(Run1("Activation", {empty}, {{"act_type", "relu"}}).shape(), (Shape{0, 3}));
}

TEST(NnActivationOps, ActivationAddToRequest) {
  std::vector<double> x{-1, 2}, y{10, 20};
  RunKernel("Activation", {{"act_type", "relu"}}, {BlobOf(x, Shape{2})}, {BlobOf(y, Shape{2})},
            op::OpReq::kAddTo);
  EXPECT_EQ(y, (std::vector<double>{10, 22}));
}

TEST(NnActivationOps, LeakyReLUVariants) {
  const double a = 1.6732632423543772848170429916717, l = 1.0507009873554804934193349852946;
  ExpectAllClose(RunD("LeakyReLU", kX, {}), Map(kX, [](double v) { return v > 0 ? v : 0.25 * v; }),
                 1e-12, 1e-12, "leaky default slope");
  ExpectAllClose(RunD("LeakyReLU", kX, {{"act_type", "leaky"}, {"slope", "0.1"}}),
                 // slope is a float parameter: 0.1 as float32.
                 Map(kX, [](double v) { return v > 0 ? v : static_cast<double>(0.1f) * v; }),
                 1e-12, 1e-12, "leaky");
  ExpectAllClose(RunD("LeakyReLU", kX, {{"act_type", "elu"}, {"slope", "0.5"}}),
                 Map(kX, [](double v) { return v > 0 ? v : 0.5 * (std::exp(v) - 1); }), 1e-12,
                 1e-12, "elu");
  std::vector<double> selu;
  for (double v : kX) selu.push_back(l * (v > 0 ? v : a * (std::exp(v) - 1)));
  ExpectAllClose(RunD("LeakyReLU", kX, {{"act_type", "selu"}}), selu, 1e-12, 1e-12, "selu");
  ExpectAllClose(RunD("LeakyReLU", kX, {{"act_type", "gelu"}}),
                 Map(kX, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }),
                 1e-12, 1e-12, "gelu");
}

TEST(NnActivationOps, PreluPerChannelAndShared) {
  // data (2, 2, 2): channel c uses gamma[c].
  NDArray x = Array<double>({2, 2, 2}, {-1, 2, -3, 4, 5, -6, -7, -8});
  NDArray g = Array<double>({2}, {0.5, 0.1});
  EXPECT_EQ(Values<double>(Run1("LeakyReLU", {x, g}, {{"act_type", "prelu"}})),
            (std::vector<double>{-0.5, 2, -0.30000000000000004, 4, 5, -3, -0.7000000000000001,
                                 -0.8}));
  NDArray g1 = Array<double>({1}, {2});
  EXPECT_EQ(Values<double>(Run1("LeakyReLU", {x, g1}, {{"act_type", "prelu"}})),
            (std::vector<double>{-2, 2, -6, 4, 5, -12, -14, -16}));
  auto bad = CatchError([&] {
    Run1("LeakyReLU", {x, Array<double>({3}, {1, 1, 1})}, {{"act_type", "prelu"}});
  });
  EXPECT_EQ(bad.first, ErrorKind::kValueError);
  EXPECT_NE(bad.second.find("gamma"), std::string::npos) << bad.second;
  // prelu needs gamma; other types take data only.
  EXPECT_EQ(CatchError([&] { Run1("LeakyReLU", {x}, {{"act_type", "prelu"}}); }).first,
            ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] { Run1("LeakyReLU", {x, g}); }).first, ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] {
              Run1("LeakyReLU", {x, Array<float>({2}, {1, 1})}, {{"act_type", "prelu"}});
            }).first,
            ErrorKind::kTypeError);
}

TEST(NnActivationOps, RreluPredictUsesMeanSlopeAndZeroMask) {
  NDArray x = Array<double>({4}, {-2, 1, -0.5, 3});
  std::vector<NDArray> outs =
      test::Run("LeakyReLU", {x},
                {{"act_type", "rrelu"}, {"lower_bound", "0.1"}, {"upper_bound", "0.3"}});
  ASSERT_EQ(outs.size(), 2u);
  ExpectAllClose(Values<double>(outs[0]), {-0.4, 1, -0.1, 3}, 1e-7, 1e-9, "rrelu predict");
  EXPECT_EQ(Values<double>(outs[1]), (std::vector<double>(4, 0.0)));
}

TEST(NnActivationOps, RreluTrainingDrawsSlopesInBounds) {
  std::vector<double> xv;
  for (int i = 0; i < 200; ++i) xv.push_back(i % 2 ? 1.5 : -2.0);
  NDArray x = Array<double>({200}, xv);
  const Attrs attrs{{"act_type", "rrelu"}, {"lower_bound", "0.2"}, {"upper_bound", "0.4"}};
  const bool prev = autograd::SetTraining(true);
  op::SeedRandom(11);
  std::vector<NDArray> a = test::Run("LeakyReLU", {x}, attrs);
  op::SeedRandom(11);
  std::vector<NDArray> b = test::Run("LeakyReLU", {x}, attrs);
  autograd::SetTraining(prev);
  const std::vector<double> y = Values<double>(a[0]), mask = Values<double>(a[1]);
  double lo = 1, hi = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    EXPECT_GE(mask[i], 0.2 - 1e-7);
    EXPECT_LE(mask[i], 0.4 + 1e-7);
    lo = std::min(lo, mask[i]);
    hi = std::max(hi, mask[i]);
    EXPECT_DOUBLE_EQ(y[i], xv[i] > 0 ? xv[i] : xv[i] * mask[i]);
  }
  EXPECT_GT(hi - lo, 0.1);  // the slopes really vary
  EXPECT_EQ(Values<double>(b[1]), mask);  // same seed, same slopes
}

TEST(NnActivationOps, SmoothL1) {
  // sigma = 1: 0.5 x^2 inside |x| < 1, |x| - 0.5 outside.
  ExpectAllClose(RunD("smooth_l1", {-2, -0.5, 0, 0.5, 1, 3}, {}), {1.5, 0.125, 0, 0.125, 0.5, 2.5},
                 1e-12, 1e-12, "sigma 1");
  // sigma = 2: 2 x^2 inside |x| < 0.25, |x| - 0.125 outside.
  ExpectAllClose(RunD("smooth_l1", {-1, -0.2, 0.1, 0.25, 2}, {{"scalar", "2"}}),
                 {0.875, 0.08000000000000002, 0.020000000000000004, 0.125, 1.875}, 1e-12, 1e-12,
                 "sigma 2");
}

TEST(NnActivationOps, BlockGradCopiesAndStopsGradient) {
  NDArray xi = Array<int32_t>({3}, {1, -2, 3});
  EXPECT_EQ(Values<int32_t>(Run1("BlockGrad", {xi})), (std::vector<int32_t>{1, -2, 3}));
  EXPECT_EQ(Values<int32_t>(Run1("stop_gradient", {xi})), (std::vector<int32_t>{1, -2, 3}));
  // d/dx (x * BlockGrad(x)) = BlockGrad(x) = x, not 2x.
  NDArray x = Array<float>({2}, {3, -1});
  NDArray g = Array<float>({2}, {0, 0});
  NDArray* vars[] = {&x};
  autograd::GradReq reqs[] = {autograd::GradReq::kWrite};
  NDArray grads[] = {g};
  autograd::MarkVariables(vars, reqs, grads);
  NDArray y;
  {
    const bool prev = autograd::SetRecording(true);
    y = Run1("elemwise_mul", {x, Run1("BlockGrad", {x})});
    autograd::SetRecording(prev);
  }
  NDArray heads[] = {y};
  autograd::Backward(heads, {}, false, true);
  EXPECT_EQ(Values<float>(g), (std::vector<float>{3, -1}));
}

TEST(NnActivationOps, OpsJsonCasesMatch) {
  // Activation 5, LeakyReLU 6, smooth_l1 1, BlockGrad 1.
  EXPECT_EQ(family_cases::RunFamilyCases("nn_activation"), 13);
}

}  // namespace
}  // namespace mixnet::test
