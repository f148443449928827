// Binary ops with a scalar operand (_plus_scalar, _rminus_scalar, _greater_scalar, ...).
//
// Types follow MXNet 1.9's legacy scalar ops: the output keeps the input dtype and the scalar is
// converted to it first (so int32 + 2.5 adds 2 and a float16 input sees the scalar rounded to
// float16), except that an integer input with is_int=False is computed and returned in float64,
// and a bool input becomes int64 (is_int=True) or float64. The "r" ops put the scalar on the
// left (_rminus_scalar: scalar - data). The loop is BinarySegment with one scalar operand.
// Gradients (floating inputs only) reuse the binary ops' derivatives (binary_grad_math.h) with
// the scalar, converted as in the forward, as the other operand; comparisons and logical ops
// have a zero gradient and no backward.
#include <algorithm>
#include <span>
#include <type_traits>

#include "operator/elemwise/binary_grad_math.h"
#include "operator/elemwise/binary_kernel.h"
#include "ops/elemwise_binary.h"

namespace mixnet::op::elemwise {
namespace {

bool IsIntDType(DType t) {
  return t == DType::kUint8 || t == DType::kInt8 || t == DType::kInt32 || t == DType::kInt64;
}

// The scalar as an element of the output dtype (MXNet: DType(scalar)).
template <typename T>
T ScalarAs(double v) {
  if constexpr (kIsHalf<T>) {
    return T(static_cast<float>(v));
  } else {
    return SaturateCast<T>(v);
  }
}

template <typename Op, typename T, OpReq R, bool kReverse>
void ScalarSegment(const T* x, const T& s, T* out, int64_t n) {
  if constexpr (kReverse) {
    BinarySegment<Op, T, R, true, false>(&s, x, out, n);
  } else {
    BinarySegment<Op, T, R, false, true>(x, &s, out, n);
  }
}

// Same dtype in and out.
template <typename Op, typename T, OpReq R, bool kReverse>
void ScalarCompute(const OpContext& ctx, const TBlob& in, const TBlob& out, double scalar) {
  const T s = ScalarAs<T>(scalar);
  const T* x = in.ptr<T>();
  T* y = out.ptr<T>();
  ParallelFor(out.Size(), ctx.nthreads, [&](int64_t b, int64_t e) {
    ScalarSegment<Op, T, R, kReverse>(x + b, s, y + b, e - b);
  });
}

// An integer/bool input computed in the output dtype TO (float64 or int64): blocks of the input
// are converted first.
template <typename Op, typename TI, typename TO, OpReq R, bool kReverse>
void ScalarComputeCast(const OpContext& ctx, const TBlob& in, const TBlob& out, double scalar) {
  const TO s = ScalarAs<TO>(scalar);
  const TI* x = in.ptr<TI>();
  TO* y = out.ptr<TO>();
  ParallelFor(out.Size(), ctx.nthreads, [&](int64_t b, int64_t e) {
    constexpr int64_t kBlock = 512;
    TO buf[kBlock];
    for (int64_t i = b; i < e; i += kBlock) {
      const int64_t m = std::min(kBlock, e - i);
      for (int64_t j = 0; j < m; ++j) buf[j] = static_cast<TO>(x[i + j]);
      ScalarSegment<Op, TO, R, kReverse>(buf, s, y + i, m);
    }
  });
}

template <typename P>
void InferScalar(const ParamBase& base, InferIO& io) {
  MX_CHECK(io.in_shapes.size() == 1 && io.in_types.size() == 1, Internal)
      << P::kOpName << ": expects 1 input, got " << io.in_shapes.size();
  const auto& p = ParamAs<P>(base);
  const DType in = io.in_types[0];
  DType out = in;
  if (IsIntDType(in) && !p.is_int) {
    out = DType::kFloat64;
  } else if (in == DType::kBool) {
    out = p.is_int ? DType::kInt64 : DType::kFloat64;
  }
  io.out_shapes.assign(1, io.in_shapes[0]);
  io.out_types.assign(1, out);
}

template <typename P, typename Op, bool kReverse>
void ScalarForward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const auto& p = ParamAs<P>(base);
  const TBlob& x = in[0];
  const TBlob& y = out[0];
  if (y.Size() == 0) return;
  MX_REQ_SWITCH(OutputReq(ctx), R, {
    if (x.dtype == y.dtype) {
      MX_TYPE_SWITCH(x.dtype, T, {
        if constexpr (std::is_same_v<T, bool>) {
          MX_THROW(Internal) << P::kOpName << ": bool output";
        } else {
          ScalarCompute<Op, T, R, kReverse>(ctx, x, y, p.scalar);
        }
      });
    } else if (y.dtype == DType::kFloat64) {
      switch (x.dtype) {
        case DType::kUint8:
          ScalarComputeCast<Op, uint8_t, double, R, kReverse>(ctx, x, y, p.scalar);
          break;
        case DType::kInt8:
          ScalarComputeCast<Op, int8_t, double, R, kReverse>(ctx, x, y, p.scalar);
          break;
        case DType::kInt32:
          ScalarComputeCast<Op, int32_t, double, R, kReverse>(ctx, x, y, p.scalar);
          break;
        case DType::kInt64:
          ScalarComputeCast<Op, int64_t, double, R, kReverse>(ctx, x, y, p.scalar);
          break;
        case DType::kBool:
          ScalarComputeCast<Op, bool, double, R, kReverse>(ctx, x, y, p.scalar);
          break;
        default:
          MX_THROW(Internal) << P::kOpName << ": unexpected input dtype " << DTypeName(x.dtype);
      }
    } else if (y.dtype == DType::kInt64 && x.dtype == DType::kBool) {
      ScalarComputeCast<Op, bool, int64_t, R, kReverse>(ctx, x, y, p.scalar);
    } else {
      MX_THROW(Internal) << P::kOpName << ": unexpected dtypes " << DTypeName(x.dtype) << " -> "
                         << DTypeName(y.dtype);
    }
  });
}

template <typename P, typename Op, bool kReverse = false>
constexpr OpKernel ScalarKernel() {
  return OpKernel{
      .infer = InferScalar<P>, .forward = ScalarForward<P, Op, kReverse>, .cheap = true};
}

// in_grad = out_grad * d op(x, s) / dx (or d op(s, x) / dx when reversed).
template <typename P, typename G, bool kReverse>
void ScalarBackward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                    std::span<const TBlob> in_grads) {
  const OpReq req = OutputReq(ctx, 0);
  if (req == OpReq::kNull) return;
  const TBlob& gx = in_grads[0];
  const int64_t n = gx.Size();
  if (n == 0) return;
  if (inputs[0].dtype != outputs[0].dtype) {
    MX_THROW(TypeError) << P::kOpName << ": no gradient for input dtype "
                        << DTypeName(inputs[0].dtype) << " (floating dtypes only)";
  }
  const auto& p = ParamAs<P>(base);
  MX_FLOAT_TYPE_SWITCH(gx.dtype, T, P::kOpName, {
    using C = ComputeOf<T>;
    const C s = static_cast<C>(ScalarAs<T>(p.scalar));
    const T* gy = out_grads[0].ptr<T>();
    const T* x = inputs[0].ptr<T>();
    const T* y = outputs[0].ptr<T>();
    T* dst = gx.ptr<T>();
    MX_REQ_SWITCH(req, R, {
      ParallelFor(n, ctx.nthreads, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const C xv = static_cast<C>(x[i]);
          const C yv = static_cast<C>(y[i]);
          const C d = kReverse ? G::template R<C>(s, xv, yv) : G::template L<C>(xv, s, yv);
          StoreReq<R>(dst[i], static_cast<T>(static_cast<C>(gy[i]) * d));
        }
      });
    });
  });
}

template <typename P, typename Op, typename G, bool kReverse = false>
constexpr OpKernel ScalarGradKernel() {
  OpKernel k = ScalarKernel<P, Op, kReverse>();
  k.backward = ScalarBackward<P, G, kReverse>;
  return k;
}

constexpr bool kReversed = true;

}  // namespace

MX_REGISTER_KERNEL(_plus_scalar, ScalarGradKernel<PlusScalarParam, PlusOp, PlusGrad>());
MX_REGISTER_KERNEL(_minus_scalar, ScalarGradKernel<MinusScalarParam, MinusOp, MinusGrad>());
MX_REGISTER_KERNEL(_rminus_scalar,
                   ScalarGradKernel<RminusScalarParam, MinusOp, MinusGrad, kReversed>());
MX_REGISTER_KERNEL(_mul_scalar, ScalarGradKernel<MulScalarParam, MulOp, MulGrad>());
MX_REGISTER_KERNEL(_div_scalar, ScalarGradKernel<DivScalarParam, DivOp, DivGrad>());
MX_REGISTER_KERNEL(_rdiv_scalar, ScalarGradKernel<RdivScalarParam, DivOp, DivGrad, kReversed>());
MX_REGISTER_KERNEL(_mod_scalar, ScalarGradKernel<ModScalarParam, ModOp, ModGrad>());
MX_REGISTER_KERNEL(_rmod_scalar, ScalarGradKernel<RmodScalarParam, ModOp, ModGrad, kReversed>());
MX_REGISTER_KERNEL(_power_scalar, ScalarGradKernel<PowerScalarParam, PowerOp, PowerGrad>());
MX_REGISTER_KERNEL(_rpower_scalar,
                   ScalarGradKernel<RpowerScalarParam, PowerOp, PowerGrad, kReversed>());
MX_REGISTER_KERNEL(_maximum_scalar, ScalarGradKernel<MaximumScalarParam, MaximumOp, MaximumGrad>());
MX_REGISTER_KERNEL(_minimum_scalar, ScalarGradKernel<MinimumScalarParam, MinimumOp, MinimumGrad>());
MX_REGISTER_KERNEL(_hypot_scalar, ScalarGradKernel<HypotScalarParam, HypotOp, HypotGrad>());
MX_REGISTER_KERNEL(_equal_scalar, ScalarKernel<EqualScalarParam, EqualOp>());
MX_REGISTER_KERNEL(_not_equal_scalar, ScalarKernel<NotEqualScalarParam, NotEqualOp>());
MX_REGISTER_KERNEL(_greater_scalar, ScalarKernel<GreaterScalarParam, GreaterOp>());
MX_REGISTER_KERNEL(_greater_equal_scalar,
                   ScalarKernel<GreaterEqualScalarParam, GreaterEqualOp>());
MX_REGISTER_KERNEL(_lesser_scalar, ScalarKernel<LesserScalarParam, LesserOp>());
MX_REGISTER_KERNEL(_lesser_equal_scalar, ScalarKernel<LesserEqualScalarParam, LesserEqualOp>());
MX_REGISTER_KERNEL(_logical_and_scalar, ScalarKernel<LogicalAndScalarParam, LogicalAndOp>());
MX_REGISTER_KERNEL(_logical_or_scalar, ScalarKernel<LogicalOrScalarParam, LogicalOrOp>());
MX_REGISTER_KERNEL(_logical_xor_scalar, ScalarKernel<LogicalXorScalarParam, LogicalXorOp>());

}  // namespace mixnet::op::elemwise
