#include "engine/naive_engine.h"

#include <algorithm>

#include "common/error.h"
#include "engine/var.h"

namespace mixnet::engine {

namespace {
bool Contains(std::span<const VarHandle> vars, VarHandle v) {
  return std::find(vars.begin(), vars.end(), v) != vars.end();
}
}  // namespace

NaiveEngine::NaiveEngine(int num_threads) : num_threads_(std::max(1, num_threads)) {}

VarHandle NaiveEngine::NewVariable() { return new Var(); }

void NaiveEngine::DeleteVariable(VarHandle var) { delete var; }  // nothing is ever pending

void NaiveEngine::Push(OpFn fn, std::span<const VarHandle> reads,
                       std::span<const VarHandle> writes, const PushOptions& opts) {
  for (VarHandle v : reads) MX_CHECK(v != nullptr, InvalidHandle) << "Push: variable handle is NULL";
  for (VarHandle v : writes) MX_CHECK(v != nullptr, InvalidHandle) << "Push: variable handle is NULL";
  ErrorRef failure;
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seq = next_seq_++;
    // A variable both read and written counts as written (overwrites_outputs then ignores it).
    for (VarHandle v : reads) {
      if (v->error != nullptr && !(opts.overwrites_outputs && Contains(writes, v))) {
        PreferEarlier(&failure, v->error);
      }
    }
    if (!opts.overwrites_outputs) {
      for (VarHandle v : writes) PreferEarlier(&failure, v->error);
    }
  }
  if (!failure) {
    try {
      fn(RunContext{num_threads_});
    } catch (...) {
      failure = errors_.Record(std::current_exception(), seq);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (VarHandle v : writes) {
    if (failure) {
      v->error = failure;
    } else {
      v->error.reset();
    }
  }
}

void NaiveEngine::WaitForVar(VarHandle var) {
  MX_CHECK(var != nullptr, InvalidHandle) << "WaitForVar: variable handle is NULL";
  ErrorRef error;
  {
    std::lock_guard<std::mutex> lock(mu_);
    error = var->error;
  }
  if (IsActive(error)) ErrorLog::Rethrow(error);
}

void NaiveEngine::WaitForAll() { errors_.RethrowFirstUnseenAndForget(); }

}  // namespace mixnet::engine
