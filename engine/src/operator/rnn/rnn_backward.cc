// RNN backward: back-propagation through time, top layer first. Per layer and direction the
// steps run in reverse processing order, each applying the cell's backward and one GEMM for the
// gradient reaching the previous hidden state; the weight, bias and input gradients then come
// from GEMMs (and column sums) over all steps at once.
#include <cstring>
#include <vector>

#include "operator/rnn/rnn_kernels.h"

namespace mixnet::op::rnn {
namespace {

// acc (cols) += column sums of m (rows x cols).
template <typename T>
void AddColumnSums(T* acc, const T* m, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = m + r * cols;
    for (int64_t j = 0; j < cols; ++j) acc[j] += row[j];
  }
}

// One direction of one layer with sequence lengths: rows past their length (padding) get no
// gate gradient and pass dh/dc through unchanged; the others run the cell backward against the
// states their step started from (kept by the forward). Leaves dh_next/dc as the gradients of
// the initial states.
template <typename T>
void SeqDirectionBackward(const OpContext& ctx, const RnnDims& dims,
                          const std::vector<int64_t>& lens, int64_t l, int64_t d, const T* res,
                          const T* dy, const T* w_h2h, const CellClip& clip, T* dgi, T* dgh,
                          T* dh, std::vector<T>& dh_next, std::vector<T>& dh_new, T* dc) {
  const int64_t T_ = dims.T, N = dims.N, H = dims.H, D = dims.D, GH = dims.GH();
  const T* gates = res + dims.Gates(l, d);
  for (int64_t s = T_ - 1; s >= 0; --s) {
    const int64_t t = d == 0 ? s : T_ - 1 - s;
    const T* hp = res + dims.HPrev(l, d) + t * N * H;
    const T* dy_t = dy + t * N * D * H + d * H;
    for (int64_t n = 0; n < N; ++n) {
      const int64_t q = n * H;
      const T* g_row = gates + (t * N + n) * GH;
      T* dgi_row = dgi + (t * N + n) * GH;
      T* dgh_row = dgh + (t * N + n) * GH;
      if (t >= lens[n]) {
        std::fill_n(dgi_row, GH, T(0));
        if (dims.Gru()) std::fill_n(dgh_row, GH, T(0));
        std::copy(dh_next.data() + q, dh_next.data() + q + H, dh_new.data() + q);
        continue;
      }
      for (int64_t j = 0; j < H; ++j) dh[q + j] = dy_t[n * D * H + j] + dh_next[q + j];
      if (dims.Gru()) {
        GruStepBackward(int64_t{1}, H, g_row, res + dims.Hn(l, d) + t * N * H + q, hp + q, H,
                        dh + q, dgi_row, dgh_row, dh_new.data() + q);
        continue;
      }
      if (dims.Lstm()) {
        LstmStepBackward(int64_t{1}, H, g_row, res + dims.Cells(l, d) + t * N * H + q,
                         res + dims.CPrev(l, d) + t * N * H + q, dh + q, dc + q, dgi_row, clip);
      } else {
        VanillaStepBackward(int64_t{1}, H, dims.mode == Mode::kRnnRelu, g_row, dh + q, dgi_row);
      }
      std::fill_n(dh_new.data() + q, H, T(0));
    }
    Gemm<T>(ctx, false, false, N, H, GH, dgh + t * N * GH, GH, w_h2h, H, dh_new.data(), H, true);
    dh_next.swap(dh_new);
  }
}

template <typename T>
void BackwardT(const RNNParam& param, const OpContext& ctx, std::span<const TBlob> out_grads,
               std::span<const TBlob> inputs, std::span<const TBlob> outputs,
               std::span<const TBlob> in_grads) {
  const TBlob& data = inputs[0];
  const RnnDims dims(param, data.shape[0], data.shape[1], data.shape[2]);
  const int64_t T_ = dims.T, N = dims.N, H = dims.H, D = dims.D, GH = dims.GH();
  const int64_t y_row = N * D * H;
  const T* x = data.ptr<T>();
  const T* w = inputs[1].ptr<T>();
  const T* h0 = inputs[2].ptr<T>();
  const T* c0 = dims.Lstm() ? inputs[3].ptr<T>() : nullptr;
  const T* res = outputs.back().ptr<T>();
  const bool drop = dims.dropout && ctx.is_train;
  const CellClip clip = ClipOf(param);
  const OpReq req_x = ctx.req[0], req_w = ctx.req[1], req_h = ctx.req[2];
  const OpReq req_c = dims.Lstm() ? ctx.req[3] : OpReq::kNull;
  // Head gradients of the final states exist only when they were outputs.
  const T* dhy = out_grads.size() > 1 ? out_grads[1].ptr<T>() : nullptr;
  const T* dcy = dims.Lstm() && out_grads.size() > 2 ? out_grads[2].ptr<T>() : nullptr;

  T* dw = req_w != OpReq::kNull ? in_grads[1].ptr<T>() : nullptr;
  // Weight gradients accumulate over steps and directions: start from zero unless adding.
  if (dw != nullptr && req_w != OpReq::kAddTo) std::fill_n(dw, dims.NumParams(), T(0));

  const auto sz = [](int64_t n) { return static_cast<size_t>(n); };
  std::vector<T> dgi(sz(T_ * N * GH)), dgh_gru(dims.Gru() ? sz(T_ * N * GH) : 0);
  std::vector<T> dy_below(dims.L > 1 ? sz(dims.YSize()) : 0), dy_cur(dy_below.size());
  std::vector<T> dh(sz(N * H)), dh_next(sz(N * H)), dc(sz(N * H));
  std::vector<T> dh_new(dims.seq ? sz(N * H) : 0);
  const std::vector<int64_t> lens =
      dims.seq ? ReadLengths(inputs[dims.Lstm() ? 4 : 3], T_) : std::vector<int64_t>();
  // sequence_length has no gradient: zeros when asked for.
  if (dims.seq) {
    const size_t k = dims.Lstm() ? 4 : 3;
    if (ctx.req[k] != OpReq::kNull && ctx.req[k] != OpReq::kAddTo) {
      std::memset(in_grads[k].dptr, 0, in_grads[k].nbytes());
    }
  }
  T* dgh = dims.Gru() ? dgh_gru.data() : dgi.data();
  const T* dy = out_grads[0].ptr<T>();

  for (int64_t l = dims.L - 1; l >= 0; --l) {
    const int64_t in_size = dims.LayerIn(l);
    const T* xin = l == 0 ? x : res + (drop ? dims.Dropped(l - 1) : dims.Y(l - 1));
    const T* y = res + dims.Y(l);
    // Where this layer's input gradient goes: the layer below's output gradient, or data's.
    T* dx = l > 0 ? dy_below.data() : (req_x != OpReq::kNull ? in_grads[0].ptr<T>() : nullptr);
    for (int64_t d = 0; d < D; ++d) {
      const T* gates = res + dims.Gates(l, d);
      const T* cells = dims.Lstm() ? res + dims.Cells(l, d) : nullptr;
      const T* w_i2h = w + dims.WI2H(l, d);
      const T* w_h2h = w + dims.WH2H(l, d);
      const int64_t soff = (l * D + d) * N * H;
      const T* h_init = h0 + soff;
      if (dhy != nullptr) {
        std::copy(dhy + soff, dhy + soff + N * H, dh_next.begin());
      } else {
        std::fill(dh_next.begin(), dh_next.end(), T(0));
      }
      if (dcy != nullptr) {
        std::copy(dcy + soff, dcy + soff + N * H, dc.begin());
      } else {
        std::fill(dc.begin(), dc.end(), T(0));
      }
      if (dims.seq) {
        SeqDirectionBackward(ctx, dims, lens, l, d, res, dy, w_h2h, clip, dgi.data(), dgh,
                             dh.data(), dh_next, dh_new, dc.data());
      }
      for (int64_t s = dims.seq ? -1 : T_ - 1; s >= 0; --s) {
        const int64_t t = d == 0 ? s : T_ - 1 - s;
        const int64_t tp = d == 0 ? t - 1 : t + 1;
        const T* dy_t = dy + t * y_row + d * H;
        for (int64_t n = 0; n < N; ++n) {
          for (int64_t j = 0; j < H; ++j) dh[n * H + j] = dy_t[n * D * H + j] + dh_next[n * H + j];
        }
        const T* g_t = gates + t * N * GH;
        T* dgi_t = dgi.data() + t * N * GH;
        T* dgh_t = dgh + t * N * GH;
        if (dims.Gru()) {
          const T* h_prev = s > 0 ? y + tp * y_row + d * H : h_init;
          const int64_t ldp = s > 0 ? D * H : H;
          GruStepBackward(N, H, g_t, res + dims.Hn(l, d) + t * N * H, h_prev, ldp, dh.data(),
                          dgi_t, dgh_t, dh_next.data());
          Gemm<T>(ctx, false, false, N, H, GH, dgh_t, GH, w_h2h, H, dh_next.data(), H, true);
          continue;
        }
        if (dims.Lstm()) {
          const T* c_prev = s > 0 ? cells + tp * N * H : c0 + soff;
          LstmStepBackward(N, H, g_t, cells + t * N * H, c_prev, dh.data(), dc.data(), dgi_t,
                           clip);
        } else {
          VanillaStepBackward(N, H, dims.mode == Mode::kRnnRelu, g_t, dh.data(), dgi_t);
        }
        Gemm<T>(ctx, false, false, N, H, GH, dgi_t, GH, w_h2h, H, dh_next.data(), H, false);
      }
      if (req_h != OpReq::kNull) {
        AssignRows(in_grads[2].ptr<T>() + soff, dh_next.data(), N, H, H, req_h);
      }
      if (req_c != OpReq::kNull) {
        AssignRows(in_grads[3].ptr<T>() + soff, dc.data(), N, H, H, req_c);
      }
      if (dw != nullptr && T_ > 0) {
        Gemm<T>(ctx, true, false, GH, in_size, T_ * N, dgi.data(), GH, xin, in_size,
                dw + dims.WI2H(l, d), in_size, true);
        // W_h2h pairs step t's gradient with the hidden state before it: the initial state for
        // the first step processed, the layer's output one step earlier (in processing order)
        // for the rest.
        T* dwh = dw + dims.WH2H(l, d);
        const int64_t first = d == 0 ? 0 : T_ - 1;
        if (dims.seq) {  // the states each step started from were kept, in step order
          Gemm<T>(ctx, true, false, GH, H, T_ * N, dgh, GH, res + dims.HPrev(l, d), H, dwh, H,
                  true);
        } else {
          Gemm<T>(ctx, true, false, GH, H, N, dgh + first * N * GH, GH, h_init, H, dwh, H, true);
        }
        if (T_ > 1 && !dims.seq) {
          const T* g_rest = dgh + (d == 0 ? N * GH : 0);
          const T* h_rest = y + (d == 0 ? 0 : y_row) + d * H;
          Gemm<T>(ctx, true, false, GH, H, (T_ - 1) * N, g_rest, GH, h_rest, D * H, dwh, H, true);
        }
        AddColumnSums(dw + dims.BI2H(l, d), dgi.data(), T_ * N, GH);
        AddColumnSums(dw + dims.BH2H(l, d), dgh, T_ * N, GH);
      }
      if (dx != nullptr) {
        const bool acc = d > 0 || (l == 0 && req_x == OpReq::kAddTo);
        Gemm<T>(ctx, false, false, T_ * N, in_size, GH, dgi.data(), GH, w_i2h, in_size, dx,
                in_size, acc);
      }
    }
    if (l > 0) {
      if (drop) {
        const T* mask = res + dims.Mask(l - 1);
        for (int64_t k = 0; k < dims.YSize(); ++k) dy_below[k] *= mask[k];
      }
      dy_cur.swap(dy_below);
      dy = dy_cur.data();
    }
  }
}

}  // namespace

void Backward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
              std::span<const TBlob> inputs, std::span<const TBlob> outputs,
              std::span<const TBlob> in_grads) {
  const auto& param = ParamAs<RNNParam>(base);
  if (inputs[0].dtype == DType::kFloat64) {
    BackwardT<double>(param, ctx, out_grads, inputs, outputs, in_grads);
  } else {
    BackwardT<float>(param, ctx, out_grads, inputs, outputs, in_grads);
  }
}

}  // namespace mixnet::op::rnn
