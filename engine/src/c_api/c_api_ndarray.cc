// C ABI: NDArray creation, inspection, copies, sync points and views.
#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "c_api/c_api_common.h"
#include "engine/engine.h"

using mixnet::Context;
using mixnet::DType;
using mixnet::NDArray;
using mixnet::Shape;
using mixnet::capi::CheckHandle;
using mixnet::capi::CheckOut;
using mixnet::capi::NewHandle;
using mixnet::capi::ThreadLocalStore;

namespace {

// Validates the codes of a create call and allocates.
NDArray CreateArray(const char* func, const Shape& shape, int dev_type, int dev_id, int dtype) {
  MX_CHECK(mixnet::IsValidDTypeCode(dtype), TypeError)
      << func << ": unknown dtype code " << dtype
      << " (expected 0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 5 int8, 6 int64, "
         "7 bool, 12 bfloat16)";
  Context ctx;
  try {
    ctx = Context::FromCodes(dev_type, dev_id);
  } catch (const mixnet::Error& e) {
    throw mixnet::Error(e.kind(), std::string(func) + ": " + e.what());
  }
  for (int64_t d : shape.dims()) {
    MX_CHECK(d >= 0, ValueError) << func << ": shape " << shape << " has a negative dimension";
  }
  return NDArray(shape, ctx, static_cast<DType>(dtype));
}

// MXNet's Reshape codes: 0 copies a dim, -1 infers one dim, -2 copies the rest, -3 merges two
// dims, -4 splits one dim into the next two codes (one may be -1). With reverse the codes are
// matched from the right (both lists reversed, then the result reversed back), as MXNet does.
Shape InferReshape(const Shape& src_shape, std::vector<int64_t> codes, bool reverse) {
  constexpr const char* kWhat = "MXNDArrayReshape64";
  std::vector<int64_t> src(src_shape.begin(), src_shape.end());
  if (reverse) {
    std::reverse(src.begin(), src.end());
    std::reverse(codes.begin(), codes.end());
  }
  const auto bad = [&]() {
    return std::string(" (shape ") + src_shape.ToString() + ", target " +
           Shape(codes.begin(), codes.end()).ToString() + (reverse ? ", reverse" : "") + ")";
  };
  std::vector<int64_t> out;
  size_t s = 0;  // next source dim
  int infer_at = -1;
  for (size_t i = 0; i < codes.size(); ++i) {
    const int64_t c = codes[i];
    if (c == 0) {
      MX_CHECK(s < src.size(), ValueError)
          << kWhat << ": code 0 has no dimension to copy" << bad();
      out.push_back(src[s++]);
    } else if (c == -1) {
      MX_CHECK(infer_at < 0, ValueError) << kWhat << ": more than one -1" << bad();
      infer_at = static_cast<int>(out.size());
      out.push_back(1);
      ++s;
    } else if (c == -2) {
      while (s < src.size()) out.push_back(src[s++]);
    } else if (c == -3) {
      MX_CHECK(s + 1 < src.size(), ValueError)
          << kWhat << ": code -3 needs two dimensions to merge" << bad();
      out.push_back(src[s] * src[s + 1]);
      s += 2;
    } else if (c == -4) {
      MX_CHECK(i + 2 < codes.size(), ValueError)
          << kWhat << ": code -4 must be followed by two dimensions" << bad();
      MX_CHECK(s < src.size(), ValueError)
          << kWhat << ": code -4 has no dimension to split" << bad();
      const int64_t whole = src[s++];
      int64_t a = codes[++i];
      int64_t b = codes[++i];
      MX_CHECK((a == -1 || a > 0) && (b == -1 || b > 0) && !(a == -1 && b == -1), ValueError)
          << kWhat << ": code -4 takes two positive dimensions, at most one of them -1" << bad();
      if (a == -1) a = whole / b;
      if (b == -1) b = whole / a;
      MX_CHECK(a * b == whole, ValueError)
          << kWhat << ": cannot split dimension " << whole << " into " << a << " x " << b << bad();
      out.push_back(a);
      out.push_back(b);
    } else {
      MX_CHECK(c > 0, ValueError) << kWhat << ": invalid dimension " << c << bad();
      out.push_back(c);
      ++s;
    }
  }
  if (infer_at >= 0) {
    int64_t known = 1;
    for (size_t i = 0; i < out.size(); ++i)
      if (static_cast<int>(i) != infer_at) known *= out[i];
    MX_CHECK(known != 0, ValueError)
        << kWhat << ": cannot infer -1 next to a zero-size dimension" << bad();
    out[infer_at] = src_shape.Size() / known;
  }
  if (reverse) std::reverse(out.begin(), out.end());
  Shape result(out.begin(), out.end());
  MX_CHECK(result.Size() == src_shape.Size(), ValueError)
      << kWhat << ": cannot reshape " << src_shape.Size() << " elements into shape " << result
      << bad();
  return result;
}

}  // namespace

int MXNDArrayCreateNone(NDArrayHandle* out) {
  API_BEGIN();
  CheckOut(out, __func__, "out");
  *out = NewHandle(NDArray());
  API_END();
}

int MXNDArrayCreateEx(const mx_uint* shape, mx_uint ndim, int dev_type, int dev_id,
                      int delay_alloc, int dtype, NDArrayHandle* out) {
  API_BEGIN();
  CheckOut(out, __func__, "out");
  MX_CHECK(ndim == 0 || shape != nullptr, InvalidHandle)
      << __func__ << ": argument 'shape' is NULL but ndim is " << ndim;
  Shape s;
  for (mx_uint i = 0; i < ndim; ++i) s.PushBack(static_cast<int64_t>(shape[i]));
  *out = NewHandle(CreateArray(__func__, s, dev_type, dev_id, dtype));
  API_END();
}

int MXNDArrayCreate64(const dim_t* shape, int ndim, int dev_type, int dev_id, int dtype,
                      NDArrayHandle* out) {
  API_BEGIN();
  CheckOut(out, __func__, "out");
  MX_CHECK(ndim >= 0, ValueError) << __func__ << ": ndim must be non-negative, got " << ndim;
  MX_CHECK(ndim == 0 || shape != nullptr, InvalidHandle)
      << __func__ << ": argument 'shape' is NULL but ndim is " << ndim;
  const Shape s(std::span<const int64_t>(shape, static_cast<size_t>(ndim)));
  *out = NewHandle(CreateArray(__func__, s, dev_type, dev_id, dtype));
  API_END();
}

int MXNDArrayFree(NDArrayHandle handle) {
  API_BEGIN();
  mixnet::capi::FreeHandle(CheckHandle(handle, __func__, "handle"));
  API_END();
}

int MXNDArrayGetShapeEx(NDArrayHandle handle, int* out_dim, const int** out_pdata) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out_dim, __func__, "out_dim");
  CheckOut(out_pdata, __func__, "out_pdata");
  std::vector<int>& dims = ThreadLocalStore::Get()->ints;
  dims.clear();
  if (a.is_none()) {
    *out_dim = -1;
    *out_pdata = dims.data();
    return 0;
  }
  for (int64_t d : a.shape().dims()) {
    MX_CHECK(d <= INT_MAX, ValueError)
        << __func__ << ": dimension " << d << " of shape " << a.shape()
        << " does not fit in int; use MXNDArrayGetShapeEx64";
    dims.push_back(static_cast<int>(d));
  }
  *out_dim = a.shape().ndim();
  *out_pdata = dims.data();
  API_END();
}

int MXNDArrayGetShapeEx64(NDArrayHandle handle, int* out_dim, const dim_t** out_pdata) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out_dim, __func__, "out_dim");
  CheckOut(out_pdata, __func__, "out_pdata");
  std::vector<dim_t>& dims = ThreadLocalStore::Get()->dims;
  dims.assign(a.shape().begin(), a.shape().end());
  *out_dim = a.is_none() ? -1 : a.shape().ndim();
  *out_pdata = dims.data();
  API_END();
}

int MXNDArrayGetDType(NDArrayHandle handle, int* out_dtype) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out_dtype, __func__, "out_dtype");
  *out_dtype = static_cast<int>(a.dtype());
  API_END();
}

int MXNDArrayGetContext(NDArrayHandle handle, int* out_dev_type, int* out_dev_id) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out_dev_type, __func__, "out_dev_type");
  CheckOut(out_dev_id, __func__, "out_dev_id");
  const Context ctx = a.ctx();
  *out_dev_type = static_cast<int>(ctx.dev_type);
  *out_dev_id = ctx.dev_id;
  API_END();
}

int MXNDArrayGetData(NDArrayHandle handle, void** out_pdata) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out_pdata, __func__, "out_pdata");
  a.WaitToRead();
  *out_pdata = a.data();
  API_END();
}

int MXNDArraySyncCopyFromCPU(NDArrayHandle handle, const void* data, size_t size) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  MX_CHECK(data != nullptr || size == 0, InvalidHandle)
      << __func__ << ": argument 'data' is NULL";
  a.SyncCopyFromCPU(data, size);
  API_END();
}

int MXNDArraySyncCopyToCPU(NDArrayHandle handle, void* data, size_t size) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  MX_CHECK(data != nullptr || size == 0, InvalidHandle)
      << __func__ << ": argument 'data' is NULL";
  a.SyncCopyToCPU(data, size);
  API_END();
}

int MXNDArrayWaitToRead(NDArrayHandle handle) {
  API_BEGIN();
  CheckHandle(handle, __func__, "handle")->array.WaitToRead();
  API_END();
}

int MXNDArrayWaitToWrite(NDArrayHandle handle) {
  API_BEGIN();
  CheckHandle(handle, __func__, "handle")->array.WaitToWrite();
  API_END();
}

int MXNDArrayWaitAll(void) {
  API_BEGIN();
  mixnet::engine::Engine::Get()->WaitForAll();
  API_END();
}

int MXNDArraySlice64(NDArrayHandle handle, dim_t begin, dim_t end, NDArrayHandle* out) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out, __func__, "out");
  *out = NewHandle(a.Slice(begin, end));
  API_END();
}

int MXNDArrayAt64(NDArrayHandle handle, dim_t idx, NDArrayHandle* out) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out, __func__, "out");
  *out = NewHandle(a.At(idx));
  API_END();
}

int MXNDArrayReshape64(NDArrayHandle handle, int ndim, const dim_t* dims, int reverse,
                       NDArrayHandle* out) {
  API_BEGIN();
  const NDArray& a = CheckHandle(handle, __func__, "handle")->array;
  CheckOut(out, __func__, "out");
  MX_CHECK(ndim >= 0, ValueError) << __func__ << ": ndim must be non-negative, got " << ndim;
  MX_CHECK(ndim == 0 || dims != nullptr, InvalidHandle)
      << __func__ << ": argument 'dims' is NULL but ndim is " << ndim;
  MX_CHECK(!a.is_none(), ValueError) << __func__ << ": the array is none (it has no storage)";
  const Shape target =
      InferReshape(a.shape(), std::vector<int64_t>(dims, dims + ndim), reverse != 0);
  *out = NewHandle(a.Reshape(target));
  API_END();
}
