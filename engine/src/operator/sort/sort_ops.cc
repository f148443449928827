// topk, sort, argsort and argmax_channel.
//
// The input is viewed as (outer, n, inner) around the sorted axis (or (1, size, 1) when axis is
// None: the flattened input). Each of the outer * inner lines of n elements is sorted by index
// with a stable sort, so equal values keep their input order; half/bfloat16 compare as float.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <type_traits>
#include <vector>

#include "ops/sort_search.h"
#include "operator/op.h"
#include "operator/shape/grad_util.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

struct Lines {
  int64_t outer = 1, n = 1, inner = 1;
  int axis = -1;  // resolved axis, -1 when flattened
};

Lines ViewLines(const char* op, const Shape& s, std::optional<int> axis) {
  Lines l;
  if (!axis.has_value()) {
    l.n = s.Size();
    return l;
  }
  MX_CHECK(s.ndim() > 0, ValueError) << op << ": axis=" << *axis << " needs an input with at "
                                     << "least one axis, got shape " << s;
  l.axis = NormalizeAxis(*axis, s.ndim(), op);
  l.outer = s.ProdRange(0, l.axis);
  l.n = s[l.axis];
  l.inner = s.ProdRange(l.axis + 1, s.ndim());
  return l;
}

// The dtypes MXNet accepts for index outputs.
void CheckIndexDType(const char* op, DType t) {
  const bool ok = t == DType::kUint8 || t == DType::kInt32 || t == DType::kInt64 ||
                  t == DType::kFloat16 || t == DType::kFloat32 || t == DType::kFloat64;
  MX_CHECK(ok, TypeError) << op << ": dtype=" << DTypeName(t)
                          << " is not supported for indices (uint8, int32, int64, float16, "
                             "float32, float64)";
}

template <typename T>
inline auto Key(T v) {
  if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bf16_t>) {
    return static_cast<float>(v);
  } else {
    return v;
  }
}

template <typename I>
inline I IndexValue(int64_t i) {
  if constexpr (std::is_same_v<I, half_t> || std::is_same_v<I, bf16_t>) {
    return I(static_cast<float>(i));
  } else {
    return static_cast<I>(i);
  }
}

// Sorts every line and calls emit(line_base, order) with the first k positions (indices into
// the line, in sorted order); line_base is the offset of the line's first element, and the
// line's elements are line_base + j * inner.
template <typename T, typename Emit>
void ForEachSortedLine(const T* data, const Lines& l, int64_t k, bool ascend, int nthreads,
                       Emit&& emit) {
  const int64_t lines = l.outer * l.inner;
  ParallelFor(
      lines, nthreads,
      [&](int64_t b, int64_t e) {
        std::vector<int64_t> order(static_cast<size_t>(l.n));
        for (int64_t line = b; line < e; ++line) {
          const int64_t base = (line / l.inner) * l.n * l.inner + line % l.inner;
          std::iota(order.begin(), order.end(), int64_t{0});
          auto at = [&](int64_t j) { return Key(data[base + j * l.inner]); };
          auto cmp = [&](int64_t x, int64_t y) { return ascend ? at(x) < at(y) : at(x) > at(y); };
          if (k < l.n) {
            // Stable selection of the first k: partial sort on (key, index) pairs is stable.
            std::partial_sort(order.begin(), order.begin() + k, order.end(),
                              [&](int64_t x, int64_t y) {
                                return cmp(x, y) || (!cmp(y, x) && x < y);
                              });
          } else {
            std::stable_sort(order.begin(), order.end(), cmp);
          }
          emit(line, base, order);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, l.n)));
}

// ---- topk ---------------------------------------------------------------------------------------

int64_t ResolveK(const Lines& l, int k, const Shape& s) {
  if (k < 1) return l.n;
  MX_CHECK(k <= l.n, ValueError) << "topk: k=" << k << " exceeds the " << l.n
                                 << " elements along the axis of the input of shape " << s;
  return k;
}

void InferTopk(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<TopkParam>(base);
  const Shape& in = io.in_shapes.at(0);
  const DType dt = io.in_types.at(0);
  CheckIndexDType("topk", p.dtype);
  const Lines l = ViewLines("topk", in, p.axis);
  const int64_t k = ResolveK(l, p.k, in);
  Shape sel;
  if (l.axis < 0) {
    sel = Shape{k};
  } else {
    sel = in;
    sel[l.axis] = k;
  }
  using R = TopkParam::RetTyp;
  switch (p.ret_typ) {
    case R::kValue: io.out_shapes = {sel}; io.out_types = {dt}; break;
    case R::kIndices: io.out_shapes = {sel}; io.out_types = {p.dtype}; break;
    case R::kMask: io.out_shapes = {in}; io.out_types = {dt}; break;
    case R::kBoth: io.out_shapes = {sel, sel}; io.out_types = {dt, p.dtype}; break;
  }
}

template <typename T, typename I>
void TopkTyped(const TopkParam& p, const OpContext& ctx, const TBlob& in,
               std::span<const TBlob> out) {
  const Lines l = ViewLines("topk", in.shape, p.axis);
  const int64_t k = ResolveK(l, p.k, in.shape);
  const T* data = in.ptr<T>();
  using R = TopkParam::RetTyp;
  const OpReq req0 = ReqAt(ctx, 0), req1 = ReqAt(ctx, 1);
  if (p.ret_typ == R::kMask) {
    // Zero the whole mask first (under req), then mark the selected positions.
    T* mask = out[0].ptr<T>();
    if (req0 == OpReq::kNull) return;
    if (req0 != OpReq::kAddTo) std::fill(mask, mask + out[0].Size(), IndexValue<T>(0));
    ForEachSortedLine(data, l, k, p.is_ascend, ctx.nthreads,
                      [&](int64_t, int64_t base, const std::vector<int64_t>& order) {
                        for (int64_t j = 0; j < k; ++j) {
                          T* m = mask + base + order[j] * l.inner;
                          *m = req0 == OpReq::kAddTo ? AddValues(*m, IndexValue<T>(1)) : IndexValue<T>(1);
                        }
                      });
    return;
  }
  T* values = nullptr;
  I* indices = nullptr;
  OpReq vreq = OpReq::kNull, ireq = OpReq::kNull;
  if (p.ret_typ == R::kValue) {
    values = out[0].ptr<T>(), vreq = req0;
  } else if (p.ret_typ == R::kIndices) {
    indices = out[0].ptr<I>(), ireq = req0;
  } else {
    values = out[0].ptr<T>(), vreq = req0;
    indices = out[1].ptr<I>(), ireq = req1;
  }
  if (vreq == OpReq::kNull && ireq == OpReq::kNull) return;
  ForEachSortedLine(data, l, k, p.is_ascend, ctx.nthreads,
                    [&](int64_t line, int64_t base, const std::vector<int64_t>& order) {
                      const int64_t obase = (line / l.inner) * k * l.inner + line % l.inner;
                      for (int64_t j = 0; j < k; ++j) {
                        const int64_t o = obase + j * l.inner;
                        if (vreq != OpReq::kNull)
                          StoreReq(vreq, values + o, data[base + order[j] * l.inner]);
                        if (ireq != OpReq::kNull)
                          StoreReq(ireq, indices + o, IndexValue<I>(order[j]));
                      }
                    });
}

// Index dtypes as MX_TYPE_SWITCH cases restricted to those CheckIndexDType allows.
#define MX_INDEX_TYPE_SWITCH(VALUE, DT, ...)                                     \
  switch (VALUE) {                                                               \
    case DType::kUint8: { using DT = uint8_t; __VA_ARGS__; break; }              \
    case DType::kInt32: { using DT = int32_t; __VA_ARGS__; break; }              \
    case DType::kInt64: { using DT = int64_t; __VA_ARGS__; break; }              \
    case DType::kFloat16: { using DT = half_t; __VA_ARGS__; break; }             \
    case DType::kFloat32: { using DT = float; __VA_ARGS__; break; }              \
    case DType::kFloat64: { using DT = double; __VA_ARGS__; break; }             \
    default: MX_THROW(TypeError) << "unsupported index dtype " << DTypeName(VALUE); \
  }

void ForwardTopk(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const auto& p = ParamAs<TopkParam>(base);
  if (out[0].Size() == 0) return;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    MX_INDEX_TYPE_SWITCH(p.dtype, I, { TopkTyped<T, I>(p, ctx, in[0], out); });
  });
}

// ---- sort / argsort -----------------------------------------------------------------------------

Shape SortedShape(const Shape& in, std::optional<int> axis) {
  return axis.has_value() ? in : Shape{in.Size()};
}

void InferSort(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<SortParam>(base);
  ViewLines("sort", io.in_shapes.at(0), p.axis);  // validates axis
  io.out_shapes = {SortedShape(io.in_shapes.at(0), p.axis)};
  io.out_types = {io.in_types.at(0)};
}

void ForwardSort(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                 std::span<const TBlob> out) {
  const auto& p = ParamAs<SortParam>(base);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const Lines l = ViewLines("sort", in[0].shape, p.axis);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    const T* data = in[0].ptr<T>();
    T* dst = out[0].ptr<T>();
    // Lines are read whole before any write, so an in-place call is safe per line.
    ForEachSortedLine(data, l, l.n, p.is_ascend, ctx.nthreads,
                      [&](int64_t, int64_t base, const std::vector<int64_t>& order) {
                        std::vector<T> sorted(order.size());
                        for (size_t j = 0; j < order.size(); ++j)
                          sorted[j] = data[base + order[j] * l.inner];
                        for (size_t j = 0; j < order.size(); ++j)
                          StoreReq<T>(req, dst + base + static_cast<int64_t>(j) * l.inner, sorted[j]);
                      });
  });
}

void InferArgsort(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<ArgsortParam>(base);
  CheckIndexDType("argsort", p.dtype);
  ViewLines("argsort", io.in_shapes.at(0), p.axis);
  io.out_shapes = {SortedShape(io.in_shapes.at(0), p.axis)};
  io.out_types = {p.dtype};
}

void ForwardArgsort(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const auto& p = ParamAs<ArgsortParam>(base);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const Lines l = ViewLines("argsort", in[0].shape, p.axis);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    MX_INDEX_TYPE_SWITCH(p.dtype, I, {
      I* dst = out[0].ptr<I>();
      ForEachSortedLine(in[0].ptr<T>(), l, l.n, p.is_ascend, ctx.nthreads,
                        [&](int64_t, int64_t base, const std::vector<int64_t>& order) {
                          for (size_t j = 0; j < order.size(); ++j)
                            StoreReq(req, dst + base + static_cast<int64_t>(j) * l.inner,
                                     IndexValue<I>(order[j]));
                        });
    });
  });
}

// ---- argmax_channel -----------------------------------------------------------------------------

void InferArgmaxChannel(const ParamBase&, InferIO& io) {
  const Shape& in = io.in_shapes.at(0);
  Shape out;
  for (int i = 0; i + 1 < in.ndim(); ++i) out.PushBack(in[i]);
  if (out.ndim() == 0) out = Shape{1};  // as MXNet's legacy reductions: never 0-d
  MX_CHECK(in.ndim() > 0, ValueError) << "argmax_channel: the input must have at least one axis";
  MX_CHECK(in[in.ndim() - 1] > 0 || out.Size() == 0, ValueError)
      << "argmax_channel: cannot take the argmax over the empty last axis of shape " << in;
  io.out_shapes = {out};
  io.out_types = {io.in_types.at(0)};
}

void ForwardArgmaxChannel(const ParamBase&, const OpContext& ctx, std::span<const TBlob> in,
                          std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || out[0].Size() == 0) return;
  const int64_t n = in[0].shape[in[0].ndim() - 1];
  const int64_t rows = in[0].Size() / n;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    const T* data = in[0].ptr<T>();
    T* dst = out[0].ptr<T>();
    ParallelFor(
        rows, ctx.nthreads,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const T* row = data + r * n;
            int64_t best = 0;  // the first maximum wins ties
            for (int64_t j = 1; j < n; ++j)
              if (Key(row[j]) > Key(row[best])) best = j;
            StoreReq(req, dst + r, IndexValue<T>(best));
          }
        },
        std::max<int64_t>(1, kParallelGrain / n));
  });
}

// ---- gradients: the head gradient scattered back through the (recomputed, stable) order ----------

// Adds g[obase + j * inner] to gx at the line position order[j], for the first k of every line.
template <typename T>
void ScatterSorted(const T* data, const T* g, T* gx, const Lines& l, int64_t k, bool ascend,
                   int nthreads) {
  ForEachSortedLine(data, l, k, ascend, nthreads,
                    [&](int64_t line, int64_t base, const std::vector<int64_t>& order) {
                      const int64_t obase = (line / l.inner) * k * l.inner + line % l.inner;
                      for (int64_t j = 0; j < k; ++j) {
                        T* d = gx + base + order[j] * l.inner;
                        *d = AddValues(*d, g[obase + j * l.inner]);
                      }
                    });
}

// topk: values (ret_typ value/both) route their gradient to the selected elements; indices and
// masks do not depend on the values, so ret_typ indices/mask give zeros.
void BackwardTopk(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> in, std::span<const TBlob>,
                  std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  ZeroGrad(req, in_grads[0]);
  const auto& p = ParamAs<TopkParam>(base);
  using R = TopkParam::RetTyp;
  if (p.ret_typ != R::kValue && p.ret_typ != R::kBoth) return;
  if (out_grads[0].Size() == 0) return;
  const Lines l = ViewLines("topk", in[0].shape, p.axis);
  const int64_t k = ResolveK(l, p.k, in[0].shape);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    ScatterSorted<T>(in[0].ptr<T>(), out_grads[0].ptr<T>(), in_grads[0].ptr<T>(), l, k,
                     p.is_ascend, ctx.nthreads);
  });
}

void BackwardSort(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                  std::span<const TBlob> in, std::span<const TBlob>,
                  std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  ZeroGrad(req, in_grads[0]);
  if (in[0].Size() == 0) return;
  const auto& p = ParamAs<SortParam>(base);
  const Lines l = ViewLines("sort", in[0].shape, p.axis);
  MX_TYPE_SWITCH(in[0].dtype, T, {
    ScatterSorted<T>(in[0].ptr<T>(), out_grads[0].ptr<T>(), in_grads[0].ptr<T>(), l, l.n,
                     p.is_ascend, ctx.nthreads);
  });
}

}  // namespace

MX_REGISTER_KERNEL(topk, (OpKernel{.infer = InferTopk, .forward = ForwardTopk,
                                   .backward = BackwardTopk}));
MX_REGISTER_KERNEL(sort, (OpKernel{.infer = InferSort, .forward = ForwardSort,
                                   .backward = BackwardSort}));
MX_REGISTER_KERNEL(argsort, (OpKernel{.infer = InferArgsort, .forward = ForwardArgsort}));
MX_REGISTER_KERNEL(argmax_channel,
                   (OpKernel{.infer = InferArgmaxChannel, .forward = ForwardArgmaxChannel}));

}  // namespace mixnet::op
