// ipc_namespace.h: the System V IPC objects a group of processes sees
// (Linux: struct ipc_namespace). Shared by tasks; CLONE_NEWIPC and
// unshare(CLONE_NEWIPC) make an empty one. Each kind keeps its objects,
// limits (the /proc/sys/kernel knobs) and its own lock.
#pragma once

#include <memory>

#include "kernel/ipc/msg.h"
#include "kernel/ipc/sem.h"
#include "kernel/ipc/shm.h"

namespace sb::kernel {

class IpcNamespace {
 public:
  IpcNamespace();
  // Linux's shm_exit_ns/sem_exit_ns/msg_exit_ns: every object goes;
  // attached segments stay mapped until detached.
  ~IpcNamespace();
  IpcNamespace(const IpcNamespace&) = delete;
  IpcNamespace& operator=(const IpcNamespace&) = delete;

  ipc::ShmNamespace& shm() const { return *shm_; }
  const std::shared_ptr<ipc::ShmNamespace>& shm_ref() const { return shm_; }
  ipc::SemNamespace& sem() const { return *sem_; }
  const std::shared_ptr<ipc::SemNamespace>& sem_ref() const { return sem_; }
  ipc::MsgNamespace& msg() const { return *msg_; }

 private:
  // Immutable pointers. Attachments and undo lists hold them too, so a
  // kind's state may outlive the namespace.
  const std::shared_ptr<ipc::ShmNamespace> shm_;
  const std::shared_ptr<ipc::SemNamespace> sem_;
  const std::shared_ptr<ipc::MsgNamespace> msg_;
};
using IpcNamespaceRef = std::shared_ptr<IpcNamespace>;

}  // namespace sb::kernel
