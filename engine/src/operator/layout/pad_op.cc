// Pad: constant / edge / reflect padding of 4-d and 5-d inputs, as MXNet 1.x's Pad.
// The output is walked in rows of its last axis; per row the source row is found by mapping each
// leading output coordinate back into the input (or marking the row as all padding).
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "ops/padding.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using Mode = PadParam::Mode;

void InferPad(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<PadParam>(base);
  const Shape& s = io.in_shapes.at(0);
  MX_CHECK(s.ndim() == 4 || s.ndim() == 5, ValueError)
      << "Pad: only 4-d and 5-d inputs are supported, got shape " << s;
  MX_CHECK(p.pad_width.ndim() == 2 * s.ndim(), ValueError)
      << "Pad: pad_width=" << p.pad_width << " must hold 2 * ndim = " << 2 * s.ndim()
      << " entries for the input of shape " << s;
  for (int i = 0; i < 4; ++i)
    MX_CHECK(p.pad_width[i] == 0, ValueError)
        << "Pad: pad_width=" << p.pad_width << " pads the first two axes, which must stay 0";
  Shape out = s;
  for (int a = 0; a < s.ndim(); ++a) {
    const int64_t before = p.pad_width[2 * a], after = p.pad_width[2 * a + 1];
    MX_CHECK(before >= 0 && after >= 0, ValueError)
        << "Pad: pad_width=" << p.pad_width << " has a negative entry";
    if (p.mode == Mode::kReflect && before + after > 0) {
      MX_CHECK(before < s[a] && after < s[a], ValueError)
          << "Pad: reflect padding " << p.pad_width << " must be smaller than each padded axis of "
          << "the input of shape " << s;
    }
    if (p.mode == Mode::kEdge && before + after > 0) {
      MX_CHECK(s[a] > 0, ValueError) << "Pad: edge padding of the empty axis " << a
                                     << " of the input of shape " << s;
    }
    out[a] = s[a] + before + after;
  }
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

// The input coordinate for output coordinate o along an axis, or -1 for constant padding.
inline int64_t SourceIndex(int64_t o, int64_t before, int64_t dim, Mode mode) {
  const int64_t i = o - before;
  if (i >= 0 && i < dim) return i;
  if (mode == Mode::kConstant) return -1;
  if (mode == Mode::kEdge) return i < 0 ? 0 : dim - 1;
  return i < 0 ? -i : 2 * (dim - 1) - i;  // reflect, excluding the edge itself
}

template <typename T>
void PadTyped(OpReq req, const T* in, const Shape& is, T* out, const Shape& os,
              const Shape& pad, Mode mode, T fill, int nthreads) {
  const int nd = is.ndim();
  std::vector<int64_t> stride(static_cast<size_t>(nd), 1);
  for (int i = nd - 2; i >= 0; --i) stride[i] = stride[i + 1] * is[i + 1];
  const int64_t run = os[nd - 1];
  const int64_t rows = os.Size() / run;
  const int64_t lb = pad[2 * (nd - 1)], ldim = is[nd - 1];
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t rest = r, off = 0;
          bool inside = true;
          for (int a = nd - 2; a >= 0; --a) {
            const int64_t src = SourceIndex(rest % os[a], pad[2 * a], is[a], mode);
            rest /= os[a];
            if (src < 0) inside = false;
            off += src * stride[a];
          }
          T* dst = out + r * run;
          for (int64_t j = 0; j < run; ++j) {
            const int64_t src = inside ? SourceIndex(j, lb, ldim, mode) : -1;
            StoreReq(req, dst + j, src < 0 ? fill : in[off + src]);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, run)));
}

void ForwardPad(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<PadParam>(base);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    T fill;
    if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>) {
      fill = T(static_cast<float>(p.constant_value));
    } else {
      fill = static_cast<T>(p.constant_value);
    }
    PadTyped<T>(req, in[0].ptr<T>(), in[0].shape, out[0].ptr<T>(), out[0].shape, p.pad_width,
                p.mode, fill, ctx.nthreads);
  });
}

// Every output element copies one input element (edge/reflect) or is the constant: the gradient
// scatters back through the forward's own index map, run with constant 0 ("no source").
void BackwardPad(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                 std::span<const TBlob> in, std::span<const TBlob> out,
                 std::span<const TBlob> in_grads) {
  PadParam p = ParamAs<PadParam>(base);
  p.constant_value = 0;
  GatherBackward(ForwardPad, p, ctx, out_grads, in, out, in_grads);
}

}  // namespace

MX_REGISTER_KERNEL(Pad, (OpKernel{.infer = InferPad, .forward = ForwardPad,
                                  .backward = BackwardPad}));

}  // namespace mixnet::op
