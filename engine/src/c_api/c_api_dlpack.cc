// C ABI: DLPack export/import (see ndarray/dlpack.h for the dtype mapping and ownership rules).
#include "c_api/c_api_common.h"
#include "ndarray/dlpack.h"

using mixnet::capi::CheckHandle;
using mixnet::capi::CheckOut;
using mixnet::capi::NewHandle;

int MXNDArrayToDLPack(NDArrayHandle handle, DLManagedTensor** out) {
  API_BEGIN();
  MXNDArray* h = CheckHandle(handle, "MXNDArrayToDLPack", "handle");
  CheckOut(out, "MXNDArrayToDLPack", "out");
  *out = mixnet::ToDLPack(h->array);
  API_END();
}

// On failure the caller keeps ownership of `dlpack` (and must still call its deleter).
int MXNDArrayFromDLPack(DLManagedTensor* dlpack, NDArrayHandle* out) {
  API_BEGIN();
  CheckOut(out, "MXNDArrayFromDLPack", "out");
  MX_CHECK(dlpack != nullptr, ValueError) << "MXNDArrayFromDLPack: dlpack is NULL";
  // The handle is made first: once FromDLPack succeeds nothing may fail, or the array's
  // destruction would run the deleter while the caller, seeing -1, still believes it owns it.
  NDArrayHandle handle = NewHandle(mixnet::NDArray());
  try {
    handle->array = mixnet::FromDLPack(dlpack);
  } catch (...) {
    MXNDArrayFree(handle);
    throw;
  }
  *out = handle;
  API_END();
}

int MXNDArrayCallDLPackDeleter(DLManagedTensor* dlpack) {
  API_BEGIN();
  MX_CHECK(dlpack != nullptr, ValueError) << "MXNDArrayCallDLPackDeleter: dlpack is NULL";
  if (dlpack->deleter != nullptr) dlpack->deleter(dlpack);
  API_END();
}
