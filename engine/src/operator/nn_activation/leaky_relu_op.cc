// LeakyReLU: leaky, elu, selu, gelu (erf form), prelu (a learned slope per channel, axis 1) and
// rrelu (a random slope per element in training, returned as the visible `mask` output).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ops/nn_activation.h"
#include "operator/nn_activation/act_util.h"
#include "operator/op.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using act::Compute;
using act::MapReq;
using LT = LeakyReLUParam::ActType;

// SELU's fixed constants (Klambauer et al. 2017).
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kSqrtHalf = 0.70710678118654752440;     // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1 / sqrt(2 pi)

// prelu: data viewed as (outer, channels, inner); gamma has `channels` entries or one.
struct PreluLayout {
  int64_t outer = 1, channels = 1, inner = 1;
};

PreluLayout LayoutOf(const Shape& data, int64_t gamma_size) {
  PreluLayout l;
  if (gamma_size == 1 || data.ndim() < 2) {
    l.inner = data.Size();
    return l;
  }
  l.outer = data[0];
  l.channels = data[1];
  l.inner = data.ProdRange(2, data.ndim());
  return l;
}

void InferLeakyReLU(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<LeakyReLUParam>(base);
  const Shape& d = io.in_shapes.at(0);
  act::CheckFloat("LeakyReLU", "data", io.in_types.at(0));
  if (p.act_type == LT::kPrelu) {
    const Shape& g = io.in_shapes.at(1);
    MX_CHECK(io.in_types.at(1) == io.in_types.at(0), TypeError)
        << "LeakyReLU: gamma has dtype " << DTypeName(io.in_types.at(1)) << " but data has "
        << DTypeName(io.in_types.at(0));
    const bool scalar = g.ndim() == 1 && g[0] == 1;
    const bool per_channel = g.ndim() == 1 && d.ndim() >= 2 && g[0] == d[1];
    MX_CHECK(scalar || per_channel, ValueError)
        << "LeakyReLU: act_type=prelu needs gamma of shape (1,) or (C,) with C = data.shape[1]; "
        << "got gamma " << g << " for data " << d;
  }
  if (p.act_type == LT::kRrelu) {
    MX_CHECK(p.lower_bound <= p.upper_bound, ValueError)
        << "LeakyReLU: lower_bound " << p.lower_bound << " exceeds upper_bound " << p.upper_bound;
    // As in MXNet, rrelu returns the slopes it used (zeros outside training) as a second output.
    io.out_shapes = {d, d};
    io.out_types = {io.in_types[0], io.in_types[0]};
    io.num_visible_outputs = 2;
  } else {
    io.out_shapes = {d};
    io.out_types = {io.in_types[0]};
  }
}

template <typename T>
void PreluForward(OpReq req, const T* x, const T* gamma, T* y, const PreluLayout& l, int nthreads) {
  using C = Compute<T>;
  // One unit per (outer, channel) run of `inner` contiguous elements.
  ParallelFor(
      l.outer * l.channels, nthreads,
      [&](int64_t u0, int64_t u1) {
        for (int64_t u = u0; u < u1; ++u) {
          const C a = static_cast<C>(gamma[u % l.channels]);
          const int64_t base = u * l.inner;
          MapReq(req, l.inner, 1, y + base, [&](int64_t i) {
            const C v = static_cast<C>(x[base + i]);
            return v > C(0) ? v : a * v;
          });
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, l.inner)));
}

template <typename T>
void ForwardTyped(const LeakyReLUParam& p, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  using C = Compute<T>;
  const OpReq req = ReqAt(ctx, 0);
  const int64_t n = in[0].Size();
  const T* x = in[0].ptr<T>();
  T* y = out[0].ptr<T>();
  auto X = [x](int64_t i) { return static_cast<C>(x[i]); };
  const C slope = static_cast<C>(p.slope);
  switch (p.act_type) {
    case LT::kLeaky:
      MapReq(req, n, ctx.nthreads, y, [&](int64_t i) { return X(i) > C(0) ? X(i) : slope * X(i); });
      break;
    case LT::kElu:
      MapReq(req, n, ctx.nthreads, y,
             [&](int64_t i) { return X(i) > C(0) ? X(i) : slope * std::expm1(X(i)); });
      break;
    case LT::kSelu: {
      const C alpha = static_cast<C>(kSeluAlpha), lambda = static_cast<C>(kSeluLambda);
      MapReq(req, n, ctx.nthreads, y, [&](int64_t i) {
        return lambda * (X(i) > C(0) ? X(i) : alpha * std::expm1(X(i)));
      });
      break;
    }
    case LT::kGelu:
      MapReq(req, n, ctx.nthreads, y, [&](int64_t i) {
        return C(0.5) * X(i) * (C(1) + std::erf(X(i) * static_cast<C>(kSqrtHalf)));
      });
      break;
    case LT::kPrelu: {
      if (req == OpReq::kNull) break;
      PreluForward<T>(req, x, in[1].ptr<T>(), y, LayoutOf(in[0].shape, in[1].Size()),
                      ctx.nthreads);
      break;
    }
    case LT::kRrelu: {
      T* mask = out[1].ptr<T>();
      const OpReq mreq = ReqAt(ctx, 1);
      if (ctx.is_train) {
        // One slope per element, drawn serially from the engine's generator (reproducible
        // under a seed); kept in `mask` for the backward.
        MX_CHECK(ctx.rng != nullptr, Internal) << "LeakyReLU: rrelu needs the random generator";
        std::uniform_real_distribution<double> dist(p.lower_bound, p.upper_bound);
        std::vector<C> slopes(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) slopes[i] = static_cast<C>(dist(ctx.rng->engine));
        MapReq(mreq, n, ctx.nthreads, mask, [&](int64_t i) { return slopes[i]; });
        MapReq(req, n, ctx.nthreads, y,
               [&](int64_t i) { return X(i) > C(0) ? X(i) : slopes[i] * X(i); });
      } else {
        const C mid = static_cast<C>((static_cast<double>(p.lower_bound) + p.upper_bound) / 2);
        MapReq(mreq, n, ctx.nthreads, mask, [&](int64_t) { return C(0); });
        MapReq(req, n, ctx.nthreads, y, [&](int64_t i) { return X(i) > C(0) ? X(i) : mid * X(i); });
      }
      break;
    }
  }
}

void ForwardLeakyReLU(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const auto& p = ParamAs<LeakyReLUParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "LeakyReLU", { ForwardTyped<T>(p, ctx, in, out); });
}

// prelu's gradients: data gets g * (x > 0 ? 1 : gamma[c]); gamma[c] gets the sum of g * x over
// the non-positive elements of its channel.
template <typename T>
void PreluBackward(const OpContext& ctx, const T* g, const T* x, const T* gamma, T* gx, T* ggamma,
                   const PreluLayout& l) {
  using C = Compute<T>;
  const OpReq rd = ReqAt(ctx, 0), rg = ReqAt(ctx, 1);
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, l.inner));
  if (rd != OpReq::kNull) {
    ParallelFor(
        l.outer * l.channels, ctx.nthreads,
        [&](int64_t u0, int64_t u1) {
          for (int64_t u = u0; u < u1; ++u) {
            const C a = static_cast<C>(gamma[u % l.channels]);
            const int64_t base = u * l.inner;
            MapReq(rd, l.inner, 1, gx + base, [&](int64_t i) {
              const C gv = static_cast<C>(g[base + i]);
              return static_cast<C>(x[base + i]) > C(0) ? gv : a * gv;
            });
          }
        },
        grain);
  }
  if (rg == OpReq::kNull) return;
  // Each channel's sum is owned by one thread (accumulated in double across the batch).
  std::vector<double> sums(static_cast<size_t>(l.channels), 0.0);
  ParallelFor(
      l.channels, ctx.nthreads,
      [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          double total = 0;
          for (int64_t o = 0; o < l.outer; ++o) {
            const int64_t base = (o * l.channels + c) * l.inner;
            C s = 0;
            for (int64_t i = 0; i < l.inner; ++i) {
              const C v = static_cast<C>(x[base + i]);
              s += v > C(0) ? C(0) : v * static_cast<C>(g[base + i]);
            }
            total += static_cast<double>(s);
          }
          sums[static_cast<size_t>(c)] = total;
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, l.outer * l.inner)));
  MapReq(rg, l.channels, 1, ggamma, [&](int64_t c) { return static_cast<C>(sums[c]); });
}

template <typename T>
void BackwardTyped(const LeakyReLUParam& p, const OpContext& ctx, std::span<const TBlob> out_grads,
                   std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                   std::span<const TBlob> in_grads) {
  using C = Compute<T>;
  const T* g = out_grads[0].ptr<T>();
  const T* x = inputs[0].ptr<T>();
  if (p.act_type == LT::kPrelu) {
    const OpReq rd = ReqAt(ctx, 0), rg = ReqAt(ctx, 1);
    PreluBackward<T>(ctx, g, x, inputs[1].ptr<T>(),
                     rd == OpReq::kNull ? nullptr : in_grads[0].ptr<T>(),
                     rg == OpReq::kNull ? nullptr : in_grads[1].ptr<T>(),
                     LayoutOf(inputs[0].shape, inputs[1].Size()));
    return;
  }
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const int64_t n = inputs[0].Size();
  T* gx = in_grads[0].ptr<T>();
  auto G = [g](int64_t i) { return static_cast<C>(g[i]); };
  auto X = [x](int64_t i) { return static_cast<C>(x[i]); };
  const C slope = static_cast<C>(p.slope);
  switch (p.act_type) {
    case LT::kLeaky:
      MapReq(req, n, ctx.nthreads, gx,
             [&](int64_t i) { return X(i) > C(0) ? G(i) : slope * G(i); });
      break;
    case LT::kElu:
      MapReq(req, n, ctx.nthreads, gx,
             [&](int64_t i) { return X(i) > C(0) ? G(i) : slope * std::exp(X(i)) * G(i); });
      break;
    case LT::kSelu: {
      const C alpha = static_cast<C>(kSeluAlpha), lambda = static_cast<C>(kSeluLambda);
      MapReq(req, n, ctx.nthreads, gx, [&](int64_t i) {
        return lambda * G(i) * (X(i) > C(0) ? C(1) : alpha * std::exp(X(i)));
      });
      break;
    }
    case LT::kGelu:
      MapReq(req, n, ctx.nthreads, gx, [&](int64_t i) {
        const C v = X(i);
        const C cdf = C(0.5) * (C(1) + std::erf(v * static_cast<C>(kSqrtHalf)));
        const C pdf = static_cast<C>(kInvSqrt2Pi) * std::exp(C(-0.5) * v * v);
        return G(i) * (cdf + v * pdf);
      });
      break;
    case LT::kRrelu:
      if (ctx.is_train) {
        const T* mask = outputs[1].ptr<T>();
        MapReq(req, n, ctx.nthreads, gx, [&](int64_t i) {
          return X(i) > C(0) ? G(i) : static_cast<C>(mask[i]) * G(i);
        });
      } else {
        const C mid = static_cast<C>((static_cast<double>(p.lower_bound) + p.upper_bound) / 2);
        MapReq(req, n, ctx.nthreads, gx,
               [&](int64_t i) { return X(i) > C(0) ? G(i) : mid * G(i); });
      }
      break;
    case LT::kPrelu:
      break;  // handled above
  }
}

void BackwardLeakyReLU(const ParamBase& base, const OpContext& ctx,
                       std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                       std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<LeakyReLUParam>(base);
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "LeakyReLU", {
    BackwardTyped<T>(p, ctx, out_grads, inputs, outputs, in_grads);
  });
}

}  // namespace

MX_REGISTER_KERNEL(LeakyReLU, (OpKernel{.infer = InferLeakyReLU, .forward = ForwardLeakyReLU,
                                        .backward = BackwardLeakyReLU}));

}  // namespace mixnet::op
