// Device contexts, with Apache MXNet 1.x's device-type codes (they cross the C ABI and appear
// in .params files).
#pragma once

#include <string>

namespace mixnet {

struct Context {
  enum DevType : int { kCPU = 1, kGPU = 2, kCPUPinned = 3, kCPUShared = 5 };
  DevType dev_type = kCPU;
  int dev_id = 0;

  static Context CPU(int id = 0) { return {kCPU, id}; }
  bool operator==(const Context& o) const { return dev_type == o.dev_type && dev_id == o.dev_id; }
  bool operator!=(const Context& o) const { return !(*this == o); }
  // "cpu(0)", "gpu(1)", "cpu_pinned(0)", "cpu_shared(0)".
  std::string ToString() const;
  // Throws NotImplemented for device types this build cannot run (GPU), ValueError for unknown
  // codes or negative ids.
  static Context FromCodes(int dev_type, int dev_id);
};

}  // namespace mixnet
