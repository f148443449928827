// Comparison and logical ops: broadcast_equal, ..., broadcast_logical_xor, and the legacy
// same-shape _equal, ..., _logical_xor. As in MXNet 1.x the result is 1/0 in the input dtype,
// not bool (bool inputs give bool). Kernels in binary_kernel.h, math in binary_math.h.
#include "operator/elemwise/binary_kernel.h"
#include "ops/elemwise_binary.h"

namespace mixnet::op::elemwise {

MX_REGISTER_KERNEL(broadcast_equal, BroadcastKernel<BroadcastEqualParam, EqualOp>());
MX_REGISTER_KERNEL(broadcast_not_equal, BroadcastKernel<BroadcastNotEqualParam, NotEqualOp>());
MX_REGISTER_KERNEL(broadcast_greater, BroadcastKernel<BroadcastGreaterParam, GreaterOp>());
MX_REGISTER_KERNEL(broadcast_greater_equal,
                   BroadcastKernel<BroadcastGreaterEqualParam, GreaterEqualOp>());
MX_REGISTER_KERNEL(broadcast_lesser, BroadcastKernel<BroadcastLesserParam, LesserOp>());
MX_REGISTER_KERNEL(broadcast_lesser_equal,
                   BroadcastKernel<BroadcastLesserEqualParam, LesserEqualOp>());
MX_REGISTER_KERNEL(broadcast_logical_and,
                   BroadcastKernel<BroadcastLogicalAndParam, LogicalAndOp>());
MX_REGISTER_KERNEL(broadcast_logical_or, BroadcastKernel<BroadcastLogicalOrParam, LogicalOrOp>());
MX_REGISTER_KERNEL(broadcast_logical_xor,
                   BroadcastKernel<BroadcastLogicalXorParam, LogicalXorOp>());

// Legacy same-shape forms found in MXNet 1.x symbol files.
MX_REGISTER_KERNEL(_equal, SameShapeKernel<EqualParam, EqualOp>());
MX_REGISTER_KERNEL(_not_equal, SameShapeKernel<NotEqualParam, NotEqualOp>());
MX_REGISTER_KERNEL(_greater, SameShapeKernel<GreaterParam, GreaterOp>());
MX_REGISTER_KERNEL(_greater_equal, SameShapeKernel<GreaterEqualParam, GreaterEqualOp>());
MX_REGISTER_KERNEL(_lesser, SameShapeKernel<LesserParam, LesserOp>());
MX_REGISTER_KERNEL(_lesser_equal, SameShapeKernel<LesserEqualParam, LesserEqualOp>());
MX_REGISTER_KERNEL(_logical_and, SameShapeKernel<LogicalAndParam, LogicalAndOp>());
MX_REGISTER_KERNEL(_logical_or, SameShapeKernel<LogicalOrParam, LogicalOrOp>());
MX_REGISTER_KERNEL(_logical_xor, SameShapeKernel<LogicalXorParam, LogicalXorOp>());

}  // namespace mixnet::op::elemwise
