// The dependency scheduler. Every NDArray storage owns a variable; work is pushed together with
// the variables it reads and the variables it writes, and runs as soon as every earlier write to
// what it reads and every earlier read/write of what it writes has finished. Reads of one
// variable run concurrently; writes are ordered in push order.
//
// Errors: a function that throws fails its op. The exception is stored on every variable the op
// writes; ops that read or write a failed variable are skipped and pass the same error on. The
// error is re-thrown, on the caller's thread, by WaitForVar on an affected variable, and the first
// error nobody has seen yet is re-thrown by WaitForAll. The engine itself keeps working.
//
// Two implementations: ThreadedEngine (default; a worker pool) and NaiveEngine
// (MIXNET_ENGINE_TYPE=NaiveEngine: every op runs synchronously inside Push, for debugging). Both
// have identical error semantics.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace mixnet::engine {

class Var;
using VarHandle = Var*;

// What a running op is told by the engine.
struct RunContext {
  // Intra-op thread budget (OpenMP threads / BLAS threads) for this op. The engine divides the
  // cores among the ops running at the same moment, so workers x threads never exceeds the cores.
  int nthreads = 1;
};

using OpFn = std::function<void(const RunContext&)>;

// A non-owning reference to a callable taking a RunContext (TryRunInline): unlike OpFn it never
// allocates, whatever the size of the callable. The callable must outlive the call it is given to.
class OpFnRef {
 public:
  template <typename F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, OpFnRef>)
  OpFnRef(const F& f)  // NOLINT(google-explicit-constructor): a reference, like std::function_ref
      : obj_(static_cast<const void*>(&f)),
        call_([](const void* o, const RunContext& rc) { (*static_cast<const F*>(o))(rc); }) {}
  void operator()(const RunContext& rc) const { call_(obj_, rc); }

 private:
  const void* obj_;
  void (*call_)(const void*, const RunContext&);
};

struct PushOptions {
  // Name used in diagnostics (static storage; e.g. the op name).
  const char* name = "op";
  // May run on the pushing thread when every dependency is already satisfied. Set for cheap ops:
  // it saves the hand-off to a worker (microseconds) and keeps small-op dispatch well under 1 us.
  bool allow_inline = false;
  // The op overwrites its written variables entirely without reading them (e.g. a copy from host
  // memory): an error stored on them does not block it, and success clears that error.
  bool overwrites_outputs = false;
  // The caller already tried TryRunInline for this op and it declined: Push skips its own
  // lock-free inline attempt (it still runs the op inline if the variables free up meanwhile).
  bool inline_tried = false;
  // TryRunInline: the first `private_writes` written variables were just created by the pusher
  // and no other thread can know them yet (the outputs it allocated), so the inline run neither
  // takes nor releases them (two atomic operations each). Push ignores it.
  int private_writes = 0;
};

class Engine {
 public:
  // The process-wide engine, created on first use from MIXNET_ENGINE_TYPE
  // ("ThreadedEngine" (default) or "NaiveEngine").
  static Engine* Get();
  virtual ~Engine() = default;

  virtual VarHandle NewVariable() = 0;
  // Frees var once every op pushed so far that uses it has completed. The handle must not be used
  // for new pushes afterwards.
  virtual void DeleteVariable(VarHandle var) = 0;
  // Frees var at once and returns true when nothing is running or queued on it; otherwise does
  // nothing and returns false. Same promise as DeleteVariable. Lets the owner of memory guarded
  // by var release it synchronously instead of pushing a release op first (short-lived arrays:
  // saves a whole Push per array). The default never takes the shortcut.
  virtual bool TryDeleteIdleVariable(VarHandle /*var*/) { return false; }

  // Schedules fn. A var may appear in both lists; it then counts as written. Never throws for a
  // failing fn: the failure is stored as described above.
  virtual void Push(OpFn fn, std::span<const VarHandle> reads, std::span<const VarHandle> writes,
                    const PushOptions& opts) = 0;
  // The inline half of Push with allow_inline, without building an OpFn (whose closure may need
  // a heap allocation): when every dependency is free right now, runs fn on this thread with
  // Push's semantics (errors stored, skipped on a failed input, ordered against other pushes)
  // and returns true. Otherwise does nothing and returns false; the caller then Pushes the op
  // (with inline_tried set). fn's captures stay the caller's and are released after the op
  // counts as finished, so they must not own anything whose release matters to WaitForAll.
  // The default never runs inline.
  virtual bool TryRunInline(OpFnRef /*fn*/, std::span<const VarHandle> /*reads*/,
                            std::span<const VarHandle> /*writes*/, const PushOptions& /*opts*/) {
    return false;
  }

  // Blocks until every write pushed so far to var has completed; re-throws the error stored on
  // var, if any (and marks it seen).
  virtual void WaitForVar(VarHandle var) = 0;
  // Blocks until every read and write pushed so far to var has completed; re-throws like
  // WaitForVar.
  virtual void WaitForVarWrite(VarHandle var) = 0;
  // Blocks until every op pushed so far has completed; re-throws the first error that no sync
  // point has re-thrown yet, then forgets all errors seen so far.
  // ("First" is by push order, not by time, so every engine and every run agree. Likewise an op
  // whose variables carry several errors passes on the one of the earliest-pushed failed op.
  // Forgotten errors no longer mark their variables. Must not be called from inside an op.)
  virtual void WaitForAll() = 0;

  // Number of worker threads (0 for NaiveEngine).
  virtual int num_workers() const = 0;
  // Total intra-op thread budget shared by all running ops (MIXNET_NUM_THREADS, default: cores).
  virtual int num_threads() const = 0;
};

// At exit the process engine drains its pending ops (an atexit handler registered when it is
// created). Libraries that kernels call (oneDNN) create static state lazily, on worker threads,
// after that registration, so exit() would destroy their state first while workers may still
// be running kernels that use it. Kernels call this after using such a library: it registers the
// drain again, so that it runs before that state goes (bounded; cheap after the first calls).
void RefreshExitDrain();
// Drains and stops the process engine now (what the exit handler does); idempotent. Called by
// the destructor of the dispatch path's thread-local state on the main thread: thread-local
// destructors of the thread that calls exit() run before every static destructor, so this
// drain comes before any library's state is torn down.
void DrainForExit();

// A private engine, independent of Engine::Get() (tests, tools). type: as MIXNET_ENGINE_TYPE
// ("ThreadedEngine", "NaiveEngine"); num_workers / num_threads <= 0 take the process-wide
// defaults (MIXNET_CPU_WORKER_NTHREADS, else 1 worker, or one per core with
// MIXNET_SHARE_THREADS=1; MIXNET_NUM_THREADS, else the number of cores). max_pending bounds how
// many ops a pushing thread may have pending before it waits (< 0: MIXNET_ENGINE_MAX_PENDING,
// else 512; 0: no bound; the threaded engine only). Destroying it waits for its pending ops.
// Throws ValueError for an unknown type or a malformed environment value.
std::unique_ptr<Engine> CreateEngine(std::string_view type, int num_workers = 0,
                                     int num_threads = 0, int64_t max_pending = -1);

}  // namespace mixnet::engine
