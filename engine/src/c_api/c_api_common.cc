// Error state, handle checks and handle lifetime shared by every c_api_*.cc file.
#include "c_api/c_api_common.h"

#include <atomic>
#include <deque>
#include <mutex>

#include "common/fast_tls.h"

namespace mixnet::capi {

namespace {

struct LastError {
  std::string message;
  ErrorKind kind = ErrorKind::kInternal;
};

LastError& ThreadLastError() {
  thread_local LastError error;
  return error;
}

// Freed handles are not deleted at once. MXNDArrayFree clears the magic and parks the object; it
// is handed out again by NewHandle only after kQuarantine later frees. Until then a stale
// pointer still points at a live MXNDArray whose magic is clear, so CheckHandle rejects it
// reliably and without undefined behaviour (a use-after-free of a deleted object could read
// anything, including the old magic). The alternative, a registry of live handles in a set under a
// mutex, would cost a hash lookup on every handle of every call. Handles older than kQuarantine
// frees may alias a newer handle, the same limit a registry has once the allocator reuses an
// address.
//
// Each thread parks its frees in its own ring (HandleRing, no lock: a create and a free per op
// on the dispatch path) and reuses its own oldest handle once more than kQuarantine of its frees
// came after it. A ring that fills up (a thread that frees more than it creates) moves its oldest
// kSpill handles to the process-wide FIFO below, as does a ring whose thread ends; that FIFO
// applies the same rule to its own frees, so a handle is never reused before kQuarantine frees
// came after it on the thread that freed it.
constexpr size_t kQuarantine = 4096;
constexpr size_t kSpill = 256;
constexpr size_t kRingSize = kQuarantine + kSpill;

struct Quarantine {
  std::mutex mu;
  std::deque<MXNDArray*> freed;
  std::atomic<size_t> size{0};
  static Quarantine& Get() {
    static Quarantine* q = new Quarantine();  // leaked: handles may be freed during exit
    return *q;
  }
  // Takes the oldest handle when it has served its quarantine here, else nullptr.
  MXNDArray* TakeAged() {
    if (size.load(std::memory_order_relaxed) <= kQuarantine) return nullptr;
    std::lock_guard<std::mutex> lock(mu);
    if (freed.size() <= kQuarantine) return nullptr;
    MXNDArray* h = freed.front();
    freed.pop_front();
    size.store(freed.size(), std::memory_order_relaxed);
    return h;
  }
};

}  // namespace

void SetLastError(ErrorKind kind, const std::string& msg) {
  LastError& e = ThreadLastError();
  e.kind = kind;
  e.message = msg;
}

MXNDArray* CheckHandle(NDArrayHandle h, const char* func, const char* arg) {
  MX_CHECK(h != nullptr, InvalidHandle) << func << ": argument '" << arg << "' is NULL";
  MX_CHECK(h->magic == MXNDArray::kMagic, InvalidHandle)
      << func << ": argument '" << arg
      << "' is not a valid NDArray handle (it was freed, or was not created by mixnet)";
  return h;
}

void CheckOut(const void* p, const char* func, const char* arg) {
  MX_CHECK(p != nullptr, InvalidHandle)
      << func << ": argument '" << arg << "' is NULL (an out-pointer is required)";
}

HandleRing::~HandleRing() {
  if (count_ == 0) return;
  Quarantine& q = Quarantine::Get();
  std::lock_guard<std::mutex> lock(q.mu);
  while (count_ > 0) q.freed.push_back(PopOldest());
  q.size.store(q.freed.size(), std::memory_order_relaxed);
}

void HandleRing::Push(MXNDArray* h) {
  if (slots_.empty()) slots_.resize(kRingSize);  // may throw: FreeHandle falls back then
  if (count_ == kRingSize) {
    Quarantine& q = Quarantine::Get();
    std::lock_guard<std::mutex> lock(q.mu);
    for (size_t i = 0; i < kSpill; ++i) q.freed.push_back(PopOldest());
    q.size.store(q.freed.size(), std::memory_order_relaxed);
  }
  slots_[(head_ + count_) % kRingSize] = h;
  ++count_;
}

MXNDArray* HandleRing::PopOldest() {
  MXNDArray* h = slots_[head_];
  head_ = (head_ + 1) % kRingSize;
  --count_;
  return h;
}

NDArrayHandle NewHandle(NDArray&& array, ThreadLocalStore* store) {
  if (store == nullptr) store = ThreadLocalStore::Get();
  MXNDArray* h = nullptr;
  if (store->freed.size() > kQuarantine) {
    h = store->freed.PopOldest();
  } else {
    h = Quarantine::Get().TakeAged();
  }
  if (h != nullptr) {
    h->array = std::move(array);
    h->magic = MXNDArray::kMagic;
    return h;
  }
  h = new MXNDArray();
  h->array = std::move(array);
  return h;
}

void FreeHandle(MXNDArray* h) {
  h->magic = 0;
  // Releasing the array now lets its memory go once pending ops finish; only the small handle
  // object waits in the quarantine.
  h->array = NDArray();
  try {
    ThreadLocalStore::Get()->freed.Push(h);
  } catch (...) {
    // No room for this thread's ring (out of memory, or the thread is ending): the process-wide
    // FIFO takes it; should even that fail, the handle object leaks, which is harmless.
    Quarantine& q = Quarantine::Get();
    std::lock_guard<std::mutex> lock(q.mu);
    try {
      q.freed.push_back(h);
    } catch (...) {
    }
    q.size.store(q.freed.size(), std::memory_order_relaxed);
  }
}

ThreadLocalStore* ThreadLocalStore::Get() {
  // Reached through a static-TLS pointer: two lookups per op (invoke and free) otherwise cost a
  // __tls_get_addr call or two each.
  return &FastThreadLocal<ThreadLocalStore>::Get();
}

}  // namespace mixnet::capi

// The error functions live beside the thread-local state they read.
const char* MXGetLastError(void) { return mixnet::capi::ThreadLastError().message.c_str(); }

int MXGetLastErrorKind(void) { return static_cast<int>(mixnet::capi::ThreadLastError().kind); }
