// The addon's live-handle table: handle -> bytes it owns. Every dispatch inserts its output and
// every dispose erases one, so this sits on the per-op path: an open-addressing table with linear
// probing and backward-shift deletion (no tombstones to pile up under constant churn), no
// allocation per entry. Only the JS thread touches it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mixnet/c_api.h"

namespace mixnet_node {

class HandleTable {
 public:
  HandleTable() : slots_(kInitialCapacity) {}

  size_t size() const { return size_; }

  // Sets h's bytes; returns the bytes it had (0 when it was not in the table).
  int64_t Put(NDArrayHandle h, int64_t bytes) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t i = Home(h);
    while (slots_[i].key != nullptr) {
      if (slots_[i].key == h) {
        const int64_t old = slots_[i].bytes;
        slots_[i].bytes = bytes;
        return old;
      }
      i = (i + 1) & Mask();
    }
    slots_[i] = Slot{h, bytes};
    ++size_;
    return 0;
  }

  // Removes h; false when it was not in the table. *bytes receives what it owned.
  bool Take(NDArrayHandle h, int64_t* bytes) {
    size_t i = Home(h);
    while (slots_[i].key != h) {
      if (slots_[i].key == nullptr) return false;
      i = (i + 1) & Mask();
    }
    *bytes = slots_[i].bytes;
    // Backward shift: move later entries of the probe run into the hole when their home slot
    // does not lie (cyclically) strictly between the hole and their position.
    size_t hole = i;
    for (size_t j = (i + 1) & Mask(); slots_[j].key != nullptr; j = (j + 1) & Mask()) {
      const size_t home = Home(slots_[j].key);
      const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole] = Slot{};
    --size_;
    return true;
  }

 private:
  struct Slot {
    NDArrayHandle key = nullptr;
    int64_t bytes = 0;
  };
  static constexpr size_t kInitialCapacity = 1024;  // a power of two

  size_t Mask() const { return slots_.size() - 1; }
  size_t Home(NDArrayHandle h) const {
    // Fibonacci hashing of the pointer (its low bits are alignment zeros).
    const uint64_t x = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(h)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(x >> 32) & Mask();
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != nullptr) Put(s.key, s.bytes);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace mixnet_node
