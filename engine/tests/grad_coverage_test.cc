// Every differentiable op has a gradient kernel and a numeric gradient check (GRAD_TEST).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "grad_check_util.h"
#include "operator/op.h"

namespace mixnet::test {
namespace {

TEST(GradCoverage, EveryDifferentiableOpHasABackwardKernel) {
  for (const op::Op* o : op::AllOps()) {
    if (o->schema->differentiable) {
      EXPECT_NE(o->kernel.backward, nullptr) << o->name() << " is differentiable but has no backward";
    } else {
      EXPECT_EQ(o->kernel.backward, nullptr)
          << o->name() << " has a backward but the registry says it is not differentiable";
    }
  }
}

TEST(GradCoverage, EveryDifferentiableOpHasANumericCheck) {
  const std::vector<std::string>& declared = DeclaredGradTestOps();
  const std::set<std::string> names(declared.begin(), declared.end());
  std::vector<std::string> missing;
  for (const op::Op* o : op::AllOps()) {
    if (o->schema->differentiable && names.count(o->name()) == 0) missing.emplace_back(o->name());
  }
  std::string list;
  for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
  EXPECT_TRUE(missing.empty()) << missing.size()
                               << " differentiable ops have no GRAD_TEST: " << list;
  for (const std::string& n : names) {
    const op::Op* o = op::FindOp(n);
    EXPECT_NE(o, nullptr) << "GRAD_TEST names unknown op " << n;
    if (o != nullptr) EXPECT_TRUE(o->schema->differentiable) << n << " is not differentiable";
  }
}

}  // namespace
}  // namespace mixnet::test
