#include "dbus/errors.h"

#include "gtest/gtest.h"

namespace sb::dbus {
namespace {

TEST(ErrorsTest, MapsEveryCodeWeUse) {
  EXPECT_EQ(ErrorName(absl::StatusCode::kInvalidArgument), "org.sandboxd.Error.InvalidArgs");
  EXPECT_EQ(ErrorName(absl::StatusCode::kNotFound), "org.sandboxd.Error.NotFound");
  EXPECT_EQ(ErrorName(absl::StatusCode::kAlreadyExists), "org.sandboxd.Error.AlreadyExists");
  EXPECT_EQ(ErrorName(absl::StatusCode::kFailedPrecondition), "org.sandboxd.Error.WrongState");
  EXPECT_EQ(ErrorName(absl::StatusCode::kPermissionDenied), "org.sandboxd.Error.AccessDenied");
  EXPECT_EQ(ErrorName(absl::StatusCode::kUnimplemented), "org.sandboxd.Error.NotSupported");
  EXPECT_EQ(ErrorName(absl::StatusCode::kResourceExhausted), "org.sandboxd.Error.LimitExceeded");
  EXPECT_EQ(ErrorName(absl::StatusCode::kUnavailable), "org.sandboxd.Error.Unavailable");
  EXPECT_EQ(ErrorName(absl::StatusCode::kInternal), "org.sandboxd.Error.Internal");
  EXPECT_EQ(ErrorName(absl::StatusCode::kDataLoss), "org.sandboxd.Error.Internal");
}

TEST(ErrorsTest, CarriesTheMessage) {
  sdbus::Error e = ToDbusError(absl::NotFoundError("no container \"x\""));
  EXPECT_EQ(e.getName(), "org.sandboxd.Error.NotFound");
  EXPECT_EQ(e.getMessage(), "no container \"x\"");
}

}  // namespace
}  // namespace sb::dbus
