// Helpers for the gradients of reductions and of the ops whose gradient is a reduction
// (broadcast_*, tile, repeat).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ndarray/tblob.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/reduce/reduce_axes.h"

namespace mixnet::op::reduce {

// Walks the input of a reduction (collapsed view c) in row-major order as runs along its last
// collapsed axis: fn(i0, i1, o, ostep) means input elements [i0, i1) belong to outputs
// o, o + ostep, ... (ostep is 0 when the last axis is reduced, 1 when it is kept). Runs are
// spread over nthreads.
template <typename Fn>
void ForEachReducedRun(const Collapsed& c, int nthreads, Fn&& fn) {
  const int nd = static_cast<int>(c.dims.size());
  int64_t total = 1;
  for (int64_t d : c.dims) total *= d;
  if (total == 0) return;
  if (nd == 0) {
    fn(int64_t{0}, int64_t{1}, int64_t{0}, int64_t{0});
    return;
  }
  std::vector<int64_t> ostride(static_cast<size_t>(nd), 0);
  int64_t s = 1;
  for (int i = nd - 1; i >= 0; --i) {
    if (!c.reduced[i]) {
      ostride[i] = s;
      s *= c.dims[i];
    }
  }
  const int64_t len = c.dims[nd - 1];
  const int64_t rows = total / len;
  const int64_t ostep = ostride[nd - 1];
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t rem = r, o = 0;
          for (int i = nd - 2; i >= 0; --i) {
            o += (rem % c.dims[i]) * ostride[i];
            rem /= c.dims[i];
          }
          fn(r * len, r * len + len, o, ostep);
        }
      },
      std::max<int64_t>(1, kParallelGrain / len));
}

// dst (+)= src summed over the axes flagged in `reduced`, src viewed with shape `view` (same
// element count as src; the kept axes, in order, give dst's elements). Same dtype on both sides.
void SumInto(OpReq req, const TBlob& src, const Shape& view, const std::vector<bool>& reduced,
             const TBlob& dst, int nthreads);

}  // namespace mixnet::op::reduce
