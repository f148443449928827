// Copies an array into a larger one of the same rank, repeating its size-1 axes (the forward of
// broadcast_to, broadcast_axis and broadcast_like), honouring OpReq.
#pragma once

#include "ndarray/tblob.h"
#include "operator/op.h"

namespace mixnet::op::layout {

// out[i...] = in[i... with broadcast axes at 0]; in.ndim() == out.ndim() and every in dim is 1 or
// equal to out's (the caller's inference checked it).
void BroadcastCopy(OpReq req, const TBlob& in, const TBlob& out, int nthreads);

}  // namespace mixnet::op::layout
