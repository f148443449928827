// ThreadedEngine's per-variable state: a FIFO of the ops waiting on the variable plus what is
// running on it now (a number of readers, or one writer). Rules:
//   read:  granted at once when no write is running and nobody is queued; else queued.
//   write: granted at once when nothing runs on the variable and nobody is queued; else queued.
// On completion the queue head is granted: a run of consecutive reads together (they run
// concurrently), or one write once the last reader/writer has finished. Queue order is push
// order, so reads wait for earlier writes and writes wait for everything earlier.
//
// Every structure here is intrusive: an op's dependency records live inside its OprBlock and are
// linked straight into the variables' queues, so scheduling an op costs one allocation.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>

#include <thread>

#include "common/spin_lock.h"
#include "common/thread_cache.h"
#include "engine/engine.h"
#include "engine/spin_wait.h"
#include "engine/var.h"

namespace mixnet::engine::detail {

struct OprBlock;
class ThreadedVar;

// One dependency of one op on one variable.
struct VarUse {
  ThreadedVar* var = nullptr;
  bool write = false;
  VarUse* next = nullptr;    // next waiter in var's queue
  OprBlock* op = nullptr;    // owner (null for an op run inline without a block)
};

enum class OpKind : unsigned char {
  kNormal,  // user op: error semantics, thread budget
  kWait,    // WaitForVar helper: always runs, never touches errors
  kDelete,  // DeleteVariable: frees its single variable after completing the write
};

// A pushed op that could not run at once. Allocated with its VarUse array right behind it.
struct OprBlock {
  // Unmet dependencies, plus 1 while Push is still registering them.
  std::atomic<int> wait{0};
  OprBlock* next_ready = nullptr;  // link in ReadyList / the worker queue
  OpFn fn;
  const char* name = "op";
  bool overwrites_outputs = false;
  OpKind kind = OpKind::kNormal;
  int nuses = 0;
  uint64_t seq = 0;  // push order (errors are ranked by it)

  VarUse* uses() { return reinterpret_cast<VarUse*>(this + 1); }

  static OprBlock* New(int nuses) {
    static_assert(sizeof(OprBlock) % alignof(VarUse) == 0);
    void* mem = ::operator new(sizeof(OprBlock) + sizeof(VarUse) * static_cast<size_t>(nuses));
    auto* op = new (mem) OprBlock();
    op->nuses = nuses;
    for (int i = 0; i < nuses; ++i) new (op->uses() + i) VarUse();
    return op;
  }
  static void Delete(OprBlock* op) {
    op->~OprBlock();  // VarUse is trivially destructible
    ::operator delete(op);
  }
};

// A FIFO of runnable ops, linked through OprBlock::next_ready.
struct ReadyList {
  OprBlock* head = nullptr;
  OprBlock* tail = nullptr;
  int size = 0;

  bool empty() const { return head == nullptr; }
  void PushBack(OprBlock* op) {
    op->next_ready = nullptr;
    if (tail) tail->next_ready = op; else head = op;
    tail = op;
    ++size;
  }
  void PushFront(OprBlock* op) {
    op->next_ready = head;
    head = op;
    if (!tail) tail = op;
    ++size;
  }
  OprBlock* PopFront() {
    OprBlock* op = head;
    if (!op) return nullptr;
    head = op->next_ready;
    if (!head) tail = nullptr;
    op->next_ready = nullptr;
    --size;
    return op;
  }
  // Moves all of other to the back of this list.
  void Splice(ReadyList& other) {
    if (other.empty()) return;
    if (tail) tail->next_ready = other.head; else head = other.head;
    tail = other.tail;
    size += other.size;
    other = ReadyList{};
  }
};

// The lock of one variable: its critical sections are a handful of loads and stores, taken
// twice per variable by every op (grant, then completion), where a spin lock's one exchange beats
// a mutex's two library calls (common/spin_lock.h).
using VarLock = SpinLock;

class ThreadedVar final : public Var {
 public:
  // Every output array creates one and frees one: per-thread free lists (common/thread_cache.h).
  static void* operator new(size_t size) {
    return size == sizeof(ThreadedVar) ? ThreadCache<sizeof(ThreadedVar), ThreadedVar>::Alloc()
                                       : ::operator new(size);
  }
  static void operator delete(void* p, size_t size) noexcept {
    if (size == sizeof(ThreadedVar)) return ThreadCache<sizeof(ThreadedVar), ThreadedVar>::Free(p);
    ::operator delete(p);
  }

  // Grants access at once if the rules allow; otherwise queues `use` (when given) and returns
  // false. A null `use` only probes (the inline path has no block yet).
  bool Append(bool write, VarUse* use) {
    std::lock_guard<VarLock> lock(mu_);
    if (head_ == nullptr && !write_running_ && (!write || running_reads_ == 0)) {
      if (write) write_running_ = true; else ++running_reads_;
      return true;
    }
    if (use != nullptr) {
      use->next = nullptr;
      if (tail_) tail_->next = use; else head_ = use;
      tail_ = use;
    }
    return false;
  }

  // The caller must not touch this variable after these return (it may be deleted at once).
  void CompleteRead(ReadyList& ready) {
    std::lock_guard<VarLock> lock(mu_);
    if (--running_reads_ == 0 && head_ != nullptr) {  // head_ can only be a write here
      write_running_ = true;
      Grant(PopHead(), ready);
    }
  }
  void CompleteWrite(ReadyList& ready) {
    std::lock_guard<VarLock> lock(mu_);
    write_running_ = false;
    while (head_ != nullptr && !head_->write) {
      ++running_reads_;
      Grant(PopHead(), ready);
    }
    if (head_ != nullptr && running_reads_ == 0) {
      write_running_ = true;
      Grant(PopHead(), ready);
    }
  }

  // WaitForVar's fast path: true (and *error copied) when no write is running or queued.
  bool ReadyToRead(ErrorRef* error) {
    std::lock_guard<VarLock> lock(mu_);
    if (head_ != nullptr || write_running_) return false;
    *error = this->error;  // no writer can hold the variable right now
    return true;
  }
  // WaitForVarWrite's / DeleteVariable's fast path: nothing running or queued at all.
  bool Idle(ErrorRef* error) {
    std::lock_guard<VarLock> lock(mu_);
    if (head_ != nullptr || write_running_ || running_reads_ != 0) return false;
    if (error) *error = this->error;
    return true;
  }

 private:
  VarUse* PopHead() {
    VarUse* use = head_;
    head_ = use->next;
    if (!head_) tail_ = nullptr;
    use->next = nullptr;
    return use;
  }
  static void Grant(VarUse* use, ReadyList& ready) {
    if (use->op->wait.fetch_sub(1, std::memory_order_acq_rel) == 1) ready.PushBack(use->op);
  }

  VarLock mu_;
  VarUse* head_ = nullptr;
  VarUse* tail_ = nullptr;
  int running_reads_ = 0;
  bool write_running_ = false;
};

}  // namespace mixnet::engine::detail
