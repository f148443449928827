// BatchNorm on oneDNN (2.6 API): float32 with the channel on axis 1, 2 to 5 dimensions.
// forward_training computes the batch mean and population variance itself; forward_inference
// and the backward take the statistics as inputs (use_global_stats). gamma and beta are passed
// separately (use_scale / use_shift); fix_gamma simply leaves use_scale out, which is gamma = 1.
#include <dnnl.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "operator/dnnl/dnnl_util.h"
#include "operator/nn_norm/batch_norm.h"
#include "operator/nn_norm/norm_util.h"

namespace mixnet::op::nn_norm {
namespace {

namespace du = dnnl_util;
using nf = dnnl::normalization_flags;

bool Applicable(const BatchNormParam& p, const TBlob& data) {
  const int nd = data.ndim();
  if (data.dtype != DType::kFloat32 || nd < 2 || nd > 5 || data.Size() == 0) return false;
  const int axis = p.axis < 0 ? p.axis + nd : p.axis;
  return axis == 1;
}

nf Flags(const BatchNormParam& p, bool batch_stats) {
  nf f = nf::use_shift;
  if (!p.fix_gamma) f = f | nf::use_scale;
  if (!batch_stats) f = f | nf::use_global_stats;
  return f;
}

struct FwdEntry {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward prim;
};
struct BwdEntry {
  dnnl::batch_normalization_backward::primitive_desc pd;
  dnnl::batch_normalization_backward prim;
};

dnnl::batch_normalization_forward::primitive_desc FwdPd(const Shape& s, float eps, nf flags,
                                                        bool batch_stats) {
  const auto md = du::PlainDesc(s, DType::kFloat32, "BatchNorm");
  const auto prop =
      batch_stats ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  dnnl::batch_normalization_forward::desc d(prop, md, eps, flags);
  return {d, du::UserScratchpadAttr(), du::Engine()};
}

std::string Key(const char* tag, const Shape& s, float eps, nf flags) {
  return du::KeyBuilder(tag)
      .Add(s)
      .Add(static_cast<double>(eps))
      .Add(static_cast<int64_t>(flags))
      .Take();
}

bool IsWrite(OpReq r) { return r == OpReq::kWriteTo || r == OpReq::kWriteInplace; }

// Adds or copies n floats from scratch into dst under req.
void Put(OpReq req, const TBlob& dst, const float* src, int64_t n) {
  if (req == OpReq::kNull) return;
  AssignRun(req, dst.ptr<float>(), src, n);
}

}  // namespace

bool BatchNormForwardDnnl(const BatchNormParam& p, const OpContext& ctx, std::span<const TBlob> in,
                          std::span<const TBlob> out) {
  const TBlob& data = in[kBnData];
  if (!Applicable(p, data)) return false;
  const bool batch_stats = BatchNormUsesBatchStats(p, ctx);
  // Training writes the statistics straight into the mean/var outputs; the caller makes them
  // plain writes in that case.
  if (batch_stats && !(IsWrite(ReqAt(ctx, 1)) && IsWrite(ReqAt(ctx, 2)))) return false;
  const float eps = static_cast<float>(p.eps);
  const nf flags = Flags(p, batch_stats);
  static auto& cache = *new du::PrimitiveCache<FwdEntry>();  // never destroyed
  auto entry = cache.GetOrCreate(Key(batch_stats ? "bn_fwd_train" : "bn_fwd", data.shape, eps, flags), [&] {
    auto pd = FwdPd(data.shape, eps, flags, batch_stats);
    return std::make_shared<const FwdEntry>(FwdEntry{pd, dnnl::batch_normalization_forward(pd)});
  });
  const int64_t C = data.shape[1];
  const OpReq req = ReqAt(ctx, 0);
  std::vector<float> tmp;
  float* dst = nullptr;
  if (IsWrite(req)) {
    dst = out[0].ptr<float>();
  } else {
    tmp.resize(static_cast<size_t>(data.Size()));
    dst = tmp.data();
  }
  const auto md = du::PlainDesc(data.shape, DType::kFloat32, "BatchNorm");
  const auto vmd = du::PlainDesc(Shape({C}), DType::kFloat32, "BatchNorm");
  const TBlob& mean = batch_stats ? out[1] : in[kBnMovingMean];
  const TBlob& var = batch_stats ? out[2] : in[kBnMovingVar];
  try {
    du::WithThreads(ctx.nthreads, [&] {
      std::unordered_map<int, dnnl::memory> args{
          {DNNL_ARG_SRC, du::Wrap(md, data.dptr)},
          {DNNL_ARG_DST, du::Wrap(md, dst)},
          {DNNL_ARG_MEAN, du::Wrap(vmd, mean.dptr)},
          {DNNL_ARG_VARIANCE, du::Wrap(vmd, var.dptr)},
          {DNNL_ARG_SHIFT, du::Wrap(vmd, in[kBnBeta].dptr)}};
      if (!p.fix_gamma) args.emplace(DNNL_ARG_SCALE, du::Wrap(vmd, in[kBnGamma].dptr));
      du::AddScratchpad(args, entry->pd.scratchpad_desc());
      entry->prim.execute(du::ThreadStream(), args);
      du::ThreadStream().wait();
    });
  } catch (const dnnl::error& e) {
    du::Rethrow(e, "BatchNorm");
  }
  if (!tmp.empty()) Put(req, out[0], tmp.data(), data.Size());
  if (!batch_stats) {  // the statistics used were the moving ones: report those
    Put(ReqAt(ctx, 1), out[1], in[kBnMovingMean].ptr<float>(), C);
    Put(ReqAt(ctx, 2), out[2], in[kBnMovingVar].ptr<float>(), C);
  }
  return true;
}

bool BatchNormBackwardDnnl(const BatchNormParam& p, const OpContext& ctx,
                           std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                           std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const TBlob& data = inputs[kBnData];
  if (!Applicable(p, data)) return false;
  const bool batch_stats = BatchNormUsesBatchStats(p, ctx);
  // Head gradients on visible batch statistics are added by the loops only.
  if (batch_stats && out_grads.size() > 1) return false;
  const float eps = static_cast<float>(p.eps);
  const nf flags = Flags(p, batch_stats);
  static auto& cache = *new du::PrimitiveCache<BwdEntry>();  // never destroyed
  auto entry = cache.GetOrCreate(Key("bn_bwd", data.shape, eps, flags), [&] {
    auto fwd = FwdPd(data.shape, eps, flags, batch_stats);
    const auto md = du::PlainDesc(data.shape, DType::kFloat32, "BatchNorm");
    dnnl::batch_normalization_backward::desc d(dnnl::prop_kind::backward, md, md, eps, flags);
    dnnl::batch_normalization_backward::primitive_desc pd(d, du::UserScratchpadAttr(),
                                                          du::Engine(), fwd);
    return std::make_shared<const BwdEntry>(BwdEntry{pd, dnnl::batch_normalization_backward(pd)});
  });
  const int64_t C = data.shape[1];
  const OpReq req_x = ReqAt(ctx, 0);
  std::vector<float> tmp;
  float* dx = nullptr;
  if (IsWrite(req_x)) {
    dx = in_grads[0].ptr<float>();
  } else {
    tmp.resize(static_cast<size_t>(data.Size()));
    dx = tmp.data();
  }
  std::vector<float> dscale(static_cast<size_t>(C), 0.f), dshift(static_cast<size_t>(C), 0.f);
  const auto md = du::PlainDesc(data.shape, DType::kFloat32, "BatchNorm");
  const auto vmd = du::PlainDesc(Shape({C}), DType::kFloat32, "BatchNorm");
  try {
    du::WithThreads(ctx.nthreads, [&] {
      std::unordered_map<int, dnnl::memory> args{
          {DNNL_ARG_SRC, du::Wrap(md, data.dptr)},
          {DNNL_ARG_DIFF_DST, du::Wrap(md, out_grads[0].dptr)},
          {DNNL_ARG_MEAN, du::Wrap(vmd, outputs[1].dptr)},
          {DNNL_ARG_VARIANCE, du::Wrap(vmd, outputs[2].dptr)},
          {DNNL_ARG_DIFF_SRC, du::Wrap(md, dx)},
          {DNNL_ARG_SHIFT, du::Wrap(vmd, inputs[kBnBeta].dptr)},
          {DNNL_ARG_DIFF_SHIFT, du::Wrap(vmd, dshift.data())}};
      if (!p.fix_gamma) {
        args.emplace(DNNL_ARG_SCALE, du::Wrap(vmd, inputs[kBnGamma].dptr));
        args.emplace(DNNL_ARG_DIFF_SCALE, du::Wrap(vmd, dscale.data()));
      }
      du::AddScratchpad(args, entry->pd.scratchpad_desc());
      entry->prim.execute(du::ThreadStream(), args);
      du::ThreadStream().wait();
    });
  } catch (const dnnl::error& e) {
    du::Rethrow(e, "BatchNorm");
  }
  if (!tmp.empty()) Put(req_x, in_grads[0], tmp.data(), data.Size());
  Put(ReqAt(ctx, 1), in_grads[1], dscale.data(), C);  // zeros with fix_gamma
  Put(ReqAt(ctx, 2), in_grads[2], dshift.data(), C);
  return true;
}

}  // namespace mixnet::op::nn_norm
