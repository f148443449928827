// Pooled host memory. Freed blocks go back to a per-size-class free list instead of the system
// allocator, so the steady state of a training loop (same shapes every step) allocates nothing.
// Blocks are 64-byte aligned (AVX-512-safe, cache-line aligned).
#pragma once

#include <cstddef>

namespace mixnet {

struct StorageBlock {
  void* dptr = nullptr;
  size_t size = 0;  // the rounded size actually reserved
};

class Storage {
 public:
  static Storage* Get();
  // Throws ValueError on absurd sizes and IOError-free "out of memory" as ValueError naming the
  // request; a zero-byte request returns a valid, non-null, unique block.
  StorageBlock Alloc(size_t bytes);
  void Free(StorageBlock block);
  // Returns every pooled block to the system (for tests and memory pressure).
  void ReleaseAll();
  // Bytes currently handed out / kept in the pool.
  size_t used_bytes() const;
  size_t pooled_bytes() const;
};

}  // namespace mixnet
