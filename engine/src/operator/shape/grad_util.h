// Shared pieces of the backward kernels of the shape, indexing and layout families.
//
// Many of those ops are pure "gathers": every output element is a copy of one input element (or
// a constant zero). Their gradient is the matching scatter-add of the head gradient, and the map
// from output to input positions is exactly what the op's own forward computes when it is run on
// an array of element numbers. GatherBackward does that, so each such op's gradient follows its
// forward by construction (clip/wrap modes, negative steps, padding modes, ...).
#pragma once

#include <span>

#include "ndarray/tblob.h"
#include "operator/op.h"

namespace mixnet::op {

// Sets g to zero under req (kWriteTo/kWriteInplace); kAddTo and kNull leave it as it is: the
// gradient of an input that has none (indices, conditions, shape donors).
void ZeroGrad(OpReq req, const TBlob& g);

// ZeroGrad for every input gradient except `keep`.
void ZeroOtherGrads(const OpContext& ctx, std::span<const TBlob> in_grads, int keep);

// Backward of a gather op whose `forward` (with `param`) reads input `data` (all other inputs are
// passed unchanged, e.g. take's indices) and whose outputs hold copies of data elements or 0.
// The forward is re-run on the element numbers 1..N as int64 (0 marks "no source"); then
// in_grads[data] (+)= the scatter-add of out_grads[0] through that map. Other inputs get zeros.
// `injective`: no input element is read twice (slice, reverse, SwapAxis, ...), so the scatter
// can run in parallel; otherwise (tile-like gathers, take, Pad edge/reflect) it runs serially.
void GatherBackward(ForwardFn forward, const ParamBase& param, const OpContext& ctx,
                    std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                    std::span<const TBlob> outputs, std::span<const TBlob> in_grads, int data = 0,
                    bool injective = false);

// Backward of ops whose output is input 0's elements in the same order (Reshape, Flatten,
// expand_dims, squeeze, _copy, reshape_like): a copy of the head gradient; other inputs get 0.
void CopyBackward(const ParamBase& param, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                  std::span<const TBlob> in_grads);

}  // namespace mixnet::op
