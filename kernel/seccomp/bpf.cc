// bpf.cc: the seccomp classic-BPF validator and interpreter (bpf.h).
#include "kernel/seccomp/bpf.h"

#include <cstring>
#include <vector>

namespace sb::kernel::seccomp {
namespace {

constexpr uint32_t kDataSize = sizeof(seccomp_data);  // 64

bool IsConditionalJump(uint16_t code) {
  switch (code) {
    case BPF_JMP | BPF_JEQ | BPF_K:
    case BPF_JMP | BPF_JEQ | BPF_X:
    case BPF_JMP | BPF_JGT | BPF_K:
    case BPF_JMP | BPF_JGT | BPF_X:
    case BPF_JMP | BPF_JGE | BPF_K:
    case BPF_JMP | BPF_JGE | BPF_X:
    case BPF_JMP | BPF_JSET | BPF_K:
    case BPF_JMP | BPF_JSET | BPF_X:
      return true;
    default:
      return false;
  }
}

bool UsesScratchCell(uint16_t code) {
  return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) || code == BPF_ST ||
         code == BPF_STX;
}

// The opcodes a seccomp filter may contain: classic BPF's list with what
// seccomp_check_filter removes taken out (packet loads other than 32-bit
// absolute ones, indirect loads, MSH, MOD).
bool AllowedOpcode(uint16_t code) {
  if (IsConditionalJump(code)) return true;
  switch (code) {
    case BPF_LD | BPF_W | BPF_ABS:
    case BPF_LD | BPF_W | BPF_LEN:
    case BPF_LDX | BPF_W | BPF_LEN:
    case BPF_LD | BPF_IMM:
    case BPF_LDX | BPF_IMM:
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
    case BPF_ALU | BPF_NEG:
    case BPF_MISC | BPF_TAX:
    case BPF_MISC | BPF_TXA:
    case BPF_RET | BPF_K:
    case BPF_RET | BPF_A:
    case BPF_JMP | BPF_JA:
      return true;
    default:
      break;
  }
  if (BPF_CLASS(code) != BPF_ALU) return false;
  if (code & ~uint16_t{BPF_CLASS(0xff) | BPF_OP(0xff) | BPF_SRC(0xff)}) return false;
  switch (BPF_OP(code)) {
    case BPF_ADD:
    case BPF_SUB:
    case BPF_MUL:
    case BPF_DIV:
    case BPF_AND:
    case BPF_OR:
    case BPF_XOR:
    case BPF_LSH:
    case BPF_RSH:
      return true;
    default:
      return false;  // BPF_MOD among them: classic BPF has it, seccomp does not
  }
}

// Rejects a load of a scratch cell that some path reaches without storing
// it first. Jumps only go forward, so one pass suffices: `valid` holds the
// cells stored on the path falling through to `pc`, and `at[pc]` the cells
// stored on every jump into `pc`. This is the same approximation as Linux's
// check_load_and_stores (the fall-through set is not cleared after a RET),
// so exactly the programs Linux accepts pass.
bool ScratchLoadsInitialized(std::span<const sock_filter> prog) {
  std::vector<uint16_t> at(prog.size(), 0xffff);
  uint16_t valid = 0;
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    valid &= at[pc];
    if (in.code == BPF_ST || in.code == BPF_STX) {
      valid |= static_cast<uint16_t>(1u << in.k);
    } else if (in.code == (BPF_LD | BPF_MEM) || in.code == (BPF_LDX | BPF_MEM)) {
      if (!(valid & (1u << in.k))) return false;
    } else if (in.code == (BPF_JMP | BPF_JA)) {
      at[pc + 1 + in.k] &= valid;
      valid = 0xffff;
    } else if (IsConditionalJump(in.code)) {
      at[pc + 1 + in.jt] &= valid;
      at[pc + 1 + in.jf] &= valid;
      valid = 0xffff;
    }
  }
  return true;
}

}  // namespace

ErrnoStatus CheckProgram(std::span<const sock_filter> prog) {
  if (prog.empty() || prog.size() > kMaxProgramLen) return Errno(EINVAL);
  const size_t len = prog.size();
  for (size_t pc = 0; pc < len; ++pc) {
    const sock_filter& in = prog[pc];
    if (!AllowedOpcode(in.code)) return Errno(EINVAL);
    if (UsesScratchCell(in.code) && in.k >= kMemWords) return Errno(EINVAL);
    switch (in.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (in.k >= kDataSize || (in.k & 3) != 0) return Errno(EINVAL);
        break;
      case BPF_ALU | BPF_DIV | BPF_K:
        if (in.k == 0) return Errno(EINVAL);
        break;
      case BPF_ALU | BPF_LSH | BPF_K:
      case BPF_ALU | BPF_RSH | BPF_K:
        if (in.k >= 32) return Errno(EINVAL);
        break;
      case BPF_JMP | BPF_JA:
        if (in.k >= len - pc - 1) return Errno(EINVAL);
        break;
      default:
        if (IsConditionalJump(in.code) && (pc + in.jt + 1 >= len || pc + in.jf + 1 >= len)) {
          return Errno(EINVAL);
        }
        break;
    }
  }
  const uint16_t last = prog[len - 1].code;
  if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A)) return Errno(EINVAL);
  if (!ScratchLoadsInitialized(prog)) return Errno(EINVAL);
  return Ok();
}

size_t ConvertedLength(std::span<const sock_filter> prog) {
  size_t n = 3;  // clear A and X, keep the context pointer
  for (const sock_filter& in : prog) {
    if (in.code == (BPF_RET | BPF_K)) {
      n += 2;
    } else if (in.code == (BPF_ALU | BPF_DIV | BPF_X)) {
      n += 5;
    } else if (IsConditionalJump(in.code)) {
      n += 1;
      if (BPF_SRC(in.code) == BPF_K && (in.k & 0x80000000u)) ++n;  // k goes through a register
      const bool invertible = BPF_OP(in.code) != BPF_JSET;
      if (in.jf != 0 && !(in.jt == 0 && invertible)) ++n;  // a second jump for jf
    } else {
      n += 1;
    }
  }
  return n;
}

uint32_t RunProgram(std::span<const sock_filter> prog, const seccomp_data& data) {
  // A malformed program (never one CheckProgram passed) fails closed.
  constexpr uint32_t kFailClosed = SECCOMP_RET_KILL_PROCESS;
  const auto* bytes = reinterpret_cast<const uint8_t*>(&data);
  uint32_t a = 0, x = 0;
  uint32_t mem[kMemWords] = {};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    const uint32_t k = in.k;
    switch (in.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (k > kDataSize - 4) return kFailClosed;
        memcpy(&a, bytes + k, 4);  // host order, as Linux loads seccomp_data
        break;
      case BPF_LD | BPF_W | BPF_LEN:
        a = kDataSize;
        break;
      case BPF_LDX | BPF_W | BPF_LEN:
        x = kDataSize;
        break;
      case BPF_LD | BPF_IMM:
        a = k;
        break;
      case BPF_LDX | BPF_IMM:
        x = k;
        break;
      case BPF_LD | BPF_MEM:
        a = mem[k % kMemWords];
        break;
      case BPF_LDX | BPF_MEM:
        x = mem[k % kMemWords];
        break;
      case BPF_ST:
        mem[k % kMemWords] = a;
        break;
      case BPF_STX:
        mem[k % kMemWords] = x;
        break;
      case BPF_MISC | BPF_TAX:
        x = a;
        break;
      case BPF_MISC | BPF_TXA:
        a = x;
        break;
      case BPF_ALU | BPF_NEG:
        a = 0u - a;
        break;
      case BPF_RET | BPF_K:
        return k;
      case BPF_RET | BPF_A:
        return a;
      case BPF_JMP | BPF_JA:
        pc += k;
        break;
      default:
        if (BPF_CLASS(in.code) == BPF_ALU) {
          const uint32_t v = BPF_SRC(in.code) == BPF_X ? x : k;
          switch (BPF_OP(in.code)) {
            case BPF_ADD:
              a += v;
              break;
            case BPF_SUB:
              a -= v;
              break;
            case BPF_MUL:
              a *= v;
              break;
            case BPF_DIV:
              if (v == 0) return 0;  // only X can be 0 here
              a /= v;
              break;
            case BPF_AND:
              a &= v;
              break;
            case BPF_OR:
              a |= v;
              break;
            case BPF_XOR:
              a ^= v;
              break;
            // A shift by X of 32 or more: the count is taken mod 32, as
            // the x86 instruction Linux's JIT emits (and its interpreter) do.
            case BPF_LSH:
              a <<= (v & 31);
              break;
            case BPF_RSH:
              a >>= (v & 31);
              break;
            default:
              return kFailClosed;
          }
        } else if (IsConditionalJump(in.code)) {
          const uint32_t v = BPF_SRC(in.code) == BPF_X ? x : k;
          bool taken = false;
          switch (BPF_OP(in.code)) {
            case BPF_JEQ:
              taken = a == v;
              break;
            case BPF_JGT:
              taken = a > v;
              break;
            case BPF_JGE:
              taken = a >= v;
              break;
            case BPF_JSET:
              taken = (a & v) != 0;
              break;
          }
          pc += taken ? in.jt : in.jf;
        } else {
          return kFailClosed;
        }
        break;
    }
  }
  return kFailClosed;  // ran off the end
}

}  // namespace sb::kernel::seccomp
