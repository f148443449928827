// The softmax kernels shared by softmax / log_softmax / softmin and the loss layers: the data is
// viewed as (outer, M, inner) with the softmax taken over M. Contiguous rows (inner == 1) are
// processed one row at a time with a scratch row; strided layouts process a block of up to
// kBlock neighbouring inner positions together so the innermost loop is unit-stride. Every row
// subtracts its maximum before exponentiating (stable for large inputs). Optional per-slice
// lengths mask positions j >= length (they get 0, and take no part in the sums).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "common/dtype.h"
#include "common/fast_math.h"
#include "operator/op.h"
#include "operator/parallel.h"

namespace mixnet::op::softmax {

enum class Kind { kSoftmax, kLogSoftmax, kSoftmin };

struct Geometry {
  int64_t outer = 1, m = 1, inner = 1;
};

// Accumulation type: double when either side is double, else float.
template <typename IT, typename OT>
using Acc = std::conditional_t<std::is_same_v<IT, double> || std::is_same_v<OT, double>, double,
                               float>;

constexpr int64_t kBlock = 256;

// float32 uses the vectorisable FastExp (common/fast_math.h); float64 the library's exp.
template <typename A>
inline A Exp(A x) {
  if constexpr (std::is_same_v<A, float>) {
    return FastExp(x);
  } else {
    return std::exp(x);
  }
}

template <typename T, typename A>
inline void Put(OpReq req, T* dst, A v) {
  if (req == OpReq::kAddTo) {
    *dst = static_cast<T>(static_cast<A>(*dst) + v);
  } else {
    *dst = static_cast<T>(v);
  }
}

inline int64_t LengthAt(const int64_t* lengths, int64_t slice, int64_t m) {
  return lengths == nullptr ? m : lengths[slice];
}

// y = softmax / log_softmax / softmin of x along M, divided by `temperature` first.
template <typename IT, typename OT>
void Forward(Kind kind, OpReq req, const IT* x, OT* y, const int64_t* lengths, Geometry g,
             double temperature, int nthreads) {
  using A = Acc<IT, OT>;
  if (req == OpReq::kNull || g.outer * g.m * g.inner == 0) return;
  const A sign = kind == Kind::kSoftmin ? A(-1) : A(1);
  const A t = static_cast<A>(temperature);
  const bool log = kind == Kind::kLogSoftmax;
  const int64_t m = g.m;
  if (g.inner == 1) {
    ParallelFor(
        g.outer, nthreads,
        [&](int64_t r0, int64_t r1) {
          std::vector<A> buf(static_cast<size_t>(m));
          for (int64_t r = r0; r < r1; ++r) {
            const IT* xr = x + r * m;
            OT* yr = y + r * m;
            const int64_t len = LengthAt(lengths, r, m);
            A mx = -std::numeric_limits<A>::infinity();
            for (int64_t j = 0; j < len; ++j) mx = std::max(mx, sign * static_cast<A>(xr[j]));
            A sum = 0;
            for (int64_t j = 0; j < len; ++j) buf[j] = (sign * static_cast<A>(xr[j]) - mx) / t;
            if (log) {
              for (int64_t j = 0; j < len; ++j) sum += Exp(buf[j]);
              const A ls = std::log(sum);
              for (int64_t j = 0; j < len; ++j) Put(req, yr + j, buf[j] - ls);
            } else {
              for (int64_t j = 0; j < len; ++j) {
                buf[j] = Exp(buf[j]);
                sum += buf[j];
              }
              for (int64_t j = 0; j < len; ++j) Put(req, yr + j, buf[j] / sum);
            }
            for (int64_t j = len; j < m; ++j) Put(req, yr + j, A(0));
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, m)));
    return;
  }
  const int64_t blocks = (g.inner + kBlock - 1) / kBlock;
  ParallelFor(
      g.outer * blocks, nthreads,
      [&](int64_t u0, int64_t u1) {
        A mx[kBlock], sum[kBlock];
        int64_t len[kBlock];
        for (int64_t u = u0; u < u1; ++u) {
          const int64_t o = u / blocks, k0 = (u % blocks) * kBlock;
          const int64_t nk = std::min(kBlock, g.inner - k0);
          const IT* xb = x + o * m * g.inner + k0;
          OT* yb = y + o * m * g.inner + k0;
          for (int64_t k = 0; k < nk; ++k) {
            mx[k] = -std::numeric_limits<A>::infinity();
            sum[k] = 0;
            len[k] = LengthAt(lengths, o * g.inner + k0 + k, m);
          }
          if (lengths == nullptr) {
            // Unmasked: branch-free inner loops over k (they vectorise).
            for (int64_t j = 0; j < m; ++j) {
              const IT* xj = xb + j * g.inner;
              for (int64_t k = 0; k < nk; ++k) {
                mx[k] = std::max(mx[k], sign * static_cast<A>(xj[k]));
              }
            }
            for (int64_t j = 0; j < m; ++j) {
              const IT* xj = xb + j * g.inner;
              for (int64_t k = 0; k < nk; ++k) {
                sum[k] += Exp((sign * static_cast<A>(xj[k]) - mx[k]) / t);
              }
            }
            if (log) {
              for (int64_t k = 0; k < nk; ++k) sum[k] = std::log(sum[k]);
            }
            for (int64_t j = 0; j < m; ++j) {
              const IT* xj = xb + j * g.inner;
              OT* yj = yb + j * g.inner;
              if (log) {
                for (int64_t k = 0; k < nk; ++k) {
                  Put(req, yj + k, (sign * static_cast<A>(xj[k]) - mx[k]) / t - sum[k]);
                }
              } else {
                for (int64_t k = 0; k < nk; ++k) {
                  Put(req, yj + k, Exp((sign * static_cast<A>(xj[k]) - mx[k]) / t) / sum[k]);
                }
              }
            }
            continue;
          }
          for (int64_t j = 0; j < m; ++j) {
            const IT* xj = xb + j * g.inner;
            for (int64_t k = 0; k < nk; ++k) {
              if (j < len[k]) mx[k] = std::max(mx[k], sign * static_cast<A>(xj[k]));
            }
          }
          for (int64_t j = 0; j < m; ++j) {
            const IT* xj = xb + j * g.inner;
            for (int64_t k = 0; k < nk; ++k) {
              if (j < len[k]) sum[k] += Exp((sign * static_cast<A>(xj[k]) - mx[k]) / t);
            }
          }
          if (log) {
            for (int64_t k = 0; k < nk; ++k) sum[k] = std::log(sum[k]);
          }
          for (int64_t j = 0; j < m; ++j) {
            const IT* xj = xb + j * g.inner;
            OT* yj = yb + j * g.inner;
            for (int64_t k = 0; k < nk; ++k) {
              A v = 0;
              if (j < len[k]) {
                const A z = (sign * static_cast<A>(xj[k]) - mx[k]) / t;
                v = log ? z - sum[k] : Exp(z) / sum[k];
              }
              Put(req, yj + k, v);
            }
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, m * kBlock)));
}

// gx from the output y and its gradient gy:
//   softmax: y * (gy - sum(gy * y)) / t;  softmin: the negation;  log_softmax:
//   (gy - exp(y) * sum(gy)) / t. Masked positions get 0.
template <typename IT, typename OT>
void Backward(Kind kind, OpReq req, const OT* y, const OT* gy, IT* gx, const int64_t* lengths,
              Geometry g, double temperature, int nthreads) {
  using A = Acc<IT, OT>;
  if (req == OpReq::kNull || g.outer * g.m * g.inner == 0) return;
  const A t = static_cast<A>(temperature);
  const A sign = kind == Kind::kSoftmin ? A(-1) : A(1);
  const bool log = kind == Kind::kLogSoftmax;
  const int64_t m = g.m;
  auto term = [&](A yv, A gv, A s) {
    return log ? (gv - Exp(yv) * s) / t : sign * yv * (gv - s) / t;
  };
  if (g.inner == 1) {
    ParallelFor(
        g.outer, nthreads,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const OT* yr = y + r * m;
            const OT* gr = gy + r * m;
            IT* xr = gx + r * m;
            const int64_t len = LengthAt(lengths, r, m);
            A s = 0;
            if (log) {
              for (int64_t j = 0; j < len; ++j) s += static_cast<A>(gr[j]);
            } else {
              for (int64_t j = 0; j < len; ++j) s += static_cast<A>(gr[j]) * static_cast<A>(yr[j]);
            }
            for (int64_t j = 0; j < len; ++j) {
              Put(req, xr + j, term(static_cast<A>(yr[j]), static_cast<A>(gr[j]), s));
            }
            for (int64_t j = len; j < m; ++j) Put(req, xr + j, A(0));
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, m)));
    return;
  }
  const int64_t blocks = (g.inner + kBlock - 1) / kBlock;
  ParallelFor(
      g.outer * blocks, nthreads,
      [&](int64_t u0, int64_t u1) {
        A s[kBlock];
        int64_t len[kBlock];
        for (int64_t u = u0; u < u1; ++u) {
          const int64_t o = u / blocks, k0 = (u % blocks) * kBlock;
          const int64_t nk = std::min(kBlock, g.inner - k0);
          const int64_t off = o * m * g.inner + k0;
          for (int64_t k = 0; k < nk; ++k) {
            s[k] = 0;
            len[k] = LengthAt(lengths, o * g.inner + k0 + k, m);
          }
          for (int64_t j = 0; j < m; ++j) {
            const OT* yj = y + off + j * g.inner;
            const OT* gj = gy + off + j * g.inner;
            for (int64_t k = 0; k < nk; ++k) {
              if (j < len[k]) {
                s[k] += log ? static_cast<A>(gj[k])
                            : static_cast<A>(gj[k]) * static_cast<A>(yj[k]);
              }
            }
          }
          for (int64_t j = 0; j < m; ++j) {
            const OT* yj = y + off + j * g.inner;
            const OT* gj = gy + off + j * g.inner;
            IT* xj = gx + off + j * g.inner;
            for (int64_t k = 0; k < nk; ++k) {
              const A v = j < len[k] ? term(static_cast<A>(yj[k]), static_cast<A>(gj[k]), s[k])
                                     : A(0);
              Put(req, xj + k, v);
            }
          }
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, m * kBlock)));
}

}  // namespace mixnet::op::softmax
