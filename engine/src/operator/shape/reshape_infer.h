// Target-shape inference for Reshape: MXNet 1.x's special codes and its legacy target_shape form.
#pragma once

#include "common/shape.h"

namespace mixnet::op {

// Applies `spec` with codes 0 (copy a dim), -1 (infer), -2 (copy the rest), -3 (merge two),
// -4 a b (split one dim into a x b, one of them may be -1) to `in`; with `reverse` the codes are
// matched from the right. Throws ValueError naming Reshape, the spec and the input shape when
// the spec is malformed or the element counts differ.
Shape InferReshapeShape(const Shape& in, const Shape& spec, bool reverse);

// The deprecated form: target_shape may hold one 0 to infer; keep_highest keeps in[0].
Shape InferLegacyReshapeShape(const Shape& in, const Shape& target_shape, bool keep_highest);

}  // namespace mixnet::op
