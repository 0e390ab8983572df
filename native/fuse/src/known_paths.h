// The union paths the kernel may still hold something for: every name a lookup answered within the
// cache horizon (the longest of the attribute, entry and negative timeouts), including names answered
// as missing (the node table only knows names that exist). Older answers have expired in the kernel on
// their own, so only these ever need invalidating: all of them when the union is reconfigured, those
// under a directory whose merge changed, and a name changed directly in a branch.
//
// Each records the node id of the directory it was looked up in: invalidating the kernel's dentry
// (positive or negative) takes the parent's node id and the name.
#pragma once
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

  // A name answered, found or missing, under the directory node `parent`.
  void Note(const std::string& path, uint64_t parent) {
    if (!Enabled()) return;
    std::unique_lock<std::shared_mutex> lock(mutex_);
    Entry& e = paths_[path];
    e.seen = Clock::now();
    e.parent = parent;
  }
  void NoteMissing(const std::string& path, uint64_t parent) { Note(path, parent); }

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
    for (auto it = paths_.begin(); it != paths_.end();)
      it = it->second.seen < cutoff ? paths_.erase(it) : std::next(it);
  }

 private:
  struct Entry {
    Clock::time_point seen;
    uint64_t parent = 0;
  };

  std::chrono::microseconds horizon_{0};
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> paths_;
};

}  // namespace strata
