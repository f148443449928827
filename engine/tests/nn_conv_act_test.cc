// _conv_act (Convolution followed by an activation, in one op): its output and the gradients of
// data, weight and bias equal those of Activation(Convolution(...)) run as two ops, on shapes that
// send the backward's diff_dst through each layout the fused gradient writes directly (plain,
// channels-last, 16-channel blocks with padding; 8-channel blocks on AVX2 machines); numeric
// gradients for the smooth activations; errors name the op.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "elemwise_test_util.h"
#include "grad_check_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

constexpr DType kF32 = DType::kFloat32;

struct Grads {
  std::vector<double> y, dx, dw, db;
};

// Forward and backward (head gradient `head`) of either the fused op or the two-op chain.
Grads Run(bool fused, const std::string& act, const Attrs& conv_attrs, const NDArray& x0,
          const NDArray& w0, const NDArray& b0, const NDArray& head, bool data_grad = true) {
  NDArray x = Run1("_copy", {x0}), w = Run1("_copy", {w0}), b = Run1("_copy", {b0});
  NDArray gx = Run1("zeros_like", {x}), gw = Run1("zeros_like", {w}), gb = Run1("zeros_like", {b});
  std::vector<NDArray*> vars{&w, &b};
  std::vector<autograd::GradReq> reqs{autograd::GradReq::kWrite, autograd::GradReq::kWrite};
  std::vector<NDArray> grads{gw, gb};
  if (data_grad) {
    vars.push_back(&x);
    reqs.push_back(autograd::GradReq::kWrite);
    grads.push_back(gx);
  }
  autograd::MarkVariables(vars, reqs, grads);
  const bool prev_rec = autograd::SetRecording(true), prev_train = autograd::SetTraining(true);
  NDArray y;
  if (fused) {
    Attrs a = conv_attrs;
    a.emplace_back("act_type", act);
    y = Run1("_conv_act", {x, w, b}, a);
  } else {
    y = Run1("Activation", {Run1("Convolution", {x, w, b}, conv_attrs)}, {{"act_type", act}});
  }
  autograd::SetRecording(prev_rec);
  autograd::SetTraining(prev_train);
  NDArray heads[] = {y};
  NDArray head_grads[] = {head};
  autograd::Backward(heads, head_grads, false, true);
  Grads g{AsDoubles(y), {}, AsDoubles(autograd::GetGrad(w)), AsDoubles(autograd::GetGrad(b))};
  if (data_grad) g.dx = AsDoubles(autograd::GetGrad(x));
  return g;
}

// Fused against unfused: relu bit for bit (the same max and the same mask), the others to the
// rounding of oneDNN's own exp/tanh.
void Compare(const std::string& act, const Shape& xs, int64_t filters, const std::string& kernel,
             const std::string& pad, uint64_t seed, bool data_grad = true) {
  SCOPED_TRACE(act + " x=" + xs.ToString() + " filters=" + std::to_string(filters));
  const int64_t c = xs[1];
  Shape ws{filters, c};
  for (int i = 2; i < xs.ndim(); ++i) ws.PushBack(kernel == "(1, 1)" ? 1 : 3);
  const std::string nf = std::to_string(filters);
  const Attrs attrs{{"kernel", kernel}, {"num_filter", nf}, {"pad", pad}};
  NDArray x = RandomArray(xs, kF32, -1, 1, seed), w = RandomArray(ws, kF32, -0.5, 0.5, seed + 1),
          b = RandomArray({filters}, kF32, -0.2, 0.2, seed + 2);
  NDArray probe = Run1("Convolution", {x, w, b}, attrs);
  NDArray head = RandomArray(probe.shape(), kF32, -1, 1, seed + 3);
  const Grads f = Run(true, act, attrs, x, w, b, head, data_grad);
  const Grads u = Run(false, act, attrs, x, w, b, head, data_grad);
  const double tol = act == "relu" ? 0 : 2e-5;
  ExpectAllClose(f.y, u.y, tol, tol, "output");
  ExpectAllClose(f.dw, u.dw, tol + 1e-5, tol + 1e-5, "weight gradient");
  ExpectAllClose(f.db, u.db, tol + 1e-5, tol + 1e-5, "bias gradient");
  if (data_grad) ExpectAllClose(f.dx, u.dx, tol + 1e-5, tol + 1e-5, "data gradient");
  if (act == "relu") {  // the mask must matter: some outputs are clipped, some pass
    int clipped = 0;
    for (double v : f.y) clipped += v == 0.0;
    EXPECT_GT(clipped, 0);
    EXPECT_LT(clipped, static_cast<int>(f.y.size()));
  }
}

TEST(ConvAct, MatchesConvolutionThenActivationInEveryLayout) {
  for (const char* act : {"relu", "sigmoid", "tanh", "softrelu"}) {
    Compare(act, {4, 1, 12, 12}, 20, "(3, 3)", "(0, 0)", 10);      // image layer: 16-blocks, padded
    Compare(act, {4, 20, 8, 8}, 50, "(3, 3)", "(1, 1)", 20);       // channels-last (AVX-512)
    Compare(act, {2, 16, 6, 6}, 32, "(3, 3)", "(1, 1)", 30);       // aligned: blocked
    Compare(act, {2, 3, 9}, 5, "(3,)", "(1,)", 40);                // 1-D
    Compare(act, {1, 2, 4, 4, 4}, 3, "(3, 3, 3)", "(1, 1, 1)", 50);  // 3-D
  }
  Compare("relu", {4, 20, 8, 8}, 50, "(3, 3)", "(1, 1)", 60, /*data_grad=*/false);
}

GRAD_TEST(ConvAct, NumericGradients, "_conv_act") {
  for (const char* act : {"sigmoid", "tanh", "softrelu"}) {
    CheckGradient({.op = "_conv_act",
                   .attrs = {{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"pad", "(1, 1)"},
                             {"act_type", act}},
                   .inputs = {RandomArray({2, 2, 4, 4}, kF32, -1, 1, 70),
                              RandomArray({3, 2, 3, 3}, kF32, -1, 1, 71),
                              RandomArray({3}, kF32, -1, 1, 72)}});
  }
  CheckGradient({.op = "_conv_act",
                 .attrs = {{"kernel", "(2, 2)"}, {"num_filter", "4"}, {"num_group", "2"},
                           {"no_bias", "True"}, {"act_type", "relu"}},
                 .inputs = {RandomArrayAwayFromZero({1, 4, 4, 4}, kF32, 0.1, 1, 73),
                            RandomArray({4, 2, 2, 2}, kF32, 0.1, 1, 74)}});
}

TEST(ConvAct, BadInputNamesTheOp) {
  NDArray x = RandomArray({1, 3, 5, 5}, kF32, -1, 1, 80), w = RandomArray({4, 2, 3, 3}, kF32, -1, 1, 81);
  try {
    Run1("_conv_act", {x, w}, {{"kernel", "(3, 3)"}, {"num_filter", "4"}, {"no_bias", "True"},
                               {"act_type", "relu"}});
    FAIL() << "expected a shape error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("_conv_act"), std::string::npos) << m;
    EXPECT_NE(m.find("weight shape mismatch"), std::string::npos) << m;
  }
  try {
    Run1("_conv_act", {x, w}, {{"kernel", "(3, 3)"}, {"num_filter", "4"}, {"act_type", "gelu"}});
    FAIL() << "expected a bad act_type";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("act_type"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mixnet::test
