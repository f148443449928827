// The gradient cases of /work/shared/fixtures/mxnet-1.9.1/ops.json ("grads") for nn_basic ops:
// MXNet 1.9.1's input gradients for head gradients of ones, compared with this engine's backward
// kernels (called directly; rtol 1e-5 / atol 1e-6 as for the forward cases).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "elemwise_test_util.h"
#include "family_cases_util.h"
#include "grad_check_util.h"
#include "nn_basic_test_util.h"

namespace mixnet::test {
namespace {

TEST(NnBasicFamily, OpsJsonGradientCasesMatch) {
  int ran = 0;
  for (const json::Value& c : family_cases::OpsJson()["grads"].items) {
    const op::Op* o = op::FindOp(c["op"].text);
    if (o == nullptr || std::string(o->schema->family) != "nn_basic") continue;
    SCOPED_TRACE("grad case " + c["name"].text);
    std::vector<std::string> keys, values;
    for (const auto& [k, v] : c["attrs"].members) {
      keys.push_back(k);
      values.push_back(v.text);
    }
    Attrs attrs;
    for (size_t i = 0; i < keys.size(); ++i) attrs.emplace_back(keys[i], values[i]);
    std::vector<NDArray> inputs;
    for (const json::Value& in : c["inputs"].items) inputs.push_back(family_cases::ArrayOfJson(in));
    const NDArray y = Run1(c["op"].text, inputs, attrs);
    const NDArray ones = ArrayFromDoubles(y.shape(), y.dtype(),
                                          std::vector<double>(static_cast<size_t>(y.Size()), 1.0));
    const std::vector<NDArray> grads = Backward(c["op"].text.c_str(), attrs, inputs, ones);
    const json::Value& want = c["grads"];
    ASSERT_EQ(want.items.size(), grads.size());
    for (size_t i = 0; i < grads.size(); ++i) {
      const json::Value& g = want.items[i];
      if (!g.Has("data")) continue;  // no gradient (indices)
      std::vector<double> expected;
      family_cases::FlattenJson(g["data"], expected);
      ExpectAllClose(AsDoubles(grads[i]), expected, 1e-5, 1e-6,
                     c["name"].text + " " + g["name"].text);
    }
    ++ran;
  }
  EXPECT_EQ(ran, 2);  // FullyConnected, Embedding
}

}  // namespace
}  // namespace mixnet::test
