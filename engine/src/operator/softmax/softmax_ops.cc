// softmax, log_softmax and softmin: inference (axis, output dtype, the optional length input),
// forward and backward over every pair of floating input/output dtypes.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "ops/softmax.h"
#include "operator/op.h"
#include "operator/shape/req_assign.h"
#include "operator/softmax/softmax_kernel.h"

namespace mixnet::op {
namespace {

using softmax::Geometry;
using softmax::Kind;

// The three ops share their parameters; each has its own generated struct.
struct Common {
  int axis;
  double temperature;
  std::optional<DType> dtype;
  bool use_length;
};

template <typename P>
Common CommonOf(const ParamBase& base) {
  const auto& p = ParamAs<P>(base);
  Common c{p.axis, p.temperature.value_or(1.0), std::nullopt, p.use_length};
  if (p.dtype.has_value()) {
    switch (*p.dtype) {
      case P::Dtype::kFloat16: c.dtype = DType::kFloat16; break;
      case P::Dtype::kFloat32: c.dtype = DType::kFloat32; break;
      case P::Dtype::kFloat64: c.dtype = DType::kFloat64; break;
    }
  }
  return c;
}

int NormalizeAxis(const char* op, int axis, const Shape& s) {
  MX_CHECK(axis >= -s.ndim() && axis < s.ndim(), ValueError)
      << op << ": axis " << axis << " is out of range for data of shape " << s;
  return axis < 0 ? axis + s.ndim() : axis;
}

Geometry GeometryOf(const Shape& s, int axis) {
  return Geometry{s.ProdRange(0, axis), s[axis], s.ProdRange(axis + 1, s.ndim())};
}

bool IsIntegerDType(DType t) {
  return t == DType::kInt32 || t == DType::kInt64 || t == DType::kInt8 || t == DType::kUint8;
}

template <typename P>
void InferSoftmax(const ParamBase& base, InferIO& io) {
  const char* op = P::kOpName;
  const Common c = CommonOf<P>(base);
  const Shape& d = io.in_shapes.at(0);
  MX_CHECK(IsFloatingDType(io.in_types.at(0)), TypeError)
      << op << ": data has dtype " << DTypeName(io.in_types.at(0))
      << ", which is not supported (floating dtypes only)";
  const int axis = NormalizeAxis(op, c.axis, d);
  MX_CHECK(c.temperature != 0, ValueError) << op << ": temperature must be non-zero";
  if (c.use_length) {
    Shape want;
    for (int i = 0; i < d.ndim(); ++i) {
      if (i != axis) want.PushBack(d[i]);
    }
    MX_CHECK(io.in_shapes.at(1) == want, ValueError)
        << op << ": length must have the data shape without axis " << axis << ", " << want
        << ", got " << io.in_shapes.at(1) << " for data " << d;
    MX_CHECK(IsIntegerDType(io.in_types.at(1)), TypeError)
        << op << ": length must have an integer dtype, got " << DTypeName(io.in_types.at(1));
  }
  io.out_shapes = {d};
  io.out_types = {c.dtype.value_or(io.in_types[0])};
}

// The lengths as int64 clamped to [0, M] (out-of-range lengths never index outside a slice).
std::vector<int64_t> LengthsOf(const TBlob& b, int64_t m) {
  std::vector<int64_t> out(static_cast<size_t>(b.Size()));
  MX_TYPE_SWITCH(b.dtype, T, {
    const T* p = static_cast<const T*>(b.dptr);
    for (size_t i = 0; i < out.size(); ++i) {
      if constexpr (std::is_integral_v<T>) {
        out[i] = std::clamp<int64_t>(static_cast<int64_t>(p[i]), 0, m);
      } else {
        out[i] = m;  // unreachable: inference admits integer lengths only
      }
    }
  });
  return out;
}

template <typename P, Kind K>
void ForwardSoftmax(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                    std::span<const TBlob> out) {
  const Common c = CommonOf<P>(base);
  const int axis = NormalizeAxis(P::kOpName, c.axis, in[0].shape);
  const Geometry g = GeometryOf(in[0].shape, axis);
  std::vector<int64_t> lengths;
  if (c.use_length) lengths = LengthsOf(in[1], g.m);
  const int64_t* lp = c.use_length ? lengths.data() : nullptr;
  MX_FLOAT_TYPE_SWITCH(in[0].dtype, IT, P::kOpName, {
    MX_FLOAT_TYPE_SWITCH(out[0].dtype, OT, P::kOpName, {
      softmax::Forward<IT, OT>(K, ReqAt(ctx, 0), in[0].ptr<IT>(), out[0].ptr<OT>(), lp, g,
                               c.temperature, ctx.nthreads);
    });
  });
}

template <typename P, Kind K>
void BackwardSoftmax(const ParamBase& base, const OpContext& ctx,
                     std::span<const TBlob> out_grads, std::span<const TBlob> inputs,
                     std::span<const TBlob> outputs, std::span<const TBlob> in_grads) {
  const Common c = CommonOf<P>(base);
  const int axis = NormalizeAxis(P::kOpName, c.axis, inputs[0].shape);
  const Geometry g = GeometryOf(inputs[0].shape, axis);
  std::vector<int64_t> lengths;
  if (c.use_length) {
    lengths = LengthsOf(inputs[1], g.m);
    // The lengths are indices: their gradient is zero.
    const OpReq lreq = ReqAt(ctx, 1);
    if (lreq == OpReq::kWriteTo || lreq == OpReq::kWriteInplace) {
      std::fill_n(static_cast<unsigned char*>(in_grads[1].dptr), in_grads[1].nbytes(), 0);
    }
  }
  const int64_t* lp = c.use_length ? lengths.data() : nullptr;
  MX_FLOAT_TYPE_SWITCH(inputs[0].dtype, IT, P::kOpName, {
    MX_FLOAT_TYPE_SWITCH(outputs[0].dtype, OT, P::kOpName, {
      softmax::Backward<IT, OT>(K, ReqAt(ctx, 0), outputs[0].ptr<OT>(), out_grads[0].ptr<OT>(),
                                ReqAt(ctx, 0) == OpReq::kNull ? nullptr : in_grads[0].ptr<IT>(),
                                lp, g, c.temperature, ctx.nthreads);
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(softmax, (OpKernel{.infer = InferSoftmax<SoftmaxParam>,
                                      .forward = ForwardSoftmax<SoftmaxParam, Kind::kSoftmax>,
                                      .backward = BackwardSoftmax<SoftmaxParam, Kind::kSoftmax>}));
MX_REGISTER_KERNEL(log_softmax,
                   (OpKernel{.infer = InferSoftmax<LogSoftmaxParam>,
                             .forward = ForwardSoftmax<LogSoftmaxParam, Kind::kLogSoftmax>,
                             .backward = BackwardSoftmax<LogSoftmaxParam, Kind::kLogSoftmax>}));
MX_REGISTER_KERNEL(softmin, (OpKernel{.infer = InferSoftmax<SoftminParam>,
                                      .forward = ForwardSoftmax<SoftminParam, Kind::kSoftmin>,
                                      .backward = BackwardSoftmax<SoftminParam, Kind::kSoftmin>}));

}  // namespace mixnet::op
