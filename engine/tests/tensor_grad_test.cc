// Numeric gradient checks (float64 central differences) for the matrix products (dot, batch_dot,
// _linalg_gemm2), indexing (take, pick), gather/scatter (batch_take, gather_nd, scatter_nd),
// layout (reshape_like, slice_like, SwapAxis), rearrange (depth_to_space, space_to_depth, diag,
// _np_cumsum), Pad, topk/sort and the broadcasts. Index, condition and shape-donor inputs are
// excluded with `wrt` (their gradient is zero by definition).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grad_check_util.h"
#include "operator/op.h"

namespace mixnet::test {
namespace {

using AttrPairs = std::vector<std::pair<std::string, std::string>>;

NDArray R(const Shape& s, uint64_t seed) { return RandomArray(s, DType::kFloat64, -1, 1, seed); }
NDArray Idx(const Shape& s, std::vector<double> v, DType t = DType::kFloat64) {
  return ArrayFromDoubles(s, t, v);
}

void Check(const char* op, AttrPairs attrs, std::vector<NDArray> inputs,
           std::vector<int> wrt = {}) {
  SCOPED_TRACE(op);
  CheckGradient({.op = op, .attrs = std::move(attrs), .inputs = std::move(inputs),
                 .wrt = std::move(wrt)});
}

AttrPairs Flags(bool ta, bool tb) {
  return {{"transpose_a", ta ? "True" : "False"}, {"transpose_b", tb ? "True" : "False"}};
}

GRAD_TEST(LinalgGrad, Dot, "dot") {
  Check("dot", Flags(false, false), {R({3, 4}, 1), R({4, 5}, 2)});
  Check("dot", Flags(true, false), {R({4, 3}, 3), R({4, 5}, 4)});
  Check("dot", Flags(false, true), {R({3, 4}, 5), R({5, 4}, 6)});
  Check("dot", Flags(true, true), {R({4, 3}, 7), R({5, 4}, 8)});
  Check("dot", {}, {R({4}, 9), R({4}, 10)});                  // inner product
  Check("dot", {}, {R({2, 3, 4}, 11), R({4, 2}, 12)});        // N-d x 2-d
  Check("dot", Flags(true, false), {R({4, 2, 3}, 13), R({4, 3}, 14)});
  Check("dot", {}, {R({3}, 15), R({3, 2}, 16)});              // 1-d x 2-d
}

GRAD_TEST(LinalgGrad, BatchDot, "batch_dot") {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const Shape a = ta ? Shape{2, 4, 3} : Shape{2, 3, 4};
      const Shape b = tb ? Shape{2, 5, 4} : Shape{2, 4, 5};
      Check("batch_dot", Flags(ta, tb), {R(a, 1 + ta), R(b, 3 + tb)});
    }
  }
  Check("batch_dot", {}, {R({2, 2, 3, 2}, 7), R({2, 2, 2, 3}, 8)});  // 4-d
}

GRAD_TEST(LinalgGrad, Gemm2, "_linalg_gemm2") {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const Shape a = ta ? Shape{2, 4, 3} : Shape{2, 3, 4};
      const Shape b = tb ? Shape{2, 5, 4} : Shape{2, 4, 5};
      AttrPairs attrs = Flags(ta, tb);
      attrs.emplace_back("alpha", ta == tb ? "1.0" : "-0.7");
      Check("_linalg_gemm2", attrs, {R(a, 5 + ta), R(b, 7 + tb)});
    }
  }
  // Rows on axis -3: matrices interleaved with a middle batch axis.
  AttrPairs attrs = Flags(false, true);
  attrs.emplace_back("axis", "-3");
  attrs.emplace_back("alpha", "2.0");
  Check("linalg_gemm2", attrs, {R({3, 2, 4}, 9), R({5, 2, 4}, 10)});
  Check("_linalg_gemm2", {{"axis", "0"}}, {R({3, 2, 4}, 11), R({4, 2, 2}, 12)});
}

GRAD_TEST(IndexingGrad, TakePick, "take", "pick") {
  // Repeated and clipped / wrapped indices: their gradients add up.
  Check("take", {}, {R({4, 3}, 1), Idx({5}, {2, 0, 2, 7, -1})}, {0});
  Check("take", {{"axis", "1"}, {"mode", "wrap"}}, {R({2, 3, 2}, 2), Idx({2, 2}, {1, -1, 4, 0})},
        {0});
  Check("take", {{"axis", "-1"}}, {R({3, 4}, 3), Idx({3}, {3, 1, 3}, DType::kInt32)}, {0});
  Check("pick", {}, {R({3, 4}, 4), Idx({3}, {0, 3, 2})}, {0});
  Check("pick", {{"axis", "0"}, {"keepdims", "True"}}, {R({3, 4}, 5), Idx({4}, {2, 0, 5, 1})},
        {0});
  Check("pick", {{"axis", "1"}, {"mode", "wrap"}}, {R({2, 3, 2}, 6), Idx({2, 2}, {-1, 4, 0, 2})},
        {0});
}

GRAD_TEST(GatherScatterGrad, All, "batch_take", "gather_nd", "scatter_nd") {
  Check("batch_take", {}, {R({3, 4}, 1), Idx({3}, {0, 3, 2}, DType::kInt32)}, {0});
  // gather_nd with a repeated tuple (gradients add).
  Check("gather_nd", {}, {R({3, 4}, 2), Idx({2, 3}, {0, 2, 0, 1, 3, 1})}, {0});
  Check("gather_nd", {}, {R({3, 4, 2}, 3), Idx({1, 2}, {2, -1})}, {0});
  Check("scatter_nd", {{"shape", "(3, 4)"}}, {R({3}, 4), Idx({2, 3}, {0, 2, 1, 1, 3, 0})}, {0});
  Check("scatter_nd", {{"shape", "(3, 2)"}}, {R({2, 2}, 5), Idx({1, 2}, {2, 0})}, {0});
}

GRAD_TEST(LayoutGrad, All, "reshape_like", "slice_like", "SwapAxis") {
  Check("reshape_like", {}, {R({2, 6}, 1), R({3, 4}, 2)}, {0});
  Check("reshape_like", {{"lhs_begin", "1"}, {"lhs_end", "None"}, {"rhs_begin", "0"},
                         {"rhs_end", "2"}},
        {R({2, 6}, 3), R({3, 2}, 4)}, {0});
  Check("slice_like", {}, {R({3, 4}, 5), R({2, 3}, 6)}, {0});
  Check("slice_like", {{"axes", "(-1,)"}}, {R({3, 4}, 7), R({2, 2}, 8)}, {0});
  Check("SwapAxis", {{"dim1", "0"}, {"dim2", "2"}}, {R({2, 3, 4}, 9)});
  Check("swapaxes", {{"dim1", "1"}, {"dim2", "-1"}}, {R({2, 3, 2}, 10)});
}

GRAD_TEST(RearrangeGrad, All, "depth_to_space", "space_to_depth", "diag", "_np_cumsum") {
  Check("depth_to_space", {{"block_size", "2"}}, {R({1, 8, 2, 2}, 1)});
  Check("space_to_depth", {{"block_size", "2"}}, {R({1, 2, 4, 4}, 2)});
  Check("diag", {}, {R({3, 4}, 3)});
  Check("diag", {{"k", "1"}}, {R({3, 4}, 4)});
  Check("diag", {{"k", "-1"}}, {R({3}, 5)});  // vector -> matrix
  Check("diag", {{"axis1", "2"}, {"axis2", "0"}, {"k", "1"}}, {R({3, 2, 4}, 6)});
  Check("_np_cumsum", {}, {R({2, 3}, 7)});
  Check("_np_cumsum", {{"axis", "1"}}, {R({2, 3, 2}, 8)});
  Check("_np_cumsum", {{"axis", "-3"}, {"dtype", "float64"}}, {R({2, 3, 2}, 9)});
}

GRAD_TEST(PaddingGrad, Pad, "Pad") {
  Check("Pad", {{"mode", "constant"}, {"pad_width", "(0, 0, 0, 0, 1, 2, 2, 1)"},
                {"constant_value", "0.3"}},
        {R({1, 2, 3, 3}, 1)});
  Check("Pad", {{"mode", "edge"}, {"pad_width", "(0, 0, 0, 0, 2, 1, 1, 2)"}},
        {R({1, 2, 3, 3}, 2)});
  Check("pad", {{"mode", "reflect"}, {"pad_width", "(0, 0, 0, 0, 2, 1, 1, 2)"}},
        {R({1, 1, 3, 4}, 3)});
  Check("Pad", {{"mode", "edge"}, {"pad_width", "(0, 0, 0, 0, 1, 0, 0, 1, 1, 1)"}},
        {R({1, 1, 2, 2, 3}, 4)});
}

GRAD_TEST(SortGrad, TopkSort, "topk", "sort") {
  Check("topk", {{"k", "2"}, {"ret_typ", "value"}}, {R({3, 5}, 1)});
  Check("topk", {{"k", "2"}, {"ret_typ", "both"}, {"axis", "0"}, {"is_ascend", "True"}},
        {R({4, 3}, 2)});
  Check("topk", {{"k", "3"}, {"ret_typ", "value"}, {"axis", "None"}}, {R({2, 3}, 3)});
  // Indices and masks do not depend on the values: zero gradient (numerically too).
  Check("topk", {{"k", "2"}, {"ret_typ", "mask"}}, {R({2, 4}, 4)});
  Check("topk", {{"k", "2"}, {"ret_typ", "indices"}, {"dtype", "float64"}}, {R({2, 4}, 5)});
  Check("sort", {}, {R({3, 4}, 6)});
  Check("sort", {{"axis", "0"}, {"is_ascend", "False"}}, {R({3, 4}, 7)});
  Check("sort", {{"axis", "None"}}, {R({2, 3}, 8)});
}

GRAD_TEST(BroadcastGrad, All, "broadcast_to", "broadcast_axis", "broadcast_like") {
  Check("broadcast_to", {{"shape", "(2, 4, 3)"}}, {R({2, 1, 3}, 1)});
  Check("broadcast_to", {{"shape", "(3, 0)"}}, {R({1, 4}, 2)});
  Check("broadcast_axis", {{"axis", "(0, 2)"}, {"size", "(3, 4)"}}, {R({1, 2, 1}, 3)});
  Check("broadcast_axes", {{"axis", "-1"}, {"size", "2"}}, {R({3, 1}, 4)});
  Check("broadcast_like", {}, {R({1, 3}, 5), R({2, 3}, 6)}, {0});
  Check("broadcast_like", {{"lhs_axes", "(0,)"}, {"rhs_axes", "(1,)"}},
        {R({1, 3}, 7), R({2, 4}, 8)}, {0});
}

// Other dtypes (float32 and float16 with their default tolerances) and zero-size arrays.
GRAD_TEST(TensorGradMisc, DtypesAndEmpty, "sum", "dot", "take", "broadcast_to", "Concat",
          "transpose", "max") {
  const DType f32 = DType::kFloat32, f16 = DType::kFloat16;
  Check("sum", {{"axis", "1"}}, {RandomArray({3, 4}, f32, -1, 1, 1)});
  Check("sum", {{"axis", "0"}}, {RandomArray({3, 2}, f16, -1, 1, 2)});
  Check("max", {{"axis", "1"}}, {RandomArray({3, 4}, f32, -1, 1, 3)});
  Check("dot", Flags(false, true), {RandomArray({3, 4}, f32, -1, 1, 4),
                                    RandomArray({2, 4}, f32, -1, 1, 5)});
  Check("take", {}, {RandomArray({4, 2}, f32, -1, 1, 6), Idx({3}, {3, 0, 3}, f32)}, {0});
  Check("broadcast_to", {{"shape", "(3, 2)"}}, {RandomArray({1, 2}, f16, -1, 1, 7)});
  Check("Concat", {{"num_args", "2"}, {"dim", "0"}},
        {RandomArray({1, 2}, f16, -1, 1, 8), RandomArray({2, 2}, f16, -1, 1, 9)});
  Check("transpose", {}, {RandomArray({2, 3}, f32, -1, 1, 10)});
  // Zero-size inputs and outputs: the kernels must neither crash nor leave garbage.
  Check("sum", {{"axis", "0"}}, {R({0, 3}, 11)});
  Check("dot", {}, {R({2, 0}, 12), R({0, 3}, 13)});
  Check("dot", {}, {R({0, 3}, 14), R({3, 2}, 15)});
  Check("take", {}, {R({4, 3}, 16), Idx({0}, {})}, {0});
  Check("broadcast_to", {{"shape", "(0, 3)"}}, {R({1, 3}, 17)});
  Check("Concat", {{"num_args", "2"}, {"dim", "1"}}, {R({2, 0}, 18), R({2, 3}, 19)});
  Check("transpose", {}, {R({0, 3}, 20)});
}

// Index inputs get zeros under kWriteTo and are left alone under kAddTo / kNull.
TEST(TensorGradManual, IndexInputsGetZeros) {
  const op::Op* o = op::FindOp("take");
  ASSERT_NE(o, nullptr);
  std::vector<std::pair<std::string_view, std::string_view>> attrs;
  auto param = o->schema->parse(attrs);
  NDArray a = ArrayFromDoubles({3}, DType::kFloat32, {1, 2, 3});
  NDArray idx = ArrayFromDoubles({2}, DType::kFloat32, {2, 2});
  NDArray y = ArrayFromDoubles({2}, DType::kFloat32, {3, 3});
  NDArray g = ArrayFromDoubles({2}, DType::kFloat32, {0.5, 0.25});
  NDArray ga = ArrayFromDoubles({3}, DType::kFloat32, {1, 1, 1});
  NDArray gi = ArrayFromDoubles({2}, DType::kFloat32, {7, 7});
  std::vector<TBlob> og{g.blob()}, in{a.blob(), idx.blob()}, out{y.blob()},
      ig{ga.blob(), gi.blob()};
  std::vector<op::OpReq> req{op::OpReq::kAddTo, op::OpReq::kWriteTo};
  op::OpContext ctx;
  ctx.req = req;
  o->kernel.backward(*param, ctx, og, in, out, ig);
  EXPECT_EQ(ValuesAsDouble(ga), (std::vector<double>{1, 1, 1.75}));
  EXPECT_EQ(ValuesAsDouble(gi), (std::vector<double>{0, 0}));
  req = {op::OpReq::kWriteTo, op::OpReq::kAddTo};
  gi = ArrayFromDoubles({2}, DType::kFloat32, {7, 7});
  ig[1] = gi.blob();
  o->kernel.backward(*param, ctx, og, in, out, ig);
  EXPECT_EQ(ValuesAsDouble(ga), (std::vector<double>{0, 0, 0.75}));
  EXPECT_EQ(ValuesAsDouble(gi), (std::vector<double>{7, 7}));
}

// Large arrays take the parallel paths (injective scatter, reduction-based sums): compare with
// hand-computed gradients at nthreads = 2.
TEST(TensorGradManual, LargeArraysParallelPaths) {
  const int64_t rows = 300, cols = 400;
  std::vector<double> gv(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < gv.size(); ++i) gv[i] = static_cast<double>(i % 97) - 48;
  NDArray g = ArrayFromDoubles({rows, cols}, DType::kFloat32, gv);
  NDArray x = ArrayFromDoubles({rows, cols}, DType::kFloat32, gv);
  std::vector<op::OpReq> req{op::OpReq::kWriteTo};
  op::OpContext ctx;
  ctx.req = req;
  ctx.nthreads = 2;
  {  // reverse along axis 1: the gradient is the head gradient reversed back
    const op::Op* o = op::FindOp("reverse");
    std::vector<std::pair<std::string_view, std::string_view>> attrs = {{"axis", "1"}};
    auto param = o->schema->parse(attrs);
    NDArray gx(Shape{rows, cols}, Context::CPU(), DType::kFloat32);
    std::vector<TBlob> og{g.blob()}, in{x.blob()}, out{x.blob()}, ig{gx.blob()};
    o->kernel.backward(*param, ctx, og, in, out, ig);
    const std::vector<double> got = ValuesAsDouble(gx);
    int bad = 0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        bad += got[r * cols + c] != gv[r * cols + (cols - 1 - c)];
    EXPECT_EQ(bad, 0);
  }
  {  // broadcast_to (1, cols) -> (rows, cols): column sums
    const op::Op* o = op::FindOp("broadcast_to");
    std::vector<std::pair<std::string_view, std::string_view>> attrs = {{"shape", "(300, 400)"}};
    auto param = o->schema->parse(attrs);
    NDArray small = ArrayFromDoubles({1, cols}, DType::kFloat32, std::vector<double>(cols, 0));
    NDArray gx(Shape{1, cols}, Context::CPU(), DType::kFloat32);
    std::vector<TBlob> og{g.blob()}, in{small.blob()}, out{x.blob()}, ig{gx.blob()};
    o->kernel.backward(*param, ctx, og, in, out, ig);
    const std::vector<double> got = ValuesAsDouble(gx);
    int bad = 0;
    for (int64_t c = 0; c < cols; ++c) {
      double s = 0;
      for (int64_t r = 0; r < rows; ++r) s += gv[r * cols + c];
      bad += got[c] != s;
    }
    EXPECT_EQ(bad, 0);
  }
}

// clip passes the gradient on the bounds themselves (MXNet's clip_grad), not beyond them.
TEST(TensorGradManual, ClipBounds) {
  const op::Op* o = op::FindOp("clip");
  ASSERT_NE(o, nullptr);
  std::vector<std::pair<std::string_view, std::string_view>> attrs = {{"a_min", "-1"},
                                                                      {"a_max", "1"}};
  auto param = o->schema->parse(attrs);
  NDArray x = ArrayFromDoubles({5}, DType::kFloat64, {-2, -1, 0, 1, 2});
  NDArray y = ArrayFromDoubles({5}, DType::kFloat64, {-1, -1, 0, 1, 1});
  NDArray g = ArrayFromDoubles({5}, DType::kFloat64, {1, 2, 3, 4, 5});
  NDArray gx = ArrayFromDoubles({5}, DType::kFloat64, {9, 9, 9, 9, 9});
  std::vector<TBlob> og{g.blob()}, in{x.blob()}, out{y.blob()}, ig{gx.blob()};
  std::vector<op::OpReq> req{op::OpReq::kWriteTo};
  op::OpContext ctx;
  ctx.req = req;
  o->kernel.backward(*param, ctx, og, in, out, ig);
  EXPECT_EQ(ValuesAsDouble(gx), (std::vector<double>{0, 2, 3, 4, 0}));
}

}  // namespace
}  // namespace mixnet::test
