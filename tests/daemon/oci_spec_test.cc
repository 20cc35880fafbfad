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
  auto bind = ParseOciSpec(
      R"({"ociVersion":"1","root":{"path":"r"},"process":{"args":["a"]},
          "mounts":[{"destination":"/data","type":"bind","source":"/srv"}]})",
      "/b");
  ASSERT_FALSE(bind.ok());
  EXPECT_NE(bind.status().message().find("mount type \"bind\" at /data"), std::string::npos);
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
  for (const char* bad : {R"("options":["noexec"])", R"("options":["strictatime"])"}) {
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

TEST(OciSpecTest, LoadChecksTheBundle) {
  EXPECT_TRUE(absl::IsInvalidArgument(LoadOciSpec("relative").status()));
  EXPECT_TRUE(absl::IsNotFound(LoadOciSpec("/nonexistent-bundle").status()));
}

}  // namespace
}  // namespace sb::daemon
