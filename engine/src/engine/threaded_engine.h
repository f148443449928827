// ThreadedEngine: the default scheduler. Ops wait in per-variable FIFOs (threaded_var.h) until
// their dependencies are met, then run on a pool of worker threads fed by one ReadyQueue.
//
// Thread safety: every public method may be called from any thread, including from inside a
// running op (Push, NewVariable, DeleteVariable). Pushes are registered under one mutex (an inline
// op that finds all its variables free takes them all at once instead, without it), so ops
// pushed from different threads are ordered as if pushed one after the other. WaitForAll must not
// be called from inside an op (it would wait for itself; it throws instead); neither may an op
// wait for a variable it uses (that deadlocks, undetected).
//
// Fast paths (they decide per-op dispatch cost):
//   - Push with allow_inline whose dependencies are all free runs fn on the pushing thread before
//     Push returns: no allocation, no hand-off. TryRunInline does the same without the OpFn
//     (the dispatch path's closure is too large for std::function's inline buffer).
//   - WaitForVar / WaitForVarWrite on a variable with nothing pending only take its lock.
//   - A worker that completes an op runs one of the ops it made ready itself (no wake-up).
//
// Lifetime: the destructor waits for every pending op and joins the workers. The process-wide
// engine is never destroyed (objects destroyed at exit may still push); at exit Shutdown() drains
// it and stops the workers, after which ops run on the thread that makes them ready. Around
// fork() the process-wide engine drains and restarts its pool (BeforeFork / AfterFork).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "engine/error_log.h"
#include "engine/ready_queue.h"
#include "engine/thread_budget.h"
#include "engine/threaded_var.h"

namespace mixnet::engine {

class ThreadedEngine final : public Engine {
 public:
  // max_pending > 0 bounds how far a pushing thread runs ahead of execution (see Throttle);
  // 0 leaves it unbounded.
  ThreadedEngine(int num_workers, int num_threads, int64_t max_pending = 0);
  ~ThreadedEngine() override;

  VarHandle NewVariable() override;
  void DeleteVariable(VarHandle var) override;
  bool TryDeleteIdleVariable(VarHandle var) override;
  void Push(OpFn fn, std::span<const VarHandle> reads, std::span<const VarHandle> writes,
            const PushOptions& opts) override;
  bool TryRunInline(OpFnRef fn, std::span<const VarHandle> reads,
                    std::span<const VarHandle> writes, const PushOptions& opts) override;
  void WaitForVar(VarHandle var) override;
  void WaitForVarWrite(VarHandle var) override;
  void WaitForAll() override;
  int num_workers() const override { return num_workers_; }
  int num_threads() const override { return budget_.total(); }

  // Waits for pending ops (giving up once none has finished for `stall_limit`), then stops the
  // workers: those that exit within `stall_limit` are joined, any stuck inside an op is detached.
  // Afterwards the engine still works, running each op on the thread that makes it runnable.
  // Idempotent.
  void Shutdown(std::chrono::milliseconds stall_limit);

  // fork() support (pthread_atfork, installed for the process-wide engine): before the fork,
  // finish pending ops and join the workers (a child process inherits no threads, and no lock may
  // be held by a worker at the fork); after it, parent and child each start a fresh pool.
  void BeforeFork();
  void AfterFork();

  // Variables created and not yet freed (tests check that DeleteVariable defers and then frees).
  int64_t num_live_variables() const { return live_vars_.load(std::memory_order_relaxed); }

 private:
  using OprBlock = detail::OprBlock;
  using ReadyList = detail::ReadyList;
  using VarUse = detail::VarUse;

  void WorkerMain();
  void StartWorkers();  // lifecycle_mu_ held
  // Stops the queue and waits (up to stall_limit) for the workers to leave: joins them, or
  // detaches them if some are stuck inside an op. lifecycle_mu_ held.
  void StopWorkers(std::chrono::milliseconds stall_limit);
  // Registers an op whose first `granted` uses already hold their variables and queues it on the
  // rest; dispatches it if everything is granted by the end. Called with push_mu_ held; unlocks.
  void RegisterBlock(OprBlock* op, int granted, std::unique_lock<std::mutex>& push_lock);
  // Hands ops to the workers, or runs them here once the workers are stopped.
  void Dispatch(ReadyList& ops);
  // Runs ops and, depth first, one op each completion made ready; queues the others.
  void RunChain(ReadyList& ops);
  // Executes a block, completes its uses (collecting newly runnable ops) and frees it.
  void RunBlock(OprBlock* op, ReadyList& ready);
  // User-op semantics shared by blocks and the inline path: skip on a stored error, run fn with a
  // thread budget, store a new error on the written variables.
  void RunUserOp(OpFnRef fn, const VarUse* uses, int n, bool overwrites_outputs, uint64_t seq);
  // Takes every variable of an op that is to run here at once: true when all were free (the op
  // now holds them), else false with those taken given back (nothing ran, nothing changed).
  bool TakeAllOrNone(VarUse* uses, int n);
  static void CompleteUses(const VarUse* uses, int n, ReadyList& ready);
  // Counts one pushed op as finished (pending_ops_) and wakes WaitForAll when none is left, and
  // throttled pushers when half the bound is left.
  void FinishOp();
  // Backpressure: a thread outside this engine's ops that pushes while max_pending_ ops are
  // pending waits until half of them finished. Outputs are allocated when an op is pushed, so a
  // loop that never reads a result would otherwise allocate every future step's memory at once
  // (LeNet training 40 steps ahead held 1.5 GB). Ops and workers never wait: the ops they would
  // wait for may need them.
  void Throttle();
  // Pushes a kWait op on var and blocks until it ran; returns the error var carried then.
  ErrorRef WaitThroughOp(detail::ThreadedVar* var, bool write);
  bool WaitPending(std::chrono::milliseconds stall_limit);

  const int num_workers_;
  const int64_t max_pending_;
  ThreadBudget budget_;
  ErrorLog errors_;
  std::mutex push_mu_;
  // Push order. Atomic: the inline fast path numbers its op without push_mu_.
  std::atomic<uint64_t> next_seq_{0};
  detail::ReadyQueue queue_;
  std::mutex lifecycle_mu_;  // guards workers_, shut_down_, stopped_for_fork_
  std::vector<std::thread> workers_;
  bool shut_down_ = false;
  bool stopped_for_fork_ = false;
  std::atomic<int> workers_running_{0};

  // Ops runnable or running: counted from the moment they become runnable (before any worker can
  // see them) until their fn returns, so it never undercounts what may run concurrently. Divides
  // the thread budget.
  std::atomic<int> runnable_{0};
  // Ops pushed and not yet finished (inline ones included), for WaitForAll.
  std::atomic<int64_t> pending_ops_{0};
  std::atomic<int> all_waiters_{0};
  std::atomic<int> throttled_{0};
  std::mutex all_mu_;
  std::condition_variable all_cv_;

  std::atomic<int64_t> live_vars_{0};
};

}  // namespace mixnet::engine
