#include "operator/shape/grad_util.h"

#include <cstring>
#include <memory>
#include <vector>

#include "operator/parallel.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {

void ZeroGrad(OpReq req, const TBlob& g) {
  if ((req == OpReq::kWriteTo || req == OpReq::kWriteInplace) && g.dptr != nullptr) {
    std::memset(g.dptr, 0, g.nbytes());  // all-zero bytes are 0 in every dtype
  }
}

void ZeroOtherGrads(const OpContext& ctx, std::span<const TBlob> in_grads, int keep) {
  for (size_t i = 0; i < in_grads.size(); ++i) {
    if (static_cast<int>(i) != keep) ZeroGrad(ReqAt(ctx, i), in_grads[i]);
  }
}

void GatherBackward(ForwardFn forward, const ParamBase& param, const OpContext& ctx,
                    std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                    std::span<const TBlob> outputs, std::span<const TBlob> in_grads, int data,
                    bool injective) {
  ZeroOtherGrads(ctx, in_grads, data);
  const OpReq req = ReqAt(ctx, static_cast<size_t>(data));
  if (req == OpReq::kNull) return;
  const TBlob& gx = in_grads[data];
  ZeroGrad(req, gx);
  const int64_t n_in = inputs[data].Size();
  const int64_t n_out = outputs[0].Size();
  if (n_in == 0 || n_out == 0) return;

  // The forward on element numbers: map[j] = 1 + the input element output j copies, or 0.
  std::unique_ptr<int64_t[]> numbers(new int64_t[static_cast<size_t>(n_in)]);
  for (int64_t i = 0; i < n_in; ++i) numbers[i] = i + 1;
  std::vector<TBlob> ins(inputs.begin(), inputs.end());
  ins[data] = TBlob{numbers.get(), inputs[data].shape, DType::kInt64};
  std::vector<std::unique_ptr<int64_t[]>> maps;
  std::vector<TBlob> outs;
  for (const TBlob& o : outputs) {
    maps.emplace_back(new int64_t[static_cast<size_t>(o.Size())]);
    outs.push_back(TBlob{maps.back().get(), o.shape, DType::kInt64});
  }
  std::vector<OpReq> reqs(outputs.size(), OpReq::kWriteTo);
  OpContext fctx = ctx;
  fctx.req = reqs;
  forward(param, fctx, ins, outs);

  // Scatter-add: in parallel chunks only when no two outputs share a source element.
  const int64_t* map = maps[0].get();
  MX_TYPE_SWITCH(gx.dtype, T, {
    const T* g = out_grads[0].ptr<T>();
    T* dst = gx.ptr<T>();
    auto scatter = [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; ++j) {
        const int64_t src = map[j];
        if (src > 0) dst[src - 1] = AddValues(dst[src - 1], g[j]);
      }
    };
    if (injective) {
      ParallelFor(n_out, ctx.nthreads, scatter);
    } else {
      scatter(0, n_out);
    }
  });
}

void CopyBackward(const ParamBase&, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob>, std::span<const TBlob>,
                  std::span<const TBlob> in_grads) {
  ZeroOtherGrads(ctx, in_grads, 0);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  CopyBlob(req, in_grads[0], out_grads[0], ctx.nthreads);
}

}  // namespace mixnet::op
