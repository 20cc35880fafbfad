#include "fs/anon_inode.h"

#include "fs/inode.h"

namespace sb::fs {

struct stat AnonInodeStat() {
  static const dev_t dev = AllocateAnonDev();
  static const struct timespec created = NowTimespec();
  struct stat st = {};
  st.st_dev = dev;
  st.st_ino = 1;
  st.st_mode = 0600;  // Linux's anon inode has no S_IFMT bits
  st.st_nlink = 1;
  st.st_blksize = 4096;
  st.st_atim = st.st_mtim = st.st_ctim = created;
  return st;
}

}  // namespace sb::fs
