// log_once.h: "real, or loud". SB_UNSUPPORTED logs a not-implemented
// feature once per distinct name and counts every hit, so `sandboxctl` can
// list what a workload asked for and did not get.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace sb {

// Records one hit of an unsupported feature `what` (e.g. "syscall
// io_uring_setup", "ioctl 0x5413 on pipe"). Logs at warning level the first
// time a name is seen. Thread-safe.
void ReportUnsupported(std::string_view what);

// A snapshot of every unsupported feature hit so far, with hit counts.
std::map<std::string, uint64_t> UnsupportedReport();

}  // namespace sb
