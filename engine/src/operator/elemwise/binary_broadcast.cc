// Arithmetic binary ops: broadcast_add/sub/mul/div/mod/power/maximum/minimum/hypot (NumPy-style
// broadcasting), elemwise_add/sub/mul/div and the legacy _grad_add, _mod, _power, ... (equal
// shapes). Kernels in binary_kernel.h, math in binary_math.h.
#include "operator/elemwise/binary_kernel.h"
#include "ops/elemwise_binary.h"

namespace mixnet::op::elemwise {

MX_REGISTER_KERNEL(broadcast_add, BroadcastKernel<BroadcastAddParam, PlusOp>());
MX_REGISTER_KERNEL(broadcast_sub, BroadcastKernel<BroadcastSubParam, MinusOp>());
MX_REGISTER_KERNEL(broadcast_mul, BroadcastKernel<BroadcastMulParam, MulOp>());
MX_REGISTER_KERNEL(broadcast_div, BroadcastKernel<BroadcastDivParam, DivOp>());
MX_REGISTER_KERNEL(broadcast_mod, BroadcastKernel<BroadcastModParam, ModOp>());
MX_REGISTER_KERNEL(broadcast_power, BroadcastKernel<BroadcastPowerParam, PowerOp>());
MX_REGISTER_KERNEL(broadcast_maximum, BroadcastKernel<BroadcastMaximumParam, MaximumOp>());
MX_REGISTER_KERNEL(broadcast_minimum, BroadcastKernel<BroadcastMinimumParam, MinimumOp>());
MX_REGISTER_KERNEL(broadcast_hypot, BroadcastKernel<BroadcastHypotParam, HypotOp>());

MX_REGISTER_KERNEL(elemwise_add, SameShapeKernel<ElemwiseAddParam, PlusOp>());
MX_REGISTER_KERNEL(elemwise_sub, SameShapeKernel<ElemwiseSubParam, MinusOp>());
MX_REGISTER_KERNEL(elemwise_mul, SameShapeKernel<ElemwiseMulParam, MulOp>());
MX_REGISTER_KERNEL(elemwise_div, SameShapeKernel<ElemwiseDivParam, DivOp>());

// Legacy same-shape forms found in MXNet 1.x symbol files.
MX_REGISTER_KERNEL(_grad_add, SameShapeKernel<GradAddParam, PlusOp>());
MX_REGISTER_KERNEL(_mod, SameShapeKernel<ModParam, ModOp>());
MX_REGISTER_KERNEL(_power, SameShapeKernel<PowerParam, PowerOp>());
MX_REGISTER_KERNEL(_maximum, SameShapeKernel<MaximumParam, MaximumOp>());
MX_REGISTER_KERNEL(_minimum, SameShapeKernel<MinimumParam, MinimumOp>());
MX_REGISTER_KERNEL(_hypot, SameShapeKernel<HypotParam, HypotOp>());

}  // namespace mixnet::op::elemwise
