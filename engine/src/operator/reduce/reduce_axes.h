// Axis bookkeeping shared by the reductions: which input axes are reduced (MXNet 1.x rules for
// axis / keepdims / exclude, including its legacy "(1,)" result for full reductions), and the
// collapsed view of the input that the kernels iterate over.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/shape.h"

namespace mixnet::op::reduce {

struct ReducedAxes {
  std::vector<bool> reduced;  // one flag per input axis
  Shape out_shape;            // the result's shape (MXNet's ReduceAxesShapeImpl)
};

// Resolves `axis` (None or () = every axis) against `in`. Negative axes count from the right;
// out-of-range axes throw IndexError and duplicates ValueError, both naming op_name.
ReducedAxes ResolveAxes(const char* op_name, const Shape& in, const std::optional<Shape>& axis,
                        bool keepdims, bool exclude);

// Resolves the single optional axis of argmax/argmin/pick-style ops; nullopt means the whole
// (flattened) array. MXNet treats a 1-d input like a full reduction: the result is (1,).
ReducedAxes ResolveSingleAxis(const char* op_name, const Shape& in, std::optional<int> axis,
                              bool keepdims);

// The input viewed with adjacent axes of equal status merged and size-1 axes dropped, e.g.
// (2, 3, 1, 4) reducing axes 1 and 2 -> dims (2, 3, 4), reduced (F, T, F). Reduced and kept
// groups alternate. Empty dims means there is nothing to iterate over but one element.
struct Collapsed {
  std::vector<int64_t> dims;
  std::vector<bool> reduced;
  int64_t ReducedCount() const;  // product of the reduced groups
  int64_t KeptCount() const;     // product of the kept groups (== output size)
};
Collapsed Collapse(const Shape& in, const std::vector<bool>& reduced);

}  // namespace mixnet::op::reduce
