// Expected failures travel as values (STYLE.md, error tier 1): a Result holds either a value
// or an Error whose message is ready to show the user and whose code is the sysexits status
// a program should exit with if the failure ends it.
#pragma once

#include <sysexits.h>

#include <string>
#include <utility>
#include <variant>

namespace nullrelay {

struct Error {
    int exit_code = EX_SOFTWARE;
    std::string message;
};

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

// For operations that produce nothing but may fail.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
    return Ok{};
}

}  // namespace nullrelay
