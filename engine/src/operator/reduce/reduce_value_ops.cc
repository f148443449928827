// sum (sum_axis), mean, prod, nansum, nanprod, max (max_axis), min (min_axis): reductions over
// a set of axes with MXNet 1.x's axis / keepdims / exclude parameters. The output keeps the
// input dtype (integer mean truncates, as MXNet's does).
#include <span>

#include "ops/reduce.h"
#include "operator/op.h"
#include "operator/reduce/reduce_axes.h"
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

template <Kind K, typename P>
constexpr OpKernel ReduceKernel() {
  return OpKernel{.infer = InferReduce<K, P>, .forward = ForwardReduce<K, P>};
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
