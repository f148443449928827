// A typed view of raw memory handed to kernels: pointer, shape, dtype. Always row-major and
// contiguous; kernels never own the memory.
#pragma once

#include "common/dtype.h"
#include "common/shape.h"

namespace mixnet {

struct TBlob {
  void* dptr = nullptr;
  Shape shape;
  DType dtype = DType::kFloat32;

  int64_t Size() const { return shape.Size(); }
  int ndim() const { return shape.ndim(); }
  size_t nbytes() const { return static_cast<size_t>(Size()) * DTypeSize(dtype); }
  // Typed pointer; throws Internal when T does not match dtype (a kernel bug, never user input).
  template <typename T>
  T* ptr() const {
    MX_CHECK(DTypeOf<T>::value == dtype, Internal)
        << "TBlob::ptr: requested " << DTypeName(DTypeOf<T>::value) << " but blob holds "
        << DTypeName(dtype);
    return static_cast<T*>(dptr);
  }
};

}  // namespace mixnet
