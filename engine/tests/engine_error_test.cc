// Error semantics, identical for both engines: a failing op's exception is stored on what it
// writes, dependents are skipped and carry the same error, sync points re-throw it on the caller's
// thread, WaitForAll reports the first unseen error once, and the engine keeps working.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include "common/error.h"
#include "engine/engine.h"
#include "engine_test_util.h"

namespace mixnet::engine {
namespace {

using test::One;
using test::ScopedVars;
using test::WaitUntil;

using test::kAsync;
using test::kInline;
constexpr PushOptions kOverwrite{.name = "test", .overwrites_outputs = true};

class EngineErrors : public ::testing::TestWithParam<const char*> {
 protected:
  std::unique_ptr<Engine> engine_ = CreateEngine(GetParam(), 3, 2);

  void PushFailing(VarHandle out, const std::string& message, PushOptions opts = kAsync) {
    engine_->Push([message](const RunContext&) { MX_THROW(ValueError) << message; }, {}, One(out),
                  opts);
  }
  // The message WaitForVar(var) re-throws ("" if it does not throw).
  std::string WaitMessage(VarHandle var) {
    try {
      engine_->WaitForVar(var);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kValueError);
      return e.what();
    }
    return "";
  }
  std::string WaitAllMessage() {
    try {
      engine_->WaitForAll();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_P(EngineErrors, DependentsAreSkippedAndCarryTheOriginalError) {
  ScopedVars v(*engine_, 4);  // x, y, z, independent w
  std::atomic<bool> b_ran{false}, c_ran{false}, d_ran{false};
  PushFailing(v[0], "A: boom (2, 3)");
  engine_->Push([&](const RunContext&) { b_ran = true; }, One(v[0]), One(v[1]), kAsync);
  engine_->Push([&](const RunContext&) { c_ran = true; }, One(v[1]), One(v[2]), kInline);
  engine_->Push([&](const RunContext&) { d_ran = true; }, One(v[3]), One(v[3]), kAsync);
  EXPECT_EQ(WaitMessage(v[2]), "A: boom (2, 3)");
  EXPECT_EQ(WaitMessage(v[1]), "A: boom (2, 3)");
  EXPECT_EQ(WaitMessage(v[0]), "A: boom (2, 3)");
  EXPECT_EQ(WaitMessage(v[3]), "");
  EXPECT_FALSE(b_ran.load());
  EXPECT_FALSE(c_ran.load());
  EXPECT_TRUE(d_ran.load());
  // Every sync point above already re-threw it: WaitForAll has nothing new to report.
  EXPECT_EQ(WaitAllMessage(), "");
}

TEST_P(EngineErrors, WaitForVarRethrowsUntilWaitForAllForgets) {
  ScopedVars v(*engine_, 1);
  PushFailing(v[0], "sticky");
  EXPECT_EQ(WaitMessage(v[0]), "sticky");
  EXPECT_EQ(WaitMessage(v[0]), "sticky");
  EXPECT_THROW(engine_->WaitForVarWrite(v[0]), Error);
  EXPECT_EQ(WaitAllMessage(), "");  // already re-thrown by WaitForVar
  EXPECT_EQ(WaitMessage(v[0]), "");  // ... and now forgotten
}

TEST_P(EngineErrors, WaitForAllThrowsOnceThenNotAgain) {
  ScopedVars v(*engine_, 2);
  PushFailing(v[0], "only once");
  EXPECT_EQ(WaitAllMessage(), "only once");
  EXPECT_EQ(WaitAllMessage(), "");
  // Forgotten errors no longer mark their variables: work on them proceeds.
  EXPECT_EQ(WaitMessage(v[0]), "");
  int value = 0;
  engine_->Push([&](const RunContext&) { value = 11; }, One(v[0]), One(v[1]), kAsync);
  EXPECT_EQ(WaitMessage(v[1]), "");
  EXPECT_EQ(value, 11);
}

TEST_P(EngineErrors, NewOpsWorkAfterAnError) {
  ScopedVars bad(*engine_, 1);
  PushFailing(bad[0], "failed");
  EXPECT_EQ(WaitAllMessage(), "failed");
  ScopedVars fresh(*engine_, 2);
  int a = 0, b = 0;
  engine_->Push([&](const RunContext&) { a = 5; }, {}, One(fresh[0]), kAsync);
  engine_->Push([&](const RunContext&) { b = a * 2; }, One(fresh[0]), One(fresh[1]), kInline);
  EXPECT_EQ(WaitMessage(fresh[1]), "");
  EXPECT_EQ(b, 10);
  EXPECT_EQ(WaitAllMessage(), "");
}

TEST_P(EngineErrors, WaitForAllReportsTheFirstErrorNotYetSeen) {
  ScopedVars v(*engine_, 3);
  PushFailing(v[0], "first");
  PushFailing(v[1], "second");
  PushFailing(v[2], "third");
  EXPECT_EQ(WaitMessage(v[0]), "first");  // seen
  EXPECT_EQ(WaitMessage(v[0]), "first");
  EXPECT_EQ(WaitAllMessage(), "second");
  EXPECT_EQ(WaitAllMessage(), "");
  // WaitForAll forgot "third" too: nothing marks the variables any more.
  EXPECT_EQ(WaitMessage(v[1]), "");
  EXPECT_EQ(WaitMessage(v[2]), "");
}

TEST_P(EngineErrors, FirstMeansFirstPushedNotFirstInTime) {
  ScopedVars v(*engine_, 3);
  std::atomic<bool> later_failed{false};
  // Pushed first, fails last (on the threaded engine the second op fails while this one waits).
  engine_->Push([&](const RunContext&) {
    WaitUntil([&] { return later_failed.load(); }, std::chrono::milliseconds(200));
    MX_THROW(ValueError) << "pushed first";
  }, {}, One(v[0]), kAsync);
  engine_->Push([&](const RunContext&) {
    later_failed = true;
    MX_THROW(ValueError) << "pushed second";
  }, {}, One(v[1]), kAsync);
  // An op reading both failed variables passes on the earlier-pushed error.
  const VarHandle both[2] = {v[1], v[0]};
  engine_->Push([](const RunContext&) {}, both, One(v[2]), kAsync);
  EXPECT_EQ(WaitMessage(v[2]), "pushed first");
  EXPECT_EQ(WaitAllMessage(), "pushed second");  // "pushed first" was just re-thrown
  ScopedVars w(*engine_, 2);
  PushFailing(w[0], "a");
  PushFailing(w[1], "b");
  EXPECT_EQ(WaitAllMessage(), "a");
}

TEST_P(EngineErrors, OverwritesOutputsClearsTheError) {
  ScopedVars v(*engine_, 2);
  PushFailing(v[0], "stale");
  bool overwrite_ran = false;
  engine_->Push([&](const RunContext&) { overwrite_ran = true; }, {}, One(v[0]), kOverwrite);
  EXPECT_EQ(WaitMessage(v[0]), "");
  EXPECT_TRUE(overwrite_ran);
  bool reader_ran = false;
  engine_->Push([&](const RunContext&) { reader_ran = true; }, One(v[0]), One(v[1]), kAsync);
  EXPECT_EQ(WaitMessage(v[1]), "");
  EXPECT_TRUE(reader_ran);
  // Nobody was told about "stale": WaitForAll still reports it, once.
  EXPECT_EQ(WaitAllMessage(), "stale");
  EXPECT_EQ(WaitAllMessage(), "");
}

TEST_P(EngineErrors, WithoutOverwritesAWriteOfAFailedVariableIsSkipped) {
  ScopedVars v(*engine_, 1);
  PushFailing(v[0], "kept");
  bool ran = false;
  engine_->Push([&](const RunContext&) { ran = true; }, {}, One(v[0]), kAsync);
  EXPECT_EQ(WaitMessage(v[0]), "kept");
  EXPECT_FALSE(ran);
}

TEST_P(EngineErrors, OverwritesOutputsStillSkipsOnAFailedInput) {
  ScopedVars v(*engine_, 2);
  PushFailing(v[0], "input failed");
  bool ran = false;
  engine_->Push([&](const RunContext&) { ran = true; }, One(v[0]), One(v[1]), kOverwrite);
  EXPECT_EQ(WaitMessage(v[1]), "input failed");
  EXPECT_FALSE(ran);
}

TEST_P(EngineErrors, OverwritesOutputsOfAVariableAlsoReadIsAWrite) {
  // x in both lists counts as written, so overwrites_outputs ignores x's error.
  ScopedVars v(*engine_, 1);
  PushFailing(v[0], "old");
  bool ran = false;
  engine_->Push([&](const RunContext&) { ran = true; }, One(v[0]), One(v[0]), kOverwrite);
  EXPECT_EQ(WaitMessage(v[0]), "");
  EXPECT_TRUE(ran);
  EXPECT_EQ(WaitAllMessage(), "old");
}

TEST_P(EngineErrors, FailingOverwriteReplacesTheError) {
  ScopedVars v(*engine_, 1);
  PushFailing(v[0], "old");
  PushFailing(v[0], "new", kOverwrite);
  EXPECT_EQ(WaitMessage(v[0]), "new");
  EXPECT_EQ(WaitAllMessage(), "old");  // never re-thrown by anyone
  EXPECT_EQ(WaitAllMessage(), "");
}

TEST_P(EngineErrors, ErrorIsStoredOnWrittenVariablesOnly) {
  ScopedVars v(*engine_, 2);
  engine_->Push([](const RunContext&) { MX_THROW(ValueError) << "out only"; }, One(v[0]),
                One(v[1]), kAsync);
  EXPECT_EQ(WaitMessage(v[1]), "out only");
  EXPECT_EQ(WaitMessage(v[0]), "");
}

TEST_P(EngineErrors, AnyExceptionTypeIsKept) {
  ScopedVars v(*engine_, 2);
  engine_->Push([](const RunContext&) { throw std::out_of_range("oor"); }, {}, One(v[0]), kAsync);
  engine_->Push([](const RunContext&) { throw 42; }, {}, One(v[1]), kInline);
  EXPECT_THROW(engine_->WaitForVar(v[0]), std::out_of_range);
  try {
    engine_->WaitForVarWrite(v[1]);
    FAIL() << "expected an int";
  } catch (int code) {
    EXPECT_EQ(code, 42);
  }
  EXPECT_NO_THROW(engine_->WaitForAll());
}

TEST_P(EngineErrors, ManyFailuresThenNormalWork) {
  ScopedVars v(*engine_, 40);
  for (int i = 0; i < 40; ++i) PushFailing(v[i], "fail " + std::to_string(i));
  EXPECT_NE(WaitAllMessage(), "");
  EXPECT_EQ(WaitAllMessage(), "");
  std::atomic<int> sum{0};
  for (int i = 0; i < 40; ++i) {
    engine_->Push([&, i](const RunContext&) { sum += i; }, {}, One(v[i]), kAsync);
  }
  EXPECT_EQ(WaitAllMessage(), "");
  EXPECT_EQ(sum.load(), 40 * 39 / 2);
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineErrors,
                         ::testing::Values("ThreadedEngine", "NaiveEngine"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace mixnet::engine
