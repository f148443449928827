// Shared by the nn_basic tests: run an op's backward kernel directly on given head gradients.
#pragma once

#include <vector>

#include "operator/op.h"
#include "test_util.h"

namespace mixnet::test {

// Calls the op's backward kernel directly with head gradient `dy` and req kWriteTo everywhere.
inline std::vector<NDArray> Backward(const char* op_name, const Attrs& attrs,
                                     const std::vector<NDArray>& inputs, const NDArray& dy) {
  const op::Op* o = op::FindOp(op_name);
  auto param = o->schema->parse(op::AttrList(attrs));
  std::vector<NDArray> outs = Run(op_name, inputs, attrs);
  std::vector<NDArray> grads;
  std::vector<TBlob> in_blobs, grad_blobs, out_blobs;
  for (const NDArray& a : inputs) {
    grads.emplace_back(a.shape(), Context::CPU(), a.dtype());
    a.WaitToRead();
    grads.back().WaitToWrite();
    in_blobs.push_back(a.blob());
    grad_blobs.push_back(grads.back().blob());
  }
  for (const NDArray& a : outs) {
    a.WaitToRead();
    out_blobs.push_back(a.blob());
  }
  dy.WaitToRead();
  std::vector<op::OpReq> req(inputs.size(), op::OpReq::kWriteTo);
  op::OpContext ctx;
  ctx.req = req;
  ctx.nthreads = 2;
  std::vector<TBlob> dy_blobs{dy.blob()};
  o->kernel.backward(*param, ctx, dy_blobs, in_blobs, out_blobs, grad_blobs);
  return grads;
}

}  // namespace mixnet::test
