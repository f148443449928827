#include "operator/creation/init_util.h"

#include <charconv>
#include <string>

#include "common/error.h"

namespace mixnet::op::creation {

Context ParseCtxParam(const char* op_name, std::string_view text) {
  if (text.empty()) return Context::CPU();
  struct Kind {
    std::string_view name;
    Context::DevType type;
  };
  static constexpr Kind kKinds[] = {{"cpu_pinned", Context::kCPUPinned},
                                    {"cpu_shared", Context::kCPUShared},
                                    {"cpu", Context::kCPU},
                                    {"gpu", Context::kGPU}};
  for (const Kind& k : kKinds) {
    if (text.size() < k.name.size() + 3 || text.substr(0, k.name.size()) != k.name) continue;
    std::string_view rest = text.substr(k.name.size());
    if (rest.front() != '(' || rest.back() != ')') continue;
    std::string_view digits = rest.substr(1, rest.size() - 2);
    int id = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size()) break;
    try {
      return Context::FromCodes(k.type, id);
    } catch (const Error& e) {
      // Same kind (NotImplemented for gpu, ValueError for a bad id), with the op named.
      ::mixnet::detail::ErrorBuilder(e.kind()) << op_name << ": parameter 'ctx': " << e.what();
    }
  }
  MX_THROW(ValueError) << op_name << ": parameter 'ctx' expects a context such as cpu(0), got '"
                       << text << "'";
}

void CheckShapeParam(const char* op_name, const char* param, const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) {
      MX_THROW(ValueError) << op_name << ": parameter '" << param << "' " << shape
                           << " has a negative dimension";
    }
  }
}

}  // namespace mixnet::op::creation
