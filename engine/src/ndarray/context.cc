#include "ndarray/context.h"

#include "common/error.h"

namespace mixnet {

std::string Context::ToString() const {
  const char* name = "unknown";
  switch (dev_type) {
    case kCPU: name = "cpu"; break;
    case kGPU: name = "gpu"; break;
    case kCPUPinned: name = "cpu_pinned"; break;
    case kCPUShared: name = "cpu_shared"; break;
  }
  return std::string(name) + "(" + std::to_string(dev_id) + ")";
}

Context Context::FromCodes(int dev_type, int dev_id) {
  switch (dev_type) {
    case kCPU:
    case kCPUPinned:
    case kCPUShared:
      break;
    case kGPU:
      MX_THROW(NotImplemented) << "gpu(" << dev_id << "): mixnet was built without GPU support";
    default:
      MX_THROW(ValueError) << "unknown device type code " << dev_type
                           << " (expected 1 = cpu, 2 = gpu, 3 = cpu_pinned, 5 = cpu_shared)";
  }
  MX_CHECK(dev_id >= 0, ValueError) << "device id must be non-negative, got " << dev_id;
  return Context{static_cast<DevType>(dev_type), dev_id};
}

}  // namespace mixnet
