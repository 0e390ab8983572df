// Calls on branch entries named by (branch-root descriptor, union path). Each resolves the parent
// beneath the root (native/common/beneath.h) and acts on the leaf with an *at() call that never follows
// a symlink, so no component is ever looked up again by path: a directory swapped for a symlink
// mid-operation makes the call fail, never act outside the branch.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "anchor.h"
#include "args.h"
#include "beneath.h"
#include "bytes.h"
#include "caller_umask.h"
#include "inode_flags.h"
#include "link_unnamed.h"
#include "methods.h"
#include "no_follow.h"
#include "promise_work.h"

namespace strata {
namespace {

int Ok(long rc) { return ErrnoOf(rc); }

// A call on one entry that resolves to undefined.
Napi::Value Void(const Napi::CallbackInfo& info, const char* syscall, const Anchor& at, PromiseWork::Run run) {
  return PromiseWork::Queue(info.Env(), {syscall, at.rel, ""}, std::move(run));
}

}  // namespace

Anchor AnchorArg(const Napi::CallbackInfo& info, size_t i) {
  int root = IntArg(info, i, "root");
  if (root < 0) {
    Napi::TypeError error = Napi::TypeError::New(info.Env(), "The \"root\" argument must be an open descriptor");
    error.Set("code", Napi::String::New(info.Env(), "ERR_INVALID_ARG_TYPE"));
    throw error;
  }
  return {root, PathArg(info, i + 1, "rel")};
}

Napi::Value Mkdir(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  mode_t mode = UintArg(info, 2, "mode"), mask = UmaskArg(info, 3);
  return Void(info, "mkdirat", at, [=] {
    CallerUmask as(mask);
    return AtParent(at, [&](int dir, const char* leaf) { return mkdirat(dir, leaf, as.Mode(mode)); });
  });
}

Napi::Value Unlink(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  return Void(info, "unlinkat", at,
              [=] { return AtParent(at, [&](int dir, const char* leaf) { return unlinkat(dir, leaf, 0); }); });
}

Napi::Value Rmdir(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  return Void(info, "unlinkat", at, [=] {
    return AtParent(at, [&](int dir, const char* leaf) { return unlinkat(dir, leaf, AT_REMOVEDIR); });
  });
}

Napi::Value Rename(const Napi::CallbackInfo& info) {
  Anchor from = AnchorArg(info, 0), to = AnchorArg(info, 2);
  unsigned flags = UintArg(info, 4, "flags");
  return PromiseWork::Queue(info.Env(), {"renameat2", from.rel, to.rel}, [=] {
    return AtParents(from, to, [&](int fromDir, const char* fromLeaf, int toDir, const char* toLeaf) {
      return renameat2(fromDir, fromLeaf, toDir, toLeaf, flags);
    });
  });
}

Napi::Value Link(const Napi::CallbackInfo& info) {
  Anchor from = AnchorArg(info, 0), to = AnchorArg(info, 2);
  // No AT_SYMLINK_FOLLOW: a symlink source is linked as itself.
  return PromiseWork::Queue(info.Env(), {"linkat", from.rel, to.rel}, [=] {
    return AtParents(from, to, [&](int fromDir, const char* fromLeaf, int toDir, const char* toLeaf) {
      return linkat(fromDir, fromLeaf, toDir, toLeaf, 0);
    });
  });
}

// An unnamed regular file in directory rel (O_TMPFILE), open for writing: copy-up fills it and LinkFd
// names it when complete, so no partial copy ever has a name, and a worker killed meanwhile leaves
// nothing behind. EOPNOTSUPP where the filesystem has no such files (EISDIR before Linux 3.11).
Napi::Value OpenTmpfile(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  mode_t mode = UintArg(info, 2, "mode");
  auto fd = std::make_shared<int>(-1);
  return PromiseWork::Queue(
      info.Env(), {"open", at.rel, ""},
      [=] {
        *fd = OpenBeneath(at.root, at.rel, O_TMPFILE | O_WRONLY, mode);
        return *fd < 0 ? errno : 0;
      },
      [=](Napi::Env env) { return Napi::Number::New(env, *fd); });
}

// Names the unnamed file open as fd (OpenTmpfile) rel (link_unnamed.h).
Napi::Value LinkFd(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  Anchor at = AnchorArg(info, 1);
  return Void(info, "linkat", at,
              [=] { return AtParent(at, [&](int dir, const char* leaf) { return LinkUnnamed(fd, dir, leaf); }); });
}

Napi::Value Symlink(const Napi::CallbackInfo& info) {
  std::string target = TargetArg(info, 0, "target");
  Anchor at = AnchorArg(info, 1);
  return Void(info, "symlinkat", at, [=] {
    return AtParent(at, [&](int dir, const char* leaf) { return symlinkat(target.c_str(), dir, leaf); });
  });
}

Napi::Value Readlink(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  auto out = std::make_shared<std::string>();
  return PromiseWork::Queue(
      info.Env(), {"readlinkat", at.rel, ""},
      [=] {
        return AtParent(at, [&](int dir, const char* leaf) -> ssize_t {
          for (size_t size = 256;; size *= 2) {
            out->resize(size);
            ssize_t n = readlinkat(dir, leaf, out->data(), size);
            if (n < 0 || static_cast<size_t>(n) < size) {
              out->resize(n < 0 ? 0 : n);
              return n;
            }
          }
        });
      },
      [=](Napi::Env env) { return PathToJs(env, *out); });
}

Napi::Value Mknod(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  mode_t mode = UintArg(info, 2, "mode"), mask = UmaskArg(info, 4);
  dev_t dev = static_cast<dev_t>(Int64Arg(info, 3, "dev"));
  return Void(info, "mknodat", at, [=] {
    CallerUmask as(mask);
    return AtParent(at, [&](int dir, const char* leaf) { return mknodat(dir, leaf, as.Mode(mode), dev); });
  });
}

Napi::Value Lchown(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  int32_t uid = IntArg(info, 2, "uid"), gid = IntArg(info, 3, "gid");
  return Void(info, "fchownat", at, [=] {
    return AtParent(at, [&](int dir, const char* leaf) { return fchownat(dir, leaf, uid, gid, AT_SYMLINK_NOFOLLOW); });
  });
}

Napi::Value Utimens(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  struct timespec times[2] = {TimeArg(info, 2, "atime"), TimeArg(info, 3, "mtime")};
  return Void(info, "utimensat", at, [=] {
    return AtParent(at, [&](int dir, const char* leaf) { return utimensat(dir, leaf, times, AT_SYMLINK_NOFOLLOW); });
  });
}

// A symlink's mode cannot change on Linux: EOPNOTSUPP, as fchmodat2(AT_SYMLINK_NOFOLLOW) answers.
Napi::Value Chmod(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  mode_t mode = UintArg(info, 2, "mode");
  return Void(info, "fchmodat2", at, [=] {
    int err = AtParent(at, [&](int dir, const char* leaf) { return ChmodNoFollow(dir, leaf, mode); });
    if (err != ENOSYS) return err;
    // Kernels before 6.6: the leaf's own descriptor, after making sure it is not a symlink.
    return AtLeaf(at, [&](int fd, const char* self) {
      struct stat st;
      if (fstat(fd, &st) < 0) return errno;
      return S_ISLNK(st.st_mode) ? EOPNOTSUPP : Ok(chmod(self, mode));
    });
  });
}

Napi::Value Truncate(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  off_t size = Int64Arg(info, 2, "size");
  return Void(info, "truncate", at, [=] {
    // O_NONBLOCK: a FIFO (which truncate(2) refuses anyway) must not hold the thread.
    Fd fd(OpenBeneath(at.root, at.rel, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (fd.get() < 0) return errno;
    return Ok(ftruncate(fd.get(), size));
  });
}

Napi::Value Access(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  int mode = IntArg(info, 2, "mode");
  return Void(info, "faccessat", at, [=] {
    return AtParent(at, [&](int dir, const char* leaf) { return faccessat(dir, leaf, mode, AT_SYMLINK_NOFOLLOW); });
  });
}

// Names as the directory holds them (bytes that are not UTF-8 as lone surrogates), without . and ..
Napi::Value Readdir(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  auto names = std::make_shared<std::vector<std::string>>();
  return PromiseWork::Queue(
      info.Env(), {"readdir", at.rel, ""},
      [=] {
        int fd = OpenBeneath(at.root, at.rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (fd < 0) return errno;
        DIR* dir = fdopendir(fd);
        if (!dir) {
          int err = errno;
          close(fd);
          return err;
        }
        errno = 0;
        while (struct dirent* e = readdir(dir)) {
          if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names->emplace_back(e->d_name);
        }
        int err = errno;
        closedir(dir);
        return err;
      },
      [=](Napi::Env env) {
        Napi::Array out = Napi::Array::New(env, names->size());
        // As a Value: Set(index, String) would convert through std::string (UTF-8) and lose escaped bytes.
        for (uint32_t k = 0; k < names->size(); k++) out.Set(k, static_cast<Napi::Value>(PathToJs(env, (*names)[k])));
        return out;
      });
}

namespace {

// The inode flags of the regular file or directory `at` as the union shows them (ShownFlags: a copy-up's
// copy of a directory keeps its source's unchangeable ones in its mark) into *flags, left 0 for any other
// entry, which is never opened (a device's open may act). 0 or errno.
int FlagsBeneath(const Anchor& at, unsigned* flags) {
  int fd = OpenBeneath(at.root, at.rel, O_PATH | O_NOFOLLOW);
  if (fd < 0) return errno;
  struct stat st;
  if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
    int file = open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (file >= 0) {
      *flags = ShownFlags(file);
      close(file);
    }
  }
  close(fd);
  return 0;
}

}  // namespace

Napi::Value InodeFlagsOf(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  auto flags = std::make_shared<unsigned>(0);
  return PromiseWork::Queue(
      info.Env(), {"ioctl", at.rel, ""}, [=] { return FlagsBeneath(at, flags.get()); },
      [=](Napi::Env env) { return Napi::Number::New(env, *flags); });
}

Napi::Value RefusesNameChangeIn(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  bool removal = BoolArg(info, 2, "removal");
  auto flags = std::make_shared<unsigned>(0);
  return PromiseWork::Queue(
      info.Env(), {"ioctl", at.rel, ""}, [=] { return FlagsBeneath(at, flags.get()); },
      [=](Napi::Env env) { return Napi::Boolean::New(env, RefusesNameChange(*flags, removal)); });
}

}  // namespace strata
