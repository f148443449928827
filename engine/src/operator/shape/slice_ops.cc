// slice (crop) and slice_axis. slice takes per-axis begin/end/step with None entries and negative
// steps, normalised as MXNet 1.x does (equivalent to Python's slice.indices); slice_axis is a
// contiguous [begin, end) along one axis and copies whole runs.
#include <algorithm>
#include <span>
#include <vector>

#include "ops/shape.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/grad_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

std::string TupleText(const std::vector<std::optional<int64_t>>& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.size(); ++i) {
    if (i) s += ", ";
    s += t[i] ? std::to_string(*t[i]) : "None";
  }
  return s + (t.size() == 1 ? ",)" : ")");
}

// Per input axis: first index, step and output extent.
struct SliceSpec {
  std::vector<int64_t> begin, step;
  Shape out;
};

SliceSpec ResolveSlice(const Shape& in, const SliceParam& p) {
  const int nd = in.ndim();
  MX_CHECK(nd > 0, ValueError) << "slice: cannot slice a 0-d array";
  MX_CHECK(p.begin.size() == p.end.size(), ValueError)
      << "slice: begin=" << TupleText(p.begin) << " and end=" << TupleText(p.end)
      << " must have the same length";
  MX_CHECK(static_cast<int>(p.begin.size()) <= nd, ValueError)
      << "slice: begin=" << TupleText(p.begin) << " has more entries than the input shape " << in
      << " has axes";
  MX_CHECK(p.step.empty() || p.step.size() == p.begin.size(), ValueError)
      << "slice: step=" << TupleText(p.step) << " must have the length of begin="
      << TupleText(p.begin);
  SliceSpec s;
  s.begin.assign(nd, 0);
  s.step.assign(nd, 1);
  s.out = in;
  for (size_t i = 0; i < p.begin.size(); ++i) {
    const int64_t st = p.step.empty() || !p.step[i] ? 1 : *p.step[i];
    MX_CHECK(st != 0, ValueError) << "slice: step[" << i << "] cannot be 0";
    const int64_t len = in[static_cast<int>(i)];
    int64_t b = 0, e = 0, n = 0;
    if (len > 0) {
      b = p.begin[i] ? *p.begin[i] : (st < 0 ? len - 1 : 0);
      e = p.end[i] ? *p.end[i] : (st < 0 ? -1 : len);
      if (b < 0) b += len;
      if (e < 0 && p.end[i]) e += len;
      // Clamp as MXNet does; b == -1 marks an empty range.
      if (b < 0 && st > 0) b = 0;
      if (b > len - 1 && st < 0) b = len - 1;
      if (b < 0 || b > len - 1) b = -1;
      e = std::clamp<int64_t>(e, -1, len);
      if (b >= 0 && e != b) {
        n = st > 0 ? (e > b ? (e - b - 1) / st + 1 : 0) : (e < b ? (b - e - 1) / (-st) + 1 : 0);
      }
    }
    s.begin[i] = std::max<int64_t>(b, 0);
    s.step[i] = st;
    s.out[static_cast<int>(i)] = n;
  }
  return s;
}

void InferSlice(const ParamBase& base, InferIO& io) {
  io.out_shapes = {ResolveSlice(io.in_shapes.at(0), ParamAs<SliceParam>(base)).out};
  io.out_types = {io.in_types.at(0)};
}

template <typename T>
void SliceTyped(const T* in, const Shape& ishape, T* out, const SliceSpec& s, OpReq req,
                int nthreads) {
  const int nd = ishape.ndim();
  std::vector<int64_t> stride(nd, 1);
  for (int i = nd - 2; i >= 0; --i) stride[i] = stride[i + 1] * ishape[i + 1];
  const int64_t cols = s.out[nd - 1];
  const int64_t rows = cols == 0 ? 0 : s.out.Size() / cols;
  const int64_t last_step = s.step[nd - 1];
  ParallelFor(
      rows, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t o = r, off = s.begin[nd - 1];
          for (int i = nd - 2; i >= 0; --i) {
            off += (s.begin[i] + (o % s.out[i]) * s.step[i]) * stride[i];
            o /= s.out[i];
          }
          T* dst = out + r * cols;
          const T* src = in + off;
          if (last_step == 1) {
            AssignRun(req, dst, src, cols);
          } else {
            for (int64_t c = 0; c < cols; ++c) StoreReq(req, dst + c, src[c * last_step]);
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, cols)));
}

void ForwardSlice(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const SliceSpec s = ResolveSlice(in[0].shape, ParamAs<SliceParam>(base));
  MX_TYPE_SWITCH(in[0].dtype, T, {
    SliceTyped<T>(in[0].ptr<T>(), in[0].shape, out[0].ptr<T>(), s, req, ctx.nthreads);
  });
}

struct AxisRange {
  int axis = 0;
  int64_t begin = 0, end = 0;
};

AxisRange ResolveSliceAxis(const Shape& in, const SliceAxisParam& p) {
  AxisRange r;
  r.axis = NormalizeAxis(p.axis, in.ndim(), "slice_axis");
  const int64_t len = in[r.axis];
  r.begin = p.begin < 0 ? p.begin + len : p.begin;
  r.end = !p.end ? len : (*p.end < 0 ? *p.end + len : *p.end);
  if (len == 0) {
    r.begin = r.end = 0;
    return r;
  }
  MX_CHECK(r.begin >= 0 && r.end <= len && r.begin < r.end, ValueError)
      << "slice_axis: invalid range begin=" << p.begin << ", end="
      << (p.end ? std::to_string(*p.end) : std::string("None")) << " for axis " << p.axis
      << " of size " << len << " (input shape " << in << ")";
  return r;
}

void InferSliceAxis(const ParamBase& base, InferIO& io) {
  const Shape& in = io.in_shapes.at(0);
  const AxisRange r = ResolveSliceAxis(in, ParamAs<SliceAxisParam>(base));
  Shape out = in;
  out[r.axis] = r.end - r.begin;
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

void ForwardSliceAxis(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                      std::span<const TBlob> out) {
  const Shape& s = in[0].shape;
  const AxisRange r = ResolveSliceAxis(s, ParamAs<SliceAxisParam>(base));
  const int64_t inner = s.ProdRange(r.axis + 1, s.ndim());
  const int64_t run = (r.end - r.begin) * inner;
  const RunCopy c{in[0].dptr, s[r.axis] * inner, r.begin * inner, out[0].dptr, run, 0, run};
  CopyRuns(ReqAt(ctx, 0), in[0].dtype, s.ProdRange(0, r.axis), &c, 1, ctx.nthreads);
}

// slice: a gather (any steps), scattered back through the forward's own index map.
void BackwardSlice(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                   std::span<const TBlob> in, std::span<const TBlob> out,
                   std::span<const TBlob> in_grads) {
  GatherBackward(ForwardSlice, base, ctx, out_grads, in, out, in_grads, 0, true);
}

// slice_axis: zero the gradient outside [begin, end) (kWriteTo), then copy the head gradient's
// runs into the range.
void BackwardSliceAxis(const ParamBase& base, const OpContext& ctx,
                       std::span<const TBlob> out_grads, std::span<const TBlob> in,
                       std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  ZeroGrad(req, in_grads[0]);
  const Shape& s = in[0].shape;
  const AxisRange r = ResolveSliceAxis(s, ParamAs<SliceAxisParam>(base));
  const int64_t inner = s.ProdRange(r.axis + 1, s.ndim());
  const int64_t run = (r.end - r.begin) * inner;
  const RunCopy c{out_grads[0].dptr, run, 0, in_grads[0].dptr, s[r.axis] * inner,
                  r.begin * inner, run};
  CopyRuns(req, in[0].dtype, s.ProdRange(0, r.axis), &c, 1, ctx.nthreads);
}

}  // namespace

MX_REGISTER_KERNEL(slice, (OpKernel{.infer = InferSlice, .forward = ForwardSlice,
                                    .backward = BackwardSlice}));
MX_REGISTER_KERNEL(slice_axis, (OpKernel{.infer = InferSliceAxis, .forward = ForwardSliceAxis,
                                         .backward = BackwardSliceAxis}));

}  // namespace mixnet::op
