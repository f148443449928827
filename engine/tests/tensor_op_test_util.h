// Helpers for the reduce / linalg / shape / indexing op tests: arrays of any dtype from and to
// doubles, tolerance checks, direct kernel calls with a chosen OpReq (Invoke always writes), and
// running Apache MXNet 1.9.1 cases from the shared fixture ops.json.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "json_lite.h"
#include "operator/op.h"
#include "test_util.h"

namespace mixnet::test::tensor {

namespace detail {
template <typename T>
double ElementToDouble(T x) {
  if constexpr (std::is_arithmetic_v<T>) {
    return static_cast<double>(x);
  } else {
    return static_cast<double>(static_cast<float>(x));
  }
}

template <typename T>
T DoubleToElement(double x) {
  if constexpr (std::is_arithmetic_v<T>) {
    return static_cast<T>(x);
  } else {
    return T(static_cast<float>(x));
  }
}

// (unique_ptr buffers, not std::vector: std::vector<bool> has no data().)
template <typename T>
std::vector<double> ReadAll(const NDArray& a) {
  const size_t n = static_cast<size_t>(a.Size());
  std::unique_ptr<T[]> buf(new T[n]);
  a.SyncCopyToCPU(buf.get(), n);
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = ElementToDouble(buf[i]);
  return out;
}

template <typename T>
void WriteAll(const NDArray& a, const std::vector<double>& values) {
  std::unique_ptr<T[]> buf(new T[values.size()]);
  for (size_t i = 0; i < values.size(); ++i) buf[i] = DoubleToElement<T>(values[i]);
  a.SyncCopyFromCPU(buf.get(), values.size());
}
}  // namespace detail

// Every element as double (16-bit floats widened exactly).
inline std::vector<double> ToDoubles(const NDArray& a) {
  std::vector<double> out;
  MX_TYPE_SWITCH(a.dtype(), T, { out = detail::ReadAll<T>(a); });
  return out;
}

// An array of dtype holding `values` converted with static_cast (through float for 16-bit).
inline NDArray FromDoubles(const Shape& shape, DType dtype, const std::vector<double>& values) {
  NDArray a(shape, Context::CPU(), dtype);
  EXPECT_EQ(static_cast<int64_t>(values.size()), shape.Size());
  MX_TYPE_SWITCH(dtype, T, { detail::WriteAll<T>(a, values); });
  return a;
}

inline NDArray F32(const Shape& shape, const std::vector<double>& values) {
  return FromDoubles(shape, DType::kFloat32, values);
}

// 0, 1, 2, ... (n values) times scale plus offset.
inline std::vector<double> Iota(int64_t n, double scale = 1.0, double offset = 0.0) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = offset + scale * static_cast<double>(i);
  return v;
}

// Uniform values in [lo, hi), reproducible from seed; `integral` rounds them down.
inline std::vector<double> RandomValues(int64_t n, uint32_t seed, double lo = -1.0,
                                        double hi = 1.0, bool integral = false) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& x : v) x = integral ? std::floor(dist(gen)) : dist(gen);
  return v;
}

// |got - want| <= atol + rtol * |want|; NaN matches NaN, infinities must match exactly.
inline void ExpectClose(const std::vector<double>& got, const std::vector<double>& want,
                        double rtol = 1e-5, double atol = 1e-6, const std::string& what = "") {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " [" << i << "]: got " << got[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << what << " [" << i << "]";
    } else {
      EXPECT_NEAR(got[i], want[i], atol + rtol * std::fabs(want[i])) << what << " [" << i << "]";
    }
  }
}

// Runs op's kernel synchronously (inference, then forward) with `req` for every output; the
// outputs are created from inference and pre-filled with `initial` (one value broadcast).
inline std::vector<NDArray> RunWithReq(std::string_view op_name, const std::vector<NDArray>& in,
                                       const Attrs& attrs, op::OpReq req, double initial,
                                       int nthreads = 2) {
  const op::Op* o = op::FindOp(op_name);
  EXPECT_NE(o, nullptr) << op_name;
  if (o == nullptr) return {};
  auto param = o->schema->parse(op::AttrList(attrs));
  op::InferIO io;
  for (const NDArray& a : in) {
    io.in_shapes.push_back(a.shape());
    io.in_types.push_back(a.dtype());
  }
  o->kernel.infer(*param, io);
  std::vector<NDArray> out;
  std::vector<TBlob> in_blobs, out_blobs;
  for (const NDArray& a : in) {
    a.WaitToRead();
    in_blobs.push_back(a.blob());
  }
  for (size_t i = 0; i < io.out_shapes.size(); ++i) {
    out.push_back(FromDoubles(io.out_shapes[i], io.out_types[i],
                              std::vector<double>(io.out_shapes[i].Size(), initial)));
    out_blobs.push_back(out.back().blob());
  }
  std::vector<op::OpReq> reqs(out.size(), req);
  op::OpContext ctx;
  ctx.nthreads = nthreads;
  ctx.req = reqs;
  ctx.op_name = o->name();
  o->kernel.forward(*param, ctx, in_blobs, out_blobs);
  return out;
}

// The kind and message of the mixnet::Error fn throws; kInternal and "" when it throws none.
template <typename Fn>
std::pair<ErrorKind, std::string> CatchError(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return {e.kind(), e.what()};
  }
  return {ErrorKind::kInternal, ""};
}

// ---- Apache MXNet 1.9.1 fixture cases (shared/fixtures/mxnet-1.9.1/ops.json) ---------------

inline const json::Value& FixtureOps() {
  static const json::Value doc = json::ParseFile(std::string(MIXNET_FIXTURES_DIR) + "/ops.json");
  return doc["ops"];
}

inline void Flatten(const json::Value& v, std::vector<double>& out) {
  if (v.kind == json::Value::Kind::kArray) {
    for (const auto& item : v.items) Flatten(item, out);
  } else if (v.kind == json::Value::Kind::kBool) {
    out.push_back(v.boolean ? 1.0 : 0.0);
  } else {
    out.push_back(v.AsDouble());
  }
}

inline NDArray FixtureArray(const json::Value& rec) {
  Shape shape;
  for (const auto& d : rec["shape"].items) shape.PushBack(d.AsInt64());
  std::vector<double> data;
  Flatten(rec["data"], data);
  return FromDoubles(shape, ParseDType(rec["dtype"].text), data);
}

// Runs the named ops.json case through Invoke under its registered op name and compares every
// output's shape and dtype exactly and values with MXNet's tolerance (exact for integers).
inline void ExpectFixtureCase(const std::string& case_name) {
  for (const auto& rec : FixtureOps().items) {
    if (rec["name"].text != case_name) continue;
    std::vector<NDArray> inputs;
    for (const auto& in : rec["inputs"].items) inputs.push_back(FixtureArray(in));
    Attrs attrs;
    for (const auto& [k, v] : rec["attrs"].members) attrs.emplace_back(k, v.text);
    auto outs = Run(rec["op"].text, inputs, attrs);
    const auto& want = rec["outputs"].items;
    ASSERT_EQ(outs.size(), want.size()) << case_name;
    for (size_t i = 0; i < outs.size(); ++i) {
      const NDArray expected = FixtureArray(want[i]);
      EXPECT_EQ(outs[i].shape(), expected.shape()) << case_name << " output " << i;
      EXPECT_EQ(outs[i].dtype(), expected.dtype()) << case_name << " output " << i;
      if (outs[i].shape() != expected.shape() || outs[i].dtype() != expected.dtype()) continue;
      const bool exact = !IsFloatingDType(expected.dtype());
      ExpectClose(ToDoubles(outs[i]), ToDoubles(expected), exact ? 0.0 : 1e-5,
                  exact ? 0.0 : 1e-6, case_name + " output " + std::to_string(i));
    }
    return;
  }
  ADD_FAILURE() << "no ops.json case named " << case_name;
}

}  // namespace mixnet::test::tensor
