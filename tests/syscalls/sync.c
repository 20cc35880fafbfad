/* fsync, fdatasync, sync, syncfs on tmpfs, host-backed files and the files
 * that have no fsync. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>

int main(void) {
  sb_init();
  int fd = open("/dev/shm/sb_sync", O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(fd, "x", 1);
  sb_case("fsync_tmpfs", sb_succeeds("fsync", fsync(fd)));
  sb_case("fdatasync_tmpfs", sb_succeeds("fdatasync", fdatasync(fd)));
  sb_case("syncfs_tmpfs", sb_succeeds("syncfs", syncfs(fd)));
  close(fd);
  fd = open("/dev/shm/sb_sync", O_RDONLY);
  sb_case("fsync_rdonly_ok", fsync(fd) == 0);
  close(fd);
  fd = open("/dev/shm/sb_sync", O_PATH);
  SB_ERRNO("fsync_opath_ebadf", fsync(fd), EBADF);
  SB_ERRNO("fdatasync_opath_ebadf", fdatasync(fd), EBADF);
  SB_ERRNO("syncfs_opath_ebadf", syncfs(fd), EBADF);
  close(fd);
  unlink("/dev/shm/sb_sync");
  fd = open("/dev/shm", O_RDONLY | O_DIRECTORY);
  sb_case("fsync_tmpfs_dir", fsync(fd) == 0);
  close(fd);
  fd = open("/proc/self/exe", O_RDONLY);
  sb_case("fsync_host_file", sb_succeeds("fsync", fsync(fd)));
  sb_case("fdatasync_host_file", sb_succeeds("fdatasync", fdatasync(fd)));
  close(fd);
  fd = open("/", O_RDONLY | O_DIRECTORY);
  sb_case("fsync_host_dir", sb_succeeds("fsync", fsync(fd)));
  sb_case("syncfs_host_dir", sb_succeeds("syncfs", syncfs(fd)));
  close(fd);
  SB_ERRNO("fsync_badfd_ebadf", fsync(999), EBADF);
  SB_ERRNO("fdatasync_badfd_ebadf", fdatasync(-1), EBADF);
  SB_ERRNO("syncfs_badfd_ebadf", syncfs(999), EBADF);
  int p[2];
  pipe(p);
  SB_ERRNO("fsync_pipe_einval", fsync(p[0]), EINVAL);
  SB_ERRNO("fdatasync_pipe_einval", fdatasync(p[1]), EINVAL);
  sb_case("syncfs_pipe_ok", syncfs(p[0]) == 0);
  close(p[0]);
  close(p[1]);
  int s[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, s);
  SB_ERRNO("fsync_socket_einval", fsync(s[0]), EINVAL);
  close(s[0]);
  close(s[1]);
  fd = eventfd(0, 0);
  SB_ERRNO("fsync_eventfd_einval", fsync(fd), EINVAL);
  close(fd);
  fd = open("/proc/self/status", O_RDONLY);
  SB_ERRNO("fsync_proc_einval", fsync(fd), EINVAL);
  close(fd);
  fd = open("/dev/null", O_WRONLY);
  SB_ERRNO("fsync_devnull_einval", fsync(fd), EINVAL);
  close(fd);
  sync(); /* cannot fail */
  return sb_finish();
}
