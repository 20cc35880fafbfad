// program_path.h: execvp's search for a program, done in a sandbox's view
// of the filesystem (used by `sandboxctl run` and by Exec in the daemon).
#pragma once

#include <string>
#include <vector>

#include "fs/vfs.h"

namespace sb::daemon {

// `name` itself if it holds a '/'; otherwise the first regular file
// `DIR/name` for DIR in the PATH of `env` (or the default PATH), or "" if
// there is none.
std::string ResolveProgram(fs::MountNamespace& ns, const std::string& name,
                           const std::vector<std::string>& env);

}  // namespace sb::daemon
