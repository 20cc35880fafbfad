#include "daemon/ctl_commands.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "daemon/ids.h"
#include "dbus/org.sandboxd.Container_proxy.h"
#include "dbus/org.sandboxd.Manager_proxy.h"
#include "nlohmann/json.hpp"

namespace sb::daemon {
namespace {

using nlohmann::json;

class ManagerProxy final : public sdbus::ProxyInterfaces<org::sandboxd::Manager_proxy> {
 public:
  ManagerProxy(sdbus::IConnection& conn, std::string dest)
      : ProxyInterfaces(conn, std::move(dest), kManagerPath) {
    registerProxy();
  }
  ~ManagerProxy() { unregisterProxy(); }
};

class ContainerProxy final : public sdbus::ProxyInterfaces<org::sandboxd::Container_proxy> {
 public:
  ContainerProxy(sdbus::IConnection& conn, std::string dest, std::string path)
      : ProxyInterfaces(conn, std::move(dest), std::move(path)) {
    registerProxy();
  }
  ~ContainerProxy() { unregisterProxy(); }
  int32_t WaitForever(uint32_t pid) {
    int32_t status = 0;
    getProxy()
        .callMethod("Wait")
        .onInterface(INTERFACE_NAME)
        .withTimeout(std::chrono::hours(24 * 365))
        .withArguments(pid)
        .storeResultsTo(status);
    return status;
  }

 private:
  void onProcessExited(const uint32_t&, const int32_t&) override {}
  void onStateChanged(const std::string&) override {}
};

constexpr int kFailure = 1;

int Fail(const std::string& msg) {
  fprintf(stderr, "sandboxctl: %s\n", msg.c_str());
  return kFailure;
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kFailure;
}

// "TERM", "SIGTERM" or "15".
int ParseSignal(const std::string& s) {
  int n;
  if (absl::SimpleAtoi(s, &n)) return n;
  std::string name = s.rfind("SIG", 0) == 0 ? s.substr(3) : s;
  for (int i = 1; i < NSIG; ++i) {
    const char* abbrev = sigabbrev_np(i);
    if (abbrev != nullptr && name == abbrev) return i;
  }
  return -1;
}

struct Ctx {
  std::string instance = "default";
  std::string host;  // -H [user@]host: the instance on another machine, over ssh
  bool json = false;
  std::unique_ptr<sdbus::IConnection> conn;
  std::string dest;
  ContainerProxy Container(const std::string& id) {
    return ContainerProxy(*conn, dest, ContainerPath(id));
  }
};

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    width.resize(std::max(width.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    printf("%s\n", line.c_str());
  }
}

int Need(const std::vector<std::string>& args, size_t n, const char* usage) {
  if (args.size() != n) return Fail(absl::StrCat("usage: sandboxctl ", usage));
  return 0;
}

int Dispatch(Ctx& ctx, const std::string& cmd, std::vector<std::string> args) {
  ManagerProxy mgr(*ctx.conn, ctx.dest);
  if (cmd == "list") {
    if (int r = Need(args, 0, "list")) return r;
    auto list = mgr.ListContainers();
    if (ctx.json) {
      json out = json::array();
      for (const auto& c : list) {
        out.push_back({{"id", c.get<0>()},
                       {"state", c.get<1>()},
                       {"init_pid", c.get<2>()},
                       {"path", std::string(c.get<3>())}});
      }
      printf("%s\n", out.dump().c_str());
    } else {
      std::vector<std::vector<std::string>> rows = {{"ID", "STATE", "INIT-PID"}};
      for (const auto& c : list) rows.push_back({c.get<0>(), c.get<1>(), absl::StrCat(c.get<2>())});
      PrintTable(rows);
    }
    return 0;
  }
  if (cmd == "create") {
    if (int r = Need(args, 2, "create ID BUNDLE")) return r;
    std::string bundle = args[1];
    if (!bundle.empty() && bundle[0] != '/') {
      char cwd[4096];
      if (getcwd(cwd, sizeof(cwd)) != nullptr) bundle = absl::StrCat(cwd, "/", bundle);
    }
    auto path = mgr.CreateContainer(args[0], bundle, {});
    if (ctx.json)
      printf("%s\n", json({{"id", args[0]}, {"path", std::string(path)}}).dump().c_str());
    return 0;
  }
  if (cmd == "exec") {
    constexpr char kUsage[] =
        "usage: sandboxctl exec [-t] [-u UID[:GID]] [-w DIR] [-e VAR=VALUE]... ID -- CMD...";
    bool tty = false;
    std::string user, cwd;
    std::vector<std::string> env;
    while (!args.empty() && args[0].size() == 2 && args[0][0] == '-' && args[0] != "--") {
      const std::string opt = args[0];
      if (opt == "-t") {
        tty = true;
        args.erase(args.begin());
        continue;
      }
      if (args.size() < 2 || (opt != "-u" && opt != "-w" && opt != "-e")) return Fail(kUsage);
      (opt == "-u" ? user : opt == "-w" ? cwd : env.emplace_back()) = args[1];
      args.erase(args.begin(), args.begin() + 2);
    }
    if (args.size() < 3 || args[1] != "--") return Fail(kUsage);
    std::vector<std::string> argv(args.begin() + 2, args.end());
    std::vector<sdbus::UnixFd> stdio = {sdbus::UnixFd(0), sdbus::UnixFd(1), sdbus::UnixFd(2)};
    std::map<std::string, sdbus::Variant> opts;
    if (tty) opts["terminal"] = sdbus::Variant(true);
    auto c = ctx.Container(args[0]);
    uint32_t pid = c.Exec(argv, env, cwd, user, stdio, opts);
    stdio.clear();
    return ExitCodeOf(c.WaitForever(pid));
  }
  if (cmd == "kill") {
    std::string scope = "process";
    uint32_t pid = 0;
    while (!args.empty() && args[0].rfind("--", 0) == 0) {
      if (args[0] == "--all") {
        scope = "all";
        args.erase(args.begin());
      } else if (args[0] == "--pid" && args.size() > 1 && absl::SimpleAtoi(args[1], &pid)) {
        args.erase(args.begin(), args.begin() + 2);
      } else {
        return Fail("usage: sandboxctl kill [--all|--pid N] ID SIGNAL");
      }
    }
    if (int r = Need(args, 2, "kill [--all|--pid N] ID SIGNAL")) return r;
    int sig = ParseSignal(args[1]);
    if (sig < 0) return Fail(absl::StrCat("unknown signal ", args[1]));
    ctx.Container(args[0]).Signal(sig, pid, scope);
    return 0;
  }
  if (cmd == "wait") {
    uint32_t pid;
    if (args.size() != 2 || !absl::SimpleAtoi(args[1], &pid)) {
      return Fail("usage: sandboxctl wait ID PID");
    }
    int status = ctx.Container(args[0]).WaitForever(pid);
    if (ctx.json) printf("%s\n", json({{"pid", pid}, {"status", status}}).dump().c_str());
    return ExitCodeOf(status);
  }
  if (args.size() != 1) return Fail(absl::StrCat("usage: sandboxctl ", cmd, " ID"));
  auto c = ctx.Container(args[0]);
  if (cmd == "start") {
    c.Start();
  } else if (cmd == "pause") {
    c.Pause();
  } else if (cmd == "resume") {
    c.Resume();
  } else if (cmd == "delete") {
    c.Delete();
  } else if (cmd == "ps") {
    auto procs = c.ListProcesses();
    if (ctx.json) {
      json out = json::array();
      for (const auto& p : procs) {
        out.push_back({{"pid", p.get<0>()},
                       {"ppid", p.get<1>()},
                       {"uid", p.get<2>()},
                       {"state", p.get<3>()},
                       {"cmdline", p.get<4>()}});
      }
      printf("%s\n", out.dump().c_str());
    } else {
      std::vector<std::vector<std::string>> rows = {{"PID", "PPID", "UID", "STATE", "COMMAND"}};
      for (const auto& p : procs) {
        rows.push_back({absl::StrCat(p.get<0>()), absl::StrCat(p.get<1>()),
                        absl::StrCat(p.get<2>()), p.get<3>(), p.get<4>()});
      }
      PrintTable(rows);
    }
  } else if (cmd == "status") {
    mgr.GetContainer(args[0]);  // NotFound with a clear message
    json out = {{"id", c.Id()},
                {"state", c.State()},
                {"init_pid", c.InitPid()},
                {"bundle", c.Bundle()},
                {"created_at_usec", c.CreatedAt()}};
    if (ctx.json) {
      printf("%s\n", out.dump().c_str());
    } else {
      PrintTable({{"Id:", c.Id()},
                  {"State:", c.State()},
                  {"InitPid:", absl::StrCat(c.InitPid())},
                  {"Bundle:", c.Bundle()},
                  {"CreatedAt:", absl::StrCat(c.CreatedAt(), " (usec since epoch)")}});
    }
  } else {
    return Fail(absl::StrCat("unknown command ", cmd, " (see sandboxctl --help)"));
  }
  return 0;
}

}  // namespace

int RunCtlCommand(int argc, char** argv) {
  Ctx ctx;
  int i = 0;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-M" || a == "-H") {
      if (i + 1 >= argc) return Fail(absl::StrCat(a, " needs a value"));
      (a == "-M" ? ctx.instance : ctx.host) = argv[++i];
      if (a == "-H" && (ctx.host.empty() || ctx.host[0] == '-')) {
        return Fail(absl::StrCat("-H \"", ctx.host, "\" is not [USER@]HOST"));
      }
    } else if (a == "--json") {
      ctx.json = true;
    } else {
      break;
    }
  }
  if (i >= argc) return Fail("no command given (see sandboxctl --help)");
  if (auto s = ValidateInstanceName(ctx.instance); !s.ok()) return Fail(std::string(s.message()));
  std::string cmd = argv[i++];
  std::vector<std::string> args(argv + i, argv + argc);
  try {
    // -H: sd-bus runs `ssh -xT [USER@]HOST systemd-stdio-bridge` and talks
    // to that host's system bus through it (as machinectl -H).
    ctx.conn = ctx.host.empty() ? sdbus::createSystemBusConnection()
                                : sdbus::createRemoteSystemBusConnection(ctx.host);
    ctx.dest = BusName(ctx.instance);
    return Dispatch(ctx, cmd, std::move(args));
  } catch (const sdbus::Error& e) {
    if (!ctx.host.empty() && e.getName().rfind("System.Error.", 0) == 0) {
      return Fail(absl::StrCat("cannot reach the system bus of ", ctx.host,
                               " over ssh (it needs sshd and systemd-stdio-bridge there; ssh's "
                               "own message is above): ",
                               e.getName(), ": ", e.getMessage()));
    }
    return Fail(absl::StrCat(e.getName(), ": ", e.getMessage()));
  }
}

}  // namespace sb::daemon
