// Helpers for the scheduler tests (engine_test.cc, engine_stress_test.cc): gates that hold an op
// until the test releases it, and bounded waits so a scheduling bug fails a test instead of
// hanging it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/engine.h"

namespace mixnet::engine::test {

// Polls pred until it holds or `limit` passes; returns its final value.
template <typename Pred>
bool WaitUntil(Pred&& pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

// Holds ops back until Open() (or 10 s, so a broken scheduler cannot hang the suite).
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Returns false when it timed out.
  bool Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Variables that are deleted (after all their ops) when the test ends.
class ScopedVars {
 public:
  ScopedVars(Engine& engine, int n) : engine_(engine) {
    for (int i = 0; i < n; ++i) vars_.push_back(engine.NewVariable());
  }
  ~ScopedVars() {
    for (VarHandle v : vars_) engine_.DeleteVariable(v);
  }
  VarHandle operator[](size_t i) const { return vars_[i]; }
  const VarHandle* at(size_t i) const { return &vars_[i]; }  // a 1-element span's data

 private:
  Engine& engine_;
  std::vector<VarHandle> vars_;
};

inline std::span<const VarHandle> One(const VarHandle& v) { return {&v, 1}; }

// Push options every engine test uses: queued to a worker, or allowed to run inline.
inline constexpr PushOptions kAsync{.name = "test"};
inline constexpr PushOptions kInline{.name = "test", .allow_inline = true};

// A private threaded engine for one test.
inline std::unique_ptr<Engine> Threaded(int workers = 2, int threads = 2) {
  return CreateEngine("ThreadedEngine", workers, threads);
}

}  // namespace mixnet::engine::test
