// manager_adaptor.h: /org/sandboxd/Manager, the instance's manager object.
// Owns the container objects. Everything here runs on the bus thread; core
// events from other threads are posted to it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "daemon/control_server.h"
#include "dbus/auth.h"
#include "dbus/container_adaptor.h"
#include "dbus/org.sandboxd.Manager_adaptor.h"

namespace sb::dbus {

class ManagerAdaptor final : public sdbus::AdaptorInterfaces<org::sandboxd::Manager_adaptor>,
                             public daemon::ControlServer::Observer {
 public:
  ManagerAdaptor(sdbus::IConnection& conn, daemon::ControlServer& core, AccessPolicy policy,
                 PostFn post, std::function<void()> on_shutdown);
  ~ManagerAdaptor();

  // ControlServer::Observer (any thread).
  void ProcessExited(const std::string& id, pid_t pid, int status) override;
  void StateChanged(const std::string& id, control::ContainerState state) override;

 private:
  sdbus::ObjectPath CreateContainer(const std::string& id, const std::string& bundle_dir,
                                    const std::map<std::string, sdbus::Variant>& options) override;
  std::vector<sdbus::Struct<std::string, std::string, uint32_t, sdbus::ObjectPath>> ListContainers()
      override;
  sdbus::ObjectPath GetContainer(const std::string& id) override;
  void Shutdown() override;

  void Authorize();

  sdbus::IConnection& conn_;
  daemon::ControlServer& core_;
  const AccessPolicy policy_;
  PostFn post_;
  std::function<void()> on_shutdown_;
  // Bus thread only.
  std::map<std::string, std::unique_ptr<ContainerAdaptor>> objects_;
};

}  // namespace sb::dbus
