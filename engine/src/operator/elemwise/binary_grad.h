// Backward of the element-wise binary ops with NumPy broadcasting (broadcast_*, and elemwise_*
// whose shapes are equal): for each input k that wants a gradient,
//   grad_k = reduce_to_shape_k( out_grad * dY/dk(a, b, y) ),
// summing over the axes along which input k was broadcast. Math in binary_grad_math.h.
//
// Same shapes: one parallel loop. Broadcast: the forward's BroadcastPlan is walked in segments
// (the same odometer as BinaryBroadcast); an input that was not broadcast is written directly,
// one that was is accumulated in float64 scratch (one per thread when the input is small next to
// the output, so the reduction runs in parallel too) and then stored under its request.
#pragma once

#include <algorithm>
#include <span>
#include <vector>

#include "common/error.h"
#include "ndarray/tblob.h"
#include "operator/elemwise/binary_grad_math.h"
#include "operator/elemwise/broadcast_util.h"
#include "operator/elemwise/elemwise_util.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::elemwise {

// d(out)/d(input K) for K = 0 (lhs) or 1 (rhs).
template <typename G, int K, typename C>
inline C BinaryPartial(C a, C b, C y) {
  if constexpr (K == 0) {
    return G::template L<C>(a, b, y);
  } else {
    return G::template R<C>(a, b, y);
  }
}

// Calls fn(cur, len, loff, roff) for the segments of output range [begin, end): output elements
// cur .. cur+len-1 read lhs at loff + j * lstride_inner and rhs at roff + j * rstride_inner.
template <typename Fn>
void WalkBroadcastSegments(const BroadcastPlan& plan, int64_t begin, int64_t end, Fn&& fn) {
  const int nd = plan.ndim;
  const int64_t inner = plan.dims[nd - 1];
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
  const int64_t ils = plan.lstride[nd - 1];
  const int64_t irs = plan.rstride[nd - 1];
  for (int64_t cur = begin; cur < end;) {
    const int64_t len = std::min(inner - pos, end - cur);
    fn(cur, len, loff + pos * ils, roff + pos * irs);
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
}

// Gradient of input K (shape of a or b) from out_grad gy (shape of y).
template <typename G, int K, typename T, OpReq R>
void BinaryGradInput(const OpContext& ctx, const TBlob& gy_blob, const TBlob& a_blob,
                     const TBlob& b_blob, const TBlob& y_blob, const TBlob& gin_blob) {
  using C = ComputeOf<T>;
  const int64_t total = y_blob.Size();
  const int64_t in_size = gin_blob.Size();
  T* gin = gin_blob.ptr<T>();
  if (total == 0) {
    // A stretched size-1 axis against a size-0 one: the input gets no contribution.
    if constexpr (R == OpReq::kWriteTo) {
      for (int64_t i = 0; i < in_size; ++i) gin[i] = T(0.0f);
    }
    return;
  }
  const T* gy = gy_blob.ptr<T>();
  const T* a = a_blob.ptr<T>();
  const T* b = b_blob.ptr<T>();
  const T* y = y_blob.ptr<T>();
  auto term = [&](int64_t o, int64_t ai, int64_t bi) {
    return static_cast<C>(gy[o]) * BinaryPartial<G, K, C>(static_cast<C>(a[ai]),
                                                           static_cast<C>(b[bi]),
                                                           static_cast<C>(y[o]));
  };
  if (a_blob.Size() == total && b_blob.Size() == total) {
    ParallelFor(total, ctx.nthreads, [&](int64_t beg, int64_t end) {
      for (int64_t i = beg; i < end; ++i) StoreReq<R>(gin[i], static_cast<T>(term(i, i, i)));
    });
    return;
  }
  const BroadcastPlan plan = MakeBroadcastPlan(a_blob.shape, b_blob.shape, y_blob.shape);
  const int64_t ils = plan.lstride[plan.ndim - 1];
  const int64_t irs = plan.rstride[plan.ndim - 1];
  if (in_size == total) {  // this input was not broadcast: one output element per gradient
    ParallelFor(total, ctx.nthreads, [&](int64_t beg, int64_t end) {
      WalkBroadcastSegments(plan, beg, end, [&](int64_t cur, int64_t len, int64_t lo, int64_t ro) {
        for (int64_t j = 0; j < len; ++j) {
          StoreReq<R>(gin[cur + j], static_cast<T>(term(cur + j, lo + j * ils, ro + j * irs)));
        }
      });
    });
    return;
  }
  // Reduction: the input's element for output element o is its own offset in the walk.
  const int64_t ks = K == 0 ? ils : irs;
  int64_t nt = std::min<int64_t>(std::max(1, ctx.nthreads), total / kParallelGrain);
  if (nt < 1 || in_size * nt > total) nt = 1;
  std::vector<std::vector<double>> acc(static_cast<size_t>(nt),
                                       std::vector<double>(static_cast<size_t>(in_size), 0.0));
  const int64_t chunk = (total + nt - 1) / nt;
  auto reduce_chunk = [&](int64_t t) {
    double* dst = acc[static_cast<size_t>(t)].data();
    const int64_t beg = std::min(total, t * chunk);
    const int64_t end = std::min(total, beg + chunk);
    if (beg >= end) return;
    WalkBroadcastSegments(plan, beg, end, [&](int64_t cur, int64_t len, int64_t lo, int64_t ro) {
      const int64_t koff = K == 0 ? lo : ro;
      if (ks == 0) {
        double sum = 0;
        for (int64_t j = 0; j < len; ++j) sum += term(cur + j, lo + j * ils, ro + j * irs);
        dst[koff] += sum;
      } else {
        for (int64_t j = 0; j < len; ++j) {
          dst[koff + j * ks] += term(cur + j, lo + j * ils, ro + j * irs);
        }
      }
    });
  };
  if (nt == 1) {
    reduce_chunk(0);
  } else {
    ParallelFor(nt, static_cast<int>(nt), [&](int64_t tb, int64_t te) {
      for (int64_t t = tb; t < te; ++t) reduce_chunk(t);
    }, 1);
  }
  for (int64_t i = 0; i < in_size; ++i) {
    double v = acc[0][static_cast<size_t>(i)];
    for (int64_t t = 1; t < nt; ++t) v += acc[static_cast<size_t>(t)][static_cast<size_t>(i)];
    StoreReq<R>(gin[i], static_cast<T>(static_cast<C>(v)));
  }
}

// Backward of out = op(lhs, rhs) (broadcasting or equal shapes), float dtypes.
template <typename P, typename G>
void BinaryBackward(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                    std::span<const TBlob> in_grads) {
  const OpReq lreq = OutputReq(ctx, 0);
  const OpReq rreq = OutputReq(ctx, 1);
  if (lreq == OpReq::kNull && rreq == OpReq::kNull) return;
  MX_FLOAT_TYPE_SWITCH(outputs[0].dtype, T, P::kOpName, {
    MX_REQ_SWITCH(lreq, R, {
      BinaryGradInput<G, 0, T, R>(ctx, out_grads[0], inputs[0], inputs[1], outputs[0],
                                  in_grads[0]);
    });
    MX_REQ_SWITCH(rreq, R, {
      BinaryGradInput<G, 1, T, R>(ctx, out_grads[0], inputs[0], inputs[1], outputs[0],
                                  in_grads[1]);
    });
  });
}

}  // namespace mixnet::op::elemwise
