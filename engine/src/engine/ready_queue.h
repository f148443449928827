// The queue that feeds ThreadedEngine's workers: runnable ops in FIFO order. Workers sleep on a
// condition variable when it is empty (after a short spin, which saves the futex round trip when
// ops arrive back to back). Once stopped it refuses new ops (the caller then runs them itself) and
// lets workers leave when it is empty.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "engine/threaded_var.h"

namespace mixnet::engine::detail {

class ReadyQueue {
 public:
  // Moves every op of `ops` into the queue; returns false (ops untouched) once stopped.
  bool PushAll(ReadyList& ops);
  // Blocks until an op is available; nullptr once stopped and drained.
  OprBlock* Pop();
  void Stop();
  // Accepts ops again after Stop (fork support; the workers must all have left).
  void Restart();
  // Approximate number of queued ops.
  int size() const { return size_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  ReadyList items_;
  bool stopped_ = false;
  std::atomic<int> size_{0};
  std::atomic<int> idle_{0};
};

}  // namespace mixnet::engine::detail
