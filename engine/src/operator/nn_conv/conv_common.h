// Checks and conversions shared by the Convolution and Deconvolution kernels.
#pragma once

#include <cstring>

#include "common/error.h"
#include "operator/nn_conv/conv_dnnl.h"
#include "operator/nn_conv/conv_geom.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {

// Number of spatial dims of a kernel tuple (1, 2 or 3), else ValueError.
inline int CheckKernelRank(const char* op, const Shape& kernel) {
  MX_CHECK(kernel.ndim() >= 1 && kernel.ndim() <= 3, ValueError)
      << op << ": kernel=" << kernel << " must have 1, 2 or 3 entries (1D, 2D or 3D)";
  return kernel.ndim();
}

// `what` (a channel count) must be positive and divisible by `by`.
inline void CheckChannels(const char* op, const char* what, int64_t n, const char* by_name,
                          int64_t by) {
  MX_CHECK(by >= 1, ValueError) << op << ": " << by_name << "=" << by << " must be >= 1";
  MX_CHECK(n >= 1, ValueError) << op << ": " << what << "=" << n << " must be >= 1";
  MX_CHECK(n % by == 0, ValueError)
      << op << ": " << by_name << "=" << by << " does not divide " << what << "=" << n;
}

inline void CheckInputShape(const char* op, const char* name, const Shape& want, const Shape& got,
                            const Shape& data) {
  MX_CHECK(want == got, ValueError) << op << ": " << name << " shape mismatch: expected " << want
                                    << ", got " << got << " (data shape " << data << ")";
}

// oneDNN's weight dims for Convolution's (O, I/G, k...) weight: (O, I, k...) or, with groups,
// (G, O/G, I/G, k...) - the same bytes, row-major.
inline dnnl::memory::dims GroupedDims(const Shape& weight, int groups) {
  dnnl::memory::dims d;
  if (groups > 1) {
    d.push_back(groups);
    d.push_back(weight[0] / groups);
  } else {
    d.push_back(weight[0]);
  }
  for (int i = 1; i < weight.ndim(); ++i) d.push_back(weight[i]);
  return d;
}

inline void FillSpatial(const Geom& g, ConvSpec& s) {
  for (int i = 0; i < g.nsp; ++i) {
    s.strides.push_back(g.stride[i]);
    s.dilates.push_back(g.dilate[i] - 1);
    s.pad_l.push_back(g.pad_l[i]);
    s.pad_r.push_back(g.pad_r[i]);
  }
}

inline OpReq ReqOf(const OpContext& ctx, size_t i) {
  return i < ctx.req.size() ? ctx.req[i] : OpReq::kWriteTo;
}

// A zero gradient under req (kAddTo: nothing to add).
inline void ZeroGrad(const TBlob& g, OpReq req) {
  if (req == OpReq::kWriteTo || req == OpReq::kWriteInplace) {
    if (g.Size() > 0) std::memset(g.dptr, 0, g.nbytes());
  }
}

}  // namespace mixnet::op::nn_conv
