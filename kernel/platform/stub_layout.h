// stub_layout.h: where the stub sits in every application address space.
// Must agree with stub/stub.S and the link flags in kernel/CMakeLists.txt.
#pragma once

#include <cstdint>

namespace sb::kernel::platform {

// The stub occupies [kStubStart, kStubEnd); the application may not map there.
inline constexpr uint64_t kStubStart = 0x7fffe0000000ULL;
inline constexpr uint64_t kStubEnd = 0x7fffe0010000ULL;
// Offsets from the syscall gadget (the tracer finds it at the stub's ready
// point) of the clone gadget and of the park loop (stub/stub.S checks them).
inline constexpr uint64_t kCloneGadgetOffset = 5;
inline constexpr uint64_t kParkOffset = 5 + 8;
// Fd number of the memory file inside every stub process.
inline constexpr int kStubMemoryFd = 3;

}  // namespace sb::kernel::platform
