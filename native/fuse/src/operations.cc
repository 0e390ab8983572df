#include "operations.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <string>

#include "call.h"
#include "bytes.h"
#include "convert.h"
#include "mount.h"
#include "request.h"

namespace strata {
namespace {

using Argv = std::vector<napi_value>;

Napi::Value Num(Napi::Env env, double v) { return Napi::Number::New(env, v); }

Napi::Value Fh(Napi::Env env, const struct fuse_file_info* fi) { return Num(env, static_cast<double>(fi->fh)); }

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

// The caller's identity is thread-local to the FUSE thread: captured there, pushed on the JS thread.
struct Caller {
  uid_t uid;
  gid_t gid;
  pid_t pid;
  mode_t umask;
  Caller() {
    const struct fuse_context* ctx = fuse_get_context();
    uid = ctx->uid, gid = ctx->gid, pid = ctx->pid, umask = ctx->umask;
  }
  void Push(Napi::Env env, Argv& a) const {
    a.push_back(Num(env, uid));
    a.push_back(Num(env, gid));
    a.push_back(Num(env, pid));
    a.push_back(Num(env, umask));
  }
};

int Run(const char* op, const char* path, Call::Args args = nullptr, Call::Result result = nullptr) {
  Call call(op, path, std::move(args), std::move(result));
  return call.Run(Mount::Current());
}

uint64_t FhResult(Napi::Value v) { return ToU64(v, "file handle"); }

// Before the union changes `path`: the branch events it causes are its own, not news to the kernel.
void Changing(const char* path) {
  if (path != nullptr) Mount::Current().invalidator().MarkSelf(path);
}

// The other names of `path`'s inode the kernel may hold attributes for (hard links).
std::vector<std::string> Siblings(const char* path) {
  return path == nullptr ? std::vector<std::string>{} : Mount::Current().known().Siblings(path);
}

// After a change to `path`'s inode succeeded: its other names are stale in the kernel. Invalidated
// before the reply, so the caller's next stat through another name already sees the change. This
// request's own locks are on other kernel inodes (one per name), so the kernel cannot wait on them.
int Spread(int rc, const std::vector<std::string>& siblings) {
  if (rc >= 0) {
    for (const std::string& sibling : siblings) Mount::Current().InvalidateNow(sibling.c_str());
  }
  return rc;
}

// A change the kernel makes its own copy of (chmod, chown, truncate, utimens): only the other names
// need telling.
int ChangeOf(const char* path, const std::function<int()>& op) {
  Changing(path);
  std::vector<std::string> siblings = Siblings(path);
  return Spread(op(), siblings);
}

// open/create resolve to a handle number or an OpenedHandle { fh, fd?, ino? }. Built on the FUSE
// thread: Mount::Current() means nothing on the JS thread.
Call::Result OpenResult(const char* path, struct fuse_file_info* fi) {
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

int Attributes(const char* path, struct stat* st, struct fuse_file_info* fi) {
  // libfuse asks right after every open and create (auto_cache, lookup): fstat of the branch file is
  // all the ops would do, so it is answered here with the union's inode number.
  Mount& mount = Mount::Current();
  OpenFile direct = fi ? mount.files().Get(fi->fh) : OpenFile{};
  if (direct.ino != OpenFile::kNoIno) {
    mount.counters().Count(Counters::kGetattr);
    if (fstat(direct.fd, st) < 0) return -errno;
    st->st_ino = direct.ino;
    st->st_dev = 0;
    return 0;
  }
  if (fi == nullptr) {
    int rc = mount.dirs().Answer(path, st);
    if (rc != DirAttrs::kAskJs) {
      mount.counters().Count(Counters::kGetattr);
      return rc;
    }
  }
  AttrFh fh(fi);
  return Run(
      "getattr", path, [&](Napi::Env env, Argv& a) { a.push_back(fh.Get(env)); },
      [st](Napi::Value v) {
        ToStat(v, st);
        return 0;
      });
}

// Every answer is noted: the kernel may now cache it (known_paths.h).
int GetAttr(const char* path, struct stat* st, struct fuse_file_info* fi) {
  int rc = Attributes(path, st, fi);
  if (path == nullptr) return rc;
  if (rc == 0) Mount::Current().known().Note(path, *st, Request::EntryParent());
  if (rc == -ENOENT) Mount::Current().known().NoteMissing(path, Request::EntryParent());
  return rc;
}

int ReadLink(const char* path, char* buf, size_t size) {
  return Run("readlink", path, nullptr, [buf, size](Napi::Value v) {
    std::string target = PathFromJs(v, "FUSE reply: readlink's target");
    size_t n = std::min(target.size(), size - 1);
    memcpy(buf, target.data(), n);
    buf[n] = '\0';
    return 0;
  });
}

int MkNod(const char* path, mode_t mode, dev_t rdev) {
  Caller caller;
  Changing(path);
  return Run("mknod", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Num(env, mode));
    a.push_back(FromU64(env, rdev));
    caller.Push(env, a);
  });
}

int MkDir(const char* path, mode_t mode) {
  Caller caller;
  Changing(path);
  return Run("mkdir", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Num(env, mode));
    caller.Push(env, a);
  });
}

int Unlink(const char* path) {
  Changing(path);
  std::vector<std::string> siblings = Siblings(path);
  int rc = Run("unlink", path);
  if (rc == 0) Mount::Current().files().Unlinked(path);
  return Spread(rc, siblings);
}

int RmDir(const char* path) {
  Changing(path);
  return Run("rmdir", path);
}

int SymLink(const char* target, const char* path) {
  Caller caller;
  Changing(path);
  return Run("symlink", path, [&](Napi::Env env, Argv& a) {
    a.push_back(PathToJs(env, target));
    caller.Push(env, a);
  });
}

// Renaming changes the moved inode's ctime, and the link count of one it replaces.
int Rename(const char* from, const char* to, unsigned int flags) {
  Changing(from);
  Changing(to);
  std::vector<std::string> siblings = Siblings(from), replaced = Siblings(to);
  siblings.insert(siblings.end(), replaced.begin(), replaced.end());
  int rc = Run("rename", from, [&](Napi::Env env, Argv& a) {
    a.push_back(PathToJs(env, to));
    a.push_back(Num(env, flags));
  });
  // After an exchange the file that was at `to` keeps no path here: JS serves its attribute changes.
  if (rc == 0) Mount::Current().files().Renamed(from, to);
  return Spread(rc, siblings);
}

int Link(const char* from, const char* to) {
  Changing(from);
  Changing(to);
  std::vector<std::string> siblings = Siblings(from);
  int rc = Run("link", from, [&](Napi::Env env, Argv& a) { a.push_back(PathToJs(env, to)); });
  if (rc == 0) {
    // The kernel does not always count the new link on `from`'s own inode, and the new name will be
    // noted with the shared inode number when libfuse looks it up after this.
    Mount::Current().known().Linked(from);
    siblings.push_back(from);
  }
  return Spread(rc, siblings);
}

// The branch descriptor of a handle whose attributes may change natively (the request's own, or one
// open on the same path), else -1.
int AttrFd(const char* path, const struct fuse_file_info* fi) {
  OpenFiles& files = Mount::Current().files();
  OpenFile file = fi != nullptr ? files.Get(fi->fh) : files.ByPath(path);
  return file.attrs ? file.fd : -1;
}

int Errno(int rc) { return rc < 0 ? -errno : 0; }

// An attribute change served on the branch descriptor.
int Native(Counters::Op op, const char* path, const std::function<int()>& change) {
  Mount::Current().counters().Count(op);
  return ChangeOf(path, change);
}

int ChMod(const char* path, mode_t mode, struct fuse_file_info* fi) {
  int fd = AttrFd(path, fi);
  if (fd >= 0) return Native(Counters::kChmod, path, [&] { return Errno(fchmod(fd, mode)); });
  AttrFh fh(fi);
  return ChangeOf(path, [&] {
    return Run("chmod", path, [&](Napi::Env env, Argv& a) {
      a.push_back(Num(env, mode));
      a.push_back(fh.Get(env));
    });
  });
}

int ChOwn(const char* path, uid_t uid, gid_t gid, struct fuse_file_info* fi) {
  int fd = AttrFd(path, fi);
  if (fd >= 0) return Native(Counters::kChown, path, [&] { return Errno(fchown(fd, uid, gid)); });
  AttrFh fh(fi);
  return ChangeOf(path, [&] {
    return Run("chown", path, [&](Napi::Env env, Argv& a) {
      a.push_back(FromId(env, uid));
      a.push_back(FromId(env, gid));
      a.push_back(fh.Get(env));
    });
  });
}

int Truncate(const char* path, off_t size, struct fuse_file_info* fi) {
  int fd = AttrFd(path, fi);
  if (fd >= 0) return Native(Counters::kTruncate, path, [&] { return Errno(ftruncate(fd, size)); });
  AttrFh fh(fi);
  return ChangeOf(path, [&] {
    return Run("truncate", path, [&](Napi::Env env, Argv& a) {
      a.push_back(FromI64(env, size));
      a.push_back(fh.Get(env));
    });
  });
}

int UTimeNs(const char* path, const struct timespec tv[2], struct fuse_file_info* fi) {
  int fd = AttrFd(path, fi);
  if (fd >= 0) return Native(Counters::kUtimens, path, [&] { return Errno(futimens(fd, tv)); });
  AttrFh fh(fi);
  return ChangeOf(path, [&] {
    return Run("utimens", path, [&](Napi::Env env, Argv& a) {
      a.push_back(FromTime(env, tv[0]));
      a.push_back(FromTime(env, tv[1]));
      a.push_back(fh.Get(env));
    });
  });
}

int Open(const char* path, struct fuse_file_info* fi) {
  // Opening for writing may copy the file up.
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) Changing(path);
  return Run("open", path, [&](Napi::Env env, Argv& a) { a.push_back(Num(env, fi->flags)); }, OpenResult(path, fi));
}

int Create(const char* path, mode_t mode, struct fuse_file_info* fi) {
  Caller caller;
  Changing(path);
  return Run(
      "create", path,
      [&](Napi::Env env, Argv& a) {
        a.push_back(Num(env, mode));
        a.push_back(Num(env, fi->flags));
        caller.Push(env, a);
      },
      OpenResult(path, fi));
}

// A short count means EOF to the kernel, so loop until the descriptor says so.
int PRead(int fd, char* buf, size_t size, off_t off) {
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

// Write data arrives as libfuse's buffer vector, spliced from /dev/fuse where the kernel allows: a
// branch descriptor then takes it pipe to file, never copied through this process.
int WriteUnspread(const char* path, struct fuse_bufvec* in, off_t off, struct fuse_file_info* fi) {
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

int WriteBuf(const char* path, struct fuse_bufvec* in, off_t off, struct fuse_file_info* fi) {
  return ChangeOf(path, [&] { return WriteUnspread(path, in, off, fi); });
}

int StatFs(const char* path, struct statvfs* st) {
  return Run("statfs", path, nullptr, [st](Napi::Value v) {
    ToStatvfs(v, st);
    return 0;
  });
}

int Flush(const char* path, struct fuse_file_info* fi) {
  // Writes on a branch descriptor went straight to the file: close(2) of a dup has nothing to add.
  if (Mount::Current().files().Get(fi->fh).fd != OpenFile::kServedByJs) {
    Mount::Current().counters().Count(Counters::kFlush);
    return 0;
  }
  return Run("flush", path, [&](Napi::Env env, Argv& a) { a.push_back(Fh(env, fi)); });
}

int Release(const char* path, struct fuse_file_info* fi) {
  Mount::Current().files().Remove(fi->fh);
  return Run("release", path, [&](Napi::Env env, Argv& a) { a.push_back(Fh(env, fi)); });
}

int FSync(const char* path, int datasync, struct fuse_file_info* fi) {
  return Run("fsync", path, [&](Napi::Env env, Argv& a) {
    a.push_back(Fh(env, fi));
    a.push_back(Napi::Boolean::New(env, datasync != 0));
  });
}

// An ACL changes the mode behind the kernel's back, and it only drops the cached ctime. Invalidated
// before the reply, so a permission check right after already sees the new mode; no page is locked
// during an xattr request, so the kernel cannot wait on this one.
int XattrChange(const char* path, const std::function<int()>& op) {
  int rc = ChangeOf(path, op);
  if (rc == 0 && path != nullptr) Mount::Current().InvalidateNow(path);
  return rc;
}

int SetXattr(const char* path, const char* name, const char* value, size_t size, int flags) {
  return XattrChange(path, [&] {
    return Run("setxattr", path, [&](Napi::Env env, Argv& a) {
      a.push_back(Napi::String::New(env, name));
      a.push_back(Napi::Buffer<char>::Copy(env, value, size));
      a.push_back(Num(env, flags));
    });
  });
}

// size 0 asks for the length; a value larger than size is ERANGE (getxattr(2) semantics).
// The kernel asks for security.capability before the first write to every file: with the file open
// for writing, its branch copy answers without JS. Strata's own user.strata.* names are always JS's.
int GetXattr(const char* path, const char* name, char* value, size_t size) {
  OpenFile open = Mount::Current().files().ByPath(path);
  if (open.attrs && strncmp(name, "user.strata.", 12) != 0) {
    Mount::Current().counters().Count(Counters::kGetxattr);
    ssize_t n = fgetxattr(open.fd, name, value, size);
    return n < 0 ? -errno : static_cast<int>(n);
  }
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
    return Run("removexattr", path, [&](Napi::Env env, Argv& a) { a.push_back(Napi::String::New(env, name)); });
  });
}

int OpenDir(const char* path, struct fuse_file_info* fi) {
  return Run("opendir", path, nullptr, [fi](Napi::Value v) {
    fi->fh = FhResult(v);
    return 0;
  });
}

bool IsDotOrDotDot(const std::string& name) { return name == "." || name == ".."; }

// The whole listing is filled at offset 0: libfuse buffers it and pages it to the kernel. The filler
// runs on the JS thread while the FUSE thread waits, which is safe since it only appends to this
// request's buffer.
int ReadDir(const char* path, void* buf, fuse_fill_dir_t filler, off_t, struct fuse_file_info* fi,
            enum fuse_readdir_flags flags) {
  bool plus = flags & FUSE_READDIR_PLUS;
  KnownPaths* known = &Mount::Current().known();
  std::string dir = path != nullptr && strcmp(path, "/") != 0 ? path : "";
  uint64_t dir_node = Request::ListingDir();
  return Run(
      "readdir", path, [&](Napi::Env env, Argv& a) { a.push_back(Fh(env, fi)); },
      [buf, filler, plus, known, dir, dir_node](Napi::Value v) {
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
            if (filler(buf, name.c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0))) return -ENOMEM;
            continue;
          }
          struct stat st;
          ToStat(stat, &st);
          auto fill = plus ? FUSE_FILL_DIR_PLUS : static_cast<fuse_fill_dir_flags>(0);
          if (plus) known->Note(dir + "/" + name, st, dir_node);
          if (filler(buf, name.c_str(), &st, 0, fill)) return -ENOMEM;
        }
        return 0;
      });
}

int ReleaseDir(const char* path, struct fuse_file_info* fi) {
  return Run("releasedir", path, [&](Napi::Env env, Argv& a) { a.push_back(Fh(env, fi)); });
}

int Access(const char* path, int mask) {
  return Run("access", path, [&](Napi::Env env, Argv& a) { a.push_back(Num(env, mask)); });
}

int FAllocate(const char* path, int mode, off_t offset, off_t length, struct fuse_file_info* fi) {
  return ChangeOf(path, [&] {
    return Run("fallocate", path, [&](Napi::Env env, Argv& a) {
      a.push_back(Fh(env, fi));
      a.push_back(Num(env, mode));
      a.push_back(FromI64(env, offset));
      a.push_back(FromI64(env, length));
    });
  });
}

void* Init(struct fuse_conn_info* conn, struct fuse_config* cfg) {
  Mount* mount = &Mount::Current();
  mount->Configure(conn, cfg);
  return mount;
}

struct fuse_operations MakeOperations() {
  struct fuse_operations ops = {};
  ops.getattr = GetAttr;
  ops.readlink = ReadLink;
  ops.mknod = MkNod;
  ops.mkdir = MkDir;
  ops.unlink = Unlink;
  ops.rmdir = RmDir;
  ops.symlink = SymLink;
  ops.rename = Rename;
  ops.link = Link;
  ops.chmod = ChMod;
  ops.chown = ChOwn;
  ops.truncate = Truncate;
  ops.open = Open;
  ops.read = Read;
  ops.write_buf = WriteBuf;
  ops.statfs = StatFs;
  ops.flush = Flush;
  ops.release = Release;
  ops.fsync = FSync;
  ops.setxattr = SetXattr;
  ops.getxattr = GetXattr;
  ops.listxattr = ListXattr;
  ops.removexattr = RemoveXattr;
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.releasedir = ReleaseDir;
  ops.init = Init;
  ops.access = Access;
  ops.create = Create;
  ops.utimens = UTimeNs;
  ops.fallocate = FAllocate;
  return ops;
}

}  // namespace

const struct fuse_operations kOperations = MakeOperations();

}  // namespace strata
