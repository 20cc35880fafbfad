// filter.h: a task's seccomp state as plain values, and the rules Linux
// applies to a stack of filters (kernel/seccomp.c): which action wins, how
// long a stack may grow, strict mode's short list.
//
// Filters are immutable once installed and shared: fork and clone copy the
// pointer, TSYNC hands the caller's list to its threads, and each new
// filter points at the list it was installed on top of, so the filters of
// a process tree form a tree (Linux's seccomp_filter.prev). Nothing here
// depends on Task.
//
// Checkpoint: State is a value type; saving one means writing the mode and
// the chain of programs (newest first), with filters shared between tasks
// written once and referred to by index, so that ancestry (which TSYNC
// checks) survives a restore.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace sb::kernel::seccomp {

// Linux's MAX_INSNS_PER_PATH: instructions over a whole stack, each older
// filter counting 4 more than its length (ENOMEM past it). Lengths are
// those of the programs as Linux translates them (bpf.h ConvertedLength).
inline constexpr size_t kMaxInsnsPerPath = (1u << 18) / sizeof(sock_filter);
inline constexpr size_t kPerFilterPenalty = 4;
// Linux's MAX_ERRNO: SECCOMP_RET_ERRNO data above it is capped.
inline constexpr uint32_t kMaxErrno = 4095;

struct Filter;
using FilterRef = std::shared_ptr<const Filter>;

// One installed filter.
struct Filter {
  std::vector<sock_filter> program;  // as the program passed it, validated
  size_t length = 0;                 // ConvertedLength(program), for the limit
  bool log = false;                  // SECCOMP_FILTER_FLAG_LOG
  FilterRef prev;                    // the filter below this one, or null
};

// A task's seccomp state (Linux: struct seccomp).
struct State {
  int mode = SECCOMP_MODE_DISABLED;  // SECCOMP_MODE_*
  FilterRef filter;                  // newest filter; null unless mode is FILTER
};

// What a stack of filters decided for one syscall.
struct Verdict {
  uint32_t ret = SECCOMP_RET_ALLOW;  // the winning return value, data included
  bool log = false;                  // the filter that returned it wants logging
};

// Linux's ACTION_ONLY: the action as a signed number; the lower one is the
// more restrictive (KILL_PROCESS < KILL_THREAD < TRAP < ERRNO < USER_NOTIF
// < TRACE < LOG < ALLOW).
inline int32_t ActionRank(uint32_t ret) {
  return static_cast<int32_t>(ret & SECCOMP_RET_ACTION_FULL);
}

// Runs every filter from `newest` down. The most restrictive action wins;
// between equal actions the newer filter's data wins (Linux's
// seccomp_run_filters).
Verdict RunFilters(const Filter& newest, const seccomp_data& data);

// Instructions counted against kMaxInsnsPerPath if a filter of length
// `new_len` (Filter::length) were installed on top of `stack`.
size_t PathLength(const FilterRef& stack, size_t new_len);

// Whether `ancestor` is `stack` or below it (null is below everything):
// TSYNC may only replace a thread's filters by a stack that contains them.
bool IsAncestor(const FilterRef& ancestor, const FilterRef& stack);

// Strict mode (SECCOMP_MODE_STRICT) lets only read, write, exit and
// rt_sigreturn through.
bool StrictModeAllows(int32_t nr);

// Whether SECCOMP_GET_ACTION_AVAIL reports `action` as known.
bool ActionAvailable(uint32_t action);

}  // namespace sb::kernel::seccomp
