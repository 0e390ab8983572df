// Writing a copy-up's data back as it is copied, for the copy-ups of both addons.
#pragma once
#include <errno.h>
#include <fcntl.h>

namespace strata {

// A copy is fsynced before it is named. Left to that fsync, a large copy to a slow disk would stand
// still in it for as long as the disk takes to write everything, and a request that stands still for
// 5 s reads as hung. So each chunk's writeback starts once it is copied, and the one before it is
// waited for: every chunk is a step of headway, and the fsync finds little left to write.
//
// Starts writing back [pos, pos + len) of `fd` and waits for [before_pos, before_pos + before_len)
// (nothing when before_len is 0). 0 when done; -1 with errno EOPNOTSUPP where the file cannot take it
// (the fsync does it all then); else -1 with errno, a write error the fsync would no longer report
// (waiting consumes it), so the copy must fail.
inline int WriteBehind(int fd, off_t pos, off_t len, off_t before_pos, off_t before_len) {
  int rc = sync_file_range(fd, pos, len, SYNC_FILE_RANGE_WRITE);
  if (rc == 0 && before_len > 0)
    rc = sync_file_range(fd, before_pos, before_len,
                         SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  if (rc != 0 && (errno == EINVAL || errno == ESPIPE || errno == ENOSYS)) errno = EOPNOTSUPP;
  return rc;
}

}  // namespace strata
