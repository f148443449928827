// Sizes and offsets shared by the RNN op's inference, forward and backward: where each weight and
// bias sits in MXNet's flat `parameters` vector, and how the hidden `reserve` output (the state
// the gradient needs) is laid out.
#pragma once

#include <cstdint>

#include "ops/rnn.h"

namespace mixnet::op::rnn {

using Mode = RNNParam::Mode;

inline int64_t NumGates(Mode mode) {
  switch (mode) {
    case Mode::kLstm: return 4;
    case Mode::kGru: return 3;
    default: return 1;
  }
}

struct RnnDims {
  Mode mode = Mode::kLstm;
  int64_t T = 0, N = 0, I = 0;  // sequence length, batch, input size
  int64_t H = 0, L = 0, D = 1;  // state size, layers, directions
  int64_t G = 1;                // gates per cell
  bool dropout = false;         // p > 0 and more than one layer: reserve has masks
  bool seq = false;             // use_sequence_length: per-row lengths, gathered prev states

  RnnDims(const RNNParam& p, int64_t t, int64_t n, int64_t i)
      : mode(p.mode), T(t), N(n), I(i), H(p.state_size), L(p.num_layers),
        D(p.bidirectional ? 2 : 1), G(NumGates(p.mode)), dropout(p.p > 0 && p.num_layers > 1),
        seq(p.use_sequence_length) {}

  int64_t GH() const { return G * H; }
  int64_t LayerIn(int64_t l) const { return l == 0 ? I : D * H; }
  bool Lstm() const { return mode == Mode::kLstm; }
  bool Gru() const { return mode == Mode::kGru; }

  // ---- parameters: every (W_i2h, W_h2h) pair layer-major, direction-minor, then every
  // (b_i2h, b_h2h) pair in the same order.
  int64_t WeightsBefore(int64_t l) const {  // weights of the layers before l
    if (l == 0) return 0;
    return D * GH() * (I + H) + (l - 1) * D * GH() * (D * H + H);
  }
  int64_t WI2H(int64_t l, int64_t d) const {
    return WeightsBefore(l) + d * GH() * (LayerIn(l) + H);
  }
  int64_t WH2H(int64_t l, int64_t d) const { return WI2H(l, d) + GH() * LayerIn(l); }
  int64_t TotalWeights() const { return WeightsBefore(L); }
  int64_t BI2H(int64_t l, int64_t d) const { return TotalWeights() + (l * D + d) * 2 * GH(); }
  int64_t BH2H(int64_t l, int64_t d) const { return BI2H(l, d) + GH(); }
  int64_t NumParams() const { return TotalWeights() + L * D * 2 * GH(); }

  // ---- reserve (one flat vector of the data's dtype), per layer l:
  //   for each direction d:  gates (T, N, G*H): activated gates (lstm i,f,g,o; gru r,z,n;
  //                          vanilla: h itself)
  //                          cells (T, N, H), lstm only: the (clipped) cell state c_t
  //                          hn    (T, N, H), gru only: W_hn h_{t-1} + b_hn
  //                          hprev (T, N, H), with sequence lengths only: the hidden state
  //                                each step started from (rows past their length restart
  //                                from the initial state in the reverse direction)
  //                          cprev (T, N, H), likewise for lstm's cell state
  //   y    (T, N, D*H): the layer's output (before dropout)
  //   when dropout and l < L-1: mask (T, N, D*H) and the dropped output fed to layer l+1.
  // Everything is indexed by time step t, whatever the direction.
  int64_t StepsNH() const { return T * N * H; }
  int64_t GatesSize() const { return T * N * GH(); }
  int64_t DirSize() const {
    return GatesSize() + (Lstm() ? StepsNH() : 0) + (Gru() ? StepsNH() : 0) +
           (seq ? StepsNH() * (Lstm() ? 2 : 1) : 0);
  }
  int64_t YSize() const { return T * N * D * H; }
  int64_t LayerSize(int64_t l) const {
    return D * DirSize() + YSize() + (dropout && l < L - 1 ? 2 * YSize() : 0);
  }
  int64_t LayerBase(int64_t l) const {
    int64_t off = 0;
    for (int64_t k = 0; k < l; ++k) off += LayerSize(k);
    return off;
  }
  int64_t Gates(int64_t l, int64_t d) const { return LayerBase(l) + d * DirSize(); }
  int64_t Cells(int64_t l, int64_t d) const { return Gates(l, d) + GatesSize(); }  // lstm
  int64_t Hn(int64_t l, int64_t d) const { return Gates(l, d) + GatesSize(); }     // gru
  int64_t HPrev(int64_t l, int64_t d) const {  // seq
    return Gates(l, d) + GatesSize() + (Lstm() || Gru() ? StepsNH() : 0);
  }
  int64_t CPrev(int64_t l, int64_t d) const { return HPrev(l, d) + StepsNH(); }  // seq, lstm
  int64_t Y(int64_t l) const { return LayerBase(l) + D * DirSize(); }
  int64_t Mask(int64_t l) const { return Y(l) + YSize(); }
  int64_t Dropped(int64_t l) const { return Mask(l) + YSize(); }
  int64_t ReserveSize() const { return LayerBase(L); }
};

}  // namespace mixnet::op::rnn
