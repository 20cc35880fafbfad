/* MAP_SHARED mappings of tmpfs files (/dev/shm, /tmp): coherent with
 * read/write and across processes; POSIX shared memory and semaphores. */
#include "sbtest.h"

#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>

int main(void) {
  sb_init();
  char path[64];
  snprintf(path, sizeof(path), "/dev/shm/sb-shm-test-%d", (int)getpid() % 2);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  sb_case("open_dev_shm", fd >= 0);
  sb_case("ftruncate", ftruncate(fd, 8192) == 0);
  char* m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  sb_case("mmap_shared_file", m != MAP_FAILED);

  pwrite(fd, "written", 7, 100);
  sb_case("write_visible_in_mapping", memcmp(m + 100, "written", 7) == 0);
  memcpy(m + 200, "mapped", 6);
  char buf[8] = {0};
  pread(fd, buf, 6, 200);
  sb_case("mapping_visible_to_read", memcmp(buf, "mapped", 6) == 0);

  pid_t c = fork();
  if (c == 0) {
    memcpy(m + 300, "child", 5);
    _exit(0);
  }
  int st;
  waitpid(c, &st, 0);
  sb_case("child_write_visible_to_parent", memcmp(m + 300, "child", 5) == 0);

  char* m2 = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
  m[4096 + 10] = 'Z';
  sb_case("second_mapping_at_offset_coherent", m2 != MAP_FAILED && m2[10] == 'Z');

  sb_case("truncate_zeroes_tail",
          ftruncate(fd, 150) == 0 && ftruncate(fd, 8192) == 0 && m[200] == 0 && m[100] == 'w');
  munmap(m2, 4096);
  munmap(m, 8192);
  close(fd);
  unlink(path);

  int ro = open("/dev/shm", O_RDONLY | O_DIRECTORY);
  sb_case("dev_shm_is_directory", ro >= 0);
  close(ro);

  sem_t* sem = sem_open("/sb-sem-test", O_CREAT | O_EXCL, 0600, 0);
  sb_case("sem_open", sem != SEM_FAILED);
  c = fork();
  if (c == 0) {
    sem_post(sem);
    _exit(0);
  }
  int r = sem_wait(sem);
  waitpid(c, &st, 0);
  sb_case("sem_post_in_child_wakes_parent", r == 0);
  sem_close(sem);
  sb_case("sem_unlink", sem_unlink("/sb-sem-test") == 0);
  return sb_finish();
}
