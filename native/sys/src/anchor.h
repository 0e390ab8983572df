// A branch entry as the JS side names it: the branch root's descriptor and a union path below it, and
// the two ways a pool job reaches it (native/common/beneath.h does the resolving).
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <napi.h>

#include <string>

#include "beneath.h"

namespace strata {

struct Anchor {
  int root;
  std::string rel;
};

// (root, rel) from arguments i and i + 1.
Anchor AnchorArg(const Napi::CallbackInfo& info, size_t i);

inline int ErrnoOf(long rc) { return rc < 0 ? errno : 0; }

// fn(dir, leaf) on rel's parent directory, an *at() call; returns 0 or an errno.
template <typename Fn>
int AtParent(const Anchor& at, Fn&& fn) {
  Parent p;
  if (int err = OpenParent(at.root, at.rel, &p)) return err;
  return ErrnoOf(fn(p.dir, p.leaf.c_str()));
}

// fn(fromDir, fromLeaf, toDir, toLeaf) for a call naming two entries (rename, link); returns 0 or an errno.
template <typename Fn>
int AtParents(const Anchor& from, const Anchor& to, Fn&& fn) {
  Parent a, b;
  if (int err = OpenParent(from.root, from.rel, &a)) return err;
  if (int err = OpenParent(to.root, to.rel, &b)) return err;
  return ErrnoOf(fn(a.dir, a.leaf.c_str(), b.dir, b.leaf.c_str()));
}

// fn(fd, "/proc/self/fd/N"): the leaf itself (a symlink leaf is the link) through an O_PATH descriptor,
// for calls that have no *at() form. The path names our own descriptor; following it is not a lookup.
// fn returns 0 or an errno, and so does AtLeaf.
template <typename Fn>
int AtLeaf(const Anchor& at, Fn&& fn) {
  Fd fd(OpenBeneath(at.root, at.rel, O_PATH | O_NOFOLLOW));
  if (fd.get() < 0) return errno;
  std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
  return fn(fd.get(), proc.c_str());
}

}  // namespace strata
