// The raw request a libfuse thread is serving, as the kernel sent it. libfuse's high-level API hides
// node ids, but invalidating a kernel dentry needs its parent's: a getattr answered for a LOOKUP (or
// for the entry a CREATE, MKNOD, MKDIR or SYMLINK made) records the name under the parent node id
// found here (known_paths.h).
#pragma once
#include <linux/fuse.h>

#include <cstdint>

namespace strata {

struct Request {
  uint32_t opcode = 0;
  uint64_t nodeid = 0;

  // The directory's node id when the current request looks up or makes a name in it, else 0.
  static uint64_t EntryParent() {
    switch (current.opcode) {
      case FUSE_LOOKUP:
      case FUSE_CREATE:
      case FUSE_MKNOD:
      case FUSE_MKDIR:
      case FUSE_SYMLINK:
        return current.nodeid;
      default:
        return 0;
    }
  }
  // A request after which libfuse reads the changed inode's attributes back (through getattr).
  static bool ReadsBackChange() { return current.opcode == FUSE_SETATTR || current.opcode == FUSE_LINK; }

  // The directory's node id when the current request lists it with attributes, else 0.
  static uint64_t ListingDir() { return current.opcode == FUSE_READDIRPLUS ? current.nodeid : 0; }

  static thread_local Request current;
};

}  // namespace strata
