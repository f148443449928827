// Shared pieces of the addon: handle <-> JS number conversion, error throwing, memory accounting.
//
// NDArray handles travel to JS as plain numbers (the pointer value; user-space pointers fit in
// 2^53), so a dispatch allocates no JS wrapper object per array. JS never dereferences them and
// the library validates every handle it receives (MX_ERR_INVALID_HANDLE), so a stale number is
// an error, not a crash.
#pragma once

#include <napi.h>

#include <cstdint>

#include "mixnet/c_api.h"

namespace mixnet_node {

inline NDArrayHandle ToHandle(const Napi::Value& v) {
  return reinterpret_cast<NDArrayHandle>(static_cast<uintptr_t>(v.As<Napi::Number>().DoubleValue()));
}
inline Napi::Number FromHandle(Napi::Env env, NDArrayHandle h) {
  return Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(h)));
}

/** Builds the JS error (an MXNetError when init() registered the class) for an engine failure. */
Napi::Value MakeError(Napi::Env env, const char* message, int kind, const char* op);
/** Throws the calling thread's last C ABI error; returns undefined for `return ThrowLast(...)`. */
Napi::Value ThrowLast(Napi::Env env, const char* op = nullptr);
/** Throws a TypeError about a bad argument from JS (a binding misuse, not an engine error). */
Napi::Value ThrowArg(Napi::Env env, const char* what);

/** Accounts a new handle's bytes (0 for views) in the live totals and V8's external memory. */
void TrackNew(Napi::Env env, NDArrayHandle h, bool owns_storage);
/** Removes a handle from the totals (before MXNDArrayFree). */
void TrackFree(Napi::Env env, NDArrayHandle h);

/** Adds the autograd exports (autograd.cc). */
void InitAutograd(Napi::Env env, Napi::Object exports);

/** Fills the module exports (addon.cc). */
Napi::Object InitModule(Napi::Env env, Napi::Object exports);

/** [async] readAsync(handle, byteLength): Promise<ArrayBuffer> — waits for pending writes on a
 * worker thread (MXNDArrayWaitToRead) and copies the data out; rejects with MXNetError. */
Napi::Value ReadAsync(const Napi::CallbackInfo& info);
/** [async] waitAllAsync(): Promise<void> — MXNDArrayWaitAll on a worker thread. */
Napi::Value WaitAllAsync(const Napi::CallbackInfo& info);

}  // namespace mixnet_node
