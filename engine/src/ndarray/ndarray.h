// NDArray: an n-dimensional array whose storage is owned by a reference-counted chunk that also
// owns the chunk's engine variable. Views (Slice along axis 0, At, Reshape) share the chunk and
// its variable, so the scheduler orders work on a view and its base correctly. Every NDArray is
// row-major and contiguous (a view is a byte offset into its chunk).
#pragma once

#include <functional>
#include <memory>

#include "common/dtype.h"
#include "common/shape.h"
#include "engine/engine.h"
#include "ndarray/context.h"
#include "ndarray/storage.h"
#include "ndarray/tblob.h"

namespace mixnet {

namespace autograd {
struct Node;
}  // namespace autograd

// Where an array sits on the autograd tape: output `index` of a recorded call, or a marked
// variable (a leaf node). Empty for arrays autograd does not track. Copies of an NDArray share it.
struct AGEntry {
  std::shared_ptr<autograd::Node> node;
  uint32_t index = 0;
  explicit operator bool() const { return node != nullptr; }
};

// Memory plus the variable that guards it. When the last NDArray referring to a chunk goes away,
// the memory is released only after every op already pushed on it has finished.
struct Chunk {
  StorageBlock block;                 // pooled memory (when owned)
  void* external = nullptr;           // memory owned by someone else (DLPack import)
  std::function<void()> on_release;   // releases `external` (e.g. the DLPack deleter)
  engine::VarHandle var = nullptr;
  Context ctx;
  size_t nbytes = 0;

  void* data() const { return external ? external : block.dptr; }
  ~Chunk();
};

class NDArray {
 public:
  // A "none" array (no storage): the placeholder MXNet's C API hands out for outputs.
  NDArray() = default;
  // Allocates uninitialised storage for shape x dtype on ctx.
  NDArray(const Shape& shape, Context ctx, DType dtype);
  // Wraps memory owned elsewhere; on_release runs once no NDArray or pending op uses it.
  static NDArray FromExternal(void* data, const Shape& shape, DType dtype, Context ctx,
                              std::function<void()> on_release);

  bool is_none() const { return chunk_ == nullptr; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  Context ctx() const;
  int64_t Size() const { return shape_.Size(); }
  size_t nbytes() const { return static_cast<size_t>(Size()) * DTypeSize(dtype_); }
  engine::VarHandle var() const;
  // Pointer to the first element. Only meaningful inside an op that lists var(), or after a wait.
  void* data() const;
  TBlob blob() const { return TBlob{data(), shape_, dtype_}; }
  const std::shared_ptr<Chunk>& chunk() const { return chunk_; }
  size_t byte_offset() const { return byte_offset_; }
  // True when both arrays share storage (views of one chunk).
  bool SharesStorageWith(const NDArray& o) const { return chunk_ && chunk_ == o.chunk_; }

  // Views, no copy. Slice: rows [begin, end) of axis 0. At: row i without the leading axis.
  // Reshape: same number of elements. All throw IndexError/ValueError naming the values.
  NDArray Slice(int64_t begin, int64_t end) const;
  NDArray At(int64_t index) const;
  NDArray Reshape(const Shape& shape) const;

  void WaitToRead() const;
  void WaitToWrite() const;

  // Autograd bookkeeping (see autograd/autograd.h).
  const AGEntry& ag_entry() const { return ag_; }
  void set_ag_entry(AGEntry e) { ag_ = std::move(e); }
  // Blocking copies between host memory and this array; `size` is the number of elements and must
  // equal Size() (ValueError otherwise). Data is in this array's dtype.
  void SyncCopyFromCPU(const void* data, size_t size) const;
  void SyncCopyToCPU(void* data, size_t size) const;

 private:
  std::shared_ptr<Chunk> chunk_;
  Shape shape_;
  DType dtype_ = DType::kFloat32;
  size_t byte_offset_ = 0;
  AGEntry ag_;
};

}  // namespace mixnet
