#include "prefill.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

namespace strata {

void Prefill(Mount& mount, uint64_t nodeid, const struct fuse_file_info& fi, const OpenFile& file) {
  if ((fi.flags & O_ACCMODE) != O_RDONLY || (fi.flags & O_DIRECT) || fi.direct_io || !fi.keep_cache) return;
  if (!file.owned || file.attrs || file.passed_through || file.size <= 0 || file.size > kPrefillMax) return;
  if (!mount.nodes().Fill(nodeid)) return;
  uint64_t repoints = mount.files().Repoints();
  thread_local std::vector<char> buf(kPrefillMax);
  ssize_t n = pread(file.fd, buf.data(), buf.size(), 0);
  if (n <= 0 || mount.device().Store(nodeid, 0, buf.data(), static_cast<size_t>(n)) != 0) {
    mount.nodes().Unfilled(nodeid);
    return;
  }
  if (mount.files().Repoints() != repoints) {
    mount.device().InvalInode(nodeid, 0, 0);
    mount.nodes().Unfilled(nodeid);
    return;
  }
  mount.counters().Prefilled(n);
}

}  // namespace strata
