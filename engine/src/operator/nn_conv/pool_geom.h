// Pooling geometry: MXNet's parameters (kernel/stride/pad, global_pool, pooling_convention,
// count_include_pad, p_value) resolved for one input shape, padded to three spatial dimensions
// (missing leading ones get kernel 1, stride 1, pad 0) so one loop nest serves 1D, 2D and 3D.
#pragma once

#include <cstdint>

#include "common/shape.h"
#include "ops/nn_conv.h"

namespace mixnet::op::nn_conv {

struct PoolGeom {
  int nsp = 0;                 // real spatial dims (1..3)
  int64_t planes = 0;          // N * C
  int64_t x[3], k[3], s[3], p[3], o[3];
  // Right padding that makes (x + p + pad_r - k) / s + 1 == o (oneDNN's rule). Windows reach at
  // most x + p on the right in MXNet's counting, even where pad_r > p ('full'/'same').
  int64_t pad_r[3];
  PoolingParam::PoolType type = PoolingParam::PoolType::kMax;
  bool include_pad = true;
  int p_value = 2;
  Shape out_shape;
};

// Validates the parameters against the data shape (ValueError naming Pooling and the shapes).
// Output sizes: valid floor((x + 2p - k) / s) + 1, full ceil((x + 2p - k) / s) + 1, same (1D,
// pad 0 only, as in MXNet) ceil(x / s); global pooling gives 1.
PoolGeom MakePoolGeom(const PoolingParam& p, const Shape& data);

}  // namespace mixnet::op::nn_conv
