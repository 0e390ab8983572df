// The descriptor a caller's open gets on a branch file (main/node/union/handles.ts: branchFlags,
// openForCaller): the kernel decides write offsets (O_APPEND included, and pwrite on an O_APPEND
// descriptor ignores the offset it is given) and caching, and creating is the union's. An append-only
// file (chattr +a) opens for writing only with O_APPEND, which then stays, as the caller asked: every
// write appends, as the file demands.
#pragma once
#include <errno.h>
#include <fcntl.h>

namespace strata {

inline int CallerFlags(int flags) { return flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_APPEND | O_DIRECT); }

inline int OpenForCaller(int dir, const char* name, int flags, int more) {
  int fd = openat(dir, name, CallerFlags(flags) | more);
  if (fd < 0 && errno == EPERM && (flags & O_APPEND)) fd = openat(dir, name, CallerFlags(flags) | O_APPEND | more);
  return fd;
}

}  // namespace strata
