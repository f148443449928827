// UpSampling (nearest): each NCHW input i is repeated s_i times along H and W, where s_i makes
// its spatial size equal to the first input's times `scale`; the results are concatenated on the
// channel axis (multi_input_mode=concat) or summed (sum). Every output element is computed from
// the inputs directly (no staging), which also keeps an output that aliases an input correct.
#include <algorithm>
#include <span>
#include <vector>

#include "ops/nn_basic.h"
#include "operator/nn_basic/nn_basic_util.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using nn_basic::Compute;
using Mode = UpSamplingParam::MultiInputMode;

void InferUpSampling(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<UpSamplingParam>(base);
  const auto& shapes = io.in_shapes;
  MX_CHECK(!shapes.empty(), ValueError) << "UpSampling: needs at least one input";
  for (size_t i = 0; i < shapes.size(); ++i) {
    MX_CHECK(shapes[i].ndim() == 4, ValueError)
        << "UpSampling: input " << i << " must be 4-d (NCHW), got shape " << shapes[i];
    nn_basic::CheckFloating("UpSampling", "data", io.in_types[i]);
    MX_CHECK(io.in_types[i] == io.in_types[0], TypeError)
        << "UpSampling: input " << i << " has dtype " << DTypeName(io.in_types[i])
        << " but input 0 has " << DTypeName(io.in_types[0]);
  }
  const int64_t oh = shapes[0][2] * p.scale, ow = shapes[0][3] * p.scale;
  int64_t channels = 0;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape& s = shapes[i];
    MX_CHECK(s[0] == shapes[0][0], ValueError)
        << "UpSampling: input " << i << " has batch size " << s[0] << " but input 0 has "
        << shapes[0][0] << " (shapes " << shapes[0] << " and " << s << ")";
    const bool fits = s[2] > 0 && s[3] > 0 && oh % s[2] == 0 && ow % s[3] == 0 &&
                      oh / s[2] == ow / s[3];
    MX_CHECK(fits || (oh == 0 && ow == 0), ValueError)
        << "UpSampling: input " << i << " of shape " << s << " cannot be upsampled by one integer"
        << " factor to the output size (" << oh << ", " << ow << ") (input 0 " << shapes[0]
        << " times scale " << p.scale << ")";
    if (p.multi_input_mode == Mode::kSum) {
      MX_CHECK(s[1] == shapes[0][1], ValueError)
          << "UpSampling: multi_input_mode=sum needs equal channel counts, input " << i
          << " has shape " << s << " and input 0 " << shapes[0];
    }
    channels += s[1];
  }
  if (p.multi_input_mode == Mode::kSum) channels = shapes[0][1];
  io.out_shapes = {Shape{shapes[0][0], channels, oh, ow}};
  io.out_types = {io.in_types[0]};
}

// The upsampling factor of input s for output size oh.
inline int64_t FactorOf(const Shape& s, int64_t oh) { return s[2] > 0 ? oh / s[2] : 1; }

template <typename T>
void UpSampleTyped(const UpSamplingParam& p, OpReq req, std::span<const TBlob> in,
                   const TBlob& out, int nthreads) {
  using C = Compute<T>;
  const int64_t n = out.shape[0], oc = out.shape[1], oh = out.shape[2], ow = out.shape[3];
  const size_t k = in.size();
  // Per output channel: which input (concat) and its channel there.
  std::vector<int64_t> src_input, src_channel;
  if (p.multi_input_mode == Mode::kConcat) {
    for (size_t i = 0; i < k; ++i)
      for (int64_t c = 0; c < in[i].shape[1]; ++c) {
        src_input.push_back(static_cast<int64_t>(i));
        src_channel.push_back(c);
      }
  }
  std::vector<int64_t> factor(k);
  for (size_t i = 0; i < k; ++i) factor[i] = FactorOf(in[i].shape, oh);
  T* y = out.ptr<T>();
  ParallelFor(
      n * oc * oh, nthreads,
      [&](int64_t r0, int64_t r1) {
        std::vector<C> acc(static_cast<size_t>(ow));
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t oy = r % oh, c = (r / oh) % oc, b = r / (oh * oc);
          std::fill(acc.begin(), acc.end(), C(0));
          auto add_input = [&](size_t i, int64_t ch) {
            const Shape& s = in[i].shape;
            const int64_t f = factor[i];
            const T* row = in[i].ptr<T>() + ((b * s[1] + ch) * s[2] + oy / f) * s[3];
            for (int64_t ox = 0; ox < ow; ++ox) acc[ox] += static_cast<C>(row[ox / f]);
          };
          if (p.multi_input_mode == Mode::kConcat) {
            add_input(static_cast<size_t>(src_input[c]), src_channel[c]);
          } else {
            for (size_t i = 0; i < k; ++i) add_input(i, c);
          }
          T* dst = y + r * ow;
          for (int64_t ox = 0; ox < ow; ++ox) StoreReq(req, dst + ox, static_cast<T>(acc[ox]));
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, ow)));
}

void ForwardUpSampling(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                       std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<UpSamplingParam>(base);
  MX_FLOAT_TYPE_SWITCH(out[0].dtype, T, "UpSampling",
                       { UpSampleTyped<T>(p, req, in, out[0], ctx.nthreads); });
}

// d input i [b, c, y, x] = sum of the f x f block of the output gradient it was copied to.
template <typename T>
void UpSampleGradTyped(const UpSamplingParam& p, const OpContext& ctx, const TBlob& dy,
                       std::span<const TBlob> inputs, std::span<const TBlob> in_grads) {
  using C = Compute<T>;
  const int64_t oc = dy.shape[1], oh = dy.shape[2], ow = dy.shape[3];
  const T* g = dy.ptr<T>();
  int64_t channel_offset = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& s = inputs[i].shape;
    const OpReq req = ReqAt(ctx, i);
    const int64_t offset = p.multi_input_mode == Mode::kConcat ? channel_offset : 0;
    channel_offset += s[1];
    if (req == OpReq::kNull || s.Size() == 0) continue;
    const int64_t f = FactorOf(s, oh);
    T* dx = in_grads[i].ptr<T>();
    ParallelFor(
        s[0] * s[1] * s[2], ctx.nthreads,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const int64_t y = r % s[2], c = (r / s[2]) % s[1], b = r / (s[2] * s[1]);
            const T* block = g + ((b * oc + c + offset) * oh + y * f) * ow;
            T* dst = dx + r * s[3];
            for (int64_t x = 0; x < s[3]; ++x) {
              C sum = 0;
              for (int64_t dyy = 0; dyy < f; ++dyy)
                for (int64_t dxx = 0; dxx < f; ++dxx)
                  sum += static_cast<C>(block[dyy * ow + x * f + dxx]);
              StoreReq(req, dst + x, static_cast<T>(sum));
            }
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, s[3] * f * f)));
  }
}

void BackwardUpSampling(const ParamBase& base, const OpContext& ctx,
                        std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                        std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<UpSamplingParam>(base);
  MX_FLOAT_TYPE_SWITCH(out_grads[0].dtype, T, "UpSampling",
                       { UpSampleGradTyped<T>(p, ctx, out_grads[0], inputs, in_grads); });
}

}  // namespace

MX_REGISTER_KERNEL(UpSampling, (OpKernel{.infer = InferUpSampling, .forward = ForwardUpSampling,
                                         .backward = BackwardUpSampling}));

}  // namespace mixnet::op
