// The union paths the kernel may still hold something for: every name getattr (or readdirplus)
// answered within the cache horizon (the longest of the attribute, entry and negative timeouts),
// including names answered as missing. Older answers have expired in the kernel on their own, so only
// these ever need invalidating: all of them when the union is reconfigured, those under a directory
// whose merge changed, a name changed directly in a branch, and the other names of a hard-linked
// inode when one name changes it (libfuse's high-level API gives each name its own kernel inode, so a
// chmod through one name would otherwise leave the others showing the old mode).
//
// A name looked up in a directory also records the directory's kernel node id: invalidating the
// kernel's dentry (positive or negative) takes the parent's node id and the name.
#pragma once
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace strata {

struct KnownPath {
  std::string path;
  uint64_t parent;  // kernel node id of the directory holding it; 0 when not known
};

class KnownPaths {
 public:
  using Clock = std::chrono::steady_clock;

  void SetHorizon(double seconds) { horizon_ = std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)); }
  bool Enabled() const { return horizon_.count() > 0; }

  // An answer with attributes. `parent`: as in KnownPath, 0 keeps what was recorded.
  void Note(const std::string& path, const struct stat& st, uint64_t parent) {
    if (!Enabled()) return;
    bool linked = st.st_nlink > 1 && !S_ISDIR(st.st_mode);
    std::unique_lock<std::shared_mutex> lock(mutex_);
    Entry& e = Touch(path, parent);
    if (e.linked && e.ino != st.st_ino) Unlink(path, e.ino);
    e.ino = st.st_ino;
    if (linked && !e.linked) links_.emplace(st.st_ino, path);
    if (!linked && e.linked) Unlink(path, st.st_ino);
    e.linked = linked;
  }

  // A lookup answered "no such name": the kernel may cache that too.
  void NoteMissing(const std::string& path, uint64_t parent) {
    if (!Enabled() || parent == 0) return;
    std::unique_lock<std::shared_mutex> lock(mutex_);
    Entry& e = Touch(path, parent);
    if (e.linked) Unlink(path, e.ino);
    e.linked = false;
  }

  // `path` just gained a name: it is a hard link now, whatever link count it was last answered with.
  void Linked(const std::string& path) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = paths_.find(path);
    if (it == paths_.end() || it->second.linked) return;
    it->second.linked = true;
    links_.emplace(it->second.ino, path);
  }

  // The other recently answered names of the inode `path` names, when it has several.
  std::vector<std::string> Siblings(const std::string& path) const {
    std::vector<std::string> out;
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (links_.empty()) return out;
    auto it = paths_.find(path);
    if (it == paths_.end() || !it->second.linked) return out;
    auto range = links_.equal_range(it->second.ino);
    for (auto l = range.first; l != range.second; ++l) {
      if (l->second != path) out.push_back(l->second);
    }
    return out;
  }

  KnownPath Get(const std::string& path) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = paths_.find(path);
    return KnownPath{path, it == paths_.end() ? 0 : it->second.parent};
  }

  // `dir` and every known path below it ("/" is everything).
  std::vector<KnownPath> Under(const std::string& dir) const {
    std::vector<KnownPath> out;
    std::string prefix = dir == "/" ? "/" : dir + "/";
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const auto& [path, e] : paths_) {
      if (path == dir || path.compare(0, prefix.size(), prefix) == 0) out.push_back(KnownPath{path, e.parent});
    }
    return out;
  }

  // Forgets answers the kernel has expired by now.
  void Prune() {
    auto cutoff = Clock::now() - horizon_;
    std::unique_lock<std::shared_mutex> lock(mutex_);
    for (auto it = paths_.begin(); it != paths_.end();) {
      if (it->second.seen >= cutoff) {
        ++it;
        continue;
      }
      if (it->second.linked) Unlink(it->first, it->second.ino);
      it = paths_.erase(it);
    }
  }

 private:
  struct Entry {
    Clock::time_point seen;
    uint64_t parent = 0;
    uint64_t ino = 0;
    bool linked = false;
  };

  // Caller holds the exclusive lock.
  Entry& Touch(const std::string& path, uint64_t parent) {
    Entry& e = paths_[path];
    e.seen = Clock::now();
    if (parent != 0) e.parent = parent;
    return e;
  }

  void Unlink(const std::string& path, uint64_t ino) {
    auto range = links_.equal_range(ino);
    for (auto l = range.first; l != range.second; ++l) {
      if (l->second == path) {
        links_.erase(l);
        return;
      }
    }
  }

  std::chrono::microseconds horizon_{0};
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> paths_;
  std::unordered_multimap<uint64_t, std::string> links_;
};

}  // namespace strata
