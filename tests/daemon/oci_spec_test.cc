#include "daemon/oci_spec.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sb::daemon {
namespace {

constexpr char kMinimal[] = R"({"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},
  "process":{"args":["/bin/sh","-c","true"],"env":["PATH=/bin"],"cwd":"/tmp",
             "user":{"uid":1000,"gid":100}},
  "hostname":"h1",
  "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
            {"destination":"/dev","type":"tmpfs","source":"tmpfs"},
            {"destination":"/dev/shm","type":"tmpfs","source":"shm"}]})";

TEST(OciSpecTest, ParsesTheFieldsWeHonour) {
  auto s = ParseOciSpec(kMinimal, "/b");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->root_path, "/b/rootfs");
  EXPECT_TRUE(s->root_readonly);
  EXPECT_EQ(s->args, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
  EXPECT_EQ(s->env, (std::vector<std::string>{"PATH=/bin"}));
  EXPECT_EQ(s->cwd, "/tmp");
  EXPECT_EQ(s->uid, 1000u);
  EXPECT_EQ(s->gid, 100u);
  EXPECT_EQ(s->hostname, "h1");
  ASSERT_EQ(s->mounts.size(), 3u);
  EXPECT_EQ(s->mounts[0].type, "proc");
  EXPECT_EQ(s->mounts[1].type, "devtmpfs");
  EXPECT_TRUE(s->unprovided_mounts.empty());
}

TEST(OciSpecTest, RefusesWhatWeCannotHonour) {
  auto nfs = ParseOciSpec(
      R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["a"]},
          "mounts":[{"destination":"/data","type":"nfs","source":"h:/e"}]})",
      "/b");
  ASSERT_FALSE(nfs.ok());
  EXPECT_NE(nfs.status().message().find("mount type \"nfs\" at /data"), std::string::npos);
  EXPECT_FALSE(ParseOciSpec("{", "/b").ok());
  EXPECT_FALSE(ParseOciSpec(R"({"root":{"path":"r"},"process":{"args":["a"]}})", "/b").ok());
  EXPECT_FALSE(ParseOciSpec(R"({"ociVersion":"1","process":{"args":["a"]}})", "/b").ok());
  EXPECT_FALSE(
      ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":[]}})", "/b").ok());
  EXPECT_FALSE(
      ParseOciSpec(
          R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["a"],"terminal":true}})",
          "/b")
          .ok());
  EXPECT_FALSE(
      ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["a"]},"hooks":{}})",
                   "/b")
          .ok());
}

TEST(OciSpecTest, TmpfsMountsAnywhereWithTheirOptions) {
  auto s = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "mounts":[{"destination":"/data","type":"tmpfs","source":"t",
               "options":["ro","nosuid","nodev","mode=0750","size=1m","uid=5"]}]})",
                        "/b");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->mounts.size(), 1u);
  const OciMount& m = s->mounts[0];
  EXPECT_EQ(m.destination, "/data");
  EXPECT_EQ(m.type, "tmpfs");
  EXPECT_EQ(m.data, "mode=0750,size=1m,uid=5");
  EXPECT_TRUE(m.read_only && m.nosuid && m.nodev);
  for (const char* bad : {R"("options":["nosymfollow"])", R"("options":["shared"])"}) {
    auto r = ParseOciSpec(absl::StrCat(R"({"ociVersion":"1","root":{"path":"r"},
      "process":{"args":["/x"]},"mounts":[{"destination":"/d","type":"tmpfs",)",
                                       bad, "}]}"),
                          "/b");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("is not supported yet"), std::string::npos) << r.status();
  }
  auto root = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "mounts":[{"destination":"/","type":"tmpfs"}]})",
                           "/b");
  EXPECT_FALSE(root.ok());
}

TEST(OciSpecTest, TmpfsTakesTheMountFlags) {
  auto s = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "mounts":[{"destination":"/d","type":"tmpfs",
               "options":["noexec","nodev","dev","strictatime","rprivate"]}]})",
                        "/b");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->mounts[0].noexec);
  EXPECT_FALSE(s->mounts[0].nodev);
  EXPECT_EQ(s->mounts[0].data, "");
}

TEST(OciSpecTest, BindMounts) {
  auto s = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "mounts":[{"destination":"/a","type":"bind","source":"/srv/a"},
              {"destination":"/b","type":"none","source":"rel/b",
               "options":["rbind","ro","nosuid","nodev","noexec","noatime","nodiratime",
                          "relatime","private","rprivate","slave","rslave"]},
              {"destination":"/c","source":"/srv/c","options":["bind","rw","exec","suid","dev"]},
              {"destination":"/d","type":"tmpfs","source":"/srv/d","options":["bind"]}]})",
                        "/bundle");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->mounts.size(), 4u);
  EXPECT_EQ(s->mounts[0].type, "bind");
  EXPECT_EQ(s->mounts[0].source, "/srv/a");
  EXPECT_FALSE(s->mounts[0].read_only);
  EXPECT_EQ(s->mounts[1].type, "bind");
  EXPECT_EQ(s->mounts[1].source, "/bundle/rel/b");
  EXPECT_TRUE(s->mounts[1].read_only && s->mounts[1].nosuid && s->mounts[1].nodev &&
              s->mounts[1].noexec);
  EXPECT_EQ(s->mounts[2].type, "bind");
  EXPECT_FALSE(s->mounts[2].read_only || s->mounts[2].noexec || s->mounts[2].nosuid ||
               s->mounts[2].nodev);
  EXPECT_EQ(s->mounts[3].type, "bind");  // the bind option makes it one
  EXPECT_FALSE(s->mounts[0].optional);

  for (const char* opt : {"shared", "rshared", "nosymfollow", "idmap", "mode=0755", "size=1m"}) {
    auto r = ParseOciSpec(absl::StrCat(R"({"ociVersion":"1","root":{"path":"r"},
      "process":{"args":["/x"]},"mounts":[{"destination":"/d","type":"bind","source":"/s",
      "options":[")",
                                       opt, R"("]}]})"),
                          "/b");
    ASSERT_FALSE(r.ok()) << opt;
    EXPECT_NE(r.status().message().find(
                  absl::StrCat("mount option \"", opt, "\" of the bind mount at /d")),
              std::string::npos)
        << r.status();
  }
  auto nosrc = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "mounts":[{"destination":"/d","type":"bind"}]})",
                            "/b");
  ASSERT_FALSE(nosrc.ok());
  EXPECT_NE(nosrc.status().message().find("needs a source"), std::string::npos);
  auto rootdest = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "mounts":[{"destination":"/a/../..","type":"bind","source":"/s"}]})",
                               "/b");
  EXPECT_FALSE(rootdest.ok());
}

TEST(OciSpecTest, OverlayAnnotation) {
  auto def =
      ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]}})", "/b");
  ASSERT_TRUE(def.ok());
  EXPECT_TRUE(def->overlay);
  EXPECT_FALSE(def->root_readonly);
  auto none = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "annotations":{"dev.sandboxd.overlay":"none","com.example":"anything"}})",
                           "/b");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->overlay);
  auto tmpfs = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "annotations":{"dev.sandboxd.overlay":"tmpfs"}})",
                            "/b");
  ASSERT_TRUE(tmpfs.ok());
  EXPECT_TRUE(tmpfs->overlay);
  auto bad = ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "annotations":{"dev.sandboxd.overlay":"disk"}})",
                          "/b");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("dev.sandboxd.overlay=\"disk\""), std::string::npos);
  EXPECT_FALSE(ParseOciSpec(R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["/x"]},
    "annotations":[]})",
                            "/b")
                   .ok());
}

TEST(OciSpecTest, LoadChecksTheBundle) {
  EXPECT_TRUE(absl::IsInvalidArgument(LoadOciSpec("relative").status()));
  EXPECT_TRUE(absl::IsNotFound(LoadOciSpec("/nonexistent-bundle").status()));
}

}  // namespace
}  // namespace sb::daemon
