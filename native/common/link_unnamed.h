// Naming an unnamed file (O_TMPFILE), for the copy-ups of both addons.
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace strata {

// Links the unnamed file open as `fd` to `leaf` in `dir`; EEXIST leaves an existing name alone. Linking
// a descriptor itself (AT_EMPTY_PATH) takes CAP_DAC_READ_SEARCH and gives ENOENT without it; its
// /proc/self/fd link reaches the same file for any user (it names our own descriptor, not a path).
// 0 or -1 with errno, as linkat.
inline int LinkUnnamed(int fd, int dir, const char* leaf) {
  int rc = linkat(fd, "", dir, leaf, AT_EMPTY_PATH);
  if (rc == 0 || errno != ENOENT) return rc;
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  return linkat(AT_FDCWD, self.c_str(), dir, leaf, AT_SYMLINK_FOLLOW);
}

}  // namespace strata
