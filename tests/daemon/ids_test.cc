#include "daemon/ids.h"

#include "gtest/gtest.h"

namespace sb::daemon {
namespace {

TEST(IdsTest, ContainerIds) {
  EXPECT_TRUE(ValidateContainerId("a").ok());
  EXPECT_TRUE(ValidateContainerId("web-1.prod_x").ok());
  EXPECT_TRUE(ValidateContainerId(std::string(64, 'a')).ok());
  EXPECT_FALSE(ValidateContainerId("").ok());
  EXPECT_FALSE(ValidateContainerId(std::string(65, 'a')).ok());
  EXPECT_FALSE(ValidateContainerId("-a").ok());
  EXPECT_FALSE(ValidateContainerId(".a").ok());
  EXPECT_FALSE(ValidateContainerId("a/b").ok());
  EXPECT_FALSE(ValidateContainerId("a b").ok());
}

TEST(IdsTest, InstanceNames) {
  EXPECT_TRUE(ValidateInstanceName("default").ok());
  EXPECT_TRUE(ValidateInstanceName("_x-1").ok());
  EXPECT_FALSE(ValidateInstanceName("1abc").ok());
  EXPECT_FALSE(ValidateInstanceName("a.b").ok());
  EXPECT_FALSE(ValidateInstanceName("").ok());
  EXPECT_EQ(BusName("web"), "org.sandboxd.Instance.web");
}

TEST(IdsTest, PathsEscapeLikeSystemd) {
  EXPECT_EQ(ContainerPath("abc1"), "/org/sandboxd/container/abc1");
  EXPECT_EQ(ContainerPath("a-b.c_d"), "/org/sandboxd/container/a_2db_2ec_5fd");
}

}  // namespace
}  // namespace sb::daemon
