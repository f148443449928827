// BatchNorm's two implementations share this: the hand-written loops (any axis, float32 and
// float64; they also serve the float64 gradient checks) and the oneDNN primitives (float32 with
// the channel on axis 1, the layout oneDNN's batch normalisation is built for).
#pragma once

#include <span>

#include "ndarray/tblob.h"
#include "operator/op.h"
#include "ops/nn_norm.h"

namespace mixnet::op::nn_norm {

// Normalising by the batch's own statistics (and updating the moving ones) happens only in
// training without use_global_stats; otherwise the moving statistics are constants.
inline bool BatchNormUsesBatchStats(const BatchNormParam& p, const OpContext& ctx) {
  return ctx.is_train && !p.use_global_stats;
}

// Input indices.
enum : int { kBnData = 0, kBnGamma, kBnBeta, kBnMovingMean, kBnMovingVar };

// oneDNN path: true when it ran (float32, channel axis 1, non-empty, 2-5 dims, writes it can do),
// false when the caller must use the loops. The forward writes output, mean and var (the batch's
// statistics in training, copies of the moving ones otherwise) but does not update the moving
// statistics.
bool BatchNormForwardDnnl(const BatchNormParam& p, const OpContext& ctx, std::span<const TBlob> in,
                          std::span<const TBlob> out);
bool BatchNormBackwardDnnl(const BatchNormParam& p, const OpContext& ctx,
                           std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                           std::span<const TBlob> outputs, std::span<const TBlob> in_grads);

}  // namespace mixnet::op::nn_norm
