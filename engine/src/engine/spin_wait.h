// Bounded busy-waiting: poll a condition for a few microseconds before falling back to a real
// sleep (condition variable). It saves the futex sleep/wake round trip when the awaited event is
// about to happen, and never burns a core for long.
#pragma once

#include <chrono>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace mixnet::engine {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Polls done() for at most `limit`; returns its last value. After the first few hundred
// nanoseconds it yields between polls: when the thread that will set the condition shares this
// core (an oversubscribed machine), pure spinning would only delay it.
template <typename Pred>
bool SpinFor(std::chrono::nanoseconds limit, Pred&& done) {
  if (limit.count() <= 0) return done();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (int polls = 1;; ++polls) {
    if (done()) return true;
    if (polls < 64) {
      CpuRelax();
    } else {
      std::this_thread::yield();
      if (std::chrono::steady_clock::now() >= deadline) return done();
    }
  }
}

}  // namespace mixnet::engine
