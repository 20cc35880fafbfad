#include "kernel/loader/elf_loader.h"

#include <elf.h>
#include <sys/auxv.h>
#include <sys/random.h>

#include <cstring>

#include "kernel/base/abi.h"
#include "kernel/platform/stub_layout.h"

namespace sb::kernel::loader {
namespace {

using sb::abi::kPageMask;
using sb::abi::PageDown;
using sb::abi::PageUp;

// Where a position-independent main program goes (Linux's ELF_ET_DYN_BASE
// without randomisation).
constexpr uint64_t kEtDynBase = 0x555555554000ULL;

ErrnoStatus ReadAt(fs::FileDescription& f, void* buf, size_t len, uint64_t off) {
  struct iovec iov = {buf, len};
  size_t done = 0;
  while (done < len) {
    iov = {static_cast<uint8_t*>(buf) + done, len - done};
    SB_ASSIGN_OR_RETURN(size_t n, f.Read(HostIoVecs(&iov, 1), static_cast<int64_t>(off + done)));
    if (n == 0) return Errno(EIO);  // truncated file
    done += n;
  }
  return Ok();
}

struct Image {
  Elf64_Ehdr ehdr;
  std::vector<Elf64_Phdr> phdrs;
};

ErrnoOr<Image> ReadImage(fs::FileDescription& f) {
  Image img;
  SB_TRY(ReadAt(f, &img.ehdr, sizeof(img.ehdr), 0));
  const Elf64_Ehdr& e = img.ehdr;
  if (!IsElf(e.e_ident, sizeof(e.e_ident))) return Errno(ENOEXEC);
  if (e.e_ident[EI_CLASS] != ELFCLASS64 || e.e_ident[EI_DATA] != ELFDATA2LSB ||
      e.e_machine != EM_X86_64 || (e.e_type != ET_EXEC && e.e_type != ET_DYN) ||
      e.e_phentsize != sizeof(Elf64_Phdr) || e.e_phnum == 0 ||
      e.e_phnum > 65536 / sizeof(Elf64_Phdr)) {
    return Errno(ENOEXEC);
  }
  img.phdrs.resize(e.e_phnum);
  SB_TRY(ReadAt(f, img.phdrs.data(), e.e_phnum * sizeof(Elf64_Phdr), e.e_phoff));
  return img;
}

int ProtOf(uint32_t pflags) {
  return ((pflags & PF_R) ? PROT_READ : 0) | ((pflags & PF_W) ? PROT_WRITE : 0) |
         ((pflags & PF_X) ? PROT_EXEC : 0);
}

struct Loaded {
  uint64_t bias = 0;
  uint64_t end = 0;  // highest mapped address (brk starts here)
  uint64_t phdr = 0;
};

// Maps every PT_LOAD of `img`. Position-independent images go at `want`
// (0: wherever there is room).
ErrnoOr<Loaded> MapImage(mm::MemoryManager& mm, fs::FileDescription& f, const Image& img,
                         const std::string& name, uint64_t want, uint64_t dev, uint64_t ino) {
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& p : img.phdrs) {
    if (p.p_type != PT_LOAD) continue;
    if ((p.p_vaddr & kPageMask) != (p.p_offset & kPageMask)) return Errno(EINVAL);
    if (p.p_filesz > p.p_memsz) return Errno(EINVAL);
    lo = std::min(lo, PageDown(p.p_vaddr));
    hi = std::max(hi, PageUp(p.p_vaddr + p.p_memsz));
  }
  if (lo >= hi) return Errno(ENOEXEC);
  Loaded out;
  if (img.ehdr.e_type == ET_DYN) {
    // Reserve the whole span, then place the segments inside it.
    mm::MapRequest reserve;
    reserve.addr = want;
    reserve.length = hi - lo;
    reserve.prot = PROT_NONE;
    reserve.placement =
        want ? mm::MapRequest::Placement::kFixedNoReplace : mm::MapRequest::Placement::kHint;
    SB_ASSIGN_OR_RETURN(uint64_t base, mm.Map(nullptr, reserve));
    out.bias = base - lo;
  }
  uint64_t prev_end = out.bias + lo;
  for (const auto& p : img.phdrs) {
    if (p.p_type != PT_LOAD || p.p_memsz == 0) continue;
    const uint64_t start = PageDown(out.bias + p.p_vaddr);
    const uint64_t end = PageUp(out.bias + p.p_vaddr + p.p_memsz);
    const uint64_t file_start = PageDown(p.p_offset);
    const uint64_t file_len = (p.p_offset + p.p_filesz) - file_start;
    if (start > prev_end && img.ehdr.e_type == ET_DYN) {
      SB_TRY(mm.Unmap(nullptr, prev_end, start - prev_end));  // a hole in the reservation
    }
    mm::MapRequest seg;
    seg.addr = start;
    seg.length = end - start;
    seg.prot = ProtOf(p.p_flags);
    seg.placement = mm::MapRequest::Placement::kFixed;
    seg.name = name;
    seg.file_offset = file_start;
    seg.dev = dev;
    seg.ino = ino;
    seg.fill = [&f, file_start, file_len](uint8_t* host, uint64_t len) -> ErrnoStatus {
      return ReadAt(f, host, std::min(file_len, len), file_start);
    };
    SB_TRY(mm.Map(nullptr, seg).ok() ? Ok() : ErrnoStatus(Errno(ENOMEM)));
    prev_end = std::max(prev_end, end);
    out.end = std::max(out.end, end);
    if (p.p_offset <= img.ehdr.e_phoff &&
        img.ehdr.e_phoff + img.ehdr.e_phnum * sizeof(Elf64_Phdr) <= p.p_offset + p.p_filesz) {
      out.phdr = out.bias + p.p_vaddr + (img.ehdr.e_phoff - p.p_offset);
    }
  }
  for (const auto& p : img.phdrs) {
    if (p.p_type == PT_PHDR) out.phdr = out.bias + p.p_vaddr;
  }
  return out;
}

// Builds the initial stack image: strings at the top, then the vectors.
class StackBuilder {
 public:
  explicit StackBuilder(uint64_t top) : sp_(top) {}
  uint64_t PushBytes(const void* data, size_t len) {
    sp_ -= len;
    bytes_.insert(bytes_.begin(), static_cast<const uint8_t*>(data),
                  static_cast<const uint8_t*>(data) + len);
    return sp_;
  }
  uint64_t PushString(const std::string& s) { return PushBytes(s.c_str(), s.size() + 1); }
  void Align(uint64_t a) {
    uint64_t pad = sp_ - (sp_ & ~(a - 1));
    std::vector<uint8_t> zeros(pad, 0);
    if (pad) PushBytes(zeros.data(), pad);
  }
  uint64_t sp() const { return sp_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  uint64_t sp_;
  std::vector<uint8_t> bytes_;  // [sp_, top)
};

}  // namespace

bool IsElf(const uint8_t* header, size_t len) {
  return len >= SELFMAG && memcmp(header, ELFMAG, SELFMAG) == 0;
}

ErrnoOr<LoadResult> LoadElf(mm::MemoryManager& mm, const LoadRequest& req) {
  SB_ASSIGN_OR_RETURN(Image img, ReadImage(*req.file));
  SB_ASSIGN_OR_RETURN(struct stat st, req.file->Stat());

  // The interpreter, if any.
  fs::FileRef interp_file;
  std::string interp_path;
  Image interp;
  for (const auto& p : img.phdrs) {
    if (p.p_type != PT_INTERP) continue;
    if (p.p_filesz < 2 || p.p_filesz > sb::abi::kPathMax) return Errno(ENOEXEC);
    std::string path(p.p_filesz, '\0');
    SB_TRY(ReadAt(*req.file, path.data(), p.p_filesz, p.p_offset));
    if (path.back() != '\0') return Errno(ENOEXEC);
    path.pop_back();
    interp_path = path;
    SB_ASSIGN_OR_RETURN(interp_file, req.mntns->OpenAt(*req.ctx, req.ctx->cwd, path, O_RDONLY, 0));
    // The ELF interpreter is opened as an executable (Linux's open_exec()).
    if (auto l = interp_file->location(); l && fs::MountNamespace::NoExec(*l)) {
      return Errno(EACCES);
    }
    SB_ASSIGN_OR_RETURN(interp, ReadImage(*interp_file));
    if (interp.ehdr.e_type != ET_DYN && interp.ehdr.e_type != ET_EXEC) return Errno(ELIBBAD);
  }

  uint64_t want = img.ehdr.e_type == ET_DYN ? kEtDynBase : 0;
  SB_ASSIGN_OR_RETURN(Loaded main,
                      MapImage(mm, *req.file, img, req.path, want, st.st_dev, st.st_ino));
  mm.SetBrkBase(main.end);
  uint64_t entry = main.bias + img.ehdr.e_entry;
  uint64_t base = 0;
  if (interp_file) {
    SB_ASSIGN_OR_RETURN(struct stat ist, interp_file->Stat());
    SB_ASSIGN_OR_RETURN(Loaded li,
                        MapImage(mm, *interp_file, interp, interp_path, 0, ist.st_dev, ist.st_ino));
    base = li.bias;
    entry = li.bias + interp.ehdr.e_entry;
  }

  // The stack: the arguments, environment and auxiliary vector plus 128
  // KiB, within RLIMIT_STACK (Linux's setup_arg_pages); it grows on demand
  // from there (MemoryManager::GrowStack).
  uint64_t args = 4096;  // auxv, random bytes, platform string, alignment
  for (const auto& a : req.argv) args += a.size() + 1 + sizeof(uint64_t);
  for (const auto& e : req.envp) args += e.size() + 1 + sizeof(uint64_t);
  args += req.execfn.size() + 1;
  const uint64_t limit = std::max<uint64_t>(req.stack_limit & ~uint64_t{4095}, 4096);
  uint64_t stack_size = ((args + 4095) & ~uint64_t{4095}) + mm::MemoryManager::kInitialStackExtra;
  stack_size = std::min(stack_size, std::max(limit, (args + 4095) & ~uint64_t{4095}));
  mm::MapRequest stack;
  stack.addr = mm::MemoryManager::kStackTop - stack_size;
  stack.length = stack_size;
  stack.prot = PROT_READ | PROT_WRITE;
  stack.growsdown = true;
  stack.placement = mm::MapRequest::Placement::kFixed;
  stack.name = "[stack]";
  SB_TRY(mm.Map(nullptr, stack).ok() ? Ok() : ErrnoStatus(Errno(ENOMEM)));

  StackBuilder sb(mm::MemoryManager::kStackTop);
  uint64_t zero = 0;
  sb.PushBytes(&zero, sizeof(zero));
  const uint64_t execfn = sb.PushString(req.execfn);
  std::vector<uint64_t> envp_addrs(req.envp.size()), argv_addrs(req.argv.size());
  for (size_t i = req.envp.size(); i-- > 0;) envp_addrs[i] = sb.PushString(req.envp[i]);
  const uint64_t env_end = execfn, env_start = req.envp.empty() ? execfn : envp_addrs[0];
  for (size_t i = req.argv.size(); i-- > 0;) argv_addrs[i] = sb.PushString(req.argv[i]);
  const uint64_t arg_start = req.argv.empty() ? env_start : argv_addrs[0];
  sb.Align(16);
  const uint64_t platform = sb.PushString("x86_64");
  uint8_t random[16];
  if (getrandom(random, sizeof(random), 0) != sizeof(random)) return Errno(EIO);
  const uint64_t random_addr = sb.PushBytes(random, sizeof(random));
  sb.Align(16);

  // Linux's order: the architecture's entries (ARCH_DLINFO: the vDSO, which
  // we do not map, then AT_MINSIGSTKSZ) come first.
  std::vector<uint64_t> auxv = {
      AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) ? getauxval(AT_MINSIGSTKSZ) : 2048,
      AT_HWCAP,       getauxval(AT_HWCAP),
      AT_PAGESZ,      sb::abi::kPageSize,
      AT_CLKTCK,      100,
      AT_PHDR,        main.phdr,
      AT_PHENT,       sizeof(Elf64_Phdr),
      AT_PHNUM,       img.ehdr.e_phnum,
      AT_BASE,        base,
      AT_FLAGS,       0,
      AT_ENTRY,       main.bias + img.ehdr.e_entry,
      AT_UID,         req.creds->ruid,
      AT_EUID,        req.creds->euid,
      AT_GID,         req.creds->rgid,
      AT_EGID,        req.creds->egid,
      AT_SECURE,      0,
      AT_RANDOM,      random_addr,
      AT_HWCAP2,      getauxval(AT_HWCAP2),
      AT_EXECFN,      execfn,
      AT_PLATFORM,    platform,
      AT_NULL,        0,
  };
  std::vector<uint64_t> vec;
  vec.push_back(req.argv.size());
  vec.insert(vec.end(), argv_addrs.begin(), argv_addrs.end());
  vec.push_back(0);
  vec.insert(vec.end(), envp_addrs.begin(), envp_addrs.end());
  vec.push_back(0);
  vec.insert(vec.end(), auxv.begin(), auxv.end());
  // rsp must be 16-byte aligned at entry, pointing at argc.
  if ((sb.sp() - vec.size() * 8) & 15) {
    sb.PushBytes(&zero, 8);
  }
  const uint64_t sp = sb.PushBytes(vec.data(), vec.size() * 8);

  SB_ASSIGN_OR_RETURN(auto iov, mm.Translate(sp, sb.bytes().size(), PROT_WRITE));
  const uint8_t* src = sb.bytes().data();
  for (const auto& v : iov) {
    memcpy(v.iov_base, src, v.iov_len);
    src += v.iov_len;
  }
  mm::MemoryManager::Layout layout;
  layout.arg_start = arg_start;
  layout.arg_end = env_start;
  layout.env_start = env_start;
  layout.env_end = env_end;
  layout.start_stack = sp;
  layout.auxv = auxv;
  layout.exe_path = req.path;
  mm.set_layout(std::move(layout));
  return LoadResult{entry, sp};
}

}  // namespace sb::kernel::loader
