#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "beneath.h"
#include "bytes.h"
#include "convert.h"
#include "copy_up.h"
#include "inode_flags.h"
#include "mount.h"
#include "no_follow.h"
#include "op_support.h"
#include "publish_dir.h"
#include "request.h"

namespace strata::op {

namespace {

// The fh of an attribute request, if it names a file the ops opened: libfuse passes its own
// directory handle for fchmod etc. on a directory. Decided on the FUSE thread, pushed on the JS thread.
class AttrFh {
 public:
  explicit AttrFh(const struct fuse_file_info* fi)
      : known_(fi != nullptr && Mount::Current().files().Contains(fi->fh)), fh_(fi ? fi->fh : 0) {}
  Napi::Value Get(Napi::Env env) const { return known_ ? Num(env, static_cast<double>(fh_)) : env.Undefined(); }

 private:
  bool known_;
  uint64_t fh_;
};

}  // namespace

int GetAttrNatively(const char* path, struct stat* st, bool* own_inode) {
  Mount& mount = Mount::Current();
  if (own_inode != nullptr) *own_inode = false;
  int root;
  int rc = mount.dirs().Answer(path, st, &root);
  // A name in a directory nobody has published yet: published here from its own parent's, if that is,
  // and asked again only then (a name with rules of its own in a published one stays JS's). The root
  // is published again from the branches'.
  if (rc == DirAttrs::kAskJs && path != nullptr && path[0] == '/' && PublishAnswering(mount, path))
    rc = mount.dirs().Answer(path, st, &root);
  if (rc == DirAttrs::kAskJs) return rc;
  // As the engine's getattr says (FuseStat.ownInode): a hard link on a branch it would be copied up from.
  if (own_inode != nullptr && rc == 0 && root >= 0 && !S_ISDIR(st->st_mode) && st->st_nlink > 1)
    *own_inode = !mount.branch_modes().InPlace(root);
  return rc;
}

static int Attributes(const char* path, struct stat* st, struct fuse_file_info* fi, bool* own_inode) {
  // libfuse asks right after every open and create (auto_cache, lookup): fstat of the branch file is
  // all the ops would do, so it is answered here with the union's inode number.
  Mount& mount = Mount::Current();
  OpenFile direct = fi ? mount.files().Get(fi->fh) : OpenFile{};
  if (direct.ino != OpenFile::kNoIno) {
    mount.counters().Count(Counters::kGetattr);
    if (fstat(direct.fd, st) < 0) return -errno;
    if (direct.numbered_by_fd) return mount.dirs().Numbered(st);
    st->st_ino = direct.ino;
    st->st_dev = 0;
    return 0;
  }
  if (fi == nullptr) {
    int rc = GetAttrNatively(path, st, own_inode);
    if (rc != DirAttrs::kAskJs) {
      mount.counters().Count(Counters::kGetattr);
      return rc;
    }
  }
  AttrFh fh(fi);
  return Run(
      "getattr", path, [&](Napi::Env env, Argv& a) { a.push_back(fh.Get(env)); },
      [st, own_inode](Napi::Value v) {
        ToStat(v, st);
        // A hard link on a branch it would be copied up from (FuseStat.ownInode).
        if (own_inode != nullptr) *own_inode = v.As<Napi::Object>().Get("ownInode").ToBoolean();
        return 0;
      });
}

int GetAttr(const char* path, struct stat* st, struct fuse_file_info* fi, bool* own_inode) {
  if (own_inode != nullptr) *own_inode = false;
  return Attributes(path, st, fi, own_inode);
}

// The branch descriptor of a handle whose attributes may change natively, else -1: the request's own,
// which the kernel keeps open until it has the reply, or a duplicate of one open on the same path,
// held in `dup` (OpenFiles::DupByPath).
static int AttrFd(const char* path, const struct fuse_file_info* fi, Fd* dup) {
  if (fi == nullptr) {
    *dup = Fd(Mount::Current().files().DupByPath(path));
    return dup->get();
  }
  OpenFile file = Mount::Current().files().Get(fi->fh);
  return file.attrs ? file.fd : -1;
}

static int Errno(int rc) { return rc < 0 ? -errno : 0; }

// An attribute change served on the branch descriptor.
static int Native(Counters::Op op, const char* path, const std::function<int()>& change) {
  Mount::Current().counters().Count(op);
  MarkOwnChange(path);
  return change();
}

// A change the engine would make where the served copy is (attr.ts: after ensureWritable), made here as
// one *at() call beneath the copy's directory that never follows a symlink. A regular file or symlink on
// a branch that cannot change is copied up first, as an open for writing copies a file (copy_up.h; only
// its metadata when `empties`, a truncate to 0), and so is a directory (CopyDirUpNatively); a special
// file there, or the root, is the engine's to copy up. Not while moveonenospc is on, since the engine
// may be moving the file (branch_modes.h). `change` returns 0 or -errno. false: the engine's, as is a
// copy gone since the lookup.
// `unless`: asked of a copy to be copied up first; a failure it gives is the answer, with no copy-up.
static bool OnServedCopy(Counters::Op op, const char* path, const std::function<int(int, const char*)>& change, int* rc,
                         bool empties = false, const std::function<int(int, const char*)>& unless = nullptr) {
  Mount& mount = Mount::Current();
  DirAttrs::Served served;
  if (path == nullptr || !mount.branch_modes().Opens() || LocateServed(mount, path, &served) != 0 || served.dir < 0)
    return false;
  bool in_place = mount.branch_modes().InPlace(served.root), is_dir = S_ISDIR(served.st.st_mode);
  bool root = strcmp(path, "/") == 0;
  // A copy-up's copy of a directory that was immutable or append-only refuses as its source would, save
  // the chattr that clears its mark (inode_flags.h).
  if (in_place && is_dir && op != Counters::kIoctl &&
      (MarkedFlagsAt(served.dir, served.name.c_str()) & kUnchangeableFlags)) {
    *rc = -EPERM;
    mount.counters().Count(op);
    return true;
  }
  if (!in_place && ((!S_ISREG(served.st.st_mode) && !S_ISLNK(served.st.st_mode) && !is_dir) || root)) return false;
  if (!in_place && unless) {
    // One that cannot change refuses first, as its copy-up would (the kernel asks the flags first).
    bool flagged = (S_ISREG(served.st.st_mode) || is_dir) && UnchangeableAt(served.dir, served.name.c_str());
    int err = flagged ? -EPERM : unless(served.dir, served.name.c_str());
    if (err == -ENOENT || err == -ENOSYS) return false;
    if (err < 0) {
      *rc = err;
      mount.counters().Count(op);
      return true;
    }
  }
  MarkOwnChange(path);
  CopiedUp up;
  if (!in_place && !(is_dir ? CopyDirUpNatively(path, served, &up) : CopyUpNatively(path, served, empties, &up)))
    return false;
  int dir = in_place ? served.dir : up.dir;
  *rc = change(dir, served.name.c_str());
  if (*rc == -ENOENT || *rc == -ENOSYS) return false;
  mount.counters().Count(op);
  return true;
}

int ChMod(const char* path, mode_t mode, struct fuse_file_info* fi) {
  Fd dup;
  int fd = AttrFd(path, fi, &dup), rc;
  if (fd >= 0) return Native(Counters::kChmod, path, [&] { return Errno(fchmod(fd, mode)); });
  if (OnServedCopy(
          Counters::kChmod, path, [&](int dir, const char* name) { return Errno(ChmodNoFollow(dir, name, mode)); },
          &rc))
    return rc;
  AttrFh fh(fi);
  MarkOwnChange(path);
  return Run("chmod", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Num(env, mode));
    a.push_back(fh.Get(env));
  });
}

int ChOwn(const char* path, uid_t uid, gid_t gid, struct fuse_file_info* fi) {
  Fd dup;
  int fd = AttrFd(path, fi, &dup), rc;
  if (fd >= 0) return Native(Counters::kChown, path, [&] { return Errno(fchown(fd, uid, gid)); });
  if (OnServedCopy(
          Counters::kChown, path,
          [&](int dir, const char* name) { return Errno(fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW)); }, &rc))
    return rc;
  AttrFh fh(fi);
  MarkOwnChange(path);
  return Run("chown", path, [&](Napi::Env env, Argv& a) {
    a.push_back(FromId(env, uid));
    a.push_back(FromId(env, gid));
    a.push_back(fh.Get(env));
  });
}

int Truncate(const char* path, off_t size, struct fuse_file_info* fi) {
  Fd dup;
  int fd = AttrFd(path, fi, &dup), rc;
  if (fd >= 0) return Native(Counters::kTruncate, path, [&] { return Errno(ftruncate(fd, size)); });
  // O_NONBLOCK: a FIFO (which truncate(2) refuses anyway) must not hold the thread.
  if (OnServedCopy(
          Counters::kTruncate, path,
          [&](int dir, const char* name) {
            Fd copy(openat(dir, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
            return copy.get() < 0 ? -errno : Errno(ftruncate(copy.get(), size));
          },
          &rc, size == 0))
    return rc;
  AttrFh fh(fi);
  MarkOwnChange(path);
  return Run("truncate", path, [&](Napi::Env env, Argv& a) {
    a.push_back(FromI64(env, size));
    a.push_back(fh.Get(env));
  });
}

int UTimeNs(const char* path, const struct timespec tv[2], struct fuse_file_info* fi) {
  Fd dup;
  int fd = AttrFd(path, fi, &dup), rc;
  if (fd >= 0) return Native(Counters::kUtimens, path, [&] { return Errno(futimens(fd, tv)); });
  if (OnServedCopy(
          Counters::kUtimens, path,
          [&](int dir, const char* name) { return Errno(utimensat(dir, name, tv, AT_SYMLINK_NOFOLLOW)); }, &rc))
    return rc;
  AttrFh fh(fi);
  MarkOwnChange(path);
  return Run("utimens", path, [&](Napi::Env env, Argv& a) {
    a.push_back(FromTime(env, tv[0]));
    a.push_back(FromTime(env, tv[1]));
    a.push_back(fh.Get(env));
  });
}

// An ACL changes the mode behind the kernel's back, and it only drops the cached ctime. Invalidated
// before the reply, so a permission check right after already sees the new mode; no page is locked
// during an xattr request, so the kernel cannot wait on this one.
static int XattrChange(const char* path, const std::function<int()>& op) {
  MarkOwnChange(path);
  int rc = op();
  if (rc == 0 && path != nullptr) Mount::Current().InvalidateNow(path);
  return rc;
}

// An xattr call on the copy `name` in `dir` as the engine's (sys/xattr.cc) makes it: through an O_PATH
// descriptor opened beneath the directory, never following a symlink (its /proc/self/fd link leads to
// the symlink itself).
static int OnCopyXattr(int dir, const char* name, const std::function<ssize_t(const char*)>& call) {
  Fd copy(openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (copy.get() < 0) return -errno;
  ssize_t n = call(("/proc/self/fd/" + std::to_string(copy.get())).c_str());
  return n < 0 ? -errno : static_cast<int>(n);
}

// An xattr read of the served copy, which nothing copies up. false: the engine's, as is a copy gone
// since the lookup.
static bool OnServedXattr(const char* path, const std::function<ssize_t(const char*)>& call, int* rc) {
  DirAttrs::Served served;
  if (path == nullptr || LocateServed(Mount::Current(), path, &served) != 0 || served.dir < 0) return false;
  *rc = OnCopyXattr(served.dir, served.name.c_str(), call);
  return *rc != -ENOENT;
}

// Strata's own user.strata.* names are the engine's to answer (ops/xattr.ts).
static bool Strata(const char* name) { return strncmp(name, "user.strata.", 12) == 0; }

// A file served by a hidden name: `call` on its descriptor's /proc/self/fd link (HiddenFile).
static bool OnHiddenFile(Counters::Op op, const char* path, const std::function<ssize_t(const char*)>& call, int* rc) {
  Fd held(HiddenFile(path));
  if (held.get() < 0) return false;
  ssize_t n = call(("/proc/self/fd/" + std::to_string(held.get())).c_str());
  *rc = n < 0 ? -errno : static_cast<int>(n);
  Mount::Current().counters().Count(op);
  return true;
}

// A set or remove made natively on the served copy, copied up first (OnServedCopy), as the engine's
// setxattr and removexattr (ops/xattr.ts) make them, or on a file served by a hidden name; `unless` as
// OnServedCopy's.
static bool XattrChangeNatively(Counters::Op op, const char* path, const char* name,
                                const std::function<ssize_t(const char*)>& call, int* rc,
                                const std::function<ssize_t(const char*)>& unless = nullptr) {
  if (!Strata(name) && OnHiddenFile(op, path, call, rc)) return true;
  auto on_copy = [](const std::function<ssize_t(const char*)>& c) {
    return [&c](int dir, const char* leaf) { return OnCopyXattr(dir, leaf, c); };
  };
  return !Strata(name) && OnServedCopy(op, path, on_copy(call), rc, false,
                                       unless ? std::function<int(int, const char*)>(on_copy(unless)) : nullptr);
}

int SetXattr(const char* path, const char* name, const char* value, size_t size, int flags) {
  return XattrChange(path, [&] {
    int rc;
    if (XattrChangeNatively(
            Counters::kSetxattr, path, name, [&](const char* self) { return setxattr(self, name, value, size, flags); },
            &rc))
      return rc;
    return Run("setxattr", path, [&](Napi::Env env, Argv& a) {
      a.push_back(Napi::String::New(env, name));
      a.push_back(Napi::Buffer<char>::Copy(env, value, size));
      a.push_back(Num(env, flags));
    });
  });
}

// size 0 asks for the length; a value larger than size is ERANGE (getxattr(2) semantics).
// The kernel asks for security.capability before every write, chown and truncate: a copy open for
// writing answers on its descriptor, any other served copy through an O_PATH descriptor opened beneath
// its published directory, as the engine reads it (sys/xattr.cc). Strata's own user.strata.* names are
// always JS's.
static bool XattrNatively(const char* path, const char* name, char* value, size_t size, int* rc) {
  Mount& mount = Mount::Current();
  if (path == nullptr || Strata(name)) return false;
  Fd open(mount.files().DupByPath(path));
  if (open.get() >= 0) {
    ssize_t n = fgetxattr(open.get(), name, value, size);
    *rc = n < 0 ? -errno : static_cast<int>(n);
  } else if (!OnServedXattr(
                 path, [&](const char* self) { return getxattr(self, name, value, size); }, rc)) {
    return false;
  }
  mount.counters().Count(Counters::kGetxattr);
  return true;
}

// The names of `list` (`length` bytes) but Strata's own, which a branch copy may hold (a directory's
// mark, inode_flags.h): moved up in place; their length.
static int WithoutOwnNames(char* list, int length) {
  int kept = 0;
  for (int at = 0; at < length;) {
    int size = static_cast<int>(strnlen(list + at, length - at)) + 1;
    if (!Strata(list + at)) {
      memmove(list + kept, list + at, size);
      kept += size;
    }
    at += size;
  }
  return kept;
}

// The served copy's names, as the engine lists them (ops/xattr.ts), or a hidden file's. A size asked
// for (`size` 0) counts Strata's names too, as overlayfs' counts its own: never too few.
static bool ListXattrNatively(const char* path, char* list, size_t size, int* rc) {
  auto list_on = [&](const char* self) { return listxattr(self, list, size); };
  if (!OnHiddenFile(Counters::kListxattr, path, list_on, rc)) {
    if (!OnServedXattr(path, list_on, rc)) return false;
    Mount::Current().counters().Count(Counters::kListxattr);
  }
  if (size > 0 && *rc > 0) *rc = WithoutOwnNames(list, *rc);
  return true;
}

int GetXattr(const char* path, const char* name, char* value, size_t size) {
  int rc;
  if (XattrNatively(path, name, value, size, &rc)) return rc;
  return Run(
      "getxattr", path, [&](Napi::Env env, Argv& a) { a.push_back(Napi::String::New(env, name)); },
      [value, size](Napi::Value v) {
        if (!v.IsBuffer()) throw Napi::TypeError::New(v.Env(), "FUSE reply: getxattr must resolve to a Buffer");
        auto data = v.As<Napi::Buffer<char>>();
        if (size == 0) return static_cast<int>(data.Length());
        if (data.Length() > size) return -ERANGE;
        memcpy(value, data.Data(), data.Length());
        return static_cast<int>(data.Length());
      });
}

int ListXattr(const char* path, char* list, size_t size) {
  int rc;
  if (ListXattrNatively(path, list, size, &rc)) return rc;
  return Run("listxattr", path, nullptr, [list, size](Napi::Value v) {
    if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "FUSE reply: listxattr must resolve to string[]");
    Napi::Array names = v.As<Napi::Array>();
    std::string joined;
    for (uint32_t i = 0; i < names.Length(); i++) {
      Napi::Value name = names.Get(i);
      if (!name.IsString()) throw Napi::TypeError::New(v.Env(), "FUSE reply: listxattr must resolve to string[]");
      joined += name.As<Napi::String>().Utf8Value();
      joined += '\0';
    }
    if (size == 0) return static_cast<int>(joined.size());
    if (joined.size() > size) return -ERANGE;
    memcpy(list, joined.data(), joined.size());
    return static_cast<int>(joined.size());
  });
}

int RemoveXattr(const char* path, const char* name) {
  return XattrChange(path, [&] {
    int rc;
    // As overlayfs: removing what a copy to be copied up lacks is ENODATA, with nothing copied up.
    if (XattrChangeNatively(
            Counters::kRemovexattr, path, name, [&](const char* self) { return removexattr(self, name); }, &rc,
            [&](const char* self) { return getxattr(self, name, nullptr, 0); }))
      return rc;
    return Run("removexattr", path, [&](Napi::Env env, Argv& a) { a.push_back(Napi::String::New(env, name)); });
  });
}

// An inode-flags call on the copy `name` in `dir` (a regular file or directory: the kernel asks of no
// other), never through a symlink.
static int FlagsOn(int dir, const char* name, unsigned int cmd, void* arg) {
  return FlagsCallAt(dir, name, O_NOFOLLOW, cmd, arg);
}

// A file served by a hidden name: through its descriptor's /proc/self/fd link; changed only on a branch
// the union still writes in place.
static bool FlagsOnHidden(const char* path, unsigned int cmd, void* arg, bool set, int* rc) {
  int root = -1;
  Fd held(HiddenFile(path, &root));
  if (held.get() < 0) return false;
  *rc = set && !Mount::Current().branch_modes().InPlace(root)
            ? -EROFS
            : FlagsCallAt(AT_FDCWD, ("/proc/self/fd/" + std::to_string(held.get())).c_str(), 0, cmd, arg);
  return true;
}

// A file served by a hidden name that only the engine holds (every handle is the engine's under
// moveonenospc): on the engine's descriptor (ops/attr.ts, fileFlags).
static int FlagsOnEngineHandle(const char* path, unsigned int cmd, void* arg) {
  bool set;
  size_t size = FlagsArgSize(cmd, &set);
  return Run(
      "fileFlags", path,
      [&](Napi::Env env, Argv& a) {
        a.push_back(Num(env, cmd));
        a.push_back(Napi::Buffer<char>::Copy(env, static_cast<char*>(arg), size));
        a.push_back(Napi::Boolean::New(env, set));
      },
      [arg, size](Napi::Value v) {
        if (!v.IsBuffer() || v.As<Napi::Buffer<char>>().Length() != size)
          throw Napi::TypeError::New(v.Env(), "FUSE reply: fileFlags must resolve to a Buffer of the argument's size");
        memcpy(arg, v.As<Napi::Buffer<char>>().Data(), size);
        return 0;
      });
}

int FileFlags(const char* path, unsigned int cmd, void* arg, bool set) {
  Mount& mount = Mount::Current();
  auto on_copy = [&](int dir, const char* name) { return FlagsOn(dir, name, cmd, arg); };
  int rc;
  const char* leaf = strrchr(path, '/');
  if (FlagsOnHidden(path, cmd, arg, set, &rc)) {
    mount.counters().Count(Counters::kIoctl);
  } else if (leaf != nullptr && DirAttrs::HasOwnRules(leaf + 1)) {
    rc = FlagsOnEngineHandle(path, cmd, arg);
  } else if (!set || !OnServedCopy(Counters::kIoctl, path, on_copy, &rc)) {
    // Read where it is served; changed after a copy-up the engine makes (its copy-up policy, moveonenospc).
    if (set && (rc = Run("writable", path)) < 0) return rc;
    DirAttrs::Served served;
    if (LocateServed(mount, path, &served) != 0 || served.dir < 0) return -ENOTTY;
    if (set && !mount.branch_modes().InPlace(served.root)) return -EROFS;
    if (set) MarkOwnChange(path);
    rc = on_copy(served.dir, served.name.c_str());
    mount.counters().Count(Counters::kIoctl);
  }
  // The change moved the copy's ctime, and may have changed a directory's mark.
  if (set && rc == 0) {
    mount.InvalidateNow(path);
    for (const auto& copy : mount.dirs().Layers(path)) copy->ForgetMark();
  }
  return rc;
}

}  // namespace strata::op
