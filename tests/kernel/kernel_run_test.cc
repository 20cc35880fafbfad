// Runs real programs in a whole kernel, in-process, and checks what the
// kernel reports about them.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "fs/vfs.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"

namespace sb::kernel {
namespace {

int RunProgram(const std::string& path) {
  fs::MountOptions ro;
  ro.read_only = true;
  auto ns = fs::NewHostRootedNamespace("/", ro);
  EXPECT_TRUE(ns.ok());
  auto k = Kernel::Create(KernelOptions{});
  EXPECT_TRUE(k.ok()) << k.status();
  ProcessSpec spec;
  spec.argv = {path};
  spec.mount_namespace = *ns;
  auto tg = (*k)->CreateProcess(std::move(spec));
  EXPECT_TRUE(tg.ok()) << tg.status();
  return (*k)->WaitForExit(*tg);
}

TEST(KernelRunTest, UnimplementedSyscallIsENOSYSAndReportedByName) {
  int status = RunProgram(SB_UNSUPPORTED_PROGRAM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), ENOSYS);
  auto report = UnsupportedReport();
  ASSERT_TRUE(report.contains("syscall io_uring_setup"));
  EXPECT_EQ(report["syscall io_uring_setup"], 2u);  // counted twice, logged once
}

TEST(KernelRunTest, MissingProgramIsNotFound) {
  fs::MountOptions ro;
  ro.read_only = true;
  auto ns = fs::NewHostRootedNamespace("/", ro);
  ASSERT_TRUE(ns.ok());
  auto k = Kernel::Create(KernelOptions{});
  ASSERT_TRUE(k.ok());
  ProcessSpec spec;
  spec.argv = {"/no/such/program"};
  spec.mount_namespace = *ns;
  auto tg = (*k)->CreateProcess(std::move(spec));
  ASSERT_FALSE(tg.ok());
  EXPECT_TRUE(absl::IsNotFound(tg.status())) << tg.status();
  EXPECT_NE(tg.status().message().find("/no/such/program"), std::string::npos);
}

}  // namespace
}  // namespace sb::kernel
