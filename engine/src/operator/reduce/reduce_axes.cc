#include "operator/reduce/reduce_axes.h"

#include <algorithm>

#include "common/error.h"

namespace mixnet::op::reduce {

ReducedAxes ResolveAxes(const char* op_name, const Shape& in, const std::optional<Shape>& axis,
                        bool keepdims, bool exclude) {
  const int ndim = in.ndim();
  ReducedAxes r;
  r.reduced.assign(static_cast<size_t>(ndim), false);
  if (!axis.has_value() || axis->ndim() == 0) {
    // MXNet reduces everything here, even with exclude=True.
    std::fill(r.reduced.begin(), r.reduced.end(), true);
    r.out_shape = keepdims ? Shape::Filled(ndim, 1) : Shape{1};
    return r;
  }
  std::vector<bool> listed(static_cast<size_t>(ndim), false);
  for (int64_t a : axis->dims()) {
    int n = NormalizeAxis(a, ndim, op_name);
    MX_CHECK(!listed[n], ValueError) << op_name << ": duplicate axis " << a << " in axis="
                                     << axis->ToString() << " for input shape " << in;
    listed[n] = true;
  }
  for (int i = 0; i < ndim; ++i) r.reduced[i] = exclude ? !listed[i] : listed[i];
  for (int i = 0; i < ndim; ++i) {
    if (!r.reduced[i]) {
      r.out_shape.PushBack(in[i]);
    } else if (keepdims) {
      r.out_shape.PushBack(1);
    }
  }
  // MXNet never produces a 0-d result from these ops: reducing every axis gives (1,).
  if (r.out_shape.ndim() == 0) r.out_shape = Shape{1};
  return r;
}

ReducedAxes ResolveSingleAxis(const char* op_name, const Shape& in, std::optional<int> axis,
                              bool keepdims) {
  const int ndim = in.ndim();
  if (!axis.has_value() || ndim <= 1) {
    if (axis.has_value() && ndim == 1) NormalizeAxis(*axis, ndim, op_name);  // still validate
    ReducedAxes r;
    r.reduced.assign(static_cast<size_t>(ndim), true);
    r.out_shape = keepdims ? Shape::Filled(ndim, 1) : Shape{1};
    if (r.out_shape.ndim() == 0) r.out_shape = Shape{1};
    return r;
  }
  return ResolveAxes(op_name, in, Shape{*axis}, keepdims, false);
}

Collapsed Collapse(const Shape& in, const std::vector<bool>& reduced) {
  Collapsed c;
  for (int i = 0; i < in.ndim(); ++i) {
    if (in[i] == 1) continue;
    if (!c.dims.empty() && c.reduced.back() == reduced[i]) {
      c.dims.back() *= in[i];
    } else {
      c.dims.push_back(in[i]);
      c.reduced.push_back(reduced[i]);
    }
  }
  return c;
}

int64_t Collapsed::ReducedCount() const {
  int64_t p = 1;
  for (size_t i = 0; i < dims.size(); ++i)
    if (reduced[i]) p *= dims[i];
  return p;
}

int64_t Collapsed::KeptCount() const {
  int64_t p = 1;
  for (size_t i = 0; i < dims.size(); ++i)
    if (!reduced[i]) p *= dims[i];
  return p;
}

}  // namespace mixnet::op::reduce
