// BatchNorm: forward against loops written here (training with the moving-statistic update,
// inference, fix_gamma, use_global_stats, channel axes 1, -1 and 3, float32 through oneDNN and
// float64 through the hand-written loops), Apache MXNet 1.9.1's fixture cases (inference outputs
// and the training update of the moving statistics), numeric gradient checks in both modes, and
// bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "autograd/autograd.h"
#include "elemwise_test_util.h"
#include "engine/engine.h"
#include "family_cases_util.h"
#include "grad_check_util.h"
#include "operator/imperative.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

// Run under another name: inside a TEST body `Run` is gtest's own member.
std::vector<NDArray> RunOp(std::string_view op, std::vector<NDArray> in, const Attrs& attrs = {}) {
  return Run(op, std::move(in), attrs);
}

struct TrainScope {
  bool prev;
  explicit TrainScope(bool on) : prev(autograd::SetTraining(on)) {}
  ~TrainScope() { autograd::SetTraining(prev); }
};

struct BnRef {
  std::vector<double> y, mean, var, mm, mv;
};

// Plain-loop BatchNorm over channel axis `axis` of `shape`.
BnRef RefBatchNorm(const Shape& shape, int axis, const std::vector<double>& x,
                   const std::vector<double>& gamma, const std::vector<double>& beta,
                   std::vector<double> mm, std::vector<double> mv, double eps, double momentum,
                   bool train, bool fix_gamma) {
  const int64_t outer = shape.ProdRange(0, axis), C = shape[axis],
                inner = shape.ProdRange(axis + 1, shape.ndim()), M = outer * inner;
  BnRef r;
  r.y.assign(x.size(), 0);
  for (int64_t c = 0; c < C; ++c) {
    double mean = mm[c], var = mv[c];
    if (train) {
      double s = 0, sq = 0;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) s += x[(o * C + c) * inner + i];
      mean = s / M;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const double d = x[(o * C + c) * inner + i] - mean;
          sq += d * d;
        }
      var = sq / M;
      mm[c] = mm[c] * momentum + mean * (1 - momentum);
      mv[c] = mv[c] * momentum + var * (1 - momentum);
    }
    const double g = fix_gamma ? 1 : gamma[c];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t at = (o * C + c) * inner + i;
        r.y[at] = (x[at] - mean) / std::sqrt(var + eps) * g + beta[c];
      }
    r.mean.push_back(mean);
    r.var.push_back(var);
  }
  r.mm = mm;
  r.mv = mv;
  return r;
}

struct BnCase {
  Shape shape;
  int axis;
  DType dtype;
  bool train, fix_gamma, global;
};

void CheckBatchNormCase(const BnCase& k) {
  const int nd = k.shape.ndim();
  const int axis = k.axis < 0 ? k.axis + nd : k.axis;
  const int64_t C = k.shape[axis];
  NDArray x = RandomArray(k.shape, k.dtype, -2, 3, 1);
  NDArray gamma = RandomArray({C}, k.dtype, 0.5, 1.5, 2);
  NDArray beta = RandomArray({C}, k.dtype, -1, 1, 3);
  NDArray mm = RandomArray({C}, k.dtype, -0.5, 0.5, 4);
  NDArray mv = RandomArray({C}, k.dtype, 0.5, 2, 5);
  const std::vector<double> mm0 = AsDoubles(mm), mv0 = AsDoubles(mv);
  const std::string axis_s = std::to_string(k.axis);
  Attrs attrs{{"axis", axis_s}, {"fix_gamma", k.fix_gamma ? "True" : "False"},
              {"use_global_stats", k.global ? "True" : "False"}, {"momentum", "0.75"},
              {"eps", "0.01"}, {"output_mean_var", "True"}};
  std::vector<NDArray> outs;
  {
    TrainScope train(k.train);
    outs = RunOp("BatchNorm", {x, gamma, beta, mm, mv}, attrs);
  }
  ASSERT_EQ(outs.size(), 3u);
  const bool batch = k.train && !k.global;
  const BnRef r = RefBatchNorm(k.shape, axis, AsDoubles(x), AsDoubles(gamma), AsDoubles(beta),
                               mm0, mv0, 0.01, 0.75, batch, k.fix_gamma);
  const double tol = k.dtype == DType::kFloat64 ? 1e-12 : 2e-5;
  ExpectAllClose(AsDoubles(outs[0]), r.y, tol, tol, "output");
  ExpectAllClose(AsDoubles(outs[1]), r.mean, tol, tol, "mean");
  ExpectAllClose(AsDoubles(outs[2]), r.var, tol, tol, "var");
  ExpectAllClose(AsDoubles(mm), r.mm, tol, tol, "moving_mean");
  ExpectAllClose(AsDoubles(mv), r.mv, tol, tol, "moving_var");
}

TEST(NnNormBatchNorm, TrainingMatchesLoopsAndUpdatesMovingStats) {
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    SCOPED_TRACE(DTypeName(t));
    CheckBatchNormCase({{2, 3, 4, 5}, 1, t, true, false, false});
    CheckBatchNormCase({{2, 3, 4, 5}, 1, t, true, true, false});  // fix_gamma
    CheckBatchNormCase({{4, 3}, 1, t, true, false, false});       // 2-d (fully connected)
    CheckBatchNormCase({{2, 3, 4, 5}, -1, t, true, false, false});
    CheckBatchNormCase({{2, 3, 4, 5}, 3, t, true, false, false});
    CheckBatchNormCase({{2, 3, 4, 5}, 0, t, true, false, false});
    CheckBatchNormCase({{6}, 0, t, true, false, false});  // 1-d: every element its own channel
    CheckBatchNormCase({{2, 3, 2, 2, 2}, 1, t, true, false, false});
  }
}

TEST(NnNormBatchNorm, InferenceAndGlobalStatsUseMovingStats) {
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    SCOPED_TRACE(DTypeName(t));
    CheckBatchNormCase({{2, 3, 4, 5}, 1, t, false, false, false});
    CheckBatchNormCase({{2, 3, 4, 5}, 1, t, false, true, false});
    CheckBatchNormCase({{2, 3, 4, 5}, 1, t, true, false, true});  // use_global_stats in training
    CheckBatchNormCase({{2, 3, 4, 5}, -1, t, false, false, false});
    CheckBatchNormCase({{2, 3, 4, 5}, 3, t, true, true, true});
  }
}

TEST(NnNormBatchNorm, HiddenOutputsByDefault) {
  NDArray x = RandomArray({2, 3}, DType::kFloat32, -1, 1, 1);
  NDArray v = Array<float>({3}, {1, 1, 1});
  NDArray z = Array<float>({3}, {0, 0, 0});
  EXPECT_EQ(RunOp("BatchNorm", {x, v, z, z, v}).size(), 1u);
  op::InvokeResult r =
      op::InvokeAll(*op::FindOp("BatchNorm"), std::vector<NDArray>{x, v, z, z, v}, {});
  EXPECT_EQ(r.num_visible, 1u);
  EXPECT_EQ(r.outputs.size(), 3u);
}

// In inference the moving statistics are read, not written.
TEST(NnNormBatchNorm, InferenceLeavesMovingStats) {
  NDArray x = RandomArray({2, 3, 2}, DType::kFloat32, -1, 1, 1);
  NDArray g = Array<float>({3}, {1, 2, 3});
  NDArray b = Array<float>({3}, {0, 1, 0});
  NDArray mm = Array<float>({3}, {0.1f, 0.2f, 0.3f});
  NDArray mv = Array<float>({3}, {1, 2, 3});
  RunOp("BatchNorm", {x, g, b, mm, mv});
  EXPECT_EQ(Values<float>(mm), (std::vector<float>{0.1f, 0.2f, 0.3f}));
  EXPECT_EQ(Values<float>(mv), (std::vector<float>{1, 2, 3}));
}

TEST(NnNormBatchNorm, ZeroSizeBatch) {
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    NDArray x(Shape({0, 3, 2}), Context::CPU(), t);
    NDArray v = RandomArray({3}, t, 0.5, 1, 1);
    NDArray mm = RandomArray({3}, t, 0.5, 1, 2);
    const std::vector<double> before = AsDoubles(mm);
    TrainScope train(true);
    auto outs = RunOp("BatchNorm", {x, v, v, mm, v});
    EXPECT_EQ(outs[0].shape(), Shape({0, 3, 2}));
    EXPECT_EQ(AsDoubles(mm), before);  // an empty batch carries no statistics
  }
}

// Every ops.json case of the family (inference outputs): BatchNorm_infer,
// BatchNorm_infer_fixgamma, BatchNorm_train, LayerNorm, LayerNorm_axis1, InstanceNorm,
// Dropout_infer.
TEST(NnNormBatchNorm, MxnetFixtureCases) { EXPECT_EQ(family_cases::RunFamilyCases("nn_norm"), 7); }

// The gradient fixture records MXNet's training step: the forward output and the moving
// statistics after the update (momentum 0.8); its data gradient is ~0 (ones head gradient).
TEST(NnNormBatchNorm, MxnetTrainingFixture) {
  int ran = 0;
  for (const json::Value& c : family_cases::OpsJson()["grads"].items) {
    if (c["op"].text != "BatchNorm") continue;
    std::vector<NDArray> in;
    for (const json::Value& i : c["inputs"].items) in.push_back(family_cases::ArrayOfJson(i));
    Attrs attrs;
    for (const auto& [key, v] : c["attrs"].members) attrs.emplace_back(key, v.text);
    std::vector<NDArray> outs;
    {
      TrainScope train(true);
      outs = RunOp("BatchNorm", in, attrs);
    }
    std::vector<double> want;
    family_cases::FlattenJson(c["outputs"].items[0]["data"], want);
    ExpectAllClose(AsDoubles(outs[0]), want, 1e-5, 1e-5, "train output");
    std::vector<double> mm, mv;
    family_cases::FlattenJson(c["inputs_after"]["moving_mean"]["data"], mm);
    family_cases::FlattenJson(c["inputs_after"]["moving_var"]["data"], mv);
    ExpectAllClose(AsDoubles(in[3]), mm, 1e-5, 1e-6, "moving_mean");
    ExpectAllClose(AsDoubles(in[4]), mv, 1e-5, 1e-6, "moving_var");
    ++ran;
  }
  EXPECT_EQ(ran, 1);
}

TEST(NnNormBatchNorm, BadInput) {
  NDArray x = RandomArray({2, 3, 4}, DType::kFloat32, -1, 1, 1);
  NDArray v3 = Array<float>({3}, {1, 1, 1});
  NDArray v4 = Array<float>({4}, {1, 1, 1, 1});
  auto e = Catch([&] { RunOp("BatchNorm", {x, v4, v3, v3, v3}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "BatchNorm") && Contains(e, "gamma") && Contains(e, "(4,)") &&
              Contains(e, "(2, 3, 4)"))
      << e.what();
  e = Catch([&] { RunOp("BatchNorm", {x, v3, v3, v3, v4}); });
  EXPECT_TRUE(Contains(e, "moving_var")) << e.what();
  e = Catch([&] { RunOp("BatchNorm", {x, v3, v3, v3, v3}, {{"axis", "3"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "axis 3")) << e.what();
  e = Catch([&] { RunOp("BatchNorm", {x, v3, v3, v3, v3}, {{"axis", "-4"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  NDArray xi = Array<int32_t>({1, 3}, {1, 2, 3});
  EXPECT_EQ(Catch([&] { RunOp("BatchNorm", {xi, v3, v3, v3, v3}); }).kind(), ErrorKind::kTypeError);
  NDArray v3d = Array<double>({3}, {1, 1, 1});
  EXPECT_EQ(Catch([&] { RunOp("BatchNorm", {x, v3d, v3, v3, v3}); }).kind(), ErrorKind::kTypeError);
  EXPECT_EQ(Catch([&] { RunOp("BatchNorm", {x, v3, v3, v3, v3}, {{"momentum", "abc"}}); }).kind(),
            ErrorKind::kTypeError);
}

std::vector<NDArray> BnInputs(const Shape& s, int axis, DType t) {
  const int64_t C = s[axis < 0 ? axis + s.ndim() : axis];
  return {RandomArray(s, t, -1, 1, 11), RandomArray({C}, t, 0.5, 1.5, 12),
          RandomArray({C}, t, -1, 1, 13), RandomArray({C}, t, -0.5, 0.5, 14),
          RandomArray({C}, t, 0.5, 1.5, 15)};
}

GRAD_TEST(NnNormBatchNormGrad, TrainFloat64Loops, "BatchNorm") {
  for (const char* fix : {"False", "True"}) {
    CheckGradient({.op = "BatchNorm", .attrs = {{"fix_gamma", fix}},
                   .inputs = BnInputs({3, 2, 2, 2}, 1, DType::kFloat64), .wrt = {0, 1, 2},
                   .is_train = true});
  }
  CheckGradient({.op = "BatchNorm", .attrs = {{"fix_gamma", "False"}, {"axis", "-1"}},
                 .inputs = BnInputs({2, 3, 3}, -1, DType::kFloat64), .wrt = {0, 1, 2},
                 .is_train = true});
  // Visible batch statistics carry head gradients of their own.
  CheckGradient({.op = "BatchNorm",
                 .attrs = {{"fix_gamma", "False"}, {"output_mean_var", "True"}, {"axis", "2"}},
                 .inputs = BnInputs({2, 2, 3}, 2, DType::kFloat64), .wrt = {0, 1, 2},
                 .is_train = true});
}

GRAD_TEST(NnNormBatchNormGrad, GlobalStatsFloat64, "BatchNorm") {
  CheckGradient({.op = "BatchNorm", .attrs = {{"fix_gamma", "False"}, {"use_global_stats", "True"}},
                 .inputs = BnInputs({2, 3, 2}, 1, DType::kFloat64), .wrt = {0, 1, 2},
                 .is_train = true});
  CheckGradient({.op = "BatchNorm", .attrs = {{"fix_gamma", "False"}, {"output_mean_var", "True"}},
                 .inputs = BnInputs({2, 3, 2}, 1, DType::kFloat64), .wrt = {0, 1, 2},
                 .is_train = false});
}

// float32, channel axis 1: the oneDNN primitives.
GRAD_TEST(NnNormBatchNormGrad, Float32OneDnn, "BatchNorm") {
  for (const char* fix : {"False", "True"}) {
    CheckGradient({.op = "BatchNorm", .attrs = {{"fix_gamma", fix}},
                   .inputs = BnInputs({4, 2, 3, 3}, 1, DType::kFloat32), .wrt = {0, 1, 2},
                   .is_train = true});
  }
  CheckGradient({.op = "BatchNorm", .attrs = {{"fix_gamma", "False"}, {"use_global_stats", "True"}},
                 .inputs = BnInputs({2, 3, 2, 2}, 1, DType::kFloat32), .wrt = {0, 1, 2},
                 .is_train = true});
}

// The moving statistics get no gradient (zeros under kWriteTo), as MXNet's aux states.
TEST(NnNormBatchNorm, MovingStatsGetZeroGradient) {
  const op::Op* bn = op::FindOp("BatchNorm");
  auto in = BnInputs({2, 3, 2}, 1, DType::kFloat64);
  op::InvokeResult r;
  {
    TrainScope train(true);
    r = op::InvokeAll(*bn, in, {});
  }
  engine::Engine::Get()->WaitForAll();
  std::vector<NDArray> grads;
  for (const NDArray& a : in) grads.push_back(RandomArray(a.shape(), a.dtype(), 1, 2, 9));
  auto blob = [](const NDArray& a) { return a.blob(); };
  std::vector<TBlob> og{blob(RandomArray({2, 3, 2}, DType::kFloat64, -1, 1, 3))}, ins, outs, igs;
  for (auto& a : in) ins.push_back(blob(a));
  for (auto& a : r.outputs) outs.push_back(blob(a));
  for (auto& a : grads) igs.push_back(blob(a));
  std::vector<op::OpReq> reqs(5, op::OpReq::kWriteTo);
  op::OpContext ctx;
  ctx.is_train = true;
  ctx.req = reqs;
  auto param = bn->schema->parse({});
  bn->kernel.backward(*param, ctx, og, ins, outs, igs);
  EXPECT_EQ(AsDoubles(grads[3]), std::vector<double>(3, 0.0));
  EXPECT_EQ(AsDoubles(grads[4]), std::vector<double>(3, 0.0));
  // fix_gamma (the default): gamma's gradient is 0 too.
  EXPECT_EQ(AsDoubles(grads[1]), std::vector<double>(3, 0.0));
}

}  // namespace
}  // namespace mixnet::test

namespace mixnet::test {
namespace {

// MXNet's gradient fixtures for the family (BatchNorm in training, LayerNorm): the op recorded
// by autograd in train mode, backward with ones head gradients, compared input by input.
TEST(NnNormBatchNorm, MxnetGradientFixtures) {
  int ran = 0;
  for (const json::Value& c : family_cases::OpsJson()["grads"].items) {
    const op::Op* o = op::FindOp(c["op"].text);
    if (o == nullptr || std::string(o->schema->family) != "nn_norm") continue;
    SCOPED_TRACE(c["name"].text);
    std::vector<NDArray> in, grads;
    std::vector<NDArray*> vars;
    std::vector<autograd::GradReq> reqs;
    for (const json::Value& i : c["inputs"].items) in.push_back(family_cases::ArrayOfJson(i));
    const auto& want = c["grads"].items;
    std::vector<size_t> which;  // inputs with a gradient (not the moving statistics)
    for (size_t i = 0; i < in.size(); ++i) {
      if (!want[i].Has("data")) continue;
      which.push_back(i);
      grads.emplace_back(in[i].shape(), Context::CPU(), in[i].dtype());
      reqs.push_back(autograd::GradReq::kWrite);
    }
    for (size_t i : which) vars.push_back(&in[i]);
    autograd::MarkVariables(vars, reqs, grads);
    Attrs attrs;
    for (const auto& [key, v] : c["attrs"].members) attrs.emplace_back(key, v.text);
    const bool prev_rec = autograd::SetRecording(true);
    const bool prev_train = autograd::SetTraining(true);
    std::vector<NDArray> outs = RunOp(c["op"].text, in, attrs);
    autograd::SetRecording(prev_rec);
    autograd::SetTraining(prev_train);
    autograd::Backward(outs, {}, false, true);
    for (size_t k = 0; k < which.size(); ++k) {
      std::vector<double> expected;
      family_cases::FlattenJson(want[which[k]]["data"], expected);
      ExpectAllClose(AsDoubles(grads[k]), expected, 1e-4, 1e-5, want[which[k]]["name"].text);
    }
    ++ran;
  }
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace mixnet::test
