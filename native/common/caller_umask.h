// A new entry's mode as the branch's filesystem would give it to the caller: the kernel sends the mode
// unmasked with the caller's umask (FUSE_DONT_MASK), and the branch's filesystem applies that umask, or
// the directory's default ACL instead (posix_acl_create), while it is this thread's umask. Each thread
// that creates takes a umask of its own first (CLONE_FS), so no other thread's creation sees it, and
// sets it back to 0 after, since every other mode this process passes is meant as it is.
#pragma once
#include <sched.h>
#include <sys/stat.h>
#include <sys/types.h>

namespace strata {

class CallerUmask {
 public:
  explicit CallerUmask(mode_t mask) : mask_(mask & 0777), own_(mask_ != 0 && OwnUmask()) {
    if (own_) umask(mask_);
  }
  ~CallerUmask() {
    if (own_) umask(0);
  }
  CallerUmask(const CallerUmask&) = delete;
  CallerUmask& operator=(const CallerUmask&) = delete;

  // The mode to create with: as given while the umask is the caller's; masked here where this thread
  // could not take a umask of its own (a default ACL then gets the masked mode, as without ACLs).
  mode_t Mode(mode_t mode) const { return own_ || mask_ == 0 ? mode : mode & ~mask_; }

 private:
  static bool OwnUmask() {
    thread_local const bool own = unshare(CLONE_FS) == 0;
    return own;
  }
  mode_t mask_;
  bool own_;
};

}  // namespace strata
