// Unit tests of the seccomp classic-BPF validator and interpreter
// (kernel/seccomp/bpf.h) and of filter stacks (kernel/seccomp/filter.h).
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "kernel/seccomp/bpf.h"
#include "kernel/seccomp/filter.h"

namespace sb::kernel::seccomp {
namespace {

using Prog = std::vector<sock_filter>;

sock_filter Stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return sock_filter{code, jt, jf, k};
}
sock_filter Ret(uint32_t k) { return Stmt(BPF_RET | BPF_K, k); }
sock_filter LoadAbs(uint32_t off) { return Stmt(BPF_LD | BPF_W | BPF_ABS, off); }

constexpr uint32_t kNr = offsetof(seccomp_data, nr);
constexpr uint32_t kArch = offsetof(seccomp_data, arch);
constexpr uint32_t kIpLo = offsetof(seccomp_data, instruction_pointer);
constexpr uint32_t kIpHi = kIpLo + 4;
constexpr uint32_t kArg0Lo = offsetof(seccomp_data, args);
constexpr uint32_t kArg0Hi = kArg0Lo + 4;

seccomp_data Data(int nr, uint64_t arg0 = 0) {
  seccomp_data d{};
  d.nr = nr;
  d.arch = AUDIT_ARCH_X86_64;
  d.instruction_pointer = 0x0000123400401000ULL;
  d.args[0] = arg0;
  d.args[5] = 0xdeadbeefcafef00dULL;
  return d;
}

bool Valid(const Prog& p) { return CheckProgram(p).ok(); }
int Error(const Prog& p) {
  auto r = CheckProgram(p);
  return r.ok() ? 0 : r.error().value();
}

// Runs a program that must be valid.
uint32_t Exec(const Prog& p, const seccomp_data& d) {
  EXPECT_TRUE(Valid(p));
  return RunProgram(p, d);
}

// A program that computes A with `body` and returns it.
uint32_t Compute(Prog body, const seccomp_data& d = Data(0)) {
  body.push_back(Stmt(BPF_RET | BPF_A, 0));
  return Exec(body, d);
}

// --- validation ---

TEST(SeccompBpfCheck, AcceptsTypicalFilter) {
  Prog p = {
      LoadAbs(kArch),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      Ret(SECCOMP_RET_KILL_PROCESS),
      LoadAbs(kNr),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
      Ret(SECCOMP_RET_ERRNO | 1),
      Ret(SECCOMP_RET_ALLOW),
  };
  EXPECT_TRUE(Valid(p));
}

TEST(SeccompBpfCheck, Length) {
  EXPECT_EQ(Error({}), EINVAL);
  Prog max(kMaxProgramLen, Stmt(BPF_LD | BPF_IMM, 0));
  max.back() = Ret(SECCOMP_RET_ALLOW);
  EXPECT_TRUE(Valid(max));
  max.insert(max.begin(), Stmt(BPF_LD | BPF_IMM, 0));
  EXPECT_EQ(Error(max), EINVAL);
}

TEST(SeccompBpfCheck, MustEndInRet) {
  EXPECT_EQ(Error({LoadAbs(kNr)}), EINVAL);
  EXPECT_EQ(Error({Ret(0), Stmt(BPF_LD | BPF_IMM, 1)}), EINVAL);
  EXPECT_TRUE(Valid({Ret(SECCOMP_RET_ALLOW)}));
  EXPECT_TRUE(Valid({Stmt(BPF_RET | BPF_A, 0)}));
  // RET X is not a classic opcode.
  EXPECT_EQ(Error({Stmt(BPF_RET | BPF_X, 0)}), EINVAL);
}

TEST(SeccompBpfCheck, RejectsOpcodesSeccompDoesNotAllow) {
  const uint16_t bad[] = {
      BPF_LD | BPF_H | BPF_ABS,  BPF_LD | BPF_B | BPF_ABS,
      BPF_LD | BPF_W | BPF_IND,  BPF_LD | BPF_H | BPF_IND,
      BPF_LDX | BPF_B | BPF_MSH, BPF_ALU | BPF_MOD | BPF_K,
      BPF_ALU | BPF_MOD | BPF_X, BPF_ALU | BPF_NEG | BPF_X,
      BPF_LD | BPF_H | BPF_IMM,  BPF_LDX | BPF_W | BPF_ABS,
      0xb4 /* ALU op 0xb0 */,    0xffff,
      BPF_JMP | BPF_JA | BPF_X,  0x15 | 0x100,
      BPF_MISC | 0x10,
  };
  for (uint16_t code : bad) {
    EXPECT_EQ(Error({Stmt(code, 1), Ret(SECCOMP_RET_ALLOW)}), EINVAL) << "code " << code;
  }
}

TEST(SeccompBpfCheck, AcceptsEveryAllowedOpcode) {
  Prog p = {
      Stmt(BPF_LD | BPF_IMM, 7),
      Stmt(BPF_ST, 0),
      Stmt(BPF_LDX | BPF_IMM, 3),
      Stmt(BPF_STX, 1),
      Stmt(BPF_LD | BPF_MEM, 0),
      Stmt(BPF_LDX | BPF_MEM, 1),
      Stmt(BPF_LD | BPF_W | BPF_LEN, 0),
      Stmt(BPF_LDX | BPF_W | BPF_LEN, 0),
      LoadAbs(kNr),
      Stmt(BPF_MISC | BPF_TAX, 0),
      Stmt(BPF_MISC | BPF_TXA, 0),
      Stmt(BPF_ALU | BPF_NEG, 0),
  };
  for (uint16_t op :
       {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH}) {
    p.push_back(Stmt(BPF_ALU | op | BPF_K, 1));
    p.push_back(Stmt(BPF_ALU | op | BPF_X, 0));
  }
  p.push_back(Stmt(BPF_JMP | BPF_JA, 0));
  for (uint16_t op : {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET}) {
    p.push_back(Jump(BPF_JMP | op | BPF_K, 1, 0, 0));
    p.push_back(Jump(BPF_JMP | op | BPF_X, 0, 0, 0));
  }
  p.push_back(Ret(SECCOMP_RET_ALLOW));
  EXPECT_TRUE(Valid(p));
}

TEST(SeccompBpfCheck, AbsoluteLoads) {
  for (uint32_t off = 0; off < sizeof(seccomp_data); off += 4) {
    EXPECT_TRUE(Valid({LoadAbs(off), Ret(0)})) << off;
  }
  EXPECT_EQ(Error({LoadAbs(1), Ret(0)}), EINVAL);
  EXPECT_EQ(Error({LoadAbs(2), Ret(0)}), EINVAL);
  EXPECT_EQ(Error({LoadAbs(sizeof(seccomp_data)), Ret(0)}), EINVAL);
  EXPECT_EQ(Error({LoadAbs(0xfffff000), Ret(0)}), EINVAL);  // a socket ancillary load
}

TEST(SeccompBpfCheck, JumpsStayInside) {
  EXPECT_TRUE(Valid({Stmt(BPF_JMP | BPF_JA, 1), Ret(0), Ret(1)}));
  EXPECT_EQ(Error({Stmt(BPF_JMP | BPF_JA, 2), Ret(0), Ret(1)}), EINVAL);
  EXPECT_EQ(Error({Stmt(BPF_JMP | BPF_JA, 0xffffffff), Ret(0)}), EINVAL);
  EXPECT_TRUE(Valid({Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), Ret(0), Ret(1)}));
  EXPECT_EQ(Error({Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0), Ret(0), Ret(1)}), EINVAL);
  EXPECT_EQ(Error({Jump(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 2), Ret(0), Ret(1)}), EINVAL);
  // A jump may not land past the end even onto nothing.
  EXPECT_EQ(Error({Jump(BPF_JMP | BPF_JSET | BPF_K, 0, 1, 1), Ret(0)}), EINVAL);
}

TEST(SeccompBpfCheck, ConstantOperands) {
  EXPECT_EQ(Error({Stmt(BPF_ALU | BPF_DIV | BPF_K, 0), Ret(0)}), EINVAL);
  EXPECT_TRUE(Valid({Stmt(BPF_ALU | BPF_DIV | BPF_X, 0), Ret(0)}));
  EXPECT_TRUE(Valid({Stmt(BPF_ALU | BPF_LSH | BPF_K, 31), Ret(0)}));
  EXPECT_EQ(Error({Stmt(BPF_ALU | BPF_LSH | BPF_K, 32), Ret(0)}), EINVAL);
  EXPECT_EQ(Error({Stmt(BPF_ALU | BPF_RSH | BPF_K, 32), Ret(0)}), EINVAL);
}

TEST(SeccompBpfCheck, ScratchCells) {
  EXPECT_TRUE(Valid({Stmt(BPF_ST, 15), Stmt(BPF_LD | BPF_MEM, 15), Ret(0)}));
  EXPECT_EQ(Error({Stmt(BPF_ST, 16), Ret(0)}), EINVAL);
  EXPECT_EQ(Error({Stmt(BPF_STX, 16), Ret(0)}), EINVAL);
  EXPECT_EQ(Error({Stmt(BPF_LDX | BPF_MEM, 16), Ret(0)}), EINVAL);
  // Loads of a cell never stored.
  EXPECT_EQ(Error({Stmt(BPF_LD | BPF_MEM, 0), Ret(0)}), EINVAL);
  EXPECT_EQ(Error({Stmt(BPF_ST, 1), Stmt(BPF_LDX | BPF_MEM, 0), Ret(0)}), EINVAL);
}

TEST(SeccompBpfCheck, ScratchStoredOnEveryPath) {
  // Stored only when the jump is not taken: the taken path loads garbage.
  Prog one_path = {
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
      Stmt(BPF_ST, 2),
      Stmt(BPF_LD | BPF_MEM, 2),
      Ret(0),
  };
  EXPECT_EQ(Error(one_path), EINVAL);
  // Stored before the branch: every path has it.
  Prog both = {
      Stmt(BPF_ST, 2),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
      Stmt(BPF_LD | BPF_IMM, 1),
      Stmt(BPF_LD | BPF_MEM, 2),
      Ret(0),
  };
  EXPECT_TRUE(Valid(both));
  // Stored on both arms.
  Prog arms = {
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
      Stmt(BPF_ST, 3),
      Stmt(BPF_JMP | BPF_JA, 1),
      Stmt(BPF_STX, 3),
      Stmt(BPF_LDX | BPF_MEM, 3),
      Ret(0),
  };
  EXPECT_TRUE(Valid(arms));
}

// --- running ---

TEST(SeccompBpfRun, LoadsSeccompData) {
  const seccomp_data d = Data(SYS_getppid, 0x1122334455667788ULL);
  EXPECT_EQ(Compute({LoadAbs(kNr)}, d), static_cast<uint32_t>(SYS_getppid));
  EXPECT_EQ(Compute({LoadAbs(kArch)}, d), AUDIT_ARCH_X86_64);
  EXPECT_EQ(Compute({LoadAbs(kIpLo)}, d), 0x00401000u);
  EXPECT_EQ(Compute({LoadAbs(kIpHi)}, d), 0x00001234u);
  EXPECT_EQ(Compute({LoadAbs(kArg0Lo)}, d), 0x55667788u);
  EXPECT_EQ(Compute({LoadAbs(kArg0Hi)}, d), 0x11223344u);
  EXPECT_EQ(Compute({LoadAbs(offsetof(seccomp_data, args) + 5 * 8 + 4)}, d), 0xdeadbeefu);
  EXPECT_EQ(Compute({Stmt(BPF_LD | BPF_W | BPF_LEN, 0)}), 64u);
  EXPECT_EQ(Compute({Stmt(BPF_LDX | BPF_W | BPF_LEN, 0), Stmt(BPF_MISC | BPF_TXA, 0)}), 64u);
}

TEST(SeccompBpfRun, NegativeSyscallNumber) {
  EXPECT_EQ(Compute({LoadAbs(kNr)}, Data(-1)), 0xffffffffu);
  EXPECT_EQ(Compute({LoadAbs(kNr)}, Data(0x40000000 | 39)), 0x40000027u);
}

TEST(SeccompBpfRun, Arithmetic) {
  auto alu = [](uint16_t op, uint32_t a, uint32_t k) {
    return Compute({Stmt(BPF_LD | BPF_IMM, a), Stmt(BPF_ALU | op | BPF_K, k)});
  };
  auto alu_x = [](uint16_t op, uint32_t a, uint32_t x) {
    return Compute(
        {Stmt(BPF_LD | BPF_IMM, a), Stmt(BPF_LDX | BPF_IMM, x), Stmt(BPF_ALU | op | BPF_X, 0)});
  };
  EXPECT_EQ(alu(BPF_ADD, 0xffffffff, 2), 1u);
  EXPECT_EQ(alu(BPF_SUB, 1, 2), 0xffffffffu);
  EXPECT_EQ(alu(BPF_MUL, 0x10000, 0x10001), 0x10000u);
  EXPECT_EQ(alu(BPF_DIV, 100, 7), 14u);
  EXPECT_EQ(alu(BPF_AND, 0xf0f0, 0xff00), 0xf000u);
  EXPECT_EQ(alu(BPF_OR, 0xf0f0, 0x0f00), 0xfff0u);
  EXPECT_EQ(alu(BPF_XOR, 0xffff, 0x0ff0), 0xf00fu);
  EXPECT_EQ(alu(BPF_LSH, 1, 31), 0x80000000u);
  EXPECT_EQ(alu(BPF_RSH, 0x80000000, 31), 1u);
  EXPECT_EQ(alu_x(BPF_ADD, 40, 2), 42u);
  EXPECT_EQ(alu_x(BPF_DIV, 100, 10), 10u);
  EXPECT_EQ(alu_x(BPF_LSH, 1, 33), 2u);  // the count is taken mod 32
  EXPECT_EQ(alu_x(BPF_RSH, 8, 35), 1u);
  EXPECT_EQ(Compute({Stmt(BPF_LD | BPF_IMM, 5), Stmt(BPF_ALU | BPF_NEG, 0)}), 0xfffffffbu);
}

TEST(SeccompBpfRun, DivisionByZeroXReturnsZero) {
  Prog p = {Stmt(BPF_LD | BPF_IMM, 9), Stmt(BPF_LDX | BPF_IMM, 0),
            Stmt(BPF_ALU | BPF_DIV | BPF_X, 0), Ret(SECCOMP_RET_ALLOW)};
  EXPECT_EQ(Exec(p, Data(0)), 0u);  // SECCOMP_RET_KILL_THREAD
}

TEST(SeccompBpfRun, ScratchAndRegisters) {
  EXPECT_EQ(Compute({Stmt(BPF_LD | BPF_IMM, 11), Stmt(BPF_ST, 4), Stmt(BPF_LD | BPF_IMM, 0),
                     Stmt(BPF_LDX | BPF_MEM, 4), Stmt(BPF_MISC | BPF_TXA, 0)}),
            11u);
  EXPECT_EQ(Compute({Stmt(BPF_LDX | BPF_IMM, 3), Stmt(BPF_STX, 15), Stmt(BPF_LD | BPF_MEM, 15)}),
            3u);
  EXPECT_EQ(Compute({Stmt(BPF_LD | BPF_IMM, 6), Stmt(BPF_MISC | BPF_TAX, 0),
                     Stmt(BPF_ALU | BPF_ADD | BPF_X, 0)}),
            12u);
}

TEST(SeccompBpfRun, Jumps) {
  auto jump = [](uint16_t op, uint32_t a, uint32_t k) {
    Prog p = {Stmt(BPF_LD | BPF_IMM, a), Jump(BPF_JMP | op | BPF_K, k, 1, 0), Ret(0), Ret(1)};
    return Exec(p, Data(0)) == 1;
  };
  EXPECT_TRUE(jump(BPF_JEQ, 5, 5));
  EXPECT_FALSE(jump(BPF_JEQ, 5, 6));
  EXPECT_TRUE(jump(BPF_JGT, 0x80000000, 5));  // unsigned comparison
  EXPECT_FALSE(jump(BPF_JGT, 5, 5));
  EXPECT_TRUE(jump(BPF_JGE, 5, 5));
  EXPECT_FALSE(jump(BPF_JGE, 4, 5));
  EXPECT_TRUE(jump(BPF_JSET, 6, 2));
  EXPECT_FALSE(jump(BPF_JSET, 6, 1));

  Prog with_x = {Stmt(BPF_LD | BPF_IMM, 7), Stmt(BPF_LDX | BPF_IMM, 7),
                 Jump(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), Ret(1), Ret(0)};
  EXPECT_EQ(Exec(with_x, Data(0)), 1u);
  Prog ja = {Stmt(BPF_JMP | BPF_JA, 2), Ret(0), Ret(1), Ret(2)};
  EXPECT_EQ(Exec(ja, Data(0)), 2u);
  // Both targets of a conditional jump are relative to the next instruction.
  Prog jf = {Jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2), Ret(0), Ret(1), Ret(2)};
  EXPECT_EQ(Exec(jf, Data(0)), 2u);
}

TEST(SeccompBpfRun, ArgumentFilter) {
  // ERRNO(EPERM) when args[0] == 7 (both halves), else ALLOW.
  Prog p = {
      LoadAbs(kArg0Hi),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
      LoadAbs(kArg0Lo),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
      Ret(SECCOMP_RET_ERRNO | EPERM),
      Ret(SECCOMP_RET_ALLOW),
  };
  EXPECT_EQ(Exec(p, Data(1, 7)), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(Exec(p, Data(1, 8)), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Exec(p, Data(1, 0x100000007ULL)), SECCOMP_RET_ALLOW);
}

// --- stacks of filters ---

FilterRef Push(FilterRef below, uint32_t ret, bool log = false) {
  auto f = std::make_shared<Filter>();
  f->program = {Ret(ret)};
  f->length = ConvertedLength(f->program);
  f->log = log;
  f->prev = std::move(below);
  return f;
}

TEST(SeccompFilters, MostRestrictiveActionWins) {
  const uint32_t order[] = {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
                            SECCOMP_RET_ERRNO,        SECCOMP_RET_USER_NOTIF,  SECCOMP_RET_TRACE,
                            SECCOMP_RET_LOG,          SECCOMP_RET_ALLOW};
  for (size_t i = 0; i < std::size(order); ++i) {
    for (size_t j = 0; j < std::size(order); ++j) {
      const uint32_t want = order[std::min(i, j)];
      EXPECT_EQ(RunFilters(*Push(Push(nullptr, order[i]), order[j]), Data(0)).ret, want)
          << std::hex << order[i] << " below " << order[j];
    }
  }
}

TEST(SeccompFilters, TiesGoToTheNewestFilter) {
  FilterRef stack =
      Push(Push(Push(nullptr, SECCOMP_RET_ERRNO | 1), SECCOMP_RET_ERRNO | 2), SECCOMP_RET_ALLOW);
  EXPECT_EQ(RunFilters(*stack, Data(0)).ret, SECCOMP_RET_ERRNO | 2);
  // ALLOW's data is never the answer unless every filter allows.
  EXPECT_EQ(RunFilters(*Push(nullptr, SECCOMP_RET_ALLOW | 5), Data(0)).ret, SECCOMP_RET_ALLOW);
}

TEST(SeccompFilters, UnknownActionsRankByValue) {
  // 0x00010000 lies between KILL_THREAD and TRAP.
  FilterRef stack = Push(Push(nullptr, SECCOMP_RET_TRAP), 0x00010000);
  EXPECT_EQ(RunFilters(*stack, Data(0)).ret, 0x00010000u);
  EXPECT_FALSE(ActionAvailable(0x00010000));
  EXPECT_TRUE(ActionAvailable(SECCOMP_RET_KILL_PROCESS));
  EXPECT_TRUE(ActionAvailable(SECCOMP_RET_USER_NOTIF));
}

TEST(SeccompFilters, LogFlagFollowsTheWinner) {
  FilterRef stack = Push(Push(nullptr, SECCOMP_RET_ERRNO | 1, /*log=*/true), SECCOMP_RET_ALLOW);
  Verdict v = RunFilters(*stack, Data(0));
  EXPECT_EQ(v.ret, SECCOMP_RET_ERRNO | 1);
  EXPECT_TRUE(v.log);
  EXPECT_FALSE(RunFilters(*Push(nullptr, SECCOMP_RET_TRAP), Data(0)).log);
}

TEST(SeccompFilters, PathLengthCountsAPenaltyPerFilter) {
  EXPECT_EQ(PathLength(nullptr, 10), 10u);
  FilterRef two = Push(Push(nullptr, 0), 0);  // each {RET K}: 5 translated
  EXPECT_EQ(PathLength(two, 10), 10u + 2 * (5 + kPerFilterPenalty));
  EXPECT_EQ(kMaxInsnsPerPath, 32768u);
}

// The translated lengths below were checked against Linux 6.18: a stack
// hits ENOMEM exactly one instruction past kMaxInsnsPerPath with them.
TEST(SeccompBpfLength, CountsAsLinuxTranslates) {
  EXPECT_EQ(ConvertedLength(Prog{Ret(0)}), 3u + 2);
  EXPECT_EQ(ConvertedLength(Prog{Stmt(BPF_RET | BPF_A, 0)}), 3u + 1);
  EXPECT_EQ(ConvertedLength(Prog{LoadAbs(kNr), Stmt(BPF_LD | BPF_IMM, 1), Stmt(BPF_ST, 0),
                                 Stmt(BPF_ALU | BPF_DIV | BPF_K, 3), Stmt(BPF_MISC | BPF_TAX, 0),
                                 Stmt(BPF_JMP | BPF_JA, 0), Ret(0)}),
            3u + 6 + 2);
  EXPECT_EQ(ConvertedLength(Prog{Stmt(BPF_ALU | BPF_DIV | BPF_X, 0), Ret(0)}), 3u + 5 + 2);
  auto jump = [](uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
    return ConvertedLength(Prog{Jump(code, k, jt, jf), Ret(0), Ret(0), Ret(0)}) - 3 - 6;
  };
  EXPECT_EQ(jump(BPF_JMP | BPF_JEQ | BPF_K, 5, 1, 0), 1u);   // jf falls through
  EXPECT_EQ(jump(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 2), 1u);   // inverted to JNE
  EXPECT_EQ(jump(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 2), 1u);   // to JLE
  EXPECT_EQ(jump(BPF_JMP | BPF_JGE | BPF_K, 5, 0, 2), 1u);   // to JLT
  EXPECT_EQ(jump(BPF_JMP | BPF_JSET | BPF_K, 5, 0, 2), 2u);  // no inverse: JSET + JA
  EXPECT_EQ(jump(BPF_JMP | BPF_JEQ | BPF_K, 5, 1, 2), 2u);
  EXPECT_EQ(jump(BPF_JMP | BPF_JEQ | BPF_K, 0x80000000, 1, 2), 3u);  // K via a register
  EXPECT_EQ(jump(BPF_JMP | BPF_JEQ | BPF_K, 0x80000000, 0, 0), 2u);
  EXPECT_EQ(jump(BPF_JMP | BPF_JEQ | BPF_X, 0x80000000, 0, 0), 1u);  // X: k unused
}

TEST(SeccompFilters, Ancestry) {
  FilterRef base = Push(nullptr, SECCOMP_RET_ALLOW);
  FilterRef left = Push(base, SECCOMP_RET_ALLOW);
  FilterRef right = Push(base, SECCOMP_RET_ALLOW);
  EXPECT_TRUE(IsAncestor(nullptr, left));
  EXPECT_TRUE(IsAncestor(nullptr, nullptr));
  EXPECT_TRUE(IsAncestor(base, left));
  EXPECT_TRUE(IsAncestor(left, left));
  EXPECT_FALSE(IsAncestor(left, right));
  EXPECT_FALSE(IsAncestor(left, base));
  EXPECT_FALSE(IsAncestor(base, nullptr));
}

TEST(SeccompFilters, StrictModeList) {
  EXPECT_TRUE(StrictModeAllows(SYS_read));
  EXPECT_TRUE(StrictModeAllows(SYS_write));
  EXPECT_TRUE(StrictModeAllows(SYS_exit));
  EXPECT_TRUE(StrictModeAllows(SYS_rt_sigreturn));
  EXPECT_FALSE(StrictModeAllows(SYS_exit_group));
  EXPECT_FALSE(StrictModeAllows(SYS_getpid));
  EXPECT_FALSE(StrictModeAllows(0x40000000 | SYS_write));  // x32
  EXPECT_FALSE(StrictModeAllows(-1));
}

}  // namespace
}  // namespace sb::kernel::seccomp
