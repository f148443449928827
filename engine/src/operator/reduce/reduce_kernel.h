// The generic reduction kernel. The input is first collapsed (reduce_axes.h) into alternating
// kept/reduced groups. One reduced group is one "pass" over an (outer, R, inner) box:
//   - inner == 1 (reducing the last axes): each output is a contiguous row of R elements, reduced
//     with several independent accumulator lanes so the loop vectorises;
//   - inner > 1 (reducing leading/middle axes): rows of `inner` elements are combined into a
//     cache-resident block of accumulators, a unit-stride loop that vectorises.
// Several reduced groups take several passes through accumulator-typed temporaries, reducing the
// largest group first. Work is split over ctx.nthreads: across outputs when there are enough,
// otherwise across R with per-thread partial accumulators merged at the end.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "operator/parallel.h"
#include "operator/reduce/reduce_axes.h"

namespace mixnet::op::reduce {

// Independent accumulator lanes for contiguous rows: enough chains to hide the add latency
// (16 doubles = 4 AVX registers measured ~1.3x faster than 8 on in-cache rows).
constexpr int kLanes = 16;
// Columns per accumulator block in the strided case: wide enough that each input row segment is
// a long contiguous stream (short segments at a large stride thrash the TLB: 512 columns ran at
// a third of this speed on a 4096 x 4096 column sum), small enough that the accumulators
// (32 KiB of doubles) stay in L1/L2.
constexpr int64_t kColumnBlock = 4096;

template <typename R, bool kFirst, typename T>
typename R::Acc ReduceRow(const T* x, int64_t n) {
  using A = typename R::Acc;
  constexpr int L = kLanes;
  A lanes[L];
  for (int j = 0; j < L; ++j) lanes[j] = R::Identity();
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    // (omp simd: GCC does not vectorise the NaN-aware max/min lanes on its own.)
#pragma omp simd
    for (int j = 0; j < L; ++j) lanes[j] = R::Combine(lanes[j], R::template Map<kFirst>(x[i + j]));
  }
  A acc = R::Identity();
  for (int j = 0; j < L; ++j) acc = R::Combine(acc, lanes[j]);
  for (; i < n; ++i) acc = R::Combine(acc, R::template Map<kFirst>(x[i]));
  return acc;
}

// acc[c] (c in [0, c1 - c0)) combined with x[r * stride + c0 + c] for r in [0, rows).
template <typename R, bool kFirst, typename T>
void ReduceColumns(const T* x, int64_t rows, int64_t stride, int64_t c0, int64_t c1,
                   typename R::Acc* acc) {
  const int64_t w = c1 - c0;
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * stride + c0;
#pragma omp simd
    for (int64_t c = 0; c < w; ++c) acc[c] = R::Combine(acc[c], R::template Map<kFirst>(row[c]));
  }
}

// One pass: out index (o * inner + i) receives the reduction of x[o, :, i] over the middle axis.
// sink(index, acc) stores each finished accumulator.
template <typename R, bool kFirst, typename T, typename Sink>
void ReduceBox(const T* x, int64_t outer, int64_t red, int64_t inner, int nthreads, Sink&& sink) {
  using A = typename R::Acc;
  const int64_t outputs = outer * inner;
  if (outputs == 0) return;
  const int64_t total = outputs * red;
  const int64_t col_blocks = inner == 1 ? 1 : (inner + kColumnBlock - 1) / kColumnBlock;
  const int64_t items = outer * col_blocks;  // independent units of output work
  const int threads = static_cast<int>(
      std::min<int64_t>(std::max(1, nthreads), std::max<int64_t>(1, total / kParallelGrain)));

  if (threads > 1 && items < 4 * threads) {
    // Few outputs, long reductions: each thread reduces a slice of R for every output.
    // (unique_ptr, not vector: A may be bool.)
    std::unique_ptr<A[]> partial(new A[static_cast<size_t>(threads) * outputs]);
    std::fill_n(partial.get(), threads * outputs, R::Identity());
    ParallelFor(
        threads, threads,
        [&](int64_t t0, int64_t t1) {
          for (int64_t t = t0; t < t1; ++t) {
            const int64_t r0 = red * t / threads, r1 = red * (t + 1) / threads;
            A* part = partial.get() + t * outputs;
            for (int64_t o = 0; o < outer; ++o) {
              const T* base = x + (o * red + r0) * inner;
              if (inner == 1) {
                part[o] = ReduceRow<R, kFirst>(base, r1 - r0);
              } else {
                for (int64_t c0 = 0; c0 < inner; c0 += kColumnBlock) {
                  const int64_t c1 = std::min(inner, c0 + kColumnBlock);
                  ReduceColumns<R, kFirst>(base, r1 - r0, inner, c0, c1, part + o * inner + c0);
                }
              }
            }
          }
        },
        1);
    for (int64_t k = 0; k < outputs; ++k) {
      A acc = partial[k];
      for (int t = 1; t < threads; ++t) acc = R::Combine(acc, partial[t * outputs + k]);
      sink(k, acc);
    }
    return;
  }

  const int64_t work_per_item = std::max<int64_t>(1, total / items);
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / work_per_item);
  if (inner == 1) {
    ParallelFor(
        outer, threads,
        [&](int64_t o0, int64_t o1) {
          for (int64_t o = o0; o < o1; ++o) sink(o, ReduceRow<R, kFirst>(x + o * red, red));
        },
        grain);
    return;
  }
  ParallelFor(
      items, threads,
      [&](int64_t b0, int64_t b1) {
        std::unique_ptr<A[]> acc(new A[static_cast<size_t>(std::min(inner, kColumnBlock))]);
        for (int64_t b = b0; b < b1; ++b) {
          const int64_t o = b / col_blocks;
          const int64_t c0 = (b % col_blocks) * kColumnBlock;
          const int64_t c1 = std::min(inner, c0 + kColumnBlock);
          std::fill(acc.get(), acc.get() + (c1 - c0), R::Identity());
          ReduceColumns<R, kFirst>(x + o * red * inner, red, inner, c0, c1, acc.get());
          for (int64_t c = c0; c < c1; ++c) sink(o * inner + c, acc[c - c0]);
        }
      },
      grain);
}

// Reduces `in` (collapsed view c) into `out_count` results, calling store(index, acc) once per
// output in row-major output order. Handles any number of reduced groups, and empty reductions
// (every output is R::Identity()).
template <typename R, typename T, typename Store>
void ReduceCollapsed(const T* in, const Collapsed& c, int nthreads, Store&& store) {
  using A = typename R::Acc;
  const int64_t out_count = c.KeptCount();
  if (out_count == 0) return;
  if (c.ReducedCount() == 0) {
    for (int64_t k = 0; k < out_count; ++k) store(k, R::Identity());
    return;
  }
  std::vector<int64_t> dims = c.dims;
  std::vector<bool> red = c.reduced;
  int groups = static_cast<int>(std::count(red.begin(), red.end(), true));
  if (groups <= 1) {
    int64_t outer = 1, r = 1, inner = 1;
    size_t g = 0;
    for (; g < dims.size() && !red[g]; ++g) outer *= dims[g];
    if (g < dims.size()) r = dims[g++];
    for (; g < dims.size(); ++g) inner *= dims[g];
    ReduceBox<R, true>(in, outer, r, inner, nthreads, store);
    return;
  }
  // Several groups: reduce the largest group first into accumulator temporaries, then the rest.
  std::unique_ptr<A[]> cur, next;
  bool first = true;
  while (true) {
    size_t g = dims.size();
    for (size_t i = 0; i < dims.size(); ++i)
      if (red[i] && (g == dims.size() || dims[i] > dims[g])) g = i;
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < g; ++i) outer *= dims[i];
    for (size_t i = g + 1; i < dims.size(); ++i) inner *= dims[i];
    const bool last = --groups == 0;
    if (last) {
      if (first) {
        ReduceBox<R, true>(in, outer, dims[g], inner, nthreads, store);
      } else {
        ReduceBox<R, false>(cur.get(), outer, dims[g], inner, nthreads, store);
      }
      return;
    }
    next.reset(new A[static_cast<size_t>(outer * inner)]);
    auto keep = [&](int64_t k, A v) { next[k] = v; };
    if (first) {
      ReduceBox<R, true>(in, outer, dims[g], inner, nthreads, keep);
    } else {
      ReduceBox<R, false>(cur.get(), outer, dims[g], inner, nthreads, keep);
    }
    first = false;
    cur.swap(next);
    // Drop group g and merge the kept neighbours it separated.
    dims.erase(dims.begin() + g);
    red.erase(red.begin() + g);
    if (g > 0 && g < dims.size() && !red[g - 1] && !red[g]) {
      dims[g - 1] *= dims[g];
      dims.erase(dims.begin() + g);
      red.erase(red.begin() + g);
    }
  }
}

}  // namespace mixnet::op::reduce
