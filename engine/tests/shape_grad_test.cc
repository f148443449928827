// Numeric gradient checks (float64 central differences) for the shape family: Reshape (special
// codes), Flatten, transpose, expand_dims, squeeze, Concat, stack, SliceChannel, slice,
// slice_axis, reverse, tile, repeat, clip, Cast, _copy and where.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "grad_check_util.h"

namespace mixnet::test {
namespace {

using AttrPairs = std::vector<std::pair<std::string, std::string>>;

NDArray R(const Shape& s, uint64_t seed) { return RandomArray(s, DType::kFloat64, -1, 1, seed); }

void Check(const char* op, AttrPairs attrs, std::vector<NDArray> inputs,
           std::vector<int> wrt = {}) {
  SCOPED_TRACE(op);
  CheckGradient({.op = op, .attrs = std::move(attrs), .inputs = std::move(inputs),
                 .wrt = std::move(wrt)});
}

GRAD_TEST(ShapeGrad, CopyLike, "Reshape", "Flatten", "expand_dims", "squeeze", "_copy") {
  const Shape s{2, 3, 4};
  Check("Reshape", {{"shape", "(0, -1)"}}, {R(s, 1)});
  Check("Reshape", {{"shape", "(-3, 0)"}}, {R(s, 2)});
  Check("Reshape", {{"shape", "(-4, 1, 2, -2)"}}, {R(s, 3)});
  Check("Reshape", {{"shape", "(-2,)"}}, {R(s, 4)});
  Check("Reshape", {{"shape", "(-1, 0)"}, {"reverse", "True"}}, {R(s, 5)});
  Check("reshape", {{"target_shape", "(4, 0)"}}, {R(s, 6)});
  Check("Flatten", {}, {R(s, 7)});
  Check("expand_dims", {{"axis", "-1"}}, {R(s, 8)});
  Check("expand_dims", {{"axis", "1"}}, {R(s, 9)});
  Check("squeeze", {}, {R({2, 1, 3, 1}, 10)});
  Check("squeeze", {{"axis", "(-1,)"}}, {R({2, 1, 3, 1}, 11)});
  Check("_copy", {}, {R(s, 12)});
}

GRAD_TEST(ShapeGrad, Transpose, "transpose") {
  Check("transpose", {}, {R({2, 3, 4}, 1)});
  Check("transpose", {{"axes", "(1, 2, 0)"}}, {R({2, 3, 4}, 2)});
  Check("transpose", {{"axes", "(0, 2, 1, 3)"}}, {R({2, 3, 2, 2}, 3)});
  Check("transpose", {{"axes", "(-1, 0)"}}, {R({3, 5}, 4)});
}

GRAD_TEST(ShapeGrad, JoinSplit, "Concat", "stack", "SliceChannel") {
  Check("Concat", {{"num_args", "3"}, {"dim", "1"}},
        {R({2, 1, 3}, 1), R({2, 2, 3}, 2), R({2, 3, 3}, 3)});
  Check("concat", {{"num_args", "2"}, {"dim", "-1"}}, {R({2, 3}, 4), R({2, 1}, 5)});
  Check("Concat", {{"num_args", "2"}, {"dim", "0"}}, {R({1, 3}, 6), R({2, 3}, 7)});
  Check("stack", {{"num_args", "3"}, {"axis", "1"}}, {R({2, 3}, 8), R({2, 3}, 9), R({2, 3}, 10)});
  Check("stack", {{"num_args", "2"}, {"axis", "-1"}}, {R({2, 3}, 11), R({2, 3}, 12)});
  Check("SliceChannel", {{"num_outputs", "3"}}, {R({2, 3, 4}, 13)});
  Check("split", {{"num_outputs", "2"}, {"axis", "-1"}}, {R({2, 3, 4}, 14)});
  Check("SliceChannel", {{"num_outputs", "2"}, {"axis", "0"}, {"squeeze_axis", "True"}},
        {R({2, 3}, 15)});
}

GRAD_TEST(ShapeGrad, Slices, "slice", "slice_axis", "reverse") {
  Check("slice", {{"begin", "(0, 1)"}, {"end", "(2, 3)"}}, {R({3, 4}, 1)});
  Check("slice", {{"begin", "(None, -1)"}, {"end", "(None, 0)"}, {"step", "(2, -2)"}},
        {R({3, 5}, 2)});
  Check("crop", {{"begin", "(1,)"}, {"end", "(None,)"}}, {R({3, 2, 2}, 3)});
  Check("slice_axis", {{"axis", "1"}, {"begin", "1"}, {"end", "3"}}, {R({2, 4, 3}, 4)});
  Check("slice_axis", {{"axis", "-1"}, {"begin", "-2"}, {"end", "None"}}, {R({2, 4}, 5)});
  Check("reverse", {{"axis", "(0, 2)"}}, {R({2, 3, 4}, 6)});
  Check("flip", {{"axis", "-1"}}, {R({3, 4}, 7)});
}

GRAD_TEST(ShapeGrad, TileRepeat, "tile", "repeat") {
  Check("tile", {{"reps", "(2, 3)"}}, {R({2, 3}, 1)});
  Check("tile", {{"reps", "(2, 1, 2)"}}, {R({3, 2}, 2)});  // reps longer than ndim
  Check("tile", {{"reps", "(2,)"}}, {R({2, 2, 3}, 3)});    // reps shorter than ndim
  Check("repeat", {{"repeats", "3"}}, {R({2, 3}, 4)});
  Check("repeat", {{"repeats", "2"}, {"axis", "1"}}, {R({2, 3, 2}, 5)});
  Check("repeat", {{"repeats", "2"}, {"axis", "-3"}}, {R({2, 3, 2}, 6)});
}

GRAD_TEST(ShapeGrad, Elementwise, "clip", "Cast", "where") {
  // Points on both sides of the bounds (none within eps of them).
  Check("clip", {{"a_min", "-0.5"}, {"a_max", "0.4"}}, {R({4, 5}, 1)});
  Check("Cast", {{"dtype", "float64"}}, {R({3, 4}, 2)});
  // float32 -> float64 and float64 -> float32 -> (gradient back in the input's dtype).
  Check("Cast", {{"dtype", "float64"}}, {RandomArray({3, 4}, DType::kFloat32, -1, 1, 3)});
  Check("cast", {{"dtype", "float32"}}, {RandomArray({3, 4}, DType::kFloat32, -1, 1, 4)});
  NDArray cond = ArrayFromDoubles({2, 3}, DType::kFloat64, {1, 0, 0, 2, 0, -1});
  Check("where", {}, {cond, R({2, 3}, 5), R({2, 3}, 6)}, {1, 2});
  NDArray rows = ArrayFromDoubles({3}, DType::kFloat32, {0, 1, 0});
  Check("where", {}, {rows, R({3, 2}, 7), R({3, 2}, 8)}, {1, 2});
}

}  // namespace
}  // namespace mixnet::test
