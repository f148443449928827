// Arithmetic binary ops: broadcast_add/sub/mul/div/mod/power/maximum/minimum/hypot (NumPy-style
// broadcasting), elemwise_add/sub/mul/div and the legacy _grad_add, _mod, _power, ... (equal
// shapes). Kernels in binary_kernel.h, math in binary_math.h; gradients in binary_grad.h (the
// derivatives in binary_grad_math.h).
#include "operator/elemwise/binary_grad.h"
#include "operator/elemwise/binary_kernel.h"
#include "ops/elemwise_binary.h"

namespace mixnet::op::elemwise {
namespace {

template <typename P, typename Op, typename G>
constexpr OpKernel BroadcastGradKernel() {
  OpKernel k = BroadcastKernel<P, Op>();
  k.backward = BinaryBackward<P, G>;
  return k;
}

template <typename P, typename Op, typename G>
constexpr OpKernel SameShapeGradKernel() {
  OpKernel k = SameShapeKernel<P, Op>();
  k.backward = BinaryBackward<P, G>;
  return k;
}

}  // namespace

MX_REGISTER_KERNEL(broadcast_add, BroadcastGradKernel<BroadcastAddParam, PlusOp, PlusGrad>());
MX_REGISTER_KERNEL(broadcast_sub, BroadcastGradKernel<BroadcastSubParam, MinusOp, MinusGrad>());
MX_REGISTER_KERNEL(broadcast_mul, BroadcastGradKernel<BroadcastMulParam, MulOp, MulGrad>());
MX_REGISTER_KERNEL(broadcast_div, BroadcastGradKernel<BroadcastDivParam, DivOp, DivGrad>());
MX_REGISTER_KERNEL(broadcast_mod, BroadcastGradKernel<BroadcastModParam, ModOp, ModGrad>());
MX_REGISTER_KERNEL(broadcast_power, BroadcastGradKernel<BroadcastPowerParam, PowerOp, PowerGrad>());
MX_REGISTER_KERNEL(broadcast_maximum,
                   BroadcastGradKernel<BroadcastMaximumParam, MaximumOp, MaximumGrad>());
MX_REGISTER_KERNEL(broadcast_minimum,
                   BroadcastGradKernel<BroadcastMinimumParam, MinimumOp, MinimumGrad>());
MX_REGISTER_KERNEL(broadcast_hypot, BroadcastGradKernel<BroadcastHypotParam, HypotOp, HypotGrad>());

MX_REGISTER_KERNEL(elemwise_add, SameShapeGradKernel<ElemwiseAddParam, PlusOp, PlusGrad>());
MX_REGISTER_KERNEL(elemwise_sub, SameShapeGradKernel<ElemwiseSubParam, MinusOp, MinusGrad>());
MX_REGISTER_KERNEL(elemwise_mul, SameShapeGradKernel<ElemwiseMulParam, MulOp, MulGrad>());
MX_REGISTER_KERNEL(elemwise_div, SameShapeGradKernel<ElemwiseDivParam, DivOp, DivGrad>());

// Legacy same-shape forms found in MXNet 1.x symbol files.
MX_REGISTER_KERNEL(_grad_add, SameShapeGradKernel<GradAddParam, PlusOp, PlusGrad>());
MX_REGISTER_KERNEL(_mod, SameShapeGradKernel<ModParam, ModOp, ModGrad>());
MX_REGISTER_KERNEL(_power, SameShapeGradKernel<PowerParam, PowerOp, PowerGrad>());
MX_REGISTER_KERNEL(_maximum, SameShapeGradKernel<MaximumParam, MaximumOp, MaximumGrad>());
MX_REGISTER_KERNEL(_minimum, SameShapeGradKernel<MinimumParam, MinimumOp, MinimumGrad>());
MX_REGISTER_KERNEL(_hypot, SameShapeGradKernel<HypotParam, HypotOp, HypotGrad>());

}  // namespace mixnet::op::elemwise
