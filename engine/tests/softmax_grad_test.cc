// Gradient checks for the softmax family. softmax / log_softmax / softmin / softmax_cross_entropy
// use the numeric harness (float64). SoftmaxOutput's backward is by definition the gradient of
// the cross-entropy loss it stands for, not of its output: it is checked here against central
// differences of that loss (label smoothing, ignore_label and the normalizations included).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "grad_check_util.h"
#include "operator/imperative.h"
#include "operator/op.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

GRAD_TEST(SoftmaxGrad, SoftmaxFamily, "softmax", "log_softmax", "softmin") {
  for (const char* op : {"softmax", "log_softmax", "softmin"}) {
    SCOPED_TRACE(op);
    for (const char* axis : {"-1", "1", "0"}) {
      CheckGradient({.op = op,
                     .attrs = {{"axis", axis}},
                     .inputs = {RandomArray({2, 3, 4}, DType::kFloat64, -2, 2, 31)}});
    }
    CheckGradient({.op = op,
                   .attrs = {{"temperature", "2.5"}},
                   .inputs = {RandomArray({3, 4}, DType::kFloat64, -2, 2, 32)}});
    // use_length: the masked tail has zero gradient; the int lengths are not checked.
    CheckGradient({.op = op,
                   .attrs = {{"use_length", "True"}, {"temperature", "0.7"}},
                   .inputs = {RandomArray({3, 4}, DType::kFloat64, -2, 2, 33),
                              ArrayFromDoubles({3}, DType::kInt32, {2, 4, 0})}});
    CheckGradient({.op = op,
                   .attrs = {{"use_length", "True"}, {"axis", "0"}},
                   .inputs = {RandomArray({3, 4}, DType::kFloat64, -2, 2, 34),
                              ArrayFromDoubles({4}, DType::kInt64, {1, 3, 2, 3})}});
    // float32 in, float64 out (the dtype parameter).
    CheckGradient({.op = op,
                   .attrs = {{"dtype", "float64"}},
                   .inputs = {RandomArray({2, 5}, DType::kFloat32, -2, 2, 35)}});
  }
}

GRAD_TEST(SoftmaxGrad, SoftmaxCrossEntropy, "softmax_cross_entropy") {
  CheckGradient({.op = "softmax_cross_entropy",
                 .inputs = {RandomArray({3, 5}, DType::kFloat64, -2, 2, 41),
                            ArrayFromDoubles({3}, DType::kFloat64, {4, 0, 2})},
                 .wrt = {0}});
}

// ---- SoftmaxOutput: manual check against the loss -----------------------------------------------

struct LossCase {
  std::vector<std::pair<std::string, std::string>> attrs;
  Shape shape;
  std::vector<double> labels;
  int axis;           // the class axis of the data
  double scale;       // grad_scale / normalizer, as the test computes it
  double alpha = 0;   // smooth_alpha
  int ignore = -100;  // label whose rows are ignored (use_ignore), or none
};

// The loss SoftmaxOutput stands for: scale * sum over label slices (not ignored) of
// -sum_j target_j * log softmax(x)_j.
double Loss(const LossCase& c, const std::vector<double>& x) {
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < c.axis; ++i) outer *= c.shape[i];
  for (int i = c.axis + 1; i < c.shape.ndim(); ++i) inner *= c.shape[i];
  const int64_t m = c.shape[c.axis];
  double loss = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < inner; ++k) {
      const int label = static_cast<int>(c.labels[o * inner + k]);
      if (label == c.ignore) continue;
      double sum = 0;
      for (int64_t j = 0; j < m; ++j) sum += std::exp(x[(o * m + j) * inner + k]);
      for (int64_t j = 0; j < m; ++j) {
        const double target = j == label ? 1 - c.alpha : c.alpha / static_cast<double>(m - 1);
        loss -= target * (x[(o * m + j) * inner + k] - std::log(sum));
      }
    }
  }
  return c.scale * loss;
}

// Calls SoftmaxOutput's backward with the given req and head, onto `prefill`.
std::vector<double> RunBackward(const LossCase& c, const NDArray& x, const NDArray& label,
                                op::OpReq req, const std::vector<double>& head,
                                const std::vector<double>& prefill) {
  const op::Op* o = op::FindOp("SoftmaxOutput");
  std::vector<std::pair<std::string_view, std::string_view>> attrs;
  for (const auto& [k, v] : c.attrs) attrs.emplace_back(k, v);
  NDArray y = Run1("SoftmaxOutput", {x, label}, Attrs(attrs.begin(), attrs.end()));
  y.WaitToRead();
  NDArray h = ArrayFromDoubles(x.shape(), DType::kFloat64, head);
  NDArray gx = ArrayFromDoubles(x.shape(), DType::kFloat64, prefill);
  NDArray gl = ArrayFromDoubles(label.shape(), DType::kFloat64,
                                std::vector<double>(label.Size(), 5.0));
  std::unique_ptr<op::ParamBase> param = o->schema->parse(attrs);
  std::vector<op::OpReq> reqs{req, op::OpReq::kWriteTo};
  op::OpContext ctx;
  ctx.nthreads = 2;
  ctx.req = reqs;
  std::vector<TBlob> og{h.blob()}, in{x.blob(), label.blob()}, out{y.blob()},
      ig{gx.blob(), gl.blob()};
  o->kernel.backward(*param, ctx, og, in, out, ig);
  EXPECT_EQ(ValuesAsDouble(gl), std::vector<double>(label.Size(), 0.0)) << "label gradient";
  return ValuesAsDouble(gx);
}

void CheckSoftmaxOutput(const LossCase& c, uint64_t seed) {
  NDArray x = RandomArray(c.shape, DType::kFloat64, -2, 2, seed);
  Shape lshape;
  lshape.PushBack(static_cast<int64_t>(c.labels.size()));
  NDArray label = ArrayFromDoubles(lshape, DType::kFloat64, c.labels);
  if (c.shape.ndim() > 2) {
    // Label shaped like the data without the class axis.
    Shape s;
    for (int i = 0; i < c.shape.ndim(); ++i) {
      if (i != c.axis) s.PushBack(c.shape[i]);
    }
    label = ArrayFromDoubles(s, DType::kFloat64, c.labels);
  }
  const std::vector<double> xv = ValuesAsDouble(x);
  const std::vector<double> head = ValuesAsDouble(RandomArray(c.shape, DType::kFloat64, -1, 1, 99));
  const std::vector<double> zeros(xv.size(), 0.0);
  const std::vector<double> g = RunBackward(c, x, label, op::OpReq::kWriteTo, head, zeros);
  const double eps = 1e-6;
  for (size_t i = 0; i < xv.size(); ++i) {
    std::vector<double> p = xv, m = xv;
    p[i] += eps;
    m[i] -= eps;
    const double numeric = (Loss(c, p) - Loss(c, m)) / (2 * eps);
    EXPECT_NEAR(g[i], numeric, 1e-7 + 1e-6 * std::fabs(numeric)) << "element " << i;
  }
  // kAddTo adds the same gradient; out_grad multiplies by the head gradient.
  const std::vector<double> pre = ValuesAsDouble(RandomArray(c.shape, DType::kFloat64, -1, 1, 7));
  const std::vector<double> added = RunBackward(c, x, label, op::OpReq::kAddTo, head, pre);
  LossCase with_head = c;
  with_head.attrs.emplace_back("out_grad", "True");
  const std::vector<double> scaled =
      RunBackward(with_head, x, label, op::OpReq::kWriteTo, head, zeros);
  for (size_t i = 0; i < xv.size(); ++i) {
    EXPECT_NEAR(added[i], pre[i] + g[i], 1e-12) << "kAddTo element " << i;
    EXPECT_NEAR(scaled[i], g[i] * head[i], 1e-12) << "out_grad element " << i;
  }
}

GRAD_TEST(SoftmaxGrad, SoftmaxOutputMatchesCrossEntropyLoss, "SoftmaxOutput") {
  {
    SCOPED_TRACE("default");
    CheckSoftmaxOutput({.attrs = {}, .shape = {3, 4}, .labels = {0, 3, 1}, .axis = 1, .scale = 1},
                       51);
  }
  {
    SCOPED_TRACE("grad_scale, batch normalization");
    CheckSoftmaxOutput({.attrs = {{"grad_scale", "2.5"}, {"normalization", "batch"}},
                        .shape = {3, 4}, .labels = {2, 2, 0}, .axis = 1, .scale = 2.5 / 3},
                       52);
  }
  {
    SCOPED_TRACE("ignore_label, valid normalization");
    CheckSoftmaxOutput({.attrs = {{"use_ignore", "True"}, {"ignore_label", "1"},
                                  {"normalization", "valid"}},
                        .shape = {4, 3}, .labels = {1, 0, 2, 1}, .axis = 1, .scale = 0.5,
                        .ignore = 1},
                       53);
  }
  {
    SCOPED_TRACE("label smoothing");
    CheckSoftmaxOutput({.attrs = {{"smooth_alpha", "0.2"}}, .shape = {2, 5}, .labels = {4, 1},
                        .axis = 1, .scale = 1, .alpha = 0.2},
                       54);
  }
  {
    SCOPED_TRACE("multi_output: null divides by the spatial size");
    CheckSoftmaxOutput({.attrs = {{"multi_output", "True"}}, .shape = {2, 3, 2},
                        .labels = {1, 0, 2, 2}, .axis = 1, .scale = 0.5},
                       57);
  }
  {
    SCOPED_TRACE("multi_output, valid");
    CheckSoftmaxOutput({.attrs = {{"multi_output", "True"}, {"normalization", "valid"}},
                        .shape = {2, 3, 2}, .labels = {0, 2, 1, 1}, .axis = 1, .scale = 0.25},
                       55);
  }
  {
    SCOPED_TRACE("preserve_shape, batch");
    CheckSoftmaxOutput({.attrs = {{"preserve_shape", "True"}, {"normalization", "batch"}},
                        .shape = {2, 2, 3}, .labels = {0, 2, 1, 1}, .axis = 2, .scale = 0.25},
                       56);
  }
  NoteManualGradientCheck("SoftmaxOutput");
}

// Labels shaped like the data are probabilities: the gradient is (softmax - label) * grad_scale,
// the derivative of -grad_scale * sum(label * log softmax).
TEST(SoftmaxGrad, SoftmaxOutputProbabilityLabels) {
  NDArray x = RandomArray({2, 3}, DType::kFloat64, -2, 2, 61);
  const std::vector<double> lv{0.2, 0.5, 0.3, 1, 0, 0};
  NDArray label = ArrayFromDoubles({2, 3}, DType::kFloat64, lv);
  LossCase c{.attrs = {{"grad_scale", "3"}, {"normalization", "batch"}}, .shape = {2, 3}};
  const std::vector<double> g = RunBackward(c, x, label, op::OpReq::kWriteTo,
                                            std::vector<double>(6, 0.5), std::vector<double>(6, 0));
  const std::vector<double> xv = ValuesAsDouble(x);
  auto loss = [&](const std::vector<double>& v) {
    double f = 0;
    for (int r = 0; r < 2; ++r) {
      double s = 0;
      for (int j = 0; j < 3; ++j) s += std::exp(v[r * 3 + j]);
      for (int j = 0; j < 3; ++j) f -= 3 * lv[r * 3 + j] * (v[r * 3 + j] - std::log(s));
    }
    return f;
  };
  for (size_t i = 0; i < xv.size(); ++i) {
    std::vector<double> p = xv, m = xv;
    p[i] += 1e-6;
    m[i] -= 1e-6;
    EXPECT_NEAR(g[i], (loss(p) - loss(m)) / 2e-6, 1e-7) << "element " << i;
  }
}

}  // namespace
}  // namespace mixnet::test
