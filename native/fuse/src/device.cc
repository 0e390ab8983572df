#include "device.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace strata {

// The device is read and written with bare system calls, not libc's read and writev: no thread here is
// ever cancelled, and the wrappers' bookkeeping for cancellation (two atomic operations a call) was
// 3.5% of a worker's user time.
ssize_t Device::Read(char* buf, size_t size) const {
  ssize_t n = syscall(SYS_read, fd_, buf, size);
  if (n >= 0) return n;
  // ENODEV: the connection was unmounted or aborted.
  return errno == ENODEV ? 0 : -errno;
}

int Device::Send(int32_t error, uint64_t unique, std::initializer_list<struct iovec> payload) const {
  // The most any message has: a CREATE's entry and open, a notification's record and name.
  constexpr size_t kMostPieces = 2;
  if (payload.size() > kMostPieces) return EMSGSIZE;
  struct fuse_out_header header = {};
  struct iovec iov[1 + kMostPieces] = {Piece(header)};
  size_t count = 1, len = sizeof header;
  for (const struct iovec& piece : payload) {
    iov[count++] = piece;
    len += piece.iov_len;
  }
  header.len = static_cast<uint32_t>(len);
  header.error = error;
  header.unique = unique;
  ssize_t n = syscall(SYS_writev, fd_, iov, count);
  return n < 0 ? errno : 0;
}

void Device::Reply(uint64_t unique, std::initializer_list<struct iovec> payload) const {
  // ENOENT: the request was interrupted and is gone; ENODEV: the connection is. Nothing to do either way.
  int rc = Send(0, unique, payload);
  if (rc != 0 && rc != ENOENT && rc != ENODEV) fprintf(stderr, "strata: FUSE reply failed: %s\n", strerror(rc));
}

void Device::Fail(uint64_t unique, int error) const {
  int rc = Send(-error, unique, {});
  if (rc != 0 && rc != ENOENT && rc != ENODEV) fprintf(stderr, "strata: FUSE reply failed: %s\n", strerror(rc));
}

int Device::InvalInode(uint64_t nodeid, int64_t off, int64_t len) const {
  struct fuse_notify_inval_inode_out out = {};
  out.ino = nodeid;
  out.off = off;
  out.len = len;
  return Send(FUSE_NOTIFY_INVAL_INODE, 0, {Piece(out)});
}

int Device::InvalEntry(uint64_t parent, const std::string& name) const {
  struct fuse_notify_inval_entry_out out = {};
  out.parent = parent;
  out.namelen = static_cast<uint32_t>(name.size());
  // Expired, not unhashed: the next walk through the name asks the union again, and the kernel keeps
  // the dentry when the answer is the node it has. Unhashing a directory's dentry would leave every
  // process whose working directory is at or below it unable to name it (getcwd: ENOENT) and detach
  // any mount on it, though the union still shows it there. (Kernels before 6.2 read the flag as
  // padding and unhash, as before.)
  out.flags = FUSE_EXPIRE_ONLY;
  return Send(FUSE_NOTIFY_INVAL_ENTRY, 0, {Piece(out), Piece(name.c_str(), name.size() + 1)});
}

int Device::Store(uint64_t nodeid, uint64_t off, const char* data, size_t len) const {
  struct fuse_notify_store_out out = {};
  out.nodeid = nodeid;
  out.offset = off;
  out.size = static_cast<uint32_t>(len);
  return Send(FUSE_NOTIFY_STORE, 0, {Piece(out), Piece(data, len)});
}

}  // namespace strata
