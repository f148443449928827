// BatchNorm: shape inference, the hand-written loops (any channel axis, float32/float64) and the
// kernel registration. The float32 axis-1 case goes through oneDNN (batch_norm_dnnl.cc).
//
// The data is viewed as (outer, C, inner) around the channel axis; every channel is normalised
// over its outer * inner elements. Training (is_train and not use_global_stats) uses the batch's
// mean and population variance and moves the moving statistics towards them:
// moving = moving * momentum + batch * (1 - momentum), as Apache MXNet 1.9.1 does (its fixture
// moving_var matches the population variance, not the unbiased one). The hidden outputs mean and
// var keep the statistics that were used (batch or moving) for the gradient; with
// output_mean_var they are visible, as MXNet's oneDNN CPU path returns them (variance, not the
// inverse standard deviation).
#include "operator/nn_norm/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <type_traits>
#include <vector>

#include "operator/nn_norm/norm_util.h"
#include "operator/parallel.h"

namespace mixnet::op {
namespace {

using nn_norm::Acc;

struct BnView {
  int64_t outer = 1, C = 1, inner = 1;
  int64_t M() const { return outer * inner; }
};

// Runs at least this long are summed channel by channel (see ChannelSums).
constexpr int64_t kLongRun = 64;

BnView ViewOf(const Shape& s, int axis) {
  return {s.ProdRange(0, axis), s[axis], s.ProdRange(axis + 1, s.ndim())};
}

void InferBatchNorm(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<BatchNormParam>(base);
  const Shape& d = io.in_shapes.at(0);
  MX_CHECK(d.ndim() >= 1, ValueError)
      << "BatchNorm: data must have at least 1 axis, got shape " << d;
  const int axis = nn_norm::NormAxis("BatchNorm", p.axis, d);
  const int64_t C = d[axis];
  static const char* kNames[] = {"data", "gamma", "beta", "moving_mean", "moving_var"};
  for (int i = 1; i < 5; ++i) {
    nn_norm::CheckVectorInput("BatchNorm", kNames[i], io.in_shapes.at(i), C, d,
                              "the channel axis size");
  }
  nn_norm::CheckNormDType("BatchNorm", io);
  const DType t = io.in_types[0];
  io.out_shapes = {d, Shape({C}), Shape({C})};
  io.out_types = {t, t, t};
  io.num_visible_outputs = p.output_mean_var ? 3 : 1;
}

// Per-channel sums over the (outer, C, inner) view: fn(at, c, acc) adds element `at` of
// channel c into acc[c] (and acc[C + c] ... for several sums). Long contiguous runs (inner
// large, NCHW) are summed channel by channel in parallel; short ones (channel-last, where a
// channel's elements are C apart) row by row with per-thread partial sums, which keeps the
// accesses sequential.
template <typename Fn>
std::vector<Acc> ChannelSums(const BnView& v, int nthreads, int nsums, Fn fn) {
  const int64_t C = v.C, inner = v.inner;
  std::vector<Acc> total(static_cast<size_t>(nsums * C), 0);
  if (inner >= kLongRun) {
    ParallelFor(
        C, nthreads,
        [&](int64_t c0, int64_t c1) {
          for (int64_t c = c0; c < c1; ++c) {
            for (int64_t o = 0; o < v.outer; ++o) {
              const int64_t at = (o * C + c) * inner;
              for (int64_t i = 0; i < inner; ++i) fn(at + i, c, total.data());
            }
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, v.M())));
    return total;
  }
  // Partial sums keyed by their chunk's first row and added up in row order, so the result does
  // not depend on which thread finishes first.
  std::mutex mu;
  std::map<int64_t, std::vector<Acc>> parts;
  ParallelFor(
      v.outer, nthreads,
      [&](int64_t o0, int64_t o1) {
        std::vector<Acc> part(total.size(), 0);
        for (int64_t o = o0; o < o1; ++o) {
          for (int64_t c = 0; c < C; ++c) {
            const int64_t at = (o * C + c) * inner;
            for (int64_t i = 0; i < inner; ++i) fn(at + i, c, part.data());
          }
        }
        std::lock_guard<std::mutex> lock(mu);
        parts.emplace(o0, std::move(part));
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, C * inner)));
  for (const auto& [first_row, part] : parts) {
    for (size_t k = 0; k < total.size(); ++k) total[k] += part[k];
  }
  return total;
}

// Calls fn(at, c) for every element, in parallel, in memory order.
template <typename Fn>
void ForEachElement(const BnView& v, int nthreads, Fn fn) {
  const int64_t C = v.C, inner = v.inner;
  ParallelFor(
      v.outer * C, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t c = r % C;
          for (int64_t i = 0; i < inner; ++i) fn(r * inner + i, c);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, inner)));
}

template <typename T>
void ForwardLoops(const BatchNormParam& p, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out, const BnView& v) {
  const bool batch_stats = nn_norm::BatchNormUsesBatchStats(p, ctx);
  const OpReq req = ReqAt(ctx, 0), req_mean = ReqAt(ctx, 1), req_var = ReqAt(ctx, 2);
  const T* x = in[nn_norm::kBnData].ptr<T>();
  const T* gamma = in[nn_norm::kBnGamma].ptr<T>();
  const T* beta = in[nn_norm::kBnBeta].ptr<T>();
  const T* mm = in[nn_norm::kBnMovingMean].ptr<T>();
  const T* mv = in[nn_norm::kBnMovingVar].ptr<T>();
  const int64_t M = v.M(), C = v.C;
  std::vector<Acc> mean(mm, mm + C), var(mv, mv + C);
  if (batch_stats) {
    // Two passes (mean, then squared deviations): stable where sum(x^2) - M mean^2 is not.
    mean = ChannelSums(v, ctx.nthreads, 1, [&](int64_t at, int64_t c, Acc* a) { a[c] += x[at]; });
    for (Acc& m : mean) m = M > 0 ? m / M : 0;
    var = ChannelSums(v, ctx.nthreads, 1, [&](int64_t at, int64_t c, Acc* a) {
      const Acc d = x[at] - mean[c];
      a[c] += d * d;
    });
    for (Acc& s : var) s = M > 0 ? s / M : 0;
  }
  std::vector<T> scale(static_cast<size_t>(C)), shift(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    const Acc g = p.fix_gamma ? 1 : gamma[c];
    scale[c] = static_cast<T>(g / std::sqrt(var[c] + p.eps));
    shift[c] = static_cast<T>(beta[c] - mean[c] * scale[c]);
    nn_norm::StoreVec(req_mean, out[1], c, static_cast<T>(mean[c]));
    nn_norm::StoreVec(req_var, out[2], c, static_cast<T>(var[c]));
  }
  if (req == OpReq::kNull) return;
  T* y = out[0].ptr<T>();
  ForEachElement(v, ctx.nthreads, [&](int64_t at, int64_t c) {
    StoreReq(req, y + at, static_cast<T>(x[at] * scale[c] + shift[c]));
  });
}

// moving = moving * momentum + batch * (1 - momentum), from the batch statistics in out[1..2].
template <typename T>
void UpdateMovingStats(const BatchNormParam& p, std::span<const TBlob> in, const T* mean,
                       const T* var, int64_t C) {
  T* mm = in[nn_norm::kBnMovingMean].ptr<T>();
  T* mv = in[nn_norm::kBnMovingVar].ptr<T>();
  const T m = static_cast<T>(p.momentum);
  for (int64_t c = 0; c < C; ++c) {
    mm[c] = mm[c] * m + mean[c] * (1 - m);
    mv[c] = mv[c] * m + var[c] * (1 - m);
  }
}

// The forward needs the batch statistics to update the moving ones even when the caller does
// not want the mean/var outputs (kNull): compute them into scratch then.
template <typename T>
void ForwardTyped(const BatchNormParam& p, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out, const BnView& v) {
  const bool batch_stats = nn_norm::BatchNormUsesBatchStats(p, ctx);
  auto is_write = [](OpReq r) { return r == OpReq::kWriteTo || r == OpReq::kWriteInplace; };
  const bool stats_wanted = is_write(ReqAt(ctx, 1)), vars_wanted = is_write(ReqAt(ctx, 2));
  std::vector<T> scratch;
  std::vector<OpReq> reqs = {ReqAt(ctx, 0), ReqAt(ctx, 1), ReqAt(ctx, 2)};
  std::vector<TBlob> outs(out.begin(), out.end());
  if (batch_stats && (!stats_wanted || !vars_wanted)) {
    // Statistics to scratch (written), then copied/added to the real outputs under their req.
    scratch.assign(static_cast<size_t>(2 * v.C), T(0));
    outs[1] = TBlob{scratch.data(), Shape({v.C}), out[1].dtype};
    outs[2] = TBlob{scratch.data() + v.C, Shape({v.C}), out[2].dtype};
    reqs[1] = reqs[2] = OpReq::kWriteTo;
  }
  OpContext c2 = ctx;
  c2.req = reqs;
  const bool done = std::is_same_v<T, float> && nn_norm::BatchNormForwardDnnl(p, c2, in, outs);
  if (!done) ForwardLoops<T>(p, c2, in, outs, v);
  if (!scratch.empty()) {
    AssignRun(ReqAt(ctx, 1), out[1].dptr == nullptr ? nullptr : out[1].ptr<T>(), scratch.data(),
              ReqAt(ctx, 1) == OpReq::kNull ? 0 : v.C);
    AssignRun(ReqAt(ctx, 2), out[2].dptr == nullptr ? nullptr : out[2].ptr<T>(),
              scratch.data() + v.C, ReqAt(ctx, 2) == OpReq::kNull ? 0 : v.C);
  }
  if (batch_stats && v.M() > 0) {
    UpdateMovingStats<T>(p, in, outs[1].ptr<T>(), outs[2].ptr<T>(), v.C);
  }
}

void ForwardBatchNorm(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const auto& p = ParamAs<BatchNormParam>(base);
  const Shape& s = in[0].shape;
  const BnView v = ViewOf(s, nn_norm::NormAxis("BatchNorm", p.axis, s));
  if (in[0].dtype == DType::kFloat32) {
    ForwardTyped<float>(p, ctx, in, out, v);
  } else {
    ForwardTyped<double>(p, ctx, in, out, v);
  }
}

template <typename T>
void BackwardLoops(const BatchNormParam& p, const OpContext& ctx, std::span<const TBlob> out_grads,
                   std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                   std::span<const TBlob> in_grads, const BnView& v) {
  const bool batch_stats = nn_norm::BatchNormUsesBatchStats(p, ctx);
  const OpReq req_x = ReqAt(ctx, 0), req_g = ReqAt(ctx, 1), req_b = ReqAt(ctx, 2);
  const T* x = inputs[nn_norm::kBnData].ptr<T>();
  const T* gamma = inputs[nn_norm::kBnGamma].ptr<T>();
  const T* mean = outputs[1].ptr<T>();
  const T* var = outputs[2].ptr<T>();
  const T* dy = out_grads[0].ptr<T>();
  // With output_mean_var the mean and var outputs are visible and have head gradients of their
  // own; they depend on the data only when they are the batch's statistics.
  const T* dmean = out_grads.size() > 1 && batch_stats ? out_grads[1].ptr<T>() : nullptr;
  const T* dvar = out_grads.size() > 2 && batch_stats ? out_grads[2].ptr<T>() : nullptr;
  const int64_t M = v.M(), C = v.C;
  // sums[c] = sum(dy), sums[C + c] = sum(dy * (x - mean)).
  const std::vector<Acc> sums = ChannelSums(v, ctx.nthreads, 2, [&](int64_t at, int64_t c, Acc* a) {
    a[c] += dy[at];
    a[C + c] += dy[at] * (x[at] - mean[c]);
  });
  // dx = k * (dy - a - (x - mean) * b) + e0 + e1 * (x - mean), per channel:
  // k = g * invstd; in training (the batch statistics depend on x) a = mean(dy) and
  // b = mean(dy * xhat) * invstd, plus dmean / M and dvar * 2 (x - mean) / M from visible
  // statistics; with constant statistics a = b = 0.
  std::vector<Acc> k(C), a(C, 0), b(C, 0), e0(C, 0), e1(C, 0);
  for (int64_t c = 0; c < C; ++c) {
    const Acc invstd = 1 / std::sqrt(static_cast<Acc>(var[c]) + p.eps);
    const Acc sdy = sums[c], sdyx = sums[C + c] * invstd;  // sum(dy), sum(dy * xhat)
    nn_norm::StoreVec(req_g, in_grads[1], c, static_cast<T>(p.fix_gamma ? 0 : sdyx));
    nn_norm::StoreVec(req_b, in_grads[2], c, static_cast<T>(sdy));
    k[c] = (p.fix_gamma ? 1 : static_cast<Acc>(gamma[c])) * invstd;
    if (batch_stats && M > 0) {
      a[c] = sdy / M;
      b[c] = sdyx * invstd / M;
      if (dmean != nullptr) e0[c] = static_cast<Acc>(dmean[c]) / M;
      if (dvar != nullptr) e1[c] = 2 * static_cast<Acc>(dvar[c]) / M;
    }
  }
  if (req_x == OpReq::kNull) return;
  T* dx = in_grads[0].ptr<T>();
  ForEachElement(v, ctx.nthreads, [&](int64_t at, int64_t c) {
    const Acc xc = x[at] - mean[c];
    const Acc g = k[c] * (dy[at] - a[c] - xc * b[c]) + e0[c] + e1[c] * xc;
    StoreReq(req_x, dx + at, static_cast<T>(g));
  });
}

void BackwardBatchNorm(const ParamBase& base, const OpContext& ctx,
                       std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                       std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<BatchNormParam>(base);
  const Shape& s = inputs[0].shape;
  const BnView v = ViewOf(s, nn_norm::NormAxis("BatchNorm", p.axis, s));
  // The moving statistics are auxiliary state: no gradient.
  nn_norm::ZeroGrad(ReqAt(ctx, 3), in_grads[3]);
  nn_norm::ZeroGrad(ReqAt(ctx, 4), in_grads[4]);
  if (inputs[0].dtype == DType::kFloat32) {
    if (!nn_norm::BatchNormBackwardDnnl(p, ctx, out_grads, inputs, outputs, in_grads)) {
      BackwardLoops<float>(p, ctx, out_grads, inputs, outputs, in_grads, v);
    }
  } else {
    BackwardLoops<double>(p, ctx, out_grads, inputs, outputs, in_grads, v);
  }
}

}  // namespace

MX_REGISTER_KERNEL(BatchNorm, (OpKernel{.infer = InferBatchNorm, .forward = ForwardBatchNorm,
                                        .backward = BackwardBatchNorm}));

}  // namespace mixnet::op
