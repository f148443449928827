// RNN op forward: values against the plain reference in rnn_reference.h for every mode, with
// several layers, both directions, initial states and state outputs; dropout between layers;
// parameter/shape validation. (Apache MXNet 1.9.1's ops.json has no RNN cases.)
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "grad_check_util.h"
#include "operator/imperative.h"
#include "rnn_reference.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

struct Case {
  rnn_ref::Config cfg;
  bool state_outputs = true;
};

struct Built {
  std::vector<NDArray> inputs;
  std::vector<std::string> attr_values;  // backing storage for attrs
  Attrs attrs;
  std::vector<double> x, w, h0, c0;
};

Built Build(const Case& c, DType dtype, uint64_t seed) {
  const auto& g = c.cfg;
  Built b;
  const Shape state{int64_t{g.L} * g.D(), g.N, g.H};
  NDArray x = RandomArray({g.T, g.N, g.I}, dtype, -1, 1, seed);
  NDArray w = RandomArray({g.NumParams()}, dtype, -0.6, 0.6, seed + 1);
  NDArray h0 = RandomArray(state, dtype, -1, 1, seed + 2);
  b.x = ValuesAsDouble(x);
  b.w = ValuesAsDouble(w);
  b.h0 = ValuesAsDouble(h0);
  b.inputs = {x, w, h0};
  if (g.mode == "lstm") {
    NDArray c0 = RandomArray(state, dtype, -1, 1, seed + 3);
    b.c0 = ValuesAsDouble(c0);
    b.inputs.push_back(c0);
  }
  if (!g.lens.empty()) {
    b.inputs.push_back(Array<int32_t>({g.N}, std::vector<int32_t>(g.lens.begin(), g.lens.end())));
  }
  b.attr_values = {std::to_string(g.H), std::to_string(g.L), g.bidirectional ? "True" : "False",
                   g.mode, c.state_outputs ? "True" : "False"};
  b.attrs = {{"state_size", b.attr_values[0]},    {"num_layers", b.attr_values[1]},
             {"bidirectional", b.attr_values[2]}, {"mode", b.attr_values[3]},
             {"state_outputs", b.attr_values[4]}};
  if (!g.lens.empty()) b.attrs.push_back({"use_sequence_length", "True"});
  return b;
}

void ExpectNear(const std::vector<double>& got, const std::vector<double>& want, double tol,
                const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol) << what << " element " << i;
  }
}

void CheckAgainstReference(const Case& c, DType dtype, double tol) {
  Built b = Build(c, dtype, 11);
  std::vector<NDArray> outs = op::Invoke("RNN", b.inputs, b.attrs);
  const rnn_ref::Result r = rnn_ref::Run(c.cfg, b.x, b.w, b.h0, b.c0);
  const std::string what = c.cfg.mode + " L=" + std::to_string(c.cfg.L) +
                           (c.cfg.bidirectional ? " bidirectional" : "");
  const bool lstm = c.cfg.mode == "lstm";
  ASSERT_EQ(outs.size(), c.state_outputs ? (lstm ? 3u : 2u) : 1u) << what;
  EXPECT_EQ(outs[0].shape(), Shape({c.cfg.T, c.cfg.N, int64_t{c.cfg.D()} * c.cfg.H}));
  ExpectNear(ValuesAsDouble(outs[0]), r.out, tol, what + " output");
  if (c.state_outputs) {
    ExpectNear(ValuesAsDouble(outs[1]), r.hy, tol, what + " hy");
    if (lstm) ExpectNear(ValuesAsDouble(outs[2]), r.cy, tol, what + " cy");
  }
}

class RnnModes : public ::testing::TestWithParam<const char*> {};

TEST_P(RnnModes, TwoLayerBidirectionalMatchesReference) {
  Case c;
  c.cfg = {.mode = GetParam(), .L = 2, .bidirectional = true, .H = 3, .T = 4, .N = 2, .I = 5};
  CheckAgainstReference(c, DType::kFloat64, 1e-12);
  CheckAgainstReference(c, DType::kFloat32, 2e-5);
}

TEST_P(RnnModes, ThreeLayerUnidirectionalMatchesReference) {
  Case c;
  c.cfg = {.mode = GetParam(), .L = 3, .bidirectional = false, .H = 4, .T = 5, .N = 3, .I = 2};
  CheckAgainstReference(c, DType::kFloat64, 1e-12);
}

TEST_P(RnnModes, WithoutStateOutputsOnlyTheSequence) {
  Case c;
  c.cfg = {.mode = GetParam(), .L = 1, .bidirectional = true, .H = 2, .T = 3, .N = 2, .I = 3};
  c.state_outputs = false;
  CheckAgainstReference(c, DType::kFloat64, 1e-12);
}

TEST_P(RnnModes, SingleStepAndZeroBatch) {
  Case c;
  c.cfg = {.mode = GetParam(), .L = 2, .bidirectional = true, .H = 2, .T = 1, .N = 1, .I = 3};
  CheckAgainstReference(c, DType::kFloat64, 1e-12);
  c.cfg.N = 0;
  CheckAgainstReference(c, DType::kFloat64, 1e-12);
}

// A state size past the vector width (and not a multiple of it), so the kernels' vectorised
// cell loops run their main body and their tail; float32 uses the fast exp.
TEST_P(RnnModes, WideStateMatchesReference) {
  Case c;
  c.cfg = {.mode = GetParam(), .L = 2, .bidirectional = true, .H = 19, .T = 4, .N = 3, .I = 7};
  CheckAgainstReference(c, DType::kFloat64, 1e-12);
  CheckAgainstReference(c, DType::kFloat32, 2e-5);
}

// use_sequence_length: rows of different lengths (a full one, a short one, an empty one).
TEST_P(RnnModes, SequenceLengthsMatchReference) {
  Case c;
  c.cfg = {.mode = GetParam(), .L = 2, .bidirectional = true, .H = 3, .T = 5, .N = 4, .I = 2};
  c.cfg.lens = {5, 2, 0, 4};
  CheckAgainstReference(c, DType::kFloat64, 1e-12);
  CheckAgainstReference(c, DType::kFloat32, 2e-5);
}

// T == 0: an empty sequence; the final states are the initial ones.
TEST_P(RnnModes, EmptySequenceKeepsInitialStates) {
  Case c;
  c.cfg = {.mode = GetParam(), .L = 2, .bidirectional = true, .H = 2, .T = 0, .N = 2, .I = 3};
  CheckAgainstReference(c, DType::kFloat64, 0);
}

INSTANTIATE_TEST_SUITE_P(RnnForward, RnnModes,
                         ::testing::Values("lstm", "gru", "rnn_relu", "rnn_tanh"));

TEST(RnnForward, LstmStateClipping) {
  Case c;
  c.cfg = {.mode = "lstm", .L = 2, .bidirectional = true, .H = 3, .T = 6, .N = 2, .I = 3,
           .clip = true, .clip_lo = -0.3, .clip_hi = 0.25};
  Built b = Build(c, DType::kFloat64, 5);
  b.attrs.push_back({"lstm_state_clip_min", "-0.3"});
  b.attrs.push_back({"lstm_state_clip_max", "0.25"});
  std::vector<NDArray> outs = op::Invoke("RNN", b.inputs, b.attrs);
  const rnn_ref::Result r = rnn_ref::Run(c.cfg, b.x, b.w, b.h0, b.c0);
  ExpectNear(ValuesAsDouble(outs[0]), r.out, 1e-12, "clipped output");
  const std::vector<double> cy = ValuesAsDouble(outs[2]);
  ExpectNear(cy, r.cy, 1e-12, "clipped cy");
  for (double v : cy) {
    EXPECT_GE(v, -0.3);
    EXPECT_LE(v, 0.25);
  }
}

// Training-mode forward with the generator seeded: returns the sequence output.
std::vector<double> RunDropout(const Built& b, const char* p, bool train, uint64_t seed) {
  Attrs attrs = b.attrs;
  attrs.push_back({"p", p});
  const bool prev = autograd::SetTraining(train);
  op::SeedRandom(seed);
  std::vector<NDArray> outs = op::Invoke("RNN", b.inputs, attrs);
  std::vector<double> v = ValuesAsDouble(outs[0]);
  autograd::SetTraining(prev);
  return v;
}

TEST(RnnForward, DropoutBetweenLayers) {
  Case c;
  c.cfg = {.mode = "lstm", .L = 3, .bidirectional = true, .H = 8, .T = 5, .N = 4, .I = 3};
  Built b = Build(c, DType::kFloat64, 21);
  const std::vector<double> plain = RunDropout(b, "0", true, 1);
  // Predict mode: no dropout at all.
  ExpectNear(RunDropout(b, "0.5", false, 1), plain, 0, "predict with p=0.5");
  // Training: the output changes, reproducibly for one seed, differently for another.
  const std::vector<double> a = RunDropout(b, "0.5", true, 7);
  const std::vector<double> a2 = RunDropout(b, "0.5", true, 7);
  const std::vector<double> other = RunDropout(b, "0.5", true, 8);
  ExpectNear(a2, a, 0, "same seed");
  EXPECT_NE(a, plain);
  EXPECT_NE(a, other);
  // A single layer has no dropout (it applies between layers only).
  Case one = c;
  one.cfg.L = 1;
  Built b1 = Build(one, DType::kFloat64, 21);
  ExpectNear(RunDropout(b1, "0.5", true, 7), RunDropout(b1, "0", true, 7), 0, "one layer");
}

TEST(RnnForward, DropoutAllDroppedFeedsZerosToTheNextLayer) {
  // p = 1: layer 2 sees zeros, so its output equals the reference run on a zero input.
  Case c;
  c.cfg = {.mode = "gru", .L = 2, .bidirectional = false, .H = 3, .T = 4, .N = 2, .I = 3};
  Built b = Build(c, DType::kFloat64, 3);
  const std::vector<double> got = RunDropout(b, "1", true, 1);
  // Reference: layer 2 alone (input size H) on zeros, with layer 2's parameters and state.
  rnn_ref::Config top = c.cfg;
  top.L = 1;
  top.I = top.H;
  const int64_t g = 3 * top.H;
  const int64_t l0_w = g * (c.cfg.I + top.H), l1_w = g * (top.H + top.H);
  std::vector<double> w(b.w.begin() + l0_w, b.w.begin() + l0_w + l1_w);
  w.insert(w.end(), b.w.begin() + l0_w + l1_w + 2 * g, b.w.end());
  std::vector<double> h0(b.h0.begin() + top.N * top.H, b.h0.end());
  std::vector<double> zeros(size_t(top.T) * top.N * top.H, 0.0);
  ExpectNear(got, rnn_ref::Run(top, zeros, w, h0, {}).out, 1e-12, "p=1");
}

// ---- validation -------------------------------------------------------------------------------

TEST(RnnForward, RejectsBadParameterLength) {
  Case c;
  c.cfg = {.mode = "lstm", .L = 2, .bidirectional = true, .H = 3, .T = 4, .N = 2, .I = 5};
  Built b = Build(c, DType::kFloat32, 1);
  b.inputs[1] = RandomArray({c.cfg.NumParams() - 1}, DType::kFloat32, -1, 1, 1);
  Error e = Catch([&] { op::Invoke("RNN", b.inputs, b.attrs); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "RNN")) << e.what();
  EXPECT_TRUE(Contains(e, "parameters")) << e.what();
  EXPECT_TRUE(Contains(e, std::to_string(c.cfg.NumParams()))) << e.what();
}

TEST(RnnForward, RejectsBadStateShapes) {
  Case c;
  c.cfg = {.mode = "lstm", .L = 2, .bidirectional = false, .H = 3, .T = 4, .N = 2, .I = 5};
  Built b = Build(c, DType::kFloat32, 1);
  auto bad = b.inputs;
  bad[2] = RandomArray({2, 2, 4}, DType::kFloat32, -1, 1, 1);
  Error e = Catch([&] { op::Invoke("RNN", bad, b.attrs); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "state must have shape (2, 2, 3)")) << e.what();
  bad = b.inputs;
  bad[3] = RandomArray({1, 2, 3}, DType::kFloat32, -1, 1, 1);
  e = Catch([&] { op::Invoke("RNN", bad, b.attrs); });
  EXPECT_TRUE(Contains(e, "state_cell")) << e.what();
  bad = b.inputs;
  bad[0] = RandomArray({4, 10}, DType::kFloat32, -1, 1, 1);
  e = Catch([&] { op::Invoke("RNN", bad, b.attrs); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "data")) << e.what();
  // Wrong number of inputs: gru takes no state_cell.
  Attrs gru = b.attrs;
  gru[3].second = "gru";
  e = Catch([&] { op::Invoke("RNN", b.inputs, gru); });
  EXPECT_TRUE(Contains(e, "RNN")) << e.what();
}

TEST(RnnForward, RejectsBadSequenceLengths) {
  Case c;
  c.cfg = {.mode = "gru", .L = 1, .bidirectional = false, .H = 3, .T = 4, .N = 2, .I = 2};
  c.cfg.lens = {4, 5};  // 5 > T
  Built b = Build(c, DType::kFloat64, 1);
  Error e = Catch([&] {
    std::vector<NDArray> outs = op::Invoke("RNN", b.inputs, b.attrs);
    ValuesAsDouble(outs[0]);  // kernel errors surface at the sync point
  });
  EXPECT_TRUE(Contains(e, "sequence_length[1] = 5")) << e.what();
  auto bad = b.inputs;
  bad[3] = Array<int32_t>({3}, {1, 2, 3});
  e = Catch([&] { op::Invoke("RNN", bad, b.attrs); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "sequence_length must have shape (2,)")) << e.what();
}

TEST(RnnForward, RejectsUnsupportedOptionsAndMixedDtypes) {
  Case c;
  c.cfg = {.mode = "lstm", .L = 1, .bidirectional = false, .H = 3, .T = 2, .N = 2, .I = 2};
  Built b = Build(c, DType::kFloat32, 1);
  Attrs a = b.attrs;
  a.push_back({"projection_size", "2"});
  Error e = Catch([&] { op::Invoke("RNN", b.inputs, a); });
  EXPECT_TRUE(Contains(e, "projection_size")) << e.what();
  a = b.attrs;
  a.push_back({"lstm_state_clip_min", "-1"});
  e = Catch([&] { op::Invoke("RNN", b.inputs, a); });
  EXPECT_TRUE(Contains(e, "lstm_state_clip_max")) << e.what();
  auto mixed = b.inputs;
  mixed[2] = RandomArray({1, 2, 3}, DType::kFloat64, -1, 1, 1);
  e = Catch([&] { op::Invoke("RNN", mixed, b.attrs); });
  EXPECT_EQ(e.kind(), ErrorKind::kTypeError);
  EXPECT_TRUE(Contains(e, "float64")) << e.what();
}

TEST(RnnForward, ParamDefaultsAsMXNet) {
  const op::Op* op = op::FindOp("RNN");
  ASSERT_NE(op, nullptr);
  auto parsed = op->schema->parse(Attrs{{"state_size", "4"}, {"num_layers", "1"}, {"mode", "gru"}});
  auto attrs = op->schema->to_attrs(*parsed);
  std::map<std::string, std::string> m(attrs.begin(), attrs.end());
  EXPECT_EQ(m["bidirectional"], "False");
  EXPECT_EQ(m["p"], "0.0");
  EXPECT_EQ(m["state_outputs"], "False");
  EXPECT_EQ(m["projection_size"], "None");
  EXPECT_EQ(m["lstm_state_clip_min"], "None");
  EXPECT_EQ(m["lstm_state_clip_nan"], "False");
  EXPECT_EQ(m["use_sequence_length"], "False");
}

}  // namespace
}  // namespace mixnet::test
