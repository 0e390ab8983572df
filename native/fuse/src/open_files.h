// The file handles open on a mount, with the branch descriptor the ops handed over (OpenedHandle.fd)
// when they did: reads and writes on those run as pread/pwrite on the FUSE thread, without JS, and so
// does getattr on the handle when the ops also gave the union's inode number for it, and attribute
// changes when the ops said the file's branch takes them.
// Also tells file handles apart from directory ones: on a directory's fchmod/fchown/futimens libfuse
// passes its own internal handle, which must not reach the ops as an fh.
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace strata {

struct OpenFile {
  static constexpr int kServedByJs = -1;
  static constexpr uint64_t kNoIno = 0;
  int fd = kServedByJs;
  uint64_t ino = kNoIno;
  bool attrs = false;           // attribute changes on the handle may run on fd (DirectHandle.attrs)
  bool passed_through = false;  // the kernel does its reads and writes (FUSE passthrough)
  uint64_t node = 0;            // the kernel's node it was opened on, once the open is answered
  // A hard link on a branch the union copies up from: a copy-up parts this name from its other names
  // and gives it a number of its own (nodes.h), so its number is that of whichever copy `fd` is on.
  bool numbered_by_fd = false;
  // Opened by a FUSE thread and kept here, never handed to the engine, which asks this table for it
  // instead (Owned, Repoint): closed here at release.
  bool owned = false;
  int root = -1;         // owned: the branch root it was opened beneath
  int flags = 0;         // owned: the open's flags
  double opened_at = 0;  // owned: ms since the epoch
  int64_t size = -1;     // owned: the file's size when opened
};

// An owned handle as the engine sees it (ResolvedDirs.handles).
struct OwnedFile {
  uint64_t fh;
  OpenFile file;
  std::string path;
};

class OpenFiles {
 public:
  // `path`: where the handle was opened; attribute-capable handles are also found by it.
  void Add(uint64_t fh, OpenFile file, const std::string& path) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    files_[fh] = file;
    if (file.attrs) by_path_[path] = fh;
    paths_[fh] = path;
    if (file.owned) owned_++;
  }
  // The handle as it was; an owned one's descriptor is the caller's to close, which no Repoint can
  // reach any more.
  OpenFile Remove(uint64_t fh) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = files_.find(fh);
    if (it == files_.end()) return OpenFile{};
    OpenFile file = it->second;
    files_.erase(it);
    paths_.erase(fh);
    // Another attribute-capable handle of the path stands in for it: for a file with no name of its
    // own, the only way to it (op_support.h, HiddenFile).
    for (auto p = by_path_.begin(); file.attrs && p != by_path_.end();) {
      if (p->second != fh) {
        ++p;
      } else if (uint64_t other = AttrsHandleOf(p->first)) {
        p->second = other;
        ++p;
      } else {
        p = by_path_.erase(p);
      }
    }
    if (file.owned) owned_--;
    return file;
  }

  std::vector<OwnedFile> Owned() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    std::vector<OwnedFile> out;
    out.reserve(owned_);
    for (const auto& [fh, path] : paths_) {
      const OpenFile& file = files_.at(fh);
      if (file.owned) out.push_back({fh, file, path});
    }
    return out;
  }

  // A copy-up moved an owned handle's file (union/repointHandles.ts): `fd`, open on the new copy
  // beneath `root`, goes in behind the handle's descriptor number. False when it was released, and for
  // a handle passed through: the kernel reads and writes the old copy for it whatever `fd` is, so the
  // handle stays whole there (its fsync, fallocate, the branch the mapping tracker names).
  bool Repoint(uint64_t fh, int fd, int root) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = files_.find(fh);
    if (it == files_.end() || !it->second.owned || it->second.passed_through || dup3(fd, it->second.fd, O_CLOEXEC) < 0)
      return false;
    it->second.root = root;
    repoints_.fetch_add(1);
    return true;
  }
  // How many handles were repointed so far: what read one of them before a change may be stale.
  uint64_t Repoints() const { return repoints_.load(); }
  // The open's reply names the handle's node, and says whether the kernel passes it through.
  void Answered(uint64_t fh, uint64_t node, bool passed_through) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = files_.find(fh);
    if (it == files_.end()) return;
    it->second.node = node;
    it->second.passed_through = passed_through;
  }
  // A handle open on `node` (one whose attributes may change on its descriptor, with `attrs`), if any.
  // A scan: asked only of a node that lost every name (Served::GetAttr, SetAttr).
  std::optional<uint64_t> OpenOn(uint64_t node, bool attrs) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const auto& [fh, file] : files_)
      if (file.node == node && (file.attrs || !attrs)) return fh;
    return std::nullopt;
  }
  // The union path an open handle of `node` goes by, if any. A scan, as OpenOn.
  std::optional<std::string> PathOn(uint64_t node) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const auto& [fh, path] : paths_) {
      auto file = files_.find(fh);
      if (file != files_.end() && file->second.node == node) return path;
    }
    return std::nullopt;
  }
  bool Contains(uint64_t fh) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return files_.count(fh) != 0;
  }
  // A handle JS serves, or one unknown, is {kServedByJs, kNoIno}.
  OpenFile Get(uint64_t fh) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = files_.find(fh);
    return it == files_.end() ? OpenFile{} : it->second;
  }

  // The kernel sends fchmod, fchown and futimens by path, without the handle (only ftruncate carries
  // it), so an open, attribute-capable handle of the same path stands in for it: a duplicate of its
  // descriptor, the caller's to close, since the handle's own RELEASE may close that meanwhile (a
  // handle leaves the table before its descriptor closes). -1 for none. `root`, if given: the branch
  // root the descriptor's file is beneath.
  int DupByPath(const char* path, int* root = nullptr) const {
    if (path == nullptr) return -1;
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (by_path_.empty()) return -1;
    auto it = by_path_.find(path);
    if (it == by_path_.end()) return -1;
    auto file = files_.find(it->second);
    if (file == files_.end() || !file->second.attrs) return -1;
    if (root != nullptr) *root = file->second.root;
    return fcntl(file->second.fd, F_DUPFD_CLOEXEC, 0);
  }

  // After a rename through the union: handles follow their file; one the target replaced no longer
  // has a path.
  void Renamed(const std::string& from, const std::string& to) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    // Handles go by their file's union path, as the engine's (HandleTable.renamed).
    for (auto& [fh, path] : paths_) {
      if (Below(path, from)) path = to + path.substr(from.size());
    }
    if (by_path_.empty()) return;
    std::vector<std::pair<std::string, uint64_t>> moved;
    for (auto it = by_path_.begin(); it != by_path_.end();) {
      if (Below(it->first, to)) {
        it = by_path_.erase(it);
      } else if (Below(it->first, from)) {
        moved.emplace_back(to + it->first.substr(from.size()), it->second);
        it = by_path_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [path, fh] : moved) by_path_[path] = fh;
  }

  // A name of the hard-linked `node` went through the union: its handles that went by it (an open asks
  // by node, and names the node's first name) go by `now`, another of its names, so that a later
  // rename over `now` finds them there (Hide in requests.cc), and so do the ops on the hidden name
  // that rename gives (op_support.h, HiddenFile): an unlink has already dropped `gone` (Unlinked).
  // True if one of them is the engine's, whose table goes by path too (op::Repath).
  bool Repath(uint64_t node, const std::string& gone, const std::string& now) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    bool engine = false;
    for (auto& [fh, path] : paths_) {
      const OpenFile& file = files_.at(fh);
      if (path != gone || file.node != node) continue;
      path = now;
      engine |= !file.owned;
      auto it = by_path_.find(gone);
      if (it != by_path_.end() && it->second == fh) by_path_.erase(it);
      if (file.attrs) by_path_.try_emplace(now, fh);
    }
    return engine;
  }

  // After renameat2(RENAME_EXCHANGE) of `a` and `b`: each name's handles go by the other.
  void Exchanged(const std::string& a, const std::string& b) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto swapped = [&](const std::string& path) {
      if (Below(path, a)) return b + path.substr(a.size());
      if (Below(path, b)) return a + path.substr(b.size());
      return path;
    };
    for (auto& [fh, path] : paths_) path = swapped(path);
    std::unordered_map<std::string, uint64_t> by_path;
    for (auto& [path, fh] : by_path_) by_path[swapped(path)] = fh;
    by_path_.swap(by_path);
  }

  // Whether a handle the engine serves is open on `path` (`below`: on it or anything under it, a
  // directory): a change made here would leave that handle's path in the engine's table behind.
  bool EngineHolds(const std::string& path, bool below = false) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const auto& [fh, at] : paths_) {
      if ((below ? Below(at, path) : at == path) && !files_.at(fh).owned) return true;
    }
    return false;
  }

  void Unlinked(const std::string& path) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    by_path_.erase(path);
  }

 private:
  static bool Below(const std::string& path, const std::string& dir) {
    return path.compare(0, dir.size(), dir) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
  }

  // An open attribute-capable handle of `path`, or 0. Caller holds mutex_.
  uint64_t AttrsHandleOf(const std::string& path) const {
    for (const auto& [fh, at] : paths_) {
      auto file = files_.find(fh);
      if (at == path && file != files_.end() && file->second.attrs) return fh;
    }
    return 0;
  }

  mutable std::shared_mutex mutex_;
  std::unordered_map<uint64_t, OpenFile> files_;
  std::unordered_map<std::string, uint64_t> by_path_;
  std::unordered_map<uint64_t, std::string> paths_;  // every handle's union path, as the engine has it
  size_t owned_ = 0;
  std::atomic<uint64_t> repoints_{0};
};

}  // namespace strata
