// Shared plumbing of the nn_norm kernels (BatchNorm, LayerNorm, InstanceNorm, GroupNorm, Dropout):
// argument checks whose errors name the op, the argument and the shapes, and the small writes
// that honour OpReq for per-channel statistics and parameter gradients.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "common/dtype.h"
#include "common/error.h"
#include "common/shape.h"
#include "ndarray/tblob.h"
#include "operator/op.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op::nn_norm {

// The normalisation kernels compute in the data's own float type, accumulating sums in double
// (float32 sums over a large batch would otherwise lose digits of the mean and variance).
using Acc = double;

// float32 and float64 only: the statistics and parameter gradients are kept in the data dtype.
inline void CheckNormDType(const char* op, const InferIO& io) {
  const DType t = io.in_types.at(0);
  MX_CHECK(t == DType::kFloat32 || t == DType::kFloat64, TypeError)
      << op << ": data dtype " << DTypeName(t) << " is not supported (float32 or float64)";
  for (size_t i = 1; i < io.in_types.size(); ++i) {
    MX_CHECK(io.in_types[i] == t, TypeError)
        << op << ": input " << i << " has dtype " << DTypeName(io.in_types[i])
        << " but data has dtype " << DTypeName(t) << " (they must match)";
  }
}

// A possibly negative axis in [-ndim, ndim), else ValueError naming the op and the shape.
inline int NormAxis(const char* op, int axis, const Shape& s) {
  const int nd = s.ndim();
  MX_CHECK(axis >= -nd && axis < nd, ValueError)
      << op << ": axis " << axis << " is out of range for data of shape " << s;
  return axis < 0 ? axis + nd : axis;
}

// Each parameter input (gamma, beta, moving stats) must have shape (n,).
inline void CheckVectorInput(const char* op, const char* name, const Shape& got, int64_t n,
                             const Shape& data, const char* what) {
  MX_CHECK(got == Shape({n}), ValueError)
      << op << ": " << name << " has shape " << got << " but must be (" << n << ",) (" << what
      << " of data shape " << data << ")";
}

// out[i] (req) = v for a small vector.
template <typename T>
inline void StoreVec(OpReq req, const TBlob& b, int64_t i, T v) {
  if (req == OpReq::kNull) return;
  StoreReq(req, b.ptr<T>() + i, v);
}

// Fills a gradient that is zero by definition (aux states, fixed gamma) under req.
inline void ZeroGrad(OpReq req, const TBlob& b) {
  if (req == OpReq::kWriteTo || req == OpReq::kWriteInplace) {
    if (b.Size() > 0) std::memset(b.dptr, 0, b.nbytes());
  }
}

}  // namespace mixnet::op::nn_norm
