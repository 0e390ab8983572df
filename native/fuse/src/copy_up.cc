#include "copy_up.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "beneath.h"
#include "call.h"
#include "caller_flags.h"
#include "convert.h"
#include "copy_rules.h"
#include "inode_flags.h"
#include "link_unnamed.h"
#include "mount.h"
#include "new_names.h"
#include "op_support.h"
#include "write_behind.h"

namespace strata {

namespace {

// Per copy_file_range call, as copyData.ts: a chunk a slow disk writes back well within the 5 s after
// which a request standing still reads as hung (write_behind.h). The read/write fallback goes by the buffer.
constexpr off_t kKernelChunk = 4 << 20;
constexpr size_t kBufferSize = 1 << 20;

// Copies [start, end) at the same offsets; switches to read/write for good on the first refusal.
bool CopyRange(int from, int to, off_t start, off_t end, bool* in_kernel, std::vector<char>* buffer,
               WriteBehindQueue* behind) {
  for (off_t pos = start; pos < end;) {
    size_t want = static_cast<size_t>(std::min(end - pos, kKernelChunk));
    ssize_t n;
    if (*in_kernel) {
      loff_t in = pos, out = pos;
      n = copy_file_range(from, &in, to, &out, want, 0);
      if (n < 0 && CopyGoesOn(CopyStep::kCopyFileRange, errno)) {
        *in_kernel = false;
        continue;
      }
    } else {
      if (buffer->empty()) buffer->resize(kBufferSize);
      n = pread(from, buffer->data(), std::min(want, buffer->size()), pos);
      for (ssize_t done = 0; n > 0 && done < n;) {
        ssize_t wrote = pwrite(to, buffer->data() + done, n - done, pos + done);
        if (wrote < 0 && errno != EINTR) return false;
        if (wrote > 0) done += wrote;
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    // End of file before `end`: the source shrank while being copied; the rest reads as zeros.
    if (n == 0) return true;
    if (behind->Copied(to, pos, n) != 0) return false;
    pos += n;
    InFlight::Progressed();
  }
  return true;
}

// The first `length` bytes of `from` into the empty `to`, only the data extents, so holes stay holes.
bool CopyData(int from, int to, off_t length) {
  bool in_kernel = true;
  std::vector<char> buffer;
  WriteBehindQueue behind;
  for (off_t pos = 0; pos < length;) {
    off_t start = lseek(from, pos, SEEK_DATA);
    if (start < 0 && errno == ENXIO) break;  // no data from pos on
    if (start < 0) {
      if (!CopyGoesOn(CopyStep::kSeekData, errno) || !CopyRange(from, to, pos, length, &in_kernel, &buffer, &behind))
        return false;
      break;
    }
    if (start >= length) break;
    off_t hole = lseek(from, start, SEEK_HOLE);
    if (hole < 0) return false;
    off_t end = std::min(hole, length);
    if (!CopyRange(from, to, start, end, &in_kernel, &buffer, &behind)) return false;
    pos = end;
  }
  return behind.Drain(to, [] { InFlight::Progressed(); }) == 0 && ftruncate(to, length) == 0;
}

// A whole attribute list or value: asked for its size first, again if it grew meanwhile. -1 with errno.
template <typename Get>
ssize_t ReadAll(Get get, std::vector<char>* out) {
  for (;;) {
    ssize_t size = get(nullptr, 0);
    if (size <= 0) return size;
    out->resize(size);
    ssize_t n = get(out->data(), out->size());
    if (n >= 0 || errno != ERANGE) return n;
  }
}

// Every xattr the source lists, read and set through the calls given: a file's descriptors, or a
// symlink's /proc/self/fd paths (CopyLinkXattrs).
template <typename List, typename Get, typename Set>
bool CopyXattrsBy(List list, Get get, Set set) {
  std::vector<char> names, value;
  ssize_t listed = ReadAll(list, &names);
  if (listed < 0) return CopyGoesOn(CopyStep::kListXattrs, errno);
  for (ssize_t at = 0; at < listed; at += strlen(names.data() + at) + 1) {
    const char* name = names.data() + at;
    ssize_t n = ReadAll([&](char* buf, size_t size) { return get(name, buf, size); }, &value);
    if (n < 0) {
      if (CopyGoesOn(CopyStep::kGetXattr, errno)) continue;
      return false;
    }
    if (set(name, value.data(), n) != 0 && !CopyGoesOn(CopyStep::kSetXattr, errno)) return false;
  }
  return true;
}

bool CopyXattrs(int from, int to) {
  return CopyXattrsBy(
      [&](char* buf, size_t size) { return flistxattr(from, buf, size); },
      [&](const char* name, char* buf, size_t size) { return fgetxattr(from, name, buf, size); },
      [&](const char* name, const char* value, size_t size) { return fsetxattr(to, name, value, size, 0); });
}

// A symlink's xattrs (trusted.*, security.*: user.* is refused on symlinks), between O_PATH descriptors of
// two links: the f* calls refuse those, and a /proc/self/fd link leads to the symlink itself.
bool CopyLinkXattrs(int from, int to) {
  std::string src = "/proc/self/fd/" + std::to_string(from), dst = "/proc/self/fd/" + std::to_string(to);
  return CopyXattrsBy(
      [&](char* buf, size_t size) { return listxattr(src.c_str(), buf, size); },
      [&](const char* name, char* buf, size_t size) { return getxattr(src.c_str(), name, buf, size); },
      [&](const char* name, const char* value, size_t size) { return setxattr(dst.c_str(), name, value, size, 0); });
}

// Owner, xattrs, mode, inode flags, then times: copyMeta.ts says why in that order.
bool CopyMeta(int from, const struct stat& st, int to) {
  mode_t mode = st.st_mode & 07777;
  if (fchown(to, st.st_uid, st.st_gid) != 0) {
    if (!CopyGoesOn(CopyStep::kChown, errno)) return false;
    mode &= ~(S_ISUID | S_ISGID);
  }
  if (!CopyXattrs(from, to) || fchmod(to, mode) != 0) return false;
  int flags = CarryFlags(InodeFlags(from), to);
  if (flags != 0 && !CopyGoesOn(CopyStep::kFlags, flags)) {
    errno = flags;
    return false;
  }
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  return futimens(to, times) == 0;
}

// A default ACL would be inherited by the unnamed copy made in the directory (or unsure whether one is).
bool HasDefaultAcl(int dir) {
  return fgetxattr(dir, "system.posix_acl_default", nullptr, 0) >= 0 || (errno != ENODATA && errno != EOPNOTSUPP);
}

// A copy-up is not a change the user made: the target directory's atime and mtime stay as they were
// before the first of the copy-ups running into it, which the last one puts back (parentTimes.ts).
class KeptTimes {
 public:
  // The times are read under the lock: read before it, they could be those a copy-up finishing
  // meanwhile had just stamped and was about to put back.
  explicit KeptTimes(int dir) : dir_(dir) {
    std::lock_guard<std::mutex> lock(Mutex());
    struct stat st;
    if (fstat(dir, &st) != 0) return;
    key_ = {st.st_dev, st.st_ino};
    Held& held = Table()[key_];
    if (held.users++ == 0) held.times[0] = st.st_atim, held.times[1] = st.st_mtim;
    kept_ = true;
  }
  // Failures are ignored: by now the copy-up succeeded or failed on its own merits.
  ~KeptTimes() {
    if (!kept_) return;
    std::lock_guard<std::mutex> lock(Mutex());
    auto it = Table().find(key_);
    if (--it->second.users > 0) return;
    futimens(dir_, it->second.times);
    Table().erase(it);
  }
  KeptTimes(const KeptTimes&) = delete;
  KeptTimes& operator=(const KeptTimes&) = delete;

 private:
  struct Held {
    int users = 0;
    struct timespec times[2];
  };
  using Key = std::pair<dev_t, ino_t>;
  static std::mutex& Mutex() {
    static std::mutex mutex;
    return mutex;
  }
  static std::map<Key, Held>& Table() {
    static std::map<Key, Held> table;
    return table;
  }

  int dir_;
  Key key_;
  bool kept_ = false;
};

// Every handle kept here that is open on the old copy of `path` (`old`), reopened on the new copy
// (`name` in `dir`) with its own access mode and swapped in behind its descriptor number. All reopen
// before the first swap, so a failed one (EMFILE) leaves every handle where it was (repointHandles.ts):
// false then.
bool RepointKept(OpenFiles& files, const std::string& path, const struct stat& old, int dir, const std::string& name,
                 int root) {
  std::vector<std::pair<uint64_t, Fd>> moving;
  for (const OwnedFile& kept : files.Owned()) {
    struct stat st;
    if (kept.path != path || fstat(kept.file.fd, &st) != 0 || st.st_dev != old.st_dev || st.st_ino != old.st_ino)
      continue;
    Fd fd(OpenForCaller(dir, name.c_str(), kept.file.flags & ~O_TRUNC, O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) return false;
    moving.emplace_back(kept.fh, std::move(fd));
  }
  for (auto& [fh, fd] : moving) files.Repoint(fh, fd.get(), root);
  return true;
}

// The union's work directory on a branch (a path below its root), made if missing, as WorkDirs.makeDir
// makes it.
Fd OpenWorkDir(int root, const std::string& dir) {
  Fd work(OpenBeneath(root, dir, O_RDONLY | O_DIRECTORY));
  if (work.get() >= 0 || errno != ENOENT) return work;
  for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
    Parent at;
    if (OpenParent(root, dir.substr(0, end), &at) != 0) return Fd();
    if (mkdirat(at.dir, at.leaf.c_str(), 0700) != 0 && errno != EEXIST) return Fd();
    if (end == std::string::npos) break;
  }
  return Fd(OpenBeneath(root, dir, O_RDONLY | O_DIRECTORY));
}

// As workDirs.ts names its temp entries: the prefix and 8 random bytes in hex.
std::string TempName(const std::string& prefix) {
  unsigned char bytes[8] = {};
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    static std::atomic<uint64_t> counter{0};
    uint64_t fallback = (static_cast<uint64_t>(getpid()) << 32) ^ counter++;
    memcpy(bytes, &fallback, sizeof bytes);
  }
  std::string out = prefix;
  for (unsigned char b : bytes) {
    out += "0123456789abcdef"[b >> 4];
    out += "0123456789abcdef"[b & 15];
  }
  return out;
}

// The copy `made` of `path` (`st`, the copy served before) inherits its union inode number, counts, and
// the engine learns of it: JS moves the handles it holds (it held none of this path a moment ago) and
// the number, which nothing asked of JS later may miss, but nothing waits on now. Kept handles that
// could not be moved here (`moved` false) are JS's to move at once.
void Adopt(const std::string& path, const struct stat& st, const struct stat& made, int root, bool moved) {
  Mount& mount = Mount::Current();
  mount.dirs().Number(made.st_dev, made.st_ino, mount.dirs().NumberFor(st.st_dev, st.st_ino));
  mount.counters().Count(Counters::kCopyup);
  (moved ? Call::Hold : Call::Post)(mount, "copiedUp", path,
                                    [st, made, root, moved](Napi::Env env, std::vector<napi_value>& a) {
                                      a.push_back(FromU64(env, st.st_dev));
                                      a.push_back(FromU64(env, st.st_ino));
                                      a.push_back(FromU64(env, made.st_dev));
                                      a.push_back(FromU64(env, made.st_ino));
                                      a.push_back(Napi::Number::New(env, root));
                                      a.push_back(Napi::Boolean::New(env, moved));
                                    });
}

// A symlink's copy-up into `at` (CopyupDir's pick, on `root`), as copyNode.ts builds one: a symlink has
// no unnamed form, so it is made under a temp name in the union's work directory there, given the
// link's owner, xattrs and times (a symlink has no mode of its own), then renamed into place.
bool CopyLinkUp(const std::string& path, const DirAttrs::Served& served, int at, int root, CopiedUp* out) {
  std::string work_dir, temp_prefix;
  if (!Mount::Current().branch_modes().WorkOn(root, &work_dir, &temp_prefix)) return false;
  Fd from(openat(served.dir, served.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  Fd dir(openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  Fd work(OpenWorkDir(root, work_dir));
  struct stat st, dir_st, work_st;
  if (from.get() < 0 || fstat(from.get(), &st) != 0 || !S_ISLNK(st.st_mode) || st.st_nlink != 1 ||
      st.st_dev != served.st.st_dev || st.st_ino != served.st.st_ino || dir.get() < 0 || work.get() < 0 ||
      fstat(dir.get(), &dir_st) != 0 || fstat(work.get(), &work_st) != 0 || dir_st.st_dev != work_st.st_dev)
    return false;
  char target[PATH_MAX + 1];
  ssize_t n = readlinkat(from.get(), "", target, PATH_MAX);
  if (n < 0) return false;
  target[n] = '\0';
  std::string temp = TempName(temp_prefix);
  if (symlinkat(target, work.get(), temp.c_str()) != 0) return false;
  Fd copy(openat(work.get(), temp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  struct stat made;
  bool placed;
  {
    KeptTimes kept(dir.get());
    bool owned = fchownat(work.get(), temp.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) == 0 ||
                 CopyGoesOn(CopyStep::kChown, errno);
    placed = copy.get() >= 0 && owned && CopyLinkXattrs(from.get(), copy.get()) &&
             utimensat(work.get(), temp.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0 && fstat(copy.get(), &made) == 0 &&
             renameat2(work.get(), temp.c_str(), dir.get(), served.name.c_str(), RENAME_NOREPLACE) == 0;
  }
  if (!placed) {
    unlinkat(work.get(), temp.c_str(), 0);
    return false;
  }
  Adopt(path, st, made, root, true);
  out->dir = at;
  out->root = root;
  out->st = made;
  return true;
}

}  // namespace

DirLayers MakeDirCopy(const std::string& dir, const DirLayers& copies, int root) {
  Mount& mount = Mount::Current();
  std::string work_dir, temp_prefix;
  std::string name = dir.substr(dir.rfind('/') + 1);
  if (copies.empty() || dir == "/" || !mount.branch_modes().WorkOn(root, &work_dir, &temp_prefix)) return {};
  const std::string parent = ParentOf(dir);
  Fd above(OpenBeneath(root, parent, O_RDONLY | O_DIRECTORY));
  // Its own parent missing there too is made first, the same way, from the copies the union shows of it,
  // and so on up to the nearest ancestor the branch holds, as cloneDirs.ts makes the chain.
  if (above.get() < 0 && errno == ENOENT && parent != "/") {
    if (MakeDirCopy(parent, mount.dirs().Copies(parent), root).empty()) return {};
    above = Fd(OpenBeneath(root, parent, O_RDONLY | O_DIRECTORY));
  }
  if (above.get() < 0) return {};
  struct stat st;
  if (fstatat(above.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) return {};
  if (CanWhiteout(name) &&
      (fstatat(above.get(), WhiteoutOf(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT))
    return {};
  int top = copies[0]->Open();
  Fd from(top < 0 ? -1 : openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat src, work_st, above_st;
  if (from.get() < 0 || fstat(from.get(), &src) != 0 || !S_ISDIR(src.st_mode)) return {};
  Fd work(OpenWorkDir(root, work_dir));
  if (work.get() < 0 || fstat(work.get(), &work_st) != 0 || fstat(above.get(), &above_st) != 0 ||
      work_st.st_dev != above_st.st_dev)
    return {};
  std::string temp = TempName(temp_prefix);
  if (mkdirat(work.get(), temp.c_str(), 0700) != 0) return {};
  Fd made(openat(work.get(), temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat now;
  bool placed;
  {
    KeptTimes kept(above.get());
    op::MarkOwnChange(dir.c_str());
    placed = made.get() >= 0 && CopyMeta(from.get(), src, made.get()) && fstat(made.get(), &now) == 0 &&
             renameat2(work.get(), temp.c_str(), above.get(), name.c_str(), RENAME_NOREPLACE) == 0;
  }
  if (!placed) {
    unlinkat(work.get(), temp.c_str(), AT_REMOVEDIR);
    return {};
  }
  mount.dirs().Number(now.st_dev, now.st_ino, mount.dirs().NumberFor(src.st_dev, src.st_ino));
  // In branch order: the copy may be made below one the union merges (a mergerfs policy's pick).
  std::vector<BranchModes::Ordered> order = mount.branch_modes().Order();
  int place = IndexOf(order, root);
  DirLayers out = copies;
  auto below = std::find_if(out.begin(), out.end(), [&](const auto& l) { return IndexOf(order, l->root()) > place; });
  out.insert(below, std::make_shared<DirLayer>(root, dir));
  mount.invalidator().Watch(dir, out);
  mount.dirs().Grow(dir, out);
  // Held, as a copy-up's copiedUp: anything asked of JS later goes after it.
  Call::Hold(mount, "grewDir", dir,
             [root](Napi::Env env, std::vector<napi_value>& a) { a.push_back(Napi::Number::New(env, root)); });
  return out;
}

bool CopyDirUpNatively(const std::string& path, const DirAttrs::Served& served, CopiedUp* out) {
  Mount& mount = Mount::Current();
  DirLayers copies = mount.dirs().Copies(path);
  if (copies.empty() || copies[0]->root() != served.root) return false;
  // An immutable or append-only directory is the engine's to refuse (inode_flags.h).
  int top = copies[0]->Open();
  Fd from(top < 0 ? -1 : openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (from.get() < 0 || (InodeFlags(from.get()) & kUnchangeableFlags)) return false;
  int root = -1;
  out->layers = served.layers;
  int at = CopyupDir(path, out->layers, served.root, &root);
  if (at < 0 || MakeDirCopy(path, copies, root).empty()) return false;
  struct stat made;
  if (fstatat(at, served.name.c_str(), &made, AT_SYMLINK_NOFOLLOW) != 0) return false;
  mount.counters().Count(Counters::kCopyup);
  out->dir = at;
  out->root = root;
  out->st = made;
  return true;
}

bool CopyUpNatively(const std::string& path, const DirAttrs::Served& served, bool truncate, CopiedUp* out) {
  Mount& mount = Mount::Current();
  // An immutable or append-only file is the engine's to refuse (inode_flags.h), before its parent is
  // copied: the kernel asks its flags first.
  if (served.st.st_nlink != 1 || mount.files().EngineHolds(path) ||
      (S_ISREG(served.st.st_mode) && UnchangeableAt(served.dir, served.name.c_str())))
    return false;
  int root = -1;
  out->layers = served.layers;
  int at = CopyupDir(path, out->layers, served.root, &root);
  if (at < 0) return false;
  if (S_ISLNK(served.st.st_mode)) return CopyLinkUp(path, served, at, root, out);
  Fd dir(openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || HasDefaultAcl(dir.get())) return false;
  // O_NONBLOCK: a FIFO swapped in since the lookup must not block the open (nor is it copied).
  Fd from(openat(served.dir, served.name.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (from.get() < 0 || fstat(from.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
      st.st_dev != served.st.st_dev || st.st_ino != served.st.st_ino)
    return false;
  struct stat made;
  {
    KeptTimes kept(dir.get());
    Fd copy(openat(dir.get(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (copy.get() < 0 || !CopyData(from.get(), copy.get(), truncate ? 0 : st.st_size) ||
        !CopyMeta(from.get(), st, copy.get()) || (!truncate && fsync(copy.get()) != 0) || fstat(copy.get(), &made) != 0)
      return false;
    // The union takes the events of its own changes for its own for a second from when it marks them
    // (invalidator.h), and the fsync may have kept a slow or busy disk longer: the name, and its
    // directory's times put back, change from here.
    op::MarkOwnChange(path.c_str());
    if (LinkUnnamed(copy.get(), dir.get(), served.name.c_str()) != 0) return false;
  }
  Adopt(path, st, made, root, RepointKept(mount.files(), path, st, dir.get(), served.name, root));
  out->dir = at;
  out->root = root;
  out->st = made;
  return true;
}

}  // namespace strata
