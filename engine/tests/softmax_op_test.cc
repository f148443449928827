// softmax family forward: softmax / log_softmax / softmin against a plain-loop reference over
// every axis, temperature, output dtype and use_length; SoftmaxOutput's layouts and
// softmax_cross_entropy's value; MXNet 1.9.1's ops.json cases; bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "grad_check_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

// softmax of x (shape dims) along axis; kind 0 softmax, 1 log_softmax, 2 softmin; lengths (one
// per slice, slices ordered as the data without axis) or empty.
std::vector<double> Reference(const std::vector<double>& x, const std::vector<int64_t>& dims,
                              int axis, int kind, double t, const std::vector<int64_t>& lengths) {
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= dims[i];
  for (size_t i = axis + 1; i < dims.size(); ++i) inner *= dims[i];
  const int64_t m = dims[axis];
  std::vector<double> y(x.size(), 0.0);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < inner; ++k) {
      const int64_t len = lengths.empty() ? m : lengths[o * inner + k];
      double sum = 0;
      for (int64_t j = 0; j < len; ++j) {
        const double v = x[(o * m + j) * inner + k] * (kind == 2 ? -1 : 1) / t;
        sum += std::exp(v);
      }
      for (int64_t j = 0; j < len; ++j) {
        const double v = x[(o * m + j) * inner + k] * (kind == 2 ? -1 : 1) / t;
        y[(o * m + j) * inner + k] = kind == 1 ? v - std::log(sum) : std::exp(v) / sum;
      }
    }
  }
  return y;
}

const char* const kOps[] = {"softmax", "log_softmax", "softmin"};

TEST(SoftmaxOps, EveryAxisAndTemperatureMatchesReference) {
  const std::vector<int64_t> dims{2, 3, 4};
  NDArray xa = RandomArray({2, 3, 4}, DType::kFloat64, -3, 3, 17);
  const std::vector<double> x = ValuesAsDouble(xa);
  for (int kind = 0; kind < 3; ++kind) {
    for (int axis = -3; axis < 3; ++axis) {
      for (const char* t : {"None", "2.5", "0.5"}) {
        const std::string a = std::to_string(axis);
        const std::vector<double> got =
            Values<double>(Run1(kOps[kind], {xa}, {{"axis", a}, {"temperature", t}}));
        const double tv = std::string(t) == "None" ? 1.0 : std::stod(t);
        ExpectAllClose(got, Reference(x, dims, axis < 0 ? axis + 3 : axis, kind, tv, {}), 1e-12,
                       1e-13, std::string(kOps[kind]) + " axis " + a + " t " + t);
      }
    }
  }
}

TEST(SoftmaxOps, LargeRowsUseManyThreadsAndStayStable) {
  // Large magnitudes: exp would overflow without subtracting the maximum.
  NDArray x = Array<float>({1, 3}, {1000, 1001, 1002});
  const std::vector<float> y = Values<float>(Run1("softmax", {x}));
  const double e1 = std::exp(-1.0), e2 = std::exp(-2.0), s = 1 + e1 + e2;
  ExpectAllClose({y[0], y[1], y[2]}, {e2 / s, e1 / s, 1 / s}, 1e-6, 1e-7, "stable");
  const std::vector<float> l = Values<float>(Run1("log_softmax", {x}));
  EXPECT_NEAR(l[2], -std::log(s), 1e-5);
  // A big strided case (axis 0 of (7, 5000)) against the reference.
  NDArray big = RandomArray({7, 5000}, DType::kFloat64, -5, 5, 3);
  ExpectAllClose(Values<double>(Run1("softmax", {big}, {{"axis", "0"}})),
                 Reference(ValuesAsDouble(big), {7, 5000}, 0, 0, 1, {}), 1e-12, 1e-14, "big");
}

TEST(SoftmaxOps, OutputDtype) {
  NDArray x = RandomArray({3, 4}, DType::kFloat32, -2, 2, 5);
  const std::vector<double> want = Reference(ValuesAsDouble(x), {3, 4}, 1, 0, 1, {});
  NDArray y64 = Run1("softmax", {x}, {{"dtype", "float64"}});
  EXPECT_EQ(y64.dtype(), DType::kFloat64);
  ExpectAllClose(Values<double>(y64), want, 1e-6, 1e-7, "float64 out");
  NDArray y16 = Run1("softmax", {x}, {{"dtype", "float16"}});
  EXPECT_EQ(y16.dtype(), DType::kFloat16);
  ExpectAllClose(AsDoubles(y16), want, 2e-3, 1e-4, "float16 out");
  EXPECT_EQ(Run1("log_softmax", {x}).dtype(), DType::kFloat32);
}

TEST(SoftmaxOps, UseLengthMasksTheTail) {
  NDArray x = RandomArray({2, 5}, DType::kFloat64, -2, 2, 9);
  const std::vector<double> xv = ValuesAsDouble(x);
  for (int kind = 0; kind < 3; ++kind) {
    // Lengths along the last axis: one per row; 0 gives a zero row; over-long clamps.
    NDArray len = Array<int32_t>({2}, {3, 0});
    std::vector<double> got =
        Values<double>(Run1(kOps[kind], {x, len}, {{"use_length", "True"}}));
    ExpectAllClose(got, Reference(xv, {2, 5}, 1, kind, 1, {3, 0}), 1e-12, 1e-13, kOps[kind]);
    // Along axis 0 with int64 lengths, one per column, and a temperature.
    NDArray len0 = Array<int64_t>({5}, {1, 2, 2, 1, 2});
    got = Values<double>(Run1(kOps[kind], {x, len0},
                              {{"use_length", "True"}, {"axis", "0"}, {"temperature", "3"}}));
    ExpectAllClose(got, Reference(xv, {2, 5}, 0, kind, 3, {1, 2, 2, 1, 2}), 1e-12, 1e-13,
                   std::string(kOps[kind]) + " axis 0");
  }
}

TEST(SoftmaxOps, BadInput) {
  NDArray x = Array<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  for (const char* op : kOps) {
    auto axis = CatchError([&] { Run1(op, {x}, {{"axis", "2"}}); });
    EXPECT_EQ(axis.first, ErrorKind::kValueError);
    EXPECT_NE(axis.second.find(op), std::string::npos) << axis.second;
    EXPECT_NE(axis.second.find("axis"), std::string::npos) << axis.second;
    EXPECT_EQ(CatchError([&] { Run1(op, {x}, {{"axis", "-3"}}); }).first, ErrorKind::kValueError);
    // The length input: required with use_length, forbidden without; shape and dtype checked.
    EXPECT_EQ(CatchError([&] { Run1(op, {x}, {{"use_length", "True"}}); }).first,
              ErrorKind::kValueError);
    EXPECT_EQ(CatchError([&] { Run1(op, {x, Array<int32_t>({2}, {1, 1})}); }).first,
              ErrorKind::kValueError);
    auto shape = CatchError(
        [&] { Run1(op, {x, Array<int32_t>({3}, {1, 1, 1})}, {{"use_length", "True"}}); });
    EXPECT_EQ(shape.first, ErrorKind::kValueError);
    EXPECT_NE(shape.second.find("length"), std::string::npos) << shape.second;
    EXPECT_EQ(CatchError([&] {
                Run1(op, {x, Array<float>({2}, {1, 1})}, {{"use_length", "True"}});
              }).first,
              ErrorKind::kTypeError);
    EXPECT_EQ(CatchError([&] { Run1(op, {Array<int32_t>({2}, {1, 2})}); }).first,
              ErrorKind::kTypeError);
    auto dt = CatchError([&] { Run1(op, {x}, {{"dtype", "int32"}}); });
    EXPECT_NE(dt.second.find("dtype"), std::string::npos) << dt.second;
  }
  // Zero-size data is fine.
  NDArray empty(Shape{0, 4}, Context::CPU(), DType::kFloat32);
  EXPECT_EQ(Run1("softmax", {empty}).shape(), (Shape{0, 4}));
}

TEST(SoftmaxOps, SoftmaxOutputLayouts) {
  NDArray x = RandomArray({2, 3, 2}, DType::kFloat64, -2, 2, 21);
  const std::vector<double> xv = ValuesAsDouble(x);
  // multi_output: classes on axis 1; labels (2, 2) or (2, 2) flattened.
  NDArray lab = Array<double>({2, 2}, {0, 1, 2, 0});
  ExpectAllClose(Values<double>(Run1("SoftmaxOutput", {x, lab}, {{"multi_output", "True"}})),
                 Reference(xv, {2, 3, 2}, 1, 0, 1, {}), 1e-12, 1e-13, "multi_output");
  // preserve_shape: the last axis; labels (2, 3).
  NDArray lab2 = Array<double>({2, 3}, {0, 1, 1, 0, 1, 0});
  ExpectAllClose(Values<double>(Run1("Softmax", {x, lab2}, {{"preserve_shape", "True"}})),
                 Reference(xv, {2, 3, 2}, 2, 0, 1, {}), 1e-12, 1e-13, "preserve_shape");
  // Default: (n, k) rows.
  NDArray x2 = RandomArray({3, 4}, DType::kFloat32, -2, 2, 22);
  ExpectAllClose(AsDoubles(Run1("SoftmaxOutput", {x2, Array<float>({3}, {0, 1, 3})})),
                 Reference(ValuesAsDouble(x2), {3, 4}, 1, 0, 1, {}), 1e-6, 1e-7, "default");
  // Label shape mismatch names the op and both shapes.
  auto bad = CatchError([&] { Run1("SoftmaxOutput", {x2, Array<float>({4}, {0, 1, 2, 3})}); });
  EXPECT_EQ(bad.first, ErrorKind::kValueError);
  EXPECT_NE(bad.second.find("SoftmaxOutput"), std::string::npos) << bad.second;
  EXPECT_NE(bad.second.find("(4,)"), std::string::npos) << bad.second;
  EXPECT_EQ(CatchError([&] {
              Run1("SoftmaxOutput", {x, Array<double>({2, 3}, {0, 0, 0, 0, 0, 0})},
                   {{"multi_output", "True"}});
            }).first,
            ErrorKind::kValueError);
  auto norm = CatchError([&] {
    Run1("SoftmaxOutput", {x2, Array<float>({3}, {0, 0, 0})}, {{"normalization", "all"}});
  });
  EXPECT_NE(norm.second.find("normalization"), std::string::npos) << norm.second;
}

TEST(SoftmaxOps, SoftmaxCrossEntropyValue) {
  NDArray x = Array<double>({2, 3}, {1, 2, 3, 0, 0, 0});
  NDArray label = Array<double>({2}, {2, 1});
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const double want = (lse0 - 3) + std::log(3.0);
  NDArray y = Run1("softmax_cross_entropy", {x, label});
  EXPECT_EQ(y.shape(), (Shape{1}));
  EXPECT_NEAR(Values<double>(y)[0], want, 1e-12);
  auto bad = CatchError([&] { Run1("softmax_cross_entropy", {x, Array<double>({3}, {0, 0, 0})}); });
  EXPECT_EQ(bad.first, ErrorKind::kValueError);
  EXPECT_NE(bad.second.find("label"), std::string::npos) << bad.second;
  EXPECT_EQ(CatchError([&] {
              Run1("softmax_cross_entropy", {Array<double>({3}, {0, 0, 0}), label});
            }).first,
            ErrorKind::kValueError);
}

TEST(SoftmaxOps, OpsJsonCasesMatch) {
  // softmax 2, log_softmax 1, softmin 1, SoftmaxOutput 1, softmax_cross_entropy 1.
  EXPECT_EQ(family_cases::RunFamilyCases("softmax"), 6);
}

}  // namespace
}  // namespace mixnet::test
