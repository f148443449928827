#include "ndarray/dlpack.h"

#include <memory>
#include <sstream>
#include <vector>

namespace mixnet {

namespace {

// DLPack >= 0.8's kDLBool; 0.6's header does not define it.
constexpr uint8_t kDLBoolCode = 6;
// Bound on ndim accepted from a foreign tensor (sanity; far above any real tensor).
constexpr int kMaxImportNdim = 64;

std::string DLTypeString(DLDataType t) {
  std::ostringstream os;
  os << "{code " << static_cast<int>(t.code) << ", bits " << static_cast<int>(t.bits)
     << ", lanes " << t.lanes << "}";
  return os.str();
}

std::string DimsString(const int64_t* dims, int ndim) {
  std::ostringstream os;
  os << "(";
  for (int i = 0; i < ndim; ++i) os << (i ? ", " : "") << dims[i];
  os << (ndim == 1 ? ",)" : ")");
  return os.str();
}

// Owns what an exported DLManagedTensor points to: a reference to the array (so its chunk, and
// the memory, stay alive) and the shape the tensor's `shape` field points into.
struct ExportContext {
  NDArray array;
  std::vector<int64_t> shape;
  DLManagedTensor tensor{};
};

void DeleteExport(DLManagedTensor* self) {
  delete static_cast<ExportContext*>(self->manager_ctx);
}

}  // namespace

DLDataType ToDLDataType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return {kDLFloat, 32, 1};
    case DType::kFloat64: return {kDLFloat, 64, 1};
    case DType::kFloat16: return {kDLFloat, 16, 1};
    case DType::kBfloat16: return {kDLBfloat, 16, 1};
    case DType::kUint8: return {kDLUInt, 8, 1};
    case DType::kInt8: return {kDLInt, 8, 1};
    case DType::kInt32: return {kDLInt, 32, 1};
    case DType::kInt64: return {kDLInt, 64, 1};
    case DType::kBool: return {kDLUInt, 8, 1};  // see dlpack.h
  }
  MX_THROW(TypeError) << "DLPack export: unsupported dtype code " << static_cast<int>(dtype);
}

DType FromDLDataType(DLDataType t) {
  if (t.lanes == 1) {
    switch (t.code) {
      case kDLFloat:
        if (t.bits == 32) return DType::kFloat32;
        if (t.bits == 64) return DType::kFloat64;
        if (t.bits == 16) return DType::kFloat16;
        break;
      case kDLBfloat:
        if (t.bits == 16) return DType::kBfloat16;
        break;
      case kDLInt:
        if (t.bits == 8) return DType::kInt8;
        if (t.bits == 32) return DType::kInt32;
        if (t.bits == 64) return DType::kInt64;
        break;
      case kDLUInt:
        if (t.bits == 8) return DType::kUint8;
        if (t.bits == 1) return DType::kBool;  // Apache MXNet 1.x's bool
        break;
      case kDLBoolCode:
        if (t.bits == 8) return DType::kBool;
        break;
      default: break;
    }
  }
  MX_THROW(TypeError) << "DLPack import: unsupported data type " << DLTypeString(t)
                      << " (supported: float16/32/64, bfloat16, int8/32/64, uint8, bool; lanes 1)";
}

DLManagedTensor* ToDLPack(const NDArray& array) {
  MX_CHECK(!array.is_none(), ValueError) << "DLPack export: the array is none (has no storage)";
  array.WaitToRead();
  auto ctx = std::make_unique<ExportContext>();
  ctx->array = array;
  ctx->shape.assign(array.shape().begin(), array.shape().end());
  DLTensor& t = ctx->tensor.dl_tensor;
  t.data = array.data();
  // Every host context (cpu, cpu_pinned, cpu_shared) is plain host memory to a consumer.
  t.device = {kDLCPU, array.ctx().dev_id};
  t.ndim = array.shape().ndim();
  t.dtype = ToDLDataType(array.dtype());
  t.shape = ctx->shape.data();  // may be null for a 0-d array: ndim 0 means nothing is read
  t.strides = nullptr;
  t.byte_offset = 0;
  ctx->tensor.manager_ctx = ctx.get();
  ctx->tensor.deleter = DeleteExport;
  return &ctx.release()->tensor;
}

NDArray FromDLPack(DLManagedTensor* tensor, std::optional<DType> as_dtype) {
  MX_CHECK(tensor != nullptr, ValueError) << "DLPack import: the managed tensor is NULL";
  const DLTensor& t = tensor->dl_tensor;
  if (t.device.device_type != kDLCPU) {
    if (t.device.device_type == kDLCUDA || t.device.device_type == kDLCUDAHost ||
        t.device.device_type == kDLCUDAManaged || t.device.device_type == kDLROCM) {
      MX_THROW(NotImplemented) << "DLPack import: device type " << t.device.device_type
                               << " (a GPU device) is not supported by this CPU-only build";
    }
    MX_THROW(NotImplemented) << "DLPack import: device type " << t.device.device_type
                             << " is not supported (only kDLCPU = " << kDLCPU << ")";
  }
  if (t.ndim < 0 || t.ndim > kMaxImportNdim) {
    MX_THROW(ValueError) << "DLPack import: ndim " << t.ndim << " is out of range";
  }
  MX_CHECK(t.ndim == 0 || t.shape != nullptr, ValueError)
      << "DLPack import: shape is NULL for a " << t.ndim << "-d tensor";
  DType dtype = FromDLDataType(t.dtype);
  if (as_dtype && *as_dtype != dtype) {
    MX_CHECK(*as_dtype == DType::kBool && dtype == DType::kUint8, TypeError)
        << "DLPack import: cannot import " << DLTypeString(t.dtype) << " (" << DTypeName(dtype)
        << ") as " << DTypeName(*as_dtype);
    dtype = DType::kBool;
  }
  Shape shape;
  bool empty = false;
  uint64_t elements = 1;
  for (int i = 0; i < t.ndim; ++i) {
    const int64_t d = t.shape[i];
    MX_CHECK(d >= 0, ValueError) << "DLPack import: negative dimension in shape "
                                 << DimsString(t.shape, t.ndim);
    empty |= d == 0;
    if (d != 0 && __builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements)) {
      MX_THROW(ValueError) << "DLPack import: shape " << DimsString(t.shape, t.ndim)
                           << " overflows";
    }
    shape.PushBack(d);
  }
  // Strides (in elements) must describe compact row-major storage. Axes of extent 1 may carry
  // any stride (producers such as NumPy and PyTorch differ there), and an empty tensor has no
  // layout at all.
  if (t.strides != nullptr && !empty) {
    int64_t expected = 1;
    for (int i = t.ndim - 1; i >= 0; --i) {
      if (t.shape[i] != 1 && t.strides[i] != expected) {
        std::vector<int64_t> want(t.ndim);
        int64_t s = 1;
        for (int j = t.ndim - 1; j >= 0; --j) {
          want[j] = s;
          s *= t.shape[j];
        }
        MX_THROW(ValueError) << "DLPack import: only compact row-major tensors can be imported "
                             << "without a copy; shape " << DimsString(t.shape, t.ndim)
                             << " has strides " << DimsString(t.strides, t.ndim)
                             << ", expected " << DimsString(want.data(), t.ndim);
      }
      expected *= t.shape[i];
    }
  }
  auto* data = static_cast<uint8_t*>(t.data) + t.byte_offset;
  const size_t elem = DTypeSize(dtype);
  if (empty && t.data == nullptr) {
    // Producers may hand out NULL for an empty tensor; give the array a valid (never read)
    // address so it is not mistaken for one without storage.
    static uint64_t empty_storage = 0;
    data = reinterpret_cast<uint8_t*>(&empty_storage);
  }
  if (!empty) {
    MX_CHECK(t.data != nullptr, ValueError) << "DLPack import: data is NULL for a non-empty tensor";
    MX_CHECK(reinterpret_cast<uintptr_t>(data) % elem == 0, ValueError)
        << "DLPack import: data pointer (with byte_offset " << t.byte_offset
        << ") is not aligned to the " << elem << "-byte element size of " << DTypeName(dtype);
  }
  // The deleter must run only if the array really took ownership: FromExternal may fail after
  // creating its chunk, whose destruction would otherwise call the deleter behind the caller's
  // back (the caller still owns the tensor when we throw).
  auto owned = std::make_shared<bool>(false);
  NDArray array = NDArray::FromExternal(data, shape, dtype, Context::CPU(),
                                        [tensor, owned]() {
                                          if (*owned && tensor->deleter) tensor->deleter(tensor);
                                        });
  *owned = true;
  return array;
}

}  // namespace mixnet
