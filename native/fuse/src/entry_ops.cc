#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.h"
#include "call.h"
#include "caller_umask.h"
#include "convert.h"
#include "copy_up.h"
#include "kernel_abi.h"
#include "link_unnamed.h"
#include "merged_listing.h"
#include "mount.h"
#include "new_names.h"
#include "op_support.h"
#include "publish_dir.h"
#include "request.h"
#include "union_space.h"

namespace strata::op {

// The served copy's target, as the engine's readlink (union/ops/attr.ts) reads it; a copy gone since the
// lookup is the engine's to look up again.
static bool ReadLinkNatively(const char* path, char* buf, size_t size, int* rc) {
  Mount& mount = Mount::Current();
  DirAttrs::Served served;
  if (path == nullptr || LocateServed(mount, path, &served) != 0 || served.dir < 0) return false;
  ssize_t n = readlinkat(served.dir, served.name.c_str(), buf, size - 1);
  if (n < 0 && errno == ENOENT) return false;
  *rc = n < 0 ? -errno : 0;
  if (n >= 0) buf[n] = '\0';
  mount.counters().Count(Counters::kReadlink);
  return true;
}

int ReadLink(const char* path, char* buf, size_t size) {
  int rc;
  if (ReadLinkNatively(path, buf, size, &rc)) return rc;
  return Run("readlink", path, nullptr, [buf, size](Napi::Value v) {
    std::string target = PathFromJs(v, "FUSE reply: readlink's target");
    size_t n = std::min(target.size(), size - 1);
    memcpy(buf, target.data(), n);
    buf[n] = '\0';
    return 0;
  });
}

// As the engine's mknod (union/ops/entries.ts): a regular file is made by an exclusive open, since not
// every filesystem makes one by mknod; anything else (FIFO, socket, device: the kernel has checked the
// caller may make one) by mknodat.
static bool MkNodNatively(const char* path, mode_t mode, dev_t rdev, const Caller& caller, int* rc) {
  NewName n;
  if (!PlaceNewName(path, "mknod", false, &n)) return false;
  bool regular = (mode & S_IFMT) == S_IFREG || (mode & S_IFMT) == 0;
  Fd fd;
  CallerUmask as(caller.umask);
  if (regular) {
    fd = Fd(
        openat(n.dir, n.name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, as.Mode(mode & ~S_IFMT)));
    if (fd.get() < 0) return false;
  } else if (mknodat(n.dir, n.name.c_str(), as.Mode(mode), rdev) != 0) {
    return false;
  }
  int err = FinishNewName(n, caller.uid, caller.gid, fd.get());
  if (err != 0) unlinkat(n.dir, n.name.c_str(), 0);
  *rc = -err;
  Mount::Current().counters().Count(Counters::kMknod);
  return true;
}

int MkNod(const char* path, mode_t mode, dev_t rdev) {
  Caller caller;
  MarkOwnChange(path);
  int rc;
  if (MkNodNatively(path, mode, rdev, caller, &rc)) return rc;
  return Run("mknod", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Num(env, mode));
    a.push_back(FromU64(env, rdev));
    caller.Push(env, a);
  });
}

// A directory made where a whited-out copy of it still exists below must not merge with it: it is made
// opaque, as the engine's mkdir (union/ops/entries.ts) makes it.
static bool MkDirNatively(const char* path, mode_t mode, const Caller& caller, int* rc) {
  NewName n;
  if (!PlaceNewName(path, "mkdir", true, &n)) return false;
  {
    CallerUmask as(caller.umask);
    if (mkdirat(n.dir, n.name.c_str(), as.Mode(mode)) != 0) return false;
  }
  int err = FinishNewName(n, caller.uid, caller.gid, -1);
  Fd made;
  if (err == 0 && n.hidden_below) {
    made = Fd(openat(n.dir, n.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    err = made.get() < 0 ? errno : -PutMarker(made.get(), kOpaqueMarker);
  }
  if (err != 0) {
    if (made.get() >= 0) unlinkat(made.get(), kOpaqueMarker, 0);
    unlinkat(n.dir, n.name.c_str(), AT_REMOVEDIR);
  }
  *rc = -err;
  Mount::Current().counters().Count(Counters::kMkdir);
  return true;
}

int MkDir(const char* path, mode_t mode) {
  Caller caller;
  MarkOwnChange(path);
  int rc;
  if (MkDirNatively(path, mode, caller, &rc)) return rc;
  return Run("mkdir", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Num(env, mode));
    caller.Push(env, a);
  });
}

// 0 once removed; -ENOTEMPTY where it holds anything (as EEXIST, which POSIX allows there too).
static int RemoveIfEmpty(int parent, const std::string& name) {
  if (unlinkat(parent, name.c_str(), AT_REMOVEDIR) == 0) return 0;
  return errno == EEXIST ? -ENOTEMPTY : -errno;
}

// unlink and rmdir as the engine's removeServed (union/ops/remove.ts) does them. A copy on a branch the
// union writes in place goes, after a whiteout in that branch (when it is rw) where a lower copy would
// show through, and for a directory the union shows empty, after the metadata its copy holds. A copy on
// a branch that cannot change stays, hidden by a whiteout where tdp's copy-up puts it (CopyupDir).
// Each an *at() call beneath the published copies; nothing per file name is kept, and a removed
// directory's publication is withdrawn on both sides. Anything else (a whiteout tdp would put on a branch
// the parent is not on yet, a copy gone since the lookup, any removal while moveonenospc may be moving
// the file: branch_modes.h) is the engine's.
static bool RemoveNatively(const char* path, bool dir, int* rc) {
  Mount& mount = Mount::Current();
  const BranchModes& modes = mount.branch_modes();
  DirAttrs::Served served;
  if (!modes.Opens() || LocateServed(mount, path, &served, true) != 0 || served.dir < 0 ||
      NamesFixed(served.layers, true) || EntryFixed(served.root, served.dir, served.name, served.st))
    return false;
  const std::string& name = served.name;
  bool in_place = modes.InPlace(served.root);
  bool whiteout = !in_place || served.visible_below;
  int whiteout_dir = -1;
  if (whiteout) {
    if (!CanWhiteout(name)) return false;
    // A parent to make there first is made only once the removal is sure to go ahead (below).
    whiteout_dir =
        modes.Creatable(served.root) ? served.dir : CopyupDir(path, served.layers, served.root, nullptr, false);
  }
  Counters::Op op = dir ? Counters::kRmdir : Counters::kUnlink;
  std::vector<std::string> meta;
  // Keep `copy` open: the merged directory's copies, or its lone one.
  DirLayers layers;
  std::shared_ptr<Fd> lone;
  int copy = -1;
  // A directory the union writes in place with nothing below that would show the name is empty in the
  // union exactly when its copy is: so it is removed at once where the branch finds it empty (one call,
  // where listing it first took five), and listed only where it holds something, maybe metadata alone.
  bool removed = false;
  if (S_ISDIR(served.st.st_mode) != dir) {
    *rc = dir ? -ENOTDIR : -EISDIR;
  } else if (dir && !whiteout && (*rc = RemoveIfEmpty(served.dir, name)) != -ENOTEMPTY) {
    removed = true;
  } else if (dir) {
    MergedListing listing;
    if (served.visible_below) {
      layers = mount.dirs().Copies(path);
      if (layers.empty() || layers[0]->root() != served.root || !listing.Read(layers)) return false;
      copy = layers[0]->Open();
    } else {
      // Nothing below would show the name, so nothing below merges with the directory: its own copy is
      // read through one descriptor, where resolving and publishing its copies took seven calls.
      lone = std::make_shared<Fd>(openat(served.dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if ((copy = lone->get()) < 0 || !listing.ReadLone(copy)) return false;
    }
    *rc = listing.Empty() ? 0 : -ENOTEMPTY;
    if (*rc == 0 && in_place && !listing.TopMeta(&meta)) return false;
  } else {
    *rc = 0;
  }
  if (*rc == 0 && whiteout && whiteout_dir < 0 && (whiteout_dir = CopyupDir(path, served.layers, served.root)) < 0)
    return false;
  if (*rc == 0 && whiteout) *rc = PutMarker(whiteout_dir, WhiteoutOf(name));
  for (size_t i = 0; *rc == 0 && i < meta.size(); i++) {
    if (unlinkat(copy, meta[i].c_str(), 0) != 0 && errno != ENOENT) *rc = -errno;
  }
  if (*rc == 0 && in_place && !removed)
    *rc = unlinkat(served.dir, name.c_str(), dir ? AT_REMOVEDIR : 0) == 0 ? 0 : -errno;
  if (*rc == -ENOENT) return false;
  mount.counters().Count(op);
  // The engine holds a directory exactly as long as it is published (the same time to live), so one
  // never published, or no longer, has nothing to forget there.
  if (dir && *rc == 0 && !mount.dirs().Layers(path).empty()) {
    mount.dirs().Drop(path);
    Call::Post(mount, "forgetDir", path, nullptr);
  }
  // A removed directory's inode is freed by the branch when its last descriptor closes, which here is
  // this copy's: after the reply, so the caller does not wait for it (mergerfs' rmdir frees it inline).
  if (dir && *rc == 0) {
    for (auto& layer : layers) Request::current.after_reply.push_back(std::move(layer));
    if (lone) Request::current.after_reply.push_back(std::move(lone));
  }
  return true;
}

std::shared_ptr<Fd> ServedFile(const char* path, bool* writable) {
  Mount& mount = Mount::Current();
  DirAttrs::Served served;
  if (LocateServed(mount, path, &served) != 0 || served.dir < 0) return nullptr;
  auto fd = std::make_shared<Fd>(openat(served.dir, served.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (fd->get() < 0) return nullptr;
  *writable = mount.branch_modes().InPlace(served.root);
  return fd;
}

void Repath(uint64_t node, const std::string& gone, const std::string& now) {
  Mount& mount = Mount::Current();
  if (!mount.files().Repath(node, gone, now)) return;
  Call::Hold(mount, "repathed", gone,
             [now](Napi::Env env, std::vector<napi_value>& a) { a.push_back(PathToJs(env, now.c_str())); });
}

int Unlink(const char* path) {
  MarkOwnChange(path);
  int rc;
  if (!RemoveNatively(path, false, &rc)) rc = Run("unlink", path);
  if (rc == 0) Mount::Current().files().Unlinked(path);
  return rc;
}

int RmDir(const char* path) {
  MarkOwnChange(path);
  int rc;
  if (!RemoveNatively(path, true, &rc)) rc = Run("rmdir", path);
  return rc;
}

static bool SymLinkNatively(const char* target, const char* path, const Caller& caller, int* rc) {
  NewName n;
  if (!PlaceNewName(path, "symlink", false, &n) || symlinkat(target, n.dir, n.name.c_str()) != 0) return false;
  int err = FinishNewName(n, caller.uid, caller.gid, -1);
  if (err != 0) unlinkat(n.dir, n.name.c_str(), 0);
  *rc = -err;
  Mount::Current().counters().Count(Counters::kSymlink);
  return true;
}

int SymLink(const char* target, const char* path) {
  Caller caller;
  MarkOwnChange(path);
  int rc;
  if (SymLinkNatively(target, path, caller, &rc)) return rc;
  return Run("symlink", path, [&](Napi::Env env, Argv& a) {
    a.push_back(PathToJs(env, target));
    caller.Push(env, a);
  });
}

// The branch a rename or link of `served` acts on: its own where the union writes it in place, else the
// one it is copied up to first (MoveCopyupRoot); -1 when that is the engine's.
static int MoveRoot(const std::string& path, const DirAttrs::Served& served) {
  return Mount::Current().branch_modes().InPlace(served.root) ? served.root : MoveCopyupRoot(path, served);
}

// The copy-up MoveRoot chose, made natively; `served` is then the new copy, with the old one below it.
static bool CopyUpToMove(const std::string& path, DirAttrs::Served* served) {
  CopiedUp up;
  if (!CopyUpNatively(path, *served, false, &up)) return false;
  served->layers = std::move(up.layers);  // they keep up.dir open
  served->dir = up.dir;
  served->root = up.root;
  served->st = up.st;
  served->visible_below = true;
  return true;
}

// The move of `src`'s name to `dst`'s, on their branch, with a whiteout of the old name first where a
// lower copy would show through it (taken back if the move fails). True once *rc answers (0 or
// -errno); false when the source went meanwhile, which is the engine's to answer.
static bool MoveName(const DirAttrs::Served& src, const NewName& dst, unsigned int flags, int* rc) {
  std::string whiteout = WhiteoutOf(src.name);
  if (src.visible_below && (*rc = PutMarker(src.dir, whiteout)) != 0) return true;
  *rc = renameat2(src.dir, src.name.c_str(), dst.dir, dst.name.c_str(), flags) == 0 ? 0 : -errno;
  if (*rc == 0) return true;
  if (src.visible_below) unlinkat(src.dir, whiteout.c_str(), 0);
  return *rc != -ENOENT;
}

// rename of a directory, as the engine's rename (union/ops/rename.ts) makes it when that is plain: the
// directory lives on one branch the union writes in place (one merged from several, or one it would
// copy up, is EXDEV there), no handle the engine serves is open below it, and the target's parent has
// a copy on that branch where nothing holds the target name (PlaceMovedName: a directory to replace,
// or a file there (ENOTDIR), are the engine's). A whiteout goes first where a lower copy of the name
// would show through; over the target's whiteout, the directory is made opaque before it moves where
// a copy below would merge into it, so none ever does, and the whiteout goes after. What the union held
// of the directory and below goes: its publications here, and the engine's (a held forgetDir); the
// handles kept here follow it (OpenFiles::Renamed).
static bool RenameDirNatively(const std::string& from, const std::string& to, unsigned int flags,
                              const DirAttrs::Served& src, int* rc) {
  Mount& mount = Mount::Current();
  DirLayers copies = mount.dirs().Copies(from);
  if (copies.size() != 1 || copies[0]->root() != src.root || !mount.branch_modes().InPlace(src.root) ||
      mount.files().EngineHolds(from, true) || (src.visible_below && !CanWhiteout(src.name)))
    return false;
  NewName dst;
  bool replaces;
  if (!PlaceMovedName(to, src.root, &dst, &replaces, true) || replaces) return false;
  // Only where a copy below would show through it: the directory's opaque marker, unless it has one.
  Fd moving;
  bool marked = false;
  if (dst.hidden_below) {
    moving = Fd(openat(src.dir, src.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat marker;
    if (moving.get() < 0) return false;
    if (fstatat(moving.get(), kOpaqueMarker, &marker, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return false;
      marked = true;
    }
  }
  mount.counters().Count(Counters::kRename);
  if (marked && (*rc = MarkOpaque(moving.get())) != 0) return true;
  bool answered = MoveName(src, dst, flags, rc);
  if (!answered || *rc != 0) {
    if (marked) unlinkat(moving.get(), kOpaqueMarker, 0);
    return answered;
  }
  mount.dirs().Drop(from);
  Call::Hold(mount, "forgetDir", from, nullptr);
  *rc = -DropWhiteout(dst);
  return true;
}

// renameat2(RENAME_EXCHANGE) of two names that are not directories, as the engine's exchange
// (union/ops/rename.ts) makes it: both served from one branch the union writes in place, where the swap
// is one call. Both names keep a copy there, so what each hid below stays hidden. Directories (whose
// merges would swap too), names on two branches, and names the engine holds open are the engine's.
static bool ExchangeNatively(const std::string& from, const std::string& to, int* rc) {
  Mount& mount = Mount::Current();
  DirAttrs::Served a, b;
  if (LocateServed(mount, from, &a) != 0 || LocateServed(mount, to, &b) != 0 || a.dir < 0 || b.dir < 0 ||
      a.root != b.root || !mount.branch_modes().InPlace(a.root) || S_ISDIR(a.st.st_mode) || S_ISDIR(b.st.st_mode) ||
      mount.files().EngineHolds(from) || mount.files().EngineHolds(to) || NamesFixed(a.layers, true) ||
      NamesFixed(b.layers, true))
    return false;
  mount.counters().Count(Counters::kRename);
  *rc = renameat2(a.dir, a.name.c_str(), b.dir, b.name.c_str(), RENAME_EXCHANGE) == 0 ? 0 : -errno;
  return *rc != -ENOENT;
}

// rename of a name that is not a directory, as the engine's rename (union/ops/rename.ts) does it when
// the move stays on one branch: the source's, when the union writes it in place, else the one a
// regular file or symlink is copied up to first (MoveRoot), holding the target's parent or lying above
// every copy of it, where the parent is made first (new_names.h, PlaceMovedName, MakeMovedParent). A
// whiteout goes first where a lower copy of the source would show through, the
// target's whiteout on that branch after. A directory is RenameDirNatively's, an exchange
// ExchangeNatively's; any other copy-up, and a source the engine holds open (its table goes by path), are
// the engine's.
static bool RenameNatively(const std::string& from, const std::string& to, unsigned int flags, int* rc) {
  Mount& mount = Mount::Current();
  if (from == to || !mount.branch_modes().Opens()) return false;
  if (flags == RENAME_EXCHANGE) return ExchangeNatively(from, to, rc);
  if ((flags & ~RENAME_NOREPLACE) != 0) return false;
  DirAttrs::Served src;
  if (LocateServed(mount, from, &src, true) != 0 || src.dir < 0 || NamesFixed(src.layers, true) ||
      EntryFixed(src.root, src.dir, src.name, src.st))
    return false;
  if (S_ISDIR(src.st.st_mode)) return RenameDirNatively(from, to, flags, src, rc);
  int root = MoveRoot(from, src);
  if (root < 0 || mount.files().EngineHolds(from)) return false;
  bool copy = root != src.root;
  if ((src.visible_below || copy) && !CanWhiteout(src.name)) return false;
  NewName dst;
  bool replaces;
  if (!PlaceMovedName(to, root, &dst, &replaces)) return false;
  if (replaces && (flags & RENAME_NOREPLACE)) {
    mount.counters().Count(Counters::kRename);
    *rc = -EEXIST;
    return true;
  }
  if (dst.replaces_fixed || (copy && !CopyUpToMove(from, &src))) return false;
  if (dst.parent_missing && !MakeMovedParent(to, &dst)) return false;
  mount.counters().Count(Counters::kRename);
  if (!MoveName(src, dst, flags, rc)) return false;
  if (*rc == 0) *rc = -DropWhiteout(dst);
  return true;
}

int MoveRefused(const char* from) {
  Mount& mount = Mount::Current();
  DirAttrs::Served src;
  if (mount.branch_modes().WritesNone() || LocateServed(mount, from, &src) != 0 || src.dir < 0) return 0;
  return NamesFixed(src.layers, true) || EntryFixed(src.root, src.dir, src.name, src.st) ? -EPERM : 0;
}

// Renaming changes the moved inode's ctime, and the link count of one it replaces.
int Rename(const char* from, const char* to, unsigned int flags) {
  MarkOwnChange(from);
  MarkOwnChange(to);
  int rc;
  if (!RenameNatively(from, to, flags, &rc))
    rc = Run("rename", from, [&](Napi::Env env, Argv& a) {
      a.push_back(PathToJs(env, to));
      a.push_back(Num(env, flags));
    });
  if (rc == 0 && (flags & RENAME_EXCHANGE))
    Mount::Current().files().Exchanged(from, to);
  else if (rc == 0)
    Mount::Current().files().Renamed(from, to);
  return rc;
}

// link as the engine's (union/ops/rename.ts) makes it when the new name goes on one branch that the union
// creates on and writes in place: the source's, or the one a regular file or symlink is copied up to first
// (MoveRoot), holding the new name's parent (or above every copy of it, where the parent is made first),
// with nothing above that copy holding or hiding the name (PlaceMovedName); the new name's whiteout there
// goes after it.
static bool LinkNatively(const std::string& from, const std::string& to, int* rc) {
  Mount& mount = Mount::Current();
  const BranchModes& modes = mount.branch_modes();
  DirAttrs::Served src;
  if (!modes.Opens() || LocateServed(mount, from, &src) != 0 || src.dir < 0 || S_ISDIR(src.st.st_mode)) return false;
  int root = MoveRoot(from, src);
  NewName dst;
  bool exists;
  if (root < 0 || !modes.Creatable(root) || !PlaceMovedName(to, root, &dst, &exists)) return false;
  if (exists) {
    mount.counters().Count(Counters::kLink);
    *rc = -EEXIST;
    return true;
  }
  if (root != src.root && !CopyUpToMove(from, &src)) return false;
  if (dst.parent_missing && !MakeMovedParent(to, &dst)) return false;
  mount.counters().Count(Counters::kLink);
  if (linkat(src.dir, src.name.c_str(), dst.dir, dst.name.c_str(), 0) != 0) {
    *rc = -errno;
    return *rc != -ENOENT;
  }
  *rc = -DropWhiteout(dst);
  return true;
}

// linkat(2) of a file served by a hidden name (HiddenFile: an O_TMPFILE's, or one unlinked while open
// that has a name the kernel did not know): its descriptor gets the new name on its own branch, placed
// there as PlaceMovedName places it (the parent made first where that branch lacks it). No other branch
// can name it: EXDEV, also where the engine would decide. False for any other name.
static bool LinkOpenNatively(const std::string& from, const std::string& to, int* rc) {
  Mount& mount = Mount::Current();
  int root = -1;
  Fd fd(HiddenFile(from.c_str(), &root));
  if (fd.get() < 0) return false;
  mount.counters().Count(Counters::kLink);
  NewName dst;
  bool exists;
  if (NamesFixed(PublishedLayers(mount, ParentOf(to)), false)) {
    *rc = -EPERM;
  } else if (!mount.branch_modes().Creatable(root) || !PlaceMovedName(to, root, &dst, &exists) ||
             (!exists && dst.parent_missing && !MakeMovedParent(to, &dst))) {
    *rc = -EXDEV;
  } else if (exists) {
    *rc = -EEXIST;
  } else {
    *rc = LinkUnnamed(fd.get(), dst.dir, dst.name.c_str()) == 0 ? -DropWhiteout(dst) : -errno;
  }
  return true;
}

int Link(const char* from, const char* to) {
  MarkOwnChange(from);
  MarkOwnChange(to);
  int rc;
  if (LinkOpenNatively(from, to, &rc) || LinkNatively(from, to, &rc)) return rc;
  return Run("link", from, [&](Napi::Env env, Argv& a) { a.push_back(PathToJs(env, to)); });
}

// statfs of the union, from every branch's root by the engine's rule (union_space.h). JS answers when
// the engine has not said its branches yet, or a branch's root cannot be asked.
static bool StatFsNatively(struct statvfs* st) {
  Mount& mount = Mount::Current();
  std::vector<BranchSpace> branches;
  for (const auto& b : mount.branch_modes().Order()) {
    BranchSpace space{};
    struct stat root;
    if (fstat(b.root, &root) != 0 || fstatvfs(b.root, &space.vfs) != 0) return false;
    space.dev = root.st_dev;
    branches.push_back(space);
  }
  if (branches.empty()) return false;
  *st = UnionSpace(branches);
  mount.counters().Count(Counters::kStatfs);
  return true;
}

int StatFs(const char* path, struct statvfs* st) {
  if (StatFsNatively(st)) return 0;
  return Run("statfs", path, nullptr, [st](Napi::Value v) {
    ToStatvfs(v, st);
    return 0;
  });
}

// The engine's opendir only checks that the path is a directory, which a published directory is; its
// handle is 0, as here. A published directory (published here first if its parent is: publish_dir.h)
// is listed natively, and the kernel may cache that listing.
int OpenDir(const char* path, struct fuse_file_info* fi) {
  Mount& mount = Mount::Current();
  bool keep = false;
  if (path != nullptr) PublishNatively(mount, path);
  if (!mount.dirs().ForListing(path, &keep).empty()) {
    mount.counters().Count(Counters::kOpendir);
    fi->fh = 0;
    fi->cache_readdir = 1;
    fi->keep_cache = keep;
    return 0;
  }
  return Run("opendir", path, nullptr, [fi](Napi::Value v) {
    fi->fh = FhResult(v);
    return 0;
  });
}

static bool IsDotOrDotDot(const std::string& name) { return name == "." || name == ".."; }

// A published directory is listed here (merged_listing.h), else by JS.
static bool ListNatively(const char* path, void* buf, fuse_fill_dir_t filler) {
  Mount& mount = Mount::Current();
  DirLayers layers = mount.dirs().Layers(path);
  if (layers.empty()) return false;
  MergedListing listing;
  if (!listing.Read(layers)) return false;
  mount.counters().Count(Counters::kReaddir);
  struct stat st = {};
  st.st_ino = abi::kUnknownIno;
  for (const char* dot : {".", ".."}) filler(buf, dot, nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  listing.ForEach([&](const std::string& name, unsigned char type) {
    st.st_mode = DTTOIF(type);
    filler(buf, name.c_str(), &st, 0, static_cast<fuse_fill_dir_flags>(0));
  });
  return true;
}

// The whole listing is filled at offset 0: requests.cc keeps it and pages it to the kernel. The filler
// runs on the JS thread while the FUSE thread waits, which is safe since it only appends to this
// request's listing.
int ReadDir(const char* path, void* buf, fuse_fill_dir_t filler, off_t, struct fuse_file_info* fi,
            enum fuse_readdir_flags) {
  if (ListNatively(path, buf, filler)) return 0;
  return Run(
      "readdir", path, [&](Napi::Env env, Argv& a) { a.push_back(Fh(env, fi)); },
      [buf, filler](Napi::Value v) {
        if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "FUSE reply: readdir must resolve to DirEntry[]");
        // Node's readdir never lists them, but ls -a and some tools expect them.
        filler(buf, ".", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
        filler(buf, "..", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
        Napi::Array entries = v.As<Napi::Array>();
        for (uint32_t i = 0; i < entries.Length(); i++) {
          Napi::Value entry = entries.Get(i);
          if (!entry.IsObject() || !entry.As<Napi::Object>().Get("name").IsString()) {
            throw Napi::TypeError::New(v.Env(), "FUSE reply: readdir entries must be { name: string, stat? }");
          }
          Napi::Object e = entry.As<Napi::Object>();
          std::string name = PathFromJs(e.Get("name"), "FUSE reply: a readdir entry's name");
          if (IsDotOrDotDot(name)) continue;
          Napi::Value stat = e.Get("stat");
          if (stat.IsUndefined()) {
            filler(buf, name.c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
            continue;
          }
          struct stat st;
          ToStat(stat, &st);
          filler(buf, name.c_str(), &st, 0, static_cast<fuse_fill_dir_flags>(0));
        }
        return 0;
      });
}

int Access(const char* path, int mask) {
  return Run("access", path, [&](Napi::Env env, Argv& a) { a.push_back(Num(env, mask)); });
}

}  // namespace strata::op
