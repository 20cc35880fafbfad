// filter.cc: stacks of seccomp filters (filter.h).
#include "kernel/seccomp/filter.h"

#include <sys/syscall.h>

#include "kernel/seccomp/bpf.h"

namespace sb::kernel::seccomp {

Verdict RunFilters(const Filter& newest, const seccomp_data& data) {
  Verdict v;
  for (const Filter* f = &newest; f != nullptr; f = f->prev.get()) {
    const uint32_t ret = RunProgram(f->program, data);
    // Strictly lower: an older filter with the same action does not
    // replace the newer one's data.
    if (ActionRank(ret) < ActionRank(v.ret)) {
      v.ret = ret;
      v.log = f->log;
    }
  }
  return v;
}

size_t PathLength(const FilterRef& stack, size_t new_len) {
  size_t total = new_len;
  for (const Filter* f = stack.get(); f != nullptr; f = f->prev.get()) {
    total += f->length + kPerFilterPenalty;
  }
  return total;
}

bool IsAncestor(const FilterRef& ancestor, const FilterRef& stack) {
  if (!ancestor) return true;
  for (const Filter* f = stack.get(); f != nullptr; f = f->prev.get()) {
    if (f == ancestor.get()) return true;
  }
  return false;
}

bool StrictModeAllows(int32_t nr) {
  return nr == SYS_read || nr == SYS_write || nr == SYS_exit || nr == SYS_rt_sigreturn;
}

bool ActionAvailable(uint32_t action) {
  switch (action) {
    case SECCOMP_RET_KILL_PROCESS:
    case SECCOMP_RET_KILL_THREAD:
    case SECCOMP_RET_TRAP:
    case SECCOMP_RET_ERRNO:
    case SECCOMP_RET_USER_NOTIF:
    case SECCOMP_RET_TRACE:
    case SECCOMP_RET_LOG:
    case SECCOMP_RET_ALLOW:
      return true;
    default:
      return false;
  }
}

}  // namespace sb::kernel::seccomp
