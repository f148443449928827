// transpose: permutes axes (reverses them when axes is empty).
//
// The permutation is first simplified: size-1 axes are dropped and input axes that stay adjacent
// and in order are merged, so e.g. (0, 2, 3, 1) on (N, C, H, W) becomes a batched 2-d transpose
// of (C, H*W). Then either
//   - the last axis stays last: the copy is a gather of contiguous rows (memcpy each), or
//   - otherwise: cache-blocked 2-d tiles between the output's last axis and the output axis that
//     reads the input's contiguous last axis, so both sides are touched in cache-line-sized runs,
//     looping over every other axis; inside a tile, 8 x 8 (4 x 4) register-blocked AVX
//     transposes for 4-byte (8-byte) elements (transpose_kernel.h).
#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include "ops/shape.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/req_assign.h"
#include "operator/shape/transpose_kernel.h"

namespace mixnet::op {
namespace {

// Tile edge in elements: 64 x 64 floats is 16 KiB per side (L1/L2-resident); measured faster
// than 16 or 32 on 4096 x 4096 float32 with the 8 x 8 register blocks.
constexpr int64_t kTile = 64;

std::vector<int> ResolvePerm(const Shape& in, const Shape& axes) {
  const int nd = in.ndim();
  std::vector<int> perm(static_cast<size_t>(nd));
  if (axes.ndim() == 0) {
    for (int i = 0; i < nd; ++i) perm[i] = nd - 1 - i;
    return perm;
  }
  MX_CHECK(axes.ndim() == nd, ValueError)
      << "transpose: axes=" << axes << " must list every axis of the " << nd
      << "-d input of shape " << in;
  std::vector<bool> seen(static_cast<size_t>(nd), false);
  for (int i = 0; i < nd; ++i) {
    const int a = NormalizeAxis(axes[i], nd, "transpose");
    MX_CHECK(!seen[a], ValueError) << "transpose: axes=" << axes << " repeats axis " << axes[i];
    seen[a] = true;
    perm[i] = a;
  }
  return perm;
}

void InferTranspose(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<TransposeParam>(base);
  const Shape& in = io.in_shapes.at(0);
  Shape out;
  for (int a : ResolvePerm(in, p.axes)) out.PushBack(in[a]);
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

// The simplified problem: input dims and, for each output axis, the input axis it reads.
struct Simplified {
  std::vector<int64_t> dims;  // input dims after merging
  std::vector<int> perm;      // output axis i reads input axis perm[i]
};

Simplified Simplify(const Shape& in, const std::vector<int>& perm) {
  // Keep non-trivial axes in output order.
  std::vector<int> kept;
  for (int a : perm)
    if (in[a] != 1) kept.push_back(a);
  // Merge runs where output-consecutive axes are input-consecutive.
  std::vector<std::vector<int>> groups;
  for (int a : kept) {
    if (!groups.empty() && groups.back().back() + 1 == a) {
      groups.back().push_back(a);
    } else {
      groups.push_back({a});
    }
  }
  // Number the groups by their input position.
  std::vector<int> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(),
            [&](int x, int y) { return groups[x].front() < groups[y].front(); });
  Simplified s;
  s.dims.resize(groups.size());
  s.perm.resize(groups.size());
  for (size_t r = 0; r < order.size(); ++r) {
    int64_t d = 1;
    for (int a : groups[order[r]]) d *= in[a];
    s.dims[r] = d;
    s.perm[order[r]] = static_cast<int>(r);
  }
  return s;
}

// dst[r * dst_row + c] = src[c * src_col + r] (op req) for r in [r0, r1), c < cols, in tiles.
template <typename T, bool kAdd>
void Tile2D(const T* src, int64_t src_col, T* dst, int64_t dst_row, int64_t r0, int64_t r1,
            int64_t cols) {
  // Square register blocks for plain writes of 4- and 8-byte elements.
  constexpr int64_t kBlock = sizeof(T) == 4 ? 8 : sizeof(T) == 8 ? 4 : 0;
  for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
    const int64_t c1 = std::min(cols, c0 + kTile);
    int64_t r = r0;
#if MIXNET_HAS_AVX_TRANSPOSE
    if constexpr (kBlock > 0 && !kAdd) {
      const int64_t cb = c0 + (c1 - c0) / kBlock * kBlock;  // end of whole blocks along c
      for (; r + kBlock <= r1; r += kBlock) {
        for (int64_t c = c0; c < cb; c += kBlock) {
          if constexpr (kBlock == 8) {
            TransposeBlock8x8(src + c * src_col + r, src_col, dst + r * dst_row + c, dst_row);
          } else {
            TransposeBlock4x4(src + c * src_col + r, src_col, dst + r * dst_row + c, dst_row);
          }
        }
        for (int64_t rr = r; rr < r + kBlock; ++rr)
          for (int64_t c = cb; c < c1; ++c) dst[rr * dst_row + c] = src[c * src_col + rr];
      }
    }
#endif
    for (; r < r1; ++r) {
      T* d = dst + r * dst_row;
      const T* s = src + r;
      for (int64_t c = c0; c < c1; ++c) {
        if constexpr (kAdd) {
          d[c] = AddValues(d[c], s[c * src_col]);
        } else {
          d[c] = s[c * src_col];
        }
      }
    }
  }
}

template <typename T>
void TransposeTyped(const T* in, T* out, const Simplified& s, OpReq req, int nthreads) {
  const int nd = static_cast<int>(s.dims.size());
  std::vector<int64_t> in_stride(nd, 1), out_dims(nd), out_stride(nd, 1);
  for (int i = nd - 2; i >= 0; --i) in_stride[i] = in_stride[i + 1] * s.dims[i + 1];
  for (int i = 0; i < nd; ++i) out_dims[i] = s.dims[s.perm[i]];
  for (int i = nd - 2; i >= 0; --i) out_stride[i] = out_stride[i + 1] * out_dims[i + 1];
  // After Simplify the output's last axis never reads the input's last axis (they would have
  // merged), unless there is at most one axis.
  const int last = nd - 1;
  int j = 0;  // the output axis reading the input's contiguous last axis
  while (s.perm[j] != last) ++j;
  const int64_t rows = out_dims[j], cols = out_dims[last];
  const int64_t src_col = in_stride[s.perm[last]];
  const int64_t dst_row = out_stride[j];
  // Every other output axis is looped over; count them.
  int64_t outer = 1;
  for (int i = 0; i < nd; ++i)
    if (i != j && i != last) outer *= out_dims[i];
  const int64_t row_blocks = (rows + kTile - 1) / kTile;
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / (kTile * cols));
  ParallelFor(
      outer * row_blocks, nthreads,
      [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
          int64_t o = b / row_blocks;
          const int64_t r0 = (b % row_blocks) * kTile, r1 = std::min(rows, r0 + kTile);
          // Decompose o over the looped axes (row-major in output order).
          int64_t in_off = 0, out_off = 0;
          for (int i = nd - 1; i >= 0; --i) {
            if (i == j || i == last) continue;
            const int64_t idx = o % out_dims[i];
            o /= out_dims[i];
            in_off += idx * in_stride[s.perm[i]];
            out_off += idx * out_stride[i];
          }
          if (req == OpReq::kAddTo) {
            Tile2D<T, true>(in + in_off, src_col, out + out_off, dst_row, r0, r1, cols);
          } else {
            Tile2D<T, false>(in + in_off, src_col, out + out_off, dst_row, r0, r1, cols);
          }
        }
      },
      grain);
}

// The output's last axis reads the input's last axis: gather whole contiguous rows.
template <typename T>
void GatherRows(const T* in, T* out, const Simplified& s, OpReq req, int nthreads) {
  const int nd = static_cast<int>(s.dims.size());
  std::vector<int64_t> in_stride(nd, 1), out_dims(nd);
  for (int i = nd - 2; i >= 0; --i) in_stride[i] = in_stride[i + 1] * s.dims[i + 1];
  for (int i = 0; i < nd; ++i) out_dims[i] = s.dims[s.perm[i]];
  const int64_t run = s.dims[nd - 1];
  int64_t rows = 1;
  for (int i = 0; i < nd - 1; ++i) rows *= s.dims[i];
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t o = r, in_off = 0;
          for (int i = nd - 2; i >= 0; --i) {
            in_off += (o % out_dims[i]) * in_stride[s.perm[i]];
            o /= out_dims[i];
          }
          AssignRun(req, out + r * run, in + in_off, run);
        }
      },
      std::max<int64_t>(1, kParallelGrain / run));
}

void ForwardTranspose(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || in[0].Size() == 0) return;
  const auto& p = ParamAs<TransposeParam>(base);
  const Simplified s = Simplify(in[0].shape, ResolvePerm(in[0].shape, p.axes));
  const int nd = static_cast<int>(s.dims.size());
  bool identity = true;
  for (int i = 0; i < nd; ++i) identity = identity && s.perm[i] == i;
  if (identity) {
    CopyBlob(req, out[0], in[0], ctx.nthreads);
  } else {
    MX_TYPE_SWITCH(in[0].dtype, T, {
      if (s.perm[nd - 1] == nd - 1) {
        GatherRows<T>(in[0].ptr<T>(), out[0].ptr<T>(), s, req, ctx.nthreads);
      } else {
        TransposeTyped<T>(in[0].ptr<T>(), out[0].ptr<T>(), s, req, ctx.nthreads);
      }
    });
  }
}

// The gradient is the head gradient transposed by the inverse permutation (same kernel).
void BackwardTranspose(const ParamBase& base, const OpContext& ctx,
                       std::span<const TBlob> out_grads, std::span<const TBlob> in,
                       std::span<const TBlob>, std::span<const TBlob> in_grads) {
  if (ReqAt(ctx, 0) == OpReq::kNull) return;
  const auto& p = ParamAs<TransposeParam>(base);
  const std::vector<int> perm = ResolvePerm(in[0].shape, p.axes);
  TransposeParam inv = p;
  inv.axes = Shape::Filled(static_cast<int>(perm.size()), 0);
  for (size_t i = 0; i < perm.size(); ++i) inv.axes[perm[i]] = static_cast<int64_t>(i);
  OpContext bctx = ctx;
  bctx.req = ctx.req.subspan(0, std::min<size_t>(1, ctx.req.size()));
  ForwardTranspose(inv, bctx, out_grads.subspan(0, 1), in_grads.subspan(0, 1));
}

}  // namespace

MX_REGISTER_KERNEL(transpose, (OpKernel{.infer = InferTranspose, .forward = ForwardTranspose,
                                        .backward = BackwardTranspose}));

}  // namespace mixnet::op
