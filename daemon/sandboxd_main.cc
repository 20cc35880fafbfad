// sandboxd: the service. One instance (--name NAME) is one kernel with many
// containers, served on the system bus as org.sandboxd.Instance.NAME
// (daemon/ids.h). Config: /etc/sandboxd/NAME.conf (daemon/config.h).
//
//   sandboxd --name NAME [--config FILE]
//
// The bus is the system bus (DBUS_SYSTEM_BUS_ADDRESS overrides it, as the
// tests do). Under systemd: READY=1 once the name is owned, STATUS= lines,
// WATCHDOG=1 when WATCHDOG_USEC is set, STOPPING=1 on SIGTERM; logs go to
// the journal (stderr otherwise), prefixed with "[ID]" for a container.
#include <grp.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "daemon/config.h"
#include "daemon/control_server.h"
#include "daemon/ids.h"
#include "daemon/main_loop.h"
#include "dbus/manager_adaptor.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/sinks/systemd_sink.h"
#include "spdlog/spdlog.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

void Usage(FILE* out) {
  fprintf(out,
          "usage: sandboxd --name NAME [--config FILE]\n"
          "  NAME: [A-Za-z_][A-Za-z0-9_-]{0,63}; the instance owns org.sandboxd.Instance.NAME\n"
          "  FILE: default /etc/sandboxd/NAME.conf (defaults when it does not exist)\n");
}

void SetUpLogging() {
  // Under systemd (JOURNAL_STREAM set for our stderr) log to the journal.
  if (getenv("JOURNAL_STREAM") != nullptr) {
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("sandboxd");
    auto logger = std::make_shared<spdlog::logger>("sandboxd", sink);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  } else {
    auto logger = spdlog::stderr_color_mt("sandboxd");
    logger->set_pattern("sandboxd: %l: %v");
    spdlog::set_default_logger(logger);
  }
}

void Status(const std::string& s) {
  sd_notify(0, absl::StrCat("STATUS=", s).c_str());
  spdlog::info("{}", s);
}

}  // namespace

int main(int argc, char** argv) {
  SetUpLogging();
  std::string name, config_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--name" || a == "--config") && i + 1 < argc) {
      (a == "--name" ? name : config_path) = argv[++i];
    } else if (a == "-h" || a == "--help") {
      Usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "sandboxd: unknown argument %s\n", a.c_str());
      Usage(stderr);
      return kExitUsage;
    }
  }
  if (name.empty()) {
    Usage(stderr);
    return kExitUsage;
  }
  if (auto s = sb::daemon::ValidateInstanceName(name); !s.ok()) {
    spdlog::error("{}", std::string(s.message()));
    return kExitUsage;
  }
  if (config_path.empty()) config_path = absl::StrCat("/etc/sandboxd/", name, ".conf");
  auto cfg = sb::daemon::LoadConfig(config_path);
  if (!cfg.ok()) {
    spdlog::error("refusing the configuration: {}", std::string(cfg.status().message()));
    return kExitFailure;
  }
  spdlog::set_level(spdlog::level::from_str(cfg->log_level));

  sb::dbus::AccessPolicy policy;
  if (!cfg->admin_group.empty()) {
    struct group* gr = getgrnam(cfg->admin_group.c_str());
    if (gr == nullptr) {
      spdlog::error("{}: admin_group \"{}\" does not exist", config_path, cfg->admin_group);
      return kExitFailure;
    }
    policy.admin_gid = gr->gr_gid;
  }

  sb::daemon::MainLoop loop;  // blocks SIGTERM/SIGINT before any thread starts
  sb::daemon::ControlServer::Options opts;
  opts.hostname = cfg->hostname;
  opts.max_containers = cfg->max_containers;
  auto core = sb::daemon::ControlServer::Create(opts);
  if (!core.ok()) {
    spdlog::error("cannot start the kernel: {}", std::string(core.status().message()));
    return kExitFailure;
  }

  const std::string bus_name = sb::daemon::BusName(name);
  std::unique_ptr<sdbus::IConnection> conn;
  try {
    conn = sdbus::createSystemBusConnection();
  } catch (const sdbus::Error& e) {
    spdlog::error("cannot connect to the system bus: {}", e.getMessage());
    return kExitFailure;
  }
  auto post = [&loop](std::function<void()> fn) { loop.Post(std::move(fn)); };
  {
    sb::dbus::ManagerAdaptor manager(*conn, **core, policy, post, [&loop] { loop.Stop(); });
    (*core)->set_observer(&manager);
    try {
      conn->requestName(bus_name);
    } catch (const sdbus::Error& e) {
      spdlog::error(
          "cannot own {}: {} (is another instance running? does the bus policy "
          "dbus/org.sandboxd.conf allow it?)",
          bus_name, e.getMessage());
      (*core)->set_observer(nullptr);
      return kExitFailure;
    }
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) <= 0) watchdog_usec = 0;
    sd_notify(0, "READY=1");
    Status(absl::StrCat("serving ", bus_name));
    loop.Run(*conn, absl::Microseconds(watchdog_usec));

    sd_notify(0, "STOPPING=1");
    Status("stopping every container");
    // The bus thread stops serving; keep petting the watchdog meanwhile.
    (*core)->StopAll(cfg->stop_timeout);
    (*core)->set_observer(nullptr);
  }
  core->reset();
  Status("stopped");
  return 0;
}
