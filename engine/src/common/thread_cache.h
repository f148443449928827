// Per-thread free lists for the small objects every op dispatch creates and destroys (an array's
// chunk with its shared_ptr control block, its engine variable). The system allocator's fast
// path costs a few hundred instructions per op for these; a pop or push on a per-thread stack
// costs a handful. Blocks move freely between threads (an object allocated on one thread may be
// freed on another, into that thread's list); each list is bounded, and what does not fit, or
// arrives while a thread is ending, goes back to the system allocator.
#pragma once

#include <cstddef>
#include <new>

#include "common/fast_tls.h"

namespace mixnet {

// Blocks of `Size` bytes (aligned for any fundamental type); Tag separates the users.
template <size_t Size, typename Tag>
class ThreadCache {
 public:
  static void* Alloc() {
    List* list = state_.list;
    if (list != nullptr && list->count > 0) return list->blocks[--list->count];
    return ::operator new(Size);
  }
  static void Free(void* p) noexcept {
    List* list = state_.list;
    if (list == nullptr) list = Attach();
    if (list != nullptr && list->count < kCapacity) {
      list->blocks[list->count++] = p;
      return;
    }
    ::operator delete(p);
  }

 private:
  static constexpr int kCapacity = 64;
  struct List {
    void* blocks[kCapacity];
    int count = 0;
    List() { state_.list = this; }
    ~List() {
      state_ = {nullptr, true};
      for (int i = 0; i < count; ++i) ::operator delete(blocks[i]);
    }
  };
  // The thread's list, created on its first free; nullptr once the thread is ending.
  [[gnu::noinline]] static List* Attach() noexcept {
    if (state_.ended) return nullptr;
    thread_local List list;
    return &list;
  }
  // One thread_local (one __tls_get_addr call per use): the list, and whether it was destroyed.
  struct State {
    List* list = nullptr;
    bool ended = false;
  };
  static inline thread_local State state_;
};

// A std allocator over ThreadCache, for std::allocate_shared of one object at a time.
template <typename T, typename Tag>
struct ThreadCacheAllocator {
  using value_type = T;
  ThreadCacheAllocator() = default;
  template <typename U>
  ThreadCacheAllocator(const ThreadCacheAllocator<U, Tag>&) {}  // NOLINT: rebinding
  T* allocate(size_t n) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    if (n == 1) return static_cast<T*>(ThreadCache<sizeof(T), Tag>::Alloc());
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n == 1) return ThreadCache<sizeof(T), Tag>::Free(p);
    ::operator delete(p);
  }
  template <typename U>
  bool operator==(const ThreadCacheAllocator<U, Tag>&) const { return true; }
};

}  // namespace mixnet
