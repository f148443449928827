// A deliberately plain reference for the fused RNN op (one time step, one batch row, one unit at
// a time, with explicit dot products), used by the RNN tests to check the kernel's forward.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace mixnet::test::rnn_ref {

struct Config {
  std::string mode;  // rnn_relu, rnn_tanh, lstm, gru
  int L = 1;
  bool bidirectional = false;
  int H = 2;
  int T = 3, N = 2, I = 3;
  bool clip = false;
  double clip_lo = 0, clip_hi = 0;
  std::vector<int> lens;  // use_sequence_length: per-row valid lengths (empty: all T)

  int D() const { return bidirectional ? 2 : 1; }
  int G() const { return mode == "lstm" ? 4 : (mode == "gru" ? 3 : 1); }
  // MXNet's flat parameter count: weights of every (layer, direction), then biases.
  int64_t NumParams() const {
    int64_t n = 0;
    for (int l = 0; l < L; ++l) {
      const int in = l == 0 ? I : D() * H;
      n += D() * (int64_t{G()} * H * in + int64_t{G()} * H * H + 2 * int64_t{G()} * H);
    }
    return n;
  }
};

struct Result {
  std::vector<double> out;  // (T, N, D*H)
  std::vector<double> hy;   // (L*D, N, H)
  std::vector<double> cy;   // (L*D, N, H), lstm only
};

inline double Sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// x: (T, N, I); w: the flat parameters; h0, c0: (L*D, N, H) (c0 ignored unless lstm).
inline Result Run(const Config& c, const std::vector<double>& x, const std::vector<double>& w,
                  const std::vector<double>& h0, const std::vector<double>& c0) {
  const int D = c.D(), G = c.G(), H = c.H, T = c.T, N = c.N;
  // Offsets of each (layer, direction)'s matrices and bias vectors, in MXNet's order.
  std::vector<size_t> wi(c.L * D), wh(c.L * D), bi(c.L * D), bh(c.L * D);
  size_t off = 0;
  for (int l = 0; l < c.L; ++l) {
    const int in = l == 0 ? c.I : D * H;
    for (int d = 0; d < D; ++d) {
      wi[l * D + d] = off;
      off += size_t(G) * H * in;
      wh[l * D + d] = off;
      off += size_t(G) * H * H;
    }
  }
  for (int k = 0; k < c.L * D; ++k) {
    bi[k] = off;
    off += size_t(G) * H;
    bh[k] = off;
    off += size_t(G) * H;
  }
  Result r;
  r.hy.assign(size_t(c.L) * D * N * H, 0);
  r.cy.assign(r.hy.size(), 0);
  std::vector<double> layer_in = x;
  int in = c.I;
  for (int l = 0; l < c.L; ++l) {
    std::vector<double> out(size_t(T) * N * D * H, 0);
    for (int d = 0; d < D; ++d) {
      const int k = l * D + d;
      std::vector<double> h(h0.begin() + size_t(k) * N * H, h0.begin() + size_t(k + 1) * N * H);
      std::vector<double> cs(size_t(N) * H, 0);
      if (c.mode == "lstm") {
        cs.assign(c0.begin() + size_t(k) * N * H, c0.begin() + size_t(k + 1) * N * H);
      }
      for (int s = 0; s < T; ++s) {
        const int t = d == 0 ? s : T - 1 - s;
        std::vector<double> hn(h.size()), cn(cs.size());
        for (int n = 0; n < N; ++n) {
          if (!c.lens.empty() && t >= c.lens[size_t(n)]) {  // padding: state kept, output 0
            for (int j = 0; j < H; ++j) {
              hn[size_t(n) * H + j] = h[size_t(n) * H + j];
              if (c.mode == "lstm") cn[size_t(n) * H + j] = cs[size_t(n) * H + j];
            }
            continue;
          }
          // a: input projection + b_i2h; b: recurrent projection + b_h2h, per gate unit.
          std::vector<double> a(size_t(G) * H), b(size_t(G) * H);
          for (int u = 0; u < G * H; ++u) {
            double sa = w[bi[k] + u], sb = w[bh[k] + u];
            for (int j = 0; j < in; ++j) {
              sa += w[wi[k] + size_t(u) * in + j] * layer_in[(size_t(t) * N + n) * in + j];
            }
            for (int j = 0; j < H; ++j) sb += w[wh[k] + size_t(u) * H + j] * h[size_t(n) * H + j];
            a[u] = sa;
            b[u] = sb;
          }
          for (int j = 0; j < H; ++j) {
            const size_t q = size_t(n) * H + j;
            double hv = 0;
            if (c.mode == "lstm") {
              const double ig = Sig(a[j] + b[j]), fg = Sig(a[H + j] + b[H + j]);
              const double gg = std::tanh(a[2 * H + j] + b[2 * H + j]);
              const double og = Sig(a[3 * H + j] + b[3 * H + j]);
              double cv = fg * cs[q] + ig * gg;
              if (c.clip) cv = std::min(std::max(cv, c.clip_lo), c.clip_hi);
              cn[q] = cv;
              hv = og * std::tanh(cv);
            } else if (c.mode == "gru") {
              const double rg = Sig(a[j] + b[j]), zg = Sig(a[H + j] + b[H + j]);
              const double ng = std::tanh(a[2 * H + j] + rg * b[2 * H + j]);
              hv = (1 - zg) * ng + zg * h[q];
            } else if (c.mode == "rnn_relu") {
              hv = std::max(0.0, a[j] + b[j]);
            } else {
              hv = std::tanh(a[j] + b[j]);
            }
            hn[q] = hv;
            out[(size_t(t) * N + n) * D * H + size_t(d) * H + j] = hv;
          }
        }
        h = hn;
        if (c.mode == "lstm") cs = cn;
      }
      std::copy(h.begin(), h.end(), r.hy.begin() + size_t(k) * N * H);
      std::copy(cs.begin(), cs.end(), r.cy.begin() + size_t(k) * N * H);
    }
    layer_in = out;
    in = D * H;
    if (l == c.L - 1) r.out = out;
  }
  return r;
}

}  // namespace mixnet::test::rnn_ref
