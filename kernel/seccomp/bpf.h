// bpf.h: classic BPF as seccomp uses it: the validator Linux runs when a
// filter is installed (bpf_check_classic narrowed by seccomp_check_filter)
// and the interpreter that runs a filter over a syscall's seccomp_data.
//
// Pure functions over a program and its input: no task, no locks, no
// allocation while running, so they are unit-tested on their own
// (tests/kernel/seccomp_bpf_test.cc).
#pragma once

#include <linux/filter.h>   // struct sock_filter, BPF_* opcodes, BPF_MAXINSNS
#include <linux/seccomp.h>  // struct seccomp_data

#include <cstdint>
#include <span>

#include "kernel/base/errno.h"

namespace sb::kernel::seccomp {

// Linux's BPF_MAXINSNS: the longest program one filter may have.
inline constexpr size_t kMaxProgramLen = BPF_MAXINSNS;
// Scratch memory cells M[0..15] (BPF_MEMWORDS).
inline constexpr uint32_t kMemWords = BPF_MEMWORDS;

// Ok if Linux would accept `prog` as a seccomp filter, else EINVAL (the
// only errno Linux's checks give). The rules:
//   - 1..kMaxProgramLen instructions;
//   - only the opcodes seccomp allows: 32-bit absolute loads (of
//     seccomp_data, 4-byte aligned, inside its 64 bytes), LEN, immediates,
//     scratch memory, ALU without MOD, TAX/TXA, JA and the four conditional
//     jumps with K or X, RET K/A;
//   - division by a constant 0 and constant shifts of 32 or more rejected;
//   - scratch cells below kMemWords, and each load of a cell preceded by a
//     store to it on the way there (Linux's check_load_and_stores);
//   - every jump lands inside the program, which ends with a RET.
ErrnoStatus CheckProgram(std::span<const sock_filter> prog);

// How many instructions Linux's translation of `prog` (checked) to eBPF
// has: Linux counts the per-stack limit (filter.h, kMaxInsnsPerPath) in
// these, so we must too for the limit to fall where Linux's does. A
// prologue of 3, then per instruction: RET K 2; DIV by X 5 (the zero
// check); a conditional jump 1, plus 1 when both targets are away from the
// next instruction (except JEQ/JGT/JGE with jt 0, which invert), plus 1
// for a K with the top bit set; everything else 1.
size_t ConvertedLength(std::span<const sock_filter> prog);

// Runs `prog`, which must have passed CheckProgram, over `data` and returns
// its 32-bit result (a SECCOMP_RET_* action with its data). Division by a
// zero X returns 0, as Linux's converted classic programs do.
uint32_t RunProgram(std::span<const sock_filter> prog, const seccomp_data& data);

}  // namespace sb::kernel::seccomp
