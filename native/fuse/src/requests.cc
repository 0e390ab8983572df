#include "requests.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device.h"
#include "inode_flags.h"
#include "kept_file.h"
#include "kernel_abi.h"
#include "mount.h"
#include "new_names.h"
#include "nodes.h"
#include "ops.h"
#include "prefill.h"
#include "request.h"
#include "union_path.h"

namespace strata {
namespace {

// The pages of the largest write (FUSE_MAX_PAGES).
constexpr uint16_t kMaxPages = 256;
// What the kernel offers that this binding takes. Not writeback caching (it would hide writes from
// the union and is incompatible with passthrough), not the kernel's POSIX locks protocol (locks stay
// local to the kernel). READDIRPLUS as the kernel's heuristic has it (AUTO: the first page of a
// listing, and the pages of one whose names were looked up since): see PlusEntry.
// HANDLE_KILLPRIV_V2: without it the kernel marks no inode as free of set-ID bits and file
// capabilities (SB_NOSEC), so before every write(2) it asks for security.capability: a round trip
// that left 4 KiB passthrough writes a sixth of their speed. With it, the server drops set-ID bits
// where the kernel asks (SetAttr, Open).
constexpr uint64_t kWanted = FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_PARALLEL_DIROPS |
                             FUSE_ASYNC_DIO | FUSE_MAX_PAGES | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO |
                             FUSE_HANDLE_KILLPRIV_V2 | FUSE_POSIX_ACL | FUSE_DONT_MASK | FUSE_SETXATTR_EXT;
constexpr int kHideTries = 10;

// A request's fixed argument, after the header; nullptr when the request is too short for it.
template <typename T>
const T* Arg(const char* body, size_t len) {
  return len >= sizeof(T) ? reinterpret_cast<const T*>(body) : nullptr;
}

void Split(double seconds, uint64_t* sec, uint32_t* nsec) {
  if (seconds <= 0) {
    *sec = 0, *nsec = 0;
    return;
  }
  double whole = std::floor(seconds);
  *sec = static_cast<uint64_t>(whole);
  *nsec = static_cast<uint32_t>((seconds - whole) * 1e9);
}

void FillAttr(const struct stat& st, struct fuse_attr* attr) {
  attr->ino = st.st_ino;
  attr->size = st.st_size;
  attr->blocks = st.st_blocks;
  attr->atime = st.st_atim.tv_sec;
  attr->mtime = st.st_mtim.tv_sec;
  attr->ctime = st.st_ctim.tv_sec;
  attr->atimensec = st.st_atim.tv_nsec;
  attr->mtimensec = st.st_mtim.tv_nsec;
  attr->ctimensec = st.st_ctim.tv_nsec;
  attr->mode = st.st_mode;
  attr->nlink = st.st_nlink;
  attr->uid = st.st_uid;
  attr->gid = st.st_gid;
  attr->rdev = st.st_rdev;
  attr->blksize = st.st_blksize;
}

// A directory listing, read whole at offset 0 and paged to the kernel by entry index.
struct DirHandle {
  uint64_t fh = 0;  // the ops' handle
  std::mutex mutex;
  bool filled = false;
  struct Entry {
    std::string name;
    uint64_t ino;
    uint32_t type;
  };
  std::vector<Entry> entries;

  static int Fill(void* buf, const char* name, const struct stat* st, off_t, enum fuse_fill_dir_flags) {
    auto* dh = static_cast<DirHandle*>(buf);
    dh->entries.push_back(
        Entry{name, st ? static_cast<uint64_t>(st->st_ino) : abi::kUnknownIno,
              st ? static_cast<uint32_t>((st->st_mode & S_IFMT) >> 12) : static_cast<uint32_t>(DT_UNKNOWN)});
    return 0;
  }
};

DirHandle* DirOf(uint64_t fh) { return reinterpret_cast<DirHandle*>(fh); }

// A request on an open handle: the node's path, if it still has one (the handle identifies the file
// anyway), and the handle as the ops take it.
struct OnHandle {
  std::optional<std::string> path;
  struct fuse_file_info fi = {};
  const char* Path() const { return path ? path->c_str() : nullptr; }
};

class Served {
 public:
  Served(Mount& mount, const ReplyTo& out, const struct fuse_in_header& in, const char* body, size_t len)
      : mount_(mount), out_(out), nodes_(mount.nodes()), in_(in), body_(body), len_(len) {}

  bool Run();

 private:
  void Fail(int error) { out_.Fail(in_.unique, error); }
  void Ok() { out_.Reply(in_.unique, {}); }
  // rc: >= 0 success (replied empty), < 0 -errno.
  void Status(int rc) { rc < 0 ? Fail(-rc) : Ok(); }
  template <typename T>
  void Reply(const T& out) {
    out_.Reply(in_.unique, {Piece(out)});
  }

  // A hard link's node keeps every name the kernel looked it up by until it forgets the node, and one
  // removed directly in a branch would fail every request on the others: the first name the union
  // still shows (one answered by JS counts as shown). A node served by a hidden name (TmpFile, Hide)
  // whose directory went (an rmdir of one that showed empty) still goes by that name, which no branch
  // holds: the ops reach its file through the handle that goes by it (op_support.h, HiddenFile).
  std::optional<std::string> NodePath(uint64_t nodeid) const {
    bool linked = false;
    std::optional<std::string> first = nodes_.Path(nodeid, &linked);
    if (!first) {
      std::optional<std::string> held = mount_.files().PathOn(nodeid);
      bool hidden = held && DirAttrs::HasOwnRules(held->substr(held->rfind('/') + 1));
      return hidden ? held : std::nullopt;
    }
    struct stat st;
    if (!linked || op::GetAttrNatively(first->c_str(), &st, nullptr) != -ENOENT) return first;
    for (const std::string& path : nodes_.Paths(nodeid))
      if (op::GetAttrNatively(path.c_str(), &st, nullptr) != -ENOENT) return path;
    return first;
  }
  // The node's attributes: by `path`, or on `with`, a handle the request names. A node whose file left
  // its branch while open (removed or renamed away there directly, the kernel maybe not told yet; or
  // replaced, the name then looked up afresh: no name left) answers on one of its handles (`*held`
  // then true), since the kernel asks without one even for fstat(2); one that lost its last name
  // through the union while held without a handle, on the file kept for it.
  int NodeAttrs(const std::optional<std::string>& path, struct fuse_file_info* with, struct stat* st,
                bool* held = nullptr) const {
    int rc = -ESTALE;
    if (path || with) rc = op::GetAttr(path ? path->c_str() : nullptr, st, with, nullptr);
    if (with || (path && rc != -ENOENT)) return rc;
    std::optional<uint64_t> open = mount_.files().OpenOn(in_.nodeid, false);
    if (!open) {
      Nodes::Kept kept = path ? Nodes::Kept{} : nodes_.KeptFile(in_.nodeid);
      if (!kept.fd) return rc;
      if (held != nullptr) *held = true;
      return kept::Stat(kept, nodes_.InoOf(in_.nodeid), st);
    }
    if (held != nullptr) *held = true;
    struct fuse_file_info fi = {};
    fi.fh = *open;
    return op::GetAttr(nullptr, st, &fi, nullptr);
  }
  OnHandle Handle(uint64_t fh, uint32_t flags = 0) const {
    OnHandle on{NodePath(in_.nodeid)};
    on.fi.fh = fh;
    on.fi.flags = static_cast<int>(flags);
    return on;
  }
  // The name following the fixed argument T (or the body's start), NUL-terminated by the kernel.
  const char* Name(size_t skip = 0) const { return skip < len_ ? body_ + skip : nullptr; }

  void Entry(uint64_t parent, const char* name, const std::string& path);
  void ReplyAttr(const struct stat& st) {
    struct fuse_attr_out out = {};
    Split(mount_.config().attr_timeout, &out.attr_valid, &out.attr_valid_nsec);
    FillAttr(st, &out.attr);
    Reply(out);
  }
  // The kernel's reference to a name found (counted as a lookup: nodes.h), with its attributes.
  void Found(uint64_t parent, const char* name, const struct stat& st, bool own_inode, struct fuse_entry_out* out);
  bool FillEntry(uint64_t parent, const char* name, const std::string& path, struct fuse_file_info* fi,
                 struct fuse_entry_out* out, int* rc);

  void Init();
  void Lookup();
  void Forget();
  void BatchForget();
  void GetAttr();
  void SetAttr();
  void ReadLink();
  template <typename In>
  void Make(int (*make)(const char* path, const In& arg));
  void SymLink();
  void Unlink(bool dir);
  void Rename(uint32_t flags, uint64_t newdir, size_t skip);
  void Link();
  void Open(bool dir);
  void Create();
  void TmpFile();
  // The reply to a CREATE or TMPFILE whose file op::Create or op::TmpFile made as `fi`'s handle: its
  // entry, `name` in the request's directory (a `hidden` one, TmpFile's), and the open.
  void Made(const char* name, const std::string& path, struct fuse_file_info& fi, bool hidden);
  void Read();
  void Write();
  void StatFs();
  void Release();
  void FSync();
  void FSyncDir();
  void Ioctl();
  void SetXattr();
  void GetXattr(bool list);
  void RemoveXattr();
  void Flush();
  void ReadDir(bool plus);
  // One page of an open directory's listing (filled at offset 0), or -errno.
  int DirPage(DirHandle* dh, const struct fuse_read_in& arg, bool plus, std::vector<char>* out);
  void PlusEntry(const std::string& dir, const DirHandle::Entry& e, struct fuse_entry_out* out);
  void ReleaseDir();
  void Access();
  void FAllocate();
  void LSeek();
  void CopyFileRange();

  // The file a name's node keeps if the name goes (Nodes::Keep): asked before a removal or a rename over
  // it, given to the node once that went through.
  struct Keeping {
    uint64_t node = 0;
    Nodes::Kept kept;
  };
  Keeping KeepingFor(uint64_t parent, const char* name, const std::string& path) {
    Keeping keeping{nodes_.HeldWithoutHandle(parent, name), {}};
    if (keeping.node != 0) keeping.kept.fd = op::ServedFile(path.c_str(), &keeping.kept.writable);
    return keeping;
  }
  void Kept(Keeping keeping) {
    if (keeping.kept.fd) nodes_.Keep(keeping.node, std::move(keeping.kept));
  }
  // The open `node` lost its name `gone`, and keeps another (op::Repath).
  void Repath(uint64_t node, const std::string& gone) {
    if (std::optional<std::string> now = NodePath(node)) op::Repath(node, gone, *now);
  }
  // A name in `dir` the union shows nothing by, in libfuse's hidden form (which the engine knows:
  // core.ts), numbered after `node`; none after kHideTries.
  std::optional<std::string> HiddenName(const std::string& dir, uint64_t node) const;
  // libfuse's rule for a name unlinked (or renamed over) while open: it is renamed to a hidden name
  // the union serves from the open handle, and unlinked at the last release.
  int Hide(uint64_t parent, const std::string& name, const std::string& path, uint64_t node);
  // Returns the handle as the open table holds it.
  // nullopt: the node was retired (Nodes::OpenIo); the caller releases the handle and answers ESTALE,
  // on which the kernel retries the open once with the name looked up afresh, as a new node.
  std::optional<OpenFile> OpenReply(uint64_t nodeid, const char* path, struct fuse_file_info& fi,
                                    struct fuse_open_out* out);

  Mount& mount_;
  const ReplyTo& out_;
  Nodes& nodes_;
  const struct fuse_in_header& in_;
  const char* body_;
  size_t len_;
};

bool Served::FillEntry(uint64_t parent, const char* name, const std::string& path, struct fuse_file_info* fi,
                       struct fuse_entry_out* out, int* rc) {
  struct stat st;
  bool own_inode = false;
  *rc = op::GetAttr(path.c_str(), &st, fi, &own_inode);
  const ServeConfig& config = mount_.config();
  *out = {};
  if (*rc == -ENOENT && fi == nullptr) {
    mount_.known().NoteMissing(path, parent);
    if (config.negative_timeout <= 0) return false;
    // Node id 0: the kernel caches the name as missing for this long.
    Split(config.negative_timeout, &out->entry_valid, &out->entry_valid_nsec);
    *rc = 0;
    return true;
  }
  if (*rc < 0) return false;
  Found(parent, name, st, own_inode, out);
  return true;
}

void Served::Found(uint64_t parent, const char* name, const struct stat& st, bool own_inode,
                   struct fuse_entry_out* out) {
  const ServeConfig& config = mount_.config();
  Nodes::Sharing sharing = own_inode                                 ? Nodes::Sharing::kOwn
                           : !S_ISDIR(st.st_mode) && st.st_nlink > 1 ? Nodes::Sharing::kLinked
                                                                     : Nodes::Sharing::kOnly;
  out->nodeid = nodes_.Ref(parent, name, st.st_ino, sharing, st.st_mode & S_IFMT);
  Split(config.entry_timeout, &out->entry_valid, &out->entry_valid_nsec);
  Split(config.attr_timeout, &out->attr_valid, &out->attr_valid_nsec);
  FillAttr(st, &out->attr);
}

void Served::Entry(uint64_t parent, const char* name, const std::string& path) {
  struct fuse_entry_out out;
  int rc;
  if (!FillEntry(parent, name, path, nullptr, &out, &rc)) return Fail(-rc);
  Reply(out);
}

void Served::Init() {
  // Older kernels send a shorter init_in (no flags2): its first four words are all they have.
  if (len_ < 4 * sizeof(uint32_t)) return Fail(EINVAL);
  struct fuse_init_in arg = {};
  memcpy(&arg, body_, std::min(len_, sizeof arg));
  struct fuse_init_out out = {};
  out.major = FUSE_KERNEL_VERSION;
  if (arg.major != FUSE_KERNEL_VERSION) {
    // A newer major: answer ours and the kernel asks again; an older one cannot be served.
    if (arg.major > FUSE_KERNEL_VERSION) return Reply(out);
    return Fail(EPROTO);
  }
  out.minor = std::min<uint32_t>(arg.minor, FUSE_KERNEL_MINOR_VERSION);
  uint64_t offered = arg.flags;
  if (arg.flags & FUSE_INIT_EXT) offered |= static_cast<uint64_t>(arg.flags2) << 32;
  uint64_t want = kWanted & offered;
  const ServeConfig& config = mount_.config();
  if (config.passthrough && (offered & abi::kInitPassthrough)) {
    want |= FUSE_INIT_EXT | abi::kInitPassthrough;
    // Backing files must not be on a stacked filesystem themselves (or they cannot be passed through).
    abi::MaxStackDepth(out) = 1;
  }
  // Offered only while fuse.enable_uring is on.
  if (config.io_uring && (offered & abi::kInitOverIoUring)) want |= FUSE_INIT_EXT | abi::kInitOverIoUring;
  out.flags = static_cast<uint32_t>(want);
  out.flags2 = static_cast<uint32_t>(want >> 32);
  out.max_readahead = arg.max_readahead;
  out.max_write = config.max_write;
  out.max_pages = kMaxPages;
  out.time_gran = 1;
  mount_.Initialized((want & abi::kInitPassthrough) != 0, (want & abi::kInitOverIoUring) != 0,
                     (want & FUSE_SETXATTR_EXT) != 0);
  Reply(out);
}

void Served::Lookup() {
  std::optional<std::string> dir = NodePath(in_.nodeid);
  const char* name = Name();
  if (!dir || name == nullptr) return Fail(ESTALE);
  Entry(in_.nodeid, name, Join(*dir, name));
}

void Served::Forget() {
  const auto* arg = Arg<struct fuse_forget_in>(body_, len_);
  if (arg == nullptr) return;
  nodes_.Forget(in_.nodeid, arg->nlookup);
  mount_.counters().Count(Counters::kForget);
}

void Served::BatchForget() {
  const auto* arg = Arg<struct fuse_batch_forget_in>(body_, len_);
  if (arg == nullptr) return;
  const auto* one = reinterpret_cast<const struct fuse_forget_one*>(body_ + sizeof *arg);
  size_t count = std::min<size_t>(arg->count, (len_ - sizeof *arg) / sizeof *one);
  for (size_t i = 0; i < count; i++) {
    nodes_.Forget(one[i].nodeid, one[i].nlookup);
    mount_.counters().Count(Counters::kForget);
  }
}

void Served::GetAttr() {
  const auto* arg = Arg<struct fuse_getattr_in>(body_, len_);
  struct fuse_file_info fi = {};
  bool with_fh = arg != nullptr && (arg->getattr_flags & FUSE_GETATTR_FH);
  if (with_fh) fi.fh = arg->fh;
  std::optional<std::string> path = NodePath(in_.nodeid);
  struct stat st;
  bool held = false;
  int rc = NodeAttrs(path, with_fh ? &fi : nullptr, &st, &held);
  // The kernel still holds a name removed directly in a branch (its invalidation is on its way) and
  // asks for attributes it dropped, as its permission check before an open does. ESTALE makes it retry
  // the system call with the names looked up afresh, so an O_CREAT open creates the name anew, where
  // ENOENT would fail it (where a handle answered above, the OPEN that follows is answered ESTALE:
  // ops/files.ts). Once per lookup: a kernel that asks again without looking up (a working
  // directory's ".") then hears ENOENT, not ESTALE.
  if (rc == -ENOENT && !with_fh && !held && nodes_.TellStale(in_.nodeid)) rc = -ESTALE;
  if (rc < 0) return Fail(-rc);
  ReplyAttr(st);
}

void Served::SetAttr() {
  const auto* arg = Arg<struct fuse_setattr_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  std::optional<std::string> path = NodePath(in_.nodeid);
  struct fuse_file_info fi = {};
  struct fuse_file_info* with = nullptr;
  if (arg->valid & FATTR_FH) {
    fi.fh = arg->fh;
    with = &fi;
  }
  Nodes::Kept kept;
  if (!path) {
    // A node that lost every name while open (GetAttr): fchmod, fchown and futimens come without a
    // handle, ftruncate with one; a handle whose attributes change on its branch file serves them all,
    // else the file kept for a node held without one.
    std::optional<uint64_t> open = with ? std::optional<uint64_t>(fi.fh) : mount_.files().OpenOn(in_.nodeid, true);
    if (open && mount_.files().Get(*open).attrs) {
      fi.fh = *open;
      with = &fi;
    } else if (with || !(kept = nodes_.KeptFile(in_.nodeid)).fd) {
      return Fail(ESTALE);
    }
  }
  const char* p = path ? path->c_str() : nullptr;
  uint32_t valid = arg->valid;
  // Set-ID bits to drop: asked with a truncation or chown, or by a SETATTR that changes nothing,
  // which is what the kernel sends before a write by a caller without CAP_FSETID to a file it knows
  // as set-ID (file_remove_privs; buffered and passthrough writes alike, as no handle is direct I/O).
  // The write's own FUSE_WRITE_KILL_SUIDGID is set on every write by such a caller whatever the mode,
  // and passthrough writes never arrive, so it is not what the bits are dropped on.
  bool kill = (valid & FATTR_KILL_SUIDGID) || (valid & ~(FATTR_FH | FATTR_LOCKOWNER)) == 0;
  int rc = 0;
  // libfuse's order: mode, owner, size, times.
  if (valid & FATTR_MODE) rc = kept.fd ? kept::ChMod(kept, arg->mode) : op::ChMod(p, arg->mode, with);
  if (rc == 0 && (valid & (FATTR_UID | FATTR_GID))) {
    uid_t uid = (valid & FATTR_UID) ? arg->uid : static_cast<uid_t>(-1);
    gid_t gid = (valid & FATTR_GID) ? arg->gid : static_cast<gid_t>(-1);
    rc = kept.fd ? kept::ChOwn(kept, uid, gid) : op::ChOwn(p, uid, gid, with);
  }
  // No truncation comes for a kept file: the kernel refuses one of a directory or FIFO itself.
  if (rc == 0 && (valid & FATTR_SIZE)) rc = kept.fd ? -EINVAL : op::Truncate(p, static_cast<off_t>(arg->size), with);
  if (rc == 0 && (valid & (FATTR_ATIME | FATTR_MTIME))) {
    struct timespec tv[2] = {};
    tv[0].tv_nsec = UTIME_OMIT;
    tv[1].tv_nsec = UTIME_OMIT;
    if (valid & FATTR_ATIME_NOW) {
      tv[0].tv_nsec = UTIME_NOW;
    } else if (valid & FATTR_ATIME) {
      tv[0] = {static_cast<time_t>(arg->atime), static_cast<long>(arg->atimensec)};
    }
    if (valid & FATTR_MTIME_NOW) {
      tv[1].tv_nsec = UTIME_NOW;
    } else if (valid & FATTR_MTIME) {
      tv[1] = {static_cast<time_t>(arg->mtime), static_cast<long>(arg->mtimensec)};
    }
    rc = kept.fd ? kept::UTimeNs(kept, tv) : op::UTimeNs(p, tv, with);
  }
  if (rc < 0) return Fail(-rc);
  struct stat st;
  rc = NodeAttrs(path, with, &st);
  // Set-ID bits are a regular file's, and a kept file is none.
  if (rc == 0 && kill && !kept.fd) rc = op::DropSetIds(p, with, st);
  // Bits went: read again, so the reply has the new mode and ctime.
  if (rc > 0) rc = NodeAttrs(path, with, &st);
  if (rc < 0) return Fail(-rc);
  ReplyAttr(st);
}

void Served::ReadLink() {
  std::optional<std::string> path = NodePath(in_.nodeid);
  if (!path) return Fail(ESTALE);
  std::vector<char> buf(PATH_MAX + 1);
  int rc = op::ReadLink(path->c_str(), buf.data(), buf.size());
  if (rc < 0) return Fail(-rc);
  out_.Reply(in_.unique, {Piece(buf.data(), strlen(buf.data()))});
}

// MKNOD and MKDIR: an entry made by the caller (their umask), then looked up.
template <typename In>
void Served::Make(int (*make)(const char* path, const In& arg)) {
  const auto* arg = Arg<In>(body_, len_);
  std::optional<std::string> dir = NodePath(in_.nodeid);
  const char* name = Name(sizeof(In));
  if (arg == nullptr || name == nullptr) return Fail(EINVAL);
  if (!dir) return Fail(ESTALE);
  Request::current.umask = arg->umask;
  std::string path = Join(*dir, name);
  int rc = make(path.c_str(), *arg);
  if (rc < 0) return Fail(-rc);
  Entry(in_.nodeid, name, path);
}

int MkNodAt(const char* path, const struct fuse_mknod_in& arg) { return op::MkNod(path, arg.mode, arg.rdev); }
int MkDirAt(const char* path, const struct fuse_mkdir_in& arg) { return op::MkDir(path, arg.mode); }

void Served::SymLink() {
  // The new entry's name, then the link's target.
  const char* name = Name();
  std::optional<std::string> dir = NodePath(in_.nodeid);
  if (name == nullptr) return Fail(EINVAL);
  size_t name_len = strnlen(name, len_);
  const char* target = Name(name_len + 1);
  if (target == nullptr) return Fail(EINVAL);
  if (!dir) return Fail(ESTALE);
  std::string path = Join(*dir, name);
  int rc = op::SymLink(target, path.c_str());
  if (rc < 0) return Fail(-rc);
  Entry(in_.nodeid, name, path);
}

std::optional<std::string> Served::HiddenName(const std::string& dir, uint64_t node) const {
  static std::atomic<uint32_t> counter{0};
  for (int i = 0; i < kHideTries; i++) {
    char hidden[32];
    snprintf(hidden, sizeof hidden, ".fuse_hidden%08x%08x", static_cast<uint32_t>(node), counter++);
    // Every hidden name comes from here, once: what can hold one is a branch (a file a libfuse
    // backend left), which the published copies tell without asking the engine.
    std::string path = Join(dir, hidden);
    int free = NameFree(path);
    struct stat st;
    if (free == 1 || (free < 0 && op::GetAttr(path.c_str(), &st, nullptr, nullptr) == -ENOENT)) return hidden;
  }
  return std::nullopt;
}

int Served::Hide(uint64_t parent, const std::string& name, const std::string& path, uint64_t node) {
  std::optional<std::string> hidden = HiddenName(ParentOf(path), node);
  if (hidden) {
    std::string hidden_path = Join(ParentOf(path), *hidden);
    int rc = op::Rename(path.c_str(), hidden_path.c_str(), 0);
    if (rc < 0) return rc;
    nodes_.Renamed(parent, name, parent, *hidden, false);
    // A close just before the unlink is released on another thread: the hidden name would outlive it.
    if (nodes_.MarkHidden(node) && op::Unlink(hidden_path.c_str()) == 0) nodes_.Unlinked(parent, *hidden);
    return 0;
  }
  return -EBUSY;
}

void Served::Unlink(bool dir) {
  const char* name = Name();
  std::optional<std::string> parent = NodePath(in_.nodeid);
  if (name == nullptr) return Fail(EINVAL);
  if (!parent) return Fail(ESTALE);
  std::string path = Join(*parent, name);
  bool last = false;
  uint64_t open = dir ? 0 : nodes_.OpenByName(in_.nodeid, name, &last);
  // Its last name the kernel knows: the open file needs one to be served by.
  if (open != 0 && last) return Status(Hide(in_.nodeid, name, path, open));
  Keeping keeping = KeepingFor(in_.nodeid, name, path);
  int rc = dir ? op::RmDir(path.c_str()) : op::Unlink(path.c_str());
  if (rc == 0) {
    nodes_.Unlinked(in_.nodeid, name);
    Kept(std::move(keeping));
    if (open != 0) Repath(open, path);
  }
  Status(rc);
}

void Served::Rename(uint32_t flags, uint64_t newdir, size_t skip) {
  const char* from = Name(skip);
  if (from == nullptr) return Fail(EINVAL);
  const char* to = Name(skip + strnlen(from, len_ - skip) + 1);
  if (to == nullptr) return Fail(EINVAL);
  std::optional<std::string> from_dir = NodePath(in_.nodeid), to_dir = NodePath(newdir);
  if (!from_dir || !to_dir) return Fail(ESTALE);
  std::string from_path = Join(*from_dir, from), to_path = Join(*to_dir, to);
  Keeping keeping;
  uint64_t open = 0;
  if (!(flags & (RENAME_EXCHANGE | RENAME_NOREPLACE))) {
    bool last = false;
    open = nodes_.OpenByName(newdir, to, &last);
    if (open != 0 && last) {
      int rc = op::MoveRefused(from_path.c_str());
      if (rc == 0) rc = Hide(newdir, to, to_path, open);
      if (rc < 0) return Fail(-rc);
      open = 0;
    }
    keeping = KeepingFor(newdir, to, to_path);
  }
  int rc = op::Rename(from_path.c_str(), to_path.c_str(), flags);
  if (rc == 0) {
    nodes_.Renamed(in_.nodeid, from, newdir, to, flags & RENAME_EXCHANGE);
    Kept(std::move(keeping));
    if (open != 0) Repath(open, to_path);
  }
  Status(rc);
}

void Served::Link() {
  const auto* arg = Arg<struct fuse_link_in>(body_, len_);
  const char* name = Name(sizeof(struct fuse_link_in));
  if (arg == nullptr || name == nullptr) return Fail(EINVAL);
  std::optional<std::string> from = NodePath(arg->oldnodeid), dir = NodePath(in_.nodeid);
  if (!from || !dir) return Fail(ESTALE);
  std::string path = Join(*dir, name);
  int rc = op::Link(from->c_str(), path.c_str());
  if (rc < 0) return Fail(-rc);
  // A file served by a hidden name (TmpFile, Hide) now has a name of its own: its node and handles go
  // by that, and nothing is unlinked when it closes.
  std::string hidden = from->substr(from->rfind('/') + 1);
  if (nodes_.Named(arg->oldnodeid, nodes_.Find(ParentOf(*from)), hidden, in_.nodeid, name))
    op::Repath(arg->oldnodeid, *from, path);
  Entry(in_.nodeid, name, path);
}

std::optional<OpenFile> Served::OpenReply(uint64_t nodeid, const char* path, struct fuse_file_info& fi,
                                          struct fuse_open_out* out) {
  *out = {};
  out->fh = fi.fh;
  if (fi.keep_cache) out->open_flags |= FOPEN_KEEP_CACHE;
  if (fi.direct_io) out->open_flags |= FOPEN_DIRECT_IO;
  // A handle on a branch descriptor has nothing to flush (its writes went to the branch file): the
  // kernel need not send FLUSH at every close.
  OpenFile file = mount_.files().Get(fi.fh);
  uint32_t noflush = file.fd >= 0 ? FOPEN_NOFLUSH : 0;
  out->open_flags |= noflush;
  auto file_id = [&] {
    struct stat st;
    if (file.fd < 0 || fstat(file.fd, &st) < 0) return Nodes::FileId{};
    return Nodes::FileId{st.st_dev, st.st_ino};
  };
  bool eligible = mount_.MayPassThrough(fi.fh);
  // The kernel passes through to the file the descriptor holds when the backing is registered or
  // matched below: from then on no copy-up may re-point the handle (OpenFiles::Repoint, the engine's
  // repointHandles), so it counts as passed through until its reply says otherwise.
  if (eligible) mount_.files().Answered(fi.fh, nodeid, true);
  Nodes::OpenIo io = nodes_.Opened(nodeid, eligible, file_id, [&] { return mount_.OpenBacking(fi.fh); });
  if (io.retired) return std::nullopt;
  int32_t backing = io.backing;
  if (backing > 0) {
    // The kernel refuses a passthrough open with any other flag but direct_io, parallel direct
    // writes and noflush (FOPEN_PASSTHROUGH_MASK); the page cache is the backing file's anyway.
    out->open_flags = abi::kOpenPassthrough | noflush;
    abi::BackingId(*out) = backing;
    file.passed_through = true;
    mount_.counters().Count(Counters::kPassthrough);
  }
  mount_.files().Answered(fi.fh, nodeid, backing > 0);
  if (path != nullptr) mount_.invalidator().Opened(fi.fh, ParentOf(path), backing > 0);
  return file;
}

void Served::Open(bool dir) {
  const auto* arg = Arg<struct fuse_open_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  OnHandle on = Handle(0, arg->flags);
  // A directory removed while a process works in it opens empty, as on a local filesystem (the kernel
  // lists nothing of a removed directory, so its listing never asks).
  if (!on.path && dir && nodes_.KeptFile(in_.nodeid).fd) {
    struct fuse_open_out out = {};
    out.fh = reinterpret_cast<uint64_t>(new DirHandle);
    return Reply(out);
  }
  if (!on.path) return Fail(ESTALE);
  int rc = dir ? op::OpenDir(on.Path(), &on.fi) : op::Open(on.Path(), &on.fi);
  if (rc < 0) return Fail(-rc);
  // O_TRUNC by a caller without CAP_FSETID. The reply carries no attributes: the kernel's are dropped.
  // (CREATE needs none of this: the engine creates with O_EXCL, so it never truncates a file.)
  if (!dir && (arg->open_flags & FUSE_OPEN_KILL_SUIDGID)) {
    struct stat st;
    rc = op::GetAttr(on.Path(), &st, &on.fi, nullptr);
    if (rc == 0) rc = op::DropSetIds(on.Path(), &on.fi, st);
    if (rc < 0) {
      op::Release(on.Path(), &on.fi);
      return Fail(-rc);
    }
    if (rc > 0) mount_.InvalidateAttrs(on.Path());
  }
  struct fuse_open_out out = {};
  if (dir) {
    auto* dh = new DirHandle;
    dh->fh = on.fi.fh;
    out.fh = reinterpret_cast<uint64_t>(dh);
    out.open_flags = (on.fi.cache_readdir ? FOPEN_CACHE_DIR : 0) | (on.fi.keep_cache ? FOPEN_KEEP_CACHE : 0);
  } else {
    std::optional<OpenFile> file = OpenReply(in_.nodeid, on.Path(), on.fi, &out);
    if (!file) {
      op::Release(on.Path(), &on.fi);
      return Fail(ESTALE);
    }
    Prefill(mount_, in_.nodeid, on.fi, *file);
  }
  Reply(out);
}

void Served::Create() {
  const auto* arg = Arg<struct fuse_create_in>(body_, len_);
  const char* name = Name(sizeof(struct fuse_create_in));
  if (arg == nullptr || name == nullptr) return Fail(EINVAL);
  std::optional<std::string> dir = NodePath(in_.nodeid);
  if (!dir) return Fail(ESTALE);
  Request::current.umask = arg->umask;
  std::string path = Join(*dir, name);
  struct fuse_file_info fi = {};
  fi.flags = static_cast<int>(arg->flags);
  int rc = op::Create(path.c_str(), arg->mode, &fi);
  if (rc < 0) return Fail(-rc);
  Made(name, path, fi, false);
}

// O_TMPFILE. The kernel's node for the file needs a name to be served by, as one unlinked while open
// has (Hide): a hidden name in the directory that no branch holds (so none to unlink at the last
// release), until linkat(2) names the file (Link). The name the kernel sends is a placeholder.
void Served::TmpFile() {
  const auto* arg = Arg<struct fuse_create_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  std::optional<std::string> dir = NodePath(in_.nodeid);
  if (!dir) return Fail(ESTALE);
  std::optional<std::string> hidden = HiddenName(*dir, in_.nodeid);
  if (!hidden) return Fail(EBUSY);
  Request::current.umask = arg->umask;
  std::string path = Join(*dir, *hidden);
  struct fuse_file_info fi = {};
  fi.flags = static_cast<int>(arg->flags);
  int rc = op::TmpFile(path.c_str(), arg->mode, &fi);
  if (rc < 0) return Fail(-rc);
  Made(hidden->c_str(), path, fi, true);
}

void Served::Made(const char* name, const std::string& path, struct fuse_file_info& fi, bool hidden) {
  struct fuse_entry_out entry;
  int rc;
  if (!FillEntry(in_.nodeid, name, path, &fi, &entry, &rc)) {
    op::Release(path.c_str(), &fi);
    return Fail(-rc);
  }
  if (hidden) nodes_.MarkUnnamed(entry.nodeid);
  struct fuse_open_out open;
  if (!OpenReply(entry.nodeid, path.c_str(), fi, &open)) {
    op::Release(path.c_str(), &fi);
    return Fail(ESTALE);
  }
  out_.Reply(in_.unique, {Piece(entry), Piece(open)});
}

void Served::Read() {
  const auto* arg = Arg<struct fuse_read_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  OnHandle on = Handle(arg->fh);
  if (arg->offset == 0) nodes_.Unfilled(in_.nodeid);
  thread_local std::vector<char> buf;
  buf.resize(std::max<size_t>(buf.size(), arg->size));
  int n = op::Read(on.Path(), buf.data(), arg->size, static_cast<off_t>(arg->offset), &on.fi);
  if (n < 0) return Fail(-n);
  out_.Reply(in_.unique, {Piece(buf.data(), static_cast<size_t>(n))});
}

void Served::Write() {
  const auto* arg = Arg<struct fuse_write_in>(body_, len_);
  if (arg == nullptr || len_ - sizeof *arg < arg->size) return Fail(EINVAL);
  OnHandle on = Handle(arg->fh);
  on.fi.writepage = (arg->write_flags & FUSE_WRITE_CACHE) != 0;
  struct fuse_bufvec data = FUSE_BUFVEC_INIT(arg->size);
  data.buf[0].mem = const_cast<char*>(body_ + sizeof *arg);
  int n = op::WriteBuf(on.Path(), &data, static_cast<off_t>(arg->offset), &on.fi);
  if (n < 0) return Fail(-n);
  struct fuse_write_out out = {};
  out.size = static_cast<uint32_t>(n);
  Reply(out);
}

void Served::StatFs() {
  std::optional<std::string> path = NodePath(in_.nodeid);
  struct statvfs st = {};
  int rc = op::StatFs(path ? path->c_str() : "/", &st);
  if (rc < 0) return Fail(-rc);
  struct fuse_statfs_out out = {};
  out.st.blocks = st.f_blocks;
  out.st.bfree = st.f_bfree;
  out.st.bavail = st.f_bavail;
  out.st.files = st.f_files;
  out.st.ffree = st.f_ffree;
  out.st.bsize = static_cast<uint32_t>(st.f_bsize);
  out.st.namelen = static_cast<uint32_t>(st.f_namemax);
  out.st.frsize = static_cast<uint32_t>(st.f_frsize);
  Reply(out);
}

void Served::Release() {
  const auto* arg = Arg<struct fuse_release_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  OnHandle on = Handle(arg->fh, arg->flags);
  if (arg->release_flags & FUSE_RELEASE_FLUSH) op::Flush(on.Path(), &on.fi);
  bool passed_through = mount_.files().Get(on.fi.fh).passed_through;
  op::Release(on.Path(), &on.fi);
  mount_.invalidator().Released(arg->fh);
  Nodes::Release released = nodes_.Released(in_.nodeid, passed_through);
  if (released.close_backing > 0) mount_.CloseBacking(released.close_backing);
  // By the name it goes by now: one the release began with may have been hidden since (an unlink on
  // another thread that came before this release was counted, Hide), and that one is gone.
  std::optional<std::string> path = released.unlink_hidden ? NodePath(in_.nodeid) : std::nullopt;
  if (path) {
    uint64_t parent = nodes_.Find(ParentOf(*path));
    if (op::Unlink(path->c_str()) == 0 && parent != 0) nodes_.Unlinked(parent, path->substr(path->rfind('/') + 1));
  }
  Ok();
}

void Served::FSync() {
  const auto* arg = Arg<struct fuse_fsync_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  OnHandle on = Handle(arg->fh);
  Status(op::FSync(on.Path(), arg->fsync_flags & 1, &on.fi));
}

void Served::FSyncDir() {
  const auto* arg = Arg<struct fuse_fsync_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  std::optional<std::string> path = NodePath(in_.nodeid);
  Status(op::FSyncDir(path ? path->c_str() : nullptr, arg->fsync_flags & 1));
}

// Only the inode-flags commands (lsattr, chattr), which the kernel sends once it has checked the caller
// (vfs_fileattr_set: the file's owner, and CAP_LINUX_IMMUTABLE for the immutable and append-only
// flags). Any other command reaches a server straight from ioctl(2) on a union file, unchecked, and is
// refused; so is FS_IOC32_SETFLAGS, which the kernel translates for 32-bit callers and passes on
// untranslated from 64-bit ones.
void Served::Ioctl() {
  const auto* arg = Arg<struct fuse_ioctl_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  bool set = false;
  size_t size = FlagsArgSize(arg->cmd, &set);
  if (size == 0) return Fail(ENOTTY);
  if ((set ? arg->in_size : arg->out_size) != size || len_ < sizeof *arg + (set ? size : 0)) return Fail(EINVAL);
  char data[sizeof(struct fsxattr)] = {};
  if (set) memcpy(data, body_ + sizeof *arg, size);
  std::optional<std::string> path = NodePath(in_.nodeid);
  Nodes::Kept kept = path ? Nodes::Kept{} : nodes_.KeptFile(in_.nodeid);
  int rc = path      ? op::FileFlags(path->c_str(), arg->cmd, data, set)
           : kept.fd ? kept::Flags(kept, arg->cmd, data, set)
                     : -ESTALE;
  if (rc < 0) return Fail(-rc);
  struct fuse_ioctl_out out = {};
  out_.Reply(in_.unique, {Piece(out), Piece(data, set ? 0 : size)});
}

void Served::SetXattr() {
  // With FUSE_SETXATTR_EXT the argument is fuse_setxattr_in; without, the old 8 bytes: size, flags.
  const size_t arg = mount_.SetxattrExt() ? sizeof(struct fuse_setxattr_in) : FUSE_COMPAT_SETXATTR_IN_SIZE;
  const char* name = Name(arg);
  if (len_ < arg || name == nullptr) return Fail(EINVAL);
  uint32_t size, flags, setxattr_flags = 0;
  memcpy(&size, body_, 4);
  memcpy(&flags, body_ + 4, 4);
  if (mount_.SetxattrExt()) memcpy(&setxattr_flags, body_ + 8, 4);
  size_t name_len = strnlen(name, len_ - arg);
  if (arg + name_len + 1 + size > len_) return Fail(EINVAL);
  std::optional<std::string> path = NodePath(in_.nodeid);
  if (!path) {
    Nodes::Kept kept = nodes_.KeptFile(in_.nodeid);
    return Status(kept.fd ? kept::SetXattr(kept, name, name + name_len + 1, size, static_cast<int>(flags)) : -ESTALE);
  }
  int rc = op::SetXattr(path->c_str(), name, name + name_len + 1, size, static_cast<int>(flags));
  // An access ACL set by a caller outside the file's group and without CAP_FSETID drops the set-group-ID
  // bit, as posix_acl_update_mode does on a local filesystem; the branch's filesystem sees the worker.
  if (rc == 0 && (setxattr_flags & FUSE_SETXATTR_ACL_KILL_SGID)) rc = op::DropSetGid(path->c_str());
  Status(rc);
}

void Served::GetXattr(bool list) {
  const auto* arg = Arg<struct fuse_getxattr_in>(body_, len_);
  const char* name = list ? "" : Name(sizeof(struct fuse_getxattr_in));
  if (arg == nullptr || name == nullptr) return Fail(EINVAL);
  std::optional<std::string> path = NodePath(in_.nodeid);
  Nodes::Kept kept = path ? Nodes::Kept{} : nodes_.KeptFile(in_.nodeid);
  if (!path && !kept.fd) return Fail(ESTALE);
  std::vector<char> buf(arg->size);
  int rc = kept.fd ? (list ? kept::ListXattr(kept, buf.data(), arg->size)
                           : kept::GetXattr(kept, name, buf.data(), arg->size))
           : list  ? op::ListXattr(path->c_str(), buf.data(), arg->size)
                   : op::GetXattr(path->c_str(), name, buf.data(), arg->size);
  if (rc < 0) return Fail(-rc);
  if (arg->size == 0) {
    struct fuse_getxattr_out out = {};
    out.size = static_cast<uint32_t>(rc);
    return Reply(out);
  }
  out_.Reply(in_.unique, {Piece(buf.data(), static_cast<size_t>(rc))});
}

void Served::RemoveXattr() {
  const char* name = Name();
  if (name == nullptr) return Fail(EINVAL);
  std::optional<std::string> path = NodePath(in_.nodeid);
  if (!path) {
    Nodes::Kept kept = nodes_.KeptFile(in_.nodeid);
    return Status(kept.fd ? kept::RemoveXattr(kept, name) : -ESTALE);
  }
  Status(op::RemoveXattr(path->c_str(), name));
}

void Served::Flush() {
  const auto* arg = Arg<struct fuse_flush_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  OnHandle on = Handle(arg->fh);
  Status(op::Flush(on.Path(), &on.fi));
}

void Served::ReadDir(bool plus) {
  const auto* arg = Arg<struct fuse_read_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  std::vector<char> out;
  // Replied only once the handle is let go: the reply lets the caller close the directory, and the
  // RELEASEDIR that follows may free the handle on another thread at once.
  int rc = DirPage(DirOf(arg->fh), *arg, plus, &out);
  if (rc < 0) return Fail(-rc);
  out_.Reply(in_.unique, {Piece(out.data(), out.size())});
}

int Served::DirPage(DirHandle* dh, const struct fuse_read_in& arg, bool plus, std::vector<char>* out) {
  std::lock_guard<std::mutex> lock(dh->mutex);
  bool fill = arg.offset == 0 || !dh->filled;
  std::optional<std::string> path = fill || plus ? NodePath(in_.nodeid) : std::nullopt;
  if (fill) {
    if (!path) return -ESTALE;
    dh->entries.clear();
    struct fuse_file_info fi = {};
    fi.fh = dh->fh;
    int rc = op::ReadDir(path->c_str(), dh, DirHandle::Fill, 0, &fi, static_cast<enum fuse_readdir_flags>(0));
    if (rc < 0) return rc;
    dh->filled = true;
  }
  size_t head = plus ? FUSE_NAME_OFFSET_DIRENTPLUS : FUSE_NAME_OFFSET;
  out->reserve(arg.size);
  for (size_t i = arg.offset; i < dh->entries.size(); i++) {
    const DirHandle::Entry& e = dh->entries[i];
    size_t size = FUSE_DIRENT_ALIGN(head + e.name.size());
    if (out->size() + size > arg.size) break;
    size_t at = out->size();
    out->resize(at + size, 0);
    struct fuse_dirent* dirent;
    if (plus) {
      auto* entry = reinterpret_cast<struct fuse_direntplus*>(out->data() + at);
      if (path) PlusEntry(*path, e, &entry->entry_out);
      dirent = &entry->dirent;
    } else {
      dirent = reinterpret_cast<struct fuse_dirent*>(out->data() + at);
    }
    dirent->ino = e.ino;
    dirent->off = i + 1;
    dirent->namelen = static_cast<uint32_t>(e.name.size());
    dirent->type = e.type;
    memcpy(out->data() + at + head, e.name.data(), e.name.size());
  }
  return 0;
}

// READDIRPLUS hands the kernel each name's node with the listing, so walking the tree (rm -rf, find
// then open) takes no LOOKUP per name. Only what is answered without JS is handed over: node id 0 leaves
// the name for the kernel to look up as usual, and so do "." and "..".
void Served::PlusEntry(const std::string& dir, const DirHandle::Entry& e, struct fuse_entry_out* out) {
  if (e.name == "." || e.name == "..") return;
  std::string path = Join(dir, e.name.c_str());
  struct stat st;
  bool own_inode;
  if (op::GetAttrNatively(path.c_str(), &st, &own_inode) != 0) return;
  Found(in_.nodeid, e.name.c_str(), st, own_inode, out);
  mount_.counters().Count(Counters::kReaddirplus);
}

void Served::ReleaseDir() {
  const auto* arg = Arg<struct fuse_release_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  // The engine keeps nothing per open directory (its opendir handle is always 0).
  delete DirOf(arg->fh);
  Ok();
}

void Served::Access() {
  const auto* arg = Arg<struct fuse_access_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  std::optional<std::string> path = NodePath(in_.nodeid);
  if (!path) return Fail(ESTALE);
  Status(op::Access(path->c_str(), static_cast<int>(arg->mask)));
}

void Served::FAllocate() {
  const auto* arg = Arg<struct fuse_fallocate_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  OnHandle on = Handle(arg->fh);
  Status(op::FAllocate(on.Path(), static_cast<int>(arg->mode), static_cast<off_t>(arg->offset),
                       static_cast<off_t>(arg->length), &on.fi));
}

void Served::LSeek() {
  const auto* arg = Arg<struct fuse_lseek_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  OnHandle on = Handle(arg->fh);
  off_t found = op::LSeek(on.Path(), static_cast<off_t>(arg->offset), static_cast<int>(arg->whence), &on.fi);
  if (found < 0) return Fail(static_cast<int>(-found));
  struct fuse_lseek_out reply = {};
  reply.offset = static_cast<uint64_t>(found);
  Reply(reply);
}

void Served::CopyFileRange() {
  const auto* arg = Arg<struct fuse_copy_file_range_in>(body_, len_);
  if (arg == nullptr) return Fail(EINVAL);
  std::optional<std::string> out_path = NodePath(arg->nodeid_out);
  struct fuse_file_info in = {}, out = {};
  in.fh = arg->fh_in;
  out.fh = arg->fh_out;
  ssize_t n = op::CopyFileRange(nullptr, &in, static_cast<off_t>(arg->off_in), out_path ? out_path->c_str() : nullptr,
                                &out, static_cast<off_t>(arg->off_out), arg->len, static_cast<int>(arg->flags));
  if (n < 0) return Fail(static_cast<int>(-n));
  struct fuse_write_out reply = {};
  reply.size = static_cast<uint32_t>(n);
  Reply(reply);
}

bool Served::Run() {
  switch (in_.opcode) {
    case FUSE_INIT:
      Init();
      break;
    case FUSE_DESTROY:
      Ok();
      return false;
    case FUSE_LOOKUP:
      Lookup();
      break;
    // No reply to these three.
    case FUSE_FORGET:
      Forget();
      break;
    case FUSE_BATCH_FORGET:
      BatchForget();
      break;
    case FUSE_INTERRUPT:
      break;
    case FUSE_GETATTR:
      GetAttr();
      break;
    case FUSE_SETATTR:
      SetAttr();
      break;
    case FUSE_READLINK:
      ReadLink();
      break;
    case FUSE_SYMLINK:
      SymLink();
      break;
    case FUSE_MKNOD:
      Make(MkNodAt);
      break;
    case FUSE_MKDIR:
      Make(MkDirAt);
      break;
    case FUSE_UNLINK:
      Unlink(false);
      break;
    case FUSE_RMDIR:
      Unlink(true);
      break;
    case FUSE_RENAME: {
      const auto* arg = Arg<struct fuse_rename_in>(body_, len_);
      if (arg == nullptr) return Fail(EINVAL), true;
      Rename(0, arg->newdir, sizeof *arg);
      break;
    }
    case FUSE_RENAME2: {
      const auto* arg = Arg<struct fuse_rename2_in>(body_, len_);
      if (arg == nullptr) return Fail(EINVAL), true;
      Rename(arg->flags, arg->newdir, sizeof *arg);
      break;
    }
    case FUSE_LINK:
      Link();
      break;
    case FUSE_OPEN:
      Open(false);
      break;
    case FUSE_CREATE:
      Create();
      break;
    case FUSE_TMPFILE:
      TmpFile();
      break;
    case FUSE_READ:
      Read();
      break;
    case FUSE_WRITE:
      Write();
      break;
    case FUSE_STATFS:
      StatFs();
      break;
    case FUSE_RELEASE:
      Release();
      break;
    case FUSE_FSYNC:
      FSync();
      break;
    case FUSE_SETXATTR:
      SetXattr();
      break;
    case FUSE_GETXATTR:
      GetXattr(false);
      break;
    case FUSE_LISTXATTR:
      GetXattr(true);
      break;
    case FUSE_REMOVEXATTR:
      RemoveXattr();
      break;
    case FUSE_FLUSH:
      Flush();
      break;
    case FUSE_OPENDIR:
      Open(true);
      break;
    case FUSE_READDIR:
      ReadDir(false);
      break;
    case FUSE_READDIRPLUS:
      ReadDir(true);
      break;
    case FUSE_RELEASEDIR:
      ReleaseDir();
      break;
    case FUSE_FSYNCDIR:
      FSyncDir();
      break;
    case FUSE_IOCTL:
      Ioctl();
      break;
    case FUSE_ACCESS:
      Access();
      break;
    case FUSE_FALLOCATE:
      FAllocate();
      break;
    case FUSE_COPY_FILE_RANGE:
      CopyFileRange();
      break;
    case FUSE_LSEEK:
      LSeek();
      break;
    // The answer to a notification this binding never sends.
    case FUSE_NOTIFY_REPLY:
      break;
    // Everything else (locks, poll, statx, ...): the kernel falls back to
    // its own behaviour, and remembers not to ask again for most of them.
    default:
      Fail(ENOSYS);
      break;
  }
  return true;
}

}  // namespace

size_t RequestBufferSize(const ServeConfig& config) {
  return std::max<size_t>(FUSE_MIN_READ_BUFFER,
                          sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in) + config.max_write + 4096);
}

bool Serve(Mount& mount, const ReplyTo& out, char* buf, size_t len) {
  if (len < sizeof(struct fuse_in_header)) return true;
  const auto* in = reinterpret_cast<const struct fuse_in_header*>(buf);
  Request::current = Request{&mount, in->opcode, in->uid, in->gid, static_cast<pid_t>(in->pid), 0, {}};
  bool go_on = Served(mount, out, *in, buf + sizeof *in, len - sizeof *in).Run();
  out.AfterReply(std::move(Request::current.after_reply));
  Request::current = Request{};
  return go_on;
}

}  // namespace strata
