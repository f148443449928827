// Errors inside the engine. Every failure is a C++ exception of type mixnet::Error carrying a
// kind (mapped by each binding to its own exception class) and a message that names the op, the
// argument and the offending values. The C ABI converts them to -1 + MXGetLastError(); nothing
// ever aborts the host process.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace mixnet {

// Stable numbers: they cross the C ABI (MXGetLastErrorKind) and the bindings map them.
enum class ErrorKind : int {
  kInternal = 0,        // a bug in mixnet
  kValueError = 1,      // bad value: shape mismatch, out-of-range parameter, corrupt file content
  kTypeError = 2,       // wrong dtype, ill-typed parameter string
  kIndexError = 3,      // index out of range
  kNotFound = 4,        // unknown op, unknown parameter name, missing file
  kNotImplemented = 5,  // valid request that this build cannot serve
  kIOError = 6,         // file could not be read or written
  kInvalidHandle = 7,   // null or freed handle at the C ABI
};

const char* ErrorKindName(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

namespace detail {
// Collects a message with operator<< and throws mixnet::Error when the statement ends.
class ErrorBuilder {
 public:
  explicit ErrorBuilder(ErrorKind kind) : kind_(kind) {}
  ErrorBuilder(const ErrorBuilder&) = delete;
  ErrorBuilder& operator=(const ErrorBuilder&) = delete;
  [[noreturn]] ~ErrorBuilder() noexcept(false) { throw Error(kind_, os_.str()); }
  template <typename T>
  ErrorBuilder& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  ErrorKind kind_;
  std::ostringstream os_;
};
}  // namespace detail

}  // namespace mixnet

// MX_THROW(ValueError) << "FullyConnected: weight shape " << s << " does not match ...";
#define MX_THROW(KIND) ::mixnet::detail::ErrorBuilder(::mixnet::ErrorKind::k##KIND)

// MX_CHECK(cond, ValueError) << "message"; throws when cond is false.
#define MX_CHECK(COND, KIND) \
  if (COND) {                \
  } else                     \
    MX_THROW(KIND)
