// libfuse's handle, shared with the threads that invalidate through it so they can outlive the Mount
// safely.
#pragma once
#include <fuse.h>
#include <fuse_lowlevel.h>

#include <shared_mutex>
#include <string>

#include "known_paths.h"

namespace strata {

struct Session {
  std::shared_mutex mutex;  // shared while in use, exclusive while libfuse is freed
  struct fuse* fuse = nullptr;

  // 0, or the positive errno (ENOENT: the kernel holds nothing for the path).
  int InvalidatePath(const char* path) {
    std::shared_lock<std::shared_mutex> lock(mutex);
    if (fuse == nullptr) return 0;
    int rc = fuse_invalidate_path(fuse, path);
    return rc < 0 ? -rc : 0;
  }

  // The kernel's dentry for `path` (positive or negative), if it is known under which directory node.
  // Never from a request on that directory: the kernel takes the directory's lock for this.
  int InvalidateEntry(const KnownPath& entry) {
    size_t slash = entry.path.rfind('/');
    if (entry.parent == 0 || slash == std::string::npos) return 0;
    std::string name = entry.path.substr(slash + 1);
    std::shared_lock<std::shared_mutex> lock(mutex);
    if (fuse == nullptr) return 0;
    int rc = fuse_lowlevel_notify_inval_entry(fuse_get_session(fuse), entry.parent, name.c_str(), name.size());
    return rc < 0 ? -rc : 0;
  }

  // Attributes, data and the dentry.
  void InvalidateAll(const KnownPath& entry) {
    InvalidatePath(entry.path.c_str());
    InvalidateEntry(entry);
  }
};

}  // namespace strata
