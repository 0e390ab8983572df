// Calls answering with stat data, in one layout (kSlots per stat: stat_slots.h).
//
// lstatBatch: many lstat(2)s (and statvfs(3)s of branch roots) in ONE pool job. The union asks about
// a handful of paths per op (the name, its whiteout, opaque markers, on every branch); one pool round
// trip costs far more than a cached lstat, so asking them one by one spent the op waiting on hops.
// A path may name an earlier one that must be a directory for it to be asked at all: a walk down a
// branch then never looks through a symlink (an lstat of "link/x" follows it, maybe into an automount
// or a dead NFS server) nor asks below what is missing.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "anchor.h"
#include "args.h"
#include "caller_umask.h"
#include "methods.h"
#include "promise_work.h"
#include "stat_slots.h"

namespace strata {
namespace {

// Per path, one stat in stat_slots.h's layout.
constexpr size_t kSlots = kStatSlots;

struct Batch {
  std::vector<int32_t> roots;  // per path: its branch root's descriptor
  std::vector<std::string> paths;
  std::vector<int32_t> within;  // per path: index of the directory it is in, or -1
  std::vector<int32_t> vfsRoots;
  std::vector<int64_t> stats;  // paths.size() * kSlots
  std::vector<struct statvfs> vfs;
  std::vector<int> vfsErr;
};

// The parent directories one batch opened, by (root, parent path): the names an op asks about sit in
// a few directories, so N names in one directory cost one openat2.
class Parents {
 public:
  void Lstat(int root, const std::string& rel, int64_t* out) {
    // A branch whose root could not be opened (a draft's preview) holds nothing.
    if (root < 0) {
      out[0] = ENOENT;
      return;
    }
    size_t slash = rel.find_last_of('/');
    std::string dir = slash == std::string::npos ? "" : rel.substr(0, slash);
    std::string leaf = slash == std::string::npos ? rel : rel.substr(slash + 1);
    bool isRoot = leaf.empty() && dir.find_first_not_of('/') == std::string::npos;
    if (!isRoot && (leaf.empty() || leaf == "." || leaf == "..")) {
      out[0] = EINVAL;
      return;
    }
    auto it = open_.find({root, dir});
    if (it == open_.end()) {
      Entry e;
      e.err = OpenParent(root, rel, &e.opened);
      it = open_.emplace(std::make_pair(root, dir), std::move(e)).first;
    }
    if (it->second.err != 0) {
      out[0] = it->second.err;
      return;
    }
    struct stat st;
    if (fstatat(it->second.opened.dir, isRoot ? "." : leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      out[0] = errno;
    else
      FillStatSlots(st, out);
  }

 private:
  struct Entry {
    Parent opened;
    int err = 0;  // of opening it
  };
  std::map<std::pair<int, std::string>, Entry> open_;
};

Napi::Value StatArray(Napi::Env env, const int64_t* stats, size_t count) {
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, count * kSlots * sizeof(int64_t));
  if (count > 0) std::copy(stats, stats + count * kSlots, static_cast<int64_t*>(buffer.Data()));
  return Napi::TypedArrayOf<int64_t>::New(env, count * kSlots, buffer, 0, napi_bigint64_array);
}

Napi::Object VfsObject(Napi::Env env, const struct statvfs& v) {
  auto big = [&](uint64_t n) { return Napi::BigInt::New(env, n); };
  Napi::Object o = Napi::Object::New(env);
  o.Set("bsize", Napi::Number::New(env, v.f_bsize));
  o.Set("frsize", Napi::Number::New(env, v.f_frsize));
  o.Set("blocks", big(v.f_blocks));
  o.Set("bfree", big(v.f_bfree));
  o.Set("bavail", big(v.f_bavail));
  o.Set("files", big(v.f_files));
  o.Set("ffree", big(v.f_ffree));
  o.Set("favail", big(v.f_favail));
  o.Set("fsid", big(v.f_fsid));
  o.Set("flag", Napi::Number::New(env, v.f_flag));
  o.Set("namemax", Napi::Number::New(env, v.f_namemax));
  return o;
}

// Each entry -1 or the index of an earlier path.
std::vector<int32_t> WithinArg(const Napi::CallbackInfo& info, size_t i, size_t count) {
  std::vector<int32_t> out;
  if (info[i].IsUndefined()) return out;
  auto invalid = [&] {
    Napi::TypeError error =
        Napi::TypeError::New(info.Env(), "The \"within\" argument must be an array of -1 or indexes of earlier paths");
    error.Set("code", Napi::String::New(info.Env(), "ERR_INVALID_ARG_TYPE"));
    throw error;
  };
  if (!info[i].IsArray()) invalid();
  Napi::Array list = info[i].As<Napi::Array>();
  if (list.Length() > count) invalid();
  for (uint32_t k = 0; k < list.Length(); k++) {
    Napi::Value v = list[k];
    if (!v.IsNumber()) invalid();
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != -1 && !(d >= 0 && d < k && d == static_cast<int32_t>(d))) invalid();
    out.push_back(static_cast<int32_t>(d));
  }
  return out;
}

}  // namespace

// lstatBatch(roots, paths, within?, vfsRoots?) → { stats: BigInt64Array, errors: (Error | undefined)[] | undefined,
// vfs: (Statvfs | Error)[] } Never rejects for a failed lstat: each path carries its own errno, and `errors` holds a
// Node-style Error for every failure other than ENOENT/ENOTDIR (which mean "not there"), for the caller to throw if
// (and only if) it needs that answer.
Napi::Value LstatBatch(const Napi::CallbackInfo& info) {
  auto batch = std::make_shared<Batch>();
  batch->roots = IntListArg(info, 0, "roots");
  batch->paths = PathListArg(info, 1, "paths");
  if (batch->roots.size() != batch->paths.size()) {
    Napi::TypeError error =
        Napi::TypeError::New(info.Env(), "The \"roots\" and \"paths\" arguments must have the same length");
    error.Set("code", Napi::String::New(info.Env(), "ERR_INVALID_ARG_TYPE"));
    throw error;
  }
  batch->within = WithinArg(info, 2, batch->paths.size());
  batch->vfsRoots = IntListArg(info, 3, "vfsRoots");
  return PromiseWork::Queue(
      info.Env(), {"lstat", "", ""},
      [=] {
        Batch& b = *batch;
        Parents parents;
        b.stats.assign(b.paths.size() * kSlots, 0);
        for (size_t k = 0; k < b.paths.size(); k++) {
          int32_t in = k < b.within.size() ? b.within[k] : -1;
          if (in < 0) {
            parents.Lstat(b.roots[k], b.paths[k], &b.stats[k * kSlots]);
            continue;
          }
          // Not asked: answered as the kernel would, ENOENT below a missing entry, ENOTDIR below a
          // non-directory (below one that failed otherwise, ENOENT: reading that one throws first).
          const int64_t* dir = &b.stats[in * kSlots];
          if (dir[0] != 0)
            b.stats[k * kSlots] = dir[0] == ENOTDIR ? ENOTDIR : ENOENT;
          else if (!S_ISDIR(dir[3]))
            b.stats[k * kSlots] = ENOTDIR;
          else
            parents.Lstat(b.roots[k], b.paths[k], &b.stats[k * kSlots]);
        }
        b.vfs.resize(b.vfsRoots.size());
        b.vfsErr.assign(b.vfsRoots.size(), 0);
        for (size_t k = 0; k < b.vfsRoots.size(); k++) {
          if (fstatvfs(b.vfsRoots[k], &b.vfs[k]) < 0) b.vfsErr[k] = errno;
        }
        return 0;
      },
      [=](Napi::Env env) -> Napi::Value {
        const Batch& b = *batch;
        size_t n = b.paths.size();
        Napi::Object out = Napi::Object::New(env);
        out.Set("stats", StatArray(env, b.stats.data(), n));
        Napi::Value errors = env.Undefined();
        for (size_t k = 0; k < n; k++) {
          int err = static_cast<int>(b.stats[k * kSlots]);
          if (err == 0 || err == ENOENT || err == ENOTDIR) continue;
          if (errors.IsUndefined()) errors = Napi::Array::New(env, n);
          errors.As<Napi::Array>().Set(static_cast<uint32_t>(k),
                                       ErrnoError(env, err, {"lstat", b.paths[k], ""}).Value());
        }
        out.Set("errors", errors);
        Napi::Array vfs = Napi::Array::New(env, b.vfsRoots.size());
        for (size_t k = 0; k < b.vfsRoots.size(); k++) {
          vfs.Set(static_cast<uint32_t>(k), b.vfsErr[k] ? ErrnoError(env, b.vfsErr[k], {"fstatvfs", "", ""}).Value()
                                                        : static_cast<Napi::Value>(VfsObject(env, b.vfs[k])));
        }
        out.Set("vfs", vfs);
        return out;
      });
}

// openStat(root, rel, flags, mode, uid, gid) → { fd, stat: BigInt64Array }: open of rel beneath root
// (close-on-exec, as Node's fs.open; never through a symlink, the leaf included), then fchown(2) when uid or gid is not
// -1, then fstat(2), in one pool job: a new file is made, given to its caller and described for the kernel with one
// wait instead of three. If the chown or fstat fails the descriptor is closed and the call rejects with that step's
// error.
Napi::Value OpenStat(const Napi::CallbackInfo& info) {
  Anchor at = AnchorArg(info, 0);
  int flags = IntArg(info, 2, "flags");
  mode_t mode = UintArg(info, 3, "mode"), mask = UmaskArg(info, 6);
  int32_t uid = IntArg(info, 4, "uid"), gid = IntArg(info, 5, "gid");
  struct Out {
    int fd = -1;
    int err = 0;
    const char* failed = "open";
    int64_t stat[kSlots] = {};
  };
  auto out = std::make_shared<Out>();
  return PromiseWork::Queue(
      info.Env(), {"open", at.rel, ""},
      [=] {
        // Failures are reported by the result step, which knows which syscall failed.
        {
          CallerUmask as(mask);
          out->fd = OpenBeneath(at.root, at.rel, flags | O_NOFOLLOW, as.Mode(mode));
        }
        if (out->fd < 0) {
          out->err = errno;
          return 0;
        }
        struct stat st;
        if ((uid != -1 || gid != -1) && fchown(out->fd, uid, gid) < 0)
          out->err = errno, out->failed = "fchown";
        else if (fstat(out->fd, &st) < 0)
          out->err = errno, out->failed = "fstat";
        else
          FillStatSlots(st, out->stat);
        if (out->err != 0) {
          close(out->fd);
          out->fd = -1;
        }
        return 0;
      },
      [=](Napi::Env env) -> Napi::Value {
        if (out->err != 0) throw ErrnoError(env, out->err, {out->failed, at.rel, ""});
        Napi::Object o = Napi::Object::New(env);
        o.Set("fd", Napi::Number::New(env, out->fd));
        o.Set("stat", StatArray(env, out->stat, 1));
        return o;
      });
}

Napi::Value Statvfs(const Napi::CallbackInfo& info) {
  int root = IntArg(info, 0, "root");
  auto st = std::make_shared<struct statvfs>();
  return PromiseWork::Queue(
      info.Env(), {"fstatvfs", "", ""}, [=] { return fstatvfs(root, st.get()) < 0 ? errno : 0; },
      [=](Napi::Env env) { return VfsObject(env, *st); });
}

}  // namespace strata
