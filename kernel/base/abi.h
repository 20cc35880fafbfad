// abi.h: the Linux x86-64 ABI bits the kernel and fs share that the host's
// libc headers do not spell out. Structs such as `struct stat`, `struct
// iovec` and `struct linux_dirent64` match the kernel ABI on x86-64 and are
// taken from the system headers.
#pragma once

#include <cstdint>

namespace sb::abi {

// Kernel-internal restart codes (include/linux/errno.h). Never seen by the
// program: resolved at signal delivery or before returning to user mode.
inline constexpr int ERESTARTSYS = 512;
inline constexpr int ERESTARTNOINTR = 513;
inline constexpr int ERESTARTNOHAND = 514;
inline constexpr int ERESTART_RESTARTBLOCK = 516;

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kPageMask = kPageSize - 1;
inline constexpr uint64_t PageDown(uint64_t a) { return a & ~kPageMask; }
inline constexpr uint64_t PageUp(uint64_t a) { return (a + kPageMask) & ~kPageMask; }

// The largest user address + 1 on x86-64 with 4-level paging (TASK_SIZE).
inline constexpr uint64_t kTaskSize = 0x7ffffffff000ULL;

// Linux's PATH_MAX and the symlink-follow limit (MAXSYMLINKS).
inline constexpr int kPathMax = 4096;
inline constexpr int kMaxSymlinks = 40;
inline constexpr int kNameMax = 255;

// Linux's sysctl defaults that our kernel enforces too: fs.nr_open (the
// highest RLIMIT_NOFILE), kernel.ngroups_max (setgroups), kernel.pid_max.
inline constexpr uint64_t kNrOpen = 1048576;
inline constexpr int kNgroupsMax = 65536;
inline constexpr int kPidMax = 4194304;

// Pipe capacity (PIPE_DEF_BUFFERS * PAGE_SIZE) and atomic write size.
inline constexpr uint64_t kPipeDefaultSize = 65536;
inline constexpr uint64_t kPipeBuf = 4096;

}  // namespace sb::abi
