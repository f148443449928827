#include "common/error.h"

namespace mixnet {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInternal: return "InternalError";
    case ErrorKind::kValueError: return "ValueError";
    case ErrorKind::kTypeError: return "TypeError";
    case ErrorKind::kIndexError: return "IndexError";
    case ErrorKind::kNotFound: return "NotFound";
    case ErrorKind::kNotImplemented: return "NotImplemented";
    case ErrorKind::kIOError: return "IOError";
    case ErrorKind::kInvalidHandle: return "InvalidHandle";
  }
  return "UnknownError";
}

}  // namespace mixnet
