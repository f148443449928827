// Numeric gradient checks (float64 central differences) for the nn_activation family: every
// Activation and LeakyReLU act_type (points kept off the kink at 0), prelu's gamma, rrelu in
// training (fixed seed, so the same slopes each evaluation) and smooth_l1.
#include <gtest/gtest.h>

#include "grad_check_util.h"

namespace mixnet::test {
namespace {

GRAD_TEST(NnActivationGrad, ActivationEveryType, "Activation") {
  for (const char* type :
       {"relu", "sigmoid", "log_sigmoid", "mish", "tanh", "softrelu", "softsign"}) {
    SCOPED_TRACE(type);
    CheckGradient({.op = "Activation",
                   .attrs = {{"act_type", type}},
                   .inputs = {RandomArrayAwayFromZero({3, 4}, DType::kFloat64, 0.05, 3, 1)}});
  }
  // float32 with the float32 tolerances.
  CheckGradient({.op = "Activation",
                 .attrs = {{"act_type", "tanh"}},
                 .inputs = {RandomArray({2, 3}, DType::kFloat32, -2, 2, 2)}});
}

GRAD_TEST(NnActivationGrad, LeakyReLUEveryType, "LeakyReLU") {
  for (const char* type : {"leaky", "elu", "selu", "gelu"}) {
    SCOPED_TRACE(type);
    CheckGradient({.op = "LeakyReLU",
                   .attrs = {{"act_type", type}, {"slope", "0.3"}},
                   .inputs = {RandomArrayAwayFromZero({3, 4}, DType::kFloat64, 0.05, 3, 3)}});
  }
  // prelu: gradients for data and for gamma, per channel (axis 1) and shared.
  CheckGradient({.op = "LeakyReLU",
                 .attrs = {{"act_type", "prelu"}},
                 .inputs = {RandomArrayAwayFromZero({2, 3, 2}, DType::kFloat64, 0.05, 2, 4),
                            RandomArray({3}, DType::kFloat64, 0.1, 0.5, 5)}});
  CheckGradient({.op = "LeakyReLU",
                 .attrs = {{"act_type", "prelu"}},
                 .inputs = {RandomArrayAwayFromZero({4, 2}, DType::kFloat64, 0.05, 2, 6),
                            RandomArray({1}, DType::kFloat64, 0.1, 0.5, 7)}});
  // rrelu: predict (the mean slope) and training (the seeded slopes).
  CheckGradient({.op = "LeakyReLU",
                 .attrs = {{"act_type", "rrelu"}},
                 .inputs = {RandomArrayAwayFromZero({3, 3}, DType::kFloat64, 0.05, 2, 8)}});
  CheckGradient({.op = "LeakyReLU",
                 .attrs = {{"act_type", "rrelu"}, {"lower_bound", "0.1"}, {"upper_bound", "0.6"}},
                 .inputs = {RandomArrayAwayFromZero({3, 3}, DType::kFloat64, 0.05, 2, 9)},
                 .is_train = true,
                 .seed = 42});
}

GRAD_TEST(NnActivationGrad, SmoothL1, "smooth_l1") {
  // Both branches, away from the switch at |x| = 1 / sigma^2.
  CheckGradient({.op = "smooth_l1",
                 .inputs = {ArrayFromDoubles({6}, DType::kFloat64,
                                             {-2.5, -0.7, -0.2, 0.3, 0.8, 1.9})}});
  CheckGradient({.op = "smooth_l1",
                 .attrs = {{"scalar", "2"}},
                 .inputs = {ArrayFromDoubles({6}, DType::kFloat64,
                                             {-1.5, -0.2, -0.1, 0.15, 0.4, 3})}});
}

}  // namespace
}  // namespace mixnet::test
