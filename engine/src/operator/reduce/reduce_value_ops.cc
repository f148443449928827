// sum (sum_axis), mean, prod, nansum, nanprod, max (max_axis), min (min_axis): reductions over
// a set of axes with MXNet 1.x's axis / keepdims / exclude parameters. The output keeps the
// input dtype (integer mean truncates, as MXNet's does).
#include <cmath>
#include <span>

#include "ops/reduce.h"
#include "operator/op.h"
#include "operator/reduce/reduce_axes.h"
#include "operator/reduce/reduce_grad.h"
#include "operator/reduce/reduce_kernel.h"
#include "operator/reduce/reducers.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using reduce::Collapse;
using reduce::Collapsed;
using reduce::ResolveAxes;

enum class Kind { kSum, kMean, kProd, kNanSum, kNanProd, kMax, kMin };

template <typename T>
using SumAccOf = typename reduce::SumAcc<T>::type;
template <typename T>
using CompareAccOf = typename reduce::CompareAcc<T>::type;

// The reducer policy (reducers.h) of each op for input dtype T.
template <Kind K, typename T>
struct ReducerFor;
template <typename T>
struct ReducerFor<Kind::kSum, T> { using type = reduce::SumReducer<SumAccOf<T>>; };
template <typename T>
struct ReducerFor<Kind::kMean, T> { using type = reduce::SumReducer<SumAccOf<T>>; };
template <typename T>
struct ReducerFor<Kind::kProd, T> { using type = reduce::ProdReducer<SumAccOf<T>>; };
template <typename T>
struct ReducerFor<Kind::kNanSum, T> { using type = reduce::NanSumReducer<SumAccOf<T>>; };
template <typename T>
struct ReducerFor<Kind::kNanProd, T> { using type = reduce::NanProdReducer<SumAccOf<T>>; };
template <typename T>
struct ReducerFor<Kind::kMax, T> { using type = reduce::MaxReducer<CompareAccOf<T>>; };
template <typename T>
struct ReducerFor<Kind::kMin, T> { using type = reduce::MinReducer<CompareAccOf<T>>; };

template <Kind K, typename T>
void RunReduce(const T* in, const Collapsed& c, T* out, OpReq req, int nthreads) {
  using R = typename ReducerFor<K, T>::type;
  using A = typename R::Acc;
  const int64_t count = c.ReducedCount();
  reduce::ReduceCollapsed<R>(in, c, nthreads, [&](int64_t k, A acc) {
    if constexpr (K == Kind::kMean) {
      if constexpr (std::is_integral_v<A>) {
        acc = count == 0 ? A(0) : static_cast<A>(acc / count);
      } else {
        acc = acc / static_cast<A>(count);  // 0/0 -> NaN for an empty reduction, like NumPy
      }
    }
    StoreReq(req, out + k, reduce::FromAcc<T>(acc));
  });
}

// Op names for messages (the infer function has no OpContext).
template <Kind K>
constexpr const char* kKindName = "";
template <> constexpr const char* kKindName<Kind::kSum> = "sum";
template <> constexpr const char* kKindName<Kind::kMean> = "mean";
template <> constexpr const char* kKindName<Kind::kProd> = "prod";
template <> constexpr const char* kKindName<Kind::kNanSum> = "nansum";
template <> constexpr const char* kKindName<Kind::kNanProd> = "nanprod";
template <> constexpr const char* kKindName<Kind::kMax> = "max";
template <> constexpr const char* kKindName<Kind::kMin> = "min";

template <Kind K, typename P>
void InferReduce(const ParamBase& base, InferIO& io) {
  const P& p = ParamAs<P>(base);
  const Shape& in = io.in_shapes.at(0);
  if constexpr (K == Kind::kMax || K == Kind::kMin) {
    // There is no identity to return for an empty max/min; MXNet rejects it too.
    MX_CHECK(in.Size() > 0, ValueError)
        << kKindName<K> << ": cannot reduce an empty array of shape " << in;
  }
  io.out_shapes = {ResolveAxes(kKindName<K>, in, p.axis, p.keepdims, p.exclude).out_shape};
  io.out_types = {io.in_types.at(0)};
}

template <Kind K, typename P>
void ForwardReduce(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const P& p = ParamAs<P>(base);
  const TBlob& x = in[0];
  auto axes = ResolveAxes(kKindName<K>, x.shape, p.axis, p.keepdims, p.exclude);
  const Collapsed c = Collapse(x.shape, axes.reduced);
  MX_TYPE_SWITCH(x.dtype, T, {
    RunReduce<K, T>(x.ptr<T>(), c, out[0].ptr<T>(), req, ctx.nthreads);
  });
}

// d input[i] = head[o] * dy/dx[i] for the output o that element i reduces into:
//   sum 1, nansum 1 (0 at NaN), mean 1/count, prod y/x, nanprod y/x (0 at NaN),
//   max/min 1 where x equals the result (every tied position, as MXNet), else 0.
// Computed in float64 for float64, float32 otherwise (half/bfloat16 round once at the end).
template <Kind K, typename T>
void ReduceGradTyped(const T* x, const T* y, const T* g, T* gx, const Collapsed& c, OpReq req,
                     int nthreads) {
  using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
  const C inv_count = c.ReducedCount() == 0 ? C(0) : C(1) / static_cast<C>(c.ReducedCount());
  reduce::ForEachReducedRun(c, nthreads, [&](int64_t i0, int64_t i1, int64_t o, int64_t step) {
    for (int64_t i = i0; i < i1; ++i, o += step) {
      const C xv = static_cast<C>(x[i]);
      const C gv = static_cast<C>(g[o]);
      C v;
      if constexpr (K == Kind::kSum) {
        v = gv;
      } else if constexpr (K == Kind::kMean) {
        v = gv * inv_count;
      } else if constexpr (K == Kind::kNanSum) {
        v = std::isnan(xv) ? C(0) : gv;
      } else if constexpr (K == Kind::kProd) {
        v = gv * static_cast<C>(y[o]) / xv;
      } else if constexpr (K == Kind::kNanProd) {
        v = std::isnan(xv) ? C(0) : gv * static_cast<C>(y[o]) / xv;
      } else {
        v = xv == static_cast<C>(y[o]) ? gv : C(0);
      }
      StoreReq(req, gx + i, T(v));
    }
  });
}

template <Kind K, typename P>
void BackwardReduce(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                    std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const P& p = ParamAs<P>(base);
  const TBlob& x = inputs[0];
  auto axes = ResolveAxes(kKindName<K>, x.shape, p.axis, p.keepdims, p.exclude);
  const Collapsed c = Collapse(x.shape, axes.reduced);
  MX_FLOAT_TYPE_SWITCH(x.dtype, T, kKindName<K>, {
    ReduceGradTyped<K, T>(x.ptr<T>(), outputs[0].ptr<T>(), out_grads[0].ptr<T>(),
                          in_grads[0].ptr<T>(), c, req, ctx.nthreads);
  });
}

template <Kind K, typename P>
constexpr OpKernel ReduceKernel() {
  return OpKernel{.infer = InferReduce<K, P>, .forward = ForwardReduce<K, P>,
                  .backward = BackwardReduce<K, P>};
}

}  // namespace

MX_REGISTER_KERNEL(sum, ReduceKernel<Kind::kSum, SumParam>());
MX_REGISTER_KERNEL(mean, ReduceKernel<Kind::kMean, MeanParam>());
MX_REGISTER_KERNEL(prod, ReduceKernel<Kind::kProd, ProdParam>());
MX_REGISTER_KERNEL(nansum, ReduceKernel<Kind::kNanSum, NansumParam>());
MX_REGISTER_KERNEL(nanprod, ReduceKernel<Kind::kNanProd, NanprodParam>());
MX_REGISTER_KERNEL(max, ReduceKernel<Kind::kMax, MaxParam>());
MX_REGISTER_KERNEL(min, ReduceKernel<Kind::kMin, MinParam>());

}  // namespace mixnet::op
