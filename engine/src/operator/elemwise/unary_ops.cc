// Element-wise unary ops (abs, exp, sin, rint, erfinv, ...): shape/dtype inference, the CPU
// forward, and their registration. The math of each op lives in unary_math.h.
//
// The forward is one contiguous loop per chunk of the array, parallel over the intra-op threads
// for large arrays. float32/float64 loops call the inline functor directly so GCC vectorises the
// cheap ones; float16/bfloat16 go through float32 blocks; integers call ApplyUnaryInt.
#include <algorithm>
#include <span>

#include "operator/elemwise/elemwise_util.h"
#include "operator/elemwise/unary_math.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "ops/elemwise_unary.h"

namespace mixnet::op::elemwise {
namespace {

template <typename Op, typename T, OpReq R>
void UnaryLoop(const T* in, T* out, int64_t n) {
  if constexpr (kIsHalf<T>) {
    float buf[kHalfBlock];
    for (int64_t i = 0; i < n; i += kHalfBlock) {
      const int64_t m = std::min(kHalfBlock, n - i);
      ToFloat(in + i, buf, m);
      for (int64_t j = 0; j < m; ++j) buf[j] = Op::Map(buf[j]);
      FromFloat<R>(buf, out + i, m);
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    for (int64_t i = 0; i < n; ++i) StoreReq<R>(out[i], Op::template Map<T>(in[i]));
  } else {
    for (int64_t i = 0; i < n; ++i) StoreReq<R>(out[i], ApplyUnaryInt<Op, T>(in[i]));
  }
}

template <typename P, typename Op>
void InferUnary(const ParamBase&, InferIO& io) {
  MX_CHECK(io.in_shapes.size() == 1 && io.in_types.size() == 1, Internal)
      << P::kOpName << ": expects 1 input, got " << io.in_shapes.size();
  if (io.in_types[0] == DType::kBool && !Op::kBool) {
    MX_THROW(TypeError) << P::kOpName << ": dtype bool is not supported";
  }
  io.out_shapes.assign(1, io.in_shapes[0]);
  io.out_types.assign(1, io.in_types[0]);
}

template <typename P, typename Op>
void UnaryForward(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  const TBlob& x = in[0];
  const TBlob& y = out[0];
  const int64_t n = y.Size();
  MX_TYPE_SWITCH(x.dtype, T, {
    if constexpr (std::is_same_v<T, bool> && !Op::kBool) {
      MX_THROW(TypeError) << P::kOpName << ": dtype bool is not supported";
    } else {
      const T* src = x.ptr<T>();
      T* dst = y.ptr<T>();
      MX_REQ_SWITCH(OutputReq(ctx), R, {
        ParallelFor(n, ctx.nthreads, [&](int64_t b, int64_t e) {
          UnaryLoop<Op, T, R>(src + b, dst + b, e - b);
        });
      });
    }
  });
}

template <typename P, typename Op>
constexpr OpKernel UnaryKernel() {
  return OpKernel{.infer = InferUnary<P, Op>, .forward = UnaryForward<P, Op>, .cheap = true};
}

}  // namespace

MX_REGISTER_KERNEL(abs, UnaryKernel<AbsParam, AbsOp>());
MX_REGISTER_KERNEL(negative, UnaryKernel<NegativeParam, NegativeOp>());
MX_REGISTER_KERNEL(exp, UnaryKernel<ExpParam, ExpOp>());
MX_REGISTER_KERNEL(log, UnaryKernel<LogParam, LogOp>());
MX_REGISTER_KERNEL(log1p, UnaryKernel<Log1pParam, Log1pOp>());
MX_REGISTER_KERNEL(expm1, UnaryKernel<Expm1Param, Expm1Op>());
MX_REGISTER_KERNEL(log2, UnaryKernel<Log2Param, Log2Op>());
MX_REGISTER_KERNEL(log10, UnaryKernel<Log10Param, Log10Op>());
MX_REGISTER_KERNEL(sqrt, UnaryKernel<SqrtParam, SqrtOp>());
MX_REGISTER_KERNEL(rsqrt, UnaryKernel<RsqrtParam, RsqrtOp>());
MX_REGISTER_KERNEL(cbrt, UnaryKernel<CbrtParam, CbrtOp>());
MX_REGISTER_KERNEL(rcbrt, UnaryKernel<RcbrtParam, RcbrtOp>());
MX_REGISTER_KERNEL(square, UnaryKernel<SquareParam, SquareOp>());
MX_REGISTER_KERNEL(reciprocal, UnaryKernel<ReciprocalParam, ReciprocalOp>());
MX_REGISTER_KERNEL(sin, UnaryKernel<SinParam, SinOp>());
MX_REGISTER_KERNEL(cos, UnaryKernel<CosParam, CosOp>());
MX_REGISTER_KERNEL(tan, UnaryKernel<TanParam, TanOp>());
MX_REGISTER_KERNEL(arcsin, UnaryKernel<ArcsinParam, ArcsinOp>());
MX_REGISTER_KERNEL(arccos, UnaryKernel<ArccosParam, ArccosOp>());
MX_REGISTER_KERNEL(arctan, UnaryKernel<ArctanParam, ArctanOp>());
MX_REGISTER_KERNEL(sinh, UnaryKernel<SinhParam, SinhOp>());
MX_REGISTER_KERNEL(cosh, UnaryKernel<CoshParam, CoshOp>());
MX_REGISTER_KERNEL(tanh, UnaryKernel<TanhParam, TanhOp>());
MX_REGISTER_KERNEL(arcsinh, UnaryKernel<ArcsinhParam, ArcsinhOp>());
MX_REGISTER_KERNEL(arccosh, UnaryKernel<ArccoshParam, ArccoshOp>());
MX_REGISTER_KERNEL(arctanh, UnaryKernel<ArctanhParam, ArctanhOp>());
MX_REGISTER_KERNEL(degrees, UnaryKernel<DegreesParam, DegreesOp>());
MX_REGISTER_KERNEL(radians, UnaryKernel<RadiansParam, RadiansOp>());
MX_REGISTER_KERNEL(sigmoid, UnaryKernel<SigmoidParam, SigmoidOp>());
MX_REGISTER_KERNEL(relu, UnaryKernel<ReluParam, ReluOp>());
MX_REGISTER_KERNEL(softsign, UnaryKernel<SoftsignParam, SoftsignOp>());
MX_REGISTER_KERNEL(erf, UnaryKernel<ErfParam, ErfOp>());
MX_REGISTER_KERNEL(erfinv, UnaryKernel<ErfinvParam, ErfinvOp>());
MX_REGISTER_KERNEL(gamma, UnaryKernel<GammaParam, GammaOp>());
MX_REGISTER_KERNEL(gammaln, UnaryKernel<GammalnParam, GammalnOp>());
MX_REGISTER_KERNEL(floor, UnaryKernel<FloorParam, FloorOp>());
MX_REGISTER_KERNEL(ceil, UnaryKernel<CeilParam, CeilOp>());
MX_REGISTER_KERNEL(round, UnaryKernel<RoundParam, RoundOp>());
MX_REGISTER_KERNEL(rint, UnaryKernel<RintParam, RintOp>());
MX_REGISTER_KERNEL(trunc, UnaryKernel<TruncParam, TruncOp>());
MX_REGISTER_KERNEL(fix, UnaryKernel<FixParam, FixOp>());
MX_REGISTER_KERNEL(sign, UnaryKernel<SignParam, SignOp>());
MX_REGISTER_KERNEL(logical_not, UnaryKernel<LogicalNotParam, LogicalNotOp>());

}  // namespace mixnet::op::elemwise
