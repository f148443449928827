// multi_sgd_update: sgd_update on num_weights weights in one call (inputs weight0, grad0,
// weight1, grad1, ...; output i is the new weight i), each with its own lr and wd. Callers
// usually pass out=the weights: every element is read before it is written, so that works.
//
// There is deliberately no multi_sgd_mom_update: its momentum states would sit inside the
// variadic input group, which the registry cannot mark mutable, so the engine would order the
// in-place momentum write as a read (no wait for earlier readers of mom, and later readers would
// not wait for it). See the report / engine/ops/README.md on variadic inputs.
#include <span>
#include <sstream>

#include "ops/optimizer.h"
#include "operator/op.h"
#include "operator/optimizer/update_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

using optimizer::Compute;
using optimizer::ForEachElement;
using optimizer::MaybeClip;

constexpr const char* kOp = "multi_sgd_update";

std::string TupleString(const std::vector<double>& v) {
  std::ostringstream os;
  os << '(';
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << (v.size() == 1 ? ",)" : ")");
  return os.str();
}

// One lr and one wd per weight; every weight/grad pair agrees in shape, and (as in MXNet) every
// input has weight 0's floating dtype. Output i: weight i's shape.
void InferMultiSgd(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<MultiSgdUpdateParam>(base);
  const size_t n = static_cast<size_t>(p.num_weights);
  MX_CHECK(io.in_shapes.size() == 2 * n, ValueError)
      << kOp << ": expected 2 * num_weights = " << 2 * n << " inputs (weight, grad pairs), got "
      << io.in_shapes.size();
  MX_CHECK(p.lrs.size() == n, ValueError)
      << kOp << ": lrs " << TupleString(p.lrs) << " has " << p.lrs.size()
      << " values but num_weights is " << n;
  MX_CHECK(p.wds.size() == n, ValueError)
      << kOp << ": wds " << TupleString(p.wds) << " has " << p.wds.size()
      << " values but num_weights is " << n;
  const DType t = io.in_types.at(0);
  MX_CHECK(IsFloatingDType(t), TypeError)
      << kOp << ": weight 0 has dtype " << DTypeName(t) << " (floating dtypes only)";
  io.out_shapes.clear();
  io.out_types.clear();
  for (size_t i = 0; i < n; ++i) {
    const Shape& w = io.in_shapes[2 * i];
    const Shape& g = io.in_shapes[2 * i + 1];
    MX_CHECK(w == g, ValueError) << kOp << ": grad " << i << " has shape " << g << " but weight "
                                 << i << " has shape " << w;
    for (size_t k = 2 * i; k < 2 * i + 2; ++k) {
      MX_CHECK(io.in_types[k] == t, TypeError)
          << kOp << ": " << (k % 2 ? "grad " : "weight ") << i << " has dtype "
          << DTypeName(io.in_types[k]) << " but weight 0 has " << DTypeName(t);
    }
    io.out_shapes.push_back(w);
    io.out_types.push_back(t);
  }
}

// weight_i = (1 - lrs[i] * wds[i]) * weight_i - lrs[i] * clip(rescale_grad * grad_i)
void ForwardMultiSgd(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                     std::span<const TBlob> out) {
  const auto& p = ParamAs<MultiSgdUpdateParam>(base);
  for (size_t k = 0; k < out.size(); ++k) {
    const OpReq req = ReqAt(ctx, k);
    if (req == OpReq::kNull) continue;
    const TBlob& wb = in[2 * k];
    MX_FLOAT_TYPE_SWITCH(wb.dtype, T, kOp, {
      using C = Compute<T>;
      const T* w = wb.ptr<T>();
      const T* g = in[2 * k + 1].ptr<T>();
      T* y = out[k].ptr<T>();
      // MXNet holds lrs and wds as float: round them as sgd_update's float lr and wd are.
      const C lr = static_cast<float>(p.lrs[k]), wd = static_cast<float>(p.wds[k]);
      const C rescale = p.rescale_grad;
      ForEachElement(ctx, wb.Size(), [&](int64_t i) {
        const C grad = MaybeClip(rescale * static_cast<C>(g[i]), p.clip_gradient);
        StoreReq(req, y + i, static_cast<T>((C(1) - lr * wd) * static_cast<C>(w[i]) - lr * grad));
      });
    });
  }
}

}  // namespace

MX_REGISTER_KERNEL(multi_sgd_update,
                   (OpKernel{.infer = InferMultiSgd, .forward = ForwardMultiSgd}));

}  // namespace mixnet::op
