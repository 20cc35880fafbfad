// signal_abi.h: the x86-64 signal frame exactly as Linux lays it out
// (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h; arch/x86/kernel/
// signal_64.c), so glibc, Go and the JVM can unwind and inspect it.
#pragma once

#include <signal.h>

#include <cstdint>

namespace sb::kernel::sigabi {

struct SigContext {  // struct sigcontext (64-bit)
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;  // user address of the xsave area
  uint64_t reserved1[8];
};
static_assert(sizeof(SigContext) == 256);

struct UContext {  // struct ucontext with the kernel's 8-byte sigset
  uint64_t uc_flags;
  uint64_t uc_link;
  stack_t uc_stack;
  SigContext uc_mcontext;
  uint64_t uc_sigmask;
};
static_assert(sizeof(UContext) == 304);

struct RtSigframe {
  uint64_t pretcode;  // return address: sa_restorer
  UContext uc;
  siginfo_t info;
};
static_assert(sizeof(siginfo_t) == 128);

inline constexpr uint64_t UC_FP_XSTATE = 0x1;
inline constexpr uint64_t UC_SIGCONTEXT_SS = 0x2;
inline constexpr uint64_t UC_STRICT_RESTORE_SS = 0x4;
inline constexpr uint32_t kFpXstateMagic1 = 0x46505853;
inline constexpr uint32_t kFpXstateMagic2 = 0x46505845;
// struct _fpx_sw_bytes, in the fxsave area's software-reserved bytes.
inline constexpr int kSwReservedOffset = 464;
struct FpxSwBytes {
  uint32_t magic1;
  uint32_t extended_size;
  uint64_t xfeatures;
  uint32_t xstate_size;
  uint32_t padding[7];
};
inline constexpr uint64_t SA_RESTORER_FLAG = 0x04000000;

}  // namespace sb::kernel::sigabi
