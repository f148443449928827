// RNN op backward: central-difference checks in float64 (T=3, N=2, I=3, H=2) for every mode with
// two bidirectional layers, with respect to data, parameters, state and state_cell; with state
// outputs so the hy/cy head gradients flow, and without. Also sequence lengths, dropout
// (training, fixed seed), LSTM state clipping away from the clip bounds, and the autograd tape.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "grad_check_util.h"
#include "operator/imperative.h"

namespace mixnet::test {
namespace {

int64_t NumParams(const std::string& mode, int L, int D, int H, int I) {
  const int G = mode == "lstm" ? 4 : (mode == "gru" ? 3 : 1);
  int64_t n = 0;
  for (int l = 0; l < L; ++l) {
    const int in = l == 0 ? I : D * H;
    n += int64_t{D} * G * H * (in + H + 2);
  }
  return n;
}

GradCheck RnnCheck(const std::string& mode, int L, bool bidirectional, bool state_outputs,
                   uint64_t seed) {
  const int T = 3, N = 2, I = 3, H = 2, D = bidirectional ? 2 : 1;
  GradCheck g;
  g.op = "RNN";
  g.attrs = {{"state_size", std::to_string(H)},
             {"num_layers", std::to_string(L)},
             {"bidirectional", bidirectional ? "True" : "False"},
             {"mode", mode},
             {"state_outputs", state_outputs ? "True" : "False"}};
  // relu: keep pre-activations off the kink (small weights, inputs away from zero).
  g.inputs = {RandomArrayAwayFromZero({T, N, I}, DType::kFloat64, 0.2, 1, seed),
              RandomArray({NumParams(mode, L, D, H, I)}, DType::kFloat64, -0.7, 0.7, seed + 1),
              RandomArray({int64_t{L} * D, N, H}, DType::kFloat64, -1, 1, seed + 2)};
  if (mode == "lstm") {
    g.inputs.push_back(RandomArray({int64_t{L} * D, N, H}, DType::kFloat64, -1, 1, seed + 3));
  }
  return g;
}

GRAD_TEST(RnnGrad, Lstm, "RNN") {
  CheckGradient(RnnCheck("lstm", 2, true, true, 100));
  CheckGradient(RnnCheck("lstm", 2, false, false, 110));
}

GRAD_TEST(RnnGrad, Gru, "RNN") {
  CheckGradient(RnnCheck("gru", 2, true, true, 200));
  CheckGradient(RnnCheck("gru", 2, false, false, 210));
}

GRAD_TEST(RnnGrad, RnnTanh, "RNN") {
  CheckGradient(RnnCheck("rnn_tanh", 2, true, true, 300));
  CheckGradient(RnnCheck("rnn_tanh", 1, false, false, 310));
}

GRAD_TEST(RnnGrad, RnnRelu, "RNN") {
  CheckGradient(RnnCheck("rnn_relu", 2, true, true, 400));
  CheckGradient(RnnCheck("rnn_relu", 1, true, false, 410));
}

GRAD_TEST(RnnGrad, SequenceLengths, "RNN") {
  struct Lens {
    const char* mode;
    int32_t v[2];
  };
  // A full row with a length-1 row, and a short row with an empty one.
  for (const Lens& c : {Lens{"lstm", {3, 1}}, Lens{"gru", {3, 1}}, Lens{"rnn_tanh", {3, 1}},
                        Lens{"lstm", {2, 0}}}) {
    GradCheck g = RnnCheck(c.mode, 2, true, true, 800);
    g.attrs.push_back({"use_sequence_length", "True"});
    // int32 lengths: not a floating input, so not differentiated (its gradient is zeros).
    NDArray lens(Shape{2}, Context::CPU(), DType::kInt32);
    lens.SyncCopyFromCPU(c.v, 2);
    g.inputs.push_back(lens);
    CheckGradient(g);
  }
}

GRAD_TEST(RnnGrad, DropoutTraining, "RNN") {
  GradCheck g = RnnCheck("lstm", 2, true, true, 500);
  g.attrs.push_back({"p", "0.4"});
  g.is_train = true;
  g.seed = 9;
  CheckGradient(g);
}

GRAD_TEST(RnnGrad, LstmClipRangeNotReached, "RNN") {
  // A clip range wide enough never to bind: the gradient is the unclipped one.
  GradCheck g = RnnCheck("lstm", 1, true, true, 600);
  g.attrs.push_back({"lstm_state_clip_min", "-10"});
  g.attrs.push_back({"lstm_state_clip_max", "10"});
  CheckGradient(g);
}

// Through the autograd tape (hidden reserve output kept for the gradient, state outputs as heads,
// dropout in training mode): the parameters' gradient against a central difference along a
// random direction, f(w) = sum(out * g0) + sum(hy * g1).
TEST(RnnGrad, AutogradTapeWithDropoutAndStateHeads) {
  GradCheck c = RnnCheck("lstm", 2, true, true, 700);
  c.attrs.push_back({"p", "0.3"});
  std::vector<std::pair<std::string_view, std::string_view>> attrs(c.attrs.begin(),
                                                                   c.attrs.end());
  NDArray w = c.inputs[1];
  NDArray gw = ArrayFromDoubles(w.shape(), DType::kFloat64, std::vector<double>(w.Size(), 0.0));
  NDArray* vars[] = {&w};
  const autograd::GradReq reqs[] = {autograd::GradReq::kWrite};
  const NDArray grads[] = {gw};
  autograd::MarkVariables(vars, reqs, grads);
  auto forward = [&](const NDArray& weights) {
    std::vector<NDArray> in = c.inputs;
    in[1] = weights;
    op::SeedRandom(3);
    return op::Invoke("RNN", in, attrs);
  };
  const bool prev_train = autograd::SetTraining(true);
  const bool prev_rec = autograd::SetRecording(true);
  std::vector<NDArray> outs = forward(w);
  autograd::SetRecording(prev_rec);
  ASSERT_EQ(outs.size(), 3u);
  NDArray g0 = RandomArray(outs[0].shape(), DType::kFloat64, -1, 1, 1);
  NDArray g1 = RandomArray(outs[1].shape(), DType::kFloat64, -1, 1, 2);
  const NDArray heads[] = {outs[0], outs[1]};
  const NDArray head_grads[] = {g0, g1};
  autograd::Backward(heads, head_grads, false, true);
  const std::vector<double> grad = ValuesAsDouble(gw);

  const std::vector<double> w0 = ValuesAsDouble(w), v = ValuesAsDouble(
      RandomArray(w.shape(), DType::kFloat64, -1, 1, 3));
  const std::vector<double> h0 = ValuesAsDouble(g0), h1 = ValuesAsDouble(g1);
  auto objective = [&](double eps) {
    std::vector<double> shifted = w0;
    for (size_t i = 0; i < shifted.size(); ++i) shifted[i] += eps * v[i];
    std::vector<NDArray> o = forward(ArrayFromDoubles(w.shape(), DType::kFloat64, shifted));
    const std::vector<double> y = ValuesAsDouble(o[0]), hy = ValuesAsDouble(o[1]);
    double f = 0;
    for (size_t i = 0; i < y.size(); ++i) f += y[i] * h0[i];
    for (size_t i = 0; i < hy.size(); ++i) f += hy[i] * h1[i];
    return f;
  };
  const double numeric = (objective(1e-6) - objective(-1e-6)) / 2e-6;
  autograd::SetTraining(prev_train);
  double analytic = 0;
  for (size_t i = 0; i < grad.size(); ++i) analytic += grad[i] * v[i];
  EXPECT_NEAR(analytic, numeric, 1e-6 * (1 + std::abs(numeric)));
  EXPECT_NE(analytic, 0.0);
}

}  // namespace
}  // namespace mixnet::test
