#include "dbus/manager_adaptor.h"

#include "absl/strings/str_cat.h"
#include "daemon/ids.h"
#include "dbus/errors.h"
#include "spdlog/spdlog.h"

namespace sb::dbus {
namespace {

constexpr size_t kMaxPathLength = 4096;

}  // namespace

ManagerAdaptor::ManagerAdaptor(sdbus::IConnection& conn, daemon::ControlServer& core,
                               AccessPolicy policy, PostFn post, std::function<void()> on_shutdown)
    : AdaptorInterfaces(conn, daemon::kManagerPath),
      conn_(conn),
      core_(core),
      policy_(std::move(policy)),
      post_(std::move(post)),
      on_shutdown_(std::move(on_shutdown)) {
  registerAdaptor();
}

ManagerAdaptor::~ManagerAdaptor() {
  objects_.clear();
  unregisterAdaptor();
}

void ManagerAdaptor::Authorize() { ThrowIfError(sb::dbus::Authorize(getObject(), policy_)); }

sdbus::ObjectPath ManagerAdaptor::CreateContainer(
    const std::string& id, const std::string& bundle_dir,
    const std::map<std::string, sdbus::Variant>& options) {
  ThrowIfError(daemon::ValidateContainerId(id));
  if (bundle_dir.empty() || bundle_dir[0] != '/' || bundle_dir.size() > kMaxPathLength) {
    ThrowIfError(absl::InvalidArgumentError(
        absl::StrCat("bundle_dir \"", bundle_dir.substr(0, 256), "\" is not an absolute path")));
  }
  if (!options.empty()) {
    ThrowIfError(absl::InvalidArgumentError(
        absl::StrCat("unknown option \"", options.begin()->first, "\" (none are defined yet)")));
  }
  Authorize();
  control::CreateContainerRequest req;
  req.set_id(id);
  req.set_bundle_dir(bundle_dir);
  auto resp = core_.CreateContainer(req);
  ThrowIfError(resp.status());
  auto obj = std::make_unique<ContainerAdaptor>(
      conn_, id, core_, policy_, post_, [this](const std::string& gone) { objects_.erase(gone); });
  sdbus::ObjectPath path = obj->getObjectPath();
  objects_[id] = std::move(obj);
  return path;
}

std::vector<sdbus::Struct<std::string, std::string, uint32_t, sdbus::ObjectPath>>
ManagerAdaptor::ListContainers() {
  std::vector<sdbus::Struct<std::string, std::string, uint32_t, sdbus::ObjectPath>> out;
  const control::ListContainersResponse list = core_.ListContainers();
  for (const auto& c : list.containers()) {
    out.emplace_back(c.id(), daemon::StateName(c.state()), c.init_pid(),
                     sdbus::ObjectPath(daemon::ContainerPath(c.id())));
  }
  return out;
}

sdbus::ObjectPath ManagerAdaptor::GetContainer(const std::string& id) {
  control::ContainerRequest req;
  req.set_id(id);
  ThrowIfError(core_.GetContainer(req).status());
  return daemon::ContainerPath(id);
}

void ManagerAdaptor::Shutdown() {
  Authorize();
  spdlog::info("shutdown requested over D-Bus");
  post_(on_shutdown_);
}

void ManagerAdaptor::ProcessExited(const std::string& id, pid_t pid, int status) {
  post_([this, id, pid, status]() {
    auto it = objects_.find(id);
    if (it != objects_.end()) it->second->NotifyProcessExited(pid, status);
  });
}

void ManagerAdaptor::StateChanged(const std::string& id, control::ContainerState state) {
  post_([this, id, state]() {
    auto it = objects_.find(id);
    if (it != objects_.end()) it->second->NotifyStateChanged(daemon::StateName(state));
  });
}

}  // namespace sb::dbus
