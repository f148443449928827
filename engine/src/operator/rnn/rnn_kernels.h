// The RNN op's forward and backward kernels (float32 and float64), and the small helpers they
// share. Shapes were validated by inference (rnn_op.cc) before either runs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "common/dtype.h"
#include "ndarray/tblob.h"
#include "operator/linalg/gemm.h"
#include "operator/op.h"
#include "operator/rnn/rnn_cell.h"
#include "operator/rnn/rnn_layout.h"

namespace mixnet::op::rnn {

void Forward(const ParamBase& param, const OpContext& ctx, std::span<const TBlob> in,
             std::span<const TBlob> out);
void Backward(const ParamBase& param, const OpContext& ctx, std::span<const TBlob> out_grads,
              std::span<const TBlob> inputs, std::span<const TBlob> outputs,
              std::span<const TBlob> in_grads);

// C (m x n, row stride ldc) = op(A) * op(B) (+ C when accumulate), row-major.
template <typename T>
void Gemm(const OpContext& ctx, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
          const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc, bool accumulate) {
  if (m == 0 || n == 0) return;
  linalg::GemmArgs g;
  g.trans_a = trans_a;
  g.trans_b = trans_b;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a;
  g.lda = lda;
  g.b = b;
  g.ldb = ldb;
  g.c = c;
  g.ldc = ldc;
  g.accumulate = accumulate;
  linalg::BatchedGemm(ctx.op_name, DTypeOf<T>::value, g, 1, 0, 0, 0, ctx.nthreads);
}

// dst (rows x cols, contiguous) = / += src (rows x cols, row stride lds), as req says.
template <typename T>
void AssignRows(T* dst, const T* src, int64_t rows, int64_t cols, int64_t lds, OpReq req) {
  if (req == OpReq::kNull) return;
  for (int64_t r = 0; r < rows; ++r) {
    T* d = dst + r * cols;
    const T* s = src + r * lds;
    if (req == OpReq::kAddTo) {
      for (int64_t j = 0; j < cols; ++j) d[j] += s[j];
    } else {
      std::copy(s, s + cols, d);
    }
  }
}

// use_sequence_length: each batch row's valid length, any numeric dtype, each within [0, T].
inline std::vector<int64_t> ReadLengths(const TBlob& b, int64_t T) {
  std::vector<int64_t> lens(static_cast<size_t>(b.Size()));
  MX_TYPE_SWITCH(b.dtype, DT, {
    const DT* p = static_cast<const DT*>(b.dptr);
    for (size_t i = 0; i < lens.size(); ++i) {
      const double v = static_cast<double>(static_cast<float>(p[i]));
      MX_CHECK(v >= 0 && v <= static_cast<double>(T) && v == static_cast<double>(int64_t(v)),
               ValueError)
          << "RNN: sequence_length[" << i << "] = " << v
          << " must be a whole number in [0, " << T << "] (the sequence length)";
      lens[i] = static_cast<int64_t>(v);
    }
  });
  return lens;
}

inline CellClip ClipOf(const RNNParam& p) {
  CellClip c;
  if (p.mode == Mode::kLstm && p.lstm_state_clip_min && p.lstm_state_clip_max) {
    c.on = true;
    c.lo = *p.lstm_state_clip_min;
    c.hi = *p.lstm_state_clip_max;
    c.nan = p.lstm_state_clip_nan;
  }
  return c;
}

}  // namespace mixnet::op::rnn
