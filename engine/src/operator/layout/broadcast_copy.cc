// The output is walked in rows of its last (merged) axis: per row the input offset is found once
// by decomposing the row index, then the row is either a run copy (input not broadcast along the
// last axis) or a fill with one input element.
#include "operator/layout/broadcast_copy.h"

#include <vector>

#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op::layout {
namespace {

// Output dims and input strides (0 where broadcast), with size-1 output axes dropped and
// neighbouring axes merged when both are broadcast or both are not.
struct Plan {
  std::vector<int64_t> dims, in_stride;
};

Plan MakePlan(const Shape& in, const Shape& out) {
  std::vector<int64_t> stride(static_cast<size_t>(in.ndim()), 1);
  for (int i = in.ndim() - 2; i >= 0; --i) stride[i] = stride[i + 1] * in[i + 1];
  Plan p;
  for (int i = 0; i < out.ndim(); ++i) {
    if (out[i] == 1) continue;
    const bool bcast = in[i] == 1;
    const int64_t s = bcast ? 0 : stride[i];
    if (!p.dims.empty()) {
      const bool prev_bcast = p.in_stride.back() == 0;
      // Merging is valid when the previous axis's stride equals this one's stride times extent.
      if (bcast && prev_bcast) {
        p.dims.back() *= out[i];
        continue;
      }
      if (!bcast && !prev_bcast && p.in_stride.back() == s * out[i]) {
        p.dims.back() *= out[i];
        p.in_stride.back() = s;
        continue;
      }
    }
    p.dims.push_back(out[i]);
    p.in_stride.push_back(s);
  }
  return p;
}

template <typename T>
void BroadcastTyped(OpReq req, const T* in, T* out, const Plan& p, int nthreads) {
  const int nd = static_cast<int>(p.dims.size());
  if (nd == 0) {  // a single element
    StoreReq(req, out, in[0]);
    return;
  }
  const int64_t run = p.dims[nd - 1];
  const int64_t last_stride = p.in_stride[nd - 1];
  int64_t rows = 1;
  for (int i = 0; i < nd - 1; ++i) rows *= p.dims[i];
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t rest = r, off = 0;
          for (int i = nd - 2; i >= 0; --i) {
            off += (rest % p.dims[i]) * p.in_stride[i];
            rest /= p.dims[i];
          }
          T* dst = out + r * run;
          if (last_stride != 0) {
            AssignRun(req, dst, in + off, run);
          } else {
            const T v = in[off];
            for (int64_t j = 0; j < run; ++j) StoreReq(req, dst + j, v);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / run));
}

}  // namespace

void BroadcastCopy(OpReq req, const TBlob& in, const TBlob& out, int nthreads) {
  if (req == OpReq::kNull || out.Size() == 0) return;
  const Plan p = MakePlan(in.shape, out.shape);
  MX_TYPE_SWITCH(in.dtype, T,
                 { BroadcastTyped<T>(req, in.ptr<T>(), out.ptr<T>(), p, nthreads); });
}

}  // namespace mixnet::op::layout
