// A test-and-test-and-set lock for short critical sections on the dispatch path (the storage
// pool's free lists). Uncontended it costs one atomic exchange and a store, against a mutex's two
// library calls and two atomic read-modify-writes. A waiter polls briefly, then yields, so a
// holder preempted on an oversubscribed machine gets the core back.
#pragma once

#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace mixnet {

class SpinLock {
 public:
  void lock() {
    if (!locked_.exchange(true, std::memory_order_acquire)) return;
    LockContended();
  }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  void LockContended() {
    for (int polls = 0;; ++polls) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++polls < 64) {
#if defined(__x86_64__) || defined(__i386__)
          _mm_pause();
#endif
        } else {
          std::this_thread::yield();
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
    }
  }
  std::atomic<bool> locked_{false};
};

}  // namespace mixnet
