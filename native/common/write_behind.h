// Writing a copy-up's data back as it is copied, for the copy-ups of both addons.
#pragma once
#include <errno.h>
#include <fcntl.h>

#include <cstddef>
#include <deque>
#include <utility>

namespace strata {

// A copy is fsynced before it is named. Left to that fsync, a large copy to a slow disk would stand
// still in it for as long as the disk takes to write everything, and a request that stands still for
// 5 s reads as hung. So each chunk's writeback starts once it is copied, and the one kWritingBack
// chunks before it is waited for: every chunk is a step of headway, and the fsync finds little left to
// write.
//
// How many chunks may be on their way to disk at once. With one (each waited for as the next was
// copied) the disk had little queued: 64 MiB copy-ups to an ext4 on a loop device (direct I/O, as the
// bench's) ran at 993-1,810 MiB/s (medians of 10 rounds of 4, median 1,439), with four at 1,251-2,042
// (median 1,583), faster in 9 of the 10 rounds. A wait still lasts about one chunk's writeback once the
// first have gone.
constexpr size_t kWritingBack = 4;
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

// The chunks of one copy on their way to disk, oldest first, as WriteBehind takes them. A lone chunk
// is left to the fsync (a small file's copy-up makes no call here). The engine's copy-up keeps the same
// rule (main/node/union/writeBehindQueue.ts; both against test/vectors/write-behind.json).
class WriteBehindQueue {
 public:
  using Call = int (*)(int fd, off_t pos, off_t len, off_t before_pos, off_t before_len);
  explicit WriteBehindQueue(Call call = WriteBehind) : call_(call) {}

  // After [at, at + n) of `fd` was copied: 0, or -1 with errno as WriteBehind (EOPNOTSUPP: nothing more
  // is asked of the file, and the fsync does it all).
  int Copied(int fd, off_t at, off_t n) {
    if (!on_) return 0;
    writing_.emplace_back(at, n);
    if (writing_.size() < 2) return 0;
    std::pair<off_t, off_t> wait = writing_.size() > kWritingBack ? writing_.front() : std::pair<off_t, off_t>{0, 0};
    int rc = writing_.size() == 2 ? call_(fd, writing_[0].first, writing_[0].second, 0, 0) : 0;
    if (rc == 0) rc = call_(fd, at, n, wait.first, wait.second);
    if (rc == 0 && wait.second > 0) writing_.pop_front();
    return Settle(rc);
  }

  // Before the fsync: waits for every chunk but the last, oldest first, calling step() after each, so
  // that the fsync is left one chunk's writeback as with a queue of one.
  template <typename Step>
  int Drain(int fd, Step&& step) {
    while (on_ && writing_.size() > 1) {
      auto [pos, len] = writing_.front();
      if (call_(fd, pos, len, pos, len) != 0) return Settle(-1);
      writing_.pop_front();
      step();
    }
    return 0;
  }

 private:
  int Settle(int rc) {
    if (rc != 0 && errno == EOPNOTSUPP) {
      on_ = false;
      writing_.clear();
      return 0;
    }
    return rc;
  }

  Call call_;
  bool on_ = true;
  std::deque<std::pair<off_t, off_t>> writing_;
};

}  // namespace strata
