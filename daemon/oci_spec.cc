#include "daemon/oci_spec.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace sb::daemon {
namespace {

using nlohmann::json;

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("config.json: ", what));
}

struct DefaultMount {
  const char* destination;
  const char* type;
  const char* our_type;  // what we mount there, or nullptr if the kernel cannot yet
};
constexpr DefaultMount kDefaultMounts[] = {{"/proc", "proc", "proc"},
                                           {"/dev", "tmpfs", "devtmpfs"},
                                           {"/dev/pts", "devpts", nullptr},
                                           {"/dev/shm", "tmpfs", "tmpfs"},
                                           {"/dev/mqueue", "mqueue", nullptr},
                                           {"/sys", "sysfs", nullptr},
                                           {"/sys/fs/cgroup", "cgroup", nullptr}};

absl::StatusOr<std::vector<std::string>> StringArray(const json& j, absl::string_view field) {
  if (!j.is_array()) return Bad(absl::StrCat(field, " must be an array of strings"));
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) return Bad(absl::StrCat(field, " must be an array of strings"));
    out.push_back(e.get<std::string>());
  }
  return out;
}

absl::Status ParseProcess(const json& p, OciSpec& spec) {
  if (!p.is_object()) return Bad("process must be an object");
  if (p.contains("terminal") && p["terminal"].is_boolean() && p["terminal"].get<bool>()) {
    return Bad(
        "process.terminal=true is not supported for a container's init yet "
        "(use `sandboxctl exec -t` for an interactive process)");
  }
  if (!p.contains("args")) return Bad("process.args is missing");
  auto args = StringArray(p["args"], "process.args");
  if (!args.ok()) return args.status();
  if (args->empty() || (*args)[0].empty()) return Bad("process.args must not be empty");
  spec.args = std::move(*args);
  if (p.contains("env")) {
    auto env = StringArray(p["env"], "process.env");
    if (!env.ok()) return env.status();
    spec.env = std::move(*env);
  }
  if (p.contains("cwd")) {
    if (!p["cwd"].is_string() || p["cwd"].get<std::string>().empty() ||
        p["cwd"].get<std::string>()[0] != '/') {
      return Bad("process.cwd must be an absolute path");
    }
    spec.cwd = p["cwd"].get<std::string>();
  }
  if (p.contains("user")) {
    const json& u = p["user"];
    if (!u.is_object()) return Bad("process.user must be an object");
    if (u.contains("uid")) {
      if (!u["uid"].is_number_unsigned()) return Bad("process.user.uid must be a number");
      spec.uid = u["uid"].get<uid_t>();
    }
    if (u.contains("gid")) {
      if (!u["gid"].is_number_unsigned()) return Bad("process.user.gid must be a number");
      spec.gid = u["gid"].get<gid_t>();
    }
  }
  return absl::OkStatus();
}

bool BadDestination(const std::string& dest) {
  return dest.empty() || dest[0] != '/' || dest == "/" || dest.find("/../") != std::string::npos ||
         absl::EndsWith(dest, "/..");
}

// The mount flags every mount type takes (oci_spec.h says what each does).
// False if `o` is not one of them.
bool ParseFlagOption(const std::string& o, OciMount& out) {
  if (o == "ro") {
    out.read_only = true;
  } else if (o == "rw") {
    out.read_only = false;
  } else if (o == "nosuid") {
    out.nosuid = true;
  } else if (o == "suid") {
    out.nosuid = false;
  } else if (o == "nodev") {
    out.nodev = true;
  } else if (o == "dev") {
    out.nodev = false;
  } else if (o == "noexec") {
    out.noexec = true;
  } else if (o == "exec") {
    out.noexec = false;
  } else if (o == "noatime" || o == "relatime" || o == "strictatime" || o == "nodiratime" ||
             o == "private" || o == "rprivate" || o == "slave" || o == "rslave") {
    // Documented no-ops (oci_spec.h).
  } else {
    return false;
  }
  return true;
}

// A tmpfs anywhere below the root, with the flags above and tmpfs's
// mode/size/uid/gid/nr_inodes. Anything else is refused by name.
absl::StatusOr<OciMount> ParseTmpfsMount(const json& e, const std::string& dest) {
  if (BadDestination(dest)) {
    return Bad(absl::StrCat("mount destination \"", dest, "\" must be an absolute path below /"));
  }
  OciMount out{dest, "tmpfs"};
  std::vector<std::string> data;
  if (e.contains("options")) {
    auto opts = StringArray(e["options"], "mounts[].options");
    if (!opts.ok()) return opts.status();
    for (const std::string& o : *opts) {
      if (ParseFlagOption(o, out)) continue;
      if (absl::StartsWith(o, "mode=") || absl::StartsWith(o, "size=") ||
          absl::StartsWith(o, "uid=") || absl::StartsWith(o, "gid=") ||
          absl::StartsWith(o, "nr_inodes=")) {
        data.push_back(o);
      } else {
        return Bad(absl::StrCat("mount option \"", o, "\" of the tmpfs at ", dest,
                                " is not supported yet"));
      }
    }
  }
  out.data = absl::StrJoin(data, ",");
  return out;
}

// A bind mount of a host directory or file: the flags above plus
// bind/rbind. The source must exist when the namespace is built.
absl::StatusOr<OciMount> ParseBindMount(const json& e, const std::string& dest,
                                        const std::string& bundle_dir) {
  if (BadDestination(dest)) {
    return Bad(absl::StrCat("mount destination \"", dest, "\" must be an absolute path below /"));
  }
  if (!e.contains("source") || !e["source"].is_string() || e["source"].get<std::string>().empty()) {
    return Bad(absl::StrCat("the bind mount at ", dest, " needs a source"));
  }
  std::string src = e["source"].get<std::string>();
  OciMount out{dest, "bind"};
  out.source = src[0] == '/' ? src : absl::StrCat(bundle_dir, "/", src);
  if (e.contains("options")) {
    auto opts = StringArray(e["options"], "mounts[].options");
    if (!opts.ok()) return opts.status();
    for (const std::string& o : *opts) {
      if (o == "bind" || o == "rbind" || ParseFlagOption(o, out)) continue;
      return Bad(absl::StrCat("mount option \"", o, "\" of the bind mount at ", dest,
                              " is not supported"));
    }
  }
  return out;
}

bool HasBindOption(const json& e) {
  if (!e.contains("options") || !e["options"].is_array()) return false;
  for (const auto& o : e["options"]) {
    if (o.is_string() && (o.get<std::string>() == "bind" || o.get<std::string>() == "rbind")) {
      return true;
    }
  }
  return false;
}

absl::Status ParseMounts(const json& m, OciSpec& spec, const std::string& bundle_dir) {
  if (!m.is_array()) return Bad("mounts must be an array");
  for (const auto& e : m) {
    if (!e.is_object() || !e.contains("destination") || !e["destination"].is_string()) {
      return Bad("each mount needs a destination");
    }
    std::string dest = e["destination"].get<std::string>();
    std::string type =
        e.contains("type") && e["type"].is_string() ? e["type"].get<std::string>() : "bind";
    if (type == "bind" || HasBindOption(e)) {
      auto b = ParseBindMount(e, dest, bundle_dir);
      if (!b.ok()) return b.status();
      spec.mounts.push_back(std::move(*b));
      continue;
    }
    const DefaultMount* def = nullptr;
    for (const auto& d : kDefaultMounts) {
      if (dest == d.destination && type == d.type) def = &d;
    }
    if (def == nullptr && type == "tmpfs") {
      auto t = ParseTmpfsMount(e, dest);
      if (!t.ok()) return t.status();
      spec.mounts.push_back(std::move(*t));
      continue;
    }
    if (def == nullptr) {
      return Bad(absl::StrCat("mount type \"", type, "\" at ", dest,
                              " is not supported yet (only the runtime-spec default mounts, "
                              "tmpfs and bind are)"));
    }
    if (def->our_type != nullptr) {
      OciMount d{dest, def->our_type};
      d.optional = true;
      spec.mounts.push_back(std::move(d));
    } else {
      spec.unprovided_mounts.push_back({dest, type});
    }
  }
  return absl::OkStatus();
}

absl::Status ParseAnnotations(const json& a, OciSpec& spec) {
  if (!a.is_object()) return Bad("annotations must be an object");
  for (const auto& [key, value] : a.items()) {
    if (!value.is_string()) return Bad(absl::StrCat("annotation ", key, " must be a string"));
    if (key != kOverlayAnnotation) continue;  // others are not ours
    const std::string v = value.get<std::string>();
    if (v == "none") {
      spec.overlay = false;
    } else if (v == "tmpfs") {
      spec.overlay = true;
    } else {
      return Bad(absl::StrCat("annotation ", key, "=\"", v,
                              "\" is not supported (\"tmpfs\" or \"none\")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OciSpec> ParseOciSpec(absl::string_view text, const std::string& bundle_dir) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not valid JSON");
  if (!j.is_object()) return Bad("the top level must be an object");
  if (!j.contains("ociVersion") || !j["ociVersion"].is_string()) {
    return Bad("ociVersion is missing");
  }
  if (j.contains("hooks")) return Bad("hooks are not supported");
  OciSpec spec;
  if (!j.contains("root") || !j["root"].is_object() || !j["root"].contains("path") ||
      !j["root"]["path"].is_string() || j["root"]["path"].get<std::string>().empty()) {
    return Bad("root.path is missing");
  }
  std::string root = j["root"]["path"].get<std::string>();
  spec.root_path = root[0] == '/' ? root : absl::StrCat(bundle_dir, "/", root);
  if (j["root"].contains("readonly")) {
    if (!j["root"]["readonly"].is_boolean()) return Bad("root.readonly must be a boolean");
    spec.root_readonly = j["root"]["readonly"].get<bool>();
  }
  if (!j.contains("process")) return Bad("process is missing");
  if (auto s = ParseProcess(j["process"], spec); !s.ok()) return s;
  if (j.contains("hostname")) {
    if (!j["hostname"].is_string()) return Bad("hostname must be a string");
    spec.hostname = j["hostname"].get<std::string>();
  }
  if (j.contains("mounts")) {
    if (auto s = ParseMounts(j["mounts"], spec, bundle_dir); !s.ok()) return s;
  }
  if (j.contains("annotations")) {
    if (auto s = ParseAnnotations(j["annotations"], spec); !s.ok()) return s;
  }
  return spec;
}

absl::StatusOr<OciSpec> LoadOciSpec(const std::string& bundle_dir) {
  if (bundle_dir.empty() || bundle_dir[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("bundle \"", bundle_dir, "\" must be an absolute path"));
  }
  struct stat st;
  if (stat(bundle_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat("bundle ", bundle_dir, " is not an existing directory"));
  }
  const std::string path = absl::StrCat(bundle_dir, "/config.json");
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > kMaxConfigJsonBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is larger than 1 MiB"));
  }
  auto spec = ParseOciSpec(ss.str(), bundle_dir);
  if (!spec.ok()) return spec.status();
  if (stat(spec->root_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat("config.json: root.path ", spec->root_path, " is not an existing directory"));
  }
  return spec;
}

}  // namespace sb::daemon
