// Scheduler semantics: dependency order, concurrent reads, waiting, the inline fast path and
// variable deletion. Error semantics: engine_error_test.cc; thread budget, shutdown and engine
// selection: engine_lifecycle_test.cc; randomised and multi-threaded runs: engine_stress_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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

// --- dependency order ----------------------------------------------------------------------------

TEST(EngineOrder, ReadAfterWriteSeesTheWrite) {
  auto engine = Threaded(4);
  ScopedVars v(*engine, 1);
  int value = 0;  // guarded by the engine through v[0]
  int seen = -1;
  engine->Push([&](const RunContext&) {
    std::this_thread::sleep_for(milliseconds(30));  // a wrong order would read 0
    value = 42;
  }, {}, One(v[0]), kAsync);
  engine->Push([&](const RunContext&) { seen = value; }, One(v[0]), {}, kAsync);
  engine->WaitForAll();
  EXPECT_EQ(seen, 42);
}

TEST(EngineOrder, WriteAfterReadWaitsForTheRead) {
  auto engine = Threaded(4);
  ScopedVars v(*engine, 1);
  int value = 1;
  int seen = -1;
  engine->Push([&](const RunContext&) {
    std::this_thread::sleep_for(milliseconds(30));  // a wrong order would read 2
    seen = value;
  }, One(v[0]), {}, kAsync);
  engine->Push([&](const RunContext&) { value = 2; }, {}, One(v[0]), kAsync);
  engine->WaitForAll();
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(value, 2);
}

TEST(EngineOrder, WritesRunInPushOrder) {
  auto engine = Threaded(4);
  ScopedVars v(*engine, 1);
  std::vector<int> log;  // guarded by v[0]
  for (int i = 0; i < 50; ++i) {
    engine->Push([&log, i](const RunContext&) {
      // Early ops sleep longest: any reordering shows up in the log.
      if (i < 5) std::this_thread::sleep_for(milliseconds(5 * (5 - i)));
      log.push_back(i);
    }, {}, One(v[0]), i % 3 == 0 ? kInline : kAsync);
  }
  engine->WaitForAll();
  std::vector<int> expected(50);
  for (int i = 0; i < 50; ++i) expected[i] = i;
  EXPECT_EQ(log, expected);
}

TEST(EngineOrder, ReadsBetweenWritesSeeTheRightVersion) {
  auto engine = Threaded(4);
  ScopedVars v(*engine, 1);
  int value = 0;
  std::vector<std::atomic<int>> seen(20);
  for (int round = 0; round < 20; ++round) {
    engine->Push([&value, round](const RunContext&) {
      std::this_thread::sleep_for(milliseconds(round % 2));
      value = round * 10;
    }, {}, One(v[0]), kAsync);
    engine->Push([&, round](const RunContext&) { seen[round] = value; }, One(v[0]), {}, kAsync);
    engine->Push([&, round](const RunContext&) {
      std::this_thread::sleep_for(milliseconds(1));
      EXPECT_EQ(value, round * 10);
    }, One(v[0]), {}, kAsync);
  }
  engine->WaitForAll();
  for (int round = 0; round < 20; ++round) EXPECT_EQ(seen[round].load(), round * 10);
}

TEST(EngineOrder, ConcurrentReadsOverlap) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 1);
  std::atomic<int> started{0};
  std::atomic<int> saw_other{0};
  for (int i = 0; i < 2; ++i) {
    engine->Push([&](const RunContext&) {
      started.fetch_add(1);
      // Each read waits for the other to start: they finish only if they really overlap.
      if (WaitUntil([&] { return started.load() == 2; }, milliseconds(5000))) saw_other++;
    }, One(v[0]), {}, kAsync);
  }
  engine->WaitForAll();
  EXPECT_EQ(saw_other.load(), 2);
}

TEST(EngineOrder, IndependentWritesOverlap) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 2);
  std::atomic<int> started{0};
  std::atomic<int> saw_other{0};
  for (int i = 0; i < 2; ++i) {
    engine->Push([&](const RunContext&) {
      started.fetch_add(1);
      if (WaitUntil([&] { return started.load() == 2; }, milliseconds(5000))) saw_other++;
    }, {}, One(v[i]), kAsync);
  }
  engine->WaitForAll();
  EXPECT_EQ(saw_other.load(), 2);
}

TEST(EngineOrder, DuplicateVarsCountAsOneWrite) {
  auto engine = Threaded(4);
  ScopedVars v(*engine, 1);
  int value = 0;
  std::atomic<int> readers_running{0};
  std::atomic<bool> overlap{false};
  // x in both lists, and twice in each: must behave as a single write of x.
  const VarHandle xx[2] = {v[0], v[0]};
  engine->Push([&](const RunContext&) {
    readers_running++;
    std::this_thread::sleep_for(milliseconds(20));
    readers_running--;
  }, One(v[0]), {}, kAsync);
  engine->Push([&](const RunContext&) {
    if (readers_running.load() != 0) overlap = true;  // a read of x is still running
    std::this_thread::sleep_for(milliseconds(20));
    value = 7;
  }, xx, xx, kAsync);
  int seen = -1;
  engine->Push([&](const RunContext&) { seen = value; }, One(v[0]), {}, kAsync);
  engine->WaitForAll();
  EXPECT_FALSE(overlap.load());
  EXPECT_EQ(seen, 7);
}

TEST(EngineOrder, OpWithoutVariablesRuns) {
  auto engine = Threaded(2);
  std::atomic<int> runs{0};
  for (int i = 0; i < 10; ++i) {
    engine->Push([&](const RunContext&) { runs++; }, {}, {}, i % 2 ? kInline : kAsync);
  }
  engine->WaitForAll();
  EXPECT_EQ(runs.load(), 10);
}

// --- waiting -------------------------------------------------------------------------------------

TEST(EngineWait, WaitForVarWaitsForWritesOnly) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 1);
  Gate gate;
  std::atomic<bool> write_done{false};
  std::atomic<bool> read_done{false};
  engine->Push([&](const RunContext&) {
    std::this_thread::sleep_for(milliseconds(20));
    write_done = true;
  }, {}, One(v[0]), kAsync);
  engine->Push([&](const RunContext&) {
    gate.Pass();
    read_done = true;
  }, One(v[0]), {}, kAsync);
  engine->WaitForVar(v[0]);  // returns although the read is still blocked
  EXPECT_TRUE(write_done.load());
  EXPECT_FALSE(read_done.load());
  std::thread opener([&] {
    std::this_thread::sleep_for(milliseconds(20));
    gate.Open();
  });
  engine->WaitForVarWrite(v[0]);  // waits for the read as well
  EXPECT_TRUE(read_done.load());
  opener.join();
}

TEST(EngineWait, WaitForVarOnIdleVariableReturnsAtOnce) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 1);
  engine->WaitForVar(v[0]);
  engine->WaitForVarWrite(v[0]);
  engine->WaitForAll();
}

TEST(EngineWait, WaitForAllWaitsForEverything) {
  auto engine = Threaded(3);
  ScopedVars v(*engine, 8);
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i) {
    engine->Push([&, i](const RunContext&) {
      if (i % 50 == 0) std::this_thread::sleep_for(milliseconds(5));
      done++;
    }, One(v[(i + 1) % 8]), One(v[i % 8]), kAsync);
  }
  engine->WaitForAll();
  EXPECT_EQ(done.load(), 200);
}

TEST(EngineWait, WaitForAllInsideAnOpIsRejected) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 1);
  Engine* e = engine.get();
  engine->Push([e](const RunContext&) { e->WaitForAll(); }, {}, One(v[0]), kAsync);
  try {
    engine->WaitForVar(v[0]);
    FAIL() << "expected the op's WaitForAll to fail";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::kInternal);
    EXPECT_NE(std::string(err.what()).find("WaitForAll"), std::string::npos) << err.what();
  }
  EXPECT_NO_THROW(engine->WaitForAll());  // already re-thrown by WaitForVar
}

// --- inline fast path ----------------------------------------------------------------------------

TEST(EngineInline, RunsOnPushingThreadWhenDependenciesAreFree) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 2);
  std::thread::id ran_on;
  bool ran = false;
  engine->Push([&](const RunContext&) {
    ran_on = std::this_thread::get_id();
    ran = true;
  }, One(v[0]), One(v[1]), kInline);
  EXPECT_TRUE(ran);  // already done when Push returned
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  engine->WaitForAll();
}

TEST(EngineInline, DefersToWorkerWhenADependencyIsBusy) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 2);
  Gate gate;
  engine->Push([&](const RunContext&) { gate.Pass(); }, {}, One(v[0]), kAsync);
  std::atomic<bool> ran{false};
  std::thread::id ran_on;
  engine->Push([&](const RunContext&) {
    ran_on = std::this_thread::get_id();
    ran = true;
  }, One(v[0]), One(v[1]), kInline);
  EXPECT_FALSE(ran.load());  // v[0] is being written: Push must not wait for it
  gate.Open();
  engine->WaitForVar(v[1]);
  EXPECT_TRUE(ran.load());
  EXPECT_NE(ran_on, std::this_thread::get_id());
  engine->WaitForAll();
}

TEST(EngineInline, NotTakenWithoutAllowInline) {
  auto engine = Threaded(2);
  ScopedVars v(*engine, 1);
  std::thread::id ran_on;
  engine->Push([&](const RunContext&) { ran_on = std::this_thread::get_id(); }, {}, One(v[0]),
               kAsync);
  engine->WaitForVar(v[0]);
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(EngineInline, InlineOpHoldsItsVariables) {
  // While an inline op runs, an op pushed from another thread on the same variable must wait.
  auto engine = Threaded(2);
  ScopedVars v(*engine, 1);
  std::atomic<bool> inline_running{false};
  std::atomic<bool> pushed{false};
  std::atomic<bool> overlap{false};
  std::atomic<bool> other_ran{false};
  std::thread other;
  engine->Push([&](const RunContext&) {
    inline_running = true;
    other = std::thread([&] {
      engine->Push([&](const RunContext&) {
        if (inline_running.load()) overlap = true;
        other_ran = true;
      }, {}, One(v[0]), kInline);
      pushed = true;  // Push returned without running the op: v[0] is held
    });
    EXPECT_TRUE(WaitUntil([&] { return pushed.load(); }));
    std::this_thread::sleep_for(milliseconds(10));
    EXPECT_FALSE(other_ran.load());
    inline_running = false;
  }, {}, One(v[0]), kInline);
  other.join();
  engine->WaitForAll();
  EXPECT_TRUE(other_ran.load());
  EXPECT_FALSE(overlap.load());
}

// --- DeleteVariable ------------------------------------------------------------------------------

TEST(EngineDelete, DefersUntilPendingOpsFinish) {
  ThreadedEngine engine(2, 2);
  VarHandle var = engine.NewVariable();
  const int64_t live_before = engine.num_live_variables();
  Gate gate;
  std::mutex log_mu;
  std::vector<std::string> log;
  auto* buffer = new int(0);
  engine.Push([&, buffer](const RunContext&) {
    gate.Pass();
    *buffer = 5;  // the memory must still exist here
    std::lock_guard<std::mutex> lock(log_mu);
    log.push_back("write");
  }, {}, One(var), kAsync);
  engine.Push([&, buffer](const RunContext&) {
    std::lock_guard<std::mutex> lock(log_mu);
    log.push_back(*buffer == 5 ? "free after write" : "free too early");
    delete buffer;
  }, {}, One(var), {.name = "free", .allow_inline = true, .overwrites_outputs = true});
  engine.DeleteVariable(var);
  EXPECT_EQ(engine.num_live_variables(), live_before);  // still pending
  gate.Open();
  engine.WaitForAll();
  EXPECT_EQ(engine.num_live_variables(), live_before - 1);
  EXPECT_EQ(log, (std::vector<std::string>{"write", "free after write"}));
}

TEST(EngineDelete, WaitsForPendingReadsToo) {
  ThreadedEngine engine(2, 2);
  VarHandle var = engine.NewVariable();
  Gate gate;
  engine.Push([&](const RunContext&) { gate.Pass(); }, One(var), {}, kAsync);
  engine.DeleteVariable(var);
  EXPECT_EQ(engine.num_live_variables(), 1);
  gate.Open();
  engine.WaitForAll();
  EXPECT_EQ(engine.num_live_variables(), 0);
}

TEST(EngineDelete, IdleVariableIsFreedAtOnce) {
  ThreadedEngine engine(1, 1);
  VarHandle var = engine.NewVariable();
  engine.Push([](const RunContext&) {}, {}, One(var), kInline);
  EXPECT_EQ(engine.num_live_variables(), 1);
  engine.DeleteVariable(var);
  EXPECT_EQ(engine.num_live_variables(), 0);
}

TEST(EngineDelete, FailedVariableIsStillFreed) {
  ThreadedEngine engine(2, 2);
  VarHandle var = engine.NewVariable();
  engine.Push([](const RunContext&) { throw std::runtime_error("x"); }, {}, One(var), kAsync);
  engine.DeleteVariable(var);
  EXPECT_THROW(engine.WaitForAll(), std::runtime_error);
  EXPECT_EQ(engine.num_live_variables(), 0);
}

}  // namespace
}  // namespace mixnet::engine
