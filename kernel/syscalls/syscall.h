// syscall.h: what a syscall handler receives and returns.
//
// Every handler has the shape `SyscallResult Name(Task& t, const
// SyscallArgs& a)`: decode arguments into typed values, validate, look up
// references, call into fs/ or the task layer, then account. No host
// syscall appears in a handler (STYLE.md R2).
#pragma once

#include <cstdint>

#include "kernel/base/errno.h"
#include "kernel/task/task.h"

namespace sb::kernel {

struct SyscallArgs {
  uint64_t v[6];
  uint64_t u64(int i) const { return v[i]; }
  int64_t s64(int i) const { return static_cast<int64_t>(v[i]); }
  int fd(int i) const { return static_cast<int>(v[i]); }
  int i32(int i) const { return static_cast<int>(v[i]); }
  uint32_t u32(int i) const { return static_cast<uint32_t>(v[i]); }
  uint64_t addr(int i) const { return v[i]; }
  size_t size(int i) const { return static_cast<size_t>(v[i]); }
};

using SyscallResult = ErrnoOr<uint64_t>;
using SyscallHandler = SyscallResult (*)(Task&, const SyscallArgs&);

enum class Support { kFull, kPartial, kError };

struct SyscallEntry {
  const char* name = nullptr;
  SyscallHandler handler = nullptr;
  Support support = Support::kError;
  const char* note = "";
  int error = ENOSYS;  // what kError entries return
};

inline constexpr int kMaxSyscall = 512;
// The x86-64 table (table_x86_64.cc): the only place numbers meet handlers.
const SyscallEntry& LookupSyscall(uint64_t nr);

}  // namespace sb::kernel
