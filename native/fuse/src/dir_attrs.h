// What getattr may answer on the FUSE thread, without JS. The union engine publishes each directory
// its resolver holds (the branch copies merged into it, top-down) for as long as it holds it, and
// withdraws it on every namespace change; and the union inode number of every branch object it has
// numbered. getattr of a cached directory, or of a name inside one, then runs the resolver's lookup
// here: the first layer holding the name serves it, a whiteout in a layer ends the search. Attributes
// are always read afresh (lstat); only directory resolutions and inode numbers are reused. Anything
// else (an unknown inode, an error, a name the union treats specially) goes to JS.
//
// This is most of a path walk: with attributes uncached and default_permissions, the kernel asks for
// every directory on the way, and for the name itself at least once.
#pragma once
#include <errno.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace strata {

class DirAttrs {
 public:
  using Clock = std::chrono::steady_clock;
  // Answer() results besides 0.
  static constexpr int kAskJs = 1;

  void Put(const std::string& rel, std::vector<std::string> layers, double ttl_ms) {
    auto until = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(ttl_ms * 1000));
    std::unique_lock<std::shared_mutex> lock(mutex_);
    dirs_[rel] = Dir{std::move(layers), until};
  }

  // `rel` and everything below it.
  void Drop(const std::string& rel) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (rel == "/") return dirs_.clear();
    std::string prefix = rel + "/";
    for (auto it = dirs_.begin(); it != dirs_.end();) {
      bool below = it->first == rel || it->first.compare(0, prefix.size(), prefix) == 0;
      it = below ? dirs_.erase(it) : std::next(it);
    }
  }

  void Number(dev_t dev, ino_t branch_ino, uint64_t ino) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    inos_[Key{dev, branch_ino}] = ino;
  }

  // 0 with *st filled, -ENOENT, or kAskJs.
  int Answer(const char* rel, struct stat* st) const {
    if (rel == nullptr || rel[0] != '/') return kAskJs;
    std::string path(rel);
    std::vector<std::string> self = Layers(path);
    if (!self.empty()) return StatServed(self[0], st) == 0 && S_ISDIR(st->st_mode) ? 0 : kAskJs;
    if (path == "/") return kAskJs;
    size_t slash = path.rfind('/');
    std::string parent = slash == 0 ? "/" : path.substr(0, slash), name = path.substr(slash + 1);
    // Reserved and over-long names, and libfuse's hidden open files, have their own rules in JS.
    if (name.size() > 255 || name.compare(0, 4, ".wh.") == 0 || name.compare(0, 12, ".fuse_hidden") == 0) return kAskJs;
    std::vector<std::string> layers = Layers(parent);
    if (layers.empty()) return kAskJs;
    for (const std::string& dir : layers) {
      int rc = StatServed(dir + "/" + name, st);
      if (rc != -ENOENT) return rc;
      struct stat wh;
      if (lstat((dir + "/.wh." + name).c_str(), &wh) == 0) return -ENOENT;
      if (errno != ENOENT) return kAskJs;
    }
    return -ENOENT;
  }

 private:
  struct Dir {
    std::vector<std::string> layers;
    Clock::time_point until;
  };
  struct Key {
    dev_t dev;
    ino_t ino;
    bool operator==(const Key& o) const { return dev == o.dev && ino == o.ino; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.ino * 31 + k.dev); }
  };

  // Real paths of a cached directory's layers, top-down; empty when not cached or expired.
  std::vector<std::string> Layers(const std::string& rel) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = dirs_.find(rel);
    if (it == dirs_.end() || Clock::now() >= it->second.until) return {};
    return it->second.layers;
  }

  // lstat with the union's inode number: 0, -ENOENT, or kAskJs.
  int StatServed(const std::string& real, struct stat* st) const {
    if (lstat(real.c_str(), st) < 0) return errno == ENOENT ? -ENOENT : kAskJs;
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = inos_.find(Key{st->st_dev, st->st_ino});
    if (it == inos_.end()) return kAskJs;
    st->st_ino = it->second;
    st->st_dev = 0;
    return 0;
  }

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Dir> dirs_;
  std::unordered_map<Key, uint64_t, KeyHash> inos_;
};

}  // namespace strata
