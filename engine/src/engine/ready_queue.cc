#include "engine/ready_queue.h"

#include <algorithm>
#include <chrono>

#include "engine/spin_wait.h"

namespace mixnet::engine::detail {

namespace {
// How long an idle worker polls before sleeping. Short: a spinning worker takes a core from the
// pushing thread, which matters on small machines.
constexpr auto kIdleSpin = std::chrono::microseconds(20);
}  // namespace

bool ReadyQueue::PushAll(ReadyList& ops) {
  if (ops.empty()) return true;
  int n = 0;
  int sleepers = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return false;
    n = ops.size;
    items_.Splice(ops);
    size_.store(items_.size, std::memory_order_relaxed);
    sleepers = idle_.load(std::memory_order_relaxed);
  }
  // Wake no more sleepers than there are new ops; spinning workers pick ops up by themselves.
  const int wake = std::min(n, sleepers);
  if (wake == 1) {
    cv_.notify_one();
  } else if (wake > 1) {
    for (int i = 0; i < wake; ++i) cv_.notify_one();
  }
  return true;
}

OprBlock* ReadyQueue::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  if (items_.empty() && !stopped_) {
    lock.unlock();
    SpinFor(kIdleSpin, [&] { return size_.load(std::memory_order_relaxed) != 0; });
    lock.lock();
  }
  while (items_.empty() && !stopped_) {
    idle_.fetch_add(1, std::memory_order_relaxed);
    cv_.wait(lock);
    idle_.fetch_sub(1, std::memory_order_relaxed);
  }
  OprBlock* op = items_.PopFront();
  size_.store(items_.size, std::memory_order_relaxed);
  return op;  // nullptr only when stopped and empty
}

void ReadyQueue::Restart() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = false;
}

void ReadyQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

}  // namespace mixnet::engine::detail
