// The joined op registry (schemas generated from engine/ops/*.yaml + hand-written kernels):
// lookup by name and alias, the generated parsers, and compatibility with the parameter strings
// Apache MXNet 1.9.1 writes into symbol JSON (shared/fixtures/mxnet-1.9.1/ops.json).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "json_lite.h"
#include "operator/op.h"

namespace mixnet::op {
namespace {

using Attrs = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(OpRegistryTest, FindsOpsByNameAndAlias) {
  const auto& ops = AllOps();
  ASSERT_FALSE(ops.empty());
  for (size_t i = 1; i < ops.size(); ++i)
    EXPECT_LT(std::strcmp(ops[i - 1]->name(), ops[i]->name()), 0) << "AllOps() not sorted/unique";
  for (const Op* op : ops) {
    EXPECT_EQ(FindOp(op->name()), op);
    for (const char* alias : op->schema->aliases) EXPECT_EQ(FindOp(alias), op) << alias;
  }
  EXPECT_EQ(FindOp("no_such_op_anywhere"), nullptr);
  EXPECT_EQ(FindOp(""), nullptr);
}

// Kernels for names no schema declares are internal errors; so are names registered twice.
// (Schemas without kernels are reported too; the per-op coverage test owns that check.)
TEST(OpRegistryTest, NoKernelWithoutSchema) {
  for (const std::string& p : RegistryProblems()) {
    if (p.find("has a schema but no kernel") != std::string::npos) continue;
    ADD_FAILURE() << p;
  }
}

// Every default prints back as the generator printed it into ParamInfo (TypeScript and C++ agree
// on MXNet's string forms), and unknown/hidden keys behave as documented.
TEST(OpRegistryTest, DefaultsRoundTripThroughParseAndToAttrs) {
  for (const Op* op : AllOps()) {
    const OpSchema& s = *op->schema;
    ASSERT_NE(s.parse, nullptr) << s.name;
    ASSERT_NE(s.to_attrs, nullptr) << s.name;
    bool all_defaulted = true;
    for (const ParamInfo& p : s.params) all_defaulted &= p.default_value != nullptr;
    if (!all_defaulted) {
      EXPECT_THROW(s.parse({}), Error) << s.name << ": a required parameter was not enforced";
      continue;
    }
    Attrs hidden = {{"__shape__", "(2, 3)"}, {"__dtype__", "0"}};
    auto parsed = s.parse(hidden);
    auto printed = s.to_attrs(*parsed);
    ASSERT_EQ(printed.size(), s.params.size()) << s.name;
    for (size_t i = 0; i < printed.size(); ++i) {
      EXPECT_EQ(printed[i].first, s.params[i].name) << s.name;
      EXPECT_EQ(printed[i].second, s.params[i].default_value) << s.name << "." << s.params[i].name;
    }
    Attrs unknown = {{"definitely_not_a_param", "1"}};
    try {
      s.parse(unknown);
      ADD_FAILURE() << s.name << " accepted an unknown parameter";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
      EXPECT_NE(std::string(e.what()).find(std::string(s.name) + ": unknown parameter 'definitely_not_a_param'"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(OpRegistryTest, RegistryJSONDescribesTheSchemas) {
  EXPECT_TRUE(std::regex_match(RegistryHash(), std::regex("[0-9a-f]{64}")));
  auto json = test::json::Parse(RegistryJSON());
  const auto& ops = json["ops"].items;
  ASSERT_EQ(ops.size(), AllOps().size());
  for (size_t i = 0; i < ops.size(); ++i) {
    const OpSchema& s = *AllOps()[i]->schema;
    EXPECT_EQ(ops[i]["name"].text, s.name);
    EXPECT_EQ(ops[i]["family"].text, s.family);
    const auto& params = ops[i]["params"].items;
    ASSERT_EQ(params.size(), s.params.size()) << s.name;
    for (size_t j = 0; j < params.size(); ++j) {
      EXPECT_EQ(params[j]["name"].text, s.params[j].name);
      EXPECT_EQ(params[j]["type"].text, s.params[j].type);
      const auto& d = params[j]["default"];
      if (s.params[j].default_value == nullptr) {
        EXPECT_EQ(d.kind, test::json::Value::Kind::kNull) << s.name << "." << s.params[j].name;
      } else {
        EXPECT_EQ(d.text, s.params[j].default_value) << s.name << "." << s.params[j].name;
      }
    }
  }
}

// MXNet's own attribute strings parse, and to_attrs prints each given value back unchanged, so a
// symbol JSON saved by MXNet round-trips through mixnet.
TEST(OpRegistryTest, MXNetAttributeStringsRoundTrip) {
  auto fixture = test::json::ParseFile(std::string(MIXNET_FIXTURES_DIR) + "/ops.json");
  int checked = 0;
  for (const auto& rec : fixture["ops"].items) {
    const Op* op = FindOp(rec["op"].text);
    if (op == nullptr) continue;  // not implemented yet
    Attrs attrs;
    for (const auto& [k, v] : rec["attrs"].members) attrs.emplace_back(k, v.text);
    std::unique_ptr<ParamBase> parsed;
    try {
      parsed = op->schema->parse(attrs);
    } catch (const Error& e) {
      ADD_FAILURE() << rec["name"].text << ": " << e.what();
      continue;
    }
    auto printed = op->schema->to_attrs(*parsed);
    for (const auto& [k, v] : attrs) {
      auto it = std::find_if(printed.begin(), printed.end(), [&](const auto& kv) { return kv.first == k; });
      ASSERT_NE(it, printed.end()) << rec["name"].text << ": " << k;
      // MXNet stores what the caller passed, so a tuple parameter given a bare int (axis=1) reads
      // "1"; mixnet prints the canonical 1-tuple, which MXNet parses back to the same value.
      if (it->second == "(" + std::string(v) + ",)") continue;
      EXPECT_EQ(it->second, v) << rec["name"].text << ": parameter " << k;
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace mixnet::op
