#include "engine/error_log.h"

#include <algorithm>

namespace mixnet::engine {

ErrorRef ErrorLog::Record(std::exception_ptr e, uint64_t op_seq) {
  auto rec = std::make_shared<ErrorRecord>(std::move(e), op_seq);
  std::lock_guard<std::mutex> lock(mu_);
  records_.push_back(rec);
  if (records_.size() >= prune_at_) PruneLocked();
  return rec;
}

void ErrorLog::Rethrow(const ErrorRef& e) {
  e->rethrown.store(true, std::memory_order_release);
  std::rethrow_exception(e->error);
}

void ErrorLog::RethrowFirstUnseenAndForget() {
  ErrorRef first;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (records_.empty()) return;
    for (const ErrorRef& rec : records_) {
      if (!rec->rethrown.load(std::memory_order_acquire) &&
          (first == nullptr || rec->op_seq < first->op_seq)) {
        first = rec;
      }
      rec->forgotten.store(true, std::memory_order_release);
    }
    records_.clear();
    prune_at_ = 256;
  }
  if (first) Rethrow(first);
}

void ErrorLog::PruneLocked() {
  std::erase_if(records_, [](const ErrorRef& rec) {
    return rec.use_count() == 1 && rec->rethrown.load(std::memory_order_acquire);
  });
  // Amortise: the next prune happens once the log has doubled again.
  prune_at_ = std::max<size_t>(256, records_.size() * 2);
}

}  // namespace mixnet::engine
