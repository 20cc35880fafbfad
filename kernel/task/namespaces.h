// namespaces.h: the UTS namespace and the nsproxy (the PID namespace has its own
// file; the mount namespace is fs/'s).
//
// UtsNamespace: the host and domain name a group of processes sees (Linux:
// struct uts_namespace). Shared by tasks; CLONE_NEWUTS copies it. The other
// utsname fields are the kernel's identity and never change.
#pragma once

#include <sys/utsname.h>

#include <cstring>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "fs/vfs.h"
#include "kernel/ipc/ipc_namespace.h"

namespace sb::kernel {

class UtsNamespace {
 public:
  explicit UtsNamespace(const struct utsname& uts) : uts_(uts) {}

  struct utsname Get() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return uts_;
  }
  // sethostname/setdomainname: `which` is &utsname::nodename or
  // &utsname::domainname; `len` is at most 64 (checked by the caller).
  void Set(char (utsname::*which)[_UTSNAME_LENGTH], const char* name, size_t len)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    char* field = uts_.*which;
    memset(field, 0, sizeof(uts_.nodename));
    memcpy(field, name, len);
  }
  std::shared_ptr<UtsNamespace> Copy() const { return std::make_shared<UtsNamespace>(Get()); }

 private:
  mutable absl::Mutex mu_;
  struct utsname uts_ ABSL_GUARDED_BY(mu_);
};
using UtsNamespaceRef = std::shared_ptr<UtsNamespace>;

// IpcNamespace: kernel/ipc/ipc_namespace.h.

// The namespaces a task uses besides its PID namespace (Linux: nsproxy).
struct Namespaces {
  fs::MountNamespaceRef mnt;
  UtsNamespaceRef uts;
  IpcNamespaceRef ipc;
};

}  // namespace sb::kernel
