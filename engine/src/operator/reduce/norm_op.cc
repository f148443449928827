// norm: the L1 (sum of |x|) or L2 (square root of the sum of squares) norm over axes, MXNet 1.x
// style: no axis means the flattened array with result shape (1,); out_dtype picks the result
// dtype. Accumulates in float64 (float32 for the 16-bit float types, like the other reductions).
#include <cmath>
#include <span>
#include <vector>

#include "ops/reduce.h"
#include "operator/op.h"
#include "operator/reduce/reduce_axes.h"
#include "operator/reduce/reduce_grad.h"
#include "operator/reduce/reduce_kernel.h"
#include "operator/reduce/reducers.h"
#include "operator/shape/cast_value.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// The norms in float64, one per output (outputs are few next to inputs, so the extra buffer is
// cheap and keeps the kernel instantiations at one per input dtype instead of in x out).
template <int kOrd, typename T>
std::vector<double> RunNorm(const T* in, const reduce::Collapsed& c, int nthreads) {
  using A = typename reduce::NormAcc<T>::type;
  using R = std::conditional_t<kOrd == 1, reduce::AbsSumReducer<A>, reduce::SquareSumReducer<A>>;
  std::vector<double> norms(static_cast<size_t>(c.KeptCount()), 0.0);
  reduce::ReduceCollapsed<R>(in, c, nthreads, [&](int64_t k, A acc) {
    norms[k] = kOrd == 2 ? std::sqrt(static_cast<double>(acc)) : static_cast<double>(acc);
  });
  return norms;
}

void InferNorm(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<NormParam>(base);
  MX_CHECK(p.ord == 1 || p.ord == 2, ValueError)
      << "norm: ord must be 1 or 2, got " << p.ord;
  const Shape& in = io.in_shapes.at(0);
  io.out_shapes = {reduce::ResolveAxes("norm", in, p.axis, p.keepdims, false).out_shape};
  io.out_types = {p.out_dtype.value_or(io.in_types.at(0))};
}

void ForwardNorm(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<NormParam>(base);
  const TBlob& x = in[0];
  auto axes = reduce::ResolveAxes("norm", x.shape, p.axis, p.keepdims, false);
  const reduce::Collapsed c = reduce::Collapse(x.shape, axes.reduced);
  std::vector<double> norms;
  MX_TYPE_SWITCH(x.dtype, T, {
    norms = p.ord == 1 ? RunNorm<1>(x.ptr<T>(), c, ctx.nthreads)
                       : RunNorm<2>(x.ptr<T>(), c, ctx.nthreads);
  });
  MX_TYPE_SWITCH(out[0].dtype, O, {
    O* y = out[0].ptr<O>();
    for (size_t k = 0; k < norms.size(); ++k) StoreReq(req, y + k, reduce::FromAcc<O>(norms[k]));
  });
}

// d|x|_1 = sign(x) (0 at 0, as MXNet); d|x|_2 = x / |x|_2 (0 where the norm is 0). The norms and
// head gradients are read as float64 first: out_dtype may differ from the input's dtype.
void BackwardNorm(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                  std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<NormParam>(base);
  const TBlob& x = inputs[0];
  auto axes = reduce::ResolveAxes("norm", x.shape, p.axis, p.keepdims, false);
  const reduce::Collapsed c = reduce::Collapse(x.shape, axes.reduced);
  const size_t n_out = static_cast<size_t>(outputs[0].Size());
  std::vector<double> y(n_out), g(n_out);
  MX_TYPE_SWITCH(outputs[0].dtype, O, {
    const O* yp = outputs[0].ptr<O>();
    const O* gp = out_grads[0].ptr<O>();
    for (size_t k = 0; k < n_out; ++k) {
      y[k] = CastValue<double>(yp[k]);
      g[k] = CastValue<double>(gp[k]);
    }
  });
  const bool l1 = p.ord == 1;
  MX_FLOAT_TYPE_SWITCH(x.dtype, T, "norm", {
    const T* xp = x.ptr<T>();
    T* gx = in_grads[0].ptr<T>();
    reduce::ForEachReducedRun(c, ctx.nthreads, [&](int64_t i0, int64_t i1, int64_t o,
                                                   int64_t step) {
      for (int64_t i = i0; i < i1; ++i, o += step) {
        const double xd = CastValue<double>(xp[i]);
        double v;
        if (l1) {
          v = xd > 0 ? g[o] : (xd < 0 ? -g[o] : 0.0);
        } else {
          v = y[o] == 0 ? 0.0 : g[o] * xd / y[o];
        }
        StoreReq(req, gx + i, reduce::FromAcc<T>(v));
      }
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(norm, (OpKernel{.infer = InferNorm, .forward = ForwardNorm,
                                   .backward = BackwardNorm}));

}  // namespace mixnet::op
