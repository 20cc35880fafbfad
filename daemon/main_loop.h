// main_loop.h: sandboxd's single bus thread. Polls the bus connection,
// SIGTERM/SIGINT (signalfd) and closures posted from other threads, and
// pets the systemd watchdog. All sd-bus work happens on this thread.
#pragma once

#include <functional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kernel/base/unique_fd.h"
#include "sdbus-c++/IConnection.h"

namespace sb::daemon {

class MainLoop {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (call before starting threads).
  MainLoop();
  // Runs `fn` on the loop thread. Any thread.
  void Post(std::function<void()> fn) ABSL_LOCKS_EXCLUDED(mu_);
  // Loop thread: makes Run return.
  void Stop() { stop_ = true; }
  // Serves `conn` until SIGTERM/SIGINT or Stop; `watchdog` zero disables petting.
  void Run(sdbus::IConnection& conn, absl::Duration watchdog) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void RunPosted() ABSL_LOCKS_EXCLUDED(mu_);
  UniqueFd signal_fd_, event_fd_;
  bool stop_ = false;
  absl::Mutex mu_;
  std::vector<std::function<void()>> posted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sb::daemon
