// Imperative invocation: parameters, input/output checks, in-place outputs, ordering, async
// kernel errors, random state, and the per-op dispatch cost.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include "common/error.h"
#include "engine/engine.h"
#include "operator/imperative.h"
#include "operator/op.h"
#include "test_util.h"

namespace mixnet {
namespace {

using test::Array;
using test::Attrs;
using test::Run1;
using test::Values;

using test::Catch;
using test::Contains;

bool HasKernel(const char* name) {
  const op::Op* op = op::FindOp(name);
  return op != nullptr && op->kernel.forward != nullptr;
}

#define SKIP_UNLESS_KERNEL(name) \
  if (!HasKernel(name)) GTEST_SKIP() << name << " has no kernel in this build yet"

TEST(Imperative, BroadcastAddComputesAndAllocatesOutput) {
  NDArray a = Array<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  NDArray b = Array<float>({1, 3}, {10, 20, 30});
  NDArray c = Run1("broadcast_add", {a, b});
  EXPECT_EQ(c.shape(), Shape({2, 3}));
  EXPECT_EQ(c.dtype(), DType::kFloat32);
  EXPECT_FALSE(c.SharesStorageWith(a));
  EXPECT_EQ(Values<float>(c), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  // Found by alias too.
  EXPECT_EQ(Values<float>(Run1("broadcast_plus", {b, b})), (std::vector<float>{20, 40, 60}));
}

TEST(Imperative, WrongInputCountIsAValueErrorNamingTheInputs) {
  NDArray a = Array<float>({1}, {1});
  Error e = Catch([&] { test::Run("broadcast_add", {a, a, a}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_STREQ(e.what(), "broadcast_add: expected 2 inputs (lhs, rhs), got 3");
  Error none = Catch([&] { test::Run("broadcast_add", {}); });
  EXPECT_STREQ(none.what(), "broadcast_add: expected 2 inputs (lhs, rhs), got 0");
  Error creation = Catch([&] { test::Run("_zeros", {a}, {{"shape", "(2,)"}}); });
  EXPECT_EQ(creation.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(creation, "_zeros: expected 0 inputs")) << creation.what();
}

TEST(Imperative, UnknownOpAndUnknownParamAreNotFound) {
  NDArray a = Array<float>({1}, {1});
  Error op = Catch([&] { test::Run("no_such_op", {a}); });
  EXPECT_EQ(op.kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(Contains(op, "no_such_op")) << op.what();
  Error param = Catch([&] { test::Run("_zeros", {}, {{"shape", "(2,)"}, {"colour", "red"}}); });
  EXPECT_EQ(param.kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(Contains(param, "_zeros") && Contains(param, "colour")) << param.what();
}

TEST(Imperative, IllTypedParamIsATypeError) {
  Error e = Catch([] { test::Run("_zeros", {}, {{"shape", "(2, banana)"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kTypeError);
  EXPECT_TRUE(Contains(e, "_zeros") && Contains(e, "shape")) << e.what();
  Error d = Catch([] { test::Run("_zeros", {}, {{"shape", "(2,)"}, {"dtype", "float7"}}); });
  EXPECT_EQ(d.kind(), ErrorKind::kTypeError);
}

TEST(Imperative, CreationOpsHonourShapeAndDtype) {
  NDArray z = Run1("_zeros", {}, {{"shape", "(2, 3)"}, {"dtype", "int32"}});
  EXPECT_EQ(z.shape(), Shape({2, 3}));
  EXPECT_EQ(Values<int32_t>(z), std::vector<int32_t>(6, 0));
  NDArray o = Run1("_ones", {}, {{"shape", "(4,)"}});
  EXPECT_EQ(Values<float>(o), std::vector<float>(4, 1.f));
}

TEST(Imperative, ParamCacheKeepsDifferentAttrsApart) {
  // The same op with alternating parameters, and a different op with the same parameters.
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(Run1("_zeros", {}, {{"shape", "(2,)"}}).shape(), Shape({2}));
    EXPECT_EQ(Run1("_zeros", {}, {{"shape", "(3, 1)"}}).shape(), Shape({3, 1}));
    EXPECT_EQ(Values<float>(Run1("_ones", {}, {{"shape", "(2,)"}})), std::vector<float>(2, 1.f));
    EXPECT_EQ(Run1("_zeros", {}, {{"shape", "(2,)"}, {"dtype", "int64"}}).dtype(),
              DType::kInt64);
  }
}

TEST(Imperative, ProvidedOutputIsWrittenAndCheckedAgainstInference) {
  NDArray a = Array<float>({2}, {1, 2});
  NDArray b = Array<float>({2}, {10, 20});
  NDArray out(Shape{2}, Context::CPU(), DType::kFloat32);
  std::vector<NDArray> res = op::Invoke("broadcast_add", std::vector<NDArray>{a, b}, {}, {out});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_TRUE(res[0].SharesStorageWith(out));
  EXPECT_EQ(Values<float>(out), (std::vector<float>{11, 22}));

  NDArray wrong_shape(Shape{2, 2}, Context::CPU(), DType::kFloat32);
  Error s = Catch([&] {
    op::Invoke("broadcast_add", std::vector<NDArray>{a, b}, {}, {wrong_shape});
  });
  EXPECT_EQ(s.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(s, "broadcast_add") && Contains(s, "output 0") && Contains(s, "(2, 2)") &&
              Contains(s, "(2,)"))
      << s.what();
  NDArray wrong_type(Shape{2}, Context::CPU(), DType::kFloat64);
  Error t = Catch([&] {
    op::Invoke("broadcast_add", std::vector<NDArray>{a, b}, {}, {wrong_type});
  });
  EXPECT_EQ(t.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(t, "float64") && Contains(t, "float32")) << t.what();
  Error n = Catch([&] { op::Invoke("broadcast_add", std::vector<NDArray>{a, b}, {}, {out, out}); });
  EXPECT_EQ(n.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(n, "expected 1 output, got 2")) << n.what();
}

TEST(Imperative, NoneOutputIsAllocated) {
  NDArray a = Array<float>({2}, {1, 2});
  std::vector<NDArray> res =
      op::Invoke("broadcast_add", std::vector<NDArray>{a, a}, {}, {NDArray()});
  ASSERT_EQ(res.size(), 1u);
  ASSERT_FALSE(res[0].is_none());
  EXPECT_EQ(Values<float>(res[0]), (std::vector<float>{2, 4}));
}

TEST(Imperative, InPlaceOutputAndLongChainsAreOrdered) {
  NDArray acc = Array<float>({3}, {0, 0, 0});
  NDArray one = Array<float>({3}, {1, 2, 3});
  for (int i = 0; i < 200; ++i) op::Invoke("broadcast_add", std::vector<NDArray>{acc, one}, {}, {acc});
  EXPECT_EQ(Values<float>(acc), (std::vector<float>{200, 400, 600}));
  // x + x: one var read twice.
  NDArray twice = Run1("broadcast_add", {one, one});
  EXPECT_EQ(Values<float>(twice), (std::vector<float>{2, 4, 6}));
}

TEST(Imperative, ViewsAsInputsAndOutputs) {
  NDArray base = Array<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  NDArray first = base.At(0);
  NDArray last = base.At(2);
  // Writes row 1 from rows 0 and 2, through views of the same chunk.
  op::Invoke("broadcast_add", std::vector<NDArray>{first, last}, {}, {base.At(1)});
  EXPECT_EQ(Values<float>(base), (std::vector<float>{1, 2, 6, 8, 5, 6}));
}

TEST(Imperative, ZeroSizeInputsAndOutputsWork) {
  NDArray empty(Shape{0, 3}, Context::CPU(), DType::kFloat32);
  NDArray row = Array<float>({1, 3}, {1, 2, 3});
  NDArray c = Run1("broadcast_add", {empty, row});
  EXPECT_EQ(c.shape(), Shape({0, 3}));
  EXPECT_TRUE(Values<float>(c).empty());
  NDArray z = Run1("_zeros", {}, {{"shape", "(0,)"}});
  EXPECT_EQ(z.Size(), 0);
  z.WaitToRead();
}

TEST(Imperative, NoneInputIsAValueError) {
  NDArray a = Array<float>({1}, {1});
  Error e = Catch([&] { test::Run("broadcast_add", {a, NDArray()}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "broadcast_add: input 1")) << e.what();
}

TEST(Imperative, VariadicCountIsFilledInAndChecked) {
  SKIP_UNLESS_KERNEL("Concat");
  NDArray a = Array<float>({1, 2}, {1, 2});
  NDArray b = Array<float>({1, 1}, {3});
  NDArray c = Run1("Concat", {a, b});  // num_args taken from the inputs
  EXPECT_EQ(c.shape(), Shape({1, 3}));
  EXPECT_EQ(Values<float>(c), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(Run1("Concat", {a, b}, {{"num_args", "2"}}).shape(), Shape({1, 3}));
  Error e = Catch([&] { test::Run("Concat", {a, b}, {{"num_args", "3"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_STREQ(e.what(), "Concat: num_args is 3 but 2 inputs were given");
  EXPECT_EQ(Catch([&] { test::Run("Concat", {a, b}, {{"num_args", "two"}}); }).kind(),
            ErrorKind::kTypeError);
}

TEST(Imperative, AsyncKernelErrorNamesOpAndShapesAndEngineRecovers) {
  SKIP_UNLESS_KERNEL("take");
  NDArray data = Array<float>({3}, {1, 2, 3});
  NDArray idx = Array<int32_t>({2}, {0, 7});
  NDArray out = Run1("take", {data, idx}, {{"mode", "raise"}});  // fails later, in the kernel
  Error e = Catch([&] { out.WaitToRead(); });
  EXPECT_EQ(e.kind(), ErrorKind::kIndexError);
  EXPECT_TRUE(Contains(e, "take (inputs: (3,) float32, (2,) int32): ")) << e.what();
  EXPECT_TRUE(Contains(e, "7")) << e.what();
  // A consumer of the failed output fails with the same error; unrelated work goes on.
  NDArray next = Run1("broadcast_add", {out, out});
  EXPECT_EQ(Catch([&] { next.WaitToRead(); }).kind(), ErrorKind::kIndexError);
  try {
    engine::Engine::Get()->WaitForAll();
  } catch (const Error&) {
  }
  NDArray ok = Run1("take", {data, Array<int32_t>({1}, {2})}, {{"mode", "raise"}});
  EXPECT_EQ(Values<float>(ok), std::vector<float>{3});
}

TEST(Imperative, RandomOpsAreReproducibleBySeedAndAdvanceTheState) {
  SKIP_UNLESS_KERNEL("_random_uniform");
  const Attrs attrs{{"shape", "(64,)"}};
  op::SeedRandom(42);
  std::vector<float> a1 = Values<float>(Run1("_random_uniform", {}, attrs));
  std::vector<float> a2 = Values<float>(Run1("_random_uniform", {}, attrs));
  op::SeedRandom(42);
  std::vector<NDArray> pending;  // several in flight at once: they must run in push order
  for (int i = 0; i < 2; ++i) pending.push_back(Run1("_random_uniform", {}, attrs));
  EXPECT_EQ(Values<float>(pending[0]), a1);
  EXPECT_EQ(Values<float>(pending[1]), a2);
  EXPECT_NE(a1, a2);
  for (float v : a1) {
    EXPECT_GE(v, 0.f);
    EXPECT_LT(v, 1.f);
  }
}

// CPU time of the calling thread: small cheap ops run inline on it, so this is the dispatch cost,
// and unlike wall time it does not count time the OS gave to other processes.
double ThreadCpuNs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// The cost of one small op from C++: parse (cached), infer, allocate, push, run inline, free.
TEST(Imperative, SmallOpDispatchIsWellUnderAMicrosecond) {
  NDArray a = Array<float>({1}, {1});
  NDArray b = Array<float>({1}, {2});
  const std::vector<NDArray> in{a, b};
  const op::Op* op = op::FindOp("broadcast_add");
  ASSERT_NE(op, nullptr);
  constexpr int kIters = 20000;
  std::vector<double> per_op_ns;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = ThreadCpuNs();
    for (int i = 0; i < kIters; ++i) op::Invoke(*op, in, {});
    engine::Engine::Get()->WaitForAll();
    per_op_ns.push_back((ThreadCpuNs() - t0) / kIters);
  }
  std::sort(per_op_ns.begin(), per_op_ns.end());
  std::printf("[ dispatch ] broadcast_add on 1 element via op::Invoke: %.0f ns/op "
              "(calling-thread CPU time, median of 5)\n",
              per_op_ns[2]);
  // Generous so unoptimised builds pass; it catches pathological regressions (a parse or a
  // hand-off to a worker per call).
  EXPECT_LT(per_op_ns[2], 5000.0);
}

}  // namespace
}  // namespace mixnet
