// Branch files reached from the branch root's descriptor, never from a path string the kernel resolves
// again: every component below the root is looked up with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS), so a directory swapped for a symlink (or moved out) mid-operation fails with
// ELOOP/EXDEV/ENOTDIR instead of sending the operation outside the branch. `rel` is a union path
// ("/a/b"; "/" or "" is the root itself). Union paths never hold "." or ".." (those give EINVAL) and may
// be longer than PATH_MAX: they are resolved in chunks, each from the directory the previous one opened.
// Blocking calls: pool threads only.
#pragma once
#include <sys/types.h>

#include <string>

namespace strata {

// An owned descriptor, closed when dropped.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// open(2) of rel beneath root with `flags` (O_CLOEXEC added; O_CREAT makes the leaf). A symlink at any
// component gives ELOOP, except a symlink leaf opened with O_PATH | O_NOFOLLOW, which is the link itself.
// Returns the descriptor, or -1 with errno set.
int OpenBeneath(int root, const std::string& rel, int flags, mode_t mode = 0);

// The directory holding rel's last component, for an *at() call on `leaf`. `dir` is an O_PATH
// descriptor owned by `owned`, or root itself (leaf ".") when rel is the root.
struct Parent {
  Fd owned;
  int dir = -1;
  std::string leaf;
};

// Fills *out; returns 0 or an errno.
int OpenParent(int root, const std::string& rel, Parent* out);

}  // namespace strata
