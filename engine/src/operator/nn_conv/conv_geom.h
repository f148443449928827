// Shared parameter/shape helpers of the nn_conv family (Convolution, Deconvolution, Pooling):
// MXNet's spatial parameter tuples (kernel/stride/dilate/pad, empty meaning "the default for each
// dimension") checked once and turned into per-dimension vectors, plus the output-size formulas.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/dtype.h"
#include "common/shape.h"

namespace mixnet::op::nn_conv {

// Spatial geometry of one call: nsp = 1, 2 or 3 spatial dimensions.
struct Geom {
  int nsp = 0;
  std::vector<int64_t> kernel, stride, dilate, pad_l, pad_r;
};

// `tuple` as nsp values: empty -> `fill` each; otherwise it must have nsp entries (ValueError
// naming op and param). Values must be >= min_value.
std::vector<int64_t> SpatialTuple(const char* op, const char* param, const Shape& tuple, int nsp,
                                  int64_t fill, int64_t min_value);

// Throws ValueError unless `data` is (N, C, spatial...) with nsp spatial dims.
void CheckDataRank(const char* op, const Shape& data, int nsp);

// Throws ValueError unless `layout` (std::nullopt or the enum's name) is channel-first and matches
// the kernel rank.
void CheckLayout(const char* op, const std::optional<std::string>& layout, int nsp);

// Throws TypeError naming op unless dtype is float32 (the oneDNN kernels' dtype).
void CheckOneDnnDType(const char* op, DType t);

// floor((x + pl + pr - dilate*(k-1) - 1) / s) + 1 for each spatial dim, with a ValueError naming
// op and shapes when the dilated kernel is larger than the padded input.
std::vector<int64_t> ConvOutSpatial(const char* op, const Shape& data, const Geom& g);

// Shape "(a, b, c)" of a vector.
std::string VecString(const std::vector<int64_t>& v);

}  // namespace mixnet::op::nn_conv
