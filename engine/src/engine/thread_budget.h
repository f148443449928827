// The intra-op thread count each op is told.
//
// Default (deterministic): every op is told num_threads, whatever else runs. Kernels whose
// results depend on their thread count (BLAS and oneDNN GEMMs and convolutions, reductions with
// per-thread partial sums) then compute the same bits in every run, which reproducible training
// and bit-identical resumption from checkpoints need. Ops that do overlap may oversubscribe the
// cores for that moment; OpenBLAS serialises its own concurrent calls.
//
// Shared (MIXNET_SHARE_THREADS=1): the budget is divided among the ops running at the same
// moment, which suits graphs with many independent ops but lets the last bits of such kernels
// vary with timing. In that mode an op starting gets max(1, num_threads / expected concurrency) threads. The expected
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
#include <cstdlib>
#include <cstring>

namespace mixnet::engine {

class ThreadBudget {
 public:
  struct Grant {
    int nthreads;  // what the op is told (>= 1)
    int taken;     // tokens taken from the pool (may be 0: the 1-thread floor)
  };

  explicit ThreadBudget(int total, bool shared = SharedFromEnv())
      : total_(std::max(1, total)), shared_(shared), available_(total_) {}

  int total() const { return total_; }
  bool shared() const { return shared_; }

  // MIXNET_SHARE_THREADS=1 selects the shared mode.
  static bool SharedFromEnv() {
    const char* v = std::getenv("MIXNET_SHARE_THREADS");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }

  // concurrency: ops expected to run at the same time as this one, this one included.
  Grant Acquire(int concurrency) {
    if (!shared_) return Grant{total_, 0};
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
  const bool shared_;
  std::atomic<int> available_;
};

}  // namespace mixnet::engine
