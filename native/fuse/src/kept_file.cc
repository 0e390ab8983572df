#include "kept_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>

#include "inode_flags.h"
#include "mount.h"

namespace strata::kept {

namespace {

// fchmodat2 (Linux 6.6): glibc 2.36 refuses AT_EMPTY_PATH for fchmodat itself.
constexpr long kFchmodat2 = 452;

// The descriptor's /proc link, which leads to this file and no other (an O_PATH descriptor takes no
// f*xattr or fchmod call).
std::string Link(const Nodes::Kept& kept) { return "/proc/self/fd/" + std::to_string(kept.fd->get()); }

int Change(Counters::Op op, int rc) {
  Mount::Current().counters().Count(op);
  return rc < 0 ? -errno : 0;
}

}  // namespace

int Stat(const Nodes::Kept& kept, uint64_t ino, struct stat* st) {
  Mount::Current().counters().Count(Counters::kGetattr);
  if (fstat(kept.fd->get(), st) != 0) return -errno;
  st->st_ino = ino;
  st->st_dev = 0;
  return 0;
}

int ChMod(const Nodes::Kept& kept, mode_t mode) {
  if (!kept.writable) return -EROFS;
  int fd = kept.fd->get();
  if (syscall(kFchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0) return Change(Counters::kChmod, 0);
  if (errno != ENOSYS) return -errno;
  return Change(Counters::kChmod, chmod(Link(kept).c_str(), mode));
}

int ChOwn(const Nodes::Kept& kept, uid_t uid, gid_t gid) {
  if (!kept.writable) return -EROFS;
  return Change(Counters::kChown, fchownat(kept.fd->get(), "", uid, gid, AT_EMPTY_PATH));
}

int UTimeNs(const Nodes::Kept& kept, const struct timespec tv[2]) {
  if (!kept.writable) return -EROFS;
  return Change(Counters::kUtimens, utimensat(kept.fd->get(), "", tv, AT_EMPTY_PATH));
}

int GetXattr(const Nodes::Kept& kept, const char* name, char* value, size_t size) {
  Mount::Current().counters().Count(Counters::kGetxattr);
  if (strncmp(name, "user.strata.", 12) == 0) return -ENODATA;
  ssize_t n = getxattr(Link(kept).c_str(), name, value, size);
  return n < 0 ? -errno : static_cast<int>(n);
}

int SetXattr(const Nodes::Kept& kept, const char* name, const char* value, size_t size, int flags) {
  if (!kept.writable) return -EROFS;
  if (strncmp(name, "user.strata.", 12) == 0) return -EPERM;
  return Change(Counters::kSetxattr, setxattr(Link(kept).c_str(), name, value, size, flags));
}

int RemoveXattr(const Nodes::Kept& kept, const char* name) {
  if (!kept.writable) return -EROFS;
  if (strncmp(name, "user.strata.", 12) == 0) return -EPERM;
  return Change(Counters::kRemovexattr, removexattr(Link(kept).c_str(), name));
}

int ListXattr(const Nodes::Kept& kept, char* list, size_t size) {
  Mount::Current().counters().Count(Counters::kListxattr);
  ssize_t n = listxattr(Link(kept).c_str(), list, size);
  return n < 0 ? -errno : static_cast<int>(n);
}

int Flags(const Nodes::Kept& kept, unsigned int cmd, void* arg, bool set) {
  if (set && !kept.writable) return -EROFS;
  Mount::Current().counters().Count(Counters::kIoctl);
  return FlagsCallAt(AT_FDCWD, Link(kept).c_str(), 0, cmd, arg);
}

}  // namespace strata::kept
