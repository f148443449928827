// Error bookkeeping shared by both engines. A failing op creates one ErrorRecord; every variable it
// writes, and every variable written by an op skipped because of it, points at that same record,
// so "the same error" is passed on by identity.
//
// "First" means first in push order, never first in time: each record carries the push sequence
// number of the op that failed. An op whose inputs carry several errors passes on the one from the
// earliest-pushed op, and WaitForAll re-throws the earliest-pushed unseen one. Both choices are
// therefore the same on every engine and every run, whatever the threads did.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

namespace mixnet::engine {

struct ErrorRecord {
  ErrorRecord(std::exception_ptr e, uint64_t seq) : error(std::move(e)), op_seq(seq) {}
  std::exception_ptr error;
  uint64_t op_seq;  // push sequence number of the op that failed
  // Some sync point (WaitForVar / WaitForAll) has re-thrown it.
  std::atomic<bool> rethrown{false};
  // WaitForAll forgot it: variables still pointing at it count as clean.
  std::atomic<bool> forgotten{false};
};
using ErrorRef = std::shared_ptr<ErrorRecord>;

// True when e marks its variable as failed.
inline bool IsActive(const ErrorRef& e) {
  return e != nullptr && !e->forgotten.load(std::memory_order_acquire);
}

// Keeps in *chosen the active error of the earlier-pushed op (see above).
inline void PreferEarlier(ErrorRef* chosen, const ErrorRef& candidate) {
  if (IsActive(candidate) && (*chosen == nullptr || candidate->op_seq < (*chosen)->op_seq)) {
    *chosen = candidate;
  }
}

class ErrorLog {
 public:
  // Records the failure of the op pushed as number `op_seq`.
  ErrorRef Record(std::exception_ptr e, uint64_t op_seq);
  // Marks e re-thrown and throws it on the calling thread.
  [[noreturn]] static void Rethrow(const ErrorRef& e);
  // WaitForAll's tail: throws the earliest-pushed record no sync point has re-thrown yet (if any),
  // after forgetting every record logged so far.
  void RethrowFirstUnseenAndForget();

 private:
  // Drops records that can no longer matter (already re-thrown and no variable refers to them),
  // so a program that never calls WaitForAll does not grow the log without bound.
  void PruneLocked();

  std::mutex mu_;
  std::vector<ErrorRef> records_;
  size_t prune_at_ = 256;
};

}  // namespace mixnet::engine
