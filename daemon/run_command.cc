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
#include "daemon/container_fs.h"
#include "daemon/oci_spec.h"
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

// The default namespace: a host directory read-only below a tmpfs overlay
// (or only read-only with --overlay=none), a tmpfs /tmp, our /dev with a
// tmpfs /dev/shm.
absl::StatusOr<fs::MountNamespaceRef> HostRootNamespace(const RunOptions& opts) {
  struct stat root_st;
  if (stat(opts.root.c_str(), &root_st) != 0 || !S_ISDIR(root_st.st_mode) ||
      access(opts.root.c_str(), R_OK | X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot use root ", opts.root, ": ",
                                                      errno ? strerror(errno) : "not a directory"));
  }
  OciSpec spec;
  spec.root_path = opts.root;
  spec.root_readonly = !opts.overlay;
  spec.overlay = opts.overlay;
  return BuildContainerNamespace(spec);
}

}  // namespace

// The namespace and process of `sandboxctl run --bundle`.
absl::Status FromBundle(const RunOptions& opts, OciSpec* spec, fs::MountNamespaceRef* ns) {
  char real[PATH_MAX];
  if (realpath(opts.bundle.c_str(), real) == nullptr) {
    return absl::NotFoundError(absl::StrCat("bundle ", opts.bundle, ": ", strerror(errno)));
  }
  auto s = LoadOciSpec(real);
  if (!s.ok()) return s.status();
  if (!opts.overlay) s->overlay = false;
  for (const auto& m : s->unprovided_mounts) {
    Fail(absl::StrCat("warning: mount ", m.destination, " (", m.type,
                      ") is not provided yet by the kernel"));
  }
  auto n = BuildContainerNamespace(*s);
  if (!n.ok()) return n.status();
  *spec = std::move(*s);
  *ns = std::move(*n);
  return absl::OkStatus();
}

int RunSandbox(const RunOptions& opts) {
  OciSpec bundle;
  fs::MountNamespaceRef ns;
  if (!opts.bundle.empty()) {
    if (auto s = FromBundle(opts, &bundle, &ns); !s.ok()) {
      Fail(std::string(s.message()));
      return kSandboxFailed;
    }
  } else {
    auto n = HostRootNamespace(opts);
    if (!n.ok()) {
      Fail(std::string(n.status().message()));
      return kSandboxFailed;
    }
    ns = std::move(*n);
  }
  const std::vector<std::string>& argv =
      opts.argv.empty() && !opts.bundle.empty() ? bundle.args : opts.argv;
  if (argv.empty()) {
    Fail("no command given");
    return kSandboxFailed;
  }
  for (const std::string& dir : opts.binds) {
    if (auto s = BindHostDirectory(*ns, dir); !s.ok()) {
      Fail(absl::StrCat("cannot bind ", dir, ": ", s.message()));
      return kSandboxFailed;
    }
  }

  kernel::KernelOptions kopts;
  kopts.hostname = bundle.hostname.empty() ? opts.hostname : bundle.hostname;
  auto k = kernel::Kernel::Create(kopts);
  if (!k.ok()) {
    Fail(absl::StrCat("cannot start the kernel: ", k.status().message()));
    return kSandboxFailed;
  }

  // /proc for the kernel's root PID namespace, where the process starts.
  if (auto s = kernel::MountProcfs(**k, *ns, (*k)->root_pid_namespace()); !s.ok()) {
    if (!absl::IsNotFound(s)) Fail(absl::StrCat("mounting /proc: ", s.message()));
  }

  kernel::ProcessSpec spec;
  spec.argv = argv;
  if (!opts.bundle.empty()) {
    spec.envp = bundle.env;
  } else {
    for (char** e = environ; *e != nullptr; ++e) spec.envp.emplace_back(*e);
  }
  spec.mount_namespace = ns;
  spec.filename = ResolveProgram(*ns, argv[0], spec.envp);
  if (spec.filename.empty()) {
    Fail(absl::StrCat(argv[0], ": command not found in the sandbox"));
    return kNotFound;
  }
  spec.cwd = opts.cwd;
  if (spec.cwd.empty() && !opts.bundle.empty()) spec.cwd = bundle.cwd;
  if (spec.cwd.empty()) {
    char buf[4096];
    spec.cwd = "/";
    if (opts.root == "/" && getcwd(buf, sizeof(buf)) != nullptr) spec.cwd = buf;
  }
  for (int i = 0; i < 3; ++i) spec.stdio[i] = UniqueFd(fcntl(i, F_DUPFD_CLOEXEC, 3));
  spec.creds =
      opts.bundle.empty() ? UserCreds(getuid(), getgid()) : UserCreds(bundle.uid, bundle.gid);
  const bool cwd_given = spec.cwd != "/";

  auto tg = (*k)->CreateProcess(std::move(spec));
  if (!tg.ok() && absl::IsNotFound(tg.status()) && cwd_given) {
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
