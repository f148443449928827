// The engine's resources and lifecycle: the intra-op thread budget, shutdown (bounded, and the
// engine still working afterwards), and choosing the engine (CreateEngine, MIXNET_ENGINE_TYPE).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "common/error.h"
#include "engine/engine.h"
#include "engine/threaded_engine.h"
#include "engine_test_util.h"

namespace mixnet::engine {
namespace {

using std::chrono::milliseconds;
using test::Gate;
using test::One;
using test::ScopedVars;
using test::WaitUntil;

using test::kAsync;
using test::kInline;
using test::Threaded;

// --- shutdown ------------------------------------------------------------------------------------

TEST(EngineShutdown, StuckOpDoesNotBlockShutdownAndEngineKeepsWorking) {
  ThreadedEngine engine(2, 2);
  VarHandle stuck = engine.NewVariable(), other = engine.NewVariable();
  Gate gate;
  std::atomic<bool> stuck_done{false};
  engine.Push([&](const RunContext&) {
    gate.Pass();
    stuck_done = true;
  }, {}, One(stuck), kAsync);
  const auto start = std::chrono::steady_clock::now();
  engine.Shutdown(milliseconds(100));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(stuck_done.load());
  // Without workers, ops run on the pushing thread, inline or not.
  std::thread::id ran_on;
  int value = 0;
  engine.Push([&](const RunContext&) {
    ran_on = std::this_thread::get_id();
    value = 1;
  }, {}, One(other), kAsync);
  EXPECT_EQ(value, 1);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  engine.Push([&](const RunContext&) { value += 1; }, One(other), One(other), kInline);
  engine.WaitForVar(other);
  EXPECT_EQ(value, 2);
  gate.Open();
  engine.WaitForVarWrite(stuck);  // the detached worker still finishes its op
  EXPECT_TRUE(stuck_done.load());
  engine.WaitForAll();
  engine.DeleteVariable(stuck);
  engine.DeleteVariable(other);
  EXPECT_EQ(engine.num_live_variables(), 0);
}

TEST(EngineShutdown, DestructorFinishesPendingWork) {
  std::atomic<int> done{0};
  {
    auto engine = Threaded(2);
    VarHandle v = engine->NewVariable();
    for (int i = 0; i < 20; ++i) {
      engine->Push([&](const RunContext&) {
        std::this_thread::sleep_for(milliseconds(1));
        done++;
      }, {}, One(v), kAsync);
    }
    engine->DeleteVariable(v);
  }
  EXPECT_EQ(done.load(), 20);
}

// --- thread budget -------------------------------------------------------------------------------

TEST(EngineThreadBudget, LoneOpGetsAllThreads) {
  auto engine = Threaded(2, 8);
  ScopedVars v(*engine, 1);
  int granted = 0;
  engine->Push([&](const RunContext& rc) { granted = rc.nthreads; }, {}, One(v[0]), kAsync);
  engine->WaitForAll();
  EXPECT_EQ(granted, 8);
  engine->Push([&](const RunContext& rc) { granted = rc.nthreads; }, {}, One(v[0]), kInline);
  EXPECT_EQ(granted, 8);
  EXPECT_EQ(engine->num_threads(), 8);
}

// Starts `n` ops that become runnable at the same moment and stay running until all of them have
// started; returns their grants (empty if they did not all overlap).
std::vector<int> GrantsOfConcurrentOps(Engine& engine, int n, int* max_in_use) {
  ScopedVars v(engine, 1);
  Gate gate;
  engine.Push([&](const RunContext&) { gate.Pass(); }, {}, One(v[0]), kAsync);
  std::mutex mu;
  std::vector<int> grants;
  std::atomic<int> started{0};
  std::atomic<int> in_use{0};
  std::atomic<int> peak{0};
  std::atomic<bool> all_overlapped{true};
  for (int i = 0; i < n; ++i) {
    engine.Push([&](const RunContext& rc) {
      const int now = in_use.fetch_add(rc.nthreads) + rc.nthreads;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        grants.push_back(rc.nthreads);
      }
      started++;
      if (!WaitUntil([&] { return started.load() == n; }, milliseconds(5000))) {
        all_overlapped = false;
      }
      in_use.fetch_sub(rc.nthreads);
    }, One(v[0]), {}, kAsync);
  }
  gate.Open();
  engine.WaitForAll();
  *max_in_use = peak.load();
  if (!all_overlapped.load()) grants.clear();
  return grants;
}

// The shared mode (MIXNET_SHARE_THREADS=1) for the engines a test creates.
struct SharedThreadsScope {
  SharedThreadsScope() { setenv("MIXNET_SHARE_THREADS", "1", 1); }
  ~SharedThreadsScope() { unsetenv("MIXNET_SHARE_THREADS"); }
};

TEST(EngineThreadBudget, ConcurrentOpsAreToldTheFullCountByDefault) {
  // Results of thread-count-sensitive kernels must not depend on what else happens to run.
  auto engine = Threaded(4, 8);
  int peak = 0;
  std::vector<int> grants = GrantsOfConcurrentOps(*engine, 4, &peak);
  ASSERT_EQ(grants.size(), 4u) << "the four reads did not run concurrently";
  for (int g : grants) EXPECT_EQ(g, 8);
}

TEST(EngineThreadBudget, ConcurrentOpsShareTheBudget) {
  SharedThreadsScope shared;
  auto engine = Threaded(4, 8);
  int peak = 0;
  std::vector<int> grants = GrantsOfConcurrentOps(*engine, 4, &peak);
  ASSERT_EQ(grants.size(), 4u) << "the four reads did not run concurrently";
  int sum = 0;
  for (int g : grants) {
    EXPECT_GE(g, 1);
    sum += g;
  }
  EXPECT_LE(sum, 8);
  EXPECT_LE(peak, 8);
  EXPECT_EQ(sum, 8);  // and nothing is left idle: 4 ops x 2 threads
}

TEST(EngineThreadBudget, MoreOpsThanThreadsGetOneEach) {
  SharedThreadsScope shared;
  auto engine = Threaded(4, 2);
  int peak = 0;
  std::vector<int> grants = GrantsOfConcurrentOps(*engine, 4, &peak);
  ASSERT_EQ(grants.size(), 4u);
  for (int g : grants) EXPECT_EQ(g, 1);
}

TEST(EngineThreadBudget, BudgetIsReturnedAfterOps) {
  SharedThreadsScope shared;
  auto engine = Threaded(4, 8);
  int peak = 0;
  GrantsOfConcurrentOps(*engine, 4, &peak);
  ScopedVars v(*engine, 1);
  int granted = 0;
  engine->Push([&](const RunContext& rc) { granted = rc.nthreads; }, {}, One(v[0]), kAsync);
  engine->WaitForAll();
  EXPECT_EQ(granted, 8);
}

// --- engine selection ----------------------------------------------------------------------------

TEST(EngineSelect, CreatesBothKinds) {
  auto threaded = CreateEngine("ThreadedEngine", 3, 5);
  EXPECT_EQ(threaded->num_workers(), 3);
  EXPECT_EQ(threaded->num_threads(), 5);
  auto naive = CreateEngine("NaiveEngine", 0, 5);
  EXPECT_EQ(naive->num_workers(), 0);
  EXPECT_EQ(naive->num_threads(), 5);
  // Apache MXNet's default name keeps working.
  EXPECT_GE(CreateEngine("ThreadedEnginePerDevice", 1, 1)->num_workers(), 1);
}

TEST(EngineSelect, UnknownTypeIsAClearError) {
  try {
    CreateEngine("TurboEngine");
    FAIL() << "expected ValueError";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kValueError);
    EXPECT_NE(std::string(e.what()).find("TurboEngine"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("NaiveEngine"), std::string::npos) << e.what();
  }
}

TEST(EngineSelect, ProcessEngineWorks) {
  Engine* engine = Engine::Get();
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine, Engine::Get());
  EXPECT_GE(engine->num_threads(), 1);
  VarHandle var = engine->NewVariable();
  int value = 0;
  engine->Push([&](const RunContext&) { value = 3; }, {}, One(var), kAsync);
  engine->WaitForVar(var);
  EXPECT_EQ(value, 3);
  engine->DeleteVariable(var);
}

// Engine::Get() reads the environment once, so each case runs in a fresh child process.
int ProcessEngineWorkersWith(const char* type) {
  setenv("MIXNET_ENGINE_TYPE", type, 1);
  setenv("MIXNET_CPU_WORKER_NTHREADS", "3", 1);
  setenv("MIXNET_NUM_THREADS", "5", 1);
  Engine* engine = Engine::Get();
  if (engine->num_threads() != 5) return 100;
  return engine->num_workers();
}

TEST(EngineSelectDeathTest, EnvironmentPicksTheProcessEngine) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::_Exit(ProcessEngineWorkersWith("NaiveEngine")), ::testing::ExitedWithCode(0),
              "");
  EXPECT_EXIT(std::_Exit(ProcessEngineWorkersWith("ThreadedEngine")),
              ::testing::ExitedWithCode(3), "");
  EXPECT_EXIT(std::_Exit(ProcessEngineWorkersWith("")), ::testing::ExitedWithCode(3), "");
}

int FirstUseErrors(const char* type) {
  setenv("MIXNET_ENGINE_TYPE", type, 1);
  int failures = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {  // reported again on the next use
    try {
      Engine::Get();
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kValueError &&
          std::string(e.what()).find(type) != std::string::npos) {
        ++failures;
      }
    }
  }
  return failures;
}

TEST(EngineSelectDeathTest, UnknownEnvironmentValueFailsAtFirstUse) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::_Exit(FirstUseErrors("WarpEngine")), ::testing::ExitedWithCode(2), "");
}

TEST(EngineSelect, NaiveEngineRunsInsidePush) {
  auto engine = CreateEngine("NaiveEngine", 0, 1);
  ScopedVars v(*engine, 1);
  bool ran = false;
  engine->Push([&](const RunContext&) { ran = true; }, {}, One(v[0]), kAsync);
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace mixnet::engine
