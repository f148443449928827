// Helpers for the creation / random / unary / binary op tests: read any dtype back as doubles,
// compare with tolerances (NaN equals NaN, infinities must match), and call a kernel directly
// with a chosen output request (kAddTo, kNull), which Invoke never passes.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "operator/op.h"
#include "test_util.h"

namespace mixnet::test {

// Every element of `a` converted to double (float16/bfloat16 widened exactly).
inline std::vector<double> AsDoubles(const NDArray& a) {
  std::vector<double> out;
  if (a.dtype() == DType::kBool) {
    for (bool b : Values<bool>(a)) out.push_back(b ? 1.0 : 0.0);
    return out;
  }
  MX_TYPE_SWITCH(a.dtype(), T, {
    if constexpr (!std::is_same_v<T, bool>) {
      for (const T& x : Values<T>(a)) {
        if constexpr (std::is_arithmetic_v<T>) {
          out.push_back(static_cast<double>(x));
        } else {
          out.push_back(static_cast<double>(static_cast<float>(x)));
        }
      }
    }
  });
  return out;
}

// |got - want| <= atol + rtol * |want| element-wise; NaN matches NaN, inf matches same-sign inf.
inline void ExpectAllClose(const std::vector<double>& got, const std::vector<double>& want,
                           double rtol, double atol, const std::string& what = "") {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i];
    const double w = want[i];
    if (std::isnan(w)) {
      EXPECT_TRUE(std::isnan(g)) << what << " [" << i << "]: got " << g << ", want nan";
    } else if (std::isinf(w)) {
      EXPECT_EQ(g, w) << what << " [" << i << "]";
    } else {
      EXPECT_NEAR(g, w, atol + rtol * std::fabs(w)) << what << " [" << i << "]";
    }
  }
}

// Runs op's kernel synchronously on caller-owned blobs with the given request for output 0.
inline void RunKernel(std::string_view op_name, const Attrs& attrs, std::vector<TBlob> in,
                      std::vector<TBlob> out, op::OpReq req, int nthreads = 1) {
  const op::Op* o = op::FindOp(op_name);
  ASSERT_NE(o, nullptr) << op_name;
  auto param = o->schema->parse(op::AttrList(attrs));
  op::RandomState rng;
  std::vector<op::OpReq> reqs(out.size(), req);
  op::OpContext ctx;
  ctx.nthreads = nthreads;
  ctx.rng = &rng;
  ctx.req = reqs;
  ctx.op_name = o->name();
  o->kernel.forward(*param, ctx, in, out);
}

template <typename T>
TBlob BlobOf(std::vector<T>& v, const Shape& s) {
  return TBlob{v.data(), s, DTypeOf<T>::value};
}

// The kind of the mixnet::Error that fn throws (kInternal if it throws none), and its message.
template <typename Fn>
std::pair<ErrorKind, std::string> CatchError(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return {e.kind(), e.what()};
  }
  ADD_FAILURE() << "expected a mixnet::Error";
  return {ErrorKind::kInternal, ""};
}

}  // namespace mixnet::test
