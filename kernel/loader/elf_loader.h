// elf_loader.h: loads an ELF64 x86-64 program into a fresh address space.
//
// Static, static-PIE and dynamic executables (the PT_INTERP interpreter is
// loaded from the caller's filesystem view), with the initial stack Linux
// builds: argc, argv, envp and the auxiliary vector. File data is copied
// into private memory-file ranges (DESIGN.md "Memory"). Called by execve
// (kernel/task/task_exec.cc) before the point of no return, so a failure
// leaves the old program intact.
#pragma once

#include <string>
#include <vector>

#include "fs/vfs.h"
#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"
#include "kernel/mm/memory_manager.h"

namespace sb::kernel::loader {

struct LoadRequest {
  fs::MountNamespace* mntns = nullptr;
  const fs::FsContext* ctx = nullptr;
  fs::FileRef file;    // the executable, open for reading
  std::string path;    // its absolute path (for /proc/[pid]/maps and exe)
  std::string execfn;  // the name execve was given (AT_EXECFN)
  std::vector<std::string> argv, envp;
  const Credentials* creds = nullptr;
  uint64_t stack_limit = 8 << 20;  // RLIMIT_STACK: how far the stack may grow
};

struct LoadResult {
  uint64_t entry = 0;          // where the program (or its interpreter) starts
  uint64_t stack_pointer = 0;  // rsp at entry: points at argc
};

// True if `header` (the first bytes of a file) starts an ELF image.
bool IsElf(const uint8_t* header, size_t len);

ErrnoOr<LoadResult> LoadElf(mm::MemoryManager& mm, const LoadRequest& req);

}  // namespace sb::kernel::loader
