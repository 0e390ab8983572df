// The connection's notification side, shared with the threads that invalidate through it so they can
// outlive the Mount safely: /dev/fuse (while it is open) and the node table that turns union paths
// into the node ids the kernel knows.
#pragma once
#include <memory>
#include <shared_mutex>
#include <string>

#include "device.h"
#include "known_paths.h"
#include "nodes.h"

namespace strata {

struct Session {
  std::shared_mutex mutex;  // shared while in use, exclusive while the device closes
  std::unique_ptr<Device> device;
  Nodes nodes;

  // Attributes and data of the inode `path` names. 0, or the positive errno (ENOENT: the kernel holds
  // nothing for the path).
  // `pages` false: attributes only, which any request may ask for (no page lock is taken).
  int InvalidatePath(const std::string& path, bool pages = true) {
    uint64_t nodeid = nodes.Find(path);
    if (nodeid == 0) return ENOENT;
    std::shared_lock<std::shared_mutex> lock(mutex);
    return device ? device->InvalInode(nodeid, pages ? 0 : -1, 0) : 0;
  }

  // The kernel's dentry for `path` (positive or negative), expired so that its next use asks the union
  // again (Device::InvalEntry), if it is known under which directory node.
  // Never from a request on that directory: the kernel takes the directory's lock for this.
  int InvalidateEntry(const KnownPath& entry) {
    size_t slash = entry.path.rfind('/');
    if (slash == std::string::npos) return 0;
    uint64_t parent = nodes.Find(slash == 0 ? "/" : entry.path.substr(0, slash));
    if (parent == 0) parent = entry.parent;
    if (parent == 0) return 0;
    std::shared_lock<std::shared_mutex> lock(mutex);
    return device ? device->InvalEntry(parent, entry.path.substr(slash + 1)) : 0;
  }

  // Attributes, data and the dentry.
  void InvalidateAll(const KnownPath& entry) {
    InvalidatePath(entry.path);
    InvalidateEntry(entry);
  }
};

}  // namespace strata
