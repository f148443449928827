// The fused RNN op (Apache MXNet 1.x semantics): shape/dtype inference with the checks on the
// parameter vector and the states, and the kernel registration.
#include <sstream>

#include "operator/rnn/rnn_kernels.h"

namespace mixnet::op::rnn {
namespace {

std::string ShapeStr(const Shape& s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

void CheckInput(const InferIO& io, size_t i, const char* name, const Shape& expected) {
  MX_CHECK(io.in_shapes[i] == expected, ValueError)
      << "RNN: " << name << " must have shape " << ShapeStr(expected) << ", got "
      << ShapeStr(io.in_shapes[i]);
  MX_CHECK(io.in_types[i] == io.in_types[0], TypeError)
      << "RNN: " << name << " has dtype " << DTypeName(io.in_types[i]) << " but data has "
      << DTypeName(io.in_types[0]) << " (all inputs must share one dtype)";
}

void Infer(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<RNNParam>(base);
  MX_CHECK(!p.projection_size.has_value(), ValueError)
      << "RNN: projection_size=" << *p.projection_size
      << " is not supported (LSTM projection is not implemented); leave it None";
  MX_CHECK(p.lstm_state_clip_min.has_value() == p.lstm_state_clip_max.has_value(), ValueError)
      << "RNN: lstm_state_clip_min and lstm_state_clip_max must be given together";
  if (p.lstm_state_clip_min) {
    MX_CHECK(*p.lstm_state_clip_min <= *p.lstm_state_clip_max, ValueError)
        << "RNN: lstm_state_clip_min (" << *p.lstm_state_clip_min
        << ") must not exceed lstm_state_clip_max (" << *p.lstm_state_clip_max << ")";
  }
  const Shape& ds = io.in_shapes.at(0);
  MX_CHECK(ds.ndim() == 3, ValueError)
      << "RNN: data must have 3 dimensions (sequence length, batch, input size; layout TNC), got "
      << ShapeStr(ds);
  const DType dt = io.in_types[0];
  MX_CHECK(dt == DType::kFloat32 || dt == DType::kFloat64, TypeError)
      << "RNN: dtype " << DTypeName(dt) << " is not supported (float32 and float64 only)";
  const RnnDims dims(p, ds[0], ds[1], ds[2]);
  MX_CHECK(io.in_shapes[1].ndim() == 1 && io.in_shapes[1][0] == dims.NumParams(), ValueError)
      << "RNN: parameters must be a 1-D vector of " << dims.NumParams() << " values for mode="
      << RNNParam::ToString(p.mode) << ", num_layers=" << dims.L << ", state_size=" << dims.H
      << ", input size " << dims.I << (dims.D == 2 ? ", bidirectional" : "") << "; got shape "
      << ShapeStr(io.in_shapes[1]);
  CheckInput(io, 1, "parameters", Shape({dims.NumParams()}));
  const Shape state({dims.L * dims.D, dims.N, dims.H});
  CheckInput(io, 2, "state", state);
  if (dims.Lstm()) CheckInput(io, 3, "state_cell", state);
  if (p.use_sequence_length) {
    const size_t k = dims.Lstm() ? 4 : 3;
    MX_CHECK(io.in_shapes[k] == Shape({dims.N}), ValueError)
        << "RNN: sequence_length must have shape " << ShapeStr(Shape({dims.N}))
        << " (one length per batch row), got " << ShapeStr(io.in_shapes[k]);
    MX_CHECK(io.in_types[k] != DType::kBool, TypeError)
        << "RNN: sequence_length must be numeric, got bool";
  }

  io.out_shapes.clear();
  io.out_types.clear();
  io.out_shapes.push_back(Shape({dims.T, dims.N, dims.D * dims.H}));
  if (p.state_outputs) {
    io.out_shapes.push_back(state);
    if (dims.Lstm()) io.out_shapes.push_back(state);
  }
  io.num_visible_outputs = static_cast<int>(io.out_shapes.size());
  io.out_shapes.push_back(Shape({dims.ReserveSize()}));
  io.out_types.assign(io.out_shapes.size(), dt);
}

}  // namespace
}  // namespace mixnet::op::rnn

namespace mixnet::op {
MX_REGISTER_KERNEL(RNN, OpKernel{.infer = rnn::Infer, .forward = rnn::Forward,
                                 .backward = rnn::Backward});
}  // namespace mixnet::op
