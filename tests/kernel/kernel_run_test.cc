// Runs real programs in a whole kernel, in-process, and checks what the
// kernel reports about them.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "fs/vfs.h"
#include "kernel/base/log_once.h"
#include "kernel/control.h"
#include "kernel/kernel.h"

namespace sb::kernel {
namespace {

// A kernel over the host's / (read-only) and a process spec for `argv` in
// it.
std::unique_ptr<Kernel> NewKernel(ProcessSpec& spec, std::vector<std::string> argv) {
  fs::MountOptions ro;
  ro.read_only = true;
  auto ns = fs::NewHostRootedNamespace("/", ro);
  EXPECT_TRUE(ns.ok());
  auto k = Kernel::Create(KernelOptions{});
  EXPECT_TRUE(k.ok()) << k.status();
  spec.argv = std::move(argv);
  spec.mount_namespace = *ns;
  return std::move(*k);
}

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

// A core-dumping signal's status claims no core: none is ever written.
TEST(KernelRunTest, CoreSignalStatusHasNoCoreBit) {
  ProcessSpec spec;
  auto k = NewKernel(spec, {"/bin/busybox", "sh", "-c", "ulimit -c unlimited; kill -SEGV $$"});
  auto tg = k->CreateProcess(std::move(spec));
  ASSERT_TRUE(tg.ok()) << tg.status();
  int status = k->WaitForExit(*tg);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  EXPECT_FALSE(WCOREDUMP(status));
  EXPECT_TRUE(UnsupportedReport().contains("core dumps (RLIMIT_CORE is set)"));
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

// The CPU time the host accounted to a process's stub (user + system ticks).
long HostCpuTicks(int host_pid) {
  std::ifstream f("/proc/" + std::to_string(host_pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

TEST(KernelRunTest, FrozenNamespaceMakesNoProgressUntilThawed) {
  ProcessSpec spec;
  auto k = NewKernel(spec, {"/bin/busybox", "sh", "-c", "while :; do :; done"});
  PidNamespaceRef pidns = k->NewPidNamespace(nullptr);
  spec.pid_namespace = pidns;
  auto tg = k->CreateProcess(std::move(spec));
  ASSERT_TRUE(tg.ok()) << tg.status();
  // Running: it uses CPU (bounded wait, no timing assumption).
  while ((*tg)->host_pid_ == 0) absl::SleepFor(absl::Milliseconds(10));
  const int host_pid = (*tg)->host_pid_;
  for (int i = 0; i < 500 && HostCpuTicks(host_pid) < 2; ++i)
    absl::SleepFor(absl::Milliseconds(10));
  k->FreezePidNamespace(*pidns, true);
  absl::SleepFor(absl::Milliseconds(100));  // let it reach the freezer
  const long frozen_at = HostCpuTicks(host_pid);
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(HostCpuTicks(host_pid), frozen_at);  // a stopped stub accrues nothing
  k->FreezePidNamespace(*pidns, false);
  long now = frozen_at;
  for (int i = 0; i < 500 && now <= frozen_at; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    now = HostCpuTicks(host_pid);
  }
  EXPECT_GT(now, frozen_at);
  ASSERT_TRUE(SignalProcess(*k, (*tg)->tgid(), SIGKILL).ok());
  int status = k->WaitForExit(*tg);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

}  // namespace
}  // namespace sb::kernel
