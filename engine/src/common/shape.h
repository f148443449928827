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

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { Assign(dims.begin(), dims.size()); }
  explicit Shape(std::span<const int64_t> dims) { Assign(dims.data(), dims.size()); }
  template <typename It>
  Shape(It begin, It end) {
    std::vector<int64_t> tmp(begin, end);
    Assign(tmp.data(), tmp.size());
  }
  // n dimensions, each equal to fill.
  static Shape Filled(int n, int64_t fill);

  Shape(const Shape& o) { Assign(o.data(), o.ndim_); }
  Shape& operator=(const Shape& o) {
    if (this != &o) Assign(o.data(), o.ndim_);
    return *this;
  }
  Shape(Shape&& o) noexcept { *this = std::move(o); }
  Shape& operator=(Shape&& o) noexcept;

  int ndim() const { return ndim_; }
  int64_t operator[](int i) const { return data()[i]; }
  int64_t& operator[](int i) { return data()[i]; }
  const int64_t* data() const { return heap_ ? heap_.get() : inline_; }
  int64_t* data() { return heap_ ? heap_.get() : inline_; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + ndim_; }
  std::span<const int64_t> dims() const { return {data(), static_cast<size_t>(ndim_)}; }

  // Number of elements (1 for a 0-d array, 0 if any dim is 0).
  int64_t Size() const;
  // Product of dims [begin, end).
  int64_t ProdRange(int begin, int end) const;
  void PushBack(int64_t d);
  // "(2, 3)", "(5,)", "()" — Python tuple spelling, as MXNet prints shapes.
  std::string ToString() const;

  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  void Assign(const int64_t* d, size_t n);
  int ndim_ = 0;
  int64_t inline_[kInline] = {};
  std::unique_ptr<int64_t[]> heap_;
};

std::ostream& operator<<(std::ostream& os, const Shape& s);

// Normalises a possibly negative axis against ndim; throws IndexError naming `what` when out of
// range (e.g. "sum: axis 3 is out of range for a 2-d input").
int NormalizeAxis(int64_t axis, int ndim, const char* what);

}  // namespace mixnet
