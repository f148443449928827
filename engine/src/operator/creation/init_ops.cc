// Constant fills: _zeros, _ones, _full (shape/ctx/dtype from parameters) and zeros_like,
// ones_like (shape and dtype of the input, whose values are not read).
#include <span>

#include "operator/creation/init_util.h"
#include "operator/op.h"
#include "ops/creation.h"

namespace mixnet::op::creation {
namespace {

// _zeros / _ones / _full: the output is (shape, dtype) from the parameters.
template <typename P>
void InferInit(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<P>(base);
  MX_CHECK(io.in_shapes.empty(), Internal) << P::kOpName << ": takes no inputs";
  ParseCtxParam(P::kOpName, p.ctx);
  CheckShapeParam(P::kOpName, "shape", p.shape);
  io.out_shapes.assign(1, p.shape);
  io.out_types.assign(1, p.dtype);
}

template <typename P>
double FillValue(const P& p) {
  if constexpr (std::is_same_v<P, ZerosParam>) {
    return 0.0;
  } else if constexpr (std::is_same_v<P, OnesParam>) {
    return 1.0;
  } else {
    return p.value;
  }
}

template <typename P>
void InitForward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob>,
                 std::span<const TBlob> out) {
  const auto& p = ParamAs<P>(base);
  const TBlob& y = out[0];
  MX_TYPE_SWITCH(y.dtype, T, {
    Fill<T>(ctx, elemwise::OutputReq(ctx), y.ptr<T>(), y.Size(), ValueAs<T>(FillValue(p)));
  });
}

template <typename P>
constexpr OpKernel InitKernel() {
  return OpKernel{.infer = InferInit<P>, .forward = InitForward<P>, .cheap = true};
}

// zeros_like / ones_like: shape and dtype of the input (any dtype, bool included).
void InferLike(const ParamBase&, InferIO& io) {
  MX_CHECK(io.in_shapes.size() == 1 && io.in_types.size() == 1, Internal)
      << "zeros_like/ones_like: expects 1 input";
  io.out_shapes.assign(1, io.in_shapes[0]);
  io.out_types.assign(1, io.in_types[0]);
}

template <int kValue>
void LikeForward(const ParamBase&, const OpContext& ctx, std::span<const TBlob>,
                 std::span<const TBlob> out) {
  const TBlob& y = out[0];
  MX_TYPE_SWITCH(y.dtype, T, {
    Fill<T>(ctx, elemwise::OutputReq(ctx), y.ptr<T>(), y.Size(), ValueAs<T>(kValue));
  });
}

}  // namespace

MX_REGISTER_KERNEL(_zeros, InitKernel<ZerosParam>());
MX_REGISTER_KERNEL(_ones, InitKernel<OnesParam>());
MX_REGISTER_KERNEL(_full, InitKernel<FullParam>());
MX_REGISTER_KERNEL(zeros_like,
                   (OpKernel{.infer = InferLike, .forward = LikeForward<0>, .cheap = true}));
MX_REGISTER_KERNEL(ones_like,
                   (OpKernel{.infer = InferLike, .forward = LikeForward<1>, .cheap = true}));

}  // namespace mixnet::op::creation
