#include "dbus/container_adaptor.h"

#include <fcntl.h>

#include <csignal>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "daemon/ids.h"
#include "dbus/errors.h"

namespace sb::dbus {
namespace {

constexpr size_t kMaxArgs = 4096;
constexpr size_t kMaxArgBytes = 128 * 1024;

void InvalidArgs(const std::string& msg) { throw ToDbusError(absl::InvalidArgumentError(msg)); }

void CheckStrings(const std::vector<std::string>& v, const char* what) {
  if (v.size() > kMaxArgs) InvalidArgs(absl::StrCat(what, " has more than ", kMaxArgs, " entries"));
  size_t total = 0;
  for (const auto& s : v) {
    total += s.size() + 1;
    if (s.find('\0') != std::string::npos) InvalidArgs(absl::StrCat(what, " holds a NUL byte"));
  }
  if (total > kMaxArgBytes)
    InvalidArgs(absl::StrCat(what, " is larger than ", kMaxArgBytes, " bytes"));
}

}  // namespace

ContainerAdaptor::ContainerAdaptor(sdbus::IConnection& conn, std::string id,
                                   daemon::ControlServer& core, const AccessPolicy& policy,
                                   PostFn post, std::function<void(const std::string&)> on_delete)
    : AdaptorInterfaces(conn, daemon::ContainerPath(id)),
      id_(std::move(id)),
      core_(core),
      policy_(policy),
      post_(std::move(post)),
      on_delete_(std::move(on_delete)) {
  registerAdaptor();
}

ContainerAdaptor::~ContainerAdaptor() { unregisterAdaptor(); }

void ContainerAdaptor::Authorize() { ThrowIfError(sb::dbus::Authorize(getObject(), policy_)); }

control::ContainerInfo ContainerAdaptor::Info() {
  control::ContainerRequest req;
  req.set_id(id_);
  auto info = core_.GetContainer(req);
  ThrowIfError(info.status());
  return *info;
}

std::string ContainerAdaptor::State() { return daemon::StateName(Info().state()); }
uint32_t ContainerAdaptor::InitPid() { return Info().init_pid(); }
std::string ContainerAdaptor::Bundle() { return Info().bundle(); }
uint64_t ContainerAdaptor::CreatedAt() { return Info().created_at_usec(); }

void ContainerAdaptor::NotifyStateChanged(const std::string& state) {
  emitStateChanged(state);
  // PropertiesChanged reads the properties; a container deleted since has none.
  control::ContainerRequest req;
  req.set_id(id_);
  if (!core_.GetContainer(req).ok()) return;
  emitPropertiesChangedSignal(org::sandboxd::Container_adaptor::INTERFACE_NAME,
                              {"State", "InitPid"});
}

void ContainerAdaptor::NotifyProcessExited(pid_t pid, int status) {
  emitProcessExited(static_cast<uint32_t>(pid), status);
}

void ContainerAdaptor::Start() {
  Authorize();
  control::StartRequest req;
  req.set_id(id_);
  ThrowIfError(core_.Start(req).status());
}

uint32_t ContainerAdaptor::Exec(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env, const std::string& cwd,
                                const std::string& user, const std::vector<sdbus::UnixFd>& stdio,
                                const std::map<std::string, sdbus::Variant>& options) {
  // Parse and validate.
  if (argv.empty() || argv[0].empty()) InvalidArgs("argv is empty: name a program to run");
  CheckStrings(argv, "argv");
  CheckStrings(env, "env");
  for (const auto& e : env) {
    if (e.find('=') == std::string::npos)
      InvalidArgs(absl::StrCat("env entry \"", e, "\" has no '='"));
  }
  if (!cwd.empty() && cwd[0] != '/') InvalidArgs(absl::StrCat("cwd \"", cwd, "\" is not absolute"));
  if (stdio.size() > 3) InvalidArgs(absl::StrCat("at most 3 stdio fds, got ", stdio.size()));
  control::ExecRequest req;
  req.set_id(id_);
  if (!user.empty()) {
    std::vector<std::string> parts = absl::StrSplit(user, ':');
    uint32_t uid = 0, gid = 0;
    if (parts.size() > 2 || !absl::SimpleAtoi(parts[0], &uid) ||
        (parts.size() == 2 && !absl::SimpleAtoi(parts[1], &gid)) || uid > 0xfffffffe ||
        gid > 0xfffffffe) {
      InvalidArgs(absl::StrCat("user \"", user, "\" is not UID or UID:GID"));
    }
    req.set_uid(uid);
    req.set_gid(parts.size() == 2 ? gid : uid);
  }
  for (const auto& [key, value] : options) {
    if (key == "terminal") {
      if (value.peekValueType() != "b") InvalidArgs("option terminal must be a boolean");
      req.set_terminal(value.get<bool>());
    } else {
      InvalidArgs(absl::StrCat("unknown option \"", key, "\" (known: terminal)"));
    }
  }
  Authorize();
  for (const auto& a : argv) req.add_argv(a);
  for (const auto& e : env) req.add_env(e);
  req.set_cwd(cwd);
  daemon::ControlServer::Stdio fds;
  for (size_t i = 0; i < stdio.size(); ++i) {
    fds[i] = UniqueFd(fcntl(stdio[i].get(), F_DUPFD_CLOEXEC, 3));
  }
  auto resp = core_.Exec(req, std::move(fds));
  ThrowIfError(resp.status());
  return resp->pid();
}

void ContainerAdaptor::Signal(const int32_t& signo, const uint32_t& pid, const std::string& scope) {
  if (signo < 1 || signo > 64) {
    InvalidArgs(absl::StrCat("signal ", signo, " is not a valid signal number (1..64)"));
  }
  control::SignalRequest req;
  if (scope == "process" || scope.empty()) {
    req.set_scope(control::PROCESS);
  } else if (scope == "process-group") {
    req.set_scope(control::PROCESS_GROUP);
  } else if (scope == "foreground") {
    req.set_scope(control::FOREGROUND);
  } else if (scope == "all") {
    req.set_scope(control::ALL);
  } else {
    InvalidArgs(absl::StrCat("scope \"", scope,
                             "\" is not one of process, process-group, foreground, all"));
  }
  Authorize();
  req.set_id(id_);
  req.set_signo(signo);
  req.set_pid(pid);
  ThrowIfError(core_.Signal(req));
}

void ContainerAdaptor::Wait(sdbus::Result<int32_t>&& result, uint32_t pid) {
  if (pid == 0 || pid > (1u << 22)) InvalidArgs(absl::StrCat("pid ", pid, " is not a valid pid"));
  Authorize();
  control::WaitRequest req;
  req.set_id(id_);
  req.set_pid(pid);
  // The reply is sent later, on the bus thread; a caller gone by then is fine.
  auto shared = std::make_shared<sdbus::Result<int32_t>>(std::move(result));
  core_.Wait(req, [post = post_, shared](absl::StatusOr<control::WaitResponse> r) {
    post([shared, r = std::move(r)]() {
      try {
        if (r.ok()) {
          shared->returnResults(r->status());
        } else {
          shared->returnError(ToDbusError(r.status()));
        }
      } catch (const sdbus::Error&) {
      }
    });
  });
}

void ContainerAdaptor::Pause() {
  Authorize();
  control::ContainerRequest req;
  req.set_id(id_);
  ThrowIfError(core_.Pause(req));
}

void ContainerAdaptor::Resume() {
  Authorize();
  control::ContainerRequest req;
  req.set_id(id_);
  ThrowIfError(core_.Resume(req));
}

std::vector<sdbus::Struct<uint32_t, uint32_t, uint32_t, std::string, std::string>>
ContainerAdaptor::ListProcesses() {
  control::ListProcessesRequest req;
  req.set_id(id_);
  auto resp = core_.ListProcesses(req);
  ThrowIfError(resp.status());
  std::vector<sdbus::Struct<uint32_t, uint32_t, uint32_t, std::string, std::string>> out;
  for (const auto& p : resp->processes()) {
    out.emplace_back(p.pid(), p.ppid(), p.uid(), p.state(), p.cmdline());
  }
  return out;
}

void ContainerAdaptor::Delete() {
  Authorize();
  control::ContainerRequest req;
  req.set_id(id_);
  ThrowIfError(core_.Delete(req));
  // Unregistering this object now would destroy the handler running this call.
  post_([cb = on_delete_, id = id_]() { cb(id); });
}

}  // namespace sb::dbus
