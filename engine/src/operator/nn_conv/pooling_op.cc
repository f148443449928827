// Pooling (max/avg/sum/lp; 1D/2D/3D; valid/full/same; global; count_include_pad).
//
// 1-D and 2-D max pooling runs the loops of pool_max2d.h, every dtype (see there for why not
// oneDNN). Float32 3-D max and float32 avg run on oneDNN when its divisor rule agrees with
// MXNet's (exclude-padding always does; include-padding only when no window reaches past
// x + pad, since MXNet does not count the extra right padding of 'full'/'same'); everything else
// runs the hand-written kernels of pool_ref.h, which also serve float64/float16/bfloat16.
//
// Max-pool backward on oneDNN needs the forward's workspace (argmax positions). We recompute it
// (a forward_training pass into scratch) instead of keeping it as a hidden output: the workspace
// format is implementation-defined (its size is only known from a primitive descriptor, so
// inference would have to build one), and the 3-D case this serves is rare.
#include <dnnl.hpp>

#include <memory>

#include "ops/nn_conv.h"
#include "operator/dnnl/dnnl_util.h"
#include "operator/nn_conv/conv_common.h"
#include "operator/nn_conv/dnnl_exec.h"
#include "operator/nn_conv/pool_geom.h"
#include "operator/nn_conv/pool_max2d.h"
#include "operator/nn_conv/pool_ref.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {
namespace {

constexpr const char* kOp = "Pooling";
using PT = PoolingParam::PoolType;

void InferPooling(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<PoolingParam>(base);
  const PoolGeom g = MakePoolGeom(p, io.in_shapes.at(0));
  MX_CHECK(IsFloatingDType(io.in_types.at(0)), TypeError)
      << kOp << ": dtype " << DTypeName(io.in_types.at(0))
      << " is not supported (floating dtypes only)";
  io.out_shapes = {g.out_shape};
  io.out_types = {io.in_types.at(0)};
}

bool UseDnnl(const PoolGeom& g, DType t) {
  if (t != DType::kFloat32) return false;
  // oneDNN rejects windows that lie wholly in the padding (MXNet allows them with 'full').
  for (int d = 0; d < 3; ++d) {
    if (g.p[d] >= g.k[d] || g.pad_r[d] >= g.k[d]) return false;
  }
  if (g.type == PT::kMax) return true;
  if (g.type != PT::kAvg) return false;
  if (!g.include_pad) return true;
  for (int d = 0; d < 3; ++d) {
    if (g.pad_r[d] != g.p[d]) return false;
  }
  return true;
}

struct PoolPrims {
  dnnl::pooling_forward::primitive_desc fpd;
  dnnl::pooling_forward fwd;
  dnnl::pooling_backward::primitive_desc bpd;
  dnnl::pooling_backward bwd;
};

std::shared_ptr<const PoolPrims> GetPrims(const PoolGeom& g, const Shape& data) {
  static auto& cache = *new dnnl_util::PrimitiveCache<PoolPrims>();  // never destroyed
  dnnl_util::KeyBuilder kb("pool");
  kb.Add(data);
  for (int d = 3 - g.nsp; d < 3; ++d) {
    kb.Add(std::vector<int64_t>{g.k[d], g.s[d], g.p[d], g.pad_r[d]});
  }
  kb.Add(static_cast<int64_t>(g.type)).Add(int64_t{g.include_pad});
  return cache.GetOrCreate(kb.Take(), [&] {
    const dnnl::algorithm alg = g.type == PT::kMax          ? dnnl::algorithm::pooling_max
                                : g.include_pad             ? dnnl::algorithm::pooling_avg_include_padding
                                                            : dnnl::algorithm::pooling_avg_exclude_padding;
    dnnl::memory::dims k, s, pl, pr;
    for (int d = 3 - g.nsp; d < 3; ++d) {
      k.push_back(g.k[d]);
      s.push_back(g.s[d]);
      pl.push_back(g.p[d]);
      pr.push_back(g.pad_r[d]);
    }
    const auto src = dnnl_util::PlainDesc(data, DType::kFloat32, kOp);
    const auto dst = dnnl_util::PlainDesc(g.out_shape, DType::kFloat32, kOp);
    dnnl::pooling_forward::desc fd(dnnl::prop_kind::forward_training, alg, src, dst, s, k, pl, pr);
    dnnl::pooling_forward::primitive_desc fpd(fd, UserScratchpadAttr(), dnnl_util::Engine());
    dnnl::pooling_backward::desc bd(alg, src, dst, s, k, pl, pr);
    dnnl::pooling_backward::primitive_desc bpd(bd, UserScratchpadAttr(), dnnl_util::Engine(), fpd);
    return std::make_shared<const PoolPrims>(
        PoolPrims{fpd, dnnl::pooling_forward(fpd), bpd, dnnl::pooling_backward(bpd)});
  });
}

void ForwardPooling(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const auto& p = ParamAs<PoolingParam>(base);
  const OpReq req = ReqOf(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const PoolGeom g = MakePoolGeom(p, in[0].shape);
  if (MaxPool2DApplies(g)) {
    MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, kOp, {
      MaxPool2DForward<T>(g, in[0].ptr<T>(), out[0].ptr<T>(), req, ctx.nthreads);
    });
    return;
  }
  if (!UseDnnl(g, in[0].dtype)) {
    MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, kOp, {
      PoolForwardRef<T>(g, in[0].ptr<T>(), out[0].ptr<T>(), req, ctx.nthreads);
    });
    return;
  }
  RunDnnl(kOp, ctx.nthreads, [&](dnnl::stream& st) {
    auto e = GetPrims(g, in[0].shape);
    OutputStage dst(e->fpd.dst_desc(), dnnl_util::PlainDesc(out[0], kOp), out[0].dptr, req);
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl_util::Wrap(in[0], kOp)},
                                               {DNNL_ARG_DST, dst.mem()}};
    if (e->fpd.workspace_desc().get_size() > 0) {
      args[DNNL_ARG_WORKSPACE] = dnnl_util::TempMemory(e->fpd.workspace_desc());
    }
    AddScratchpad(args, e->fpd.scratchpad_desc());
    e->fwd.execute(st, args);
    dst.Finish(st);
  });
}

void BackwardPooling(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                     std::span<const TBlob> inputs, std::span<const TBlob> outputs,
                     std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<PoolingParam>(base);
  const OpReq req = ReqOf(ctx, 0);
  if (req == OpReq::kNull || in_grads[0].Size() == 0) return;
  const PoolGeom g = MakePoolGeom(p, inputs[0].shape);
  if (MaxPool2DApplies(g)) {
    MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, kOp, {
      MaxPool2DBackward<T>(g, out_grads[0].ptr<T>(), inputs[0].ptr<T>(), in_grads[0].ptr<T>(),
                           req, ctx.nthreads);
    });
    return;
  }
  if (!UseDnnl(g, inputs[0].dtype)) {
    MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, kOp, {
      PoolBackwardRef<T>(g, out_grads[0].ptr<T>(), inputs[0].ptr<T>(), outputs[0].ptr<T>(),
                         in_grads[0].ptr<T>(), req, ctx.nthreads);
    });
    return;
  }
  RunDnnl(kOp, ctx.nthreads, [&](dnnl::stream& st) {
    auto e = GetPrims(g, inputs[0].shape);
    std::unordered_map<int, dnnl::memory> bargs{
        {DNNL_ARG_DIFF_DST, dnnl_util::Wrap(out_grads[0], kOp)}};
    if (e->fpd.workspace_desc().get_size() > 0) {  // recompute the argmax workspace
      dnnl::memory ws = dnnl_util::TempMemory(e->fpd.workspace_desc());
      dnnl::memory scratch_dst = dnnl_util::TempMemory(e->fpd.dst_desc());
      std::unordered_map<int, dnnl::memory> fargs{{DNNL_ARG_SRC, dnnl_util::Wrap(inputs[0], kOp)},
                                                  {DNNL_ARG_DST, scratch_dst},
                                                  {DNNL_ARG_WORKSPACE, ws}};
      AddScratchpad(fargs, e->fpd.scratchpad_desc());
      e->fwd.execute(st, fargs);
      bargs[DNNL_ARG_WORKSPACE] = ws;
    }
    OutputStage ds(e->bpd.diff_src_desc(), dnnl_util::PlainDesc(in_grads[0], kOp),
                   in_grads[0].dptr, req);
    bargs[DNNL_ARG_DIFF_SRC] = ds.mem();
    AddScratchpad(bargs, e->bpd.scratchpad_desc());
    e->bwd.execute(st, bargs);
    ds.Finish(st);
  });
}

}  // namespace

MX_REGISTER_KERNEL(Pooling, (OpKernel{.infer = InferPooling, .forward = ForwardPooling,
                                      .backward = BackwardPooling}));

}  // namespace mixnet::op::nn_conv
