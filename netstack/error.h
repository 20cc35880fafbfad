// netstack/error.h: the netstack's own error enum and a small Result<T>.
//
// netstack depends on nothing else of ours, so it does not use errno. The
// kernel's socket layer translates Error to an errno (as gVisor's
// syserr.TranslateNetstackError does). Every public netstack call that can fail
// returns Error or Result<T>.
#ifndef SB_NETSTACK_ERROR_H_
#define SB_NETSTACK_ERROR_H_

#include <string_view>
#include <utility>
#include <variant>

namespace sb::netstack {

enum class [[nodiscard]] Error{
    kOk = 0,
    kWouldBlock,            // EAGAIN
    kInProgress,            // EINPROGRESS (non-blocking connect started)
    kAlreadyConnecting,     // EALREADY
    kAlreadyConnected,      // EISCONN
    kAlreadyBound,          // EINVAL (bind twice)
    kNotConnected,          // ENOTCONN
    kConnectionRefused,     // ECONNREFUSED
    kConnectionReset,       // ECONNRESET
    kConnectionAborted,     // ECONNABORTED
    kTimedOut,              // ETIMEDOUT
    kAddressInUse,          // EADDRINUSE
    kAddressNotAvailable,   // EADDRNOTAVAIL
    kNetworkUnreachable,    // ENETUNREACH
    kHostUnreachable,       // EHOSTUNREACH
    kInvalidArgument,       // EINVAL
    kInvalidEndpointState,  // EINVAL (e.g. listen on a connected socket)
    kNotSupported,          // EOPNOTSUPP
    kUnknownOption,         // ENOPROTOOPT
    kMessageTooLong,        // EMSGSIZE
    kDestinationRequired,   // EDESTADDRREQ
    kClosedForSend,         // EPIPE
    kClosedForReceive,      // (recv after SHUT_RD: returns 0)
    kNoBufferSpace,         // ENOBUFS
    kBadAddress,            // EAFNOSUPPORT for a family mismatch
    kMalformedPacket,       // internal: dropped input
};

std::string_view ErrorName(Error e);

// Either a T or a non-kOk Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(e) {}                 // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  Error error() const { return ok() ? Error::kOk : std::get<Error>(v_); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_ERROR_H_
