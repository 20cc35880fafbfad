// sys_dir.cc: /proc/sys, the sysctls programs read, each the value our
// kernel uses (sysctls it has no notion of are absent: ENOENT).
#include <linux/capability.h>

#include "absl/strings/str_cat.h"
#include "fs/pipe.h"
#include "kernel/base/abi.h"
#include "kernel/base/credentials.h"
#include "kernel/kernel.h"
#include "kernel/mm/memory_manager.h"
#include "kernel/procfs/internal.h"

namespace sb::kernel::procfs {
namespace {

// kernel.hostname / kernel.domainname: the reader's UTS namespace.
TableDir::Factory UtsFile(char (utsname::*field)[_UTSNAME_LENGTH]) {
  return MakeFile(
      [field](const Node& n, Task* reader) -> ErrnoOr<std::string> {
        struct utsname u =
            reader ? reader->uts_namespace().Get() : n.kernel().root_uts_namespace()->Get();
        return absl::StrCat(u.*field, "\n");
      },
      [field](const Node&, Task* writer, std::string_view data) -> ErrnoStatus {
        if (writer == nullptr || !writer->creds().HasCapability(CAP_SYS_ADMIN)) {
          return Errno(EPERM);
        }
        if (!data.empty() && data.back() == '\n') data.remove_suffix(1);
        if (data.size() >= _UTSNAME_LENGTH) return Errno(EINVAL);
        writer->uts_namespace().Set(field, data.data(), data.size());
        return Ok();
      });
}

TableDir::Spec Const(std::string name, std::string value) {
  return {std::move(name), S_IFREG | 0444, MakeConstant(value + "\n")};
}

}  // namespace

TableDir::Factory MakeSysDir() {
  constexpr mode_t kDir = S_IFDIR | 0555;
  std::vector<TableDir::Spec> random = {
      {"boot_id", S_IFREG | 0444, MakeFile([](const Node& n, Task*) -> ErrnoOr<std::string> {
         return n.kernel().boot_id() + "\n";
       })},
      {"uuid", S_IFREG | 0444,
       MakeFile([](const Node&, Task*) -> ErrnoOr<std::string> { return NewUuid() + "\n"; })},
  };
  std::vector<TableDir::Spec> kernel = {
      Const("cap_last_cap", absl::StrCat(kCapLastCap)),
      {"domainname", S_IFREG | 0644, UtsFile(&utsname::domainname)},
      {"hostname", S_IFREG | 0644, UtsFile(&utsname::nodename)},
      Const("ngroups_max", absl::StrCat(abi::kNgroupsMax)),
      Const("osrelease", kRelease),
      Const("ostype", kSysname),
      // What the credential code maps unmappable IDs to (Linux's default).
      Const("overflowgid", "65534"),
      Const("overflowuid", "65534"),
      Const("pid_max", absl::StrCat(abi::kPidMax)),
      {"random", kDir, MakeTable(std::move(random))},
      Const("version", kVersion),
  };
  std::vector<TableDir::Spec> fs = {
      Const("nr_open", absl::StrCat(abi::kNrOpen)),
      Const("pipe-max-size", absl::StrCat(fs::kPipeMaxSize)),
  };
  std::vector<TableDir::Spec> vm = {
      Const("mmap_min_addr", absl::StrCat(mm::MemoryManager::kMinAddress)),
      // Memory is a sparse memory file: mappings are never refused for
      // lack of commit, as Linux's "always overcommit".
      Const("overcommit_memory", "1"),
  };
  return MakeTable({
      {"fs", kDir, MakeTable(std::move(fs))},
      {"kernel", kDir, MakeTable(std::move(kernel))},
      {"vm", kDir, MakeTable(std::move(vm))},
  });
}

}  // namespace sb::kernel::procfs
