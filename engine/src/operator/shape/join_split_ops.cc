// Concat (concat), stack and SliceChannel (split). All three are copies of contiguous runs: with
// `outer` = the product of the dims before the axis, input i contributes a run of
// (its extent along the axis) x (the product of the dims after it) per outer index.
#include <span>
#include <vector>

#include "ops/shape.h"
#include "operator/op.h"
#include "operator/shape/copy_kernel.h"
#include "operator/shape/grad_util.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op {
namespace {

void CheckSameDTypes(const char* op, const InferIO& io) {
  for (size_t i = 1; i < io.in_types.size(); ++i) {
    MX_CHECK(io.in_types[i] == io.in_types[0], TypeError)
        << op << ": input " << i << " has dtype " << DTypeName(io.in_types[i])
        << " but input 0 has " << DTypeName(io.in_types[0]);
  }
}

void CheckCount(const char* op, const InferIO& io, int expected) {
  MX_CHECK(static_cast<int>(io.in_shapes.size()) == expected, ValueError)
      << op << ": num_args=" << expected << " but " << io.in_shapes.size() << " inputs were given";
}

void InferConcat(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<ConcatParam>(base);
  CheckCount("Concat", io, p.num_args);
  CheckSameDTypes("Concat", io);
  const Shape& first = io.in_shapes.at(0);
  MX_CHECK(first.ndim() > 0, ValueError) << "Concat: 0-d arrays cannot be concatenated";
  const int axis = NormalizeAxis(p.dim, first.ndim(), "Concat");
  Shape out = first;
  for (size_t i = 1; i < io.in_shapes.size(); ++i) {
    const Shape& s = io.in_shapes[i];
    bool ok = s.ndim() == first.ndim();
    for (int d = 0; ok && d < s.ndim(); ++d) ok = d == axis || s[d] == first[d];
    MX_CHECK(ok, ValueError) << "Concat: input " << i << " has shape " << s << " but input 0 has "
                             << first << "; all dimensions except dim=" << p.dim << " must match";
    out[axis] += s[axis];
  }
  io.out_shapes = {out};
  io.out_types = {io.in_types[0]};
}

void InferStack(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<StackParam>(base);
  CheckCount("stack", io, p.num_args);
  CheckSameDTypes("stack", io);
  const Shape& first = io.in_shapes.at(0);
  for (size_t i = 1; i < io.in_shapes.size(); ++i) {
    MX_CHECK(io.in_shapes[i] == first, ValueError)
        << "stack: input " << i << " has shape " << io.in_shapes[i] << " but input 0 has " << first
        << "; all inputs must have the same shape";
  }
  const int axis = NormalizeAxis(p.axis, first.ndim() + 1, "stack");
  Shape out;
  for (int d = 0; d < first.ndim(); ++d) {
    if (d == axis) out.PushBack(p.num_args);
    out.PushBack(first[d]);
  }
  if (axis == first.ndim()) out.PushBack(p.num_args);
  io.out_shapes = {out};
  io.out_types = {io.in_types[0]};
}

// Copies every input's run into its place in each outer block of the output.
void JoinForward(const OpContext& ctx, std::span<const TBlob> in, const TBlob& out, int64_t outer,
                 const std::vector<int64_t>& runs) {
  std::vector<RunCopy> copies(in.size());
  int64_t total = 0;
  for (int64_t r : runs) total += r;
  int64_t offset = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    copies[i] = RunCopy{in[i].dptr, runs[i], 0, out.dptr, total, offset, runs[i]};
    offset += runs[i];
  }
  CopyRuns(ReqAt(ctx, 0), out.dtype, outer, copies.data(), static_cast<int64_t>(copies.size()),
           ctx.nthreads);
}

void ForwardConcat(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                   std::span<const TBlob> out) {
  const auto& p = ParamAs<ConcatParam>(base);
  const Shape& s0 = in[0].shape;
  const int axis = NormalizeAxis(p.dim, s0.ndim(), "Concat");
  const int64_t outer = s0.ProdRange(0, axis);
  std::vector<int64_t> runs;
  for (const TBlob& b : in) runs.push_back(b.shape.ProdRange(axis, b.ndim()));
  JoinForward(ctx, in, out[0], outer, runs);
}

void ForwardStack(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                  std::span<const TBlob> out) {
  const auto& p = ParamAs<StackParam>(base);
  const Shape& s0 = in[0].shape;
  const int axis = NormalizeAxis(p.axis, s0.ndim() + 1, "stack");
  const int64_t outer = s0.ProdRange(0, axis);
  std::vector<int64_t> runs(in.size(), s0.ProdRange(axis, s0.ndim()));
  JoinForward(ctx, in, out[0], outer, runs);
}

void InferSliceChannel(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<SliceChannelParam>(base);
  const Shape& in = io.in_shapes.at(0);
  const int axis = NormalizeAxis(p.axis, in.ndim(), "SliceChannel");
  MX_CHECK(in[axis] % p.num_outputs == 0, ValueError)
      << "SliceChannel: cannot split axis " << p.axis << " of shape " << in << " into "
      << p.num_outputs << " equal parts";
  MX_CHECK(!p.squeeze_axis || in[axis] == p.num_outputs, ValueError)
      << "SliceChannel: squeeze_axis=True needs axis " << p.axis << " of shape " << in
      << " to have size num_outputs=" << p.num_outputs;
  Shape part;
  for (int d = 0; d < in.ndim(); ++d) {
    if (d != axis) {
      part.PushBack(in[d]);
    } else if (!p.squeeze_axis) {
      part.PushBack(in[d] / p.num_outputs);
    }
  }
  io.out_shapes.assign(static_cast<size_t>(p.num_outputs), part);
  io.out_types.assign(static_cast<size_t>(p.num_outputs), io.in_types.at(0));
}

void ForwardSliceChannel(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> in,
                         std::span<const TBlob> out) {
  const auto& p = ParamAs<SliceChannelParam>(base);
  const Shape& s = in[0].shape;
  const int axis = NormalizeAxis(p.axis, s.ndim(), "SliceChannel");
  const int64_t outer = s.ProdRange(0, axis);
  const int64_t total = s.ProdRange(axis, s.ndim());
  const int64_t run = total / p.num_outputs;
  // Outputs may have different reqs (kNull for an unused part), so copy each separately.
  for (size_t i = 0; i < out.size(); ++i) {
    const RunCopy c{in[0].dptr, total, static_cast<int64_t>(i) * run, out[i].dptr, run, 0, run};
    CopyRuns(ReqAt(ctx, i), in[0].dtype, outer, &c, 1, ctx.nthreads);
  }
}

// --- gradients: the forward's run copies in the other direction -----------------------------

// Concat/stack: input i's gradient is its runs cut back out of the head gradient.
void SplitBackward(const OpContext& ctx, const TBlob& g, std::span<const TBlob> in_grads,
                   int64_t outer, const std::vector<int64_t>& runs) {
  int64_t total = 0;
  for (int64_t r : runs) total += r;
  int64_t offset = 0;
  for (size_t i = 0; i < in_grads.size(); ++i) {
    const RunCopy c{g.dptr, total, offset, in_grads[i].dptr, runs[i], 0, runs[i]};
    CopyRuns(ReqAt(ctx, i), g.dtype, outer, &c, 1, ctx.nthreads);
    offset += runs[i];
  }
}

void BackwardConcat(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                    std::span<const TBlob> in, std::span<const TBlob>,
                    std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<ConcatParam>(base);
  const Shape& s0 = in[0].shape;
  const int axis = NormalizeAxis(p.dim, s0.ndim(), "Concat");
  std::vector<int64_t> runs;
  for (const TBlob& b : in) runs.push_back(b.shape.ProdRange(axis, b.ndim()));
  SplitBackward(ctx, out_grads[0], in_grads, s0.ProdRange(0, axis), runs);
}

void BackwardStack(const ParamBase& base, const OpContext& ctx, std::span<const TBlob> out_grads,
                   std::span<const TBlob> in, std::span<const TBlob>,
                   std::span<const TBlob> in_grads) {
  const auto& p = ParamAs<StackParam>(base);
  const Shape& s0 = in[0].shape;
  const int axis = NormalizeAxis(p.axis, s0.ndim() + 1, "stack");
  std::vector<int64_t> runs(in.size(), s0.ProdRange(axis, s0.ndim()));
  SplitBackward(ctx, out_grads[0], in_grads, s0.ProdRange(0, axis), runs);
}

// SliceChannel: the head gradients joined back along the axis.
void BackwardSliceChannel(const ParamBase& base, const OpContext& ctx,
                          std::span<const TBlob> out_grads, std::span<const TBlob> in,
                          std::span<const TBlob>, std::span<const TBlob> in_grads) {
  const OpReq req = ReqAt(ctx, 0);
  if (req == OpReq::kNull) return;
  const auto& p = ParamAs<SliceChannelParam>(base);
  const Shape& s = in[0].shape;
  const int axis = NormalizeAxis(p.axis, s.ndim(), "SliceChannel");
  const int64_t total = s.ProdRange(axis, s.ndim());
  const int64_t run = total / p.num_outputs;
  std::vector<RunCopy> copies(out_grads.size());
  for (size_t i = 0; i < out_grads.size(); ++i) {
    copies[i] = RunCopy{out_grads[i].dptr, run, 0, in_grads[0].dptr, total,
                        static_cast<int64_t>(i) * run, run};
  }
  CopyRuns(req, in[0].dtype, s.ProdRange(0, axis), copies.data(),
           static_cast<int64_t>(copies.size()), ctx.nthreads);
}

}  // namespace

MX_REGISTER_KERNEL(Concat, (OpKernel{.infer = InferConcat, .forward = ForwardConcat,
                                     .backward = BackwardConcat}));
MX_REGISTER_KERNEL(stack, (OpKernel{.infer = InferStack, .forward = ForwardStack,
                                    .backward = BackwardStack}));
MX_REGISTER_KERNEL(SliceChannel,
                   (OpKernel{.infer = InferSliceChannel, .forward = ForwardSliceChannel,
                             .backward = BackwardSliceChannel}));

}  // namespace mixnet::op
