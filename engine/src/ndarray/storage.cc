#include "ndarray/storage.h"

#include <atomic>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/error.h"
#include "common/spin_lock.h"

namespace mixnet {

namespace {

constexpr size_t kAlignment = 64;
// Larger requests are certainly a bug (a negative size cast to size_t, an overflowed product):
// refuse them with a clear message rather than ask the system for them.
constexpr size_t kMaxRequest = size_t{1} << 46;  // 64 TiB
// Size classes: 64, 128, 192, 256, then four classes per power of two (320, 384, 448, 512, 640,
// ...). Rounding up wastes at most 25% and keeps the number of free lists small, so blocks of
// similar sizes (one training step's activations) are reused.
constexpr int kNumClasses = 4 + (46 - 8) * 4;

struct SizeClass {
  size_t bytes;
  int index;
};

SizeClass ClassOf(size_t bytes) {
  if (bytes <= 256) {
    const size_t rounded =
        bytes <= kAlignment ? kAlignment : (bytes + kAlignment - 1) / kAlignment * kAlignment;
    return {rounded, static_cast<int>(rounded / kAlignment) - 1};
  }
  const int p = std::bit_width(bytes - 1);  // 2^(p-1) < bytes <= 2^p, p >= 9
  const size_t step = size_t{1} << (p - 3);
  const size_t rounded = (bytes + step - 1) / step * step;
  return {rounded, 4 + (p - 9) * 4 + static_cast<int>(rounded / step) - 5};
}

// The pool. Leaked on purpose: chunks may be released by static destructors of other files at
// process exit, after a function-local static pool would already be gone.
struct Pool {
  // Freed blocks beyond this many pooled bytes go back to the system, so a workload that cycles
  // through many different sizes cannot hoard memory. MIXNET_STORAGE_POOL_MB overrides the
  // default of a quarter of physical memory.
  const size_t limit = PoolLimit();
  // Every alloc and free of the dispatch path takes this lock once: a spin lock (the critical
  // sections are a few loads and stores). The counters change only under it, so they need plain
  // stores, not read-modify-writes; they are atomic for the lock-free readers.
  SpinLock mu;
  std::vector<void*> free_lists[kNumClasses];
  std::atomic<size_t> used{0};
  std::atomic<size_t> pooled{0};

  // Counter updates, lock held.
  static void Add(std::atomic<size_t>& c, size_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static void Sub(std::atomic<size_t>& c, size_t n) {
    c.store(c.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }

  static size_t PoolLimit() {
    if (const char* env = std::getenv("MIXNET_STORAGE_POOL_MB")) {
      char* end = nullptr;
      unsigned long long mb = std::strtoull(env, &end, 10);
      if (end != env && *end == '\0') return static_cast<size_t>(mb) << 20;
    }
    long pages = sysconf(_SC_PHYS_PAGES);
    long page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0) return size_t{1} << 30;
    return static_cast<size_t>(pages) * static_cast<size_t>(page_size) / 4;
  }

  static Pool& Get() {
    static Pool* pool = new Pool();
    return *pool;
  }

  void ReleaseAllLocked() {
    for (auto& list : free_lists) {
      for (void* p : list) std::free(p);
      list.clear();
      list.shrink_to_fit();
    }
    pooled.store(0, std::memory_order_relaxed);
  }
};

}  // namespace

Storage* Storage::Get() {
  // Storage has no state of its own (the pool above holds it), so one static object suffices.
  static Storage storage;
  return &storage;
}

StorageBlock Storage::Alloc(size_t bytes) {
  MX_CHECK(bytes <= kMaxRequest, ValueError)
      << "Storage::Alloc: refusing to allocate " << bytes << " bytes (more than 64 TiB; is a "
      << "size negative or overflowed?)";
  const SizeClass cls = ClassOf(bytes);
  Pool& pool = Pool::Get();
  {
    std::lock_guard<SpinLock> lock(pool.mu);
    auto& list = pool.free_lists[cls.index];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      Pool::Sub(pool.pooled, cls.bytes);
      Pool::Add(pool.used, cls.bytes);
      return {p, cls.bytes};
    }
  }
  void* p = std::aligned_alloc(kAlignment, cls.bytes);
  if (p == nullptr) {
    // Memory held by the pool may be what is missing: give it back and try once more.
    ReleaseAll();
    p = std::aligned_alloc(kAlignment, cls.bytes);
  }
  MX_CHECK(p != nullptr, ValueError) << "out of memory: could not allocate " << bytes
                                     << " bytes (" << used_bytes() << " bytes in use)";
  std::lock_guard<SpinLock> lock(pool.mu);
  Pool::Add(pool.used, cls.bytes);
  return {p, cls.bytes};
}

void Storage::Free(StorageBlock block) {
  if (block.dptr == nullptr) return;
  Pool& pool = Pool::Get();
  const SizeClass cls = ClassOf(block.size);
  {
    std::lock_guard<SpinLock> lock(pool.mu);
    Pool::Sub(pool.used, block.size);
    // A block whose size is not its class's was not handed out with that size by this
    // allocator: pooling it would put a short block in a longer class.
    if (cls.bytes == block.size &&
        pool.pooled.load(std::memory_order_relaxed) + cls.bytes <= pool.limit) {
      try {
        pool.free_lists[cls.index].push_back(block.dptr);
        Pool::Add(pool.pooled, cls.bytes);
        return;
      } catch (const std::bad_alloc&) {
        // The free list could not grow; fall through and give the block to the system. (Free is
        // called from destructors, so it must not throw.)
      }
    }
  }
  std::free(block.dptr);
}

void Storage::ReleaseAll() {
  Pool& pool = Pool::Get();
  std::lock_guard<SpinLock> lock(pool.mu);
  pool.ReleaseAllLocked();
}

size_t Storage::used_bytes() const {
  return Pool::Get().used.load(std::memory_order_relaxed);
}

size_t Storage::pooled_bytes() const {
  return Pool::Get().pooled.load(std::memory_order_relaxed);
}

}  // namespace mixnet
