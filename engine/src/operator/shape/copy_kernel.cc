#include "operator/shape/copy_kernel.h"

#include <algorithm>
#include <cstring>

#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// Bytes per thread below which a copy does not fork (memcpy runs at several GB/s).
constexpr int64_t kCopyGrainBytes = int64_t{1} << 20;

void CopyBytesOrAdd(OpReq req, DType dtype, void* dst, const void* src, int64_t n) {
  if (req == OpReq::kAddTo) {
    MX_TYPE_SWITCH(dtype, T, {
      AssignRun(req, static_cast<T*>(dst), static_cast<const T*>(src), n);
    });
  } else if (dst != src && n > 0) {
    std::memmove(dst, src, static_cast<size_t>(n) * DTypeSize(dtype));
  }
}

// One contiguous run, split over threads when it is large.
void ParallelRun(OpReq req, DType dtype, void* dst, const void* src, int64_t n, int nthreads) {
  const size_t es = DTypeSize(dtype);
  const int64_t grain = std::max<int64_t>(1, kCopyGrainBytes / static_cast<int64_t>(es));
  ParallelFor(
      n, nthreads,
      [&](int64_t b, int64_t e) {
        CopyBytesOrAdd(req, dtype, static_cast<char*>(dst) + b * es,
                       static_cast<const char*>(src) + b * es, e - b);
      },
      grain);
}

}  // namespace

void CopyBlob(OpReq req, const TBlob& dst, const TBlob& src, int nthreads) {
  if (req == OpReq::kNull) return;
  MX_CHECK(dst.dtype == src.dtype && dst.Size() == src.Size(), Internal)
      << "CopyBlob: mismatched blobs " << dst.shape << " " << DTypeName(dst.dtype) << " and "
      << src.shape << " " << DTypeName(src.dtype);
  if (dst.dptr == src.dptr && req != OpReq::kAddTo) return;
  ParallelRun(req, src.dtype, dst.dptr, src.dptr, src.Size(), nthreads);
}

void CopyRuns(OpReq req, DType dtype, int64_t outer, const RunCopy* copies, int64_t n_copies,
              int nthreads) {
  if (req == OpReq::kNull || outer == 0 || n_copies == 0) return;
  const size_t es = DTypeSize(dtype);
  if (outer == 1) {  // e.g. Concat along axis 0: the parallelism is inside the runs
    for (int64_t c = 0; c < n_copies; ++c) {
      const RunCopy& r = copies[c];
      ParallelRun(req, dtype, static_cast<char*>(r.dst) + r.dst_offset * es,
                  static_cast<const char*>(r.src) + r.src_offset * es, r.run, nthreads);
    }
    return;
  }
  int64_t per_outer = 0;
  for (int64_t c = 0; c < n_copies; ++c) per_outer += copies[c].run;
  const int64_t bytes_per_item = std::max<int64_t>(1, per_outer * static_cast<int64_t>(es));
  const int64_t grain = std::max<int64_t>(1, kCopyGrainBytes / bytes_per_item);
  ParallelFor(
      outer, nthreads,
      [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; ++o) {
          for (int64_t c = 0; c < n_copies; ++c) {
            const RunCopy& r = copies[c];
            CopyBytesOrAdd(req, dtype,
                           static_cast<char*>(r.dst) + (o * r.dst_stride + r.dst_offset) * es,
                           static_cast<const char*>(r.src) + (o * r.src_stride + r.src_offset) * es,
                           r.run);
          }
        }
      },
      grain);
}

}  // namespace mixnet::op
