#include "common/shape.h"

#include <ostream>
#include <sstream>

#include "common/error.h"

namespace mixnet {

Shape Shape::Filled(int n, int64_t fill) {
  Shape s;
  for (int i = 0; i < n; ++i) s.PushBack(fill);
  return s;
}

Shape& Shape::operator=(Shape&& o) noexcept {
  if (this == &o) return *this;
  ndim_ = o.ndim_;
  heap_ = std::move(o.heap_);
  if (!heap_) {
    for (int i = 0; i < ndim_; ++i) inline_[i] = o.inline_[i];
  }
  o.ndim_ = 0;
  return *this;
}

void Shape::Assign(const int64_t* d, size_t n) {
  if (n > static_cast<size_t>(kInline)) {
    std::unique_ptr<int64_t[]> h(new int64_t[n]);
    for (size_t i = 0; i < n; ++i) h[i] = d[i];
    heap_ = std::move(h);
  } else {
    // Copy first: d may point into our own storage.
    int64_t tmp[kInline];
    for (size_t i = 0; i < n; ++i) tmp[i] = d[i];
    heap_.reset();
    for (size_t i = 0; i < n; ++i) inline_[i] = tmp[i];
  }
  ndim_ = static_cast<int>(n);
}

void Shape::PushBack(int64_t v) {
  if (ndim_ < kInline && !heap_) {
    inline_[ndim_++] = v;
    return;
  }
  std::unique_ptr<int64_t[]> h(new int64_t[ndim_ + 1]);
  for (int i = 0; i < ndim_; ++i) h[i] = data()[i];
  h[ndim_] = v;
  heap_ = std::move(h);
  ++ndim_;
}

int64_t Shape::Size() const { return ProdRange(0, ndim_); }

int64_t Shape::ProdRange(int begin, int end) const {
  int64_t p = 1;
  for (int i = begin; i < end; ++i) p *= data()[i];
  return p;
}

std::string Shape::ToString() const {
  std::ostringstream os;
  os << '(';
  for (int i = 0; i < ndim_; ++i) {
    if (i) os << ", ";
    os << data()[i];
  }
  if (ndim_ == 1) os << ',';
  os << ')';
  return os.str();
}

bool Shape::operator==(const Shape& o) const {
  if (ndim_ != o.ndim_) return false;
  for (int i = 0; i < ndim_; ++i)
    if (data()[i] != o.data()[i]) return false;
  return true;
}

std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.ToString(); }

int NormalizeAxis(int64_t axis, int ndim, const char* what) {
  int64_t a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    MX_THROW(IndexError) << what << ": axis " << axis << " is out of range for a " << ndim
                         << "-d input";
  }
  return static_cast<int>(a);
}

}  // namespace mixnet
