// Status and StatusOr<T>: how every edgeforge function that reads files, flags or model bytes
// reports failure. No exceptions cross a module boundary.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace edgeforge {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input: a corrupt model, a broken image, a bad flag value
  kNotFound,         // a file or a named thing that does not exist
  kUnimplemented,    // valid input we do not support (an unsupported op or dtype)
  kFailedPrecondition,
  kInternal,
  kIo,  // the operating system refused (open, read, write, mmap)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message" (used to add a file name or op index).
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

  // Explicitly discards a status (a best-effort cleanup whose failure does not matter).
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIo, std::move(m)}; }

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT
  StatusOr(T value) : value_(std::move(value)) {}                                // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace edgeforge

#define EF_STATUS_CONCAT_INNER(a, b) a##b
#define EF_STATUS_CONCAT(a, b) EF_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define EF_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::edgeforge::Status ef_status_ = (expr);         \
    if (!ef_status_.ok()) return ef_status_;         \
  } while (0)

// `EF_ASSIGN_OR_RETURN(auto x, MakeX());` unwraps a StatusOr or returns its Status.
#define EF_ASSIGN_OR_RETURN(lhs, expr) \
  EF_ASSIGN_OR_RETURN_IMPL(EF_STATUS_CONCAT(ef_statusor_, __LINE__), lhs, expr)
#define EF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
