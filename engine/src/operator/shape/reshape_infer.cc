#include "operator/shape/reshape_infer.h"

#include <algorithm>
#include <vector>

#include "common/error.h"

namespace mixnet::op {
namespace {

[[noreturn]] void BadSpec(const Shape& in, const Shape& spec, const char* why) {
  MX_THROW(ValueError) << "Reshape: invalid shape=" << spec << " for input shape " << in << ": "
                       << why;
}

void CheckSameSize(const Shape& in, const Shape& out, const Shape& spec) {
  MX_CHECK(in.Size() == out.Size(), ValueError)
      << "Reshape: cannot reshape array of shape " << in << " (size " << in.Size()
      << ") into shape " << out << " (size " << out.Size() << "; shape=" << spec << ")";
}

}  // namespace

Shape InferReshapeShape(const Shape& in, const Shape& spec, bool reverse) {
  std::vector<int64_t> src(in.begin(), in.end());
  std::vector<int64_t> codes(spec.begin(), spec.end());
  if (reverse) {
    std::reverse(src.begin(), src.end());
    std::reverse(codes.begin(), codes.end());
  }
  std::vector<int64_t> out;
  size_t s = 0;       // next input dim
  int infer_at = -1;  // position of the -1 in out
  for (size_t i = 0; i < codes.size(); ++i) {
    const int64_t code = codes[i];
    if (code == 0) {
      if (s >= src.size()) BadSpec(in, spec, "code 0 has no input dimension left to copy");
      out.push_back(src[s++]);
    } else if (code == -1) {
      if (infer_at >= 0) BadSpec(in, spec, "only one dimension can be -1");
      infer_at = static_cast<int>(out.size());
      out.push_back(1);
      ++s;
    } else if (code == -2) {
      while (s < src.size()) out.push_back(src[s++]);
    } else if (code == -3) {
      if (s + 1 >= src.size()) BadSpec(in, spec, "code -3 needs two input dimensions to merge");
      out.push_back(src[s] * src[s + 1]);
      s += 2;
    } else if (code == -4) {
      if (i + 2 >= codes.size()) BadSpec(in, spec, "code -4 must be followed by two dimensions");
      if (s >= src.size()) BadSpec(in, spec, "code -4 has no input dimension left to split");
      const int64_t d0 = src[s++];
      int64_t d1 = codes[++i];
      int64_t d2 = codes[++i];
      if (d1 == -1 && d2 == -1) BadSpec(in, spec, "the two split dimensions cannot both be -1");
      if (d1 < -1 || d2 < -1) BadSpec(in, spec, "split dimensions must be positive or -1");
      if (d1 == -1) {
        if (d2 == 0 || d0 % d2 != 0) BadSpec(in, spec, "split dimensions do not divide the input");
        d1 = d0 / d2;
      }
      if (d2 == -1) {
        if (d1 == 0 || d0 % d1 != 0) BadSpec(in, spec, "split dimensions do not divide the input");
        d2 = d0 / d1;
      }
      if (d1 * d2 != d0) BadSpec(in, spec, "split dimensions do not multiply to the input's");
      out.push_back(d1);
      out.push_back(d2);
    } else if (code > 0) {
      out.push_back(code);
      ++s;
    } else {
      BadSpec(in, spec, "codes must be positive, 0, -1, -2, -3 or -4");
    }
  }
  if (infer_at >= 0) {
    int64_t known = 1;
    for (size_t i = 0; i < out.size(); ++i)
      if (static_cast<int>(i) != infer_at) known *= out[i];
    if (known == 0 || in.Size() % known != 0) {
      MX_THROW(ValueError) << "Reshape: cannot infer the -1 dimension of shape=" << spec
                           << " for input shape " << in << " (size " << in.Size() << ")";
    }
    out[infer_at] = in.Size() / known;
  }
  if (reverse) std::reverse(out.begin(), out.end());
  Shape result(out.begin(), out.end());
  CheckSameSize(in, result, spec);
  return result;
}

Shape InferLegacyReshapeShape(const Shape& in, const Shape& target_shape, bool keep_highest) {
  Shape out = target_shape;
  if (keep_highest && out.ndim() > 0 && in.ndim() > 0) out[0] = in[0];
  int zeros = 0, zero_at = -1;
  for (int i = keep_highest ? 1 : 0; i < out.ndim(); ++i) {
    if (out[i] == 0) {
      ++zeros;
      zero_at = i;
    }
  }
  if (zeros == 1) {
    out[zero_at] = 1;
    const int64_t known = out.Size();
    MX_CHECK(known != 0 && in.Size() % known == 0, ValueError)
        << "Reshape: cannot infer the 0 dimension of target_shape=" << target_shape
        << " for input shape " << in;
    out[zero_at] = in.Size() / known;
  }
  CheckSameSize(in, out, target_shape);
  return out;
}

}  // namespace mixnet::op
