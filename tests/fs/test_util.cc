#include "tests/fs/test_util.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace sb::fs::testing {

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/sb_fs_test_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
  path_ = tmpl;
}

TempDir::~TempDir() {
  nftw(
      path_.c_str(),
      [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

void TempDir::MakeDir(std::string_view rel, mode_t mode) const {
  if (mkdir((*this / rel).c_str(), mode) != 0) throw std::runtime_error("mkdir");
  chmod((*this / rel).c_str(), mode);
}

void TempDir::WriteFile(std::string_view rel, std::string_view data, mode_t mode) const {
  int fd = open((*this / rel).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("open");
  if (write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
    close(fd);
    throw std::runtime_error("write");
  }
  fchmod(fd, mode);
  close(fd);
}

void TempDir::Symlink(std::string_view target, std::string_view rel) const {
  if (symlink(std::string(target).c_str(), (*this / rel).c_str()) != 0) {
    throw std::runtime_error("symlink");
  }
}

ErrnoOr<std::string> ReadString(FileDescription& f, size_t n, int64_t offset) {
  std::string buf(n, '\0');
  struct iovec iov = {buf.data(), n};
  SB_ASSIGN_OR_RETURN(size_t got, f.Read(HostIoVecs(&iov, 1), offset));
  buf.resize(got);
  return buf;
}

ErrnoOr<size_t> WriteString(FileDescription& f, std::string_view s, int64_t offset) {
  struct iovec iov = {const_cast<char*>(s.data()), s.size()};
  return f.Write(HostIoVecs(&iov, 1), offset);
}

std::vector<DirEntry> ParseDirents(const uint8_t* buf, size_t len) {
  std::vector<DirEntry> out;
  size_t pos = 0;
  while (pos < len) {
    DirEntry e;
    uint16_t reclen;
    std::memcpy(&e.ino, buf + pos, 8);
    std::memcpy(&e.off, buf + pos + 8, 8);
    std::memcpy(&reclen, buf + pos + 16, 2);
    e.type = buf[pos + 18];
    e.name = reinterpret_cast<const char*>(buf + pos + 19);
    out.push_back(e);
    pos += reclen;
  }
  return out;
}

std::vector<std::string> ListDir(FileDescription& dir) {
  std::vector<std::string> names;
  std::vector<uint8_t> buf(4096);
  while (true) {
    auto n = dir.GetDents64(buf);
    if (!n.ok() || *n == 0) break;
    for (auto& e : ParseDirents(buf.data(), *n)) names.push_back(e.name);
  }
  return names;
}

Credentials UserCreds(uid_t uid, gid_t gid) {
  Credentials c;
  c.ruid = c.euid = c.suid = c.fsuid = uid;
  c.rgid = c.egid = c.sgid = c.fsgid = gid;
  return c;
}

}  // namespace sb::fs::testing
