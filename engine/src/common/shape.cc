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

void Shape::AssignHeap(const int64_t* d, size_t n) {
  std::unique_ptr<int64_t[]> h(new int64_t[n]);
  for (size_t i = 0; i < n; ++i) h[i] = d[i];
  heap_ = std::move(h);
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
