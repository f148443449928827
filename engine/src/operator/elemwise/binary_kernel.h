// Loops and drivers of the element-wise binary ops, shared by the broadcast_*, elemwise_* and
// *_scalar kernel files.
//
// BinarySegment is the only per-element loop: n outputs from two operands, each either a
// contiguous array or one repeated element (kLScalar / kRScalar), so that same-shape, scalar and
// row-broadcast work all runs as plain loops GCC can vectorise. BinaryBroadcast walks a
// BroadcastPlan with an odometer and calls BinarySegment once per output row.
#pragma once

#include <algorithm>
#include <span>
#include <type_traits>

#include "common/error.h"
#include "ndarray/tblob.h"
#include "operator/elemwise/binary_math.h"
#include "operator/elemwise/broadcast_util.h"
#include "operator/elemwise/elemwise_util.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::elemwise {

template <typename Op, typename T, OpReq R, bool kLScalar, bool kRScalar>
void BinarySegment(const T* l, const T* r, T* out, int64_t n) {
  static_assert(!(kLScalar && kRScalar), "use a one-element segment instead");
  if constexpr (kIsHalf<T>) {
    float lb[kHalfBlock];
    float rb[kHalfBlock];
    float ob[kHalfBlock];
    const float lv = kLScalar ? static_cast<float>(l[0]) : 0.f;
    const float rv = kRScalar ? static_cast<float>(r[0]) : 0.f;
    for (int64_t i = 0; i < n; i += kHalfBlock) {
      const int64_t m = std::min(kHalfBlock, n - i);
      if constexpr (!kLScalar) ToFloat(l + i, lb, m);
      if constexpr (!kRScalar) ToFloat(r + i, rb, m);
      for (int64_t j = 0; j < m; ++j) {
        ob[j] = Op::template Map<float>(kLScalar ? lv : lb[j], kRScalar ? rv : rb[j]);
      }
      FromFloat<R>(ob, out + i, m);
    }
  } else if constexpr (kLScalar) {
    const T a = l[0];
    for (int64_t i = 0; i < n; ++i) StoreReq<R>(out[i], ApplyBinary<Op, T>(a, r[i]));
  } else if constexpr (kRScalar) {
    const T b = r[0];
    for (int64_t i = 0; i < n; ++i) StoreReq<R>(out[i], ApplyBinary<Op, T>(l[i], b));
  } else {
    for (int64_t i = 0; i < n; ++i) StoreReq<R>(out[i], ApplyBinary<Op, T>(l[i], r[i]));
  }
}

// out = op(lhs, rhs) over the plan's collapsed axes; chunks of the flat output run in parallel.
template <typename Op, typename T, OpReq R>
void BinaryBroadcast(const BroadcastPlan& plan, const T* l, const T* r, T* out, int64_t total,
                     int nthreads) {
  const int nd = plan.ndim;
  const int64_t inner = plan.dims[nd - 1];
  using Segment = void (*)(const T*, const T*, T*, int64_t);
  const int64_t ils = plan.lstride[nd - 1];
  const int64_t irs = plan.rstride[nd - 1];
  const Segment segment = ils == 0   ? &BinarySegment<Op, T, R, true, false>
                          : irs == 0 ? &BinarySegment<Op, T, R, false, true>
                                     : &BinarySegment<Op, T, R, false, false>;
  ParallelFor(total, nthreads, [&](int64_t begin, int64_t end) {
    // Position of `begin`: row index over the outer axes, then offset within the inner axis.
    int64_t coord[BroadcastPlan::kMaxDims];
    int64_t row = begin / inner;
    int64_t pos = begin % inner;
    int64_t loff = 0;
    int64_t roff = 0;
    for (int d = nd - 2; d >= 0; --d) {
      coord[d] = row % plan.dims[d];
      row /= plan.dims[d];
      loff += coord[d] * plan.lstride[d];
      roff += coord[d] * plan.rstride[d];
    }
    for (int64_t cur = begin; cur < end;) {
      const int64_t len = std::min(inner - pos, end - cur);
      segment(l + loff + pos * ils, r + roff + pos * irs, out + cur, len);
      cur += len;
      pos = 0;
      for (int d = nd - 2; d >= 0; --d) {  // odometer over the outer axes
        loff += plan.lstride[d];
        roff += plan.rstride[d];
        if (++coord[d] < plan.dims[d]) break;
        loff -= plan.lstride[d] * plan.dims[d];
        roff -= plan.rstride[d] * plan.dims[d];
        coord[d] = 0;
      }
    }
  });
}

// out = op(lhs, rhs) for blobs of one dtype T whose shapes broadcast to out's.
template <typename Op, typename T, OpReq R>
void BinaryCompute(const OpContext& ctx, const TBlob& lhs, const TBlob& rhs, const TBlob& out) {
  const int64_t total = out.Size();
  if (total == 0) return;
  const T* l = lhs.ptr<T>();
  const T* r = rhs.ptr<T>();
  T* o = out.ptr<T>();
  const int64_t lsize = lhs.Size();
  const int64_t rsize = rhs.Size();
  if (lsize == total && rsize == total) {
    ParallelFor(total, ctx.nthreads, [&](int64_t b, int64_t e) {
      BinarySegment<Op, T, R, false, false>(l + b, r + b, o + b, e - b);
    });
  } else if (rsize == 1 && lsize == total) {
    ParallelFor(total, ctx.nthreads, [&](int64_t b, int64_t e) {
      BinarySegment<Op, T, R, false, true>(l + b, r, o + b, e - b);
    });
  } else if (lsize == 1 && rsize == total) {
    ParallelFor(total, ctx.nthreads, [&](int64_t b, int64_t e) {
      BinarySegment<Op, T, R, true, false>(l, r + b, o + b, e - b);
    });
  } else {
    const BroadcastPlan plan = MakeBroadcastPlan(lhs.shape, rhs.shape, out.shape);
    BinaryBroadcast<Op, T, R>(plan, l, r, o, total, ctx.nthreads);
  }
}

// Both operands must share a dtype (MXNet 1.x legacy ops do not promote); bool only where the op
// is logical. TypeError names the op and the dtypes.
template <typename P, typename Op>
void CheckBinaryDTypes(DType l, DType r) {
  if (l != r) {
    MX_THROW(TypeError) << P::kOpName << ": lhs and rhs must have the same dtype, got "
                        << DTypeName(l) << " and " << DTypeName(r);
  }
  if (l == DType::kBool && !Op::kBool) {
    MX_THROW(TypeError) << P::kOpName << ": dtype bool is not supported";
  }
}

template <typename P, typename Op>
void InferBroadcast(const ParamBase&, InferIO& io) {
  MX_CHECK(io.in_shapes.size() == 2 && io.in_types.size() == 2, Internal)
      << P::kOpName << ": expects 2 inputs, got " << io.in_shapes.size();
  CheckBinaryDTypes<P, Op>(io.in_types[0], io.in_types[1]);
  io.out_shapes.assign(1, BroadcastShape(P::kOpName, io.in_shapes[0], io.in_shapes[1]));
  io.out_types.assign(1, io.in_types[0]);
}

// elemwise_add & co: no broadcasting, the shapes must be equal.
template <typename P, typename Op>
void InferSameShape(const ParamBase&, InferIO& io) {
  MX_CHECK(io.in_shapes.size() == 2 && io.in_types.size() == 2, Internal)
      << P::kOpName << ": expects 2 inputs, got " << io.in_shapes.size();
  if (io.in_shapes[0] != io.in_shapes[1]) {
    MX_THROW(ValueError) << P::kOpName << ": lhs and rhs must have the same shape, got "
                         << io.in_shapes[0] << " and " << io.in_shapes[1];
  }
  CheckBinaryDTypes<P, Op>(io.in_types[0], io.in_types[1]);
  io.out_shapes.assign(1, io.in_shapes[0]);
  io.out_types.assign(1, io.in_types[0]);
}

template <typename P, typename Op>
void BinaryForward(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  MX_TYPE_SWITCH(out[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool> && !Op::kBool) {
      MX_THROW(TypeError) << P::kOpName << ": dtype bool is not supported";
    } else {
      MX_REQ_SWITCH(OutputReq(ctx), R, { BinaryCompute<Op, T, R>(ctx, in[0], in[1], out[0]); });
    }
  });
}

template <typename P, typename Op>
constexpr OpKernel BroadcastKernel() {
  return OpKernel{.infer = InferBroadcast<P, Op>, .forward = BinaryForward<P, Op>, .cheap = true};
}

template <typename P, typename Op>
constexpr OpKernel SameShapeKernel() {
  return OpKernel{.infer = InferSameShape<P, Op>, .forward = BinaryForward<P, Op>, .cheap = true};
}

}  // namespace mixnet::op::elemwise
