#include "operator/elemwise/broadcast_util.h"

#include <algorithm>

#include "common/error.h"

namespace mixnet::op::elemwise {

namespace {
// Extent of `s` at output axis i when s is right-aligned against an output of rank n.
int64_t AlignedDim(const Shape& s, int n, int i) {
  const int offset = n - s.ndim();
  return i >= offset ? s[i - offset] : 1;
}
}  // namespace

Shape BroadcastShape(const char* op_name, const Shape& lhs, const Shape& rhs) {
  if (lhs == rhs) return lhs;
  const int n = std::max(lhs.ndim(), rhs.ndim());
  Shape out = Shape::Filled(n, 1);
  for (int i = 0; i < n; ++i) {
    const int64_t l = AlignedDim(lhs, n, i);
    const int64_t r = AlignedDim(rhs, n, i);
    if (l != r && l != 1 && r != 1) {
      MX_THROW(ValueError) << op_name << ": operands could not be broadcast together with shapes "
                           << lhs << " " << rhs;
    }
    // A size-1 axis stretches to the other one, including to 0 (NumPy: (1, 3) + (0, 3) -> (0, 3)).
    out[i] = l == 1 ? r : l;
  }
  return out;
}

BroadcastPlan MakeBroadcastPlan(const Shape& lhs, const Shape& rhs, const Shape& out) {
  BroadcastPlan plan;
  const int n = out.ndim();
  bool prev_lb = false;
  bool prev_rb = false;
  for (int i = 0; i < n; ++i) {
    const int64_t o = out[i];
    if (o == 1) continue;  // contributes nothing to any index
    const bool lb = AlignedDim(lhs, n, i) == 1;  // lhs is stretched along this axis
    const bool rb = AlignedDim(rhs, n, i) == 1;
    if (plan.ndim > 0 && lb == prev_lb && rb == prev_rb) {
      plan.dims[plan.ndim - 1] *= o;
      continue;
    }
    MX_CHECK(plan.ndim < BroadcastPlan::kMaxDims, NotImplemented)
        << "broadcasting over more than " << BroadcastPlan::kMaxDims << " axes";
    plan.dims[plan.ndim] = o;
    // Temporarily store the broadcast flags; strides are filled in below.
    plan.lstride[plan.ndim] = lb ? 0 : 1;
    plan.rstride[plan.ndim] = rb ? 0 : 1;
    ++plan.ndim;
    prev_lb = lb;
    prev_rb = rb;
  }
  int64_t lacc = 1;
  int64_t racc = 1;
  for (int d = plan.ndim - 1; d >= 0; --d) {
    if (plan.lstride[d] != 0) {
      plan.lstride[d] = lacc;
      lacc *= plan.dims[d];
    }
    if (plan.rstride[d] != 0) {
      plan.rstride[d] = racc;
      racc *= plan.dims[d];
    }
  }
  return plan;
}

}  // namespace mixnet::op::elemwise
