// Divides the intra-op thread budget (num_threads) among the ops running at the same moment.
//
// An op starting gets max(1, num_threads / expected concurrency) threads. The expected
// concurrency, given by the engine, counts the ops running or runnable right now, itself
// included, capped at the number of workers. Grants come out of a pool of num_threads tokens, so
// the threads of all running ops never add up to more than num_threads -- with one exception: an
// op that starts while the pool is empty still gets 1 thread (it cannot run with 0). That happens
// only when more ops run than there are threads, or when ops become runnable after a wide op
// took the whole budget while it was alone; it costs at most one thread per such op. Stalling
// those ops instead would serialise independent small ops behind any op that started alone.
#pragma once

#include <algorithm>
#include <atomic>

namespace mixnet::engine {

class ThreadBudget {
 public:
  struct Grant {
    int nthreads;  // what the op is told (>= 1)
    int taken;     // tokens taken from the pool (may be 0: the 1-thread floor)
  };

  explicit ThreadBudget(int total) : total_(std::max(1, total)), available_(total_) {}

  int total() const { return total_; }

  // concurrency: ops expected to run at the same time as this one, this one included.
  Grant Acquire(int concurrency) {
    const int share = std::max(1, total_ / std::max(1, concurrency));
    int avail = available_.load(std::memory_order_relaxed);
    int take = 0;
    while (avail > 0) {
      take = std::min(share, avail);
      if (available_.compare_exchange_weak(avail, avail - take, std::memory_order_acq_rel,
                                           std::memory_order_relaxed)) {
        break;
      }
      take = 0;
    }
    return Grant{std::max(1, take), take};
  }

  void Release(const Grant& g) {
    if (g.taken > 0) available_.fetch_add(g.taken, std::memory_order_acq_rel);
  }

 private:
  const int total_;
  std::atomic<int> available_;
};

}  // namespace mixnet::engine
