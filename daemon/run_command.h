// run_command.h: `sandboxctl run`: a one-off sandbox, like `runsc do`.
//
// Builds a kernel with a mount namespace over a host directory (by
// default the host's /, read-only below a tmpfs overlay, so programs may
// write anywhere and nothing reaches the host; with a tmpfs at /tmp, our
// /dev and /proc) or from an OCI bundle, runs one
// program in it with the caller's stdio, and returns the program's exit
// status (128+signal if it was killed).
#pragma once

#include <string>
#include <vector>

namespace sb::daemon {

struct RunOptions {
  // An OCI bundle (`--bundle DIR`): its config.json gives the root, mounts,
  // process (args unless a command is given, env, cwd, user) and hostname.
  std::string bundle;
  std::string root = "/";
  std::string cwd;  // empty: the caller's cwd if it exists in the root, else /
  std::string hostname = "sandbox";
  // Host directories bind-mounted read-write at the same path inside
  // (`--bind DIR`), mount points created as needed.
  std::vector<std::string> binds;
  // `--overlay=none`: no overlay. Without a bundle the root is then the
  // host directory read-only (writes fail EROFS); with a bundle whose
  // root.readonly is false, the bundle's root read-write (writes reach
  // it), as the annotation dev.sandboxd.overlay="none" does.
  bool overlay = true;
  std::vector<std::string> argv;
};

// Returns the exit status for sandboxctl (125 when the sandbox itself
// failed, 126/127 when the program cannot be executed or found, as shells do).
int RunSandbox(const RunOptions& opts);

}  // namespace sb::daemon
