// Shape ops: Reshape (every special code, with MXNet's documented examples), Flatten,
// expand_dims, squeeze, transpose, Concat, stack, split, slice, slice_axis, reverse, tile,
// repeat, clip, Cast, _copy and where, against reference loops written here, hand-computed
// values and MXNet 1.9.1's outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tensor_op_test_util.h"

namespace mixnet {
namespace {

using test::Attrs;

using test::Run1;
using namespace test::tensor;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Row-major strides of s.
std::vector<int64_t> Strides(const Shape& s) {
  std::vector<int64_t> st(s.ndim(), 1);
  for (int i = s.ndim() - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

// Visits every multi-index of s in row-major order.
template <typename Fn>
void ForEachIndex(const Shape& s, Fn&& fn) {
  std::vector<int64_t> idx(s.ndim(), 0);
  for (int64_t flat = 0; flat < s.Size(); ++flat) {
    fn(idx);
    for (int i = s.ndim() - 1; i >= 0; --i) {
      if (++idx[i] < s[i]) break;
      idx[i] = 0;
    }
  }
}

// ---- Reshape --------------------------------------------------------------------------------

Shape ReshapeTo(const Shape& in, const std::string& shape, bool reverse = false) {
  Attrs attrs = {{"shape", shape}};
  if (reverse) attrs.emplace_back("reverse", "True");
  const NDArray x = F32(in, Iota(in.Size()));
  NDArray y = Run1("Reshape", {x}, attrs);
  EXPECT_EQ(ToDoubles(y), Iota(in.Size())) << "Reshape keeps the row-major order";
  return y.shape();
}

TEST(ShapeOp, ReshapeSpecialCodesMXNetDocExamples) {
  const Shape s{2, 3, 4};
  EXPECT_EQ(ReshapeTo(s, "(4, 0, 2)"), (Shape{4, 3, 2}));
  EXPECT_EQ(ReshapeTo(s, "(2, 0, 0)"), (Shape{2, 3, 4}));
  EXPECT_EQ(ReshapeTo(s, "(6, 1, -1)"), (Shape{6, 1, 4}));
  EXPECT_EQ(ReshapeTo(s, "(3, -1, 8)"), (Shape{3, 1, 8}));
  EXPECT_EQ(ReshapeTo(s, "(-1,)"), (Shape{24}));
  EXPECT_EQ(ReshapeTo(s, "(-2,)"), (Shape{2, 3, 4}));
  EXPECT_EQ(ReshapeTo(s, "(2, -2)"), (Shape{2, 3, 4}));
  EXPECT_EQ(ReshapeTo(s, "(-2, 1, 1)"), (Shape{2, 3, 4, 1, 1}));
  EXPECT_EQ(ReshapeTo(s, "(-3, 4)"), (Shape{6, 4}));
  EXPECT_EQ(ReshapeTo({2, 3, 4, 5}, "(-3, -3)"), (Shape{6, 20}));
  EXPECT_EQ(ReshapeTo(s, "(0, -3)"), (Shape{2, 12}));
  EXPECT_EQ(ReshapeTo(s, "(-3, -2)"), (Shape{6, 4}));
  EXPECT_EQ(ReshapeTo(s, "(-4, 1, 2, -2)"), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(ReshapeTo(s, "(2, -4, -1, 3, -2)"), (Shape{2, 1, 3, 4}));
  // reverse matches the codes from the right.
  EXPECT_EQ(ReshapeTo({10, 5, 4}, "(-1, 0)"), (Shape{40, 5}));
  EXPECT_EQ(ReshapeTo({10, 5, 4}, "(-1, 0)", true), (Shape{50, 4}));
  // Zero-size arrays reshape too.
  EXPECT_EQ(ReshapeTo({0, 3}, "(3, 0, -1)"), (Shape{3, 3, 0}));
  EXPECT_EQ(ReshapeTo({0, 3}, "(-1, 3)"), (Shape{0, 3}));
  // The alias.
  EXPECT_EQ(Run1("reshape", {F32({2, 3}, Iota(6))}, {{"shape", "(3, 2)"}}).shape(), (Shape{3, 2}));
}

TEST(ShapeOp, ReshapeLegacyTargetShape) {
  const NDArray x = F32({2, 3, 4}, Iota(24));
  EXPECT_EQ(Run1("Reshape", {x}, {{"target_shape", "(0, 4)"}}).shape(), (Shape{6, 4}));
  EXPECT_EQ(Run1("Reshape", {x}, {{"target_shape", "(5, 0)"}, {"keep_highest", "True"}}).shape(),
            (Shape{2, 12}));
  EXPECT_EQ(Run1("Reshape", {x}, {{"target_shape", "(4, 6)"}}).shape(), (Shape{4, 6}));
}

TEST(ShapeOp, ReshapeErrorsNameTheShapes) {
  const NDArray x = F32({2, 3}, Iota(6));
  auto [kind, msg] = CatchError([&] { Run1("Reshape", {x}, {{"shape", "(4, 2)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("Reshape: cannot reshape array of shape (2, 3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(4, 2)"), std::string::npos) << msg;
  for (const char* bad : {"(-1, -1)", "(0, 0, 0)", "(-3, -3)", "(-4, 2)", "(-4, -1, -1)",
                          "(-4, 4, 2)", "(-5, 6)", "(-1, 4)", "(5, -1)"}) {
    std::tie(kind, msg) = CatchError([&] { Run1("Reshape", {x}, {{"shape", bad}}); });
    EXPECT_EQ(kind, ErrorKind::kValueError) << bad;
    EXPECT_NE(msg.find("Reshape"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << bad << ": " << msg;
  }
}

TEST(ShapeOp, FlattenExpandDimsSqueezeCopy) {
  const NDArray x = F32({2, 3, 4}, Iota(24));
  NDArray f = Run1("Flatten", {x});
  EXPECT_EQ(f.shape(), (Shape{2, 12}));
  EXPECT_EQ(ToDoubles(f), Iota(24));
  EXPECT_EQ(Run1("flatten", {F32({5}, Iota(5))}).shape(), (Shape{5, 1}));
  EXPECT_EQ(Run1("expand_dims", {x}, {{"axis", "0"}}).shape(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(Run1("expand_dims", {x}, {{"axis", "3"}}).shape(), (Shape{2, 3, 4, 1}));
  EXPECT_EQ(Run1("expand_dims", {x}, {{"axis", "-1"}}).shape(), (Shape{2, 3, 4, 1}));
  EXPECT_EQ(Run1("expand_dims", {x}, {{"axis", "-4"}}).shape(), (Shape{1, 2, 3, 4}));
  auto [kind, msg] = CatchError([&] { Run1("expand_dims", {x}, {{"axis", "4"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_NE(msg.find("expand_dims: axis 4"), std::string::npos) << msg;
  const NDArray ones = F32({1, 2, 1, 3, 1}, Iota(6));
  EXPECT_EQ(Run1("squeeze", {ones}).shape(), (Shape{2, 3}));
  EXPECT_EQ(Run1("squeeze", {ones}, {{"axis", "(0, -1)"}}).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(Run1("squeeze", {ones}, {{"axis", "2"}}).shape(), (Shape{1, 2, 3, 1}));
  EXPECT_EQ(Run1("squeeze", {F32({1, 1}, {5})}).shape(), (Shape{1}));  // MXNet 1.x: never 0-d
  std::tie(kind, msg) = CatchError([&] { Run1("squeeze", {ones}, {{"axis", "1"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("squeeze"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(1, 2, 1, 3, 1)"), std::string::npos) << msg;
  NDArray c = Run1("_copy", {x});
  EXPECT_FALSE(c.SharesStorageWith(x));
  EXPECT_EQ(ToDoubles(c), Iota(24));
  EXPECT_EQ(ToDoubles(Run1("identity", {x})), Iota(24));
  // Copies of this kind may run inline on the pushing thread.
  for (const char* name : {"Reshape", "Flatten", "expand_dims", "squeeze", "_copy"}) {
    EXPECT_TRUE(op::FindOp(name)->kernel.cheap) << name;
  }
  auto add = RunWithReq("Reshape", {F32({2, 2}, {1, 2, 3, 4})}, {{"shape", "(4,)"}},
                        op::OpReq::kAddTo, 10);
  EXPECT_EQ(ToDoubles(add.at(0)), (std::vector<double>{11, 12, 13, 14}));
}

// ---- transpose ------------------------------------------------------------------------------

std::vector<double> RefTranspose(const Shape& s, const std::vector<double>& x,
                                 const std::vector<int>& perm) {
  Shape out;
  for (int a : perm) out.PushBack(s[a]);
  const auto in_st = Strides(s);
  std::vector<double> y;
  ForEachIndex(out, [&](const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t i = 0; i < perm.size(); ++i) off += idx[i] * in_st[perm[i]];
    y.push_back(x[off]);
  });
  return y;
}

std::string PermText(const std::vector<int>& p) {
  std::string s = "(";
  for (size_t i = 0; i < p.size(); ++i) s += (i ? ", " : "") + std::to_string(p[i]);
  return s + (p.size() == 1 ? ",)" : ")");
}

TEST(ShapeOp, TransposeEveryPermutationMatchesReference) {
  // (The larger shapes also exercise the 8 x 8 register blocks and their ragged edges.)
  for (const Shape& s : {Shape{2, 3, 4, 5}, Shape{3, 1, 7, 2}, Shape{33, 1, 35, 1},
                         Shape{9, 17, 24}, Shape{16, 3, 8, 5}}) {
    const std::vector<double> x = Iota(s.Size());
    const NDArray data = F32(s, x);
    std::vector<int> perm(s.ndim());
    std::iota(perm.begin(), perm.end(), 0);
    do {
      NDArray y = Run1("transpose", {data}, {{"axes", PermText(perm)}});
      EXPECT_EQ(ToDoubles(y), RefTranspose(s, x, perm)) << s << " axes=" << PermText(perm);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(ShapeOp, TransposeLargeDtypesAndDefaults) {
  // Large 2-d (blocked path, non-multiples of the tile) in several dtypes.
  const Shape s{300, 257};
  const std::vector<double> x = RandomValues(s.Size(), 3, -100, 100, true);
  for (DType t : {DType::kFloat32, DType::kFloat64, DType::kInt32, DType::kInt64, DType::kInt8,
                  DType::kFloat16, DType::kBool}) {
    std::vector<double> xv = x;
    if (t == DType::kInt8) for (double& v : xv) v = std::fmod(v, 100);
    if (t == DType::kBool) for (double& v : xv) v = v > 0;
    NDArray y = Run1("transpose", {FromDoubles(s, t, xv)});
    EXPECT_EQ(y.shape(), (Shape{257, 300}));
    EXPECT_EQ(y.dtype(), t);
    EXPECT_EQ(ToDoubles(y), RefTranspose(s, xv, {1, 0})) << DTypeName(t);
  }
  // Default axes reverse them; negative axes count from the right.
  const Shape s3{2, 3, 4};
  const NDArray d = F32(s3, Iota(24));
  EXPECT_EQ(ToDoubles(Run1("transpose", {d})), RefTranspose(s3, Iota(24), {2, 1, 0}));
  EXPECT_EQ(ToDoubles(Run1("transpose", {d}, {{"axes", "(0, -1, 1)"}})),
            RefTranspose(s3, Iota(24), {0, 2, 1}));
  // A batch of large 2-d transposes, and kAddTo.
  const Shape sb{3, 70, 90};
  const std::vector<double> xb = Iota(sb.Size());
  EXPECT_EQ(ToDoubles(Run1("transpose", {F32(sb, xb)}, {{"axes", "(0, 2, 1)"}})),
            RefTranspose(sb, xb, {0, 2, 1}));
  auto add = RunWithReq("transpose", {F32({2, 3}, Iota(6))}, {}, op::OpReq::kAddTo, 1);
  EXPECT_EQ(ToDoubles(add.at(0)), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  // Errors.
  auto [kind, msg] = CatchError([&] { Run1("transpose", {d}, {{"axes", "(0, 1)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("transpose"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3, 4)"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([&] { Run1("transpose", {d}, {{"axes", "(0, 1, 1)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  std::tie(kind, msg) = CatchError([&] { Run1("transpose", {d}, {{"axes", "(0, 1, 3)"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
}

// ---- Concat / stack / split ----------------------------------------------------------------

TEST(ShapeOp, ConcatAlongEachAxis) {
  const NDArray a = F32({2, 2}, {1, 2, 3, 4});
  const NDArray b = F32({2, 1}, {5, 6});
  const NDArray c = F32({1, 2}, {7, 8});
  NDArray ab = Run1("Concat", {a, b}, {{"dim", "1"}});
  EXPECT_EQ(ab.shape(), (Shape{2, 3}));
  EXPECT_EQ(ToDoubles(ab), (std::vector<double>{1, 2, 5, 3, 4, 6}));
  NDArray ac = Run1("concat", {a, c, c}, {{"dim", "0"}});
  EXPECT_EQ(ac.shape(), (Shape{4, 2}));
  EXPECT_EQ(ToDoubles(ac), (std::vector<double>{1, 2, 3, 4, 7, 8, 7, 8}));
  EXPECT_EQ(ToDoubles(Run1("Concat", {a, b}, {{"dim", "-1"}})), ToDoubles(ab));
  // Default dim is 1; num_args is filled in from the inputs (or checked when given).
  EXPECT_EQ(ToDoubles(Run1("Concat", {a, b}, {{"num_args", "2"}})), ToDoubles(ab));
  // 3-d, integer dtype, many inputs, against a reference.
  std::vector<NDArray> parts;
  std::vector<std::vector<double>> vals;
  for (int i = 0; i < 5; ++i) {
    vals.push_back(Iota(2 * (i + 1) * 3, 1, 100 * i));
    parts.push_back(FromDoubles({2, i + 1, 3}, DType::kInt32, vals.back()));
  }
  NDArray cat = Run1("Concat", parts, {{"dim", "1"}});
  EXPECT_EQ(cat.shape(), (Shape{2, 15, 3}));
  std::vector<double> want;
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < (i + 1) * 3; ++j) want.push_back(vals[i][o * (i + 1) * 3 + j]);
  EXPECT_EQ(ToDoubles(cat), want);
  auto add = RunWithReq("Concat", {a, b}, {{"dim", "1"}, {"num_args", "2"}}, op::OpReq::kAddTo, 1);
  EXPECT_EQ(ToDoubles(add.at(0)), (std::vector<double>{2, 3, 6, 4, 5, 7}));
  // Mismatched dims name the op and the shapes.
  auto [kind, msg] = CatchError([&] { Run1("Concat", {a, c}, {{"dim", "1"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("Concat"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(1, 2)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 2)"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([&] { Run1("Concat", {a, b}, {{"num_args", "3"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  std::tie(kind, msg) = CatchError([&] { Run1("Concat", {a, a}, {{"dim", "2"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  std::tie(kind, msg) = CatchError(
      [&] { Run1("Concat", {a, FromDoubles({2, 2}, DType::kInt32, Iota(4))}, {{"dim", "0"}}); });
  EXPECT_EQ(kind, ErrorKind::kTypeError);
}

TEST(ShapeOp, StackAndSplit) {
  const NDArray a = F32({2, 3}, Iota(6));
  const NDArray b = F32({2, 3}, Iota(6, 1, 10));
  NDArray s0 = Run1("stack", {a, b});
  EXPECT_EQ(s0.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(ToDoubles(s0), (std::vector<double>{0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}));
  NDArray s1 = Run1("stack", {a, b}, {{"axis", "1"}});
  EXPECT_EQ(s1.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(ToDoubles(s1), (std::vector<double>{0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}));
  NDArray s2 = Run1("stack", {a, b}, {{"axis", "-1"}});
  EXPECT_EQ(s2.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(ToDoubles(s2), (std::vector<double>{0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}));
  auto [kind, msg] = CatchError([&] { Run1("stack", {a, F32({3, 2}, Iota(6))}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("stack"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3, 2)"), std::string::npos) << msg;

  // split (SliceChannel): several outputs.
  const NDArray x = F32({2, 6}, Iota(12));
  auto parts = test::Run("split", {x}, {{"num_outputs", "3"}});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(ToDoubles(parts[0]), (std::vector<double>{0, 1, 6, 7}));
  EXPECT_EQ(ToDoubles(parts[2]), (std::vector<double>{4, 5, 10, 11}));
  auto rows = test::Run("SliceChannel", {x}, {{"num_outputs", "2"}, {"axis", "0"},
                                        {"squeeze_axis", "True"}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].shape(), (Shape{6}));
  EXPECT_EQ(ToDoubles(rows[1]), Iota(6, 1, 6));
  std::tie(kind, msg) = CatchError([&] { test::Run("split", {x}, {{"num_outputs", "4"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("SliceChannel"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 6)"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError(
      [&] { test::Run("split", {x}, {{"num_outputs", "3"}, {"squeeze_axis", "True"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  // Stack then split round-trips, large enough for the threaded copy.
  std::vector<double> big = RandomValues(300 * 500, 4);
  NDArray bx = F32({300, 500}, big);
  auto halves = test::Run("split", {bx}, {{"num_outputs", "2"}, {"axis", "1"}});
  NDArray back = Run1("Concat", halves, {{"dim", "1"}});
  ExpectClose(ToDoubles(back), ToDoubles(bx), 0, 0);
}

// ---- slice / slice_axis ----------------------------------------------------------------------

// Python's slice(start, stop, step).indices(len) as a list of indices.
std::vector<int64_t> PySlice(std::optional<int64_t> start, std::optional<int64_t> stop,
                             int64_t step, int64_t len) {
  int64_t lo, hi;
  if (step > 0) {
    lo = !start ? 0 : (*start < 0 ? std::max<int64_t>(0, *start + len) : std::min(*start, len));
    hi = !stop ? len : (*stop < 0 ? std::max<int64_t>(0, *stop + len) : std::min(*stop, len));
  } else {
    lo = !start ? len - 1
                : (*start < 0 ? std::max<int64_t>(-1, *start + len) : std::min(*start, len - 1));
    hi = !stop ? -1 : (*stop < 0 ? std::max<int64_t>(-1, *stop + len) : std::min(*stop, len - 1));
  }
  std::vector<int64_t> out;
  for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step) out.push_back(i);
  return out;
}

std::string OptText(std::optional<int64_t> v) { return v ? std::to_string(*v) : "None"; }

TEST(ShapeOp, SliceMatchesPythonSlicing) {
  const Shape s{5, 6, 4};
  const std::vector<double> x = Iota(s.Size());
  const NDArray data = F32(s, x);
  const auto st = Strides(s);
  const std::vector<std::optional<int64_t>> bounds = {std::nullopt, 0, 1, 3, -1, -2, 7, -9};
  const std::vector<int64_t> steps = {1, 2, -1, -2, 3};
  uint32_t k = 0;
  for (auto b0 : bounds) {
    for (auto e0 : bounds) {
      for (int64_t st0 : steps) {
        // Vary the second axis less exhaustively.
        const auto b1 = bounds[(k * 3) % bounds.size()];
        const auto e1 = bounds[(k * 5 + 1) % bounds.size()];
        const int64_t st1 = steps[(k * 7) % steps.size()];
        ++k;
        const std::string begin = "(" + OptText(b0) + ", " + OptText(b1) + ")";
        const std::string end = "(" + OptText(e0) + ", " + OptText(e1) + ")";
        const std::string step = "(" + std::to_string(st0) + ", " + std::to_string(st1) + ")";
        NDArray y = Run1("slice", {data}, {{"begin", begin}, {"end", end}, {"step", step}});
        const auto i0 = PySlice(b0, e0, st0, s[0]);
        const auto i1 = PySlice(b1, e1, st1, s[1]);
        const std::string what = "begin=" + begin + " end=" + end + " step=" + step;
        ASSERT_EQ(y.shape(), (Shape{static_cast<int64_t>(i0.size()),
                                    static_cast<int64_t>(i1.size()), 4}))
            << what;
        std::vector<double> want;
        for (int64_t a : i0)
          for (int64_t b : i1)
            for (int64_t c = 0; c < 4; ++c) want.push_back(x[a * st[0] + b * st[1] + c]);
        EXPECT_EQ(ToDoubles(y), want) << what;
      }
    }
  }
}

TEST(ShapeOp, SliceDetailsAndSliceAxis) {
  const NDArray x = F32({3, 4}, Iota(12));
  // Negative step on the last axis; "crop" is an alias; step may be omitted.
  NDArray y =
      Run1("crop", {x}, {{"begin", "(0, None)"}, {"end", "(2, None)"}, {"step", "(1, -1)"}});
  EXPECT_EQ(ToDoubles(y), (std::vector<double>{3, 2, 1, 0, 7, 6, 5, 4}));
  EXPECT_EQ(ToDoubles(Run1("slice", {x}, {{"begin", "(1,)"}, {"end", "(3,)"}})), Iota(8, 1, 4));
  auto add =
      RunWithReq("slice", {x}, {{"begin", "(1, 1)"}, {"end", "(2, 3)"}}, op::OpReq::kAddTo, 1);
  EXPECT_EQ(ToDoubles(add.at(0)), (std::vector<double>{6, 7}));
  auto [kind, msg] = CatchError([&] {
    Run1("slice", {x}, {{"begin", "(0, 0)"}, {"end", "(1, 1)"}, {"step", "(1, 0)"}});
  });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("slice: step[1] cannot be 0"), std::string::npos) << msg;
  std::tie(kind, msg) =
      CatchError([&] { Run1("slice", {x}, {{"begin", "(0, 0)"}, {"end", "(1,)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  std::tie(kind, msg) = CatchError(
      [&] { Run1("slice", {x}, {{"begin", "(0, 0, 0)"}, {"end", "(1, 1, 1)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("(3, 4)"), std::string::npos) << msg;

  EXPECT_EQ(ToDoubles(Run1("slice_axis", {x}, {{"axis", "1"}, {"begin", "1"}, {"end", "3"}})),
            (std::vector<double>{1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(ToDoubles(Run1("slice_axis", {x}, {{"axis", "0"}, {"begin", "-1"}, {"end", "None"}})),
            Iota(4, 1, 8));
  EXPECT_EQ(ToDoubles(Run1("slice_axis", {x}, {{"axis", "-1"}, {"begin", "0"}, {"end", "-3"}})),
            (std::vector<double>{0, 4, 8}));
  std::tie(kind, msg) = CatchError(
      [&] { Run1("slice_axis", {x}, {{"axis", "1"}, {"begin", "3"}, {"end", "2"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("slice_axis"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError(
      [&] { Run1("slice_axis", {x}, {{"axis", "1"}, {"begin", "0"}, {"end", "5"}}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
}

// ---- reverse / tile / repeat -----------------------------------------------------------------

TEST(ShapeOp, ReverseTileRepeat) {
  const Shape s{2, 3, 4};
  const std::vector<double> x = Iota(24);
  const NDArray d = F32(s, x);
  const auto st = Strides(s);
  for (const std::string axes : {"0", "1", "2", "(0, 2)", "(0, 1, 2)", "(-1,)"}) {
    std::vector<bool> flip(3, false);
    if (axes == "0") flip[0] = true;
    if (axes == "1") flip[1] = true;
    if (axes == "2" || axes == "(-1,)") flip[2] = true;
    if (axes == "(0, 2)") flip[0] = flip[2] = true;
    if (axes == "(0, 1, 2)") flip = {true, true, true};
    std::vector<double> want;
    ForEachIndex(s, [&](const std::vector<int64_t>& idx) {
      int64_t off = 0;
      for (int i = 0; i < 3; ++i) off += (flip[i] ? s[i] - 1 - idx[i] : idx[i]) * st[i];
      want.push_back(x[off]);
    });
    EXPECT_EQ(ToDoubles(Run1("reverse", {d}, {{"axis", axes}})), want) << axes;
    EXPECT_EQ(ToDoubles(Run1("flip", {d}, {{"axis", axes}})), want) << axes;
  }

  // tile: reps aligned on the right with the shape.
  const NDArray t = F32({2, 3}, Iota(6));
  auto tile_ref = [&](const Shape& in, const std::vector<double>& v, const Shape& out) {
    std::vector<double> w;
    const int pad = out.ndim() - in.ndim();
    ForEachIndex(out, [&](const std::vector<int64_t>& idx) {
      int64_t off = 0;
      for (int i = 0; i < in.ndim(); ++i) off = off * in[i] + idx[i + pad] % in[i];
      w.push_back(v[off]);
    });
    return w;
  };
  NDArray t1 = Run1("tile", {t}, {{"reps", "(2, 2)"}});
  EXPECT_EQ(t1.shape(), (Shape{4, 6}));
  EXPECT_EQ(ToDoubles(t1), tile_ref({2, 3}, Iota(6), {4, 6}));
  NDArray t2 = Run1("tile", {t}, {{"reps", "(3,)"}});
  EXPECT_EQ(t2.shape(), (Shape{2, 9}));
  EXPECT_EQ(ToDoubles(t2), tile_ref({2, 3}, Iota(6), {2, 9}));
  NDArray t3 = Run1("tile", {t}, {{"reps", "(2, 1, 2)"}});
  EXPECT_EQ(t3.shape(), (Shape{2, 2, 6}));
  EXPECT_EQ(ToDoubles(t3), tile_ref({2, 3}, Iota(6), {2, 2, 6}));
  EXPECT_EQ(Run1("tile", {t}, {{"reps", "(0, 2)"}}).shape(), (Shape{0, 6}));

  // repeat.
  NDArray r0 = Run1("repeat", {t}, {{"repeats", "2"}});
  EXPECT_EQ(r0.shape(), (Shape{12}));
  EXPECT_EQ(ToDoubles(r0), (std::vector<double>{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  NDArray r1 = Run1("repeat", {t}, {{"repeats", "2"}, {"axis", "0"}});
  EXPECT_EQ(r1.shape(), (Shape{4, 3}));
  EXPECT_EQ(ToDoubles(r1), (std::vector<double>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  NDArray r2 = Run1("repeat", {t}, {{"repeats", "3"}, {"axis", "-1"}});
  EXPECT_EQ(r2.shape(), (Shape{2, 9}));
  EXPECT_EQ(ToDoubles(r2), (std::vector<double>{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5,
                                                5, 5}));
  EXPECT_EQ(Run1("repeat", {t}, {{"repeats", "0"}, {"axis", "1"}}).shape(), (Shape{0}));
  auto [kind, msg] = CatchError([&] { Run1("repeat", {t}, {{"repeats", "2"}, {"axis", "2"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndexError);
  EXPECT_NE(msg.find("repeat"), std::string::npos) << msg;
}

// ---- clip / Cast / where ---------------------------------------------------------------------

TEST(ShapeOp, ClipCastWhere) {
  NDArray c =
      Run1("clip", {F32({5}, {-2, -0.5, 0.25, 3, kNaN})}, {{"a_min", "-1"}, {"a_max", "1"}});
  ExpectClose(ToDoubles(c), {-1, -0.5, 0.25, 1, kNaN}, 0, 0);
  // Integer data: the bounds are converted to the element type first (truncated).
  NDArray ci = Run1("clip", {FromDoubles({4}, DType::kInt32, {-5, 0, 2, 9})},
                    {{"a_min", "-1.5"}, {"a_max", "2.7"}});
  EXPECT_EQ(ci.dtype(), DType::kInt32);
  EXPECT_EQ(ToDoubles(ci), (std::vector<double>{-1, 0, 2, 2}));

  const NDArray f = F32({7}, {-1.7, -0.5, 0.5, 1.9, 2.5, 255.9, -128.2});
  NDArray i32 = Run1("Cast", {f}, {{"dtype", "int32"}});
  EXPECT_EQ(i32.dtype(), DType::kInt32);
  EXPECT_EQ(ToDoubles(i32), (std::vector<double>{-1, 0, 0, 1, 2, 255, -128}));  // toward zero
  EXPECT_EQ(ToDoubles(Run1("cast", {f}, {{"dtype", "uint8"}})).at(5), 255);
  EXPECT_EQ(ToDoubles(Run1("cast", {f}, {{"dtype", "int8"}})).at(6), -128);
  EXPECT_EQ(ToDoubles(Run1("Cast", {f}, {{"dtype", "bool"}})),
            (std::vector<double>{1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(ToDoubles(Run1("Cast", {F32({3}, {0, -0.0, 2})}, {{"dtype", "bool"}})),
            (std::vector<double>{0, 0, 1}));
  NDArray h = Run1("Cast", {F32({2}, {0.1, 65519})}, {{"dtype", "float16"}});
  EXPECT_EQ(ToDoubles(h), (std::vector<double>{0.0999755859375, 65504}));
  EXPECT_EQ(ToDoubles(Run1("Cast", {FromDoubles({2}, DType::kInt64, {-3, 1 << 20})},
                           {{"dtype", "float64"}})),
            (std::vector<double>{-3, 1 << 20}));
  EXPECT_EQ(Run1("Cast", {f}, {{"dtype", "float32"}}).dtype(), DType::kFloat32);

  const NDArray cond = F32({2, 3}, {1, 0, 1, 0, 0, 2});
  const NDArray x = F32({2, 3}, Iota(6, 1, 10));
  const NDArray y = F32({2, 3}, Iota(6, 1, 20));
  EXPECT_EQ(ToDoubles(Run1("where", {cond, x, y})), (std::vector<double>{10, 21, 12, 23, 24, 15}));
  // A 1-d condition selects whole rows; any dtype works as a condition.
  NDArray rows = Run1("where", {FromDoubles({2}, DType::kInt32, {0, 5}), x, y});
  EXPECT_EQ(ToDoubles(rows), (std::vector<double>{20, 21, 22, 13, 14, 15}));
  auto [kind, msg] = CatchError([&] { Run1("where", {F32({3}, {1, 1, 1}), x, y}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
  EXPECT_NE(msg.find("where"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3,)"), std::string::npos) << msg;
  std::tie(kind, msg) = CatchError([&] { Run1("where", {cond, x, F32({3, 2}, Iota(6))}); });
  EXPECT_EQ(kind, ErrorKind::kValueError);
}

TEST(ShapeOp, ZeroSizeDims) {
  struct Case {
    const char* op;
    std::vector<NDArray> in;
    Attrs attrs;
    Shape want;
  };
  const NDArray e03 = F32({0, 3}, {});
  const NDArray e20 = F32({2, 0}, {});
  const NDArray x23 = F32({2, 3}, Iota(6));
  const std::vector<Case> cases = {
      {"transpose", {e03}, {}, {3, 0}},
      {"Reshape", {e03}, {{"shape", "(-1,)"}}, {0}},
      {"Flatten", {F32({0, 2, 3}, {})}, {}, {0, 6}},
      {"expand_dims", {e03}, {{"axis", "1"}}, {0, 1, 3}},
      {"squeeze", {F32({0, 1}, {})}, {}, {0}},
      {"Concat", {e20, x23}, {{"dim", "1"}, {"num_args", "2"}}, {2, 3}},
      {"Concat", {e03, x23}, {{"dim", "0"}, {"num_args", "2"}}, {2, 3}},
      {"stack", {e03, e03}, {{"num_args", "2"}}, {2, 0, 3}},
      {"slice", {e03}, {{"begin", "(None, 1)"}, {"end", "(None, 3)"}}, {0, 2}},
      {"slice", {x23}, {{"begin", "(1, 2)"}, {"end", "(1, 3)"}}, {0, 1}},
      {"slice_axis", {e03}, {{"axis", "0"}, {"begin", "0"}, {"end", "None"}}, {0, 3}},
      {"reverse", {e03}, {{"axis", "(0, 1)"}}, {0, 3}},
      {"tile", {e03}, {{"reps", "(2, 2)"}}, {0, 6}},
      {"repeat", {e03}, {{"repeats", "2"}, {"axis", "1"}}, {0, 6}},
      {"clip", {e03}, {{"a_min", "0"}, {"a_max", "1"}}, {0, 3}},
      {"Cast", {e03}, {{"dtype", "int32"}}, {0, 3}},
      {"_copy", {e03}, {}, {0, 3}},
      {"where", {e03, e03, e03}, {}, {0, 3}},
  };
  for (const Case& c : cases) {
    // Through Invoke, and straight into the kernel (Invoke skips kernels with empty outputs).
    EXPECT_EQ(Run1(c.op, c.in, c.attrs).shape(), c.want) << c.op;
    auto direct = RunWithReq(c.op, c.in, c.attrs, op::OpReq::kWriteTo, 0);
    ASSERT_EQ(direct.size(), 1u) << c.op;
    EXPECT_EQ(direct[0].shape(), c.want) << c.op;
  }
  // A zero-size input next to a non-empty one contributes nothing.
  auto joined = RunWithReq("Concat", {e20, x23}, {{"dim", "1"}, {"num_args", "2"}},
                           op::OpReq::kWriteTo, -1);
  EXPECT_EQ(ToDoubles(joined.at(0)), Iota(6));
  auto parts = test::Run("split", {e03}, {{"num_outputs", "3"}, {"axis", "1"}});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].shape(), (Shape{0, 1}));
}

TEST(ShapeOp, EveryDtypeMatchesFloat32) {
  // Small integer values are exact in every dtype (0/1 for bool), so each op must give the
  // float32 result converted.
  struct Case {
    const char* op;
    Attrs attrs;
    int inputs;
  };
  const std::vector<Case> cases = {
      {"transpose", {}, 1},
      {"Reshape", {{"shape", "(-1, 2)"}}, 1},
      {"Concat", {{"dim", "0"}}, 2},
      {"stack", {{"axis", "1"}}, 2},
      {"slice", {{"begin", "(None, 2)"}, {"end", "(None, 0)"}, {"step", "(1, -1)"}}, 1},
      {"slice_axis", {{"axis", "1"}, {"begin", "1"}, {"end", "None"}}, 1},
      {"reverse", {{"axis", "(0, 1)"}}, 1},
      {"tile", {{"reps", "(2, 1)"}}, 1},
      {"repeat", {{"repeats", "2"}, {"axis", "0"}}, 1},
      {"clip", {{"a_min", "1"}, {"a_max", "3"}}, 1},
      {"_copy", {}, 1},
      {"expand_dims", {{"axis", "0"}}, 1},
  };
  const std::vector<double> base = {0, 1, 2, 3, 4, 5};
  for (DType t : {DType::kFloat64, DType::kFloat16, DType::kBfloat16, DType::kUint8, DType::kInt8,
                  DType::kInt32, DType::kInt64, DType::kBool}) {
    std::vector<double> v = base;
    if (t == DType::kBool) for (double& x : v) x = std::fmod(x, 2);
    for (const Case& c : cases) {
      std::vector<NDArray> typed(c.inputs, FromDoubles({2, 3}, t, v));
      std::vector<NDArray> f32(c.inputs, F32({2, 3}, v));
      NDArray got = Run1(c.op, typed, c.attrs);
      NDArray want = Run1(c.op, f32, c.attrs);
      EXPECT_EQ(got.dtype(), t) << c.op;
      EXPECT_EQ(got.shape(), want.shape()) << c.op << " " << DTypeName(t);
      std::vector<double> w = ToDoubles(want);
      if (t == DType::kBool) for (double& x : w) x = x != 0;
      EXPECT_EQ(ToDoubles(got), w) << c.op << " " << DTypeName(t);
    }
    // Ops with a second, index-like or condition input of the same dtype.
    const NDArray idx = FromDoubles({2}, t, {1, 0});
    EXPECT_EQ(ToDoubles(Run1("take", {FromDoubles({2, 3}, t, v), idx})),
              ToDoubles(Run1("take", {F32({2, 3}, v), F32({2}, {1, 0})})))
        << DTypeName(t);
    EXPECT_EQ(ToDoubles(Run1("where", {FromDoubles({2}, t, {0, 1}), FromDoubles({2, 3}, t, v),
                                       FromDoubles({2, 3}, t, std::vector<double>(6, 1))})),
              ToDoubles(Run1("where", {F32({2}, {0, 1}), FromDoubles({2, 3}, t, v),
                                       FromDoubles({2, 3}, t, std::vector<double>(6, 1))})))
        << DTypeName(t);
  }
}

TEST(ShapeOp, MatchesMXNetFixtures) {
  for (const char* name :
       {"Reshape_0_-1", "Reshape_-2", "Reshape_-3_-2", "Reshape_-4_1_2_-2",
        "Reshape_0_0_-4_2_-1_-2", "Reshape_-3_-3", "Reshape_-1_5", "Reshape_reverse",
        "transpose_default", "transpose_axes", "expand_dims", "squeeze", "Flatten", "Cast_int32",
        "Cast_float16", "Concat_dim1", "Concat_dim0", "stack_axis1", "stack_axis_last",
        "split_2_axis1", "split_squeeze", "slice_basic", "slice_step", "slice_axis",
        "slice_axis_neg", "tile", "tile_more_dims", "repeat_axis1", "repeat_flat", "flip_axis1",
        "flip_axes01", "where", "where_rows", "clip"}) {
    SCOPED_TRACE(name);
    ExpectFixtureCase(name);
  }
}

}  // namespace
}  // namespace mixnet
