// Numeric gradient checks (central differences, accumulated in float64, MXNet-style tolerances)
// for an op's backward kernel, and the bookkeeping that makes the registry test fail when a
// differentiable op has no check.
//
//   GRAD_TEST(ActivationGrad, Relu, "Activation") {
//     CheckGradient({.op = "Activation", .attrs = {{"act_type", "relu"}},
//                    .inputs = {RandomArray({3, 4}, DType::kFloat64, -1, 1, /*seed=*/1)}});
//   }
//
// GRAD_TEST declares which ops its body checks; the test fails unless CheckGradient ran for each
// of them, and GradCoverage.EveryDifferentiableOpHasANumericCheck fails for a differentiable op
// that no GRAD_TEST declares.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ndarray/ndarray.h"

namespace mixnet::test {

struct GradCheck {
  std::string op;                                           // name or alias
  std::vector<std::pair<std::string, std::string>> attrs;   // MXNet string form
  std::vector<NDArray> inputs;  // the point of the check (never modified; copied per forward)
  // Inputs to differentiate with respect to; empty = every floating-point input.
  std::vector<int> wrt;
  // Perturbation and tolerances; a negative value picks the default for the inputs' dtype:
  // float64: eps 1e-5, rtol 1e-4, atol 1e-6; float32: eps 1e-3, rtol 2e-2, atol 2e-3;
  // float16/bfloat16: eps 1e-1, rtol 1e-1, atol 5e-2. Passed |analytic - numeric| <=
  // atol + rtol * max(|analytic|, |numeric|).
  double eps = -1, rtol = -1, atol = -1;
  bool is_train = false;  // the training flag of forward and backward
  // >= 0: the generator is seeded with this before every forward (ops that draw random numbers,
  // e.g. Dropout, then use the same mask in every evaluation).
  int64_t seed = -1;
};

// Runs the forward once, calls the op's backward kernel directly with random head gradients
// (req kWriteTo for the checked inputs, kNull for the others), and compares each checked input's
// gradient with central differences of sum(head_grad * output) over every visible
// floating-point output. Also checks that req kAddTo adds the same gradient onto existing
// values. Failures are gtest failures naming the op, the input, the element and both values.
void CheckGradient(const GradCheck& check);

// For loss layers whose backward is by definition not the derivative of their output
// (SoftmaxOutput: (softmax - onehot(label)) * grad_scale, ignoring the head gradient): the test
// checks the backward against central differences of the loss it stands for, computed in the
// test, and then calls this so that its GRAD_TEST counts as checked.
void NoteManualGradientCheck(const char* op);

// Uniform random values in [lo, hi) of any floating dtype (deterministic per seed).
NDArray RandomArray(const Shape& shape, DType dtype, double lo, double hi, uint64_t seed);
// As RandomArray, but each value's magnitude is at least `min_abs` (keeps points off kinks at
// zero, e.g. relu, abs): values in (-hi, -min_abs] U [min_abs, hi).
NDArray RandomArrayAwayFromZero(const Shape& shape, DType dtype, double min_abs, double hi,
                                uint64_t seed);
// Values as float64 (any dtype).
std::vector<double> ValuesAsDouble(const NDArray& a);
// A new array of `dtype` holding `values` (converted).
NDArray ArrayFromDoubles(const Shape& shape, DType dtype, const std::vector<double>& values);

// --- GRAD_TEST bookkeeping ----------------------------------------------------------------------
bool RegisterGradTest(std::initializer_list<const char*> ops);
// All op names (canonical) declared by GRAD_TESTs in this binary.
const std::vector<std::string>& DeclaredGradTestOps();
class GradTestScope {
 public:
  explicit GradTestScope(std::initializer_list<const char*> ops);
  ~GradTestScope();
  GradTestScope(const GradTestScope&) = delete;
  GradTestScope& operator=(const GradTestScope&) = delete;

 private:
  std::vector<std::string> declared_;
};

}  // namespace mixnet::test

#define MX_GRAD_CAT_INNER(a, b) a##b
#define MX_GRAD_CAT(a, b) MX_GRAD_CAT_INNER(a, b)
#define GRAD_TEST(Suite, Name, ...)                                                         \
  static void Suite##_##Name##_GradBody();                                                  \
  [[maybe_unused]] static const bool MX_GRAD_CAT(Suite##_##Name##_grad_registered_,         \
                                                 __LINE__) =                                \
      ::mixnet::test::RegisterGradTest({__VA_ARGS__});                                      \
  TEST(Suite, Name) {                                                                       \
    ::mixnet::test::GradTestScope mx_grad_scope({__VA_ARGS__});                             \
    Suite##_##Name##_GradBody();                                                            \
  }                                                                                         \
  static void Suite##_##Name##_GradBody()
