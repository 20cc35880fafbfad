// nodes.h: the building blocks of procfs: the filesystem object (bound to
// one PID namespace), the handle a per-task file keeps on its task, and
// the generic inodes every procfs file is made of: directories (a fixed
// table or a computed list), files whose text is generated when read, and
// symlinks whose target is computed when followed.
//
// Nothing here holds state of its own: every read asks the kernel (tasks,
// thread groups, address spaces, fd tables) afresh, so procfs has nothing
// to checkpoint or restore; a restored kernel's /proc shows its tasks.
//
// Inode numbers are a hash of the file's path within the mount, so one
// file keeps its number across lookups (dentries are rebuilt freely).
// Locks: procfs's open files have their own position mutex, taken before
// anything else. Lookups run under the parent Dentry::mu_. Both come
// before Kernel::tree_mu_ and the locks below it (kernel.h), which
// procfs takes one at a time; Task::share_mu_ is a leaf.
#pragma once

#include <sys/vfs.h>

#include <sys/stat.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fs/inode.h"
#include "fs/vfs_file.h"
#include "kernel/task/pid_namespace.h"
#include "kernel/task/task.h"
#include "kernel/task/thread_group.h"

namespace sb::kernel {
class Kernel;
}

namespace sb::kernel::procfs {

class ProcFs : public fs::Filesystem {
 public:
  ProcFs(Kernel& kernel, PidNamespaceRef pidns)
      : fs::Filesystem("proc"), kernel_(kernel), pidns_(std::move(pidns)) {}
  Kernel& kernel() const { return kernel_; }
  // The namespace whose processes this instance lists.
  PidNamespace& pidns() const { return *pidns_; }
  // statfs(2): PROC_SUPER_MAGIC, no blocks, as Linux.
  ErrnoOr<struct statfs> StatFs() override {
    struct statfs st {};
    st.f_type = 0x9fa0;  // PROC_SUPER_MAGIC
    st.f_bsize = 4096;
    st.f_namelen = 255;
    st.f_frsize = 4096;
    return st;
  }

 private:
  Kernel& kernel_;               // outlives every mount of it
  const PidNamespaceRef pidns_;  // immutable
};
using ProcFsRef = std::shared_ptr<ProcFs>;

// The task a per-task file describes: a process (its leader, or any live
// thread once the leader has exited) or one thread. Holds no reference
// that keeps the task alive: a reaped task's files fail with ESRCH.
class TaskHandle {
 public:
  // `tid`: the thread's global ID, or 0 for the process itself.
  TaskHandle(std::weak_ptr<ThreadGroup> tg, pid_t tid) : tg_(std::move(tg)), tid_(tid) {}
  struct Target {
    ThreadGroupRef tg;
    TaskRef task;  // null when every thread has exited (a zombie)
  };
  ErrnoOr<Target> Resolve(Kernel& k) const;
  bool is_thread() const { return tid_ != 0; }

 private:
  const std::weak_ptr<ThreadGroup> tg_;
  const pid_t tid_;
};
using HandleRef = std::shared_ptr<const TaskHandle>;

// What every node is made with.
struct NodeArgs {
  ProcFsRef fs;
  std::string path;  // within the mount: "" for the root, "/1/status"
  mode_t mode;       // type and permission bits
  HandleRef task;    // null outside /proc/[pid]
  // The same for entry `name` below this one.
  NodeArgs Child(std::string_view name, mode_t child_mode) const {
    return NodeArgs{fs, path + "/" + std::string(name), child_mode, task};
  }
};

// The inode number of the file at `path` in a procfs mount.
uint64_t InoOf(std::string_view path);

class Node : public fs::Inode {
 public:
  explicit Node(NodeArgs a);
  ProcFs& procfs() const { return static_cast<ProcFs&>(fs()); }
  Kernel& kernel() const { return procfs().kernel(); }
  const NodeArgs& args() const { return args_; }
  const HandleRef& task() const { return args_.task; }
  // The task this node describes (ESRCH without one, or once reaped).
  ErrnoOr<TaskHandle::Target> Target() const;

  // Per-task files belong to the task's effective user and group, as Linux's.
  ErrnoOr<struct stat> Stat() override;

 private:
  const NodeArgs args_;  // immutable
};

// One directory entry (besides "." and "..").
struct DirEntry {
  std::string name;
  mode_t mode;  // the child's S_IFMT bits suffice
};

class DirNode : public Node {
 public:
  using Node::Node;
  // The entries in readdir order.
  virtual ErrnoOr<std::vector<DirEntry>> List() = 0;
  ErrnoOr<fs::FileRef> Open(const fs::Location& loc, int flags) override;
};

// A directory with a fixed list of entries, each built when looked up.
class TableDir : public DirNode {
 public:
  using Factory = std::function<ErrnoOr<fs::InodeRef>(NodeArgs)>;
  struct Spec {
    std::string name;
    mode_t mode;
    Factory make;
  };
  TableDir(NodeArgs a, std::vector<Spec> specs) : DirNode(std::move(a)), specs_(std::move(specs)) {}
  ErrnoOr<std::vector<DirEntry>> List() override;
  ErrnoOr<fs::InodeRef> Lookup(std::string_view name) override;

 private:
  const std::vector<Spec> specs_;  // immutable
};

// `reader`: the task reading or writing (Task::Current(); null on other
// threads).
using Generator = std::function<ErrnoOr<std::string>(const Node& node, Task* reader)>;
using Writer = std::function<ErrnoStatus(const Node& node, Task* writer, std::string_view data)>;
using LinkTarget = std::function<ErrnoOr<std::string>(const Node& node, Task* reader)>;

// A file whose text is generated when it is first read (and again by a
// read at offset 0, as Linux's seq_file), optionally writable.
class FileNode : public Node {
 public:
  FileNode(NodeArgs a, Generator gen, Writer write = nullptr)
      : Node(std::move(a)), gen_(std::move(gen)), write_(std::move(write)) {}
  ErrnoOr<fs::FileRef> Open(const fs::Location& loc, int flags) override;
  // O_TRUNC of a writable file does nothing (`echo x > /proc/self/comm`).
  ErrnoStatus Truncate(uint64_t) override { return write_ ? Ok() : Errno(EINVAL); }
  ErrnoOr<std::string> Generate(Task* reader) const { return gen_(*this, reader); }
  bool writable() const { return write_ != nullptr; }
  ErrnoStatus Write(Task* writer, std::string_view data) const {
    return write_(*this, writer, data);
  }

 private:
  const Generator gen_;  // immutable
  const Writer write_;   // immutable; null: read-only
};

class LinkNode : public Node {
 public:
  LinkNode(NodeArgs a, LinkTarget target) : Node(std::move(a)), target_(std::move(target)) {}
  ErrnoOr<std::string> Readlink() override { return target_(*this, Task::Current()); }
  ErrnoOr<fs::FileRef> Open(const fs::Location&, int) override { return Errno(ELOOP); }

 private:
  const LinkTarget target_;  // immutable
};

// Factories for TableDir specs.
TableDir::Factory MakeFile(Generator gen, Writer write = nullptr);
TableDir::Factory MakeLink(LinkTarget target);
TableDir::Factory MakeTable(std::vector<TableDir::Spec> specs);
// A file with fixed text (sysctl constants).
TableDir::Factory MakeConstant(std::string text);

// May `reader` see the private parts of `target` (environ, auxv, fd links,
// cwd, exe)? Linux's ptrace_may_access in its /proc read mode: the same
// thread group, or the same real/effective/saved IDs, or CAP_SYS_PTRACE.
// A caller that is no task (the kernel itself) may.
bool MayInspect(Task* reader, const TaskHandle::Target& target);

}  // namespace sb::kernel::procfs
