// Backpressure: a thread pushing faster than the engine runs waits once max_pending ops are
// pending, so queued work (and the memory its outputs hold) stays bounded; pushes from inside ops
// are never throttled; 0 means no bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "common/error.h"
#include "engine/engine.h"
#include "engine_test_util.h"

namespace mixnet::engine::test {
namespace {

using namespace std::chrono_literals;

TEST(EngineThrottle, PushingThreadWaitsOncePendingReachesTheBound) {
  constexpr int64_t kBound = 16;
  auto engine = CreateEngine("ThreadedEngine", 2, 1, kBound);
  ScopedVars vars(*engine, 4);
  std::atomic<int64_t> pushed{0}, done{0};
  int64_t most_ahead = 0;
  for (int i = 0; i < 300; ++i) {
    // Independent slow ops: nothing but the bound keeps the pusher from queueing all 300.
    engine->Push([&](const RunContext&) {
      std::this_thread::sleep_for(200us);
      done.fetch_add(1);
    }, {}, One(vars[i % 4]), kAsync);
    most_ahead = std::max(most_ahead, pushed.fetch_add(1) + 1 - done.load());
  }
  engine->WaitForAll();
  EXPECT_EQ(done.load(), 300);
  EXPECT_LE(most_ahead, kBound + 1);  // the push that reached the bound, then the wait
  EXPECT_GE(most_ahead, kBound / 2);  // and it did run ahead up to it
}

TEST(EngineThrottle, UnboundedWhenZero) {
  auto engine = CreateEngine("ThreadedEngine", 1, 1, 0);
  ScopedVars vars(*engine, 1);
  Gate gate;
  std::atomic<int> ran{0};
  engine->Push([&](const RunContext&) { EXPECT_TRUE(gate.Pass()); }, {}, One(vars[0]), kAsync);
  // 1,000 ops queue behind the closed gate; with a bound the pusher would wait for them here.
  for (int i = 0; i < 1000; ++i) {
    engine->Push([&](const RunContext&) { ran.fetch_add(1); }, {}, One(vars[0]), kAsync);
  }
  EXPECT_EQ(ran.load(), 0);
  gate.Open();
  engine->WaitForAll();
  EXPECT_EQ(ran.load(), 1000);
}

TEST(EngineThrottle, PushesFromInsideOpsAreNotThrottled) {
  constexpr int64_t kBound = 4;
  auto engine = CreateEngine("ThreadedEngine", 1, 1, kBound);
  ScopedVars vars(*engine, 2);
  std::atomic<int> ran{0};
  // One worker: the nested pushes queue behind the op that pushes them. Were that op throttled,
  // it would wait for ops that cannot run before it returns.
  auto finished = std::async(std::launch::async, [&] {
    engine->Push([&](const RunContext&) {
      for (int i = 0; i < 50; ++i) {
        engine->Push([&](const RunContext&) { ran.fetch_add(1); }, {}, One(vars[1]), kAsync);
      }
    }, {}, One(vars[0]), kAsync);
    engine->WaitForAll();
  });
  ASSERT_EQ(finished.wait_for(10s), std::future_status::ready) << "nested pushes deadlocked";
  EXPECT_EQ(ran.load(), 50);
}

TEST(EngineThrottle, MalformedEnvironmentValueIsAClearError) {
  setenv("MIXNET_ENGINE_MAX_PENDING", "-3", 1);
  try {
    CreateEngine("ThreadedEngine", 1, 1);
    ADD_FAILURE() << "expected a ValueError";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kValueError);
    EXPECT_NE(std::string(e.what()).find("MIXNET_ENGINE_MAX_PENDING='-3'"), std::string::npos) << e.what();
  }
  unsetenv("MIXNET_ENGINE_MAX_PENDING");
}

}  // namespace
}  // namespace mixnet::engine::test
