// A vector that keeps its first N elements inline, for the short per-call lists of the dispatch
// path (inputs, outputs, variables): no heap allocation for the usual few elements.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <span>
#include <utility>

namespace mixnet {

// The inline slots are raw storage, constructed only as elements are added: zeroing unused
// slots showed up in profiles of small-op dispatch. Copyable (std::function needs that of the
// closures holding one), not assignable; grows like std::vector past N.
template <typename T, size_t N>
class SmallVec {
 public:
  // User-provided (not `= default`): value-initialising a SmallVec must not zero the slots.
  SmallVec() {}  // NOLINT(modernize-use-equals-default)
  SmallVec(const SmallVec& o) {
    for (const T& v : o.span()) emplace_back(v);
  }
  SmallVec& operator=(const SmallVec&) = delete;
  ~SmallVec() { Release(); }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == cap_) Grow();
    T* p = new (data_ + size_) T(std::forward<Args>(args)...);
    ++size_;
    return *p;
  }
  void push_back(const T& v) { emplace_back(v); }
  size_t size() const { return size_; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  bool contains(const T& v) const {
    for (size_t i = 0; i < size_; ++i)
      if (data_[i] == v) return true;
    return false;
  }
  std::span<const T> span() const { return {data_, size_}; }
  std::span<T> mutable_span() { return {data_, size_}; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  // Destroys the elements and keeps the capacity.
  void clear() {
    for (size_t i = 0; i < size_; ++i) data_[i].~T();
    size_ = 0;
  }

 private:
  T* InlineData() { return reinterpret_cast<T*>(inline_); }
  void Grow() {
    const size_t cap = cap_ * 2;
    T* grown = std::allocator<T>().allocate(cap);
    for (size_t i = 0; i < size_; ++i) {
      new (grown + i) T(std::move(data_[i]));
      data_[i].~T();
    }
    if (data_ != InlineData()) std::allocator<T>().deallocate(data_, cap_);
    data_ = grown;
    cap_ = cap;
  }
  void Release() {
    for (size_t i = 0; i < size_; ++i) data_[i].~T();
    if (data_ != InlineData()) std::allocator<T>().deallocate(data_, cap_);
  }

  alignas(T) unsigned char inline_[N * sizeof(T)];
  T* data_ = InlineData();
  size_t size_ = 0;
  size_t cap_ = N;
};

}  // namespace mixnet
