// Straightforward reference loops for the nn_conv tests (Convolution, Deconvolution, Pooling,
// LRN), written independently of the kernels: plain nested loops in double over (N, C, D, H, W)
// with 1D/2D inputs viewed as 3D with leading spatial extents of 1.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace mixnet::test::nn_conv_ref {

// Deterministic values in [-1, 1).
inline std::vector<double> Values(int64_t n, uint64_t seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint64_t s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (auto& x : v) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x = static_cast<double>((s >> 11) % 20000) / 10000.0 - 1.0;
  }
  return v;
}

// Spatial parameters padded to 3 dims (leading entries: size 1, kernel 1, stride 1, pad 0).
struct Sp {
  int64_t v[3];
};
inline Sp Pad3(const std::vector<int64_t>& x, int64_t fill) {
  Sp s{{fill, fill, fill}};
  for (size_t i = 0; i < x.size(); ++i) s.v[3 - x.size() + i] = x[i];
  return s;
}

struct ConvCase {
  int64_t n, c, f, groups;
  std::vector<int64_t> x, k, s, d, p;  // per real spatial dim
};

inline std::vector<int64_t> ConvOut(const ConvCase& cc) {
  std::vector<int64_t> o;
  for (size_t i = 0; i < cc.x.size(); ++i) {
    o.push_back((cc.x[i] + 2 * cc.p[i] - cc.d[i] * (cc.k[i] - 1) - 1) / cc.s[i] + 1);
  }
  return o;
}

// data (n, c, x...), weight (f, c/g, k...), bias (f) or empty.
inline std::vector<double> Conv(const ConvCase& cc, const std::vector<double>& x,
                                const std::vector<double>& w, const std::vector<double>& b) {
  const Sp X = Pad3(cc.x, 1), K = Pad3(cc.k, 1), S = Pad3(cc.s, 1), D = Pad3(cc.d, 1),
           P = Pad3(cc.p, 0), O = Pad3(ConvOut(cc), 1);
  const int64_t cg = cc.c / cc.groups, fg = cc.f / cc.groups;
  const int64_t xs = X.v[0] * X.v[1] * X.v[2], ks = K.v[0] * K.v[1] * K.v[2],
                os = O.v[0] * O.v[1] * O.v[2];
  std::vector<double> out(static_cast<size_t>(cc.n * cc.f * os));
  for (int64_t n = 0; n < cc.n; ++n)
    for (int64_t f = 0; f < cc.f; ++f) {
      const int64_t g = f / fg;
      for (int64_t o0 = 0; o0 < O.v[0]; ++o0)
        for (int64_t o1 = 0; o1 < O.v[1]; ++o1)
          for (int64_t o2 = 0; o2 < O.v[2]; ++o2) {
            double acc = b.empty() ? 0.0 : b[f];
            for (int64_t ci = 0; ci < cg; ++ci)
              for (int64_t a = 0; a < K.v[0]; ++a)
                for (int64_t bb = 0; bb < K.v[1]; ++bb)
                  for (int64_t e = 0; e < K.v[2]; ++e) {
                    const int64_t i0 = o0 * S.v[0] - P.v[0] + a * D.v[0];
                    const int64_t i1 = o1 * S.v[1] - P.v[1] + bb * D.v[1];
                    const int64_t i2 = o2 * S.v[2] - P.v[2] + e * D.v[2];
                    if (i0 < 0 || i0 >= X.v[0] || i1 < 0 || i1 >= X.v[1] || i2 < 0 || i2 >= X.v[2])
                      continue;
                    const int64_t c = g * cg + ci;
                    acc += x[((n * cc.c + c) * X.v[0] + i0) * X.v[1] * X.v[2] + i1 * X.v[2] + i2] *
                           w[(f * cg + ci) * ks + (a * K.v[1] + bb) * K.v[2] + e];
                  }
            out[(n * cc.f + f) * os + (o0 * O.v[1] + o1) * O.v[2] + o2] = acc;
          }
    }
  (void)xs;
  return out;
}

// Deconvolution: data (n, c, x...), weight (c, f/g, k...); out size (x-1)s - 2p + d(k-1) + 1 + adj.
inline std::vector<int64_t> DeconvOut(const ConvCase& cc, const std::vector<int64_t>& adj) {
  std::vector<int64_t> o;
  for (size_t i = 0; i < cc.x.size(); ++i) {
    o.push_back((cc.x[i] - 1) * cc.s[i] - 2 * cc.p[i] + cc.d[i] * (cc.k[i] - 1) + 1 + adj[i]);
  }
  return o;
}

inline std::vector<double> Deconv(const ConvCase& cc, const std::vector<int64_t>& adj,
                                  const std::vector<double>& x, const std::vector<double>& w,
                                  const std::vector<double>& b) {
  const Sp X = Pad3(cc.x, 1), K = Pad3(cc.k, 1), S = Pad3(cc.s, 1), D = Pad3(cc.d, 1),
           P = Pad3(cc.p, 0), O = Pad3(DeconvOut(cc, adj), 1);
  const int64_t cg = cc.c / cc.groups, fg = cc.f / cc.groups;
  const int64_t xs = X.v[0] * X.v[1] * X.v[2], ks = K.v[0] * K.v[1] * K.v[2],
                os = O.v[0] * O.v[1] * O.v[2];
  std::vector<double> out(static_cast<size_t>(cc.n * cc.f * os));
  for (int64_t n = 0; n < cc.n; ++n)
    for (int64_t f = 0; f < cc.f; ++f)
      for (int64_t i = 0; i < os; ++i) out[(n * cc.f + f) * os + i] = b.empty() ? 0.0 : b[f];
  for (int64_t n = 0; n < cc.n; ++n)
    for (int64_t c = 0; c < cc.c; ++c) {
      const int64_t g = c / cg;
      for (int64_t fi = 0; fi < fg; ++fi) {
        const int64_t f = g * fg + fi;
        for (int64_t i0 = 0; i0 < X.v[0]; ++i0)
          for (int64_t i1 = 0; i1 < X.v[1]; ++i1)
            for (int64_t i2 = 0; i2 < X.v[2]; ++i2)
              for (int64_t a = 0; a < K.v[0]; ++a)
                for (int64_t bb = 0; bb < K.v[1]; ++bb)
                  for (int64_t e = 0; e < K.v[2]; ++e) {
                    const int64_t o0 = i0 * S.v[0] - P.v[0] + a * D.v[0];
                    const int64_t o1 = i1 * S.v[1] - P.v[1] + bb * D.v[1];
                    const int64_t o2 = i2 * S.v[2] - P.v[2] + e * D.v[2];
                    if (o0 < 0 || o0 >= O.v[0] || o1 < 0 || o1 >= O.v[1] || o2 < 0 || o2 >= O.v[2])
                      continue;
                    out[(n * cc.f + f) * os + (o0 * O.v[1] + o1) * O.v[2] + o2] +=
                        x[(n * cc.c + c) * xs + (i0 * X.v[1] + i1) * X.v[2] + i2] *
                        w[(c * fg + fi) * ks + (a * K.v[1] + bb) * K.v[2] + e];
                  }
      }
    }
  return out;
}

struct PoolCase {
  int64_t n, c;
  std::vector<int64_t> x, k, s, p;
  std::string type = "max";       // max, avg, sum, lp
  std::string convention = "valid";
  bool include_pad = true;
  int p_value = 2;
};

inline std::vector<int64_t> PoolOut(const PoolCase& pc) {
  std::vector<int64_t> o;
  for (size_t i = 0; i < pc.x.size(); ++i) {
    const double span = static_cast<double>(pc.x[i] + 2 * pc.p[i] - pc.k[i]) / pc.s[i];
    if (pc.convention == "valid") o.push_back(static_cast<int64_t>(std::floor(span)) + 1);
    else if (pc.convention == "full") o.push_back(static_cast<int64_t>(std::ceil(span)) + 1);
    else o.push_back((pc.x[i] + pc.s[i] - 1) / pc.s[i]);
  }
  return o;
}

// MXNet's rules: the window is clipped to the input; avg with count_include_pad divides by the
// window's extent clipped to [-pad, x + pad).
// A max window wholly in the padding gives the dtype's lowest value (empty_max), as in MXNet.
inline std::vector<double> Pool(const PoolCase& pc, const std::vector<double>& x,
                                double empty_max = std::numeric_limits<float>::lowest()) {
  const Sp X = Pad3(pc.x, 1), K = Pad3(pc.k, 1), S = Pad3(pc.s, 1), P = Pad3(pc.p, 0),
           O = Pad3(PoolOut(pc), 1);
  const int64_t xs = X.v[0] * X.v[1] * X.v[2], os = O.v[0] * O.v[1] * O.v[2];
  std::vector<double> out(static_cast<size_t>(pc.n * pc.c * os));
  for (int64_t pl = 0; pl < pc.n * pc.c; ++pl)
    for (int64_t o0 = 0; o0 < O.v[0]; ++o0)
      for (int64_t o1 = 0; o1 < O.v[1]; ++o1)
        for (int64_t o2 = 0; o2 < O.v[2]; ++o2) {
          const int64_t o[3] = {o0, o1, o2};
          double mx = empty_max, sum = 0, sump = 0;
          int64_t valid = 0, padded = 1;
          for (int d = 0; d < 3; ++d) {
            const int64_t st = o[d] * S.v[d] - P.v[d];
            padded *= std::max<int64_t>(0, std::min(st + K.v[d], X.v[d] + P.v[d]) - st);
          }
          for (int64_t a = 0; a < K.v[0]; ++a)
            for (int64_t b = 0; b < K.v[1]; ++b)
              for (int64_t e = 0; e < K.v[2]; ++e) {
                const int64_t i0 = o0 * S.v[0] - P.v[0] + a, i1 = o1 * S.v[1] - P.v[1] + b,
                              i2 = o2 * S.v[2] - P.v[2] + e;
                if (i0 < 0 || i0 >= X.v[0] || i1 < 0 || i1 >= X.v[1] || i2 < 0 || i2 >= X.v[2])
                  continue;
                const double v = x[pl * xs + (i0 * X.v[1] + i1) * X.v[2] + i2];
                mx = std::max(mx, v);
                sum += v;
                sump += std::pow(v, pc.p_value);
                ++valid;
              }
          double r;
          if (pc.type == "max") r = mx;
          else if (pc.type == "sum") r = sum;
          else if (pc.type == "avg") r = sum / static_cast<double>(pc.include_pad ? padded : valid);
          else r = pc.p_value == 1 ? sump : pc.p_value == 2 ? std::sqrt(sump) : std::cbrt(sump);
          out[pl * os + (o0 * O.v[1] + o1) * O.v[2] + o2] = r;
        }
  return out;
}

// LRN over axis 1 of (n, c, inner).
inline std::vector<double> Lrn(int64_t n, int64_t c, int64_t inner, const std::vector<double>& x,
                               double alpha, double beta, double knorm, int nsize) {
  std::vector<double> out(x.size());
  for (int64_t a = 0; a < n; ++a)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < inner; ++i) {
        double s = 0;
        for (int64_t j = ch - nsize / 2; j <= ch + nsize / 2; ++j) {
          if (j < 0 || j >= c) continue;
          const double v = x[(a * c + j) * inner + i];
          s += v * v;
        }
        const size_t at = static_cast<size_t>((a * c + ch) * inner + i);
        out[at] = x[at] / std::pow(knorm + alpha / nsize * s, beta);
      }
  return out;
}

}  // namespace mixnet::test::nn_conv_ref
