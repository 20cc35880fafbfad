// netstack/endpoint.h: the socket-facing API of the netstack.
//
// An Endpoint is what the kernel's socket file description wraps: TCP and
// UDP endpoints implement it. Every call is non-blocking and returns Error
// (kWouldBlock, kInProgress, ...); the kernel blocks the calling task by
// registering a waiter and waiting for Readiness() to change, and translates
// Error to errno. Endpoints are shared: the kernel holds one reference, and
// the Stack holds another while the endpoint is bound, connected, or still
// closing (FIN_WAIT, TIME_WAIT) after Close().
//
// Lifetime: the Stack that created an endpoint must outlive it.
// Locking: see the lock order in netstack/stack.h. Waiter callbacks run
// with no netstack lock held, so they may call back into the endpoint.
#ifndef SB_NETSTACK_ENDPOINT_H_
#define SB_NETSTACK_ENDPOINT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "netstack/address.h"
#include "netstack/buffer.h"
#include "netstack/error.h"

namespace sb::netstack {

// Readiness bits. Values equal Linux's poll bits so the kernel can pass them
// through unchanged.
inline constexpr uint32_t kEventReadable = 0x0001;    // POLLIN
inline constexpr uint32_t kEventWritable = 0x0004;    // POLLOUT
inline constexpr uint32_t kEventError = 0x0008;       // POLLERR
inline constexpr uint32_t kEventHangup = 0x0010;      // POLLHUP
inline constexpr uint32_t kEventReadHangup = 0x2000;  // POLLRDHUP

enum class Transport { kTcp, kUdp };

enum class ShutdownHow { kRead = 1, kWrite = 2, kBoth = 3 };

// Socket options the netstack understands. Integer-valued; booleans are 0/1;
// durations are in seconds like the Linux options they mirror.
enum class SocketOption {
  kReuseAddress,       // SO_REUSEADDR
  kReusePort,          // SO_REUSEPORT
  kKeepAlive,          // SO_KEEPALIVE
  kSendBufferSize,     // SO_SNDBUF
  kReceiveBufferSize,  // SO_RCVBUF
  kError,              // SO_ERROR (get only; reading clears it)
  kTtl,                // IP_TTL
  kNoDelay,            // TCP_NODELAY
  kCork,               // TCP_CORK
  kQuickAck,           // TCP_QUICKACK (1: no delayed ACKs)
  kKeepIdle,           // TCP_KEEPIDLE (seconds)
  kKeepInterval,       // TCP_KEEPINTVL (seconds)
  kKeepCount,          // TCP_KEEPCNT
  kMaxSegment,         // TCP_MAXSEG (get)
  kCongestion,         // TCP_CONGESTION, as a CongestionAlgorithm value
  kV6Only,             // IPV6_V6ONLY (IPv6 endpoints; set before bind)
};

struct SendOptions {
  std::optional<FullAddress> to;  // sendto() destination (UDP)
  bool more = false;              // MSG_MORE: like a one-call TCP_CORK
};

struct RecvOptions {
  bool peek = false;  // MSG_PEEK
  // Datagram endpoints store the datagram's full length here (MSG_TRUNC).
  size_t* message_length = nullptr;
};

// What checkpointing keeps of an endpoint that is unbound, bound, listening
// or (UDP) connected: enough for Stack::RestoreEndpoint to rebuild it. The
// kernel turns it into its protobuf message. Not saved: queued data
// (received datagrams, unaccepted connections: peers retry) and TCP
// connections past LISTEN, for which Snapshot() returns kNotSupported.
struct EndpointSnapshot {
  Transport transport = Transport::kTcp;
  Family family = Family::kV4;
  bool bound = false;
  FullAddress local;
  bool listening = false;             // TCP
  int backlog = 0;                    // TCP, when listening
  std::optional<FullAddress> remote;  // UDP connect() peer
  bool shut_read = false;             // UDP shutdown state
  bool shut_write = false;
  std::vector<std::pair<SocketOption, int>> options;  // in the order to apply
};

using WaiterId = uint64_t;
using WaiterCallback = std::function<void(uint32_t events)>;

class Endpoint : public std::enable_shared_from_this<Endpoint> {
 public:
  virtual ~Endpoint() = default;
  virtual Transport transport() const = 0;

  virtual Error Bind(const FullAddress& addr) = 0;
  virtual Error Listen(int backlog) = 0;
  // Returns an established connection, or kWouldBlock. `peer` may be null.
  virtual Result<std::shared_ptr<Endpoint>> Accept(FullAddress* peer) = 0;
  // TCP: returns kInProgress, then completes in the background; readiness
  // turns writable (success) or error. UDP: sets the default peer.
  virtual Error Connect(const FullAddress& addr) = 0;
  // Returns the bytes accepted (TCP may accept fewer than given).
  virtual Result<size_t> Send(View data, const SendOptions& opts) = 0;
  // Returns the bytes copied; 0 means end of stream (TCP). `from` may be null.
  virtual Result<size_t> Recv(absl::Span<uint8_t> out, const RecvOptions& opts,
                              FullAddress* from) = 0;
  virtual Error Shutdown(ShutdownHow how) = 0;
  // Releases the user's hold. TCP goes on closing in the background.
  virtual void Close() = 0;
  virtual Result<FullAddress> GetLocalAddress() = 0;
  virtual Result<FullAddress> GetRemoteAddress() = 0;
  virtual Error SetOption(SocketOption opt, int value) = 0;
  virtual Result<int> GetOption(SocketOption opt) = 0;
  // The subset of kEvent* bits that currently hold.
  virtual uint32_t Readiness() = 0;
  // See EndpointSnapshot.
  virtual Result<EndpointSnapshot> Snapshot() = 0;

  // Registers `cb` to run (with no netstack lock held) when any of `mask`
  // may have changed. Spurious calls are allowed; callers re-check Readiness.
  // An opaque value the owner attaches (the kernel: the socket's inode
  // number, for /proc/net). Stack::Sockets() reports it.
  void set_tag(uint64_t tag) { tag_.store(tag, std::memory_order_relaxed); }
  uint64_t tag() const { return tag_.load(std::memory_order_relaxed); }

  WaiterId AddWaiter(uint32_t mask, WaiterCallback cb) ABSL_LOCKS_EXCLUDED(waiters_mu_);
  void RemoveWaiter(WaiterId id) ABSL_LOCKS_EXCLUDED(waiters_mu_);
  // Runs the callbacks interested in `events`. Called by Stack with no
  // netstack lock held.
  void NotifyWaiters(uint32_t events) ABSL_LOCKS_EXCLUDED(waiters_mu_);

 private:
  struct Waiter {
    uint32_t mask;
    std::shared_ptr<WaiterCallback> cb;
  };
  std::atomic<uint64_t> tag_{0};
  absl::Mutex waiters_mu_;  // leaf lock
  WaiterId next_waiter_ ABSL_GUARDED_BY(waiters_mu_) = 1;
  std::map<WaiterId, Waiter> waiters_ ABSL_GUARDED_BY(waiters_mu_);
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_ENDPOINT_H_
