// Errors are values across C callbacks: a storage call answers Result<T>.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace zaqard {

// Storage-level failure kinds; the api layer maps them to Zaqar statuses.
enum class ErrorKind {
    Unavailable,  // Redis unreachable, timed out, or answered an error -> 503
    NotFound,     // the addressed resource does not exist -> 404
    Conflict,     // e.g. duplicate -> 409
    Forbidden,    // e.g. message claimed by another live claim -> 403
    BadRequest,   // semantic rejection decided by storage (e.g. wrong claim) -> 400
    Internal,     // stored data is unusable (e.g. a body that does not decrypt) -> 500
};

struct Error {
    ErrorKind kind = ErrorKind::Unavailable;
    std::string message;  // for logs, or a ready Zaqar description for 4xx kinds
};

template <typename T>
class Result {
  public:
    Result(T value) : data_(std::move(value)) {}
    Result(Error error) : data_(std::move(error)) {}

    bool ok() const { return data_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(data_); }
    const T& value() const { return std::get<0>(data_); }
    T* operator->() { return &value(); }
    const Error& error() const { return std::get<1>(data_); }

  private:
    std::variant<T, Error> data_;
};

struct Unit {};
using Status = Result<Unit>;

}  // namespace zaqard
