// Bulk copies for the shape ops: whole arrays (Reshape, _copy, ...) and "runs" (Concat, stack,
// split, slice_axis), always as memcpy of contiguous runs, honouring OpReq, spread over the op's
// thread budget when large.
#pragma once

#include <cstdint>

#include "ndarray/tblob.h"
#include "operator/op.h"

namespace mixnet::op {

// dst = src (or dst += src for kAddTo) over all elements; same dtype and element count.
void CopyBlob(OpReq req, const TBlob& dst, const TBlob& src, int nthreads);

// For each of `outer` blocks: dst[o * dst_stride + dst_offset + i] = src[o * src_stride +
// src_offset + i] for i in [0, run), strides and offsets in elements of `dtype`.
struct RunCopy {
  const void* src = nullptr;
  int64_t src_stride = 0, src_offset = 0;
  void* dst = nullptr;
  int64_t dst_stride = 0, dst_offset = 0;
  int64_t run = 0;
};
void CopyRuns(OpReq req, DType dtype, int64_t outer, const RunCopy* copies, int64_t n_copies,
              int nthreads);

}  // namespace mixnet::op
