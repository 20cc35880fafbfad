#include "daemon/config.h"

#include "gtest/gtest.h"

namespace sb::daemon {
namespace {

TEST(ConfigTest, DefaultsWhenEmpty) {
  auto c = ParseConfig("", "x.conf");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->hostname, "sandbox");
  EXPECT_EQ(c->stop_timeout, absl::Seconds(10));
  EXPECT_EQ(c->max_containers, 64u);
}

TEST(ConfigTest, ParsesKeys) {
  auto c = ParseConfig(
      "# comment\n\nhostname = box1\nadmin_group=wheel\nstop_timeout_sec = 3\nlog_level = "
      "debug\nmax_containers = 5\n",
      "x.conf");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->hostname, "box1");
  EXPECT_EQ(c->admin_group, "wheel");
  EXPECT_EQ(c->stop_timeout, absl::Seconds(3));
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->max_containers, 5u);
}

TEST(ConfigTest, RefusesWithLineAndReason) {
  auto c = ParseConfig("hostname = a\n\nbogus = 1\n", "/etc/sandboxd/t.conf");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().substr(0, 23), "/etc/sandboxd/t.conf:3:");
  EXPECT_NE(c.status().message().find("unknown key \"bogus\""), std::string::npos);
  EXPECT_NE(ParseConfig("stop_timeout_sec = -1", "f").status().message().find("f:1:"),
            std::string::npos);
  EXPECT_FALSE(ParseConfig("no equals sign", "f").ok());
  EXPECT_FALSE(ParseConfig("hostname = a b", "f").ok());
  EXPECT_FALSE(ParseConfig("log_level = loud", "f").ok());
  EXPECT_FALSE(ParseConfig("max_containers = 0", "f").ok());
  EXPECT_FALSE(ParseConfig("hostname = a\nhostname = b", "f").ok());
}

TEST(ConfigTest, MissingFileGivesDefaults) {
  auto c = LoadConfig("/nonexistent/sandboxd.conf");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->hostname, "sandbox");
}

}  // namespace
}  // namespace sb::daemon
