#include "daemon/program_path.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kernel/base/credentials.h"

namespace sb::daemon {

std::string ResolveProgram(fs::MountNamespace& ns, const std::string& name,
                           const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  Credentials creds = Credentials::Root();
  fs::FsContext ctx{creds, ns.Root(), ns.Root(), 022};
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    auto loc = ns.Lookup(ctx, ns.Root(), candidate, fs::FollowFinal::kYes);
    if (!loc.ok()) continue;
    auto st = ns.Stat(*loc);
    if (st.ok() && S_ISREG(st->st_mode)) return candidate;
  }
  return "";
}

}  // namespace sb::daemon
