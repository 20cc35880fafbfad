// sandboxctl: the command-line interface to sandboxd.
//
//   sandboxctl run [--root DIR | --bundle DIR] [--cwd DIR] [--hostname NAME]
//                  [--bind DIR]... [--overlay=none] [--] CMD [ARGS...]
//       a one-off sandbox, like `runsc do` (or `runsc run` with --bundle,
//       where CMD defaults to the bundle's process.args). The root is
//       read-only below a tmpfs overlay unless --overlay=none.
//
//   sandboxctl [-M NAME] [-H [USER@]HOST] [--json] COMMAND ...
//       the D-Bus commands over a sandboxd instance (daemon/ctl_commands.h).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "daemon/ctl_commands.h"
#include "daemon/run_command.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace {

void Usage(FILE* out) {
  fprintf(
      out,
      "usage: sandboxctl run [--root DIR | --bundle DIR] [--cwd DIR] [--hostname NAME]\n"
      "                      [--bind DIR]... [--overlay=none] [--] CMD [ARGS...]\n"
      "\n"
      "  run   run CMD in a one-off sandbox (default root: the host's /, read-only\n"
      "        below a tmpfs overlay: writes stay in the sandbox; a tmpfs at /tmp);\n"
      "        exits with CMD's status, 128+N if killed by N.\n"
      "        --bundle DIR: an OCI bundle's config.json gives the root, mounts,\n"
      "        process (CMD defaults to its args) and hostname.\n"
      "        --bind DIR: the host directory DIR read-write at the same path.\n"
      "        --overlay=none: no overlay: the root read-only (a bundle's root with\n"
      "        root.readonly=false read-write, writes reaching it).\n"
      "\n"
      "  or: sandboxctl [-M NAME] [-H [USER@]HOST] [--json] COMMAND ... over a sandboxd\n"
      "      instance (-H: on HOST, through ssh and systemd-stdio-bridge):\n"
      "        create ID BUNDLE | start ID | kill [--all|--pid N] ID SIG\n"
      "        exec [-t] [-u UID[:GID]] [-w DIR] [-e VAR=VALUE]... ID -- CMD...\n"
      "        ps ID | list | status ID | wait ID PID | pause ID | resume ID | delete ID\n"
      "\n"
      "environment: SANDBOXD_LOG=debug|info|warn|error (default warn),\n"
      "             SANDBOXD_STRACE=1 logs every system call.\n");
}

int Run(int argc, char** argv) {
  sb::daemon::RunOptions opts;
  int i = 0;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        fprintf(stderr, "sandboxctl: %s needs a value\n", name);
        exit(125);
      }
      return argv[++i];
    };
    if (a == "--") {
      ++i;
      break;
    } else if (a == "--bundle") {
      opts.bundle = value("--bundle");
    } else if (a == "--root") {
      opts.root = value("--root");
    } else if (a == "--cwd") {
      opts.cwd = value("--cwd");
    } else if (a == "--hostname") {
      opts.hostname = value("--hostname");
    } else if (a == "--bind") {
      opts.binds.emplace_back(value("--bind"));
    } else if (a == "--overlay" || a.rfind("--overlay=", 0) == 0) {
      std::string v = a == "--overlay" ? value("--overlay") : a.substr(10);
      if (v != "none" && v != "tmpfs") {
        fprintf(stderr, "sandboxctl: --overlay must be none or tmpfs, not %s\n", v.c_str());
        return 125;
      }
      opts.overlay = v == "tmpfs";
    } else if (a == "-h" || a == "--help") {
      Usage(stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      fprintf(stderr, "sandboxctl: unknown option %s\n", a.c_str());
      return 125;
    } else {
      break;
    }
  }
  for (; i < argc; ++i) opts.argv.emplace_back(argv[i]);
  if (opts.argv.empty() && opts.bundle.empty()) {
    Usage(stderr);
    return 125;
  }
  return sb::daemon::RunSandbox(opts);
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("sandboxd");
  logger->set_pattern("sandboxd: %l: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
  if (const char* lvl = getenv("SANDBOXD_LOG")) spdlog::set_level(spdlog::level::from_str(lvl));
  if (argc < 2) {
    Usage(stderr);
    return 125;
  }
  std::string cmd = argv[1];
  if (cmd == "run") return Run(argc - 2, argv + 2);
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    Usage(stdout);
    return 0;
  }
  return sb::daemon::RunCtlCommand(argc - 1, argv + 1);
}
