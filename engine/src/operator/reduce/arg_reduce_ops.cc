// argmax / argmin: the index of the first maximum (minimum) along one axis, or of the flattened
// array when axis is None. As in MXNet 1.x the indices are stored in the input's dtype (float32
// for float32 input). A NaN counts as the extreme value (the first NaN wins), like NumPy.
#include <memory>
#include <span>
#include <utility>

#include "ops/reduce.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/reduce/reduce_axes.h"
#include "operator/reduce/reduce_kernel.h"
#include "operator/reduce/reducers.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using reduce::IsNaN;

// Strictly better (so ties keep the first index); a NaN beats any number. Branch-free, so the
// column loop below vectorises.
template <bool kMax, typename A>
inline bool Better(A candidate, A best) {
  const bool cmp = kMax ? candidate > best : candidate < best;
  return (!IsNaN(best)) & (IsNaN(candidate) | cmp);
}

// Index (within [0, n)) of the first extreme element of a contiguous row, and the element: a
// vectorised max/min pass, then a search for the first element equal to it.
template <bool kMax, typename T, typename A = typename reduce::CompareAcc<T>::type>
std::pair<int64_t, A> ArgRow(const T* x, int64_t n) {
  using R = std::conditional_t<kMax, reduce::MaxReducer<A>, reduce::MinReducer<A>>;
  const A best = reduce::ReduceRow<R, true>(x, n);
  const bool nan = IsNaN(best);
  for (int64_t i = 0; i < n; ++i) {
    const A v = reduce::ToAcc<A>(x[i]);
    if (nan ? IsNaN(v) : v == best) return {i, best};
  }
  return {0, best};
}

// For columns [0, w) of rows [r0, r1) (row r at x + r * stride): the best value and its row.
template <bool kMax, typename T, typename A>
void ArgColumns(const T* x, int64_t r0, int64_t r1, int64_t stride, int64_t w, A* best,
                int64_t* index) {
  for (int64_t c = 0; c < w; ++c) {
    best[c] = reduce::ToAcc<A>(x[r0 * stride + c]);
    index[c] = r0;
  }
  for (int64_t r = r0 + 1; r < r1; ++r) {
    const T* row = x + r * stride;
#pragma omp simd
    for (int64_t c = 0; c < w; ++c) {
      const A v = reduce::ToAcc<A>(row[c]);
      const bool take = Better<kMax>(v, best[c]);
      best[c] = take ? v : best[c];
      index[c] = take ? r : index[c];
    }
  }
}

template <bool kMax, typename T>
void ArgReduce(const T* x, int64_t outer, int64_t red, int64_t inner, T* out, OpReq req,
               int nthreads) {
  using A = typename reduce::CompareAcc<T>::type;
  auto store = [&](int64_t k, int64_t index) {
    StoreReq(req, out + k, reduce::FromAcc<T>(static_cast<double>(index)));
  };
  constexpr int64_t kBlock = reduce::kColumnBlock;
  const int64_t blocks = inner == 1 ? 1 : (inner + kBlock - 1) / kBlock;
  const int64_t items = outer * blocks;
  const int64_t total = outer * red * inner;
  const int threads = static_cast<int>(
      std::min<int64_t>(std::max(1, nthreads), std::max<int64_t>(1, total / kParallelGrain)));

  if (threads > 1 && items < 4 * threads) {
    // Few outputs, long searches: each thread searches a slice of the rows for every output;
    // slices are merged in order, so ties still resolve to the first index.
    const int64_t outputs = outer * inner;
    std::unique_ptr<A[]> best(new A[static_cast<size_t>(threads * outputs)]);
    std::unique_ptr<int64_t[]> index(new int64_t[static_cast<size_t>(threads * outputs)]);
    ParallelFor(
        threads, threads,
        [&](int64_t t0, int64_t t1) {
          for (int64_t t = t0; t < t1; ++t) {
            const int64_t r0 = red * t / threads, r1 = red * (t + 1) / threads;
            A* b = best.get() + t * outputs;
            int64_t* ix = index.get() + t * outputs;
            for (int64_t o = 0; o < outer; ++o) {
              if (r0 == r1) {  // an empty slice never wins the merge
                std::fill_n(ix + o * inner, inner, int64_t{-1});
              } else if (inner == 1) {
                auto [i, v] = ArgRow<kMax>(x + o * red + r0, r1 - r0);
                ix[o] = r0 + i;
                b[o] = v;
              } else {
                ArgColumns<kMax>(x + o * red * inner, r0, r1, inner, inner, b + o * inner,
                                 ix + o * inner);
              }
            }
          }
        },
        1);
    for (int64_t k = 0; k < outputs; ++k) {
      A b{};
      int64_t ix = -1;
      for (int t = 0; t < threads; ++t) {
        const int64_t j = t * outputs + k;
        if (index[j] < 0) continue;
        if (ix < 0 || Better<kMax>(best[j], b)) {
          b = best[j];
          ix = index[j];
        }
      }
      store(k, ix);
    }
    return;
  }

  const int64_t per_item = std::max<int64_t>(1, red * std::min(inner, kBlock));
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / per_item);
  if (inner == 1) {
    ParallelFor(
        outer, threads,
        [&](int64_t o0, int64_t o1) {
          for (int64_t o = o0; o < o1; ++o) store(o, ArgRow<kMax>(x + o * red, red).first);
        },
        grain);
    return;
  }
  ParallelFor(
      items, threads,
      [&](int64_t b0, int64_t b1) {
        const int64_t width = std::min(inner, kBlock);
        std::unique_ptr<A[]> best(new A[static_cast<size_t>(width)]);
        std::unique_ptr<int64_t[]> index(new int64_t[static_cast<size_t>(width)]);
        for (int64_t b = b0; b < b1; ++b) {
          const int64_t o = b / blocks;
          const int64_t c0 = (b % blocks) * kBlock;
          const int64_t w = std::min(inner, c0 + kBlock) - c0;
          ArgColumns<kMax>(x + o * red * inner + c0, 0, red, inner, w, best.get(), index.get());
          for (int64_t c = 0; c < w; ++c) store(o * inner + c0 + c, index[c]);
        }
      },
      grain);
}

// (outer, reduced, inner) extents of the searched axis (the whole array when axis is None or
// the input is 1-d, as MXNet's shape rule treats those alike).
struct Box {
  int64_t outer = 1, red = 1, inner = 1;
};

Box SearchBox(const char* op, const Shape& s, std::optional<int> axis) {
  Box b;
  if (!axis.has_value() || s.ndim() <= 1) {
    b.red = s.Size();
    return b;
  }
  const int a = NormalizeAxis(*axis, s.ndim(), op);
  b.outer = s.ProdRange(0, a);
  b.red = s[a];
  b.inner = s.ProdRange(a + 1, s.ndim());
  return b;
}

template <bool kMax, typename P>
void InferArg(const ParamBase& base, InferIO& io) {
  const char* op = kMax ? "argmax" : "argmin";
  const P& p = ParamAs<P>(base);
  const Shape& in = io.in_shapes.at(0);
  const Box b = SearchBox(op, in, p.axis);
  MX_CHECK(b.red > 0 || b.outer * b.inner == 0, ValueError)
      << op << ": cannot search an empty axis of an array of shape " << in;
  io.out_shapes = {reduce::ResolveSingleAxis(op, in, p.axis, p.keepdims).out_shape};
  io.out_types = {io.in_types.at(0)};
}

template <bool kMax, typename P>
void ForwardArg(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const P& p = ParamAs<P>(base);
  const Box b = SearchBox(kMax ? "argmax" : "argmin", in[0].shape, p.axis);
  if (b.red == 0) return;
  MX_TYPE_SWITCH(in[0].dtype, T, {
    ArgReduce<kMax>(in[0].ptr<T>(), b.outer, b.red, b.inner, out[0].ptr<T>(), req,
                    ctx.nthreads);
  });
}

}  // namespace

MX_REGISTER_KERNEL(argmax, (OpKernel{.infer = InferArg<true, ArgmaxParam>,
                                     .forward = ForwardArg<true, ArgmaxParam>}));
MX_REGISTER_KERNEL(argmin, (OpKernel{.infer = InferArg<false, ArgminParam>,
                                     .forward = ForwardArg<false, ArgminParam>}));

}  // namespace mixnet::op
