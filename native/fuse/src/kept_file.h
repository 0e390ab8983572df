// Requests on a node that lost its last name through the union while a process still holds it (a
// directory it works in, an open FIFO: Nodes::Keep), answered on the branch file kept for it, as a
// local filesystem answers fstat, fchmod, fchown, futimens and the xattr calls on such a descriptor.
#pragma once
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "nodes.h"

namespace strata::kept {

// The file's attributes, numbered `ino` as the kernel knows the node. 0 or -errno.
int Stat(const Nodes::Kept& kept, uint64_t ino, struct stat* st);
// 0 or -errno. A file left only on a branch the union does not write in place cannot be copied up any
// more (it has no name to be copied to): EROFS.
int ChMod(const Nodes::Kept& kept, mode_t mode);
int ChOwn(const Nodes::Kept& kept, uid_t uid, gid_t gid);
int UTimeNs(const Nodes::Kept& kept, const struct timespec tv[2]);
// As getxattr(2) and listxattr(2): the size, or -errno. Strata's own user.strata.* names tell of a union
// path, which such a file has none of.
int GetXattr(const Nodes::Kept& kept, const char* name, char* value, size_t size);
int ListXattr(const Nodes::Kept& kept, char* list, size_t size);
// 0 or -errno, as ChMod; Strata's own names are not the file's to take (EPERM).
int SetXattr(const Nodes::Kept& kept, const char* name, const char* value, size_t size, int flags);
int RemoveXattr(const Nodes::Kept& kept, const char* name);
// An inode-flags call (op::FileFlags): 0 or -errno; a change as ChMod.
int Flags(const Nodes::Kept& kept, unsigned int cmd, void* arg, bool set);

}  // namespace strata::kept
