// The softmax loss layers. SoftmaxOutput returns softmax(data) and, by definition, back-propagates
// the cross-entropy gradient (softmax - target) * grad_scale / normalizer (the head gradient is
// ignored unless out_grad). softmax_cross_entropy returns the summed cross-entropy as shape (1,).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "ops/softmax.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"
#include "operator/softmax/softmax_kernel.h"

namespace mixnet::op {
namespace {

using softmax::Geometry;

void ZeroGrad(const OpContext& ctx, size_t i, const TBlob& grad) {
  const OpReq r = ReqAt(ctx, i);
  if ((r == OpReq::kWriteTo || r == OpReq::kWriteInplace) && grad.Size() > 0) {
    std::memset(grad.dptr, 0, grad.nbytes());
  }
}

// The labels as doubles (any numeric dtype).
std::vector<double> LabelsOf(const TBlob& b) {
  std::vector<double> out(static_cast<size_t>(b.Size()));
  MX_TYPE_SWITCH(b.dtype, T, {
    const T* p = static_cast<const T*>(b.dptr);
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(static_cast<float>(p[i]));
    if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int64_t>) {
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
    }
  });
  return out;
}

// ---- SoftmaxOutput ------------------------------------------------------------------------------

// Classes along axis 1 with multi_output (labels (n, rest)), along the last axis with
// preserve_shape (labels: the data shape without it), otherwise along the flattened trailing
// axes of (n, k) data (labels (n,)).
Geometry OutputGeometry(const SoftmaxOutputParam& p, const Shape& d) {
  if (p.multi_output) return Geometry{d[0], d[1], d.ProdRange(2, d.ndim())};
  if (p.preserve_shape) return Geometry{d.ProdRange(0, d.ndim() - 1), d[d.ndim() - 1], 1};
  return Geometry{d[0], d.ProdRange(1, d.ndim()), 1};
}

void InferSoftmaxOutput(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<SoftmaxOutputParam>(base);
  const Shape& d = io.in_shapes.at(0);
  const Shape& l = io.in_shapes.at(1);
  MX_CHECK(IsFloatingDType(io.in_types.at(0)), TypeError)
      << "SoftmaxOutput: data has dtype " << DTypeName(io.in_types.at(0))
      << ", which is not supported (floating dtypes only)";
  MX_CHECK(io.in_types.at(1) != DType::kBool, TypeError) << "SoftmaxOutput: label must be numeric";
  MX_CHECK(d.ndim() >= 2, ValueError)
      << "SoftmaxOutput: data needs at least 2 axes (batch, classes...), got shape " << d;
  bool ok;
  const char* want;
  if (l == d) {
    ok = true;  // probabilities as labels
    want = "";
  } else if (p.multi_output) {
    // (n, x1 * ... * xq), (n, x1, ..., xq) or (n, 1, x1, ..., xq).
    Shape rest{d[0]}, one = d;
    for (int i = 2; i < d.ndim(); ++i) rest.PushBack(d[i]);
    one[1] = 1;
    ok = l == Shape{d[0], d.ProdRange(2, d.ndim())} || l == rest || l == one;
    want = "(n, x1, ..., xq), (n, x1 * ... * xq) or (n, 1, x1, ..., xq) for data "
           "(n, k, x1, ..., xq), or the data shape";
  } else {
    Shape lead;
    for (int i = 0; i + 1 < d.ndim(); ++i) lead.PushBack(d[i]);
    ok = l == lead;
    want = "the data shape without its last axis, or the data shape";
  }
  MX_CHECK(ok, ValueError) << "SoftmaxOutput: label shape " << l << " does not match data shape "
                           << d << "; expected " << want;
  io.out_shapes = {d};
  io.out_types = {io.in_types[0]};
}

void ForwardSoftmaxOutput(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                          std::span<const TBlob> out) {
  const auto& p = ParamAs<SoftmaxOutputParam>(base);
  if (in[0].Size() == 0) return;
  const Geometry g = OutputGeometry(p, in[0].shape);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "SoftmaxOutput", {
    softmax::Forward<T, T>(softmax::Kind::kSoftmax, ReqAt(ctx, 0), in[0].ptr<T>(),
                           out[0].ptr<T>(), nullptr, g, 1.0, ctx.nthreads);
  });
}

// Labels shaped like the data are target probabilities: (softmax - label) * grad_scale, with no
// normalization (times the head gradient with out_grad).
void BackwardProbabilityLabels(const SoftmaxOutputParam& p, OpReq req, const TBlob& head,
                               const TBlob& out, const std::vector<double>& labels,
                               const TBlob& grad, int nthreads) {
  MX_FLOAT_TYPE_SWITCH(out.dtype, T, "SoftmaxOutput", {
    using A = softmax::Acc<T, T>;
    const T* y = out.ptr<T>();
    const T* h = head.ptr<T>();
    T* gx = grad.ptr<T>();
    ParallelFor(out.Size(), nthreads, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        double v = (static_cast<double>(y[i]) - labels[i]) * p.grad_scale;
        if (p.out_grad) v *= static_cast<double>(h[i]);
        softmax::Put(req, gx + i, static_cast<A>(v));
      }
    });
  });
}

void BackwardSoftmaxOutput(const ParamBase& base, const OpContext& ctx,
                           std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                           std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<SoftmaxOutputParam>(base);
  ZeroGrad(ctx, 1, in_grads[1]);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || inputs[0].Size() == 0) return;
  const Geometry g = OutputGeometry(p, inputs[0].shape);
  const std::vector<double> labels = LabelsOf(inputs[1]);
  if (inputs[1].shape == inputs[0].shape) {
    BackwardProbabilityLabels(p, req, out_grads[0], outputs[0], labels, in_grads[0], ctx.nthreads);
    return;
  }
  const int ignore = static_cast<int>(p.ignore_label);
  auto ignored = [&](int64_t s) { return p.use_ignore && static_cast<int>(labels[s]) == ignore; };
  // MXNet's normalizers. "valid" counts the labels that differ from ignore_label (whether or not
  // use_ignore is set); "batch" is the label count; with multi_output, "null" and "batch" also
  // divide by the spatial size x1 * ... * xq.
  double norm = 1;
  using N = SoftmaxOutputParam::Normalization;
  if (p.normalization == N::kValid) {
    int64_t valid = 0;
    for (double v : labels) valid += static_cast<int>(v) == ignore ? 0 : 1;
    norm = static_cast<double>(std::max<int64_t>(valid, 1));
  } else {
    if (p.normalization == N::kBatch) {
      norm = static_cast<double>(p.multi_output ? g.outer : static_cast<int64_t>(labels.size()));
    }
    if (p.multi_output) norm *= static_cast<double>(g.inner);
  }
  const double scale = p.grad_scale / norm;
  const double alpha = p.smooth_alpha;
  const double off = g.m > 1 ? alpha / static_cast<double>(g.m - 1) : 0.0;
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "SoftmaxOutput", {
    using A = softmax::Acc<T, T>;
    const T* y = outputs[0].ptr<T>();
    const T* head = out_grads[0].ptr<T>();
    T* gx = in_grads[0].ptr<T>();
    ParallelFor(
        g.outer * g.inner, ctx.nthreads,
        [&](int64_t s0, int64_t s1) {
          for (int64_t s = s0; s < s1; ++s) {
            const int64_t o = s / g.inner, k = s % g.inner;
            const int64_t base = o * g.m * g.inner + k;
            const bool skip = ignored(s);
            const int64_t label = static_cast<int64_t>(labels[s]);
            for (int64_t j = 0; j < g.m; ++j) {
              const int64_t at = base + j * g.inner;
              double v = 0;
              if (!skip) {
                const double target = j == label ? 1.0 - alpha : off;
                v = (static_cast<double>(y[at]) - target) * scale;
                if (p.out_grad) v *= static_cast<double>(head[at]);
              }
              softmax::Put(req, gx + at, static_cast<A>(v));
            }
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, g.m)));
  });
}

// ---- softmax_cross_entropy ----------------------------------------------------------------------

void InferSoftmaxCE(const ParamBase&, InferIO& io) {
  const Shape& d = io.in_shapes.at(0);
  const Shape& l = io.in_shapes.at(1);
  MX_CHECK(IsFloatingDType(io.in_types.at(0)), TypeError)
      << "softmax_cross_entropy: data has dtype " << DTypeName(io.in_types.at(0))
      << ", which is not supported (floating dtypes only)";
  MX_CHECK(d.ndim() == 2, ValueError)
      << "softmax_cross_entropy: data must be 2-D (batch, classes), got shape " << d;
  MX_CHECK(l.ndim() == 1 && l[0] == d[0], ValueError)
      << "softmax_cross_entropy: label must have shape (" << d[0] << ",) for data " << d
      << ", got " << l;
  io.out_shapes = {Shape{1}};
  io.out_types = {io.in_types[0]};
}

int64_t CheckedLabel(double v, int64_t k, int64_t row) {
  const int64_t l = static_cast<int64_t>(v);
  MX_CHECK(l >= 0 && l < k, ValueError) << "softmax_cross_entropy: label " << v << " of row "
                                        << row << " is outside [0, " << k << ")";
  return l;
}

void ForwardSoftmaxCE(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const int64_t n = in[0].shape[0], k = in[0].shape[1];
  const std::vector<double> labels = LabelsOf(in[1]);
  std::vector<int64_t> li(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) li[r] = CheckedLabel(labels[r], k, r);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "softmax_cross_entropy", {
    using A = softmax::Acc<T, T>;
    const T* x = in[0].ptr<T>();
    std::vector<double> loss(static_cast<size_t>(n), 0.0);
    ParallelFor(
        n, ctx.nthreads,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const T* xr = x + r * k;
            A mx = static_cast<A>(xr[0]);
            for (int64_t j = 1; j < k; ++j) mx = std::max(mx, static_cast<A>(xr[j]));
            A sum = 0;
            for (int64_t j = 0; j < k; ++j) sum += softmax::Exp(static_cast<A>(xr[j]) - mx);
            // -log softmax[label] = log(sum) + max - x[label]
            loss[r] = static_cast<double>(std::log(sum) + mx - static_cast<A>(xr[li[r]]));
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, k)));
    double total = 0;
    for (double v : loss) total += v;
    softmax::Put(req, out[0].ptr<T>(), static_cast<A>(total));
  });
}

void BackwardSoftmaxCE(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                       std::span<const TBlob> inputs, std::span<const TBlob>,
                       std::span<const TBlob> in_grads) {
  ZeroGrad(ctx, 1, in_grads[1]);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const int64_t n = inputs[0].shape[0], k = inputs[0].shape[1];
  const std::vector<double> labels = LabelsOf(inputs[1]);
  std::vector<int64_t> li(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) li[r] = CheckedLabel(labels[r], k, r);
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "softmax_cross_entropy", {
    using A = softmax::Acc<T, T>;
    // d loss / d x[r, j] = (softmax(x[r])[j] - [j == label[r]]) * head.
    const A head = static_cast<A>(out_grads[0].ptr<T>()[0]);
    T* gx = in_grads[0].ptr<T>();
    std::vector<A> prob(static_cast<size_t>(n * k));
    softmax::Forward<T, A>(softmax::Kind::kSoftmax, OpReq::kWriteTo, inputs[0].ptr<T>(),
                           prob.data(), nullptr, Geometry{n, k, 1}, 1.0, ctx.nthreads);
    ParallelFor(
        n, ctx.nthreads,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            for (int64_t j = 0; j < k; ++j) {
              const A target = j == li[r] ? A(1) : A(0);
              softmax::Put(req, gx + r * k + j, (prob[r * k + j] - target) * head);
            }
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, k)));
  });
}

}  // namespace

MX_REGISTER_KERNEL(SoftmaxOutput, (OpKernel{.infer = InferSoftmaxOutput,
                                            .forward = ForwardSoftmaxOutput,
                                            .backward = BackwardSoftmaxOutput}));
MX_REGISTER_KERNEL(softmax_cross_entropy, (OpKernel{.infer = InferSoftmaxCE,
                                                    .forward = ForwardSoftmaxCE,
                                                    .backward = BackwardSoftmaxCE}));

}  // namespace mixnet::op
