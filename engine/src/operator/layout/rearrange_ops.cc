// depth_to_space, space_to_depth, diag and _np_cumsum.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <type_traits>
#include <vector>

#include "ops/rearrange.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/shape/cast_value.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// ---- depth_to_space / space_to_depth ----------------------------------------------------------

void CheckNCHW(const char* op, const Shape& s, int block) {
  MX_CHECK(s.ndim() == 4, ValueError) << op << ": expects a 4-d (N, C, H, W) input, got shape "
                                      << s;
  MX_CHECK(block > 0, ValueError) << op << ": block_size=" << block << " must be positive";
}

void InferDepthToSpace(const ParamBase& base, InferIO& io) {
  const int b = ParamAs<DepthToSpaceParam>(base).block_size;
  const Shape& s = io.in_shapes.at(0);
  CheckNCHW("depth_to_space", s, b);
  MX_CHECK(s[1] % (int64_t{b} * b) == 0, ValueError)
      << "depth_to_space: the channels of the input of shape " << s
      << " must be divisible by block_size^2 = " << int64_t{b} * b;
  io.out_shapes = {Shape{s[0], s[1] / (int64_t{b} * b), s[2] * b, s[3] * b}};
  io.out_types = {io.in_types.at(0)};
}

void InferSpaceToDepth(const ParamBase& base, InferIO& io) {
  const int b = ParamAs<SpaceToDepthParam>(base).block_size;
  const Shape& s = io.in_shapes.at(0);
  CheckNCHW("space_to_depth", s, b);
  MX_CHECK(s[2] % b == 0 && s[3] % b == 0, ValueError)
      << "space_to_depth: the height and width of the input of shape " << s
      << " must be divisible by block_size = " << b;
  io.out_shapes = {Shape{s[0], s[1] * b * b, s[2] / b, s[3] / b}};
  io.out_types = {io.in_types.at(0)};
}

// Walks the small side (N, C', H', W') = depth_to_space's input-per-block layout: for the
// "space" array (N, C', H'*b, W'*b) and the "depth" array (N, b*b*C', H', W'),
// space[n, c, h*b+i, w*b+j] <-> depth[n, (i*b+j)*C' + c, h, w]. to_space picks the direction.
template <typename T>
void BlockMove(OpReq req, const T* src, T* dst, const Shape& space, int64_t b, bool to_space,
               int nthreads) {
  const int64_t N = space[0], C = space[1], H = space[2] / b, W = space[3] / b;
  const int64_t rows = N * C * space[2];  // one output/input row of the space array each
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t sh = r % space[2];
          const int64_t c = (r / space[2]) % C;
          const int64_t n = r / (space[2] * C);
          const int64_t h = sh / b, i = sh % b;
          for (int64_t sw = 0; sw < space[3]; ++sw) {
            const int64_t w = sw / b, j = sw % b;
            const int64_t s_off = r * space[3] + sw;
            const int64_t d_off = ((n * b * b * C + (i * b + j) * C + c) * H + h) * W + w;
            if (to_space) {
              StoreReq(req, dst + s_off, src[d_off]);
            } else {
              StoreReq(req, dst + d_off, src[s_off]);
            }
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, space[3])));
}

void ForwardDepthToSpace(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                         std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const int b = ParamAs<DepthToSpaceParam>(base).block_size;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    BlockMove<T>(req, in[0].ptr<T>(), out[0].ptr<T>(), out[0].shape, b, true, ctx.nthreads);
  });
}

void ForwardSpaceToDepth(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                         std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const int b = ParamAs<SpaceToDepthParam>(base).block_size;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    BlockMove<T>(req, in[0].ptr<T>(), out[0].ptr<T>(), in[0].shape, b, false, ctx.nthreads);
  });
}

// ---- diag ---------------------------------------------------------------------------------------

struct DiagPlan {
  int a1 = 0, a2 = 1;
  int64_t len = 0;     // diagonal length
  int64_t start = 0;   // offset of the diagonal's first element inside one plane
};

int64_t DiagLength(int64_t d1, int64_t d2, int64_t k) {
  const int64_t len = k >= 0 ? std::min(d1, d2 - k) : std::min(d1 + k, d2);
  return std::max<int64_t>(0, len);
}

void InferDiag(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<DiagParam>(base);
  const Shape& s = io.in_shapes.at(0);
  MX_CHECK(s.ndim() > 0, ValueError) << "diag: the input must have at least one axis";
  if (s.ndim() == 1) {
    const int64_t n = s[0] + (p.k < 0 ? -int64_t{p.k} : int64_t{p.k});
    io.out_shapes = {Shape{n, n}};
  } else {
    const int a1 = NormalizeAxis(p.axis1, s.ndim(), "diag axis1");
    const int a2 = NormalizeAxis(p.axis2, s.ndim(), "diag axis2");
    MX_CHECK(a1 != a2, ValueError) << "diag: axis1=" << p.axis1 << " and axis2=" << p.axis2
                                   << " name the same axis of the input of shape " << s;
    Shape out;
    for (int i = 0; i < s.ndim(); ++i)
      if (i != a1 && i != a2) out.PushBack(s[i]);
    out.PushBack(DiagLength(s[a1], s[a2], p.k));
    io.out_shapes = {out};
  }
  io.out_types = {io.in_types.at(0)};
}

template <typename T>
void DiagFrom1D(OpReq req, const T* in, T* out, int64_t n, int64_t k) {
  const int64_t m = n + std::abs(k);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t c = 0; c < m; ++c) {
      const int64_t i = k >= 0 ? r : c;  // position along the diagonal
      const bool on = c - r == k && i < n;
      StoreReq(req, out + r * m + c, on ? in[i] : T{});
    }
  }
}

// out[..., d] = in[..., i1 = d - min(k, 0), ..., i2 = d + max(k, 0), ...] over the other axes.
template <typename T>
void DiagExtract(OpReq req, const T* in, const Shape& s, int a1, int a2, int64_t k, T* out,
                 int64_t len, int nthreads) {
  const int nd = s.ndim();
  std::vector<int64_t> stride(static_cast<size_t>(nd), 1);
  for (int i = nd - 2; i >= 0; --i) stride[i] = stride[i + 1] * s[i + 1];
  std::vector<int> rest;
  for (int i = 0; i < nd; ++i)
    if (i != a1 && i != a2) rest.push_back(i);
  int64_t outer = 1;
  for (int i : rest) outer *= s[i];
  const int64_t start = (k >= 0 ? k * stride[a2] : -k * stride[a1]);
  const int64_t step = stride[a1] + stride[a2];
  ParallelFor(
      outer, nthreads,
      [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; ++o) {
          int64_t r = o, off = 0;
          for (int j = static_cast<int>(rest.size()) - 1; j >= 0; --j) {
            off += (r % s[rest[j]]) * stride[rest[j]];
            r /= s[rest[j]];
          }
          for (int64_t d = 0; d < len; ++d) StoreReq(req, out + o * len + d, in[off + start + d * step]);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, len)));
}

void ForwardDiag(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<DiagParam>(base);
  const Shape& s = in[0].shape;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    if (s.ndim() == 1) {
      DiagFrom1D<T>(req, in[0].ptr<T>(), out[0].ptr<T>(), s[0], p.k);
    } else {
      const int a1 = NormalizeAxis(p.axis1, s.ndim(), "diag axis1");
      const int a2 = NormalizeAxis(p.axis2, s.ndim(), "diag axis2");
      DiagExtract<T>(req, in[0].ptr<T>(), s, a1, a2, p.k, out[0].ptr<T>(),
                     out[0].shape[out[0].ndim() - 1], ctx.nthreads);
    }
  });
}

// ---- _np_cumsum ---------------------------------------------------------------------------------

void InferCumsum(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<NpCumsumParam>(base);
  const Shape& s = io.in_shapes.at(0);
  if (p.axis.has_value()) {
    NormalizeAxis(*p.axis, s.ndim(), "_np_cumsum");
    io.out_shapes = {s};
  } else {
    io.out_shapes = {Shape{s.Size()}};
  }
  const DType in = io.in_types.at(0);
  io.out_types = {p.dtype.value_or(in == DType::kBool ? DType::kInt64 : in)};
}

template <typename I, typename O>
void CumsumTyped(OpReq req, const I* in, O* out, int64_t outer, int64_t n, int64_t inner,
                 int nthreads) {
  // Accumulate in float for half/bfloat16, else in the output type.
  using Acc = std::conditional_t<std::is_same_v<O, half_t> || std::is_same_v<O, bf16_t>, float,
                                 std::conditional_t<std::is_same_v<O, bool>, int64_t, O>>;
  ParallelFor(
      outer * inner, nthreads,
      [&](int64_t l0, int64_t l1) {
        for (int64_t l = l0; l < l1; ++l) {
          const int64_t base = (l / inner) * n * inner + l % inner;
          Acc acc{};
          for (int64_t j = 0; j < n; ++j) {
            const int64_t at = base + j * inner;
            if constexpr (std::is_same_v<I, half_t> || std::is_same_v<I, bf16_t>) {
              acc = static_cast<Acc>(acc + static_cast<Acc>(static_cast<float>(in[at])));
            } else {
              acc = static_cast<Acc>(acc + static_cast<Acc>(in[at]));
            }
            O v;
            if constexpr (std::is_same_v<O, half_t> || std::is_same_v<O, bf16_t>) {
              v = O(static_cast<float>(acc));
            } else {
              v = static_cast<O>(acc);
            }
            StoreReq(req, out + at, v);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)));
}

void ForwardCumsum(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const auto& p = ParamAs<NpCumsumParam>(base);
  const Shape& s = in[0].shape;
  int64_t outer = 1, n = s.Size(), inner = 1;
  if (p.axis.has_value()) {
    const int a = NormalizeAxis(*p.axis, s.ndim(), "_np_cumsum");
    outer = s.ProdRange(0, a);
    n = s[a];
    inner = s.ProdRange(a + 1, s.ndim());
  }
  MX_TYPE_SWITCH(in[0].dtype, I, {
    MX_TYPE_SWITCH(out[0].dtype, O, {
      CumsumTyped<I, O>(req, in[0].ptr<I>(), out[0].ptr<O>(), outer, n, inner, ctx.nthreads);
    });
  });
}

// ---- gradients ----------------------------------------------------------------------------------

// depth_to_space, space_to_depth and diag move elements (diag of a vector also writes zeros):
// scatter back through the forward's own index map.
void BackwardDepthToSpace(const ParamBase& base, const OpContext& ctx,
                          std::span<const TBlob> out_grads, std::span<const TBlob> in,
                          std::span<const TBlob> out, std::span<const TBlob> in_grads) {
  GatherBackward(ForwardDepthToSpace, base, ctx, out_grads, in, out, in_grads, 0, true);
}

void BackwardSpaceToDepth(const ParamBase& base, const OpContext& ctx,
                          std::span<const TBlob> out_grads, std::span<const TBlob> in,
                          std::span<const TBlob> out, std::span<const TBlob> in_grads) {
  GatherBackward(ForwardSpaceToDepth, base, ctx, out_grads, in, out, in_grads, 0, true);
}

void BackwardDiag(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> in, std::span<const TBlob> out,
                  std::span<const TBlob> in_grads) {
  GatherBackward(ForwardDiag, base, ctx, out_grads, in, out, in_grads, 0, true);
}

// d in[j] = sum over i >= j of head[i] along the axis: a reverse cumulative sum, in the output's
// dtype (float64 accumulation), cast to the input's dtype.
template <typename G, typename T>
void CumsumGradTyped(OpReq req, const G* g, T* gx, int64_t outer, int64_t n, int64_t inner,
                     int nthreads) {
  ParallelFor(
      outer * inner, nthreads,
      [&](int64_t l0, int64_t l1) {
        for (int64_t l = l0; l < l1; ++l) {
          const int64_t base = (l / inner) * n * inner + l % inner;
          double acc = 0;
          for (int64_t j = n - 1; j >= 0; --j) {
            const int64_t at = base + j * inner;
            acc += CastValue<double>(g[at]);
            StoreReq(req, gx + at, CastValue<T>(acc));
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)));
}

void BackwardCumsum(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> in, std::span<const TBlob>,
                    std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || in[0].Size() == 0) return;
  const auto& p = ParamAs<NpCumsumParam>(base);
  const Shape& s = in[0].shape;
  int64_t outer = 1, n = s.Size(), inner = 1;
  if (p.axis.has_value()) {
    const int a = NormalizeAxis(*p.axis, s.ndim(), "_np_cumsum");
    outer = s.ProdRange(0, a);
    n = s[a];
    inner = s.ProdRange(a + 1, s.ndim());
  }
  MX_TYPE_SWITCH(out_grads[0].dtype, G, {
    MX_TYPE_SWITCH(in_grads[0].dtype, T, {
      CumsumGradTyped<G, T>(req, out_grads[0].ptr<G>(), in_grads[0].ptr<T>(), outer, n, inner,
                            ctx.nthreads);
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(depth_to_space,
                   (OpKernel{.infer = InferDepthToSpace, .forward = ForwardDepthToSpace,
                             .backward = BackwardDepthToSpace}));
MX_REGISTER_KERNEL(space_to_depth,
                   (OpKernel{.infer = InferSpaceToDepth, .forward = ForwardSpaceToDepth,
                             .backward = BackwardSpaceToDepth}));
MX_REGISTER_KERNEL(diag, (OpKernel{.infer = InferDiag, .forward = ForwardDiag,
                                   .backward = BackwardDiag}));
MX_REGISTER_KERNEL(_np_cumsum, (OpKernel{.infer = InferCumsum, .forward = ForwardCumsum,
                                         .backward = BackwardCumsum}));

}  // namespace mixnet::op
