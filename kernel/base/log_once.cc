#include "kernel/base/log_once.h"

#include "absl/synchronization/mutex.h"
#include "spdlog/spdlog.h"

namespace sb {
namespace {

struct Registry {
  absl::Mutex mu;
  std::map<std::string, uint64_t> hits ABSL_GUARDED_BY(mu);
};

Registry& GetRegistry() {
  static Registry r;  // Destroyed at exit; callers after that are exiting anyway.
  return r;
}

}  // namespace

void ReportUnsupported(std::string_view what) {
  Registry& r = GetRegistry();
  bool first = false;
  {
    absl::MutexLock lock(&r.mu);
    uint64_t& n = r.hits[std::string(what)];
    first = (n++ == 0);
  }
  if (first) spdlog::warn("unsupported: {}", what);
}

std::map<std::string, uint64_t> UnsupportedReport() {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  return r.hits;
}

}  // namespace sb
