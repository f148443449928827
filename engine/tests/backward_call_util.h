// Calls an op's backward kernel directly (no autograd) for hand-value tests of gradients: runs the
// forward through Invoke, then the kernel's backward with the given head gradients and per-input
// requests, and returns each input's gradient as float64 (empty for inputs with req kNull).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "grad_check_util.h"
#include "operator/op.h"
#include "test_util.h"

namespace mixnet::test {

struct BackwardCall {
  std::string op;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::vector<NDArray> inputs;
  std::vector<std::vector<double>> heads;  // one per visible output
  std::vector<op::OpReq> req;              // one per input; empty = all kWriteTo
  std::vector<std::vector<double>> prefill;  // initial gradient values (kAddTo); empty = zeros
  int nthreads = 2;
};

inline std::vector<std::vector<double>> CallBackward(const BackwardCall& c) {
  const op::Op* o = op::FindOp(c.op);
  EXPECT_NE(o, nullptr) << c.op;
  if (o == nullptr || o->kernel.backward == nullptr) {
    ADD_FAILURE() << c.op << " has no backward";
    return {};
  }
  Attrs attrs;
  for (const auto& [k, v] : c.attrs) attrs.emplace_back(k, v);
  const std::vector<NDArray> outs = Run(c.op, c.inputs, attrs);
  for (const NDArray& y : outs) y.WaitToRead();
  for (const NDArray& x : c.inputs) x.WaitToRead();
  std::vector<NDArray> heads;
  for (size_t k = 0; k < c.heads.size(); ++k) {
    heads.push_back(ArrayFromDoubles(outs.at(k).shape(), outs.at(k).dtype(), c.heads[k]));
  }
  std::vector<op::OpReq> req = c.req;
  if (req.empty()) req.assign(c.inputs.size(), op::OpReq::kWriteTo);
  std::vector<NDArray> grads(c.inputs.size());
  std::vector<TBlob> og, in, out, ig;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const NDArray& x = c.inputs[i];
    if (req[i] == op::OpReq::kNull) {
      ig.push_back(TBlob{nullptr, x.shape(), x.dtype()});
      continue;
    }
    grads[i] = ArrayFromDoubles(x.shape(), x.dtype(),
                                c.prefill.empty() ? std::vector<double>(x.Size(), 0.0)
                                                  : c.prefill[i]);
    grads[i].WaitToRead();
    ig.push_back(grads[i].blob());
  }
  for (const NDArray& h : heads) {
    h.WaitToRead();
    og.push_back(h.blob());
  }
  for (const NDArray& x : c.inputs) in.push_back(x.blob());
  for (const NDArray& y : outs) out.push_back(y.blob());
  std::unique_ptr<op::ParamBase> param = o->schema->parse(attrs);
  op::OpContext ctx;
  ctx.nthreads = c.nthreads;
  ctx.req = req;
  ctx.op_name = o->name();
  o->kernel.backward(*param, ctx, og, in, out, ig);
  std::vector<std::vector<double>> result(c.inputs.size());
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    if (req[i] != op::OpReq::kNull) result[i] = ValuesAsDouble(grads[i]);
  }
  return result;
}

}  // namespace mixnet::test
