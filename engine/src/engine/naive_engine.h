// NaiveEngine (MIXNET_ENGINE_TYPE=NaiveEngine): runs every op synchronously inside Push, on the
// pushing thread, with the same error semantics as ThreadedEngine (store on written variables,
// skip dependents, re-throw at sync points). For debugging: a failing op's stack is the caller's.
//
// Thread safety: error bookkeeping is locked, so any thread may push and wait; ops pushed from
// different threads at the same moment are not ordered against each other (there is no queue).
#pragma once

#include <cstdint>
#include <mutex>

#include "engine/engine.h"
#include "engine/error_log.h"

namespace mixnet::engine {

class NaiveEngine final : public Engine {
 public:
  explicit NaiveEngine(int num_threads);

  VarHandle NewVariable() override;
  void DeleteVariable(VarHandle var) override;
  void Push(OpFn fn, std::span<const VarHandle> reads, std::span<const VarHandle> writes,
            const PushOptions& opts) override;
  void WaitForVar(VarHandle var) override;
  void WaitForVarWrite(VarHandle var) override { WaitForVar(var); }
  void WaitForAll() override;
  int num_workers() const override { return 0; }
  int num_threads() const override { return num_threads_; }

 private:
  const int num_threads_;
  std::mutex mu_;  // guards Var::error of every variable
  uint64_t next_seq_ = 0;  // push order; guarded by mu_
  ErrorLog errors_;
};

}  // namespace mixnet::engine
