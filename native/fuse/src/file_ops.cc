#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>

#include "beneath.h"
#include "bytes.h"
#include "caller_flags.h"
#include "caller_umask.h"
#include "convert.h"
#include "copy_up.h"
#include "mount.h"
#include "new_names.h"
#include "op_support.h"
#include "publish_dir.h"
#include "request.h"
#include "union_path.h"

namespace strata::op {

// open/create resolve to a handle number or an OpenedHandle { fh, fd?, ino? }. Built on the FUSE
// thread: Mount::Current() means nothing on the JS thread.
static Call::Result OpenResult(const char* path, struct fuse_file_info* fi) {
  OpenFiles* files = &Mount::Current().files();
  std::string opened = path != nullptr ? path : "";
  return [fi, files, opened](Napi::Value v) {
    OpenFile file;
    if (v.IsObject()) {
      Napi::Object handle = v.As<Napi::Object>();
      fi->fh = FhResult(handle.Get("fh"));
      Napi::Value fd = handle.Get("fd"), ino = handle.Get("ino");
      if (!fd.IsUndefined()) file.fd = static_cast<int>(ToI64(fd, "fd"));
      if (!fd.IsUndefined() && !ino.IsUndefined()) file.ino = ToU64(ino, "ino");
      file.attrs = !fd.IsUndefined() && handle.Get("attrs").ToBoolean();
    } else {
      fi->fh = FhResult(v);
    }
    files->Add(fi->fh, file, opened);
    return 0;
  };
}

// Whether the kernel may keep the file's cached pages from earlier opens. Changes through the union
// reach them anyway, and one made directly in a branch is invalidated by the watch on the file's
// directory, if it has one; the other names of a hard link have pages of their own, which only an
// open checks. `opened`: the file's attributes when the open just took them.
static void KeepCache(const char* path, struct fuse_file_info* fi, const struct stat* opened = nullptr) {
  Mount& mount = Mount::Current();
  OpenFile file = mount.files().Get(fi->fh);
  struct stat st;
  if (opened != nullptr) st = *opened;
  if (!mount.KeepsPageCache() || file.fd < 0 || (opened == nullptr && fstat(file.fd, &st) < 0) || st.st_nlink > 1)
    return;
  fi->keep_cache = mount.invalidator().Watches(ParentOf(path));
}

// A descriptor the FUSE thread opened, as `fi`'s handle (fh numbers above 2^32 are never the engine's).
// The handle stays here, closed at release; the engine asks for it where it must know every open file
// (ResolvedDirs.handles: its handle table, the tracker, a reconfiguration's busy check, a copy-up's
// re-pointing, which swaps the descriptor under the table's lock: open_files.h).
static void Hand(const char* path, struct fuse_file_info* fi, Fd fd, struct stat* st, int root, bool in_place,
                 bool numbered_by_fd = false) {
  static std::atomic<uint64_t> next_fh{uint64_t{1} << 32};
  Mount& mount = Mount::Current();
  mount.dirs().Numbered(st);
  fi->fh = next_fh.fetch_add(1);
  OpenFile file;
  file.fd = fd.release();
  file.ino = st->st_ino;
  file.attrs = in_place;
  file.numbered_by_fd = numbered_by_fd;
  file.owned = true;
  file.root = root;
  file.flags = fi->flags;
  file.size = st->st_size;
  file.opened_at = static_cast<double>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  mount.files().Add(fi->fh, file, path);
}

// An open of a regular file in a directory the engine published is made here, on the copy the lookup
// rule serves, as the engine's open would make it (union/ops/files.ts): read-only on any branch, for
// writing (O_TRUNC included) on a branch the union writes in place, or on the copy a copy-up made here
// (copy_up.h), and kept here (Hand). Anything else, or anything out of the ordinary, is the engine's
// to open. `st`: the opened file's attributes.
static bool OpenNatively(const char* path, struct fuse_file_info* fi, struct stat* st) {
  Mount& mount = Mount::Current();
  if (path == nullptr || !mount.branch_modes().Opens()) return false;
  DirAttrs::Served served;
  if (LocateServed(mount, path, &served) != 0 || served.dir < 0 || !S_ISREG(served.st.st_mode)) return false;
  bool writes = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
  if (writes) MarkOwnChange(path);
  CopiedUp up;
  if (writes && !mount.branch_modes().InPlace(served.root)) {
    if (!CopyUpNatively(path, served, (fi->flags & O_TRUNC) != 0, &up)) return false;
    served.dir = up.dir;
    served.root = up.root;
    served.st = up.st;
  }
  Fd fd(OpenForCaller(served.dir, served.name.c_str(), fi->flags, O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0 || fstat(fd.get(), st) < 0 || st->st_dev != served.st.st_dev || st->st_ino != served.st.st_ino)
    return false;
  bool in_place = mount.branch_modes().InPlace(served.root);
  // Opened to read: for writing, a hard link there takes the engine's copy-up (CopyUpNatively refuses it).
  Hand(path, fi, std::move(fd), st, served.root, in_place, !in_place && st->st_nlink > 1);
  // A copy-up the file went through since it was looked up re-pointed every handle it could see, but
  // maybe not this one, which the table holds only now: one on the old copy is the engine's to open.
  DirAttrs::Served now;
  if (!in_place && (LocateServed(mount, path, &now) != 0 || now.root != served.root ||
                    now.st.st_dev != served.st.st_dev || now.st.st_ino != served.st.st_ino)) {
    close(mount.files().Remove(fi->fh).fd);
    return false;
  }
  mount.counters().Count(Counters::kOpen);
  return true;
}

// A new file in a directory the engine published, where tdp takes the parent's top copy (new_names.h):
// made there, as the engine's create (union/ops/files.ts) makes it, and handed over as a native open is.
// `st`: the new file's attributes.
static bool CreateNatively(const char* path, mode_t mode, struct fuse_file_info* fi, const Caller& caller, int* rc,
                           struct stat* st) {
  NewName n;
  if (path == nullptr || !PlaceNewName(path, "create", false, &n)) return false;
  int flags = CallerFlags(fi->flags);
  Fd fd;
  {
    CallerUmask as(caller.umask);
    fd = Fd(openat(n.dir, n.name.c_str(), flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, as.Mode(mode)));
  }
  if (fd.get() < 0) return false;
  int err = FinishNewName(n, caller.uid, caller.gid, fd.get());
  if (err == 0 && fstat(fd.get(), st) != 0) err = errno;
  Mount::Current().counters().Count(Counters::kCreate);
  if (err != 0) {
    unlinkat(n.dir, n.name.c_str(), 0);
    *rc = -err;
    return true;
  }
  Hand(path, fi, std::move(fd), st, n.root, true);
  *rc = 0;
  return true;
}

// Opening a file served by a hidden name again (open(2) of its /proc/self/fd link): through the handle
// a FUSE thread holds it by (HiddenFile), as a new handle of the same branch file. -errno, or 1 where
// no FUSE thread holds it.
static int OpenHidden(const char* path, struct fuse_file_info* fi, struct stat* st) {
  int root = -1;
  Fd held(HiddenFile(path, &root));
  if (held.get() < 0) return 1;
  Fd fd(OpenForCaller(AT_FDCWD, ("/proc/self/fd/" + std::to_string(held.get())).c_str(), fi->flags, O_CLOEXEC));
  if (fd.get() < 0 || fstat(fd.get(), st) != 0) return -errno;
  Mount::Current().counters().Count(Counters::kOpen);
  Hand(path, fi, std::move(fd), st, root, true);
  return 0;
}

int Open(const char* path, struct fuse_file_info* fi) {
  struct stat st;
  int rc = OpenHidden(path, fi, &st);
  if (rc <= 0) return rc;
  if (OpenNatively(path, fi, &st)) {
    KeepCache(path, fi, &st);
    return 0;
  }
  // Opening for writing may copy the file up, or truncate it.
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) MarkOwnChange(path);
  rc = Run(
      "open", path, [&](Napi::Env env, Argv& a) { a.push_back(Num(env, fi->flags)); }, OpenResult(path, fi));
  if (rc == 0 && path != nullptr) KeepCache(path, fi);
  return rc;
}

int Create(const char* path, mode_t mode, struct fuse_file_info* fi) {
  Caller caller;
  MarkOwnChange(path);
  int rc;
  struct stat st;
  if (CreateNatively(path, mode, fi, caller, &rc, &st)) {
    if (rc == 0) KeepCache(path, fi, &st);
    return rc;
  }
  rc = Run(
      "create", path,
      [&](Napi::Env env, Argv& a) {
        a.push_back(Num(env, mode));
        a.push_back(Num(env, fi->flags));
        caller.Push(env, a);
      },
      OpenResult(path, fi));
  if (rc == 0 && path != nullptr) KeepCache(path, fi);
  return rc;
}

// O_TMPFILE in the directory copy a create there would use (PlaceUnnamed), on the FUSE thread: the
// engine keeps no handle without a name on its branch, so where it would place the file this is
// EOPNOTSUPP, which callers take as a filesystem without O_TMPFILE (ENOSYS would turn it off for the
// mount). The branch file is linkable (no O_EXCL there): the kernel itself refuses linkat(2) of an
// O_EXCL one.
int TmpFile(const char* path, mode_t mode, struct fuse_file_info* fi) {
  Caller caller;
  NewName n;
  // Nowhere to make it, as a create finds (policies' EROFS).
  if (Mount::Current().branch_modes().WritesNone()) return -EROFS;
  // A directory that takes no new names takes no unnamed file either (the kernel's vfs_tmpfile).
  if (path != nullptr && NamesFixed(PublishedLayers(Mount::Current(), ParentOf(path)), false)) return -EPERM;
  if (path == nullptr || !PlaceUnnamed(path, &n)) return -EOPNOTSUPP;
  int flags = (CallerFlags(fi->flags) & ~O_TMPFILE) | O_TMPFILE;
  Fd fd;
  {
    CallerUmask as(caller.umask);
    fd = Fd(openat(n.dir, ".", flags | O_CLOEXEC, as.Mode(mode)));
  }
  if (fd.get() < 0) return -errno;
  Mount::Current().counters().Count(Counters::kTmpFile);
  struct stat st;
  int err = FinishNewName(n, caller.uid, caller.gid, fd.get());
  if (err == 0 && fstat(fd.get(), &st) != 0) err = errno;
  if (err != 0) return -err;
  Hand(path, fi, std::move(fd), &st, n.root, true);
  return 0;
}

// A short count means EOF to the kernel, so loop until the descriptor says so.
static int PRead(int fd, char* buf, size_t size, off_t off) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, buf + done, size - done, off + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return done > 0 ? static_cast<int>(done) : -errno;
    if (n == 0) break;
    done += n;
  }
  return static_cast<int>(done);
}

int Read(const char* path, char* buf, size_t size, off_t off, struct fuse_file_info* fi) {
  int fd = Mount::Current().files().Get(fi->fh).fd;
  if (fd >= 0) {
    int n = PRead(fd, buf, size, off);
    Mount::Current().counters().Read(n);
    return n;
  }
  return Run(
      "read", path,
      [&](Napi::Env env, Argv& a) {
        a.push_back(Fh(env, fi));
        a.push_back(Napi::Buffer<char>::New(env, size));
        a.push_back(Num(env, static_cast<double>(off)));
      },
      // JS resolves to the bytes read (a view of the buffer it was given).
      [buf, size](Napi::Value v) {
        if (!v.IsBuffer()) throw Napi::TypeError::New(v.Env(), "FUSE reply: read must resolve to a Buffer");
        auto data = v.As<Napi::Buffer<char>>();
        size_t n = std::min(data.Length(), size);
        memcpy(buf, data.Data(), n);
        return static_cast<int>(n);
      });
}

// Write data arrives as a buffer vector over the request read from /dev/fuse.
int WriteBuf(const char* path, struct fuse_bufvec* in, off_t off, struct fuse_file_info* fi) {
  MarkOwnChange(path);
  size_t size = fuse_buf_size(in);
  int fd = Mount::Current().files().Get(fi->fh).fd;
  if (fd >= 0) {
    struct fuse_bufvec out = FUSE_BUFVEC_INIT(size);
    out.buf[0].flags = static_cast<enum fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK | FUSE_BUF_FD_RETRY);
    out.buf[0].fd = fd;
    out.buf[0].pos = off;
    int n = static_cast<int>(fuse_buf_copy(&out, in, static_cast<enum fuse_buf_copy_flags>(0)));
    Mount::Current().counters().Wrote(n);
    return n;
  }
  std::vector<char> buf(size);
  struct fuse_bufvec mem = FUSE_BUFVEC_INIT(size);
  mem.buf[0].mem = buf.data();
  ssize_t got = fuse_buf_copy(&mem, in, static_cast<enum fuse_buf_copy_flags>(0));
  if (got < 0) return static_cast<int>(got);
  size = static_cast<size_t>(got);
  return Run(
      "write", path,
      [&](Napi::Env env, Argv& a) {
        a.push_back(Fh(env, fi));
        a.push_back(Napi::Buffer<char>::Copy(env, buf.data(), size));
        a.push_back(Num(env, static_cast<double>(off)));
      },
      [size](Napi::Value v) { return static_cast<int>(std::min<uint64_t>(ToU64(v, "bytes written"), size)); });
}

// An fsync takes as long as the branch's disk needs to write what it must: the request names that disk,
// so a long one on a slow disk that keeps writing is not reported hung (in_flight.h).
static void WaitsOnDiskOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0) InFlight::WaitsOn(st.st_dev);
}

// Between two handles on branch descriptors the kernel copies (or reflinks) branch file to branch
// file. Otherwise EOPNOTSUPP makes the kernel copy through read and write itself.
ssize_t CopyFileRange(const char* /*path_in*/, struct fuse_file_info* fi_in, off_t off_in, const char* path_out,
                      struct fuse_file_info* fi_out, off_t off_out, size_t size, int flags) {
  OpenFiles& files = Mount::Current().files();
  int in = files.Get(fi_in->fh).fd, out = files.Get(fi_out->fh).fd;
  if (in < 0 || out < 0) return -EOPNOTSUPP;
  Mount::Current().counters().Count(Counters::kCopyFileRange);
  MarkOwnChange(path_out);
  ssize_t n = copy_file_range(in, &off_in, out, &off_out, size, static_cast<unsigned>(flags));
  return n < 0 ? -errno : n;
}

int Flush(const char* path, struct fuse_file_info* fi) {
  // Writes on a branch descriptor went straight to the file: close(2) of a dup has nothing to add.
  if (Mount::Current().files().Get(fi->fh).fd != OpenFile::kServedByJs) {
    Mount::Current().counters().Count(Counters::kFlush);
    return 0;
  }
  return Run("flush", path, [&](Napi::Env env, Argv& a) { a.push_back(Fh(env, fi)); });
}

// A handle kept here (Hand) closes here. The kernel does not wait for a RELEASE, so neither does this
// thread for one of the engine's: JS closes the branch file when it gets to it, before anything asked
// of it later.
void Release(const char* path, struct fuse_file_info* fi) {
  Mount& mount = Mount::Current();
  OpenFile file = mount.files().Remove(fi->fh);
  if (file.owned) {
    close(file.fd);
    mount.counters().Count(Counters::kRelease);
    return;
  }
  uint64_t fh = fi->fh;
  Call::Post(mount, "release", path != nullptr ? path : "",
             [fh](Napi::Env env, Argv& a) { a.push_back(Num(env, static_cast<double>(fh))); });
}

// On a branch descriptor, as the engine's fsyncFile would.
int FSync(const char* path, int datasync, struct fuse_file_info* fi) {
  int fd = Mount::Current().files().Get(fi->fh).fd;
  if (fd >= 0) {
    Mount::Current().counters().Count(Counters::kFsync);
    WaitsOnDiskOf(fd);
    return (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : -errno;
  }
  return Run("fsync", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Fh(env, fi));
    a.push_back(Napi::Boolean::New(env, datasync != 0));
  });
}

// A directory's entries change in its copies on the branches written in place, which hold its
// whiteouts too: those are what an fsync of it makes durable (overlayfs syncs its upper copy), each
// reopened through its O_PATH descriptor. A directory gone from every branch has nothing left to sync.
int FSyncDir(const char* path, int datasync) {
  if (path == nullptr) return 0;
  Mount& mount = Mount::Current();
  DirLayers layers = PublishedLayers(mount, path);
  if (layers.empty()) {
    return Run("fsyncdir", path, [&](Napi::Env env, Argv& a) { a.push_back(Napi::Boolean::New(env, datasync != 0)); });
  }
  mount.counters().Count(Counters::kFsyncdir);
  for (const auto& layer : layers) {
    if (!mount.branch_modes().InPlace(layer->root())) continue;
    int at = layer->Open();
    int fd = at < 0 ? -1 : openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    WaitsOnDiskOf(fd);
    int rc = (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : -errno;
    close(fd);
    if (rc < 0) return rc;
  }
  return 0;
}

// A handle kept here is never one moveonenospc may be moving, which the engine's fallocate waits for.
int FAllocate(const char* path, int mode, off_t offset, off_t length, struct fuse_file_info* fi) {
  MarkOwnChange(path);
  OpenFile file = Mount::Current().files().Get(fi->fh);
  if (file.owned) {
    Mount::Current().counters().Count(Counters::kFallocate);
    return fallocate(file.fd, mode, offset, length) == 0 ? 0 : -errno;
  }
  return Run("fallocate", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Fh(env, fi));
    a.push_back(Num(env, mode));
    a.push_back(FromI64(env, offset));
    a.push_back(FromI64(env, length));
  });
}

// On the branch file, so a sparse file reads as sparse (cp, tar -S). Every read and write on the
// descriptor gives its own offset, so moving the descriptor's own position here disturbs none.
off_t LSeek(const char* path, off_t offset, int whence, struct fuse_file_info* fi) {
  int fd = Mount::Current().files().Get(fi->fh).fd;
  if (fd >= 0) {
    Mount::Current().counters().Count(Counters::kLseek);
    off_t found = lseek(fd, offset, whence);
    return found < 0 ? -errno : found;
  }
  off_t found = -EIO;
  int rc = Run(
      "lseek", path,
      [&](Napi::Env env, Argv& a) {
        a.push_back(Fh(env, fi));
        a.push_back(FromI64(env, offset));
        a.push_back(Num(env, whence));
      },
      [&found](Napi::Value v) {
        found = ToI64(v, "lseek");
        return 0;
      });
  return rc < 0 ? rc : found;
}

}  // namespace strata::op
