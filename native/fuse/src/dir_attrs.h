// What getattr may answer on the FUSE thread, without JS. The union engine publishes each directory
// its resolver holds (the branch copies merged into it, top-down, as branch root descriptors: see
// dir_layer.h) for as long as it holds it, and withdraws it on every namespace change. Union inode
// numbers are kept here, for both sides (NumberFor). getattr of a cached directory, or of a name
// inside one, then runs the resolver's lookup rule here (lookup_rule.h) as far as the serving layer,
// with fstatat on the opened copies. Attributes are always read afresh; only directory resolutions,
// their opened copies and inode numbers are reused. Anything else (an error, a copy that cannot be
// opened beneath its root, a name the union treats specially) goes to JS.
//
// This is most of a path walk: with attributes uncached and default_permissions, the kernel asks for
// every directory on the way, and for the name itself at least once.
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "beneath.h"
#include "coarse_clock.h"
#include "dir_layer.h"
#include "flat_map.h"
#include "lookup_rule.h"
#include "union_path.h"

namespace strata {

class DirAttrs {
 public:
  using Clock = CoarseClock;
  // Answer() results besides 0.
  static constexpr int kAskJs = 1;

  // A fresh publication gets fresh layers: a copy opened under the previous one is not trusted again.
  // Returns its number, which no other publication has.
  uint64_t Put(const std::string& rel, DirLayers layers, double ttl_ms) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (rel == "/") {
      root_renewable_ = true;
      root_ttl_ms_ = ttl_ms;
    }
    return PutLocked(rel, std::move(layers), ttl_ms);
  }

  // Whether the FUSE threads may publish the root again by the lookup rule over every branch
  // (publish_dir.h): only after the engine published it, and until a change drops it (Drop("/"): a
  // reconfiguration, or a change to what the root merges), which the engine must see first. `*epoch`
  // is for PutRoot.
  bool RootRenewable(uint64_t* epoch) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    *epoch = root_epoch_;
    return root_renewable_;
  }

  // Put of the root, renewed on a FUSE thread: only while no Drop("/") came since RootRenewable gave
  // `epoch` and the root has no publication standing. For as long as the engine gave its own. 0 if not.
  uint64_t PutRoot(DirLayers layers, uint64_t epoch) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (!root_renewable_ || epoch != root_epoch_) return 0;
    auto self = dirs_.find("/");
    if (self != dirs_.end() && Clock::now() < self->second.until) return 0;
    return PutLocked("/", std::move(layers), root_ttl_ms_);
  }

  // Put, for the directory `rel` resolved on a FUSE thread from its parent's publication number
  // `parent_gen` (publish_dir.h): only while that publication stands and `rel` has none of its own, so
  // nothing resolved from layers the engine has since withdrawn or replaced is ever published. 0 if not.
  // It lives as long as the engine gave its parent's.
  uint64_t PutBelow(const std::string& rel, DirLayers layers, uint64_t parent_gen) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto parent = dirs_.find(ParentOf(rel));
    auto now = Clock::now();
    if (parent == dirs_.end() || parent->second.gen != parent_gen || now >= parent->second.until) return 0;
    auto self = dirs_.find(rel);
    if (self != dirs_.end() && now < self->second.until) return 0;
    return PutLocked(rel, std::move(layers), parent->second.ttl_ms);
  }

  // The milliseconds left to publication number `gen` of `rel`; 0 when it no longer stands.
  double Left(const std::string& rel, uint64_t gen) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = dirs_.find(rel);
    auto now = Clock::now();
    if (it == dirs_.end() || it->second.gen != gen || now >= it->second.until) return 0;
    return std::chrono::duration<double, std::milli>(it->second.until - now).count();
  }

  // The directory gained a copy on top, made by a FUSE thread (copy_up.h): a publication still standing
  // merges it, until the engine's next one.
  void Grow(const std::string& rel, DirLayers layers) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = dirs_.find(rel);
    if (it != dirs_.end()) it->second.layers = std::move(layers);
  }

  // `rel` and everything below it.
  void Drop(const std::string& rel) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (rel == "/") {
      root_renewable_ = false;
      root_epoch_++;
      return dirs_.clear();
    }
    std::string prefix = rel + "/";
    for (auto it = dirs_.begin(); it != dirs_.end();) {
      bool below = it->first == rel || it->first.compare(0, prefix.size(), prefix) == 0;
      it = below ? dirs_.erase(it) : std::next(it);
    }
  }

  // The engine's own numbering (a copy inheriting its original's number, the root's 1).
  void Number(dev_t dev, ino_t branch_ino, uint64_t ino) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    *inos_.TryEmplace(Key{dev, branch_ino}).first = ino;
    next_ino_ = std::max(next_ino_, ino + 1);
  }

  // The union inode number of a branch object, numbered on first sight as the engine numbers
  // (union/inodes.ts: small numbers in order). While mounted the engine takes its numbers from here
  // too (numberFor), so an object first met by a native lookup never gets a second number.
  uint64_t NumberFor(dev_t dev, ino_t branch_ino) {
    Key key{dev, branch_ino};
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      const uint64_t* known = inos_.Find(key);
      if (known != nullptr) return *known;
    }
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto [number, added] = inos_.TryEmplace(key);
    if (added) *number = next_ino_++;
    return *number;
  }

  // 0 with *st filled, -ENOENT, or kAskJs. `*root`: the root of the branch serving a name that is not a
  // directory the resolver holds, else -1.
  int Answer(const char* rel, struct stat* st, int* root) {
    *root = -1;
    if (rel == nullptr || rel[0] != '/') return kAskJs;
    std::string path(rel);
    DirLayers self = Layers(path);
    if (!self.empty()) {
      // A copy removed since it was opened (no links left) is the resolver's to look up again.
      int fd = self[0]->Open();
      if (fd < 0 || fstat(fd, st) != 0 || !S_ISDIR(st->st_mode) || st->st_nlink == 0) return kAskJs;
      // The root is always 1, which only the engine gives (whichever branch serves it).
      if (path == "/") return Known(st) ? 0 : kAskJs;
      return Numbered(st);
    }
    Served served;
    int rc = Locate(path, &served);
    if (rc != 0) return rc;
    *st = served.st;
    *root = served.root;
    return Numbered(st);
  }

  // The copy serving a name in a published directory: the copy's directory (open while `layers` is
  // held), its branch root, and the name's attributes as the branch has them.
  struct Served {
    DirLayers layers;
    int dir = -1;
    int root = -1;
    std::string name;
    struct stat st;
    bool visible_below = false;  // asked for: would a lower copy show if this one went (lookup_rule.h)
  };

  // Over-long names, and libfuse's hidden open files, have their own rules in JS.
  static bool HasOwnRules(const std::string& name) {
    return name.size() > 255 || name.compare(0, 12, ".fuse_hidden") == 0;
  }

  // 0 with *out filled, -ENOENT, or kAskJs (as Answer) for a name below a published directory, or the
  // root while it is published: the top branch's root serves it, as "." beneath itself.
  int Locate(const std::string& path, Served* out, bool ask_below = false) const {
    if (path == "/") return LocateRoot(out);
    if (path.size() < 2 || path[0] != '/') return kAskJs;
    std::string parent = ParentOf(path), name = path.substr(path.rfind('/') + 1);
    if (HasOwnRules(name)) return kAskJs;
    DirLayers layers = Layers(parent);
    if (layers.empty()) return kAskJs;
    LayerFacts facts{layers, name};
    Resolution found = ResolveName(name, facts, Until::kServed);
    if (facts.failed) return kAskJs;
    if (found.served < 0) return -ENOENT;
    if (ask_below) {
      out->visible_below = VisibleBelow(name, facts, found.served);
      if (facts.failed) return kAskJs;
    }
    out->dir = layers[found.served]->Open();
    out->root = layers[found.served]->root();
    out->st = facts.stats[found.served];
    out->name = std::move(name);
    out->layers = std::move(layers);
    return 0;
  }

  // The copies merged into the directory `path`, top-down: its publication's, or when only its parent is
  // published, those the lookup rule finds through the parent's copies (opened beneath their roots on
  // first use, and closed with the result). Empty when neither tells, or `path` is not a directory.
  DirLayers Copies(const std::string& path) const {
    DirLayers self = Layers(path);
    if (!self.empty() || path.size() < 2 || path[0] != '/') return self;
    return CopiesIn(path, Layers(ParentOf(path)));
  }

  // Copies, by the lookup rule alone, through the parent's copies `parent`.
  DirLayers CopiesIn(const std::string& path, const DirLayers& parent) const {
    DirLayers self;
    std::string name = path.substr(path.rfind('/') + 1);
    if (parent.empty() || HasOwnRules(name)) return {};
    LayerFacts facts{parent, name};
    Resolution found = ResolveName(name, facts, Until::kMerged);
    if (facts.failed || !found.is_dir) return {};
    for (int k : found.merged) self.push_back(std::make_shared<DirLayer>(parent[k]->root(), path));
    return self;
  }

  // Numbered, if the object already has a number.
  bool Known(struct stat* st) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    const uint64_t* number = inos_.Find(Key{st->st_dev, st->st_ino});
    if (number == nullptr) return false;
    st->st_ino = *number;
    st->st_dev = 0;
    return true;
  }

  // The union's inode number in place of the branch's. Returns 0.
  int Numbered(struct stat* st) {
    st->st_ino = NumberFor(st->st_dev, st->st_ino);
    st->st_dev = 0;
    return 0;
  }

  // For opendir of a published directory: its layers (empty when not published), and whether the kernel
  // may keep a listing it cached while this same publication stood. Any change to what the directory
  // merges ends the publication; a change to its entries made directly in a branch invalidates the
  // kernel's pages (invalidator.h), and one made through the union the kernel notes itself.
  DirLayers ForListing(const std::string& rel, bool* keep_cache) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = dirs_.find(rel);
    if (it == dirs_.end() || Clock::now() >= it->second.until) return {};
    *keep_cache = it->second.listed;
    it->second.listed = true;
    return it->second.layers;
  }

  // A cached directory's layers, top-down; empty when not cached or expired. The caller's copy keeps
  // them open while it reads, even if the directory is dropped meanwhile. `*gen`: its publication's number.
  DirLayers Layers(const std::string& rel, uint64_t* gen = nullptr) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = dirs_.find(rel);
    if (it == dirs_.end() || Clock::now() >= it->second.until) return {};
    if (gen != nullptr) *gen = it->second.gen;
    return it->second.layers;
  }

 private:
  static constexpr auto kSweepEvery = std::chrono::seconds(1);

  struct Dir {
    DirLayers layers;
    Clock::time_point until;
    bool listed = false;  // opened for a listing the kernel caches
    uint64_t gen = 0;     // the publication's number
    double ttl_ms = 0;    // how long it was given
  };

  int LocateRoot(Served* out) const {
    DirLayers layers = Layers("/");
    if (layers.empty()) return kAskJs;
    out->dir = layers[0]->Open();
    if (out->dir < 0 || fstat(out->dir, &out->st) != 0) return kAskJs;
    out->root = layers[0]->root();
    out->name = ".";
    out->layers = std::move(layers);
    return 0;
  }

  uint64_t PutLocked(const std::string& rel, DirLayers layers, double ttl_ms) {
    auto now = Clock::now();
    // A tick early, so it never outlives the engine's grant.
    auto until = now + std::chrono::microseconds(static_cast<int64_t>(ttl_ms * 1000)) - Clock::kLag;
    uint64_t gen = ++next_gen_;
    dirs_[rel] = Dir{std::move(layers), until, false, gen, ttl_ms};
    // Expired directories the engine never withdrew would keep their descriptors open.
    if (now >= next_sweep_) {
      next_sweep_ = now + kSweepEvery;
      for (auto it = dirs_.begin(); it != dirs_.end();) it = now >= it->second.until ? dirs_.erase(it) : std::next(it);
    }
    return gen;
  }
  struct Key {
    dev_t dev;
    ino_t ino;
    bool operator==(const Key& o) const { return dev == o.dev && ino == o.ino; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.ino * 31 + k.dev); }
  };

  // The rule's facts about `name` (one component) in a directory's opened copies, one fstatat each as
  // the rule asks. Any failure but "not there" sets `failed`: JS answers then.
  struct LayerFacts {
    const DirLayers& layers;
    const std::string& name;
    std::vector<struct stat> stats = std::vector<struct stat>(layers.size());
    bool failed = false;

    int Count() const { return static_cast<int>(layers.size()); }
    LayerEntry Entry(int k) {
      if (!At(Dir(k), name, &stats[k])) return LayerEntry::kNone;
      return S_ISDIR(stats[k].st_mode) ? LayerEntry::kDir : LayerEntry::kOther;
    }
    bool Whiteout(int k) {
      if (!CanWhiteout(name)) return false;
      struct stat wh;
      return At(Dir(k), WhiteoutOf(name), &wh);
    }
    bool Opaque(int k) {
      Fd copy(OpenBeneath(Dir(k), name, O_PATH | O_DIRECTORY));
      struct stat marker;
      if (copy.get() < 0) return Missing();
      return At(copy.get(), kOpaqueMarker, &marker);
    }
    int Dir(int k) {
      int fd = layers[k]->Open();
      if (fd < 0) failed = true;
      return fd;
    }
    bool At(int dir, const std::string& leaf, struct stat* st) {
      if (dir < 0) return false;
      return fstatat(dir, leaf.c_str(), st, AT_SYMLINK_NOFOLLOW) == 0 || Missing();
    }
    bool Missing() {
      if (errno != ENOENT && errno != ENOTDIR) failed = true;
      return false;
    }
  };

  mutable std::shared_mutex mutex_;
  Clock::time_point next_sweep_;
  std::unordered_map<std::string, Dir> dirs_;
  FlatMap<Key, uint64_t, KeyHash> inos_;
  uint64_t next_ino_ = 2;  // 1 is the root's
  uint64_t next_gen_ = 0;
  bool root_renewable_ = false;
  uint64_t root_epoch_ = 0;  // Drop("/") calls
  double root_ttl_ms_ = 0;
};

}  // namespace strata
