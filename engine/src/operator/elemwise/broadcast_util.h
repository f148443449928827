// NumPy-style broadcasting: the output shape of two operands, and a compact iteration plan.
//
// The plan pads both operands to the output's rank, drops the output's size-1 axes and merges
// neighbouring axes along which each operand is either broadcast in both or in neither. What
// remains is usually one to three axes; the last one is walked by a contiguous inner loop (each
// operand either advances with stride 1 or stays on one element) and the others by an odometer,
// so no index arithmetic happens per element.
#pragma once

#include <cstdint>

#include "common/shape.h"

namespace mixnet::op::elemwise {

// The broadcast shape of lhs and rhs; ValueError naming the op and both shapes otherwise, e.g.
// "broadcast_add: operands could not be broadcast together with shapes (2, 3) (4,)".
Shape BroadcastShape(const char* op_name, const Shape& lhs, const Shape& rhs);

struct BroadcastPlan {
  static constexpr int kMaxDims = 64;
  int ndim = 0;                 // collapsed axes; 0 when the output has a single element
  int64_t dims[kMaxDims];       // collapsed output extents
  int64_t lstride[kMaxDims];    // element strides of lhs per collapsed axis, 0 where broadcast
  int64_t rstride[kMaxDims];
};

// Builds the plan for out = op(lhs, rhs); out must be BroadcastShape(lhs, rhs) and non-empty.
BroadcastPlan MakeBroadcastPlan(const Shape& lhs, const Shape& rhs, const Shape& out);

}  // namespace mixnet::op::elemwise
