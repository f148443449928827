// Dropout. In training (or always, with mode=always) each mask element is kept with probability
// 1 - p and then worth 1 / (1 - p), else 0; output = data * mask, with the mask broadcast along
// `axes` (variational dropout: one draw shared along those axes). Otherwise the op is the
// identity and the mask is all ones, so the backward is always dx = dy * mask.
//
// The mask is the hidden output: shaped like the data with the `axes` reduced to 1, in the data
// dtype. Draws come from the engine's generator (ctx.rng), one per mask element in row-major
// order, so a seed fixes the mask.
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "operator/nn_norm/norm_util.h"
#include "operator/parallel.h"
#include "ops/nn_norm.h"

namespace mixnet::op {
namespace {

template <typename T>
using Compute =
    std::conditional_t<std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>, float, T>;

Shape MaskShape(const DropoutParam& p, const Shape& d) {
  Shape m = d;
  for (int64_t a : p.axes.dims()) {
    MX_CHECK(a >= -d.ndim() && a < d.ndim(), ValueError)
        << "Dropout: axes " << p.axes << " has axis " << a << " out of range for data of shape "
        << d;
    m[static_cast<int>(a < 0 ? a + d.ndim() : a)] = 1;
  }
  return m;
}

void InferDropout(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<DropoutParam>(base);
  const DType t = io.in_types.at(0);
  MX_CHECK(IsFloatingDType(t), TypeError)
      << "Dropout: dtype " << DTypeName(t) << " is not supported (floating dtypes only)";
  const Shape& d = io.in_shapes.at(0);
  io.out_shapes = {d, MaskShape(p, d)};
  io.out_types = {t, t};
}

bool Active(const DropoutParam& p, const OpContext& ctx) {
  return p.mode == DropoutParam::Mode::kAlways || ctx.is_train;
}

// Calls fn(data_offset, mask_offset, length, mask_step) for every run along the last axis, where
// the mask offset follows the data's multi-index with the broadcast axes pinned at 0.
template <typename Fn>
void ForEachRun(const Shape& d, const Shape& m, int nthreads, Fn&& fn) {
  const int nd = d.ndim();
  if (d.Size() == 0) return;
  if (nd == 0 || d == m) {
    ParallelFor(d.Size(), nthreads, [&](int64_t b, int64_t e) { fn(b, b, e - b, int64_t{1}); });
    return;
  }
  std::vector<int64_t> mstride(static_cast<size_t>(nd));
  int64_t st = 1;
  for (int k = nd - 1; k >= 0; --k) {
    mstride[k] = m[k] == 1 && d[k] != 1 ? 0 : st;
    st *= m[k];
  }
  const int64_t len = d[nd - 1], rows = d.Size() / len;
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t rem = r, moff = 0;
          for (int k = nd - 2; k >= 0; --k) {
            moff += (rem % d[k]) * mstride[k];
            rem /= d[k];
          }
          fn(r * len, moff, len, mstride[nd - 1]);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, len)));
}

template <typename T>
void DropoutForwardTyped(const DropoutParam& p, const OpContext& ctx, const TBlob& x,
                         std::span<const TBlob> out) {
  using C = Compute<T>;
  const OpReq req = ReqAt(ctx, 0), req_mask = ReqAt(ctx, 1);
  const Shape& ms = out[1].dptr != nullptr ? out[1].shape : MaskShape(p, x.shape);
  std::vector<C> mask(static_cast<size_t>(ms.Size()), C(1));
  if (Active(p, ctx) && !mask.empty()) {
    MX_CHECK(ctx.rng != nullptr, Internal) << "Dropout: no random generator in the op context";
    const double keep = 1.0 - static_cast<double>(p.p);
    const C scale = keep > 0 ? static_cast<C>(1.0 / keep) : C(0);
    auto& eng = ctx.rng->engine;
    for (C& v : mask) {
      const double u = static_cast<double>(eng() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
      v = u < keep ? scale : C(0);
    }
  }
  if (req_mask != OpReq::kNull) {
    T* mo = out[1].ptr<T>();
    for (size_t i = 0; i < mask.size(); ++i) StoreReq(req_mask, mo + i, static_cast<T>(mask[i]));
  }
  if (req == OpReq::kNull) return;
  const T* xi = x.ptr<T>();
  T* y = out[0].ptr<T>();
  ForEachRun(x.shape, ms, ctx.nthreads, [&](int64_t off, int64_t moff, int64_t len, int64_t step) {
    for (int64_t i = 0; i < len; ++i) {
      const C v = static_cast<C>(xi[off + i]) * mask[moff + i * step];
      StoreReq(req, y + off + i, static_cast<T>(v));
    }
  });
}

void ForwardDropout(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const auto& p = ParamAs<DropoutParam>(base);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "Dropout", { DropoutForwardTyped<T>(p, ctx, in[0], out); });
}

void BackwardDropout(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                     std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                     std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "Dropout", {
    using C = Compute<T>;
    const T* dy = out_grads[0].ptr<T>();
    const T* mask = outputs[1].ptr<T>();
    T* dx = in_grads[0].ptr<T>();
    ForEachRun(inputs[0].shape, outputs[1].shape, ctx.nthreads,
               [&](int64_t off, int64_t moff, int64_t len, int64_t step) {
                 for (int64_t i = 0; i < len; ++i) {
                   const C v = static_cast<C>(dy[off + i]) * static_cast<C>(mask[moff + i * step]);
                   StoreReq(req, dx + off + i, static_cast<T>(v));
                 }
               });
  });
}

}  // namespace

MX_REGISTER_KERNEL(Dropout, (OpKernel{.infer = InferDropout, .forward = ForwardDropout,
                                      .backward = BackwardDropout}));

}  // namespace mixnet::op
