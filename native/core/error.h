// Errors of the native core. Every failure the caller can cause throws ml::Error with a kind;
// the N-API layer maps the kind to the JS error code of binding.d.ts (ERR_SHAPE, ...).
#pragma once
#include <stdexcept>
#include <string>

namespace ml {

enum class ErrorKind { Shape, DType, Value, Disposed, OutOfMemory, Internal };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// The JS `code` of a kind: "ERR_SHAPE" | "ERR_DTYPE" | "ERR_VALUE" | "ERR_DISPOSED" | "ERR_OOM" |
// "ERR_INTERNAL".
inline const char* error_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Shape: return "ERR_SHAPE";
    case ErrorKind::DType: return "ERR_DTYPE";
    case ErrorKind::Value: return "ERR_VALUE";
    case ErrorKind::Disposed: return "ERR_DISPOSED";
    case ErrorKind::OutOfMemory: return "ERR_OOM";
    default: return "ERR_INTERNAL";
  }
}

[[noreturn]] inline void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }

}  // namespace ml
