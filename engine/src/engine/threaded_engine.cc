#include "engine/threaded_engine.h"

#include <algorithm>
#include <new>
#include <cstdio>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "common/error.h"
#include "engine/spin_wait.h"

namespace mixnet::engine {

using detail::OpKind;
using detail::OprBlock;
using detail::ReadyList;
using detail::ThreadedVar;
using detail::VarUse;

namespace {

// The engine whose op the current thread is running (nested pushes can run inline ops inside
// ops, hence save/restore), and the engine the current thread is a worker of.
thread_local const ThreadedEngine* t_running_op_of = nullptr;
thread_local const ThreadedEngine* t_worker_of = nullptr;

// Every op saves and restores t_running_op_of: one __tls_get_addr call for both, where GCC would
// call it at each use (see common/fast_tls.h).
[[gnu::noinline]] const ThreadedEngine** RunningOpSlot() { return &t_running_op_of; }

// How long a waiting caller polls before sleeping. A few microseconds cover a typical small op
// finishing on another core without paying for a futex sleep and wake-up.
constexpr auto kWaitSpin = std::chrono::microseconds(20);

// Compared in milliseconds: converting milliseconds::max() ("no limit") to the clock's
// nanoseconds would overflow.
std::chrono::milliseconds ElapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since);
}

ThreadedVar* AsThreaded(VarHandle var, const char* what) {
  MX_CHECK(var != nullptr, InvalidHandle) << what << ": variable handle is NULL";
  return static_cast<ThreadedVar*>(var);
}

// The distinct variables of one push, as VarUse records. A variable listed twice, or both read
// and written, becomes one write. Small pushes use stack storage: the inline path allocates
// nothing.
class UseSet {
 public:
  UseSet(std::span<const VarHandle> reads, std::span<const VarHandle> writes) {
    const size_t cap = reads.size() + writes.size();
    if (cap > kLocal) {
      heap_.resize(cap);
      data_ = heap_.data();
    }
    for (VarHandle v : writes) Add(v, true);
    for (VarHandle v : reads) Add(v, false);
    if (cap > kLocal) MergeSorted();
  }
  int size() const { return n_; }
  VarUse* data() { return data_; }
  // Whether the uses are in push order (writes, then reads); a large set is sorted by address.
  bool in_push_order() const { return data_ == local_; }

 private:
  static constexpr size_t kLocal = 8;

  void Add(VarHandle v, bool write) {
    ThreadedVar* tv = AsThreaded(v, "Push");
    if (data_ == local_) {  // few entries: linear de-duplication
      for (int i = 0; i < n_; ++i) {
        if (data_[i].var == tv) {
          data_[i].write = data_[i].write || write;
          return;
        }
      }
    }
    new (data_ + n_) VarUse{tv, write, nullptr, nullptr};
    ++n_;
  }
  // Many entries: sort by address and merge neighbours (O(n log n) instead of O(n^2)).
  void MergeSorted() {
    std::sort(data_, data_ + n_, [](const VarUse& a, const VarUse& b) { return a.var < b.var; });
    int out = 0;
    for (int i = 0; i < n_; ++i) {
      if (out > 0 && data_[out - 1].var == data_[i].var) {
        data_[out - 1].write = data_[out - 1].write || data_[i].write;
      } else {
        data_[out++] = data_[i];
      }
    }
    n_ = out;
  }

  // Raw storage: entries are written as they are added (zeroing all eight showed in profiles).
  alignas(VarUse) unsigned char local_buf_[kLocal * sizeof(VarUse)];
  VarUse* const local_ = reinterpret_cast<VarUse*>(local_buf_);
  std::vector<VarUse> heap_;
  VarUse* data_ = local_;
  int n_ = 0;
};

// What WaitForVar blocks on: signalled by a kWait op once it holds the variable.
struct Waiter {
  std::atomic<bool> signaled{false};
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ErrorRef error;

  void Signal(ErrorRef e) {
    error = std::move(e);
    signaled.store(true, std::memory_order_release);
    std::lock_guard<std::mutex> lock(mu);  // the waiter re-locks mu before it returns, so the
    done = true;                           // Waiter outlives this critical section
    cv.notify_one();
  }
  void Wait() {
    SpinFor(kWaitSpin, [&] { return signaled.load(std::memory_order_acquire); });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
};

}  // namespace

ThreadedEngine::ThreadedEngine(int num_workers, int num_threads, int64_t max_pending)
    : num_workers_(std::max(1, num_workers)),
      max_pending_(std::max<int64_t>(0, max_pending)),
      budget_(num_threads) {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  try {
    StartWorkers();
  } catch (...) {
    StopWorkers(std::chrono::milliseconds::max());
    throw;
  }
}

void ThreadedEngine::StartWorkers() {
  workers_.reserve(static_cast<size_t>(num_workers_));
  for (int i = 0; i < num_workers_; ++i) {
    workers_running_.fetch_add(1);
    try {
      workers_.emplace_back([this] { WorkerMain(); });
    } catch (...) {
      workers_running_.fetch_sub(1);
      throw;
    }
  }
}

ThreadedEngine::~ThreadedEngine() {
  Shutdown(std::chrono::milliseconds::max());
  // Workers detached by an earlier bounded Shutdown may still be finishing an op that uses this
  // object: never free it under them.
  while (workers_running_.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void ThreadedEngine::WorkerMain() {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), "mixnet-worker");
#endif
  t_worker_of = this;
  while (OprBlock* op = queue_.Pop()) {
    ReadyList ops;
    ops.PushBack(op);
    RunChain(ops);
  }
  workers_running_.fetch_sub(1);
}

VarHandle ThreadedEngine::NewVariable() {
  auto* var = new ThreadedVar();
  live_vars_.fetch_add(1, std::memory_order_relaxed);
  return var;
}

bool ThreadedEngine::TryDeleteIdleVariable(VarHandle var) {
  if (var == nullptr) return false;
  auto* v = static_cast<ThreadedVar*>(var);
  if (!v->Idle(nullptr)) return false;
  // Nothing pending, and the caller promised not to push on it again: nobody can queue on it.
  delete v;
  live_vars_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void ThreadedEngine::DeleteVariable(VarHandle var) {
  if (var == nullptr || TryDeleteIdleVariable(var)) return;
  auto* v = static_cast<ThreadedVar*>(var);
  // A write after everything pending; the block frees the variable once that write completes.
  OprBlock* op = OprBlock::New(1);
  op->kind = OpKind::kDelete;
  op->name = "DeleteVariable";
  op->uses()[0] = VarUse{v, true, nullptr, op};
  pending_ops_.fetch_add(1);
  std::unique_lock<std::mutex> lock(push_mu_);
  RegisterBlock(op, 0, lock);
}

void ThreadedEngine::Push(OpFn fn, std::span<const VarHandle> reads,
                          std::span<const VarHandle> writes, const PushOptions& opts) {
  if (max_pending_ > 0 && pending_ops_.load(std::memory_order_relaxed) >= max_pending_) Throttle();
  UseSet set(reads, writes);
  const int n = set.size();
  VarUse* uses = set.data();
  pending_ops_.fetch_add(1);
  // Runs the op here once every variable is held by it.
  auto run_inline = [&](uint64_t seq) {
    runnable_.fetch_add(1);
    RunUserOp(fn, uses, n, opts.overwrites_outputs, seq);
    runnable_.fetch_sub(1);
    fn = nullptr;  // release captures before the op counts as finished
    ReadyList ready;
    CompleteUses(uses, n, ready);
    Dispatch(ready);
    FinishOp();
  };
  if (opts.allow_inline) {
    // Inline fast path without push_mu_: try to take every variable (each under its own lock).
    // Holding all of them at once before running is what orders this op against concurrent
    // pushes (two-phase locking), so the global mutex is not needed for it. If one is busy, give
    // back those taken (nothing ran, so their state and errors are untouched; an op that queued
    // behind us meanwhile simply goes first) and register under push_mu_ as below: holding some
    // variables while queueing on others without it could deadlock against another pusher.
    if (!opts.inline_tried) {
      const uint64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
      if (TakeAllOrNone(uses, n)) return run_inline(seq);
    }
  }
  std::unique_lock<std::mutex> lock(push_mu_);
  const uint64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  int granted = 0;
  if (opts.allow_inline) {
    while (granted < n && uses[granted].var->Append(uses[granted].write, nullptr)) ++granted;
    if (granted == n) {
      // Every dependency became free meanwhile and is now held by this op.
      lock.unlock();
      return run_inline(seq);
    }
  }
  OprBlock* op = nullptr;
  try {
    op = OprBlock::New(n);
  } catch (...) {
    // Out of memory with some variables already held: give them back before reporting it.
    lock.unlock();
    ReadyList ready;
    CompleteUses(uses, granted, ready);
    Dispatch(ready);
    FinishOp();
    throw;
  }
  op->fn = std::move(fn);
  op->name = opts.name;
  op->overwrites_outputs = opts.overwrites_outputs;
  op->seq = seq;
  for (int i = 0; i < n; ++i) op->uses()[i] = VarUse{uses[i].var, uses[i].write, nullptr, op};
  RegisterBlock(op, granted, lock);
}

bool ThreadedEngine::TakeAllOrNone(VarUse* uses, int n) {
  int taken = 0;
  while (taken < n && uses[taken].var->Append(uses[taken].write, nullptr)) ++taken;
  if (taken == n) return true;
  ReadyList ready;
  CompleteUses(uses, taken, ready);
  Dispatch(ready);
  return false;
}

bool ThreadedEngine::TryRunInline(OpFnRef fn, std::span<const VarHandle> reads,
                                  std::span<const VarHandle> writes, const PushOptions& opts) {
  // Push's lock-free inline path (see there for why taking every variable orders the op).
  UseSet set(reads, writes);
  const int n = set.size();
  VarUse* uses = set.data();
  // Private variables lead the set (writes come first, and nothing else can name them); nobody
  // can be waiting on them, so only the shared ones are taken and released.
  const int skip = set.in_push_order()
                       ? std::min(std::max(opts.private_writes, 0), static_cast<int>(writes.size()))
                       : 0;
  pending_ops_.fetch_add(1);
  const uint64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  if (!TakeAllOrNone(uses + skip, n - skip)) {
    FinishOp();  // nothing ran: the caller pushes the op, which counts it again
    return false;
  }
  // runnable_ only feeds the shared thread budget; the default mode ignores it.
  const bool shared = budget_.shared();
  if (shared) runnable_.fetch_add(1);
  RunUserOp(fn, uses, n, opts.overwrites_outputs, seq);
  if (shared) runnable_.fetch_sub(1);
  ReadyList ready;
  CompleteUses(uses + skip, n - skip, ready);
  Dispatch(ready);
  FinishOp();
  return true;
}

void ThreadedEngine::RegisterBlock(OprBlock* op, int granted,
                                   std::unique_lock<std::mutex>& push_lock) {
  const int n = op->nuses;
  // Completions may start granting as soon as the first use is queued; the extra 1 keeps the
  // count above zero until every use is registered.
  op->wait.store(n - granted + 1, std::memory_order_relaxed);
  int granted_now = 0;
  for (int i = granted; i < n; ++i) {
    VarUse& use = op->uses()[i];
    if (use.var->Append(use.write, &use)) ++granted_now;
  }
  push_lock.unlock();
  if (op->wait.fetch_sub(granted_now + 1, std::memory_order_acq_rel) == granted_now + 1) {
    ReadyList ready;
    ready.PushBack(op);
    Dispatch(ready);
  }
}

void ThreadedEngine::CompleteUses(const VarUse* uses, int n, ReadyList& ready) {
  for (int i = 0; i < n; ++i) {
    if (uses[i].write) {
      uses[i].var->CompleteWrite(ready);
    } else {
      uses[i].var->CompleteRead(ready);
    }
  }
}

void ThreadedEngine::Dispatch(ReadyList& ops) {
  if (ops.empty()) return;
  runnable_.fetch_add(ops.size);  // before any worker can see them
  if (!queue_.PushAll(ops)) RunChain(ops);  // workers stopped: run them on this thread
}

void ThreadedEngine::RunChain(ReadyList& ops) {
  while (OprBlock* op = ops.PopFront()) {
    ReadyList ready;
    RunBlock(op, ready);
    if (ready.empty()) continue;
    // Keep one newly runnable op for this thread (it is warm and awake); queue the rest.
    runnable_.fetch_add(ready.size);  // before any worker can see them
    OprBlock* next = ready.PopFront();
    if (!queue_.PushAll(ready)) ops.Splice(ready);
    ops.PushFront(next);
  }
}

void ThreadedEngine::RunBlock(OprBlock* op, ReadyList& ready) {
  switch (op->kind) {
    case OpKind::kNormal:
      RunUserOp(op->fn, op->uses(), op->nuses, op->overwrites_outputs, op->seq);
      break;
    case OpKind::kWait:
      op->fn(RunContext{});  // engine-internal, does not throw
      break;
    case OpKind::kDelete:
      break;
  }
  runnable_.fetch_sub(1);
  op->fn = nullptr;
  CompleteUses(op->uses(), op->nuses, ready);
  if (op->kind == OpKind::kDelete) {
    // The delete is the last op on its variable (nothing may be pushed on it afterwards).
    delete op->uses()[0].var;
    live_vars_.fetch_sub(1, std::memory_order_relaxed);
  }
  OprBlock::Delete(op);
  FinishOp();
}

void ThreadedEngine::RunUserOp(OpFnRef fn, const VarUse* uses, int n, bool overwrites_outputs,
                               uint64_t seq) {
  // This op holds every variable it uses, so their error fields are stable while we look. An
  // error found here skips the op, which passes that same error on.
  ErrorRef failure;
  for (int i = 0; i < n; ++i) {
    if (uses[i].var->error != nullptr && !(uses[i].write && overwrites_outputs)) {
      PreferEarlier(&failure, uses[i].var->error);
    }
  }
  if (!failure) {
    // At most num_workers_ ops run on workers; an inline op beyond that still gets 1 thread.
    const ThreadBudget::Grant grant =
        budget_.Acquire(std::min(runnable_.load(std::memory_order_relaxed), num_workers_));
    const ThreadedEngine** running = RunningOpSlot();
    const ThreadedEngine* outer = *running;
    *running = this;
    try {
      fn(RunContext{grant.nthreads});
    } catch (...) {
      failure = errors_.Record(std::current_exception(), seq);
    }
    *running = outer;
    budget_.Release(grant);
  }
  for (int i = 0; i < n; ++i) {
    if (!uses[i].write) continue;
    ErrorRef& e = uses[i].var->error;
    if (failure) {
      e = failure;
    } else if (e) {
      e.reset();  // overwritten, or an error WaitForAll already forgot
    }
  }
}

void ThreadedEngine::FinishOp() {
  const int64_t left = pending_ops_.fetch_sub(1) - 1;
  if ((left == 0 && all_waiters_.load() > 0) ||
      (left == max_pending_ / 2 && throttled_.load(std::memory_order_relaxed) > 0)) {
    std::lock_guard<std::mutex> lock(all_mu_);
    all_cv_.notify_all();
  }
}

void ThreadedEngine::Throttle() {
  const ThreadedEngine* running = *RunningOpSlot();
  if (running == this || t_worker_of == this) return;
  // After Shutdown ops run on the threads that make them runnable: nothing to wait for.
  if (workers_running_.load(std::memory_order_relaxed) == 0) return;
  throttled_.fetch_add(1);
  {
    std::unique_lock<std::mutex> lock(all_mu_);
    // Timed: pushes from other threads (ops, workers) may carry the count past the exact value
    // FinishOp notifies at.
    while (pending_ops_.load() > max_pending_ / 2 &&
           workers_running_.load(std::memory_order_relaxed) > 0) {
      all_cv_.wait_for(lock, std::chrono::milliseconds(5));
    }
  }
  throttled_.fetch_sub(1);
}

ErrorRef ThreadedEngine::WaitThroughOp(ThreadedVar* var, bool write) {
  Waiter waiter;
  OprBlock* op = OprBlock::New(1);
  op->kind = OpKind::kWait;
  op->name = write ? "WaitForVarWrite" : "WaitForVar";
  op->uses()[0] = VarUse{var, write, nullptr, op};
  // Runs while holding var, so no writer can change var->error under it.
  op->fn = [&waiter, var](const RunContext&) { waiter.Signal(var->error); };
  pending_ops_.fetch_add(1);
  std::unique_lock<std::mutex> lock(push_mu_);
  RegisterBlock(op, 0, lock);
  waiter.Wait();
  return std::move(waiter.error);
}

void ThreadedEngine::WaitForVar(VarHandle var) {
  ThreadedVar* v = AsThreaded(var, "WaitForVar");
  ErrorRef error;
  if (!v->ReadyToRead(&error)) error = WaitThroughOp(v, /*write=*/false);
  if (IsActive(error)) ErrorLog::Rethrow(error);
}

void ThreadedEngine::WaitForVarWrite(VarHandle var) {
  ThreadedVar* v = AsThreaded(var, "WaitForVarWrite");
  ErrorRef error;
  if (!v->Idle(&error)) error = WaitThroughOp(v, /*write=*/true);
  if (IsActive(error)) ErrorLog::Rethrow(error);
}

void ThreadedEngine::WaitForAll() {
  MX_CHECK(t_running_op_of != this, Internal)
      << "WaitForAll called from inside an op of the same engine (it would wait for itself)";
  if (pending_ops_.load() != 0 &&
      !SpinFor(kWaitSpin, [&] { return pending_ops_.load(std::memory_order_acquire) == 0; })) {
    all_waiters_.fetch_add(1);
    {
      std::unique_lock<std::mutex> lock(all_mu_);
      all_cv_.wait(lock, [&] { return pending_ops_.load() == 0; });
    }
    all_waiters_.fetch_sub(1);
  }
  errors_.RethrowFirstUnseenAndForget();
}

bool ThreadedEngine::WaitPending(std::chrono::milliseconds stall_limit) {
  using Clock = std::chrono::steady_clock;
  all_waiters_.fetch_add(1);
  std::unique_lock<std::mutex> lock(all_mu_);
  int64_t last = pending_ops_.load();
  Clock::time_point last_progress = Clock::now();
  while (last != 0) {
    all_cv_.wait_for(lock, std::chrono::milliseconds(10));
    const int64_t now_pending = pending_ops_.load();
    if (now_pending != last) {
      last = now_pending;
      last_progress = Clock::now();
    } else if (ElapsedMs(last_progress) > stall_limit) {
      break;
    }
  }
  lock.unlock();
  all_waiters_.fetch_sub(1);
  return last == 0;
}

void ThreadedEngine::Shutdown(std::chrono::milliseconds stall_limit) {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  // From a worker (an op called exit()), waiting would wait for this very op: leave at once.
  if (t_worker_of == this) stall_limit = std::chrono::milliseconds(0);
  if (stall_limit.count() > 0 && !WaitPending(stall_limit)) {
    std::fprintf(stderr,
                 "mixnet: %lld engine op(s) made no progress for %lld ms at shutdown; "
                 "not waiting for them\n",
                 static_cast<long long>(pending_ops_.load()),
                 static_cast<long long>(stall_limit.count()));
  }
  StopWorkers(stall_limit);
}

void ThreadedEngine::StopWorkers(std::chrono::milliseconds stall_limit) {
  queue_.Stop();  // from now on ops that become runnable run on the thread that freed them
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  bool all_exited = false;
  while (!(all_exited = workers_running_.load() == 0)) {
    if (ElapsedMs(start) >= stall_limit) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (std::thread& t : workers_) {
    if (all_exited) {
      t.join();
    } else {
      t.detach();  // stuck inside an op (or we are one of them): never block on it
    }
  }
  workers_.clear();
}

void ThreadedEngine::BeforeFork() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  // fork() from inside an op cannot drain (it would wait for itself); the child then has no
  // workers and runs its ops on the threads that push them.
  if (shut_down_ || t_running_op_of == this || t_worker_of == this) return;
  WaitPending(std::chrono::milliseconds::max());
  StopWorkers(std::chrono::milliseconds::max());
  stopped_for_fork_ = true;
}

void ThreadedEngine::AfterFork() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (!stopped_for_fork_) return;
  stopped_for_fork_ = false;
  queue_.Restart();
  StartWorkers();
}

}  // namespace mixnet::engine
