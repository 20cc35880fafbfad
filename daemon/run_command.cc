#include "daemon/run_command.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "daemon/program_path.h"
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "kernel/procfs/procfs.h"

extern char** environ;

namespace sb::daemon {
namespace {

constexpr int kSandboxFailed = 125;
constexpr int kCannotExecute = 126;
constexpr int kNotFound = 127;

void Fail(const std::string& msg) { fprintf(stderr, "sandboxctl: %s\n", msg.c_str()); }

// Bind-mounts host directory `dir` at the same path, creating the mount
// point (and its parents) where the sandbox can.
absl::Status BindHostDirectory(fs::MountNamespace& ns, const std::string& dir) {
  char real[PATH_MAX];
  if (realpath(dir.c_str(), real) == nullptr) return absl::NotFoundError(strerror(errno));
  struct stat st;
  if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError("not a directory");
  }
  Credentials root = Credentials::Root();
  fs::FsContext ctx{root, ns.Root(), ns.Root(), 0};
  std::string path;
  for (absl::string_view part : absl::StrSplit(real, '/', absl::SkipEmpty())) {
    absl::StrAppend(&path, "/", part);
    auto r = ns.MkdirAt(ctx, ctx.root, path, 0755);
    if (!r.ok() && r.error().value() != EEXIST) {
      return ErrnoToStatus(r.error(), absl::StrCat("creating the mount point ", path));
    }
  }
  return ns.MountHostDirectory(real, real, fs::MountOptions{});
}

}  // namespace

int RunSandbox(const RunOptions& opts) {
  if (opts.argv.empty()) {
    Fail("no command given");
    return kSandboxFailed;
  }
  struct stat root_st;
  if (stat(opts.root.c_str(), &root_st) != 0 || !S_ISDIR(root_st.st_mode) ||
      access(opts.root.c_str(), R_OK | X_OK) != 0) {
    Fail(absl::StrCat("cannot use root ", opts.root, ": ",
                      errno ? strerror(errno) : "not a directory"));
    return kSandboxFailed;
  }
  fs::MountOptions ro;
  ro.read_only = true;
  auto ns = fs::NewHostRootedNamespace(opts.root, ro);
  if (!ns.ok()) {
    Fail(absl::StrCat("cannot open root ", opts.root, ": ", ns.status().message()));
    return kSandboxFailed;
  }
  // A writable /tmp and our own /dev, where the root has those directories.
  if (auto s = (*ns)->MountFilesystem("/tmp", "tmpfs", "mode=1777", {}); !s.ok()) {
    if (!absl::IsNotFound(s)) Fail(absl::StrCat("mounting /tmp: ", s.message()));
  }
  if (auto s = (*ns)->MountFilesystem("/dev", "devtmpfs", "mode=755", {}); !s.ok()) {
    if (!absl::IsNotFound(s)) Fail(absl::StrCat("mounting /dev: ", s.message()));
  } else {
    // POSIX shared memory (shm_open, multiprocessing) lives in /dev/shm.
    Credentials root = Credentials::Root();
    fs::FsContext ctx{root, (*ns)->Root(), (*ns)->Root(), 0};
    if ((*ns)->MkdirAt(ctx, ctx.root, "/dev/shm", 01777).ok()) {
      if (auto m = (*ns)->MountFilesystem("/dev/shm", "tmpfs", "mode=1777", {}); !m.ok()) {
        Fail(absl::StrCat("mounting /dev/shm: ", m.message()));
      }
    }
  }

  for (const std::string& dir : opts.binds) {
    if (auto s = BindHostDirectory(**ns, dir); !s.ok()) {
      Fail(absl::StrCat("cannot bind ", dir, ": ", s.message()));
      return kSandboxFailed;
    }
  }

  kernel::KernelOptions kopts;
  kopts.hostname = opts.hostname;
  auto k = kernel::Kernel::Create(kopts);
  if (!k.ok()) {
    Fail(absl::StrCat("cannot start the kernel: ", k.status().message()));
    return kSandboxFailed;
  }

  // /proc for the kernel's root PID namespace, where the process starts.
  if (auto s = kernel::MountProcfs(**k, **ns, (*k)->root_pid_namespace()); !s.ok()) {
    if (!absl::IsNotFound(s)) Fail(absl::StrCat("mounting /proc: ", s.message()));
  }

  kernel::ProcessSpec spec;
  spec.argv = opts.argv;
  for (char** e = environ; *e != nullptr; ++e) spec.envp.emplace_back(*e);
  spec.mount_namespace = *ns;
  spec.filename = ResolveProgram(**ns, opts.argv[0], spec.envp);
  if (spec.filename.empty()) {
    Fail(absl::StrCat(opts.argv[0], ": command not found in the sandbox"));
    return kNotFound;
  }
  spec.cwd = opts.cwd;
  if (spec.cwd.empty()) {
    char buf[4096];
    spec.cwd = "/";
    if (opts.root == "/" && getcwd(buf, sizeof(buf)) != nullptr) spec.cwd = buf;
  }
  for (int i = 0; i < 3; ++i) spec.stdio[i] = UniqueFd(fcntl(i, F_DUPFD_CLOEXEC, 3));
  spec.creds.ruid = spec.creds.euid = spec.creds.suid = spec.creds.fsuid = getuid();
  spec.creds.rgid = spec.creds.egid = spec.creds.sgid = spec.creds.fsgid = getgid();

  auto tg = (*k)->CreateProcess(std::move(spec));
  if (!tg.ok() && absl::IsNotFound(tg.status()) && spec.cwd != "/") {
    Fail(std::string(tg.status().message()));
    return kNotFound;
  }
  if (!tg.ok()) {
    Fail(std::string(tg.status().message()));
    return absl::IsNotFound(tg.status()) ? kNotFound : kCannotExecute;
  }
  int status = (*k)->WaitForExit(*tg);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kSandboxFailed;
}

}  // namespace sb::daemon
