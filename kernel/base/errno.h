// errno.h: typed Linux errors for the kernel and fs layers.
//
// `Errno` wraps a positive Linux errno value; `ErrnoOr<T>` holds a T or an
// Errno. Inside the syscall layer errors travel as these values and are
// propagated with SB_TRY / SB_ASSIGN_OR_RETURN; only the syscall dispatcher
// turns an Errno into a negative return value for the program.
//
// Kernel-internal restart codes (ERESTARTSYS and friends, abi.h) are Errnos
// too; they never reach the program (resolved at signal delivery).
#pragma once

#include <cerrno>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"

namespace sb {

class [[nodiscard]] Errno {
 public:
  constexpr explicit Errno(int value) : value_(value) {}
  constexpr int value() const { return value_; }
  constexpr bool operator==(const Errno&) const = default;
  // The errno's symbolic name, e.g. "ENOENT".
  std::string Name() const;

 private:
  int value_;
};

// ErrnoOr<T>: a T, or the Errno explaining why there is none.
template <class T>
class [[nodiscard]] ErrnoOr {
 public:
  ErrnoOr(Errno e) : v_(e) {}  // NOLINT: implicit, so `return Errno(EINVAL);` works.
  template <class U = T, class = std::enable_if_t<std::is_constructible_v<T, U&&>>>
  ErrnoOr(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  Errno error() const { return std::get<1>(v_); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Errno> v_;
};

template <>
class [[nodiscard]] ErrnoOr<void> {
 public:
  ErrnoOr() = default;
  ErrnoOr(Errno e) : ok_(false), e_(e) {}  // NOLINT
  bool ok() const { return ok_; }
  Errno error() const { return e_; }

 private:
  bool ok_ = true;
  Errno e_{0};
};

using ErrnoStatus = ErrnoOr<void>;
inline ErrnoStatus Ok() { return {}; }

// Errno -> absl::Status at a seam (daemon, config, checkpoint).
absl::Status ErrnoToStatus(Errno e, std::string_view context);

// Current host errno as an Errno.
inline Errno HostErrno() { return Errno(errno); }

namespace errno_internal {
template <class T>
Errno ErrorOf(const ErrnoOr<T>& r) {
  return r.error();
}
inline Errno ErrorOf(Errno e) { return e; }
}  // namespace errno_internal

}  // namespace sb

#define SB_CONCAT_INNER_(a, b) a##b
#define SB_CONCAT_(a, b) SB_CONCAT_INNER_(a, b)

// SB_TRY(expr): evaluates an ErrnoOr<...>; returns its Errno on failure.
#define SB_TRY(expr)                                                      \
  do {                                                                    \
    auto&& sb_try_result_ = (expr);                                       \
    if (!sb_try_result_.ok()) return ::sb::Errno(sb_try_result_.error()); \
  } while (0)

// SB_ASSIGN_OR_RETURN(lhs, expr): lhs = value of expr, or return its Errno.
#define SB_ASSIGN_OR_RETURN(lhs, expr) \
  SB_ASSIGN_OR_RETURN_IMPL_(SB_CONCAT_(sb_aor_, __LINE__), lhs, expr)
#define SB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return ::sb::Errno(tmp.error()); \
  lhs = std::move(tmp).value()
