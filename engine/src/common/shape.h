// Array shapes: a small vector of int64 dimensions stored inline up to kInline dims, so creating
// and copying the shape of an ordinary tensor never touches the heap (this sits on the per-op
// dispatch path). ndim() == 0 is a scalar (0-d) array; a dimension of 0 is an empty axis.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace mixnet {

class Shape {
 public:
  static constexpr int kInline = 6;

  // User-provided (not `= default`): value-initialisation (vector::resize, Shape{}) must not zero
  // the inline dims.
  Shape() noexcept {}  // NOLINT(modernize-use-equals-default)
  Shape(std::initializer_list<int64_t> dims) { Assign(dims.begin(), dims.size()); }
  explicit Shape(std::span<const int64_t> dims) { Assign(dims.data(), dims.size()); }
  template <typename It>
  Shape(It begin, It end) {
    std::vector<int64_t> tmp(begin, end);
    Assign(tmp.data(), tmp.size());
  }
  // n dimensions, each equal to fill.
  static Shape Filled(int n, int64_t fill);

  // Copies and moves are inline: the dispatch path copies shapes into inference, blobs and
  // arrays about ten times per op, and an out-of-line call per copy cost more than the copy.
  Shape(const Shape& o) { Assign(o.data(), static_cast<size_t>(o.ndim_)); }
  Shape& operator=(const Shape& o) {
    if (this != &o) Assign(o.data(), static_cast<size_t>(o.ndim_));
    return *this;
  }
  Shape(Shape&& o) noexcept { MoveFrom(o); }
  Shape& operator=(Shape&& o) noexcept {
    if (this != &o) MoveFrom(o);
    return *this;
  }

  int ndim() const { return ndim_; }
  int64_t operator[](int i) const { return data()[i]; }
  int64_t& operator[](int i) { return data()[i]; }
  const int64_t* data() const { return heap_ ? heap_.get() : inline_; }
  int64_t* data() { return heap_ ? heap_.get() : inline_; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + ndim_; }
  std::span<const int64_t> dims() const { return {data(), static_cast<size_t>(ndim_)}; }

  // Number of elements (1 for a 0-d array, 0 if any dim is 0).
  int64_t Size() const { return ProdRange(0, ndim_); }
  // Product of dims [begin, end).
  int64_t ProdRange(int begin, int end) const {
    const int64_t* d = data();
    int64_t p = 1;
    for (int i = begin; i < end; ++i) p *= d[i];
    return p;
  }
  void PushBack(int64_t d);
  // "(2, 3)", "(5,)", "()" — Python tuple spelling, as MXNet prints shapes.
  std::string ToString() const;

  bool operator==(const Shape& o) const {
    if (ndim_ != o.ndim_) return false;
    const int64_t* a = data();
    const int64_t* b = o.data();
    for (int i = 0; i < ndim_; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  void Assign(const int64_t* d, size_t n) {
    if (n > static_cast<size_t>(kInline)) return AssignHeap(d, n);
    // Copy first: d may point into our own storage.
    int64_t tmp[kInline];
    for (size_t i = 0; i < n; ++i) tmp[i] = d[i];
    if (heap_) heap_.reset();
    for (size_t i = 0; i < n; ++i) inline_[i] = tmp[i];
    ndim_ = static_cast<int>(n);
  }
  void AssignHeap(const int64_t* d, size_t n);  // the rare > kInline case, out of line
  void MoveFrom(Shape& o) noexcept {
    ndim_ = o.ndim_;
    heap_ = std::move(o.heap_);
    if (!heap_) {
      for (int i = 0; i < ndim_; ++i) inline_[i] = o.inline_[i];
    }
    o.ndim_ = 0;
  }
  int ndim_ = 0;
  int64_t inline_[kInline];  // only [0, ndim_) is ever read: not zeroed (shapes are made per op)
  std::unique_ptr<int64_t[]> heap_;
};

std::ostream& operator<<(std::ostream& os, const Shape& s);

// Normalises a possibly negative axis against ndim; throws IndexError naming `what` when out of
// range (e.g. "sum: axis 3 is out of range for a 2-d input").
int NormalizeAxis(int64_t axis, int ndim, const char* what);

}  // namespace mixnet
