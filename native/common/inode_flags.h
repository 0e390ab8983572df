// A file's inode flags (FS_IOC_GETFLAGS, what lsattr shows), and those of them that keep it from
// changing: the branch's filesystem refuses every change a copy-up is made for (a write, a truncation,
// a chmod, chown, utimes or xattr change, a link, a rename) to an immutable file, and all but appends to
// an append-only one. A copy of it would take them, so none is made (main/node/union/copyup.ts); a
// directory's copy, which must be made to write in it, keeps them in a mark instead (kMarkName).
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstddef>
#include <string>

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

// A directory copied up from one immutable or append-only keeps those flags in this mark instead of its
// own, as overlayfs keeps them in `overlay.protattr`: the union must still make names and whiteouts in
// its copy. The value: 'i' for immutable, 'a' for append-only. The union neither lists nor lets anyone
// change a user.strata.* name (ops/xattr.ts), but its lsattr and chattr read and write the mark.
constexpr const char* kMarkName = "user.strata.protattr";

// The unchangeable flags the mark of the copy at `path` keeps (`link`: never through a symlink there);
// 0 where it has none.
inline unsigned MarkOf(const std::string& path, bool link) {
  char value[8];
  ssize_t n = (link ? lgetxattr : getxattr)(path.c_str(), kMarkName, value, sizeof value);
  unsigned flags = 0;
  for (ssize_t k = 0; k < n; k++) flags |= value[k] == 'i' ? FS_IMMUTABLE_FL : value[k] == 'a' ? FS_APPEND_FL : 0;
  return flags;
}

// MarkOf the copy open as `fd` (any descriptor, O_PATH too).
inline unsigned MarkedFlags(int fd) { return MarkOf("/proc/self/fd/" + std::to_string(fd), false); }

// MarkOf the entry `name` (one component) in the directory open as `dir`.
inline unsigned MarkedFlagsAt(int dir, const char* name) {
  return MarkOf("/proc/self/fd/" + std::to_string(dir) + "/" + name, true);
}

// Makes the mark of the directory open as `fd` keep the unchangeable ones of `flags`, or removes it
// where there are none. 0 or errno.
inline int SetMark(int fd, unsigned flags) {
  std::string path = "/proc/self/fd/" + std::to_string(fd), value;
  if (flags & FS_IMMUTABLE_FL) value += 'i';
  if (flags & FS_APPEND_FL) value += 'a';
  if (!value.empty()) return setxattr(path.c_str(), kMarkName, value.data(), value.size(), 0) == 0 ? 0 : errno;
  return removexattr(path.c_str(), kMarkName) == 0 || errno == ENODATA ? 0 : errno;
}

// The flags the union shows for the regular file or directory open as `fd`: its own, and those its mark
// keeps.
inline unsigned ShownFlags(int fd) { return InodeFlags(fd) | MarkedFlags(fd); }

// Gives the regular file or directory open as `to` the kCopiedFlags of `from` (its source's flags),
// keeping its others, and a directory's unchangeable ones in its mark (a file that has them is never
// copied up). Nothing is done when the source has none of them: the copy keeps what its directory gave
// it, as a file made there would (ext4 passes both on to new entries). 0 or errno.
inline int CarryFlags(unsigned from, int to) {
  int marked = from & kUnchangeableFlags ? SetMark(to, from) : 0;
  if (!(from & kCopiedFlags)) return marked;
  int now = 0;
  if (ioctl(to, FS_IOC_GETFLAGS, &now) != 0) return errno;
  int want = static_cast<int>((static_cast<unsigned>(now) & ~kCopiedFlags) | (from & kCopiedFlags));
  return want == now || ioctl(to, FS_IOC_SETFLAGS, &want) == 0 ? marked : errno;
}

// Whether a directory with `flags` refuses a change of its names, as the kernel refuses it (may_create,
// may_delete): an immutable one every change, an append-only one those that remove a name (`removal`:
// unlink, rmdir, a rename away from it or over a name in it).
inline bool RefusesNameChange(unsigned flags, bool removal) {
  return (flags & FS_IMMUTABLE_FL) != 0 || (removal && (flags & FS_APPEND_FL) != 0);
}

// The unchangeable flags as FS_IOC_FSGETXATTR's fsx_xflags say them, and back.
inline unsigned AsXflags(unsigned flags) {
  return (flags & FS_IMMUTABLE_FL ? FS_XFLAG_IMMUTABLE : 0) | (flags & FS_APPEND_FL ? FS_XFLAG_APPEND : 0);
}

inline unsigned FromXflags(unsigned xflags) {
  return (xflags & FS_XFLAG_IMMUTABLE ? FS_IMMUTABLE_FL : 0) | (xflags & FS_XFLAG_APPEND ? FS_APPEND_FL : 0);
}

// The inode-flags command `cmd` (FlagsArgSize's) with `arg` on the regular file or directory open as
// `fd`, as the union answers it: the flags its mark keeps shown with its own, and where it has a mark,
// the unchangeable ones asked for kept in the mark instead of set (the union must still write in it), as
// overlayfs' chattr sets its copy's. 0 or -errno.
inline int FlagsCall(int fd, unsigned long cmd, void* arg) {
  bool set, fsx = cmd == FS_IOC_FSGETXATTR || cmd == FS_IOC_FSSETXATTR;
  FlagsArgSize(cmd, &set);
  unsigned marked = MarkedFlags(fd);
  if (!set || marked == 0) {
    if (ioctl(fd, cmd, arg) != 0) return -errno;
    if (set) return 0;
    if (fsx) {
      static_cast<struct fsxattr*>(arg)->fsx_xflags |= AsXflags(marked);
    } else {
      *static_cast<int*>(arg) |= static_cast<int>(marked);
    }
    return 0;
  }
  struct fsxattr fa = {};
  int flags = 0;
  unsigned asked;
  if (fsx) {
    fa = *static_cast<struct fsxattr*>(arg);
    asked = FromXflags(fa.fsx_xflags);
    fa.fsx_xflags &= ~AsXflags(kUnchangeableFlags);
  } else {
    flags = *static_cast<int*>(arg);
    asked = static_cast<unsigned>(flags);
    flags &= ~static_cast<int>(kUnchangeableFlags);
  }
  if (ioctl(fd, cmd, fsx ? static_cast<void*>(&fa) : static_cast<void*>(&flags)) != 0) return -errno;
  return -SetMark(fd, asked);
}

// FlagsCall on `name` in `dir`, opened to read with `more` (O_NONBLOCK: a FIFO swapped in is never
// waited on). 0 or -errno.
inline int FlagsCallAt(int dir, const char* name, int more, unsigned long cmd, void* arg) {
  int fd = openat(dir, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | more);
  if (fd < 0) return -errno;
  int rc = FlagsCall(fd, cmd, arg);
  close(fd);
  return rc;
}

// The InodeFlags of `name` in `dir`, opened as FlagsCallAt opens it; 0 where it cannot be. Its own
// flags alone: a mark tells only of a directory the union writes in place.
inline unsigned InodeFlagsAt(int dir, const char* name, int more) {
  int fd = openat(dir, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | more);
  if (fd < 0) return 0;
  unsigned flags = InodeFlags(fd);
  close(fd);
  return flags;
}

// Whether the regular file or directory `name` in `dir` is immutable or append-only: from statx where
// its filesystem tells (ext4, xfs, btrfs and tmpfs do: nothing is opened), else from its flags.
inline bool UnchangeableAt(int dir, const char* name) {
  constexpr uint64_t kAttrs = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND;
  struct statx sx;
  if (statx(dir, name, AT_SYMLINK_NOFOLLOW, 0, &sx) == 0 && (sx.stx_attributes_mask & kAttrs) == kAttrs)
    return (sx.stx_attributes & kAttrs) != 0;
  return (InodeFlagsAt(dir, name, O_NOFOLLOW) & kUnchangeableFlags) != 0;
}

}  // namespace strata
