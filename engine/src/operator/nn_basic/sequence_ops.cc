// SequenceMask and SequenceLast. data is (max_len, batch, rest...) for axis=0 or
// (batch, max_len, rest...) for axis=1; sequence_length (when use_sequence_length) holds one
// length per batch entry, in any numeric dtype, truncated to an integer as MXNet does.
#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include "ops/nn_basic.h"
#include "operator/indexing/index_util.h"
#include "operator/nn_basic/nn_basic_util.h"
#include "operator/op.h"
#include "operator/parallel.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

// data viewed as (seq, batch, rest) with the element offset of step t of batch entry b.
struct SeqLayout {
  int64_t seq = 0, batch = 0, rest = 0;
  int axis = 0;
  int64_t Offset(int64_t t, int64_t b) const {
    return (axis == 0 ? t * batch + b : b * seq + t) * rest;
  }
};

SeqLayout LayoutOf(const Shape& s, int axis) {
  SeqLayout l;
  l.axis = axis;
  l.seq = s[axis];
  l.batch = s[1 - axis];
  l.rest = s.ProdRange(2, s.ndim());
  return l;
}

// Shared shape checks; returns the layout.
SeqLayout CheckSequenceInputs(const char* op, bool use_length, int axis, const InferIO& io) {
  const Shape& d = io.in_shapes.at(0);
  MX_CHECK(d.ndim() >= 2, ValueError)
      << op << ": data must have at least 2 axes (sequence and batch), got shape " << d;
  nn_basic::CheckFloating(op, "data", io.in_types[0]);
  const SeqLayout l = LayoutOf(d, axis);
  if (use_length) {
    const Shape& len = io.in_shapes.at(1);
    MX_CHECK(len == Shape{l.batch}, ValueError)
        << op << ": sequence_length must have shape (" << l.batch << ",) (the batch size of data "
        << d << " with axis=" << axis << "), got " << len;
    MX_CHECK(io.in_types[1] != DType::kBool, TypeError)
        << op << ": sequence_length must be numeric, got dtype bool";
  }
  return l;
}

// Sequence lengths as integers (max_len for every entry when none are given).
std::vector<int64_t> Lengths(bool use_length, std::span<const TBlob> in, const SeqLayout& l) {
  std::vector<int64_t> out(static_cast<size_t>(l.batch), l.seq);
  if (!use_length) return out;
  MX_TYPE_SWITCH(in[1].dtype, I, {
    const I* p = in[1].ptr<I>();
    for (int64_t b = 0; b < l.batch; ++b) out[b] = TruncateIndex(IndexAsDouble(p[b]));
  });
  return out;
}

inline int64_t StepGrain(const SeqLayout& l) {
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, l.rest));
}

// ---- SequenceMask ---------------------------------------------------------------------------

void InferSequenceMask(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<SequenceMaskParam>(base);
  CheckSequenceInputs("SequenceMask", p.use_sequence_length, p.axis, io);
  io.out_shapes = {io.in_shapes[0]};
  io.out_types = {io.in_types[0]};
}

// Each (t, b) run of `rest` elements is copied from src (or set to fill when t >= length[b]).
template <typename T>
void MaskRuns(OpReq req, const SeqLayout& l, const std::vector<int64_t>& len, const T* src,
              T fill, T* dst, int nthreads) {
  ParallelFor(
      l.seq * l.batch, nthreads,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t t = r / l.batch, b = r % l.batch;
          const int64_t at = l.Offset(t, b);
          if (t < len[b]) {
            AssignRun(req, dst + at, src + at, l.rest);
          } else {
            for (int64_t j = 0; j < l.rest; ++j) StoreReq(req, dst + at + j, fill);
          }
        }
      },
      StepGrain(l));
}

void ForwardSequenceMask(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                         std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<SequenceMaskParam>(base);
  const SeqLayout l = LayoutOf(in[0].shape, p.axis);
  const std::vector<int64_t> len = Lengths(p.use_sequence_length, in, l);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "SequenceMask", {
    MaskRuns<T>(req, l, len, in[0].ptr<T>(), static_cast<T>(p.value), out[0].ptr<T>(),
                ctx.nthreads);
  });
}

void ZeroLengthGrad(const OpContext& ctx, std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 1);
  if (in_grads.size() > 1 && (req == OpReq::kWriteTo || req == OpReq::kWriteInplace)) {
    std::memset(in_grads[1].dptr, 0, in_grads[1].nbytes());
  }
}

void BackwardSequenceMask(const ParamBase& base, const OpContext& ctx,
                          std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                          std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<SequenceMaskParam>(base);
  ZeroLengthGrad(ctx, in_grads);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const SeqLayout l = LayoutOf(inputs[0].shape, p.axis);
  const std::vector<int64_t> len = Lengths(p.use_sequence_length, inputs, l);
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "SequenceMask", {
    MaskRuns<T>(req, l, len, out_grads[0].ptr<T>(), T(0.0f), in_grads[0].ptr<T>(),
                ctx.nthreads);
  });
}

// ---- SequenceLast ---------------------------------------------------------------------------

void InferSequenceLast(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<SequenceLastParam>(base);
  const SeqLayout l = CheckSequenceInputs("SequenceLast", p.use_sequence_length, p.axis, io);
  const Shape& d = io.in_shapes[0];
  Shape out{l.batch};
  for (int i = 2; i < d.ndim(); ++i) out.PushBack(d[i]);
  io.out_shapes = {out};
  io.out_types = {io.in_types[0]};
}

// The step each batch entry takes (length - 1); lengths outside [1, max_len] are an error
// (MXNet would read out of bounds).
std::vector<int64_t> LastSteps(const SequenceLastParam& p, std::span<const TBlob> in,
                               const SeqLayout& l) {
  std::vector<int64_t> steps = Lengths(p.use_sequence_length, in, l);
  for (int64_t b = 0; b < l.batch; ++b) {
    MX_CHECK(steps[b] >= 1 && steps[b] <= l.seq, ValueError)
        << "SequenceLast: sequence_length[" << b << "] is " << steps[b]
        << ", outside [1, " << l.seq << "] (the sequence axis of data " << in[0].shape << ")";
    steps[b] -= 1;
  }
  return steps;
}

void ForwardSequenceLast(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                         std::span<const TBlob> out) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<SequenceLastParam>(base);
  const SeqLayout l = LayoutOf(in[0].shape, p.axis);
  const std::vector<int64_t> step = LastSteps(p, in, l);
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, T, "SequenceLast", {
    const T* x = in[0].ptr<T>();
    T* y = out[0].ptr<T>();
    for (int64_t b = 0; b < l.batch; ++b)
      AssignRun(req, y + b * l.rest, x + l.Offset(step[b], b), l.rest);
  });
}

void BackwardSequenceLast(const ParamBase& base, const OpContext& ctx,
                          std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                          std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<SequenceLastParam>(base);
  ZeroLengthGrad(ctx, in_grads);
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull || inputs[0].Size() == 0) return;
  const SeqLayout l = LayoutOf(inputs[0].shape, p.axis);
  const std::vector<int64_t> step = LastSteps(p, inputs, l);
  if (req != OpReq::kAddTo) std::memset(in_grads[0].dptr, 0, in_grads[0].nbytes());
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, T, "SequenceLast", {
    const T* g = out_grads[0].ptr<T>();
    T* dx = in_grads[0].ptr<T>();
    for (int64_t b = 0; b < l.batch; ++b)
      AssignRun(OpReq::kAddTo, dx + l.Offset(step[b], b), g + b * l.rest, l.rest);
  });
}

}  // namespace

MX_REGISTER_KERNEL(SequenceMask, (OpKernel{.infer = InferSequenceMask,
                                           .forward = ForwardSequenceMask,
                                           .backward = BackwardSequenceMask}));
MX_REGISTER_KERNEL(SequenceLast, (OpKernel{.infer = InferSequenceLast,
                                           .forward = ForwardSequenceLast,
                                           .backward = BackwardSequenceLast}));

}  // namespace mixnet::op
