// RNN forward: per layer and direction, one GEMM projects every time step's input at once; then
// each step adds the recurrent projection (one GEMM of N rows) and applies the cell. Everything
// the gradient needs (activated gates, cell states, layer outputs, dropout masks) goes to the
// hidden `reserve` output.
#include <random>
#include <vector>

#include "operator/rnn/rnn_kernels.h"

namespace mixnet::op::rnn {
namespace {

// rows x cols block whose every row is b1 (+ b2).
template <typename T>
void FillBias(T* dst, int64_t rows, int64_t cols, const T* b1, const T* b2) {
  for (int64_t r = 0; r < rows; ++r) {
    T* d = dst + r * cols;
    if (b2 != nullptr) {
      for (int64_t j = 0; j < cols; ++j) d[j] = b1[j] + b2[j];
    } else {
      std::copy(b1, b1 + cols, d);
    }
  }
}

// Inverted dropout on layer l's output: mask = 1/(1-p) with probability 1-p, else 0.
template <typename T>
void DropLayerOutput(const RnnDims& dims, float p, RandomState* rng, T* res, int64_t l) {
  const int64_t n = dims.YSize();
  const T* y = res + dims.Y(l);
  T* mask = res + dims.Mask(l);
  T* dropped = res + dims.Dropped(l);
  const T scale = p < 1.0f ? T(1) / (T(1) - T(p)) : T(0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int64_t k = 0; k < n; ++k) {
    mask[k] = uniform(rng->engine) >= p ? scale : T(0);
    dropped[k] = y[k] * mask[k];
  }
}

template <typename T>
void ForwardT(const RNNParam& param, const OpContext& ctx, std::span<const TBlob> in,
              std::span<const TBlob> out) {
  const TBlob& data = in[0];
  const RnnDims dims(param, data.shape[0], data.shape[1], data.shape[2]);
  const int64_t T_ = dims.T, N = dims.N, H = dims.H, D = dims.D, GH = dims.GH();
  const T* x = data.ptr<T>();
  const T* w = in[1].ptr<T>();
  const T* h0 = in[2].ptr<T>();
  const T* c0 = dims.Lstm() ? in[3].ptr<T>() : nullptr;
  T* res = out.back().ptr<T>();
  const bool drop = dims.dropout && ctx.is_train;
  const CellClip clip = ClipOf(param);
  std::vector<T> gh(dims.Gru() ? static_cast<size_t>(N * GH) : 0);
  const int64_t y_row = N * D * H;  // one time step of a layer's output
  // With sequence lengths, row n is active at step t when t < lens[n]: padded steps output
  // zeros and leave the state alone (the reverse direction starts at lens[n] - 1).
  const std::vector<int64_t> lens =
      dims.seq ? ReadLengths(in[dims.Lstm() ? 4 : 3], T_) : std::vector<int64_t>();

  for (int64_t l = 0; l < dims.L; ++l) {
    const int64_t in_size = dims.LayerIn(l);
    const T* xin = l == 0 ? x : res + (drop ? dims.Dropped(l - 1) : dims.Y(l - 1));
    T* y = res + dims.Y(l);
    for (int64_t d = 0; d < D; ++d) {
      T* gates = res + dims.Gates(l, d);
      const T* w_i2h = w + dims.WI2H(l, d);
      const T* w_h2h = w + dims.WH2H(l, d);
      const T* b_i2h = w + dims.BI2H(l, d);
      const T* b_h2h = w + dims.BH2H(l, d);
      // All steps' input projections at once; GRU keeps b_h2h apart (r scales W_hn h + b_hn).
      FillBias(gates, T_ * N, GH, b_i2h, dims.Gru() ? nullptr : b_h2h);
      Gemm<T>(ctx, false, true, T_ * N, GH, in_size, xin, in_size, w_i2h, in_size, gates, GH,
              true);
      const T* h_init = h0 + (l * D + d) * N * H;
      const T* c_init = c0 != nullptr ? c0 + (l * D + d) * N * H : nullptr;
      T* cells = dims.Lstm() ? res + dims.Cells(l, d) : nullptr;
      for (int64_t s = 0; s < T_; ++s) {
        const int64_t t = d == 0 ? s : T_ - 1 - s;
        const int64_t tp = d == 0 ? t - 1 : t + 1;  // the step before, in processing order
        const T* h_prev = s > 0 ? y + tp * y_row + d * H : h_init;
        int64_t ldp = s > 0 ? D * H : H;
        const T* c_prev = dims.Lstm() ? (s > 0 ? cells + tp * N * H : c_init) : nullptr;
        if (dims.seq) {
          // Each row's state: carried from the step before when that step was active for the
          // row, else the initial state. Kept for the gradient.
          T* hp = res + dims.HPrev(l, d) + t * N * H;
          T* cp = dims.Lstm() ? res + dims.CPrev(l, d) + t * N * H : nullptr;
          for (int64_t n = 0; n < N; ++n) {
            const bool carried = s > 0 && tp < lens[n];
            const T* hs = carried ? y + tp * y_row + n * D * H + d * H : h_init + n * H;
            std::copy(hs, hs + H, hp + n * H);
            if (cp != nullptr) {
              const T* cs = carried ? cells + tp * N * H + n * H : c_init + n * H;
              std::copy(cs, cs + H, cp + n * H);
            }
          }
          h_prev = hp;
          ldp = H;
          c_prev = cp;
        }
        T* h_out = y + t * y_row + d * H;
        T* g_t = gates + t * N * GH;
        if (dims.Gru()) {
          FillBias(gh.data(), N, GH, b_h2h, static_cast<const T*>(nullptr));
          Gemm<T>(ctx, false, true, N, GH, H, h_prev, ldp, w_h2h, H, gh.data(), GH, true);
          GruStepForward(N, H, g_t, gh.data(), h_prev, ldp, res + dims.Hn(l, d) + t * N * H,
                         h_out, D * H);
        } else {
          Gemm<T>(ctx, false, true, N, GH, H, h_prev, ldp, w_h2h, H, g_t, GH, true);
          if (dims.Lstm()) {
            LstmStepForward(N, H, g_t, c_prev, cells + t * N * H, h_out, D * H, clip);
          } else {
            VanillaStepForward(N, H, dims.mode == Mode::kRnnRelu, g_t, h_out, D * H);
          }
        }
        if (dims.seq) {
          for (int64_t n = 0; n < N; ++n) {
            if (t >= lens[n]) std::fill_n(h_out + n * D * H, H, T(0));
          }
        }
      }
      if (param.state_outputs) {
        // The last step processed: T-1 forwards, 0 backwards; the initial state when T == 0.
        const int64_t t_last = d == 0 ? T_ - 1 : 0;
        const int64_t off = (l * D + d) * N * H;
        const TBlob& hy = out[1];
        if (dims.seq) {
          // Per row: the last active step (lens[n] - 1 forwards, 0 backwards), or the initial
          // state for an empty row.
          for (int64_t n = 0; n < N; ++n) {
            const int64_t tl = d == 0 ? lens[n] - 1 : 0;
            const bool any = lens[n] > 0;
            const int64_t o = off + n * H;
            AssignRows(hy.ptr<T>() + o, any ? y + tl * y_row + n * D * H + d * H : h_init + n * H,
                       1, H, H, ctx.req[1]);
            if (dims.Lstm()) {
              AssignRows(out[2].ptr<T>() + o, any ? cells + tl * N * H + n * H : c_init + n * H,
                         1, H, H, ctx.req[2]);
            }
          }
        } else if (T_ > 0) {
          AssignRows(hy.ptr<T>() + off, y + t_last * y_row + d * H, N, H, D * H, ctx.req[1]);
        } else {
          AssignRows(hy.ptr<T>() + off, h_init, N, H, H, ctx.req[1]);
        }
        if (dims.Lstm() && !dims.seq) {  // (per row above with sequence lengths)
          const T* c_last = T_ > 0 ? cells + t_last * N * H : c_init;
          AssignRows(out[2].ptr<T>() + off, c_last, N, H, H, ctx.req[2]);
        }
      }
    }
    if (drop && l < dims.L - 1) DropLayerOutput(dims, param.p, ctx.rng, res, l);
  }
  AssignRows(out[0].ptr<T>(), res + dims.Y(dims.L - 1), T_ * N, D * H, D * H, ctx.req[0]);
}

}  // namespace

void Forward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
             std::span<const TBlob> out) {
  const auto& param = ParamAs<RNNParam>(base);
  if (in[0].dtype == DType::kFloat64) {
    ForwardT<double>(param, ctx, in, out);
  } else {
    ForwardT<float>(param, ctx, in, out);
  }
}

}  // namespace mixnet::op::rnn
