// Element-wise unary ops (abs, exp, sin, rint, erfinv, ...): shape/dtype inference, the CPU
// forward and backward, and their registration. The math of each op lives in unary_math.h, its
// derivative in unary_grad_math.h. Rounding, sign and logical_not have a zero gradient and are
// registered without a backward (autograd treats their outputs as constants).
//
// The forward is one contiguous loop per chunk of the array, parallel over the intra-op threads
// for large arrays. float32/float64 loops call the inline functor directly so GCC vectorises the
// cheap ones; float16/bfloat16 go through float32 blocks; integers call ApplyUnaryInt.
#include <algorithm>
#include <span>

#include "operator/elemwise/elemwise_util.h"
#include "operator/elemwise/unary_grad_math.h"
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

// in_grad (op) = out_grad * G(x, y), floats only; float16/bfloat16 through float32 blocks.
template <typename G, typename T, OpReq R>
void UnaryGradLoop(const T* gy, const T* x, const T* y, T* gx, int64_t n) {
  if constexpr (kIsHalf<T>) {
    float gb[kHalfBlock];
    float xb[kHalfBlock];
    float yb[kHalfBlock];
    for (int64_t i = 0; i < n; i += kHalfBlock) {
      const int64_t m = std::min(kHalfBlock, n - i);
      ToFloat(gy + i, gb, m);
      ToFloat(x + i, xb, m);
      ToFloat(y + i, yb, m);
      for (int64_t j = 0; j < m; ++j) gb[j] *= G::template Map<float>(xb[j], yb[j]);
      FromFloat<R>(gb, gx + i, m);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) StoreReq<R>(gx[i], gy[i] * G::template Map<T>(x[i], y[i]));
  }
}

template <typename P, typename G>
void UnaryBackward(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                   std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                   std::span<const TBlob> in_grads) {
  const OpReq req = OutputReq(ctx, 0);
  if (req == OpReq::kNull) return;
  const TBlob& gx = in_grads[0];
  const int64_t n = gx.Size();
  if (n == 0) return;
  MX_FLOAT_TYPE_SWITCH(gx.dtype, T, P::kOpName, {
    const T* gy = out_grads[0].ptr<T>();
    const T* x = inputs[0].ptr<T>();
    const T* y = outputs[0].ptr<T>();
    T* dst = gx.ptr<T>();
    MX_REQ_SWITCH(req, R, {
      ParallelFor(n, ctx.nthreads, [&](int64_t b, int64_t e) {
        UnaryGradLoop<G, T, R>(gy + b, x + b, y + b, dst + b, e - b);
      });
    });
  });
}

// An op with a zero gradient: no backward.
template <typename P, typename Op>
constexpr OpKernel UnaryKernel() {
  return OpKernel{.infer = InferUnary<P, Op>, .forward = UnaryForward<P, Op>, .cheap = true};
}

template <typename P, typename Op, typename G>
constexpr OpKernel UnaryKernel() {
  return OpKernel{.infer = InferUnary<P, Op>,
                  .forward = UnaryForward<P, Op>,
                  .backward = UnaryBackward<P, G>,
                  .cheap = true};
}

}  // namespace

MX_REGISTER_KERNEL(abs, UnaryKernel<AbsParam, AbsOp, AbsGrad>());
MX_REGISTER_KERNEL(negative, UnaryKernel<NegativeParam, NegativeOp, NegativeGrad>());
MX_REGISTER_KERNEL(exp, UnaryKernel<ExpParam, ExpOp, ExpGrad>());
MX_REGISTER_KERNEL(log, UnaryKernel<LogParam, LogOp, LogGrad>());
MX_REGISTER_KERNEL(log1p, UnaryKernel<Log1pParam, Log1pOp, Log1pGrad>());
MX_REGISTER_KERNEL(expm1, UnaryKernel<Expm1Param, Expm1Op, Expm1Grad>());
MX_REGISTER_KERNEL(log2, UnaryKernel<Log2Param, Log2Op, Log2Grad>());
MX_REGISTER_KERNEL(log10, UnaryKernel<Log10Param, Log10Op, Log10Grad>());
MX_REGISTER_KERNEL(sqrt, UnaryKernel<SqrtParam, SqrtOp, SqrtGrad>());
MX_REGISTER_KERNEL(rsqrt, UnaryKernel<RsqrtParam, RsqrtOp, RsqrtGrad>());
MX_REGISTER_KERNEL(cbrt, UnaryKernel<CbrtParam, CbrtOp, CbrtGrad>());
MX_REGISTER_KERNEL(rcbrt, UnaryKernel<RcbrtParam, RcbrtOp, RcbrtGrad>());
MX_REGISTER_KERNEL(square, UnaryKernel<SquareParam, SquareOp, SquareGrad>());
MX_REGISTER_KERNEL(reciprocal, UnaryKernel<ReciprocalParam, ReciprocalOp, ReciprocalGrad>());
MX_REGISTER_KERNEL(sin, UnaryKernel<SinParam, SinOp, SinGrad>());
MX_REGISTER_KERNEL(cos, UnaryKernel<CosParam, CosOp, CosGrad>());
MX_REGISTER_KERNEL(tan, UnaryKernel<TanParam, TanOp, TanGrad>());
MX_REGISTER_KERNEL(arcsin, UnaryKernel<ArcsinParam, ArcsinOp, ArcsinGrad>());
MX_REGISTER_KERNEL(arccos, UnaryKernel<ArccosParam, ArccosOp, ArccosGrad>());
MX_REGISTER_KERNEL(arctan, UnaryKernel<ArctanParam, ArctanOp, ArctanGrad>());
MX_REGISTER_KERNEL(sinh, UnaryKernel<SinhParam, SinhOp, SinhGrad>());
MX_REGISTER_KERNEL(cosh, UnaryKernel<CoshParam, CoshOp, CoshGrad>());
MX_REGISTER_KERNEL(tanh, UnaryKernel<TanhParam, TanhOp, TanhGrad>());
MX_REGISTER_KERNEL(arcsinh, UnaryKernel<ArcsinhParam, ArcsinhOp, ArcsinhGrad>());
MX_REGISTER_KERNEL(arccosh, UnaryKernel<ArccoshParam, ArccoshOp, ArccoshGrad>());
MX_REGISTER_KERNEL(arctanh, UnaryKernel<ArctanhParam, ArctanhOp, ArctanhGrad>());
MX_REGISTER_KERNEL(degrees, UnaryKernel<DegreesParam, DegreesOp, DegreesGrad>());
MX_REGISTER_KERNEL(radians, UnaryKernel<RadiansParam, RadiansOp, RadiansGrad>());
MX_REGISTER_KERNEL(sigmoid, UnaryKernel<SigmoidParam, SigmoidOp, SigmoidGrad>());
MX_REGISTER_KERNEL(relu, UnaryKernel<ReluParam, ReluOp, ReluGrad>());
MX_REGISTER_KERNEL(softsign, UnaryKernel<SoftsignParam, SoftsignOp, SoftsignGrad>());
MX_REGISTER_KERNEL(erf, UnaryKernel<ErfParam, ErfOp, ErfGrad>());
MX_REGISTER_KERNEL(erfinv, UnaryKernel<ErfinvParam, ErfinvOp, ErfinvGrad>());
MX_REGISTER_KERNEL(gamma, UnaryKernel<GammaParam, GammaOp, GammaGrad>());
MX_REGISTER_KERNEL(gammaln, UnaryKernel<GammalnParam, GammalnOp, GammalnGrad>());
MX_REGISTER_KERNEL(floor, UnaryKernel<FloorParam, FloorOp>());
MX_REGISTER_KERNEL(ceil, UnaryKernel<CeilParam, CeilOp>());
MX_REGISTER_KERNEL(round, UnaryKernel<RoundParam, RoundOp>());
MX_REGISTER_KERNEL(rint, UnaryKernel<RintParam, RintOp>());
MX_REGISTER_KERNEL(trunc, UnaryKernel<TruncParam, TruncOp>());
MX_REGISTER_KERNEL(fix, UnaryKernel<FixParam, FixOp>());
MX_REGISTER_KERNEL(sign, UnaryKernel<SignParam, SignOp>());
MX_REGISTER_KERNEL(logical_not, UnaryKernel<LogicalNotParam, LogicalNotOp>());

}  // namespace mixnet::op::elemwise
