#pragma once
// Result<T>: a value or an Error. Expected outcomes (bad input, not found,
// conflicts) are values; bugs and broken environments throw.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace zp {

// The error kinds of API.md's table; one function (pipelines/api/errors.h)
// maps them to HTTP status and error_code.
enum class ErrorKind {
  kParse,
  kValidation,
  kZoneExists,
  kRecordConflict,
  kAuthentication,
  kPermission,
  kNotFound,
  kMethodNotAllowed,
  kPayloadTooLarge,
  kRateLimited,
  kUnavailable,
  kInternal,
  kInsufficientStorage,   // the store's disk or map ceiling is full: writes refused, reads work
  kPreconditionFailed,    // If-Match / If-None-Match did not hold (RFC 9110 section 13.1)
  kIdempotencyKeyReused,  // an Idempotency-Key sent again with another request
};

// Becomes {"detail", "error_code", "field"} at the HTTP edge.
struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string field;   // empty when no single input field is at fault
  std::string detail;  // a sentence for the user or operator

  static Error validation(std::string field, std::string detail) {
    return {ErrorKind::kValidation, std::move(field), std::move(detail)};
  }
  bool operator==(const Error&) const = default;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For operations that only succeed or fail.
using Status = std::optional<Error>;  // nullopt = success

}  // namespace zp
