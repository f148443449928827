// Max-pool backward against a plain reference loop: the first maximum of each window (row-major
// order) takes the window's gradient, overlapping windows add, inputs outside every window get
// zero. Covers the 2x2/stride-2 one-pass path (ties, odd extents), the general path (overlap,
// padding, 'full'), 1D, every float dtype, and grad_req add.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "elemwise_test_util.h"
#include "nn_conv_test_ref.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

struct Case {
  int64_t h, w;             // input plane (h = 1 for 1D)
  int64_t kh, kw, sh, sw, ph, pw;
  bool one_d = false;
  std::string convention = "valid";
};

int64_t OutSize(int64_t x, int64_t k, int64_t s, int64_t p, bool full) {
  const int64_t span = x + 2 * p - k;
  return (full ? (span + s - 1) / s : span / s) + 1;
}

// y for one (n, c) plane: each window's maximum (lowest() for a window wholly in padding).
std::vector<double> RefMax(const Case& c, const std::vector<double>& x) {
  const bool full = c.convention == "full";
  const int64_t oh = c.one_d ? 1 : OutSize(c.h, c.kh, c.sh, c.ph, full);
  const int64_t ow = OutSize(c.w, c.kw, c.sw, c.pw, full);
  std::vector<double> y;
  for (int64_t i = 0; i < oh; ++i)
    for (int64_t j = 0; j < ow; ++j) {
      double m = -3.4028234663852886e38;
      for (int64_t a = std::max<int64_t>(0, i * c.sh - c.ph); a < std::min(i * c.sh - c.ph + c.kh, c.h); ++a)
        for (int64_t b = std::max<int64_t>(0, j * c.sw - c.pw); b < std::min(j * c.sw - c.pw + c.kw, c.w); ++b)
          m = std::max(m, x[a * c.w + b]);
      y.push_back(m);
    }
  return y;
}

// dx for one (n, c) plane: the reference rule, in double.
std::vector<double> RefGrad(const Case& c, const std::vector<double>& x, const std::vector<double>& g) {
  const bool full = c.convention == "full";
  const int64_t oh = c.one_d ? 1 : OutSize(c.h, c.kh, c.sh, c.ph, full);
  const int64_t ow = OutSize(c.w, c.kw, c.sw, c.pw, full);
  std::vector<double> dx(x.size(), 0.0);
  for (int64_t i = 0; i < oh; ++i)
    for (int64_t j = 0; j < ow; ++j) {
      int64_t best = -1;
      for (int64_t a = i * c.sh - c.ph; a < std::min(i * c.sh - c.ph + c.kh, c.h + c.ph); ++a)
        for (int64_t b = j * c.sw - c.pw; b < std::min(j * c.sw - c.pw + c.kw, c.w + c.pw); ++b) {
          if (a < 0 || b < 0 || a >= c.h || b >= c.w) continue;
          if (best < 0 || x[a * c.w + b] > x[best]) best = a * c.w + b;
        }
      if (best >= 0) dx[best] += g[i * ow + j];
    }
  return dx;
}

std::string Tuple(int64_t a, int64_t b, bool one_d) {
  return one_d ? "(" + std::to_string(b) + ",)" : "(" + std::to_string(a) + ", " + std::to_string(b) + ")";
}

// Runs Pooling forward + backward on (2, 3, h, w) and compares every plane with RefGrad.
void CheckCase(const Case& c, DType dtype, bool add_twice = false) {
  const int64_t planes = 6, plane = c.h * c.w;
  // Values on a coarse grid so that windows hold ties, exactly representable in every dtype.
  std::vector<double> xv = nn_conv_ref::Values(planes * plane, 31);
  for (double& v : xv) v = static_cast<double>(static_cast<int>(v * 4)) / 4;
  Shape xs = c.one_d ? Shape{2, 3, c.w} : Shape{2, 3, c.h, c.w};
  NDArray x = Run1("Cast", {Array<double>(xs, xv)}, {{"dtype", DTypeName(dtype)}});
  NDArray gx = Run1("zeros_like", {x});
  NDArray* vars[] = {&x};
  autograd::GradReq reqs[] = {add_twice ? autograd::GradReq::kAdd : autograd::GradReq::kWrite};
  NDArray grads[] = {gx};
  autograd::MarkVariables(vars, reqs, grads);
  // Attrs holds views: the strings must outlive it.
  const std::string k = Tuple(c.kh, c.kw, c.one_d), s = Tuple(c.sh, c.sw, c.one_d),
                    p = Tuple(c.ph, c.pw, c.one_d);
  const Attrs attrs{{"kernel", k}, {"stride", s}, {"pad", p}, {"pool_type", "max"},
                    {"pooling_convention", c.convention}};
  std::vector<double> head, y_values;
  for (int pass = 0; pass < (add_twice ? 2 : 1); ++pass) {
    NDArray y;
    const bool prev_rec = autograd::SetRecording(true), prev_train = autograd::SetTraining(true);
    y = Run1("Pooling", {x}, attrs);
    autograd::SetRecording(prev_rec);
    autograd::SetTraining(prev_train);
    head = nn_conv_ref::Values(y.Size(), 32);
    y_values = AsDoubles(y);
    NDArray heads[] = {y};
    NDArray head_grads[] = {Run1("Cast", {Array<double>(y.shape(), head)}, {{"dtype", DTypeName(dtype)}})};
    autograd::Backward(heads, head_grads, false, true);
  }
  const std::vector<double> got = AsDoubles(autograd::GetGrad(x));
  const int64_t out_plane = static_cast<int64_t>(head.size()) / planes;
  const double tol = dtype == DType::kFloat16 || dtype == DType::kBfloat16 ? 2e-2 : 1e-6;
  for (int64_t p = 0; p < planes; ++p) {
    std::vector<double> xp(xv.begin() + p * plane, xv.begin() + (p + 1) * plane);
    std::vector<double> gp(head.begin() + p * out_plane, head.begin() + (p + 1) * out_plane);
    std::vector<double> want = RefGrad(c, xp, gp);
    const std::vector<double> want_y = RefMax(c, xp);
    for (int64_t i = 0; i < out_plane; ++i) {
      if (dtype == DType::kFloat32 || dtype == DType::kFloat64) {  // the grid values are exact here
        EXPECT_EQ(y_values[p * out_plane + i], want_y[i]) << DTypeName(dtype) << " y plane " << p;
      }
    }
    for (int64_t i = 0; i < plane; ++i) {
      EXPECT_NEAR(got[p * plane + i], (add_twice ? 2 : 1) * want[i], tol)
          << DTypeName(dtype) << " plane " << p << " index " << i;
    }
  }
}

TEST(MaxPoolBackward, TwoByTwoStrideTwoWithTiesAndOddExtents) {
  for (DType t : {DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kBfloat16}) {
    CheckCase({8, 8, 2, 2, 2, 2, 0, 0}, t);
    CheckCase({5, 7, 2, 2, 2, 2, 0, 0}, t);  // last row and column lie in no window
    CheckCase({4, 41, 2, 2, 2, 2, 0, 0}, t);  // 20 windows a row: the 8- and 4-wide bodies
    CheckCase({4, 47, 2, 2, 2, 2, 0, 0}, t);  // 23: both bodies, a scalar tail and a spare column
  }
}

TEST(MaxPoolBackward, GeneralWindowsOverlapPadAndFull) {
  for (DType t : {DType::kFloat32, DType::kFloat64}) {
    CheckCase({7, 6, 3, 3, 2, 2, 1, 1}, t);                     // overlapping, padded
    CheckCase({6, 6, 2, 2, 2, 2, 0, 0, false, "full"}, t);      // 2x2 but more windows than pairs
    CheckCase({5, 5, 2, 2, 2, 2, 0, 0, false, "full"}, t);      // last window clipped
    CheckCase({4, 9, 1, 3, 1, 2, 0, 1}, t);                     // rectangular
    CheckCase({1, 9, 1, 3, 1, 2, 0, 1, true}, t);               // 1D
  }
}

TEST(MaxPoolBackward, GradReqAddAccumulates) {
  CheckCase({8, 8, 2, 2, 2, 2, 0, 0}, DType::kFloat32, /*add_twice=*/true);
  CheckCase({4, 41, 2, 2, 2, 2, 0, 0}, DType::kFloat32, /*add_twice=*/true);
  CheckCase({7, 6, 3, 3, 2, 2, 1, 1}, DType::kFloat32, /*add_twice=*/true);
}

}  // namespace
}  // namespace mixnet::test
