// _arange (evenly spaced values) and _eye (ones on a diagonal).
#include <algorithm>
#include <cmath>
#include <span>

#include "operator/creation/init_util.h"
#include "operator/op.h"
#include "ops/creation.h"

namespace mixnet::op::creation {
namespace {

using elemwise::OutputReq;
using elemwise::SaturateCast;
using elemwise::StoreReq;

// ---- _arange -----------------------------------------------------------------------------------

struct Range {
  double start;
  double stop;
  int64_t size;
};

// Resolves start/stop as MXNet's parser does (stop omitted: [0, start)) and checks the range.
Range ResolveRange(const ArangeParam& p) {
  const char* op = ArangeParam::kOpName;
  if (!p.stop.has_value() && p.infer_range) {
    MX_THROW(ValueError) << op << ": infer_range=True needs the output size from a graph; an "
                         << "imperative call must give stop";
  }
  Range r{p.stop ? p.start : 0.0, p.stop ? *p.stop : p.start, 0};
  if (p.step == 0) MX_THROW(ValueError) << op << ": step must not be 0";
  MX_CHECK(p.repeat > 0, ValueError) << op << ": repeat must be > 0, got " << p.repeat;
  // MXNet 1.x rejects empty ranges instead of returning an empty array.
  const bool ok = p.step > 0 ? r.start < r.stop : r.start > r.stop;
  if (!ok) {
    MX_THROW(ValueError) << op << ": invalid range (start, stop, step) = (" << r.start << ", "
                         << r.stop << ", " << p.step << ")";
  }
  const double size = std::ceil((r.stop - r.start) / p.step) * p.repeat;
  if (!(size < 9.0e15)) {
    MX_THROW(ValueError) << op << ": range (" << r.start << ", " << r.stop << ", " << p.step
                         << ") with repeat " << p.repeat << " is too large";
  }
  r.size = static_cast<int64_t>(size);
  return r;
}

void InferArange(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<ArangeParam>(base);
  MX_CHECK(io.in_shapes.empty(), Internal) << "_arange: takes no inputs";
  ParseCtxParam(ArangeParam::kOpName, p.ctx);
  if (p.dtype == DType::kBool) MX_THROW(TypeError) << "_arange: dtype bool is not supported";
  io.out_shapes.assign(1, Shape{ResolveRange(p).size});
  io.out_types.assign(1, p.dtype);
}

// out[i] = start + (i / repeat) * step, evaluated in the output dtype as MXNet does: start and
// step are converted to it first (so an int32 arange truncates a fractional step).
template <typename T, OpReq R>
void ArangeFill(const OpContext& ctx, T* out, int64_t n, double start, double step, int repeat) {
  ParallelFor(n, ctx.nthreads, [&](int64_t b, int64_t e) {
    if constexpr (elemwise::kIsInt<T>) {
      const int64_t s = SaturateCast<int64_t>(start);
      const int64_t st = SaturateCast<int64_t>(step);
      for (int64_t i = b; i < e; ++i) {
        const uint64_t v = static_cast<uint64_t>(s) + static_cast<uint64_t>(i / repeat) *
                                                          static_cast<uint64_t>(st);
        StoreReq<R>(out[i], static_cast<T>(v));  // wraps modulo the type, like the int arithmetic
      }
    } else {
      using C = elemwise::ComputeOf<T>;
      const C s = static_cast<C>(ValueAs<T>(start));
      const C st = static_cast<C>(ValueAs<T>(step));
      for (int64_t i = b; i < e; ++i) {
        StoreReq<R>(out[i], T(s + static_cast<C>(i / repeat) * st));
      }
    }
  });
}

void ArangeForward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob>,
                   std::span<const TBlob> out) {
  const auto& p = ParamAs<ArangeParam>(base);
  const Range r = ResolveRange(p);
  const TBlob& y = out[0];
  MX_TYPE_SWITCH(y.dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      MX_THROW(TypeError) << "_arange: dtype bool is not supported";
    } else {
      MX_REQ_SWITCH(OutputReq(ctx), R, {
        ArangeFill<T, R>(ctx, y.ptr<T>(), y.Size(), r.start, p.step, p.repeat);
      });
    }
  });
}

// ---- _eye --------------------------------------------------------------------------------------

void InferEye(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<EyeParam>(base);
  MX_CHECK(io.in_shapes.empty(), Internal) << "_eye: takes no inputs";
  ParseCtxParam(EyeParam::kOpName, p.ctx);
  MX_CHECK(p.N >= 0, ValueError) << "_eye: N must be >= 0, got " << p.N;
  MX_CHECK(p.M >= 0, ValueError) << "_eye: M must be >= 0, got " << p.M;
  io.out_shapes.assign(1, Shape{p.N, p.M > 0 ? p.M : p.N});
  io.out_types.assign(1, p.dtype);
}

void EyeForward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob>,
                std::span<const TBlob> out) {
  const auto& p = ParamAs<EyeParam>(base);
  const TBlob& y = out[0];
  const int64_t rows = y.shape[0];
  const int64_t cols = y.shape[1];
  const OpReq req = OutputReq(ctx);
  MX_TYPE_SWITCH(y.dtype, T, {
    T* o = y.ptr<T>();
    // Adding zeros changes nothing, so kAddTo only touches the diagonal.
    if (req != OpReq::kAddTo) Fill<T>(ctx, req, o, y.Size(), ValueAs<T>(0));
    // Rows whose column i + k lies in [0, cols).
    const int64_t first = std::max<int64_t>(0, -p.k);
    const int64_t last = std::min<int64_t>(rows, cols - p.k);
    MX_REQ_SWITCH(req, R, {
      for (int64_t i = first; i < last; ++i) StoreReq<R>(o[i * cols + i + p.k], ValueAs<T>(1));
    });
  });
}

}  // namespace

MX_REGISTER_KERNEL(_arange,
                   (OpKernel{.infer = InferArange, .forward = ArangeForward, .cheap = true}));
MX_REGISTER_KERNEL(_eye, (OpKernel{.infer = InferEye, .forward = EyeForward, .cheap = true}));

}  // namespace mixnet::op::creation
