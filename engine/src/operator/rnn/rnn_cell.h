// The elementwise part of one time step of each RNN mode, forward and backward, for N rows at a
// time. The matrix products (input and recurrent projections) are done by the caller with GEMMs;
// these functions only see their results. Gate blocks within a row are laid out as MXNet orders
// them: lstm i, f, g, o; gru r, z, n.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "common/fast_math.h"

namespace mixnet::op::rnn {

// float32 uses the vectorisable FastExp (common/fast_math.h); float64 the library's.
inline float Exp(float x) { return FastExp(x); }
inline double Exp(double x) { return std::exp(x); }  // float64: exact, for tight grad checks

template <typename T>
inline T Sigmoid(T x) {
  return T(1) / (T(1) + Exp(-x));
}

inline float Tanh(float x) { return 1.0f - 2.0f / (FastExp(2.0f * x) + 1.0f); }
inline double Tanh(double x) { return std::tanh(x); }

// LSTM cell-state clipping (lstm_state_clip_min/max); with `nan`, NaN is replaced by a bound.
struct CellClip {
  bool on = false;
  double lo = 0, hi = 0;
  bool nan = false;
  template <typename T>
  T Apply(T c) const {
    if (!on) return c;
    if (std::isnan(c)) return nan ? T(lo) : c;
    return c < T(lo) ? T(lo) : (c > T(hi) ? T(hi) : c);
  }
  // Whether the gradient passes through the clip at the (clipped) value c.
  template <typename T>
  bool Passes(T c) const {
    return !on || (c > T(lo) && c < T(hi));
  }
};

// ---- forward ------------------------------------------------------------------------------------

// gates (N, 4H): pre-activations in, activated gates out. c_prev/c (N, H) contiguous;
// h (N, H) written with row stride ldh.
template <typename T>
void LstmStepForward(int64_t N, int64_t H, T* gates, const T* c_prev, T* c, T* h, int64_t ldh,
                     const CellClip& clip) {
  // Separate simple passes (rather than one loop doing everything) so each one vectorises.
  for (int64_t n = 0; n < N; ++n) {
    T* __restrict g = gates + n * 4 * H;
    const T* __restrict cp = c_prev + n * H;
    T* __restrict cn = c + n * H;
    T* __restrict hn = h + n * ldh;
    for (int64_t j = 0; j < 2 * H; ++j) g[j] = Sigmoid(g[j]);  // i, f
    for (int64_t j = 2 * H; j < 3 * H; ++j) g[j] = Tanh(g[j]);
    for (int64_t j = 3 * H; j < 4 * H; ++j) g[j] = Sigmoid(g[j]);
    for (int64_t j = 0; j < H; ++j) cn[j] = g[H + j] * cp[j] + g[j] * g[2 * H + j];
    if (clip.on) {
      for (int64_t j = 0; j < H; ++j) cn[j] = clip.Apply(cn[j]);
    }
    for (int64_t j = 0; j < H; ++j) hn[j] = g[3 * H + j] * Tanh(cn[j]);
  }
}

// One row of GruStepForward (restrict parameters: the loop vectorises).
template <typename T>
void GruRowForward(int64_t H, T* __restrict a, const T* __restrict b, const T* __restrict hp,
                   T* __restrict hs, T* __restrict ho) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = Sigmoid(a[j] + b[j]);
    const T z = Sigmoid(a[H + j] + b[H + j]);
    const T nv = Tanh(a[2 * H + j] + r * b[2 * H + j]);
    a[j] = r;
    a[H + j] = z;
    a[2 * H + j] = nv;
    hs[j] = b[2 * H + j];
    ho[j] = (T(1) - z) * nv + z * hp[j];
  }
}

// gi (N, 3H): input projection (+ b_i2h) in, activated r, z, n out. gh (N, 3H): recurrent
// projection + b_h2h. hn_out (N, H) keeps gh's n block for the gradient of r.
template <typename T>
void GruStepForward(int64_t N, int64_t H, T* gi, const T* gh, const T* h_prev, int64_t ldp,
                    T* hn_out, T* h, int64_t ldh) {
  for (int64_t n = 0; n < N; ++n) {
    GruRowForward(H, gi + n * 3 * H, gh + n * 3 * H, h_prev + n * ldp, hn_out + n * H,
                  h + n * ldh);
  }
}

// gates (N, H): pre-activation in, h out (also copied to h with row stride ldh).
template <typename T>
void VanillaStepForward(int64_t N, int64_t H, bool relu, T* gates, T* h, int64_t ldh) {
  for (int64_t n = 0; n < N; ++n) {
    T* g = gates + n * H;
    T* ho = h + n * ldh;
    for (int64_t j = 0; j < H; ++j) {
      const T v = relu ? (g[j] > T(0) ? g[j] : T(0)) : Tanh(g[j]);
      g[j] = v;
      ho[j] = v;
    }
  }
}

// ---- backward -----------------------------------------------------------------------------------

// One row of LstmStepBackward. kClip: whether the cell clip's compare is in the loop (the
// unclipped instance has none, and vectorises).
template <typename T, bool kClip>
void LstmRowBackward(int64_t H, const T* __restrict g, const T* __restrict cv,
                     const T* __restrict cp, const T* __restrict dhn, T* __restrict dcn,
                     T* __restrict d, const CellClip& clip) {
  for (int64_t j = 0; j < H; ++j) {
    const T gi = g[j], gf = g[H + j], gg = g[2 * H + j], go = g[3 * H + j];
    const T tc = Tanh(cv[j]);
    T dct = dcn[j] + dhn[j] * go * (T(1) - tc * tc);
    if constexpr (kClip) dct = clip.Passes(cv[j]) ? dct : T(0);
    d[j] = dct * gg * gi * (T(1) - gi);
    d[H + j] = dct * cp[j] * gf * (T(1) - gf);
    d[2 * H + j] = dct * gi * (T(1) - gg * gg);
    d[3 * H + j] = dhn[j] * tc * go * (T(1) - go);
    dcn[j] = dct * gf;
  }
}

// dh (N, H): gradient reaching h_t. dc (N, H): in, the gradient reaching c_t from step t+1; out,
// the gradient of c_{t-1}. dg (N, 4H): gradients of the gate pre-activations.
template <typename T>
void LstmStepBackward(int64_t N, int64_t H, const T* gates, const T* c, const T* c_prev,
                      const T* dh, T* dc, T* dg, const CellClip& clip) {
  for (int64_t n = 0; n < N; ++n) {
    const T* g = gates + n * 4 * H;
    T* d = dg + n * 4 * H;
    const int64_t o = n * H;
    if (clip.on) {
      LstmRowBackward<T, true>(H, g, c + o, c_prev + o, dh + o, dc + o, d, clip);
    } else {
      LstmRowBackward<T, false>(H, g, c + o, c_prev + o, dh + o, dc + o, d, clip);
    }
  }
}

// One row of GruStepBackward (restrict parameters: the loop vectorises).
template <typename T>
void GruRowBackward(int64_t H, const T* __restrict g, const T* __restrict hs,
                    const T* __restrict hp, const T* __restrict dhn, T* __restrict di,
                    T* __restrict dr, T* __restrict dp) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = g[j], z = g[H + j], nv = g[2 * H + j];
    const T dn = dhn[j] * (T(1) - z) * (T(1) - nv * nv);
    const T dz = dhn[j] * (hp[j] - nv) * z * (T(1) - z);
    const T drp = dn * hs[j] * r * (T(1) - r);
    di[j] = drp;
    di[H + j] = dz;
    di[2 * H + j] = dn;
    dr[j] = drp;
    dr[H + j] = dz;
    dr[2 * H + j] = dn * r;
    dp[j] = dhn[j] * z;
  }
}

// dgi (N, 3H): gradients of the input-projection pre-activations (r, z, n); dgh (N, 3H): of the
// recurrent projection's (r, z, and W_hn h + b_hn). dh_prev (N, H) gets the direct path z * dh
// (the caller adds dgh @ W_h2h).
template <typename T>
void GruStepBackward(int64_t N, int64_t H, const T* gates, const T* hn, const T* h_prev,
                     int64_t ldp, const T* dh, T* dgi, T* dgh, T* dh_prev) {
  for (int64_t n = 0; n < N; ++n) {
    GruRowBackward(H, gates + n * 3 * H, hn + n * H, h_prev + n * ldp, dh + n * H,
                   dgi + n * 3 * H, dgh + n * 3 * H, dh_prev + n * H);
  }
}

// h (N, H): the activated output; dg = dh * act'(pre).
template <typename T>
void VanillaStepBackward(int64_t N, int64_t H, bool relu, const T* h, const T* dh, T* dg) {
  const int64_t n_all = N * H;
  for (int64_t k = 0; k < n_all; ++k) {
    dg[k] = relu ? (h[k] > T(0) ? dh[k] : T(0)) : dh[k] * (T(1) - h[k] * h[k]);
  }
}

}  // namespace mixnet::op::rnn
