// Calls on a directory entry that never follow it when it is a symlink, where glibc 2.36 has no wrapper.
#pragma once
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

namespace strata {

// fchmodat2 (Linux 6.6): a symlink's mode cannot change, so a symlink leaf gives EOPNOTSUPP; ENOSYS on
// older kernels. 0 or -1 with errno, as fchmodat.
inline int ChmodNoFollow(int dir, const char* leaf, mode_t mode) {
  return static_cast<int>(syscall(SYS_fchmodat2, dir, leaf, mode, AT_SYMLINK_NOFOLLOW));
}

}  // namespace strata
