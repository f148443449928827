// Shared by every c_api_*.cc file: the try/catch wrapper that turns C++ exceptions into -1 +
// thread-local error, handle checks, and thread-local buffers for returned strings/arrays.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/error.h"
#include "mixnet/c_api.h"
#include "ndarray/ndarray.h"

// The object behind NDArrayHandle. `magic` lets us reject freed or foreign pointers with an
// error instead of a crash in the common cases (a freed handle has magic cleared).
struct MXNDArray {
  static constexpr uint64_t kMagic = 0x6d786e6461727279ULL;  // "mxndarry"
  uint64_t magic = kMagic;
  mixnet::NDArray array;
};

namespace mixnet::capi {

void SetLastError(ErrorKind kind, const std::string& msg);

// Validates a handle argument and returns the array it holds. Throws InvalidHandle naming the
// function and the argument for NULL, freed or foreign handles.
MXNDArray* CheckHandle(NDArrayHandle h, const char* func, const char* arg);
// Throws InvalidHandle when an out-pointer is NULL.
void CheckOut(const void* p, const char* func, const char* arg);
struct ThreadLocalStore;
// Creates a handle owning `array` (the caller frees it with MXNDArrayFree). `store`: the calling
// thread's ThreadLocalStore when the caller already has it (saves a thread-local lookup).
NDArrayHandle NewHandle(NDArray&& array, ThreadLocalStore* store = nullptr);
// Releases a handle created by NewHandle (the body of MXNDArrayFree): drops its array and marks
// it freed, so later uses of the stale pointer fail CheckHandle instead of crashing.
void FreeHandle(MXNDArray* h);

// Freed handles of one thread, oldest first, waiting out their quarantine (c_api_common.cc).
class HandleRing {
 public:
  HandleRing() = default;
  HandleRing(const HandleRing&) = delete;
  HandleRing& operator=(const HandleRing&) = delete;
  ~HandleRing();  // hands what it holds to the process-wide quarantine
  void Push(MXNDArray* h);
  MXNDArray* PopOldest();
  size_t size() const { return count_; }

 private:
  std::vector<MXNDArray*> slots_;  // a ring, allocated on the first free
  size_t head_ = 0;
  size_t count_ = 0;
};

// Thread-local scratch that returned pointers point into; valid until the next call on this
// thread that uses the same slot.
struct ThreadLocalStore {
  std::string str;
  std::vector<std::string> strings;
  std::vector<const char*> cstrs;
  std::vector<int> ints;
  std::vector<dim_t> dims;
  std::vector<NDArrayHandle> handles;
  HandleRing freed;               // this thread's quarantined handles (NewHandle / FreeHandle)
  static ThreadLocalStore* Get();
};

}  // namespace mixnet::capi

// Every exported function body is wrapped: API_BEGIN(); ...; API_END();
#define API_BEGIN() try {
#define API_END()                                                                    \
  }                                                                                  \
  catch (const ::mixnet::Error& e) {                                                 \
    ::mixnet::capi::SetLastError(e.kind(), e.what());                                \
    return -1;                                                                       \
  }                                                                                  \
  catch (const std::bad_alloc&) {                                                    \
    ::mixnet::capi::SetLastError(::mixnet::ErrorKind::kValueError, "out of memory"); \
    return -1;                                                                       \
  }                                                                                  \
  catch (const std::exception& e) {                                                  \
    ::mixnet::capi::SetLastError(::mixnet::ErrorKind::kInternal, e.what());          \
    return -1;                                                                       \
  }                                                                                  \
  catch (...) {                                                                      \
    ::mixnet::capi::SetLastError(::mixnet::ErrorKind::kInternal, "unknown error");   \
    return -1;                                                                       \
  }                                                                                  \
  return 0;
