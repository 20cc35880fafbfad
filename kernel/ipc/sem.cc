// sem.cc: removal of semaphore sets and SEM_UNDO at exit.
#include "kernel/ipc/sem.h"

#include <poll.h>

#include <algorithm>
#include <vector>

namespace sb::kernel::ipc {
namespace {

struct UndoRef {
  std::weak_ptr<SemNamespace> ns;
  std::weak_ptr<SemSet> set;
};

// Which sets each process holds adjustments in. Processes are few and the
// lists short; one lock for all (a leaf, taken before no other).
struct UndoLists {
  absl::Mutex mu;
  std::map<const void*, std::vector<UndoRef>> by_process ABSL_GUARDED_BY(mu);
};

UndoLists& Lists() {
  static UndoLists* lists = new UndoLists;
  return *lists;
}

}  // namespace

SemNamespace::~SemNamespace() {
  absl::MutexLock lock(&mu);
  std::vector<std::shared_ptr<SemSet>> sets;
  for (const auto& [idx, set] : ids.objects()) sets.push_back(set);
  for (const auto& set : sets) RemoveLocked(*set);
}

void SemNamespace::RemoveLocked(SemSet& set) {
  if (set.removed) return;
  set.removed = true;
  used_sems -= static_cast<int>(set.sems.size());
  ids.Remove(set.perm.id);
  set.queue.Notify(POLLIN | POLLOUT);
}

void NoteUndo(const void* tg, const std::shared_ptr<SemNamespace>& ns,
              const std::shared_ptr<SemSet>& set) {
  UndoLists& l = Lists();
  absl::MutexLock lock(&l.mu);
  auto& v = l.by_process[tg];
  for (const UndoRef& r : v) {
    if (r.set.lock() == set) return;
  }
  v.push_back(UndoRef{ns, set});
}

void ExitSem(const void* tg, const PidRef& pid) {
  std::vector<UndoRef> refs;
  {
    UndoLists& l = Lists();
    absl::MutexLock lock(&l.mu);
    auto it = l.by_process.find(tg);
    if (it == l.by_process.end()) return;
    refs = std::move(it->second);
    l.by_process.erase(it);
  }
  for (const UndoRef& r : refs) {
    auto ns = r.ns.lock();
    auto set = r.set.lock();
    if (!ns || !set) continue;
    absl::MutexLock lock(&ns->mu);
    auto it = set->undo.find(tg);
    if (it == set->undo.end()) continue;
    std::vector<int> adj = std::move(it->second);
    set->undo.erase(it);
    if (set->removed) continue;
    bool changed = false;
    for (size_t i = 0; i < adj.size() && i < set->sems.size(); i++) {
      if (adj[i] == 0) continue;
      int v = set->sems[i].value + adj[i];
      set->sems[i].value = std::clamp(v, 0, kSemVmx);
      set->sems[i].pid = pid;
      changed = true;
    }
    if (changed) set->queue.Notify(POLLIN | POLLOUT);
  }
}

}  // namespace sb::kernel::ipc
