// Pooled host storage: alignment, size classes, reuse, accounting, thread safety.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "common/error.h"
#include "engine/engine.h"
#include "ndarray/storage.h"

namespace mixnet {
namespace {

// Blocks released by earlier tests' arrays are freed by engine ops; let them finish so the
// counters below only move because of this test.
void Quiesce() { engine::Engine::Get()->WaitForAll(); }

TEST(Storage, BlocksAre64ByteAlignedAndLargeEnough) {
  Storage* s = Storage::Get();
  for (size_t bytes : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{257},
                       size_t{1000}, size_t{4097}, size_t{1} << 20, (size_t{1} << 20) + 3}) {
    StorageBlock b = s->Alloc(bytes);
    ASSERT_NE(b.dptr, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.dptr) % 64, 0u) << bytes;
    EXPECT_GE(b.size, bytes);
    EXPECT_EQ(b.size % 64, 0u) << bytes;
    // Size classes waste at most a quarter of the request (beyond the 64-byte minimum).
    if (bytes > 256) EXPECT_LE(b.size, bytes + bytes / 4) << bytes;
    std::memset(b.dptr, 0xab, b.size);  // the whole rounded block is usable
    s->Free(b);
  }
}

TEST(Storage, ZeroByteRequestsAreDistinctValidBlocks) {
  Storage* s = Storage::Get();
  StorageBlock a = s->Alloc(0);
  StorageBlock b = s->Alloc(0);
  ASSERT_NE(a.dptr, nullptr);
  ASSERT_NE(b.dptr, nullptr);
  EXPECT_NE(a.dptr, b.dptr);
  s->Free(a);
  s->Free(b);
}

TEST(Storage, FreedBlockIsReusedForTheSameSizeClass) {
  Quiesce();
  Storage* s = Storage::Get();
  // 100000 and 100100 bytes round to the same class (step 16 KiB between 64 KiB and 128 KiB).
  StorageBlock a = s->Alloc(100000);
  void* p = a.dptr;
  s->Free(a);
  StorageBlock b = s->Alloc(100100);
  EXPECT_EQ(b.dptr, p);
  EXPECT_EQ(b.size, a.size);
  s->Free(b);
}

TEST(Storage, UsedAndPooledBytesTrackAllocAndFree) {
  Quiesce();
  Storage* s = Storage::Get();
  const size_t used0 = s->used_bytes();
  StorageBlock a = s->Alloc(3 << 20);
  EXPECT_EQ(s->used_bytes(), used0 + a.size);
  const size_t pooled_before_free = s->pooled_bytes();
  s->Free(a);
  EXPECT_EQ(s->used_bytes(), used0);
  EXPECT_EQ(s->pooled_bytes(), pooled_before_free + a.size);
  s->ReleaseAll();
  EXPECT_EQ(s->pooled_bytes(), 0u);
  EXPECT_EQ(s->used_bytes(), used0);
}

TEST(Storage, AbsurdSizeIsAValueError) {
  try {
    Storage::Get()->Alloc(static_cast<size_t>(-8));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kValueError);
    EXPECT_NE(std::string(e.what()).find("refusing to allocate"), std::string::npos) << e.what();
  }
}

TEST(Storage, ConcurrentAllocFreeNeverHandsOutABlockTwice) {
  Quiesce();
  Storage* s = Storage::Get();
  const size_t used0 = s->used_bytes();
  constexpr int kThreads = 4;
  constexpr int kIters = 5000;
  std::atomic<int> corrupted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 gen(1234 + t);
      std::uniform_int_distribution<size_t> size_dist(0, 5000);
      std::vector<StorageBlock> held;
      for (int i = 0; i < kIters; ++i) {
        StorageBlock b = s->Alloc(size_dist(gen));
        // Stamp the block with this thread's id; if another thread got the same block while we
        // hold it, its stamp overwrites ours and the check below fails.
        std::memset(b.dptr, t + 1, b.size);
        held.push_back(b);
        if (held.size() > 8 || (gen() & 1)) {
          StorageBlock victim = held[gen() % held.size()];
          const auto* bytes = static_cast<const unsigned char*>(victim.dptr);
          for (size_t k = 0; k < victim.size; ++k) {
            if (bytes[k] != t + 1) {
              corrupted.fetch_add(1);
              break;
            }
          }
          held.erase(std::find_if(held.begin(), held.end(),
                                  [&](const StorageBlock& h) { return h.dptr == victim.dptr; }));
          s->Free(victim);
        }
      }
      for (const StorageBlock& b : held) s->Free(b);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(corrupted.load(), 0);
  EXPECT_EQ(s->used_bytes(), used0);
}

}  // namespace
}  // namespace mixnet
