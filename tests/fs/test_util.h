// test_util.h: helpers for the fs unit tests: a temporary host directory
// tree, byte I/O through HostIoVecs, getdents64 parsing and a UserIo over
// the test's own memory.
#pragma once

#include <sys/uio.h>

#include <cstring>
#include <string>
#include <vector>

#include "fs/vfs.h"

namespace sb::fs::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(std::string_view rel) const { return path_ + "/" + std::string(rel); }
  void MakeDir(std::string_view rel, mode_t mode = 0755) const;
  void WriteFile(std::string_view rel, std::string_view data, mode_t mode = 0644) const;
  void Symlink(std::string_view target, std::string_view rel) const;

 private:
  std::string path_;
};

// Reads up to `n` bytes (at `offset`, or the file offset when < 0).
ErrnoOr<std::string> ReadString(FileDescription& f, size_t n = 65536, int64_t offset = -1);
ErrnoOr<size_t> WriteString(FileDescription& f, std::string_view s, int64_t offset = -1);

struct DirEntry {
  std::string name;
  uint64_t ino;
  int64_t off;
  uint8_t type;
};
// Parses the records GetDents64 wrote.
std::vector<DirEntry> ParseDirents(const uint8_t* buf, size_t len);
// Reads a whole directory (names in order).
std::vector<std::string> ListDir(FileDescription& dir);

// UserIo whose "addresses" are this process's own pointers.
class LocalUserIo : public UserIo {
 public:
  ErrnoStatus CopyIn(uint64_t addr, void* dst, size_t n) override {
    std::memcpy(dst, reinterpret_cast<const void*>(addr), n);
    return Ok();
  }
  ErrnoStatus CopyOut(uint64_t addr, const void* src, size_t n) override {
    std::memcpy(reinterpret_cast<void*>(addr), src, n);
    return Ok();
  }
};

// Credentials of an unprivileged user.
Credentials UserCreds(uid_t uid, gid_t gid);

}  // namespace sb::fs::testing

// gtest helpers for ErrnoOr.
#define EXPECT_ERRNO(expr, err)                                                                \
  do {                                                                                         \
    auto&& r_ = (expr);                                                                        \
    ASSERT_FALSE(r_.ok()) << #expr << " succeeded, expected " << ::sb::Errno(err).Name();      \
    EXPECT_EQ(r_.error().value(), err)                                                         \
        << #expr << ": got " << r_.error().Name() << ", expected " << ::sb::Errno(err).Name(); \
  } while (0)
#define ASSERT_OK(expr)                                                \
  do {                                                                 \
    auto&& r_ = (expr);                                                \
    ASSERT_TRUE(r_.ok()) << #expr << " failed: " << r_.error().Name(); \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(SB_CONCAT_(aoa_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)                     \
  auto tmp = (expr);                                                   \
  ASSERT_TRUE(tmp.ok()) << #expr << " failed: " << tmp.error().Name(); \
  lhs = std::move(tmp).value()
