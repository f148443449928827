// Error state, handle checks and handle lifetime shared by every c_api_*.cc file.
#include "c_api/c_api_common.h"

#include <atomic>
#include <deque>
#include <mutex>

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

// Freed handles are not deleted at once. MXNDArrayFree clears the magic and parks the object
// here; it is handed out again by NewHandle only after kQuarantine later frees. Until then a stale
// pointer still points at a live MXNDArray whose magic is clear, so CheckHandle rejects it
// reliably and without undefined behaviour (a use-after-free of a deleted object could read
// anything, including the old magic). The alternative, a registry of live handles in a set under a
// mutex, would cost a hash lookup on every handle of every call; the quarantine costs nothing on
// the check and one uncontended lock per create/free. Handles older than kQuarantine frees may
// alias a newer handle, the same limit a registry has once the allocator reuses an address.
constexpr size_t kQuarantine = 4096;

struct Quarantine {
  std::mutex mu;
  std::deque<MXNDArray*> freed;
  std::atomic<size_t> size{0};
  static Quarantine& Get() {
    static Quarantine* q = new Quarantine();  // leaked: handles may be freed during exit
    return *q;
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

NDArrayHandle NewHandle(NDArray array) {
  Quarantine& q = Quarantine::Get();
  if (q.size.load(std::memory_order_relaxed) > kQuarantine) {
    MXNDArray* h = nullptr;
    {
      std::lock_guard<std::mutex> lock(q.mu);
      if (q.freed.size() > kQuarantine) {
        h = q.freed.front();
        q.freed.pop_front();
        q.size.store(q.freed.size(), std::memory_order_relaxed);
      }
    }
    if (h != nullptr) {
      h->array = std::move(array);
      h->magic = MXNDArray::kMagic;
      return h;
    }
  }
  auto* h = new MXNDArray();
  h->array = std::move(array);
  return h;
}

void FreeHandle(MXNDArray* h) {
  h->magic = 0;
  // Releasing the array now lets its memory go once pending ops finish; only the small handle
  // object waits in the quarantine.
  h->array = NDArray();
  Quarantine& q = Quarantine::Get();
  std::lock_guard<std::mutex> lock(q.mu);
  q.freed.push_back(h);
  q.size.store(q.freed.size(), std::memory_order_relaxed);
}

ThreadLocalStore* ThreadLocalStore::Get() {
  thread_local ThreadLocalStore store;
  return &store;
}

}  // namespace mixnet::capi

// The error functions live beside the thread-local state they read.
const char* MXGetLastError(void) { return mixnet::capi::ThreadLastError().message.c_str(); }

int MXGetLastErrorKind(void) { return static_cast<int>(mixnet::capi::ThreadLastError().kind); }
