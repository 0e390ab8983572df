// One branch copy of a directory the union's resolver holds: the branch root's descriptor and the union
// path below it, never a path string the kernel resolves from `/`. The copy is opened (O_PATH, beneath
// the root, no symlink anywhere: native/common/beneath.h) on first use by a FUSE or invalidator thread,
// never by the JS thread, and kept while the publication lasts: getattr reads names in it with
// fstatat(AT_SYMLINK_NOFOLLOW), the invalidator watches it through /proc/self/fd. Shared by both; the
// descriptor closes with the last holder once the directory is dropped.
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "beneath.h"
#include "inode_flags.h"

namespace strata {

class DirLayer {
 public:
  // `root` belongs to the engine, which keeps it open for the worker's life (union/branchSet.ts).
  DirLayer(int root, std::string rel) : root_(root), rel_(std::move(rel)) {}
  ~DirLayer() {
    int fd = fd_.load();
    if (fd >= 0) close(fd);
  }
  DirLayer(const DirLayer&) = delete;
  DirLayer& operator=(const DirLayer&) = delete;

  int root() const { return root_; }

  // The copy's descriptor, or -1 with errno: ELOOP when a symlink now stands on the way (a swapped
  // directory), ENOENT or ENOTDIR when it went. A failure is not kept: the next call tries again.
  int Open() {
    int fd = fd_.load();
    if (fd >= 0) return fd;
    int opened = OpenBeneath(root_, rel_, O_PATH | O_DIRECTORY);
    if (opened < 0) return -1;
    if (!fd_.compare_exchange_strong(fd, opened)) {
      close(opened);
      return fd;
    }
    return opened;
  }

  // The flags the copy's mark keeps (inode_flags.h), read on first use: a name change in the directory
  // asks it (NamesFixed). Kept until ForgetMark, which a change of the mark calls (the union's chattr, or
  // one made directly in the branch, which the invalidator hears of); a read that a ForgetMark overtook
  // is not kept.
  unsigned Mark() {
    int known = mark_.load();
    if (known >= 0) return static_cast<unsigned>(known);
    unsigned seq = seq_.load();
    int fd = Open();
    unsigned flags = fd < 0 ? 0 : MarkedFlags(fd);
    int unknown = -1;
    if (fd >= 0 && seq_.load() == seq) mark_.compare_exchange_strong(unknown, static_cast<int>(flags));
    return flags;
  }

  void ForgetMark() {
    seq_++;
    mark_.store(-1);
  }

 private:
  const int root_;
  const std::string rel_;
  std::atomic<int> fd_{-1};
  std::atomic<int> mark_{-1};
  std::atomic<unsigned> seq_{0};
};

using DirLayers = std::vector<std::shared_ptr<DirLayer>>;

}  // namespace strata
