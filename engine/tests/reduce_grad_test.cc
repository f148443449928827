// Numeric gradient checks (float64 central differences) for the reductions: sum, mean, prod,
// nansum, nanprod, max, min and norm, over axis / keepdims / exclude / negative-axis combos.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grad_check_util.h"
#include "operator/op.h"

namespace mixnet::test {
namespace {

using AttrPairs = std::vector<std::pair<std::string, std::string>>;

// The axis combinations every reduction is checked with, on a (2, 3, 4) input.
const std::vector<AttrPairs>& AxisCombos() {
  static const std::vector<AttrPairs> combos = {
      {},
      {{"axis", "1"}},
      {{"axis", "(0, 2)"}, {"keepdims", "True"}},
      {{"axis", "-1"}},
      {{"axis", "1"}, {"exclude", "True"}},
      {{"axis", "(-3, -2)"}, {"keepdims", "True"}, {"exclude", "False"}},
  };
  return combos;
}

void CheckAllCombos(const char* op, bool away_from_zero) {
  uint64_t seed = 11;
  for (const AttrPairs& attrs : AxisCombos()) {
    SCOPED_TRACE(std::string(op) + " combo " + std::to_string(seed));
    NDArray x = away_from_zero
                    ? RandomArrayAwayFromZero({2, 3, 4}, DType::kFloat64, 0.5, 1.5, seed)
                    : RandomArray({2, 3, 4}, DType::kFloat64, -1, 1, seed);
    CheckGradient({.op = op, .attrs = attrs, .inputs = {x}});
    ++seed;
  }
}

GRAD_TEST(ReduceGrad, SumMeanNansum, "sum", "mean", "nansum") {
  CheckAllCombos("sum", false);
  CheckAllCombos("mean", false);
  CheckAllCombos("nansum", false);
  // The alias and a 1-d input.
  CheckGradient({.op = "sum_axis", .attrs = {{"axis", "0"}},
                 .inputs = {RandomArray({5}, DType::kFloat64, -1, 1, 3)}});
}

GRAD_TEST(ReduceGrad, ProdNanprod, "prod", "nanprod") {
  // Products divide by x in the gradient: keep the points away from zero (both signs).
  CheckAllCombos("prod", true);
  CheckAllCombos("nanprod", true);
}

GRAD_TEST(ReduceGrad, MaxMin, "max", "min") {
  // Random continuous points are tie-free; the gradient goes to the extreme element only.
  CheckAllCombos("max", false);
  CheckAllCombos("min", false);
  CheckGradient({.op = "max_axis", .attrs = {{"axis", "0"}, {"keepdims", "True"}},
                 .inputs = {RandomArray({4, 2}, DType::kFloat64, -1, 1, 5)}});
}

GRAD_TEST(ReduceGrad, Norm, "norm") {
  const std::vector<AttrPairs> combos = {
      {},
      {{"axis", "1"}},
      {{"axis", "(0, 2)"}, {"keepdims", "True"}},
      {{"axis", "-1"}, {"keepdims", "True"}},
  };
  uint64_t seed = 21;
  for (const char* ord : {"1", "2"}) {
    for (AttrPairs attrs : combos) {
      attrs.emplace_back("ord", ord);
      // |x| has a kink at 0: keep the points off it.
      CheckGradient({.op = "norm", .attrs = attrs,
                     .inputs = {RandomArrayAwayFromZero({2, 3, 4}, DType::kFloat64, 0.1, 1,
                                                        seed++)}});
    }
  }
  // out_dtype differs from the input's: the gradient is still in the input's dtype.
  CheckGradient({.op = "norm", .attrs = {{"axis", "1"}, {"out_dtype", "float32"}},
                 .inputs = {RandomArrayAwayFromZero({3, 4}, DType::kFloat32, 0.1, 1, 7)}});
}

// Ties: every position equal to the max gets the head gradient (MXNet's rule), checked by hand.
TEST(ReduceGradManual, MaxTiesAllGetGradient) {
  NDArray x = ArrayFromDoubles({2, 3}, DType::kFloat32, {1, 3, 3, -1, -2, -1});
  const op::Op* o = op::FindOp("max");
  ASSERT_NE(o, nullptr);
  std::vector<std::pair<std::string_view, std::string_view>> attrs = {{"axis", "1"}};
  auto param = o->schema->parse(attrs);
  NDArray y = ArrayFromDoubles({2}, DType::kFloat32, {3, -1});
  NDArray g = ArrayFromDoubles({2}, DType::kFloat32, {0.5, 2});
  NDArray gx = ArrayFromDoubles({2, 3}, DType::kFloat32, {9, 9, 9, 9, 9, 9});
  std::vector<TBlob> og{g.blob()}, in{x.blob()}, out{y.blob()}, ig{gx.blob()};
  std::vector<op::OpReq> req{op::OpReq::kWriteTo};
  op::OpContext ctx;
  ctx.req = req;
  o->kernel.backward(*param, ctx, og, in, out, ig);
  EXPECT_EQ(ValuesAsDouble(gx), (std::vector<double>{0, 0.5, 0.5, 2, 0, 2}));
  // kAddTo accumulates.
  req[0] = op::OpReq::kAddTo;
  o->kernel.backward(*param, ctx, og, in, out, ig);
  EXPECT_EQ(ValuesAsDouble(gx), (std::vector<double>{0, 1, 1, 4, 0, 4}));
}

// nansum/nanprod: NaN elements get a zero gradient (not checkable numerically).
TEST(ReduceGradManual, NanElementsGetZero) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  NDArray x = ArrayFromDoubles({4}, DType::kFloat64, {2, nan, 3, 0.5});
  for (const char* name : {"nansum", "nanprod"}) {
    const op::Op* o = op::FindOp(name);
    ASSERT_NE(o, nullptr);
    std::vector<std::pair<std::string_view, std::string_view>> attrs;
    auto param = o->schema->parse(attrs);
    const bool prod = std::string(name) == "nanprod";
    NDArray y = ArrayFromDoubles({1}, DType::kFloat64, {prod ? 3.0 : 5.5});
    NDArray g = ArrayFromDoubles({1}, DType::kFloat64, {2});
    NDArray gx = ArrayFromDoubles({4}, DType::kFloat64, {0, 0, 0, 0});
    std::vector<TBlob> og{g.blob()}, in{x.blob()}, out{y.blob()}, ig{gx.blob()};
    std::vector<op::OpReq> req{op::OpReq::kWriteTo};
    op::OpContext ctx;
    ctx.req = req;
    o->kernel.backward(*param, ctx, og, in, out, ig);
    const std::vector<double> want =
        prod ? std::vector<double>{3, 0, 2, 12} : std::vector<double>{2, 0, 2, 2};
    EXPECT_EQ(ValuesAsDouble(gx), want) << name;
  }
}

}  // namespace
}  // namespace mixnet::test
