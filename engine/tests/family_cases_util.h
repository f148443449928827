// Runs the cases of /work/shared/fixtures/mxnet-1.9.1/ops.json whose op belongs to a given
// family and compares them with Apache MXNet 1.9.1's outputs (shape, dtype, values within
// rtol 1e-5 / atol 1e-6, as MXNet's own tests use; zeros must also match in sign, which catches
// fix(-0.5) = -0.0). Used by the op-family suites; the full conformance runner is test/conformance.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "elemwise_test_util.h"
#include "json_lite.h"
#include "test_util.h"

namespace mixnet::test::family_cases {

inline void FlattenJson(const json::Value& v, std::vector<double>& out) {
  if (v.kind == json::Value::Kind::kArray) {
    for (const json::Value& item : v.items) FlattenJson(item, out);
  } else {
    out.push_back(v.AsDouble());
  }
}

inline Shape ShapeOfJson(const json::Value& v) {
  Shape s;
  for (const json::Value& d : v.items) s.PushBack(d.AsInt64());
  return s;
}

inline NDArray ArrayOfJson(const json::Value& spec) {
  const DType dtype = ParseDType(spec["dtype"].text);
  const Shape shape = ShapeOfJson(spec["shape"]);
  std::vector<double> data;
  FlattenJson(spec["data"], data);
  NDArray a(shape, Context::CPU(), dtype);
  MX_TYPE_SWITCH(dtype, T, {
    std::vector<uint8_t> bytes(data.size() * sizeof(T));
    T* typed = reinterpret_cast<T*>(bytes.data());
    for (size_t i = 0; i < data.size(); ++i) {
      if constexpr (std::is_arithmetic_v<T>) {
        typed[i] = static_cast<T>(data[i]);
      } else {
        typed[i] = T(static_cast<float>(data[i]));
      }
    }
    a.SyncCopyFromCPU(bytes.data(), data.size());
  });
  return a;
}

inline const json::Value& OpsJson() {
  static const json::Value doc = json::ParseFile(std::string(MIXNET_FIXTURES_DIR) + "/ops.json");
  return doc;
}

// Runs every case whose op is in `family`; returns how many ran.
inline int RunFamilyCases(const std::string& family) {
  int ran = 0;
  for (const json::Value& c : OpsJson()["ops"].items) {
    const std::string op_name = c["op"].text;
    const op::Op* o = op::FindOp(op_name);
    if (o == nullptr || family != o->schema->family) continue;
    SCOPED_TRACE("case " + c["name"].text);
    std::vector<std::string> keys, values;
    for (const auto& [k, v] : c["attrs"].members) {
      keys.push_back(k);
      values.push_back(v.text);
    }
    Attrs attrs;
    for (size_t i = 0; i < keys.size(); ++i) attrs.emplace_back(keys[i], values[i]);
    std::vector<NDArray> inputs;
    for (const json::Value& in : c["inputs"].items) inputs.push_back(ArrayOfJson(in));
    const std::vector<NDArray> outs = op::Invoke(op_name, inputs, attrs);
    const json::Value& want_outs = c["outputs"];
    EXPECT_EQ(outs.size(), want_outs.items.size());
    if (outs.size() != want_outs.items.size()) continue;
    for (size_t i = 0; i < outs.size(); ++i) {
      const json::Value& want = want_outs.items[i];
      EXPECT_EQ(outs[i].shape(), ShapeOfJson(want["shape"]));
      EXPECT_STREQ(DTypeName(outs[i].dtype()), want["dtype"].text.c_str());
      std::vector<double> expected;
      FlattenJson(want["data"], expected);
      const std::vector<double> got = AsDoubles(outs[i]);
      ExpectAllClose(got, expected, 1e-5, 1e-6, op_name);
      for (size_t j = 0; j < got.size() && j < expected.size(); ++j) {
        if (expected[j] == 0 && got[j] == 0) {
          EXPECT_EQ(std::signbit(got[j]), std::signbit(expected[j])) << op_name << " [" << j << "]";
        }
      }
    }
    ++ran;
  }
  return ran;
}

}  // namespace mixnet::test::family_cases
