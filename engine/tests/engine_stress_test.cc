// Randomised scheduler tests: random DAGs whose results must equal the NaiveEngine's bit for bit
// (with failures and overwrites mixed in), many threads pushing at once, and process exit with
// work still pending.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "engine/engine.h"
#include "engine_test_util.h"

namespace mixnet::engine {
namespace {

using test::ScopedVars;

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct RandomOp {
  std::vector<int> reads, writes;  // may repeat, may overlap
  bool allow_inline = false;
  bool overwrites = false;
  bool fails = false;
  int spin_us = 0;
};

std::vector<RandomOp> MakeProgram(uint32_t seed, int num_ops, int num_vars) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  std::vector<RandomOp> ops(static_cast<size_t>(num_ops));
  for (RandomOp& op : ops) {
    const int nr = pick(4), nw = pick(3) + (pick(8) == 0 ? 0 : 1);
    for (int i = 0; i < nr; ++i) op.reads.push_back(pick(num_vars));
    for (int i = 0; i < nw; ++i) op.writes.push_back(pick(num_vars));
    if (!op.writes.empty() && pick(6) == 0) op.reads.push_back(op.writes[0]);   // read + write
    if (!op.writes.empty() && pick(10) == 0) op.writes.push_back(op.writes[0]); // written twice
    op.allow_inline = pick(3) == 0;
    op.overwrites = pick(12) == 0;
    op.fails = pick(40) == 0;
    op.spin_us = pick(20) == 0 ? pick(200) : 0;
  }
  return ops;
}

// Runs `program` on `engine`; returns the final value of every variable, with the message of the
// error it carries (if any) mixed in. Also counts violations of reader/writer exclusion seen
// from inside the ops.
struct Outcome {
  std::vector<uint64_t> values;
  std::vector<std::string> errors;
  int violations = 0;
};

Outcome RunProgram(Engine& engine, const std::vector<RandomOp>& program, int num_vars) {
  ScopedVars vars(engine, num_vars);
  std::vector<uint64_t> values(static_cast<size_t>(num_vars));
  for (int i = 0; i < num_vars; ++i) values[i] = Mix(static_cast<uint64_t>(i) * 977);
  // Per variable: -1 while written, else the number of running readers.
  std::vector<std::atomic<int>> state(static_cast<size_t>(num_vars));
  std::atomic<int> violations{0};

  for (size_t id = 0; id < program.size(); ++id) {
    const RandomOp& op = program[id];
    std::vector<VarHandle> reads, writes;
    for (int r : op.reads) reads.push_back(vars[r]);
    for (int w : op.writes) writes.push_back(vars[w]);
    engine.Push([&, id](const RunContext& rc) {
      const RandomOp& me = program[id];
      if (rc.nthreads < 1) violations++;
      // Distinct variables: written ones exclusively, read-only ones shared.
      std::vector<int> held_w(me.writes), held_r;
      std::sort(held_w.begin(), held_w.end());
      held_w.erase(std::unique(held_w.begin(), held_w.end()), held_w.end());
      for (int r : me.reads) {
        if (!std::binary_search(held_w.begin(), held_w.end(), r) &&
            std::find(held_r.begin(), held_r.end(), r) == held_r.end()) {
          held_r.push_back(r);
        }
      }
      for (int w : held_w) {
        int expected = 0;
        if (!state[w].compare_exchange_strong(expected, -1)) violations++;
      }
      for (int r : held_r) {
        if (state[r].fetch_add(1) < 0) violations++;
      }
      if (me.spin_us > 0) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(me.spin_us);
        while (std::chrono::steady_clock::now() < until) {
        }
      }
      for (int r : held_r) state[r].fetch_sub(1);
      for (int w : held_w) state[w].store(0);
      if (me.fails) MX_THROW(ValueError) << "op " << id << " failed";
      uint64_t h = Mix(id);
      for (int r : me.reads) h = Mix(h ^ values[r]);
      for (int w : me.writes) {
        values[w] = me.overwrites ? Mix(h + static_cast<uint64_t>(w))
                                  : Mix(values[w] ^ (h + static_cast<uint64_t>(w)));
      }
    }, reads, writes,
       PushOptions{.name = "random", .allow_inline = op.allow_inline,
                   .overwrites_outputs = op.overwrites});
  }
  Outcome out;
  out.errors.resize(static_cast<size_t>(num_vars));
  for (int i = 0; i < num_vars; ++i) {
    try {
      engine.WaitForVar(vars[i]);
    } catch (const Error& e) {
      out.errors[i] = e.what();
    }
  }
  try {
    engine.WaitForAll();
  } catch (const Error&) {
    // errors on variables that were overwritten later: reported once here, not compared
  }
  out.values = values;
  out.violations = violations.load();
  return out;
}

TEST(EngineStress, RandomDagMatchesNaiveEngine) {
  constexpr int kOps = 2000, kVars = 50;
  for (uint32_t seed : {1u, 2u, 3u}) {
    const std::vector<RandomOp> program = MakeProgram(seed, kOps, kVars);
    auto naive = CreateEngine("NaiveEngine", 0, 4);
    const Outcome expected = RunProgram(*naive, program, kVars);
    ASSERT_EQ(expected.violations, 0);
    int failed_vars = 0;
    for (const std::string& e : expected.errors) failed_vars += !e.empty();
    // The program must exercise both paths: some variables end up failed, most do not.
    EXPECT_GT(failed_vars, 0) << "seed " << seed;
    EXPECT_LT(failed_vars, kVars) << "seed " << seed;
    for (int workers : {1, 2, 4, 8}) {
      auto threaded = CreateEngine("ThreadedEngine", workers, 4);
      const Outcome got = RunProgram(*threaded, program, kVars);
      EXPECT_EQ(got.violations, 0) << "seed " << seed << " workers " << workers;
      EXPECT_EQ(got.values, expected.values) << "seed " << seed << " workers " << workers;
      EXPECT_EQ(got.errors, expected.errors) << "seed " << seed << " workers " << workers;
    }
  }
}

TEST(EngineStress, ManyThreadsPushingAtOnce) {
  // Pushes from several threads on shared variables: every op runs exactly once, writers are
  // exclusive (no lost increments), and nothing deadlocks.
  constexpr int kThreads = 4, kOpsPerThread = 3000, kVars = 12;
  auto engine = CreateEngine("ThreadedEngine", 3, 3);
  ScopedVars vars(*engine, kVars);
  std::vector<int64_t> counters(kVars, 0);  // guarded by the engine
  std::vector<std::atomic<int64_t>> writes_pushed(kVars);
  std::atomic<int64_t> ran{0};
  std::vector<std::thread> pushers;
  for (int t = 0; t < kThreads; ++t) {
    pushers.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      for (int i = 0; i < kOpsPerThread; ++i) {
        const int a = static_cast<int>(rng() % kVars), b = static_cast<int>(rng() % kVars);
        const VarHandle w[1] = {vars[a]};
        const VarHandle r[2] = {vars[b], vars[(b + 1) % kVars]};
        writes_pushed[a]++;
        engine->Push([&, a](const RunContext&) {
          counters[a]++;
          ran++;
        }, r, w, PushOptions{.name = "inc", .allow_inline = (i % 2) == 0});
        if (i % 500 == 0) engine->WaitForVar(vars[a]);
      }
    });
  }
  for (std::thread& t : pushers) t.join();
  engine->WaitForAll();
  EXPECT_EQ(ran.load(), int64_t{kThreads} * kOpsPerThread);
  for (int v = 0; v < kVars; ++v) EXPECT_EQ(counters[v], writes_pushed[v].load()) << "var " << v;
}

TEST(EngineStress, InlinePushersTakingVariablesInOppositeOrders) {
  // Inline ops take their variables without the push mutex; two threads taking the same pair in
  // opposite orders must neither deadlock nor overlap: a write excludes every other use of its
  // variable, reads exclude writes.
  constexpr int kThreads = 4, kOpsPerThread = 4000;
  auto engine = CreateEngine("ThreadedEngine", 2, 2);
  ScopedVars vars(*engine, 2);
  // Per variable: +1000 per running writer, +1 per running reader.
  std::atomic<int> users[2] = {0, 0};
  std::atomic<int> overlaps{0};
  std::atomic<int64_t> ran{0};
  auto enter = [&](int v, bool write) {
    const int before = users[v].fetch_add(write ? 1000 : 1);
    if (write ? before != 0 : before >= 1000) overlaps++;
  };
  auto leave = [&](int v, bool write) { users[v].fetch_sub(write ? 1000 : 1); };
  std::vector<std::thread> pushers;
  for (int t = 0; t < kThreads; ++t) {
    pushers.emplace_back([&, t] {
      for (int i = 0; i < kOpsPerThread; ++i) {
        const int first = (t + i) % 2, second = 1 - first;
        const bool read_second = i % 3 == 0;  // some ops read one variable and write the other
        const VarHandle w[2] = {vars[first], vars[second]};
        const VarHandle r[1] = {vars[second]};
        auto fn = [&, first, second, read_second](const RunContext&) {
          enter(first, true);
          enter(second, !read_second);
          leave(second, !read_second);
          leave(first, true);
          ran++;
        };
        if (read_second) {
          engine->Push(fn, r, {w, 1}, PushOptions{.name = "rw", .allow_inline = true});
        } else {
          engine->Push(fn, {}, w, PushOptions{.name = "ww", .allow_inline = i % 4 != 1});
        }
      }
    });
  }
  for (std::thread& t : pushers) t.join();
  engine->WaitForAll();
  EXPECT_EQ(ran.load(), int64_t{kThreads} * kOpsPerThread);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(EngineStress, VariablesCreatedAndDeletedWhileBusy) {
  auto engine = CreateEngine("ThreadedEngine", 4, 4);
  std::atomic<int64_t> sum{0};
  for (int round = 0; round < 500; ++round) {
    VarHandle a = engine->NewVariable(), b = engine->NewVariable();
    engine->Push([&](const RunContext&) { sum += 1; }, {}, {&a, 1}, {.name = "w"});
    engine->Push([&](const RunContext&) { sum += 2; }, {&a, 1}, {&b, 1},
                 {.name = "rw", .allow_inline = round % 2 == 0});
    engine->DeleteVariable(a);
    engine->Push([&](const RunContext&) { sum += 4; }, {&b, 1}, {}, {.name = "r"});
    engine->DeleteVariable(b);
  }
  engine->WaitForAll();
  EXPECT_EQ(sum.load(), 500 * 7);
}

// --- process exit --------------------------------------------------------------------------------

// Destroyed at exit after the engine's shutdown hook ran (it is constructed before the engine):
// like an NDArray in a static, it still pushes, waits and deletes variables.
struct PushesAtExit {
  ~PushesAtExit() {
    Engine* engine = Engine::Get();
    VarHandle var = engine->NewVariable();
    int value = 0;
    engine->Push([&](const RunContext&) { value = 1; }, {}, {&var, 1}, {.name = "late"});
    engine->Push([&](const RunContext&) { value *= 5; }, {&var, 1}, {&var, 1},
                 {.name = "late", .allow_inline = true});
    engine->WaitForVar(var);
    engine->DeleteVariable(var);
    if (value != 5) std::_Exit(3);
  }
};

void ExitWithWorkPending() {
  static PushesAtExit late;  // constructed before the process engine, so destroyed after its hook
  Engine* engine = Engine::Get();
  std::vector<VarHandle> vars;
  for (int i = 0; i < 8; ++i) vars.push_back(engine->NewVariable());
  for (int i = 0; i < 200; ++i) {
    engine->Push([i](const RunContext&) {
      if (i % 40 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (i == 7) throw std::runtime_error("never waited for");
    }, {&vars[(i + 3) % 8], 1}, {&vars[i % 8], 1}, {.name = "pending", .allow_inline = i % 5 == 0});
  }
  std::exit(0);  // no WaitForAll: the exit path must drain, stop the workers and not crash
}

TEST(EngineExitDeathTest, ExitWithPendingOpsIsClean) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ExitWithWorkPending(), ::testing::ExitedWithCode(0), "");
}

// --- fork -----------------------------------------------------------------------------------------

// Runs a short dependent chain on the process engine; true when it computed the right value.
bool ChainWorks(Engine* engine) {
  VarHandle a = engine->NewVariable(), b = engine->NewVariable();
  int64_t x = 0, y = 0;
  for (int i = 1; i <= 100; ++i) {
    engine->Push([&x, i](const RunContext&) { x += i; }, {}, {&a, 1}, {.name = "add"});
    engine->Push([&x, &y](const RunContext&) { y = x * 2; }, {&a, 1}, {&b, 1}, {.name = "dbl"});
  }
  engine->WaitForVar(b);
  engine->DeleteVariable(a);
  engine->DeleteVariable(b);
  return x == 5050 && y == 10100;
}

TEST(EngineFork, ChildAndParentKeepWorking) {
  Engine* engine = Engine::Get();
  ASSERT_TRUE(ChainWorks(engine));
  // Work still pending at the fork: it must be finished before, not lost or duplicated.
  VarHandle v = engine->NewVariable();
  std::atomic<int> runs{0};
  engine->Push([&](const RunContext&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    runs++;
  }, {}, {&v, 1}, {.name = "slow"});
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // child: the inherited engine has no threads unless AfterFork restarted them
    const bool ok = runs.load() == 1 && ChainWorks(Engine::Get());
    std::_Exit(ok ? 0 : 1);
  }
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(ChainWorks(engine));
  int status = 0;
  pid_t done = 0;
  if (!test::WaitUntil([&] { return (done = waitpid(pid, &status, WNOHANG)) != 0; },
                       std::chrono::seconds(30))) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "the child hung";
  }
  ASSERT_EQ(done, pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  engine->DeleteVariable(v);
}

}  // namespace
}  // namespace mixnet::engine
