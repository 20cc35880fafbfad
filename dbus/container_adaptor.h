// container_adaptor.h: /org/sandboxd/container/ID, one container.
// Thin glue (STYLE.md R14): parse, validate, authorize, call the core, map
// the status, reply.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "daemon/control_server.h"
#include "dbus/auth.h"
#include "dbus/org.sandboxd.Container_adaptor.h"

namespace sb::dbus {

// Runs a closure on the bus thread (daemon/main_loop.h).
using PostFn = std::function<void(std::function<void()>)>;

class ContainerAdaptor final
    : public sdbus::AdaptorInterfaces<org::sandboxd::Container_adaptor, sdbus::Properties_adaptor> {
 public:
  // `on_delete` runs on the bus thread after a successful Delete reply.
  ContainerAdaptor(sdbus::IConnection& conn, std::string id, daemon::ControlServer& core,
                   const AccessPolicy& policy, PostFn post,
                   std::function<void(const std::string&)> on_delete);
  ~ContainerAdaptor();

  // Bus thread only.
  void NotifyStateChanged(const std::string& state);
  void NotifyProcessExited(pid_t pid, int status);

 private:
  void Start() override;
  uint32_t Exec(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                const std::string& cwd, const std::string& user,
                const std::vector<sdbus::UnixFd>& stdio,
                const std::map<std::string, sdbus::Variant>& options) override;
  void Signal(const int32_t& signo, const uint32_t& pid, const std::string& scope) override;
  void Wait(sdbus::Result<int32_t>&& result, uint32_t pid) override;
  void Pause() override;
  void Resume() override;
  std::vector<sdbus::Struct<uint32_t, uint32_t, uint32_t, std::string, std::string>> ListProcesses()
      override;
  void Delete() override;

  std::string Id() override { return id_; }
  std::string State() override;
  uint32_t InitPid() override;
  std::string Bundle() override;
  uint64_t CreatedAt() override;

  control::ContainerInfo Info();
  void Authorize();

  const std::string id_;
  daemon::ControlServer& core_;
  const AccessPolicy policy_;
  PostFn post_;
  std::function<void(const std::string&)> on_delete_;
};

}  // namespace sb::dbus
