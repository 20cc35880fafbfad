// creds.cc: the set*id and get*id families, setgroups, capget and capset
// (Linux's kernel/sys.c, kernel/groups.c, kernel/capability.c). Changes make
// a new Credentials, as commit_creds does; fs/ reads them per call.
#include <linux/capability.h>

#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int kCapSetuid = 7, kCapSetgid = 6, kCapSetpcap = 8;
constexpr uint32_t kNoChange = static_cast<uint32_t>(-1);

// Linux's cap_emulate_setxuid: losing every root uid clears the permitted
// and effective sets (unless keep_caps); a euid change 0 <-> non-0 adjusts
// the effective set.
void FixCapsAfterUidChange(Credentials& c, const Credentials& old, bool keep_caps) {
  const bool had_root = old.ruid == 0 || old.euid == 0 || old.suid == 0;
  const bool has_root = c.ruid == 0 || c.euid == 0 || c.suid == 0;
  if (had_root && !has_root) {
    if (!keep_caps) c.cap_permitted = 0;
    c.cap_effective = 0;
    c.cap_ambient = 0;
  }
  if (old.euid == 0 && c.euid != 0) c.cap_effective = 0;
  if (old.euid != 0 && c.euid == 0) c.cap_effective = c.cap_permitted;
  // fsuid follows euid; CAP_FS_MASK bits follow fsuid (cap_emulate_setfsuid).
  c.fsuid = c.euid;
}

bool IsOneOf(uint32_t id, uint32_t a, uint32_t b, uint32_t c) {
  return id == a || id == b || id == c;
}

SyscallResult SetResUid(Task& t, uint32_t r, uint32_t e, uint32_t s) {
  const Credentials& old = t.creds();
  const bool priv = old.HasCapability(kCapSetuid);
  auto allowed = [&](uint32_t id) {
    return id == kNoChange || priv || IsOneOf(id, old.ruid, old.euid, old.suid);
  };
  if (!allowed(r) || !allowed(e) || !allowed(s)) return Errno(EPERM);
  Credentials c = old;
  if (r != kNoChange) c.ruid = r;
  if (e != kNoChange) c.euid = e;
  if (s != kNoChange) c.suid = s;
  FixCapsAfterUidChange(c, old, t.keep_caps);
  t.SetCredentials(std::move(c));
  return 0;
}

SyscallResult SetResGid(Task& t, uint32_t r, uint32_t e, uint32_t s) {
  const Credentials& old = t.creds();
  const bool priv = old.HasCapability(kCapSetgid);
  auto allowed = [&](uint32_t id) {
    return id == kNoChange || priv || IsOneOf(id, old.rgid, old.egid, old.sgid);
  };
  if (!allowed(r) || !allowed(e) || !allowed(s)) return Errno(EPERM);
  Credentials c = old;
  if (r != kNoChange) c.rgid = r;
  if (e != kNoChange) c.egid = e;
  if (s != kNoChange) c.sgid = s;
  c.fsgid = c.egid;
  t.SetCredentials(std::move(c));
  return 0;
}

}  // namespace

SyscallResult Setuid(Task& t, const SyscallArgs& a) {
  const uint32_t uid = a.u32(0);
  if (uid == kNoChange) return Errno(EINVAL);
  const Credentials& old = t.creds();
  if (old.HasCapability(kCapSetuid)) return SetResUid(t, uid, uid, uid);
  if (uid != old.ruid && uid != old.suid) return Errno(EPERM);
  return SetResUid(t, kNoChange, uid, kNoChange);
}

SyscallResult Setgid(Task& t, const SyscallArgs& a) {
  const uint32_t gid = a.u32(0);
  if (gid == kNoChange) return Errno(EINVAL);
  const Credentials& old = t.creds();
  if (old.HasCapability(kCapSetgid)) return SetResGid(t, gid, gid, gid);
  if (gid != old.rgid && gid != old.sgid) return Errno(EPERM);
  return SetResGid(t, kNoChange, gid, kNoChange);
}

SyscallResult Setreuid(Task& t, const SyscallArgs& a) {
  const uint32_t r = a.u32(0), e = a.u32(1);
  const Credentials& old = t.creds();
  const bool priv = old.HasCapability(kCapSetuid);
  if (r != kNoChange && !priv && r != old.ruid && r != old.euid) return Errno(EPERM);
  if (e != kNoChange && !priv && !IsOneOf(e, old.ruid, old.euid, old.suid)) return Errno(EPERM);
  // The saved uid becomes the new euid if the real uid is set or the euid
  // changes to something other than the old real uid.
  uint32_t s = kNoChange;
  const uint32_t new_e = e == kNoChange ? old.euid : e;
  if (r != kNoChange || (e != kNoChange && e != old.ruid)) s = new_e;
  Credentials c = old;
  if (r != kNoChange) c.ruid = r;
  c.euid = new_e;
  if (s != kNoChange) c.suid = s;
  FixCapsAfterUidChange(c, old, t.keep_caps);
  t.SetCredentials(std::move(c));
  return 0;
}

SyscallResult Setregid(Task& t, const SyscallArgs& a) {
  const uint32_t r = a.u32(0), e = a.u32(1);
  const Credentials& old = t.creds();
  const bool priv = old.HasCapability(kCapSetgid);
  if (r != kNoChange && !priv && r != old.rgid && r != old.egid) return Errno(EPERM);
  if (e != kNoChange && !priv && !IsOneOf(e, old.rgid, old.egid, old.sgid)) return Errno(EPERM);
  const uint32_t new_e = e == kNoChange ? old.egid : e;
  Credentials c = old;
  if (r != kNoChange) c.rgid = r;
  c.egid = new_e;
  if (r != kNoChange || (e != kNoChange && e != old.rgid)) c.sgid = new_e;
  c.fsgid = c.egid;
  t.SetCredentials(std::move(c));
  return 0;
}

SyscallResult Setresuid(Task& t, const SyscallArgs& a) {
  return SetResUid(t, a.u32(0), a.u32(1), a.u32(2));
}
SyscallResult Setresgid(Task& t, const SyscallArgs& a) {
  return SetResGid(t, a.u32(0), a.u32(1), a.u32(2));
}

SyscallResult Getresuid(Task& t, const SyscallArgs& a) {
  const Credentials& c = t.creds();
  SB_TRY(t.CopyOutObj<uint32_t>(a.addr(0), c.ruid));
  SB_TRY(t.CopyOutObj<uint32_t>(a.addr(1), c.euid));
  SB_TRY(t.CopyOutObj<uint32_t>(a.addr(2), c.suid));
  return 0;
}

SyscallResult Getresgid(Task& t, const SyscallArgs& a) {
  const Credentials& c = t.creds();
  SB_TRY(t.CopyOutObj<uint32_t>(a.addr(0), c.rgid));
  SB_TRY(t.CopyOutObj<uint32_t>(a.addr(1), c.egid));
  SB_TRY(t.CopyOutObj<uint32_t>(a.addr(2), c.sgid));
  return 0;
}

SyscallResult Setfsuid(Task& t, const SyscallArgs& a) {
  const uint32_t id = a.u32(0);
  Credentials c = t.creds();
  const uint32_t old = c.fsuid;
  if (id != kNoChange &&
      (c.HasCapability(kCapSetuid) || IsOneOf(id, c.ruid, c.euid, c.suid) || id == c.fsuid)) {
    c.fsuid = id;
    t.SetCredentials(std::move(c));
  }
  return old;  // setfsuid always returns the previous value
}

SyscallResult Setfsgid(Task& t, const SyscallArgs& a) {
  const uint32_t id = a.u32(0);
  Credentials c = t.creds();
  const uint32_t old = c.fsgid;
  if (id != kNoChange &&
      (c.HasCapability(kCapSetgid) || IsOneOf(id, c.rgid, c.egid, c.sgid) || id == c.fsgid)) {
    c.fsgid = id;
    t.SetCredentials(std::move(c));
  }
  return old;
}

SyscallResult Setgroups(Task& t, const SyscallArgs& a) {
  const int size = a.i32(0);
  constexpr int kNgroupsMax = abi::kNgroupsMax;
  if (size < 0 || size > kNgroupsMax) return Errno(EINVAL);
  if (!t.creds().HasCapability(kCapSetgid)) return Errno(EPERM);
  std::vector<gid_t> groups(size);
  if (size) SB_TRY(t.CopyIn(a.addr(1), groups.data(), size * sizeof(gid_t)));
  std::sort(groups.begin(), groups.end());
  Credentials c = t.creds();
  c.groups = std::move(groups);
  t.SetCredentials(std::move(c));
  return 0;
}

namespace {

struct CapHeader {
  uint32_t version;
  int32_t pid;
};
struct CapData {
  uint32_t effective, permitted, inheritable;
};

// Checks the header; on a bad version Linux writes the preferred one back
// and fails with EINVAL. Returns how many CapData words follow (1 or 2).
ErrnoOr<int> CapWords(Task& t, uint64_t hdr_addr, CapHeader& hdr) {
  SB_ASSIGN_OR_RETURN(hdr, t.CopyInObj<CapHeader>(hdr_addr));
  switch (hdr.version) {
    case _LINUX_CAPABILITY_VERSION_1:
      return 1;
    case _LINUX_CAPABILITY_VERSION_2:
    case _LINUX_CAPABILITY_VERSION_3:
      return 2;
    default:
      hdr.version = _LINUX_CAPABILITY_VERSION_3;
      SB_TRY(t.CopyOutObj(hdr_addr, hdr));
      return Errno(EINVAL);
  }
}

}  // namespace

SyscallResult Capget(Task& t, const SyscallArgs& a) {
  CapHeader hdr;
  auto words = CapWords(t, a.addr(0), hdr);
  if (!words.ok()) {
    // Probing with a NULL data pointer learns the version without failing.
    if (a.addr(1) == 0 && words.error().value() == EINVAL) return 0;
    return words.error();
  }
  if (hdr.pid < 0) return Errno(EINVAL);
  const Credentials* c = &t.creds();
  TaskRef other;
  if (hdr.pid != 0 && hdr.pid != t.pid()->local()) {
    other = t.kernel().FindTaskIn(t.pid_namespace(), hdr.pid);
    if (!other) return Errno(ESRCH);
    c = &other->creds();
  }
  if (a.addr(1) == 0) return 0;
  CapData d[2] = {};
  for (int i = 0; i < *words; ++i) {
    d[i].effective = static_cast<uint32_t>(c->cap_effective >> (32 * i));
    d[i].permitted = static_cast<uint32_t>(c->cap_permitted >> (32 * i));
    d[i].inheritable = static_cast<uint32_t>(c->cap_inheritable >> (32 * i));
  }
  SB_TRY(t.CopyOut(a.addr(1), d, sizeof(CapData) * *words));
  return 0;
}

SyscallResult Capset(Task& t, const SyscallArgs& a) {
  CapHeader hdr;
  SB_ASSIGN_OR_RETURN(int words, CapWords(t, a.addr(0), hdr));
  if (hdr.pid != 0 && hdr.pid != t.pid()->local()) return Errno(EPERM);
  CapData d[2] = {};
  SB_TRY(t.CopyIn(a.addr(1), d, sizeof(CapData) * words));
  auto join = [&](uint32_t CapData::*f) {
    uint64_t v = 0;
    for (int i = 0; i < words; ++i) v |= uint64_t{d[i].*f} << (32 * i);
    return v & kAllCaps;
  };
  const uint64_t eff = join(&CapData::effective), perm = join(&CapData::permitted),
                 inh = join(&CapData::inheritable);
  const Credentials& old = t.creds();
  // Linux's cap_capset rules.
  if (!old.HasCapability(kCapSetpcap) && (inh & ~(old.cap_inheritable | old.cap_permitted)) != 0) {
    return Errno(EPERM);
  }
  if ((inh & ~(old.cap_inheritable | old.cap_bounding)) != 0) return Errno(EPERM);
  if ((perm & ~old.cap_permitted) != 0) return Errno(EPERM);
  if ((eff & ~perm) != 0) return Errno(EPERM);
  Credentials c = old;
  c.cap_effective = eff;
  c.cap_permitted = perm;
  c.cap_inheritable = inh;
  c.cap_ambient &= perm & inh;
  t.SetCredentials(std::move(c));
  return 0;
}

}  // namespace sb::kernel
