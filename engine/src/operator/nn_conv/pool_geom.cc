// See pool_geom.h.
#include "operator/nn_conv/pool_geom.h"

#include <algorithm>
#include <string>

#include "common/error.h"
#include "operator/nn_conv/conv_geom.h"

namespace mixnet::op::nn_conv {

namespace {
constexpr const char* kOp = "Pooling";
}

PoolGeom MakePoolGeom(const PoolingParam& p, const Shape& data) {
  PoolGeom g;
  g.type = p.pool_type;
  g.include_pad = p.count_include_pad.value_or(true);
  using PT = PoolingParam::PoolType;
  if (p.pool_type == PT::kLp) {
    MX_CHECK(p.p_value.has_value(), ValueError) << kOp << ": pool_type=lp needs p_value (1, 2 or 3)";
    MX_CHECK(*p.p_value >= 1 && *p.p_value <= 3, ValueError)
        << kOp << ": p_value=" << *p.p_value << " is not supported (1, 2 or 3)";
    g.p_value = *p.p_value;
  }
  int nsp;
  std::vector<int64_t> kernel, stride, pad;
  if (p.global_pool) {
    nsp = data.ndim() - 2;
    MX_CHECK(nsp >= 1 && nsp <= 3, ValueError)
        << kOp << ": data shape " << data << " must have 3, 4 or 5 dimensions for global_pool";
    kernel.assign(data.begin() + 2, data.end());
    stride.assign(nsp, 1);
    pad.assign(nsp, 0);
  } else {
    nsp = p.kernel.ndim();
    MX_CHECK(nsp >= 1 && nsp <= 3, ValueError)
        << kOp << ": kernel=" << p.kernel << " must have 1, 2 or 3 entries (or set global_pool)";
    kernel = SpatialTuple(kOp, "kernel", p.kernel, nsp, 1, 1);
    stride = SpatialTuple(kOp, "stride", p.stride, nsp, 1, 1);
    pad = SpatialTuple(kOp, "pad", p.pad, nsp, 0, 0);
    CheckDataRank(kOp, data, nsp);
  }
  if (p.layout) CheckLayout(kOp, std::string(PoolingParam::ToString(*p.layout)), nsp);
  // MXNet supports 'same' for 1D pooling only, without padding (output ceil(x / stride)).
  if (!p.global_pool && p.pooling_convention == PoolingParam::PoolingConvention::kSame) {
    MX_CHECK(nsp == 1, ValueError) << kOp << ": pooling_convention='same' supports 1D pooling only"
                                   << " (data shape " << data << ", kernel " << p.kernel << ")";
    MX_CHECK(pad[0] == 0, ValueError)
        << kOp << ": pooling_convention='same' does not take a pad (got pad " << p.pad << ")";
  }
  g.nsp = nsp;
  g.planes = data[0] * data[1];
  g.out_shape = Shape{data[0], data[1]};
  const int lead = 3 - nsp;
  for (int i = 0; i < 3; ++i) {
    g.x[i] = g.k[i] = g.s[i] = 1;
    g.p[i] = 0;
  }
  for (int i = 0; i < nsp; ++i) {
    const int j = lead + i;
    g.x[j] = data[2 + i];
    g.k[j] = kernel[i];
    g.s[j] = stride[i];
    g.p[j] = pad[i];
    MX_CHECK(g.x[j] >= 1, ValueError)
        << kOp << ": data shape " << data << " has an empty spatial dimension";
    const int64_t padded = g.x[j] + 2 * g.p[j];
    MX_CHECK(g.k[j] <= padded, ValueError)
        << kOp << ": kernel " << VecString(kernel) << " is larger than the padded input: data "
        << "shape " << data << ", pad " << VecString(pad);
    int64_t o;
    if (p.global_pool) {
      o = 1;
    } else if (p.pooling_convention == PoolingParam::PoolingConvention::kValid) {
      o = (padded - g.k[j]) / g.s[j] + 1;
    } else if (p.pooling_convention == PoolingParam::PoolingConvention::kFull) {
      o = (padded - g.k[j] + g.s[j] - 1) / g.s[j] + 1;
    } else {  // same: ceil(x / s)
      o = (g.x[j] + g.s[j] - 1) / g.s[j];
    }
    g.o[j] = o;
    g.pad_r[j] = std::max(g.p[j], (o - 1) * g.s[j] + g.k[j] - g.x[j] - g.p[j]);
    g.out_shape.PushBack(o);
  }
  for (int i = 0; i < lead; ++i) g.o[i] = 1, g.pad_r[i] = 0;
  return g;
}

}  // namespace mixnet::op::nn_conv
