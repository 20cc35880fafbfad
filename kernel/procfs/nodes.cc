// nodes.cc: procfs's generic inodes and their open files.
#include "kernel/procfs/nodes.h"

#include <dirent.h>
#include <linux/capability.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "kernel/kernel.h"

namespace sb::kernel::procfs {
namespace {

// A directory's open file: the listing is taken at the first getdents
// (and again after a rewind), then handed out by index.
class DirFile : public fs::VfsFile {
 public:
  DirFile(const fs::Location& loc, int flags, std::shared_ptr<DirNode> dir)
      : VfsFile(loc, flags), dir_(std::move(dir)) {}

  ErrnoOr<size_t> Read(HostIoVecs, int64_t) override { return Errno(EISDIR); }
  ErrnoOr<size_t> Write(HostIoVecs, int64_t) override { return Errno(EBADF); }

  ErrnoOr<size_t> GetDents64(std::span<uint8_t> buf) override {
    absl::MutexLock lock(&mu_);
    if (!entries_ || pos_ == 0) {
      SB_ASSIGN_OR_RETURN(std::vector<DirEntry> list, dir_->List());
      entries_ = std::move(list);
    }
    size_t used = 0;
    const std::string& path = dir_->args().path;
    while (true) {
      bool ok;
      if (pos_ == 0) {
        ok = fs::PutDirent64(buf, &used, InoOf(path), 1, DT_DIR, ".");
      } else if (pos_ == 1) {
        std::string parent =
            path.substr(0, path.rfind('/') == std::string::npos ? 0 : path.rfind('/'));
        ok = fs::PutDirent64(buf, &used, InoOf(parent), 2, DT_DIR, "..");
      } else {
        size_t i = static_cast<size_t>(pos_ - 2);
        if (i >= entries_->size()) return used;
        const DirEntry& e = (*entries_)[i];
        ok = fs::PutDirent64(buf, &used, InoOf(path + "/" + e.name), pos_ + 1,
                             fs::DirentType(e.mode), e.name);
      }
      if (!ok) {
        if (used == 0) return Errno(EINVAL);
        return used;
      }
      ++pos_;
    }
  }

  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override {
    absl::MutexLock lock(&mu_);
    SB_ASSIGN_OR_RETURN(pos_, fs::SeekSetOrCur(pos_, offset, whence));
    return pos_;
  }

 private:
  const std::shared_ptr<DirNode> dir_;  // immutable
  absl::Mutex mu_;
  // Entries handed out: 0 and 1 are "." and "..", then the list's.
  int64_t pos_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<std::vector<DirEntry>> entries_ ABSL_GUARDED_BY(mu_);
};

// A generated file's open file (Linux's seq_file): the text is made by the
// first read and kept, so reads in pieces see one consistent text; a read
// at offset 0 makes it afresh.
class SeqFile : public fs::VfsFile {
 public:
  SeqFile(const fs::Location& loc, int flags, std::shared_ptr<FileNode> node)
      : VfsFile(loc, flags), node_(std::move(node)) {}

  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    if (!readable()) return Errno(EBADF);
    absl::MutexLock lock(&mu_);
    int64_t at = offset < 0 ? pos_ : offset;
    if (!text_ || at == 0) {
      SB_ASSIGN_OR_RETURN(std::string text, node_->Generate(Task::Current()));
      text_ = std::move(text);
    }
    size_t from = static_cast<size_t>(std::min<int64_t>(at, static_cast<int64_t>(text_->size())));
    size_t done = ScatterToIoVecs(dst, 0, text_->data() + from, text_->size() - from);
    if (offset < 0) pos_ += static_cast<int64_t>(done);
    return done;
  }

  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    if (!writable()) return Errno(EBADF);
    if (!node_->writable()) return Errno(EINVAL);
    std::string data(TotalLength(src), '\0');
    GatherFromIoVecs(src, 0, data.data(), data.size());
    SB_TRY(node_->Write(Task::Current(), data));
    absl::MutexLock lock(&mu_);
    if (offset < 0) pos_ += static_cast<int64_t>(data.size());
    return data.size();
  }

  // Linux's seq_lseek: SEEK_SET and SEEK_CUR only.
  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override {
    absl::MutexLock lock(&mu_);
    SB_ASSIGN_OR_RETURN(pos_, fs::SeekSetOrCur(pos_, offset, whence));
    return pos_;
  }

 private:
  const std::shared_ptr<FileNode> node_;  // immutable
  absl::Mutex mu_;
  int64_t pos_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<std::string> text_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

uint64_t InoOf(std::string_view path) {
  if (path.empty()) return 1;  // the root, as Linux's PROC_ROOT_INO
  // FNV-1a, folded to 32 bits (stat's st_ino of 32-bit programs).
  uint64_t h = 14695981039346656037ULL;
  for (char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  uint32_t folded = static_cast<uint32_t>(h ^ (h >> 32));
  return folded < 2 ? folded + 2 : folded;
}

ErrnoOr<TaskHandle::Target> TaskHandle::Resolve(Kernel& k) const {
  ThreadGroupRef tg = tg_.lock();
  if (!tg) return Errno(ESRCH);
  absl::MutexLock lock(&k.tree_mu_);
  if (!k.groups_.contains(tg->tgid()) || k.groups_.at(tg->tgid()) != tg) return Errno(ESRCH);
  Target t{tg, nullptr};
  const pid_t want = tid_ != 0 ? tid_ : tg->tgid();
  for (Task* task : tg->tasks_) {
    if (task->tid() == want) {
      auto it = k.tasks_.find(want);
      if (it != k.tasks_.end()) t.task = it->second;
    }
  }
  if (!t.task && tid_ != 0) return Errno(ESRCH);  // the thread is gone
  if (!t.task && !tg->tasks_.empty()) {
    // The leader exited before the other threads: describe one of them.
    auto it = k.tasks_.find(tg->tasks_.front()->tid());
    if (it != k.tasks_.end()) t.task = it->second;
  }
  return t;
}

Node::Node(NodeArgs a) : fs::Inode(a.fs), args_(std::move(a)) {}

ErrnoOr<TaskHandle::Target> Node::Target() const {
  if (!args_.task) return Errno(ESRCH);
  return args_.task->Resolve(kernel());
}

ErrnoOr<struct stat> Node::Stat() {
  struct stat st {};
  st.st_dev = fs().dev();
  st.st_ino = InoOf(args_.path);
  st.st_mode = args_.mode;
  st.st_nlink = S_ISDIR(args_.mode) ? 2 : 1;
  st.st_blksize = 1024;
  absl::Time when = kernel().boot_time();
  if (args_.task) {
    auto target = Target();
    if (!target.ok()) return Errno(ENOENT);  // gone, as Linux's revalidate
    TaskHandle::Target t = std::move(target).value();
    when = t.tg->start_time_;
    if (t.task) {
      Task::Resources r = t.task->SnapshotResources();
      if (r.creds) {
        st.st_uid = r.creds->euid;
        st.st_gid = r.creds->egid;
      }
    }
  }
  st.st_atim = st.st_mtim = st.st_ctim = absl::ToTimespec(when);
  return st;
}

ErrnoOr<fs::FileRef> DirNode::Open(const fs::Location& loc, int flags) {
  return fs::FileRef(
      std::make_shared<DirFile>(loc, flags, std::static_pointer_cast<DirNode>(shared_from_this())));
}

ErrnoOr<std::vector<DirEntry>> TableDir::List() {
  if (task()) SB_TRY(Target());  // a reaped task's directory is empty of everything
  std::vector<DirEntry> out;
  for (const Spec& s : specs_) out.push_back(DirEntry{s.name, s.mode});
  return out;
}

ErrnoOr<fs::InodeRef> TableDir::Lookup(std::string_view name) {
  if (task() && !Target().ok()) return Errno(ENOENT);
  for (const Spec& s : specs_) {
    if (s.name == name) return s.make(args().Child(name, s.mode));
  }
  return Errno(ENOENT);
}

ErrnoOr<fs::FileRef> FileNode::Open(const fs::Location& loc, int flags) {
  if (task()) SB_TRY(Target());
  return fs::FileRef(std::make_shared<SeqFile>(
      loc, flags, std::static_pointer_cast<FileNode>(shared_from_this())));
}

TableDir::Factory MakeFile(Generator gen, Writer write) {
  return [gen = std::move(gen), write = std::move(write)](NodeArgs a) -> ErrnoOr<fs::InodeRef> {
    return fs::InodeRef(std::make_shared<FileNode>(std::move(a), gen, write));
  };
}

TableDir::Factory MakeLink(LinkTarget target) {
  return [target = std::move(target)](NodeArgs a) -> ErrnoOr<fs::InodeRef> {
    return fs::InodeRef(std::make_shared<LinkNode>(std::move(a), target));
  };
}

TableDir::Factory MakeTable(std::vector<TableDir::Spec> specs) {
  return [specs = std::move(specs)](NodeArgs a) -> ErrnoOr<fs::InodeRef> {
    return fs::InodeRef(std::make_shared<TableDir>(std::move(a), specs));
  };
}

TableDir::Factory MakeConstant(std::string text) {
  return MakeFile(
      [text = std::move(text)](const Node&, Task*) -> ErrnoOr<std::string> { return text; });
}

bool MayInspect(Task* reader, const TaskHandle::Target& target) {
  if (reader == nullptr || &reader->thread_group() == target.tg.get()) return true;
  if (!target.task) return false;
  Task::Resources theirs = target.task->SnapshotResources();
  if (!theirs.creds) return false;
  const Credentials& me = reader->creds();
  if (me.HasCapability(CAP_SYS_PTRACE)) return true;
  const Credentials& c = *theirs.creds;
  return me.ruid == c.euid && me.ruid == c.suid && me.ruid == c.ruid && me.rgid == c.egid &&
         me.rgid == c.sgid && me.rgid == c.rgid;
}

}  // namespace sb::kernel::procfs
