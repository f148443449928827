// The ops.json cases (Apache MXNet 1.9.1's recorded outputs) of the creation, random,
// elemwise_unary and elemwise_binary families, run through Invoke.
#include <gtest/gtest.h>

#include "family_cases_util.h"

namespace mixnet::test {
namespace {

using family_cases::RunFamilyCases;

// The counts are those of ops.json: a different count means the filter or the file changed.
TEST(UnaryOpMxnetCases, OpsJsonCasesMatch) { EXPECT_EQ(RunFamilyCases("elemwise_unary"), 27); }
TEST(BinaryOpMxnetCases, OpsJsonCasesMatch) { EXPECT_EQ(RunFamilyCases("elemwise_binary"), 14); }
TEST(CreationOpMxnetCases, OpsJsonCasesMatch) { EXPECT_EQ(RunFamilyCases("creation"), 3); }

}  // namespace
}  // namespace mixnet::test
