// A file's inode flags (FS_IOC_GETFLAGS, what lsattr shows), and those of them that keep it from
// changing: the branch's filesystem refuses every change a copy-up is made for (a write, a truncation,
// a chmod, chown, utimes or xattr change, a link, a rename) to an immutable file, and all but appends to
// an append-only one. A copy of it would take them, so none is made (main/node/union/copyup.ts).
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstddef>

namespace strata {

constexpr unsigned kUnchangeableFlags = FS_IMMUTABLE_FL | FS_APPEND_FL;

// The flags a copy-up carries from its source to the copy, as overlayfs' does (ovl_copy_fileattr): how
// its owner asked the file to be written (sync) and read (noatime). The others say how the source's
// filesystem stores it, or keep it from changing (above).
constexpr unsigned kCopiedFlags = FS_SYNC_FL | FS_NOATIME_FL;

// The inode-flags commands the union passes on (lsattr and chattr's), and the size of their argument:
// the flags are an int, whatever size the command's number says (the kernel's fuse_fileattr_get). 0 for
// any other command. `*set`: the command changes the flags.
inline size_t FlagsArgSize(unsigned long cmd, bool* set) {
  *set = cmd == FS_IOC_SETFLAGS || cmd == FS_IOC_FSSETXATTR;
  switch (cmd) {
    case FS_IOC_GETFLAGS:
    case FS_IOC_SETFLAGS:
      return sizeof(int);
    case FS_IOC_FSGETXATTR:
    case FS_IOC_FSSETXATTR:
      return sizeof(struct fsxattr);
    default:
      return 0;
  }
}

// The flags of the regular file or directory open as `fd`; 0 where its filesystem keeps none, or they
// cannot be read.
inline unsigned InodeFlags(int fd) {
  int flags = 0;
  return ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 ? static_cast<unsigned>(flags) : 0;
}

// Gives the regular file or directory open as `to` the kCopiedFlags of `from` (its source's flags),
// keeping its others. Nothing is done when the source has none of them: the copy keeps what its
// directory gave it, as a file made there would (ext4 passes both on to new entries). 0 or errno.
inline int CarryFlags(unsigned from, int to) {
  if (!(from & kCopiedFlags)) return 0;
  int now = 0;
  if (ioctl(to, FS_IOC_GETFLAGS, &now) != 0) return errno;
  int want = static_cast<int>((static_cast<unsigned>(now) & ~kCopiedFlags) | (from & kCopiedFlags));
  return want == now || ioctl(to, FS_IOC_SETFLAGS, &want) == 0 ? 0 : errno;
}

// Whether a directory with `flags` refuses a change of its names, as the kernel refuses it (may_create,
// may_delete): an immutable one every change, an append-only one those that remove a name (`removal`:
// unlink, rmdir, a rename away from it or over a name in it).
inline bool RefusesNameChange(unsigned flags, bool removal) {
  return (flags & FS_IMMUTABLE_FL) != 0 || (removal && (flags & FS_APPEND_FL) != 0);
}

// ioctl(2) `cmd` (FS_IOC_GETFLAGS and its kin) with `arg` on `name` in `dir`, opened to read with `more`
// (O_NONBLOCK: a FIFO swapped in is never waited on). 0 or -errno.
inline int FlagsCallAt(int dir, const char* name, int more, unsigned long cmd, void* arg) {
  int fd = openat(dir, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | more);
  if (fd < 0) return -errno;
  int rc = ioctl(fd, cmd, arg) == 0 ? 0 : -errno;
  close(fd);
  return rc;
}

}  // namespace strata
