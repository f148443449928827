#include "ndarray/ndarray.h"

#include <cstring>
#include <utility>

#include "common/error.h"
#include "common/thread_cache.h"

namespace mixnet {

namespace {

// Number of bytes for shape x dtype; throws ValueError for negative dims or sizes that overflow.
size_t CheckedBytes(const Shape& shape, DType dtype, const char* what) {
  const size_t elem = DTypeSize(dtype);  // TypeError for an unknown dtype
  int64_t n = 1;
  for (int64_t d : shape.dims()) {
    MX_CHECK(d >= 0, ValueError) << what << ": shape " << shape
                                 << " has a negative dimension";
    if (__builtin_mul_overflow(n, d, &n)) {
      MX_THROW(ValueError) << what << ": shape " << shape << " has too many elements";
    }
  }
  size_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<size_t>(n), elem, &bytes)) {
    MX_THROW(ValueError) << what << ": shape " << shape << " x " << DTypeName(dtype)
                         << " is too large";
  }
  return bytes;
}

void CheckHostContext(Context ctx, const char* what) {
  // Validates the codes (GPU -> NotImplemented, unknown -> ValueError) with one message style.
  try {
    (void)Context::FromCodes(ctx.dev_type, ctx.dev_id);
  } catch (const Error& e) {
    throw Error(e.kind(), std::string(what) + ": " + e.what());
  }
}

// Every output array allocates a chunk (with its shared_ptr control block, one block) and frees it
// again: per-thread free lists instead of the system allocator (common/thread_cache.h).
std::shared_ptr<Chunk> NewChunk() {
  return std::allocate_shared<Chunk>(ThreadCacheAllocator<Chunk, Chunk>{});
}

}  // namespace

Chunk::~Chunk() {
  // Runs from the last NDArray's destructor: must not throw.
  if (var == nullptr) {
    // Never reached the engine (a constructor failed half-way): nothing can be pending on it.
    if (external != nullptr || on_release) {
      try {
        if (on_release) on_release();
      } catch (...) {
      }
    }
    Storage::Get()->Free(block);
    return;
  }
  engine::Engine* eng = engine::Engine::Get();
  // Plain pooled memory whose var has nothing pending (the common short-lived temporary): no op
  // can still use the memory, so free it here and skip the release push. External memory keeps
  // the pushed release: its on_release may throw, and that error belongs to the engine's log.
  if (external == nullptr && !on_release && eng->TryDeleteIdleVariable(var)) {
    Storage::Get()->Free(block);
    return;
  }
  try {
    // The release is itself an op that writes the var, so it runs after every op pushed on this
    // memory so far, and the pointers those ops captured stay valid until they finish.
    // overwrites_outputs: a failed earlier op must not make the engine skip (and leak) the free.
    const engine::PushOptions opts{.name = "free", .allow_inline = true,
                                   .overwrites_outputs = true};
    if (external == nullptr && !on_release) {
      // Captures 16 trivially-copyable bytes: std::function stores that without allocating.
      StorageBlock b = block;
      eng->Push([b](const engine::RunContext&) { Storage::Get()->Free(b); }, {}, {&var, 1},
                opts);
    } else {
      eng->Push(
          [b = block, release = std::move(on_release)](const engine::RunContext&) {
            if (release) release();
            Storage::Get()->Free(b);
          },
          {}, {&var, 1}, opts);
    }
  } catch (...) {
    // Could not schedule the release (out of memory): release synchronously instead.
    try {
      eng->WaitForVarWrite(var);
    } catch (...) {
      // An error stored on the var says nothing about the memory; release it anyway.
    }
    try {
      if (on_release) on_release();
    } catch (...) {
    }
    Storage::Get()->Free(block);
  }
  eng->DeleteVariable(var);
}

NDArray::NDArray(const Shape& shape, Context ctx, DType dtype) : shape_(shape), dtype_(dtype) {
  const size_t bytes = CheckedBytes(shape, dtype, "NDArray");
  if (ctx.dev_type != Context::kCPU) CheckHostContext(ctx, "NDArray");
  auto chunk = NewChunk();
  chunk->block = Storage::Get()->Alloc(bytes);
  chunk->nbytes = bytes;
  chunk->ctx = ctx;
  chunk->var = engine::Engine::Get()->NewVariable();
  chunk_ = std::move(chunk);
}

NDArray NDArray::FromExternal(void* data, const Shape& shape, DType dtype, Context ctx,
                              std::function<void()> on_release) {
  const size_t bytes = CheckedBytes(shape, dtype, "NDArray::FromExternal");
  CheckHostContext(ctx, "NDArray::FromExternal");
  MX_CHECK(data != nullptr || bytes == 0, ValueError)
      << "NDArray::FromExternal: data is NULL for a non-empty array of shape " << shape;
  NDArray a;
  auto chunk = NewChunk();
  chunk->external = data;
  chunk->on_release = std::move(on_release);
  chunk->nbytes = bytes;
  chunk->ctx = ctx;
  chunk->var = engine::Engine::Get()->NewVariable();
  a.chunk_ = std::move(chunk);
  a.shape_ = shape;
  a.dtype_ = dtype;
  return a;
}

Context NDArray::ctx() const { return chunk_ ? chunk_->ctx : Context{}; }

engine::VarHandle NDArray::var() const {
  MX_CHECK(chunk_ != nullptr, ValueError) << "NDArray: the array is none (it has no storage)";
  return chunk_->var;
}

void* NDArray::data() const {
  return chunk_ ? static_cast<char*>(chunk_->data()) + byte_offset_ : nullptr;
}

NDArray NDArray::Slice(int64_t begin, int64_t end) const {
  MX_CHECK(chunk_ != nullptr, ValueError) << "Slice: the array is none (it has no storage)";
  MX_CHECK(shape_.ndim() >= 1, IndexError) << "Slice: cannot slice a 0-d array";
  MX_CHECK(begin >= 0 && begin <= end && end <= shape_[0], IndexError)
      << "Slice: range [" << begin << ", " << end << ") is out of bounds for axis 0 of size "
      << shape_[0] << " (shape " << shape_ << ")";
  const size_t row_bytes = static_cast<size_t>(shape_.ProdRange(1, shape_.ndim())) *
                           DTypeSize(dtype_);
  NDArray view = *this;
  view.ag_ = {};  // a view is a different value than its base for autograd: not tracked
  view.shape_[0] = end - begin;
  view.byte_offset_ += static_cast<size_t>(begin) * row_bytes;
  return view;
}

NDArray NDArray::At(int64_t index) const {
  MX_CHECK(chunk_ != nullptr, ValueError) << "At: the array is none (it has no storage)";
  MX_CHECK(shape_.ndim() >= 1, IndexError) << "At: cannot index a 0-d array";
  MX_CHECK(index >= 0 && index < shape_[0], IndexError)
      << "At: index " << index << " is out of bounds for axis 0 of size " << shape_[0]
      << " (shape " << shape_ << ")";
  const Shape row_shape(shape_.dims().subspan(1));
  const size_t row_bytes = static_cast<size_t>(row_shape.Size()) * DTypeSize(dtype_);
  NDArray view = *this;
  view.ag_ = {};  // a view is a different value than its base for autograd: not tracked
  view.shape_ = row_shape;
  view.byte_offset_ += static_cast<size_t>(index) * row_bytes;
  return view;
}

NDArray NDArray::Reshape(const Shape& shape) const {
  MX_CHECK(chunk_ != nullptr, ValueError) << "Reshape: the array is none (it has no storage)";
  for (int64_t d : shape.dims()) {
    MX_CHECK(d >= 0, ValueError) << "Reshape: target shape " << shape
                                 << " has a negative dimension";
  }
  MX_CHECK(shape.Size() == Size(), ValueError)
      << "Reshape: cannot reshape an array of shape " << shape_ << " (" << Size()
      << " elements) into shape " << shape << " (" << shape.Size() << " elements)";
  NDArray view = *this;
  view.ag_ = {};  // a view is a different value than its base for autograd: not tracked
  view.shape_ = shape;
  return view;
}

void NDArray::WaitToRead() const {
  if (chunk_) engine::Engine::Get()->WaitForVar(chunk_->var);
}

void NDArray::WaitToWrite() const {
  if (chunk_) engine::Engine::Get()->WaitForVarWrite(chunk_->var);
}

void NDArray::SyncCopyFromCPU(const void* src, size_t size) const {
  MX_CHECK(chunk_ != nullptr, ValueError)
      << "SyncCopyFromCPU: the array is none (it has no storage)";
  MX_CHECK(size == static_cast<size_t>(Size()), ValueError)
      << "SyncCopyFromCPU: got " << size << " elements but the array of shape " << shape_
      << " holds " << Size();
  const size_t bytes = nbytes();
  if (bytes == 0) return;
  MX_CHECK(src != nullptr, ValueError) << "SyncCopyFromCPU: source data is NULL";
  void* dst = data();
  engine::Engine* eng = engine::Engine::Get();
  // Ordered after pending readers and writers of the chunk like any other write. The copy
  // replaces the contents entirely, so it also clears an error a failed op left on the array.
  eng->Push([dst, src, bytes](const engine::RunContext&) { std::memcpy(dst, src, bytes); }, {},
            {&chunk_->var, 1},
            {.name = "SyncCopyFromCPU", .allow_inline = true, .overwrites_outputs = true});
  eng->WaitForVar(chunk_->var);
}

void NDArray::SyncCopyToCPU(void* dst, size_t size) const {
  MX_CHECK(chunk_ != nullptr, ValueError)
      << "SyncCopyToCPU: the array is none (it has no storage)";
  MX_CHECK(size == static_cast<size_t>(Size()), ValueError)
      << "SyncCopyToCPU: got room for " << size << " elements but the array of shape " << shape_
      << " holds " << Size();
  // Pending writes must finish (and their errors surface) before the bytes are read.
  engine::Engine::Get()->WaitForVar(chunk_->var);
  const size_t bytes = nbytes();
  if (bytes == 0) return;
  MX_CHECK(dst != nullptr, ValueError) << "SyncCopyToCPU: destination is NULL";
  std::memcpy(dst, data(), bytes);
}

}  // namespace mixnet
