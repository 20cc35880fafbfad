/* Calls a syscall our kernel does not implement (io_uring_setup) twice and
 * exits with the errno of the second call. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  syscall(SYS_io_uring_setup, 1, 0);
  errno = 0;
  long r = syscall(SYS_io_uring_setup, 1, 0);
  return r == -1 ? errno : 100;
}
