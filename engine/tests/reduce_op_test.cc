// Reductions (sum, mean, prod, nansum, nanprod, max, min, argmax, argmin, norm) against a
// reference loop written here, hand-computed values, and Apache MXNet 1.9.1's own outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tensor_op_test_util.h"

namespace mixnet {
namespace {

using test::Attrs;
using test::Run1;
using namespace test::tensor;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- reference ------------------------------------------------------------------------------

// The reduction of `x` (shape s) over the axes flagged in `reduced`, by visiting every input
// element and folding it into the output slot of its kept coordinates. Returns the values in
// row-major order of the kept axes.
std::vector<double> ReferenceReduce(const Shape& s, const std::vector<double>& x,
                                    const std::vector<bool>& reduced, double init,
                                    const std::function<double(double, double)>& fold) {
  int64_t out_size = 1;
  for (int i = 0; i < s.ndim(); ++i)
    if (!reduced[i]) out_size *= s[i];
  std::vector<double> out(static_cast<size_t>(out_size), init);
  std::vector<int64_t> idx(s.ndim(), 0);
  for (int64_t flat = 0; flat < s.Size(); ++flat) {
    int64_t o = 0;
    for (int i = 0; i < s.ndim(); ++i)
      if (!reduced[i]) o = o * s[i] + idx[i];
    out[o] = fold(out[o], x[flat]);
    for (int i = s.ndim() - 1; i >= 0; --i) {
      if (++idx[i] < s[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

struct RefOp {
  const char* name;
  double init;
  std::function<double(double, double)> fold;
  bool mean = false;
};

std::vector<RefOp> RefOps() {
  auto nan_max = [](double a, double b) { return std::isnan(a) || a >= b ? a : b; };
  auto nan_min = [](double a, double b) { return std::isnan(a) || a <= b ? a : b; };
  return {
      {"sum", 0.0, [](double a, double b) { return a + b; }},
      {"mean", 0.0, [](double a, double b) { return a + b; }, true},
      {"prod", 1.0, [](double a, double b) { return a * b; }},
      {"nansum", 0.0, [](double a, double b) { return std::isnan(b) ? a : a + b; }},
      {"nanprod", 1.0, [](double a, double b) { return std::isnan(b) ? a : a * b; }},
      {"max", -INFINITY, nan_max},
      {"min", INFINITY, nan_min},
  };
}

// "(0, 2)" for the listed axes.
std::string AxesText(const std::vector<int>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + (axes.size() == 1 ? ",)" : ")");
}

// Checks every op over every subset of axes x keepdims x exclude against the reference.
void CheckAllAxisCombinations(const Shape& s, uint32_t seed) {
  // Values near 1 keep products of ~100 terms well inside float32 range.
  std::vector<double> x = RandomValues(s.Size(), seed, 0.5, 1.5);
  for (double& v : x) v = static_cast<float>(v);
  const NDArray data = F32(s, x);
  const int nd = s.ndim();
  for (const RefOp& op : RefOps()) {
    for (int mask = 0; mask < (1 << nd); ++mask) {
      std::vector<int> axes;
      for (int i = 0; i < nd; ++i)
        if (mask & (1 << i)) axes.push_back(i);
      for (int keep = 0; keep < 2; ++keep) {
        for (int excl = 0; excl < 2; ++excl) {
          std::vector<bool> red(nd, false);
          for (int i = 0; i < nd; ++i) {
            const bool listed = (mask >> i) & 1;
            red[i] = axes.empty() ? true : (excl ? !listed : listed);
          }
          Attrs attrs = {{"keepdims", keep ? "True" : "False"},
                         {"exclude", excl ? "True" : "False"}};
          const std::string axis_text = AxesText(axes);
          if (!axes.empty()) attrs.emplace_back("axis", axis_text);
          const NDArray out = Run1(op.name, {data}, attrs);
          // Expected shape: MXNet's rules.
          Shape want_shape;
          for (int i = 0; i < nd; ++i) {
            if (!red[i]) want_shape.PushBack(s[i]);
            else if (keep) want_shape.PushBack(1);
          }
          if (want_shape.ndim() == 0) want_shape = Shape{1};
          const std::string what = std::string(op.name) + " axis=" + axis_text +
                                   " keepdims=" + std::to_string(keep) +
                                   " exclude=" + std::to_string(excl) + " on " + s.ToString();
          ASSERT_EQ(out.shape(), want_shape) << what;
          std::vector<double> want = ReferenceReduce(s, x, red, op.init, op.fold);
          if (op.mean) {
            int64_t count = 1;
            for (int i = 0; i < nd; ++i)
              if (red[i]) count *= s[i];
            for (double& w : want) w /= static_cast<double>(count);
          }
          ExpectClose(ToDoubles(out), want, 2e-6, 1e-7, what);
        }
      }
    }
  }
}

// ---- tests ---------------------------------------------------------------------------------

TEST(ReduceOp, HandComputedSums) {
  const NDArray x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(ToDoubles(Run1("sum", {x}, {{"axis", "0"}})), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(ToDoubles(Run1("sum", {x}, {{"axis", "1"}})), (std::vector<double>{6, 15}));
  EXPECT_EQ(ToDoubles(Run1("sum", {x}, {{"axis", "-1"}})), (std::vector<double>{6, 15}));
  const NDArray all = Run1("sum", {x});
  EXPECT_EQ(all.shape(), (Shape{1}));  // MXNet 1.x: a full reduction is (1,), not 0-d
  EXPECT_EQ(ToDoubles(all), (std::vector<double>{21}));
  EXPECT_EQ(Run1("sum", {x}, {{"keepdims", "True"}}).shape(), (Shape{1, 1}));
  EXPECT_EQ(ToDoubles(Run1("mean", {x}, {{"axis", "1"}})), (std::vector<double>{2, 5}));
  EXPECT_EQ(ToDoubles(Run1("prod", {x}, {{"axis", "0"}})), (std::vector<double>{4, 10, 18}));
  EXPECT_EQ(ToDoubles(Run1("max", {x}, {{"axis", "0"}})), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(ToDoubles(Run1("min", {x}, {{"axis", "1"}})), (std::vector<double>{1, 4}));
  // axis=() means every axis, like None; exclude with no axis still reduces everything.
  EXPECT_EQ(ToDoubles(Run1("sum", {x}, {{"axis", "()"}})), (std::vector<double>{21}));
  EXPECT_EQ(ToDoubles(Run1("sum", {x}, {{"exclude", "True"}})), (std::vector<double>{21}));
  // Aliases.
  EXPECT_EQ(ToDoubles(Run1("sum_axis", {x}, {{"axis", "1"}})), (std::vector<double>{6, 15}));
  EXPECT_EQ(ToDoubles(Run1("max_axis", {x}, {{"axis", "1"}})), (std::vector<double>{3, 6}));
  EXPECT_EQ(ToDoubles(Run1("min_axis", {x}, {{"axis", "0"}})), (std::vector<double>{1, 2, 3}));
}

TEST(ReduceOp, EveryAxisCombinationMatchesReference) {
  CheckAllAxisCombinations({3, 4, 5, 2}, 1);
  CheckAllAxisCombinations({2, 1, 3, 1, 4}, 2);  // size-1 axes collapse away
  CheckAllAxisCombinations({7}, 3);
}

TEST(ReduceOp, LargeShapesUseEveryKernelPathCorrectly) {
  struct Case {
    Shape shape;
    std::string axis;
    std::vector<bool> red;
  };
  const std::vector<Case> cases = {
      {{3, 70001}, "1", {false, true}},               // few long rows: split across threads
      {{70001, 3}, "0", {true, false}},               // few columns, many rows
      {{601, 257}, "1", {false, true}},               // many rows
      {{301, 1500}, "0", {true, false}},              // many column blocks
      {{9, 700, 37}, "1", {false, true, false}},      // middle axis
      {{13, 17, 19, 23}, "(0, 2)", {true, false, true, false}},  // two passes
      {{13, 17, 19, 23}, "(1, 3)", {false, true, false, true}},
      {{2, 40000, 1, 3}, "(0, 1, 3)", {true, true, true, true}},
  };
  for (const Case& c : cases) {
    std::vector<double> x = RandomValues(c.shape.Size(), 7, -1.0, 1.0);
    for (double& v : x) v = static_cast<float>(v);
    const NDArray data = F32(c.shape, x);
    for (const char* op : {"sum", "max", "min"}) {
      const std::vector<RefOp> refs = RefOps();
      const RefOp ref = *std::find_if(refs.begin(), refs.end(), [&](const RefOp& r) {
        return std::string(r.name) == op;
      });
      const std::vector<double> want = ReferenceReduce(c.shape, x, c.red, ref.init, ref.fold);
      // Through Invoke (the engine's thread budget) and directly with two threads.
      ExpectClose(ToDoubles(Run1(op, {data}, {{"axis", c.axis}})), want, 1e-6, 1e-6,
                  std::string(op) + " " + c.shape.ToString() + " axis=" + c.axis);
      auto direct = RunWithReq(op, {data}, {{"axis", c.axis}}, op::OpReq::kWriteTo, 0.0, 2);
      ExpectClose(ToDoubles(direct.at(0)), want, 1e-6, 1e-6,
                  std::string(op) + " (2 threads) " + c.shape.ToString() + " axis=" + c.axis);
    }
  }
}

TEST(ReduceOp, SumFloat32LongRowIsAccurate) {
  // One million copies of 0.1f: a float32 running sum drifts by ~1% here; the float64
  // accumulator gets the exactly rounded answer.
  const int64_t n = 1000000;
  const NDArray x = F32({n}, std::vector<double>(n, 0.1));
  const double exact = static_cast<double>(n) * static_cast<double>(0.1f);
  const double got = ToDoubles(Run1("sum", {x})).at(0);
  EXPECT_EQ(got, static_cast<double>(static_cast<float>(exact)));
  // Column direction too.
  const NDArray col = F32({n / 4, 4}, std::vector<double>(n, 0.1));
  for (double v : ToDoubles(Run1("sum", {col}, {{"axis", "0"}}))) {
    EXPECT_EQ(v, static_cast<double>(static_cast<float>(exact / 4)));
  }
  // mean of the same is 0.1f exactly.
  EXPECT_EQ(ToDoubles(Run1("mean", {x})).at(0), static_cast<double>(0.1f));
}

TEST(ReduceOp, Float16AndBfloat16AccumulateInFloat32) {
  // 4096 x 0.1: a float16 running sum stalls at 256 (where its spacing, 0.25, exceeds twice
  // 0.1); accumulating in float32 gives 409.5.
  const int64_t n = 4096;
  for (DType t : {DType::kFloat16, DType::kBfloat16}) {
    const NDArray x = FromDoubles({n}, t, std::vector<double>(n, 0.1));
    const double step = t == DType::kFloat16 ? 0.0999755859375 : 0.10009765625;  // 0.1 rounded
    const double got = ToDoubles(Run1("sum", {x})).at(0);
    EXPECT_NEAR(got, n * step, n * step * 4e-3) << DTypeName(t);
    EXPECT_EQ(Run1("sum", {x}).dtype(), t);
    EXPECT_NEAR(ToDoubles(Run1("mean", {x})).at(0), step, 1e-3) << DTypeName(t);
    EXPECT_NEAR(ToDoubles(Run1("max", {x})).at(0), step, 1e-6) << DTypeName(t);
  }
}

TEST(ReduceOp, IntegerAndBoolDtypes) {
  const NDArray i32 = FromDoubles({2, 3}, DType::kInt32, {1, 2, 3, 4, 5, 7});
  NDArray s = Run1("sum", {i32}, {{"axis", "0"}});
  EXPECT_EQ(s.dtype(), DType::kInt32);
  EXPECT_EQ(ToDoubles(s), (std::vector<double>{5, 7, 10}));
  // Integer mean truncates, as MXNet's does.
  EXPECT_EQ(ToDoubles(Run1("mean", {i32}, {{"axis", "1"}})), (std::vector<double>{2, 5}));
  // int8 sums wrap like int8 arithmetic.
  const NDArray i8 = FromDoubles({2}, DType::kInt8, {100, 100});
  EXPECT_EQ(ToDoubles(Run1("sum", {i8})), (std::vector<double>{-56}));
  const NDArray u8 = FromDoubles({3}, DType::kUint8, {200, 100, 1});
  EXPECT_EQ(ToDoubles(Run1("sum", {u8})), (std::vector<double>{45}));
  EXPECT_EQ(ToDoubles(Run1("max", {u8})), (std::vector<double>{200}));
  const NDArray i64 = FromDoubles({3}, DType::kInt64, {-5, 3, 9});
  EXPECT_EQ(ToDoubles(Run1("prod", {i64})), (std::vector<double>{-135}));
  EXPECT_EQ(ToDoubles(Run1("min", {i64})), (std::vector<double>{-5}));
  const NDArray b = FromDoubles({2, 2}, DType::kBool, {1, 0, 0, 0});
  EXPECT_EQ(ToDoubles(Run1("max", {b}, {{"axis", "1"}})), (std::vector<double>{1, 0}));
  EXPECT_EQ(ToDoubles(Run1("min", {b}, {{"axis", "1"}})), (std::vector<double>{0, 0}));
  EXPECT_EQ(ToDoubles(Run1("sum", {b}, {{"axis", "0"}})), (std::vector<double>{1, 0}));
  const NDArray f64 = FromDoubles({2}, DType::kFloat64, {1e300, 1e300});
  EXPECT_EQ(ToDoubles(Run1("mean", {f64})), (std::vector<double>{1e300}));
}

TEST(ReduceOp, NaNHandling) {
  const NDArray x = F32({2, 3}, {1, kNaN, 2, kNaN, kNaN, 4});
  ExpectClose(ToDoubles(Run1("nansum", {x}, {{"axis", "1"}})), {3, 4});
  ExpectClose(ToDoubles(Run1("nanprod", {x}, {{"axis", "1"}})), {2, 4});
  ExpectClose(ToDoubles(Run1("nansum", {x}, {{"axis", "0"}})), {1, 0, 6});
  ExpectClose(ToDoubles(Run1("nanprod", {x}, {{"axis", "0"}})), {1, 1, 8});
  ExpectClose(ToDoubles(Run1("sum", {x}, {{"axis", "1"}})), {kNaN, kNaN});
  // max/min propagate NaN, in either position.
  ExpectClose(ToDoubles(Run1("max", {x}, {{"axis", "1"}})), {kNaN, kNaN});
  ExpectClose(ToDoubles(Run1("min", {x}, {{"axis", "0"}})), {kNaN, kNaN, 2});
  const NDArray first = F32({3}, {kNaN, 1, 2});
  ExpectClose(ToDoubles(Run1("max", {first})), {kNaN});
  // nansum over several axes: NaN-skipping applies to the elements, not to partial sums.
  const NDArray cube = F32({2, 2, 2}, {kNaN, 1, 2, 3, 4, kNaN, 5, 6});
  ExpectClose(ToDoubles(Run1("nansum", {cube}, {{"axis", "(0, 2)"}})), {5, 16});
  // Integers have no NaN: nansum is sum.
  EXPECT_EQ(ToDoubles(Run1("nansum", {FromDoubles({2}, DType::kInt32, {3, 4})})),
            (std::vector<double>{7}));
}

TEST(ReduceOp, EmptyInputs) {
  const NDArray e = F32({0, 3}, {});
  EXPECT_EQ(ToDoubles(Run1("sum", {e}, {{"axis", "0"}})), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(ToDoubles(Run1("prod", {e}, {{"axis", "0"}})), (std::vector<double>{1, 1, 1}));
  ExpectClose(ToDoubles(Run1("mean", {e}, {{"axis", "0"}})), {kNaN, kNaN, kNaN});
  EXPECT_EQ(Run1("sum", {e}, {{"axis", "1"}}).shape(), (Shape{0}));
  EXPECT_EQ(ToDoubles(Run1("norm", {e})), (std::vector<double>{0}));
  auto [kind, msg] = CatchError([&] { Run1("max", {e}, {{"axis", "0"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("max"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(0, 3)"), std::string::npos) << msg;
}

TEST(ReduceOp, BadAxesNameTheOpAndShape) {
  const NDArray x = F32({2, 3}, Iota(6));
  auto [kind, msg] = CatchError([&] { Run1("sum", {x}, {{"axis", "2"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_NE(msg.find("sum: axis 2 is out of range for a 2-d input"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([&] { Run1("mean", {x}, {{"axis", "(1, -1)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("mean: duplicate axis"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([&] { Run1("argmax", {x}, {{"axis", "-3"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_NE(msg.find("argmax"), std::string::npos) << msg;
}

TEST(ReduceOp, RequestAddToAndNull) {
  const NDArray x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto add = RunWithReq("sum", {x}, {{"axis", "1"}}, op::OpReq::kAddTo, 10.0);
  EXPECT_EQ(ToDoubles(add.at(0)), (std::vector<double>{16, 25}));
  auto none = RunWithReq("max", {x}, {{"axis", "0"}}, op::OpReq::kNull, 7.0);
  EXPECT_EQ(ToDoubles(none.at(0)), (std::vector<double>{7, 7, 7}));
  auto arg = RunWithReq("argmax", {x}, {{"axis", "1"}}, op::OpReq::kAddTo, 1.0);
  EXPECT_EQ(ToDoubles(arg.at(0)), (std::vector<double>{3, 3}));
  auto nrm = RunWithReq("norm", {x}, {{"ord", "1"}}, op::OpReq::kAddTo, 0.5);
  EXPECT_EQ(ToDoubles(nrm.at(0)), (std::vector<double>{21.5}));
}

TEST(ReduceOp, ArgmaxArgminTiesTakeTheFirstIndex) {
  const NDArray x = F32({2, 3}, {1, 3, 3, 2, 2, 1});
  NDArray am = Run1("argmax", {x}, {{"axis", "1"}});
  EXPECT_EQ(am.dtype(), DType::kFloat32);  // MXNet: indices in the input dtype
  EXPECT_EQ(ToDoubles(am), (std::vector<double>{1, 0}));
  EXPECT_EQ(ToDoubles(Run1("argmin", {x}, {{"axis", "1"}})), (std::vector<double>{0, 2}));
  EXPECT_EQ(ToDoubles(Run1("argmax", {x}, {{"axis", "0"}})), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(ToDoubles(Run1("argmin", {x}, {{"axis", "0"}})), (std::vector<double>{0, 1, 1}));
  // No axis: index into the flattened array, shape (1,) (or all ones with keepdims).
  NDArray flat = Run1("argmax", {x});
  EXPECT_EQ(flat.shape(), (Shape{1}));
  EXPECT_EQ(ToDoubles(flat), (std::vector<double>{1}));
  EXPECT_EQ(Run1("argmin", {x}, {{"keepdims", "True"}}).shape(), (Shape{1, 1}));
  EXPECT_EQ(Run1("argmax", {x}, {{"axis", "1"}, {"keepdims", "True"}}).shape(), (Shape{2, 1}));
  // Integer input gives integer indices; NaN counts as the maximum and minimum (first wins).
  NDArray ai = Run1("argmax", {FromDoubles({4}, DType::kInt32, {5, 9, 9, 1})});
  EXPECT_EQ(ai.dtype(), DType::kInt32);
  EXPECT_EQ(ToDoubles(ai), (std::vector<double>{1}));
  EXPECT_EQ(ToDoubles(Run1("argmax", {F32({4}, {1, kNaN, 3, kNaN})})), (std::vector<double>{1}));
  EXPECT_EQ(ToDoubles(Run1("argmin", {F32({2, 2}, {1, kNaN, 0, 2})}, {{"axis", "0"}})),
            (std::vector<double>{1, 0}));
}

TEST(ReduceOp, ArgmaxMatchesReferenceOnLargeInputs) {
  // Shapes for every kernel path: many rows, many columns, and few long searches split across
  // threads (whose partial results must merge so that ties still pick the first index).
  for (const Shape& s : {Shape{37, 1100}, Shape{1100, 37}, Shape{5, 600, 11}, Shape{3, 30001},
                         Shape{30001, 3}, Shape{2, 9000, 5}}) {
    // Few distinct values: many ties.
    std::vector<double> x = RandomValues(s.Size(), 11, 0, 20, true);
    const NDArray data = F32(s, x);
    for (int axis = 0; axis < s.ndim(); ++axis) {
      const int64_t outer = s.ProdRange(0, axis), n = s[axis],
                    inner = s.ProdRange(axis + 1, s.ndim());
      std::vector<double> want_max, want_min;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          int64_t bmax = 0, bmin = 0;
          for (int64_t k = 1; k < n; ++k) {
            const double v = x[(o * n + k) * inner + i];
            if (v > x[(o * n + bmax) * inner + i]) bmax = k;
            if (v < x[(o * n + bmin) * inner + i]) bmin = k;
          }
          want_max.push_back(static_cast<double>(bmax));
          want_min.push_back(static_cast<double>(bmin));
        }
      }
      const std::string ax = std::to_string(axis);
      const Attrs attrs = {{"axis", ax}};
      EXPECT_EQ(ToDoubles(Run1("argmax", {data}, attrs)), want_max) << s << " " << ax;
      EXPECT_EQ(ToDoubles(Run1("argmin", {data}, attrs)), want_min) << s << " " << ax;
      auto direct = RunWithReq("argmax", {data}, attrs, op::OpReq::kWriteTo, 0.0, 2);
      EXPECT_EQ(ToDoubles(direct.at(0)), want_max) << s << " " << ax << " (2 threads)";
    }
  }
  // The flattened search over a long vector with ties and a NaN late in it.
  std::vector<double> v = RandomValues(100001, 12, 0, 50, true);
  v[77777] = kNaN;
  const NDArray big = F32({100001}, v);
  const int64_t first_max = std::max_element(v.begin(), v.begin() + 77777) - v.begin();
  EXPECT_EQ(ToDoubles(RunWithReq("argmax", {big}, {}, op::OpReq::kWriteTo, 0.0, 2).at(0)),
            (std::vector<double>{77777}));
  v[77777] = 0;
  const NDArray big2 = F32({100001}, v);
  const int64_t first = std::max_element(v.begin(), v.end()) - v.begin();
  EXPECT_LT(first, 77777);  // ties: 49 appears many times; max_element keeps the first
  EXPECT_EQ(first, first_max);
  EXPECT_EQ(ToDoubles(RunWithReq("argmax", {big2}, {}, op::OpReq::kWriteTo, 0.0, 2).at(0)),
            (std::vector<double>{static_cast<double>(first)}));
}

TEST(ReduceOp, NormOrdOneAndTwo) {
  const NDArray x = F32({2, 2}, {3, -4, 0, 12});
  EXPECT_EQ(ToDoubles(Run1("norm", {x})), (std::vector<double>{13}));
  EXPECT_EQ(Run1("norm", {x}).shape(), (Shape{1}));
  EXPECT_EQ(ToDoubles(Run1("norm", {x}, {{"ord", "1"}})), (std::vector<double>{19}));
  EXPECT_EQ(ToDoubles(Run1("norm", {x}, {{"axis", "1"}})), (std::vector<double>{5, 12}));
  EXPECT_EQ(ToDoubles(Run1("norm", {x}, {{"axis", "0"}, {"ord", "1"}})),
            (std::vector<double>{3, 16}));
  NDArray kd = Run1("norm", {x}, {{"axis", "1"}, {"keepdims", "True"}});
  EXPECT_EQ(kd.shape(), (Shape{2, 1}));
  NDArray d = Run1("norm", {x}, {{"out_dtype", "float64"}});
  EXPECT_EQ(d.dtype(), DType::kFloat64);
  EXPECT_EQ(ToDoubles(d), (std::vector<double>{13}));
  // Integer input keeps its dtype (the norm is computed in floating point, then converted).
  EXPECT_EQ(ToDoubles(Run1("norm", {FromDoubles({2}, DType::kInt32, {3, 4})})),
            (std::vector<double>{5}));
  // Reference over a larger random input.
  std::vector<double> v = RandomValues(6 * 500, 5);
  for (double& e : v) e = static_cast<float>(e);
  std::vector<double> l1(6, 0), l2(6, 0);
  for (int r = 0; r < 6; ++r) {
    for (int c = 0; c < 500; ++c) {
      l1[r] += std::fabs(v[r * 500 + c]);
      l2[r] += v[r * 500 + c] * v[r * 500 + c];
    }
    l2[r] = std::sqrt(l2[r]);
  }
  const NDArray big = F32({6, 500}, v);
  ExpectClose(ToDoubles(Run1("norm", {big}, {{"axis", "1"}, {"ord", "1"}})), l1, 1e-6);
  ExpectClose(ToDoubles(Run1("norm", {big}, {{"axis", "1"}})), l2, 1e-6);
  auto [kind, msg] = CatchError([&] { Run1("norm", {x}, {{"ord", "3"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("norm: ord must be 1 or 2, got 3"), std::string::npos) << msg;
}

TEST(ReduceOp, MatchesMXNetFixtures) {
  for (const char* name :
       {"sum_default", "sum_axis1_keepdims", "sum_exclude", "sum_int32", "mean_axis0",
        "mean_axis12_keepdims", "max_last_keepdims", "max_exclude", "min_axis0", "prod_axis1",
        "argmax_axis1", "argmax_axis0_keepdims", "argmin_axis1", "norm_default",
        "norm_ord1_axis1", "norm_ord2_axis1", "norm_axis01_keepdims"}) {
    SCOPED_TRACE(name);
    ExpectFixtureCase(name);
  }
}

}  // namespace
}  // namespace mixnet
