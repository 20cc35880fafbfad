#include "daemon/main_loop.h"

#include "sdbus-c++/Error.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "spdlog/spdlog.h"

namespace sb::daemon {

MainLoop::MainLoop() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_fd_ = UniqueFd(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  event_fd_ = UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

void MainLoop::Post(std::function<void()> fn) {
  {
    absl::MutexLock lock(&mu_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  (void)!write(event_fd_.get(), &one, sizeof(one));
}

void MainLoop::RunPosted() {
  std::vector<std::function<void()>> fns;
  {
    absl::MutexLock lock(&mu_);
    fns.swap(posted_);
  }
  for (auto& fn : fns) {
    // A signal about an object being torn down may fail; the loop goes on.
    try {
      fn();
    } catch (const sdbus::Error& e) {
      spdlog::warn("posted bus work failed: {}: {}", e.getName(), e.getMessage());
    }
  }
}

void MainLoop::Run(sdbus::IConnection& conn, absl::Duration watchdog) {
  const absl::Duration pet_every = watchdog / 2;
  absl::Time next_pet = absl::Now();
  while (!stop_) {
    while (conn.processPendingRequest()) {
    }
    RunPosted();
    if (stop_) break;
    if (watchdog > absl::ZeroDuration() && absl::Now() >= next_pet) {
      sd_notify(0, "WATCHDOG=1");
      next_pet = absl::Now() + pet_every;
    }
    auto pd = conn.getEventLoopPollData();
    int timeout = pd.getPollTimeout();
    if (watchdog > absl::ZeroDuration()) {
      int to_pet =
          static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(next_pet - absl::Now())));
      timeout = timeout < 0 ? to_pet : std::min(timeout, to_pet);
    }
    struct pollfd fds[3] = {{pd.fd, static_cast<short>(pd.events), 0},
                            {signal_fd_.get(), POLLIN, 0},
                            {event_fd_.get(), POLLIN, 0}};
    if (poll(fds, 3, timeout) < 0 && errno != EINTR) {
      spdlog::error("poll: {}", strerror(errno));
      return;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(signal_fd_.get(), &si, sizeof(si)) == sizeof(si)) {
        spdlog::info("got signal {}, stopping", si.ssi_signo);
        return;
      }
    }
    if (fds[2].revents & POLLIN) {
      uint64_t n;
      (void)!read(event_fd_.get(), &n, sizeof(n));
    }
  }
}

}  // namespace sb::daemon
