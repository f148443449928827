// See conv_geom.h.
#include "operator/nn_conv/conv_geom.h"

#include <sstream>

#include "common/error.h"

namespace mixnet::op::nn_conv {

std::string VecString(const std::vector<int64_t>& v) {
  std::ostringstream os;
  os << '(';
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  if (v.size() == 1) os << ',';
  os << ')';
  return os.str();
}

std::vector<int64_t> SpatialTuple(const char* op, const char* param, const Shape& tuple, int nsp,
                                  int64_t fill, int64_t min_value) {
  if (tuple.ndim() == 0) return std::vector<int64_t>(nsp, fill);
  MX_CHECK(tuple.ndim() == nsp, ValueError)
      << op << ": " << param << "=" << tuple << " must have " << nsp
      << " entries (one per spatial dimension of kernel)";
  std::vector<int64_t> out(tuple.begin(), tuple.end());
  for (int64_t v : out) {
    MX_CHECK(v >= min_value, ValueError)
        << op << ": " << param << "=" << tuple << " entries must be >= " << min_value;
  }
  return out;
}

void CheckDataRank(const char* op, const Shape& data, int nsp) {
  MX_CHECK(data.ndim() == nsp + 2, ValueError)
      << op << ": data shape " << data << " must have " << nsp + 2
      << " dimensions (N, C and " << nsp << " spatial) for a " << nsp << "-D kernel";
}

void CheckLayout(const char* op, const std::optional<std::string>& layout, int nsp) {
  if (!layout) return;
  static const char* kChannelFirst[] = {"NCW", "NCHW", "NCDHW"};
  MX_CHECK(*layout == kChannelFirst[nsp - 1], ValueError)
      << op << ": layout " << *layout << " is not supported for a " << nsp
      << "-D kernel (only channel-first " << kChannelFirst[nsp - 1] << ")";
}

void CheckOneDnnDType(const char* op, DType t) {
  MX_CHECK(t == DType::kFloat32, TypeError)
      << op << ": dtype " << DTypeName(t) << " is not supported (oneDNN kernel: float32 only)";
}

std::vector<int64_t> ConvOutSpatial(const char* op, const Shape& data, const Geom& g) {
  std::vector<int64_t> out(g.nsp);
  for (int i = 0; i < g.nsp; ++i) {
    const int64_t x = data[2 + i];
    MX_CHECK(x >= 1, ValueError) << op << ": data shape " << data << " has an empty spatial dimension";
    const int64_t dk = g.dilate[i] * (g.kernel[i] - 1) + 1;
    const int64_t padded = x + g.pad_l[i] + g.pad_r[i];
    MX_CHECK(dk <= padded, ValueError)
        << op << ": kernel " << VecString(g.kernel) << " (dilate " << VecString(g.dilate)
        << ") is larger than the padded input: data shape " << data << ", pad "
        << VecString(g.pad_l);
    out[i] = (padded - dk) / g.stride[i] + 1;
  }
  return out;
}

}  // namespace mixnet::op::nn_conv
