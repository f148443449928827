// Binary ops with a scalar operand (_plus_scalar, _rminus_scalar, _greater_scalar, ...).
//
// Types follow MXNet 1.9's legacy scalar ops: the output keeps the input dtype and the scalar is
// converted to it first (so int32 + 2.5 adds 2 and a float16 input sees the scalar rounded to
// float16), except that an integer input with is_int=False is computed and returned in float64,
// and a bool input becomes int64 (is_int=True) or float64. The "r" ops put the scalar on the
// left (_rminus_scalar: scalar - data). The loop is BinarySegment with one scalar operand.
#include <algorithm>
#include <span>
#include <type_traits>

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

constexpr bool kReversed = true;

}  // namespace

MX_REGISTER_KERNEL(_plus_scalar, ScalarKernel<PlusScalarParam, PlusOp>());
MX_REGISTER_KERNEL(_minus_scalar, ScalarKernel<MinusScalarParam, MinusOp>());
MX_REGISTER_KERNEL(_rminus_scalar, ScalarKernel<RminusScalarParam, MinusOp, kReversed>());
MX_REGISTER_KERNEL(_mul_scalar, ScalarKernel<MulScalarParam, MulOp>());
MX_REGISTER_KERNEL(_div_scalar, ScalarKernel<DivScalarParam, DivOp>());
MX_REGISTER_KERNEL(_rdiv_scalar, ScalarKernel<RdivScalarParam, DivOp, kReversed>());
MX_REGISTER_KERNEL(_mod_scalar, ScalarKernel<ModScalarParam, ModOp>());
MX_REGISTER_KERNEL(_rmod_scalar, ScalarKernel<RmodScalarParam, ModOp, kReversed>());
MX_REGISTER_KERNEL(_power_scalar, ScalarKernel<PowerScalarParam, PowerOp>());
MX_REGISTER_KERNEL(_rpower_scalar, ScalarKernel<RpowerScalarParam, PowerOp, kReversed>());
MX_REGISTER_KERNEL(_maximum_scalar, ScalarKernel<MaximumScalarParam, MaximumOp>());
MX_REGISTER_KERNEL(_minimum_scalar, ScalarKernel<MinimumScalarParam, MinimumOp>());
MX_REGISTER_KERNEL(_hypot_scalar, ScalarKernel<HypotScalarParam, HypotOp>());
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
