#include "kernel/task/fd_table.h"

#include "fs/locks.h"

namespace sb::kernel {

FdTable::~FdTable() {
  // The table's end: its POSIX locks go with it.
  std::map<int, Entry> old;
  {
    absl::MutexLock lock(&mu_);
    old.swap(fds_);
  }
  for (const auto& [fd, e] : old) Closed(e.file);
}

void FdTable::Closed(const fs::FileRef& file) {
  if (file) fs::ReleasePosixLocks(*file, this);
}

ErrnoOr<int> FdTable::Install(fs::FileRef file, bool cloexec, int min_fd, uint64_t limit) {
  absl::MutexLock lock(&mu_);
  int fd = min_fd;
  for (auto it = fds_.lower_bound(min_fd); it != fds_.end() && it->first == fd; ++it) ++fd;
  if (static_cast<uint64_t>(fd) >= limit) return Errno(EMFILE);
  fds_[fd] = Entry{std::move(file), cloexec};
  return fd;
}

ErrnoStatus FdTable::InstallAt(int fd, fs::FileRef file, bool cloexec, uint64_t limit) {
  if (fd < 0 || static_cast<uint64_t>(fd) >= limit) return Errno(EBADF);
  Entry old;
  {
    absl::MutexLock lock(&mu_);
    auto& slot = fds_[fd];
    old = std::move(slot);
    slot = Entry{std::move(file), cloexec};
  }
  Closed(old.file);
  return Ok();  // `old` is released here, outside the lock
}

ErrnoOr<fs::FileRef> FdTable::Get(int fd) {
  absl::MutexLock lock(&mu_);
  auto it = fds_.find(fd);
  if (it == fds_.end()) return Errno(EBADF);
  return it->second.file;
}

ErrnoOr<FdTable::Entry> FdTable::GetEntry(int fd) {
  absl::MutexLock lock(&mu_);
  auto it = fds_.find(fd);
  if (it == fds_.end()) return Errno(EBADF);
  return it->second;
}

ErrnoStatus FdTable::SetCloexec(int fd, bool cloexec) {
  absl::MutexLock lock(&mu_);
  auto it = fds_.find(fd);
  if (it == fds_.end()) return Errno(EBADF);
  it->second.cloexec = cloexec;
  return Ok();
}

ErrnoStatus FdTable::Remove(int fd) {
  Entry old;
  {
    absl::MutexLock lock(&mu_);
    auto it = fds_.find(fd);
    if (it == fds_.end()) return Errno(EBADF);
    old = std::move(it->second);
    fds_.erase(it);
  }
  Closed(old.file);
  return Ok();
}

void FdTable::CloseOnExec() {
  std::vector<Entry> closed;  // released after the lock, at scope end
  {
    absl::MutexLock lock(&mu_);
    for (auto it = fds_.begin(); it != fds_.end();) {
      if (it->second.cloexec) {
        closed.push_back(std::move(it->second));
        it = fds_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const Entry& e : closed) Closed(e.file);
}

void FdTable::Clear() {
  std::map<int, Entry> old;
  {
    absl::MutexLock lock(&mu_);
    old.swap(fds_);
  }
  for (const auto& [fd, e] : old) Closed(e.file);
}

FdTableRef FdTable::Fork() {
  auto t = std::make_shared<FdTable>();
  absl::MutexLock lock(&mu_);
  absl::MutexLock copy_lock(&t->mu_);  // t is not shared yet: no order issue
  t->fds_ = fds_;
  return t;
}

std::vector<int> FdTable::Fds() {
  absl::MutexLock lock(&mu_);
  std::vector<int> out;
  for (const auto& [fd, e] : fds_) out.push_back(fd);
  return out;
}

}  // namespace sb::kernel
