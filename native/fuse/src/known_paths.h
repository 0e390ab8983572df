// The union paths the kernel may still hold something for: every name a lookup answered within the
// cache horizon (the longest of the attribute, entry and negative timeouts), found or missing. Older
// answers have expired in the kernel on their own, so only these ever need invalidating: all of them
// when the union is reconfigured, those under a directory whose merge changed, and a name changed
// directly in a branch.
//
// Found names are the node table's, which notes when it last handed each node to the kernel, so a
// lookup that finds its name adds nothing here. Names answered as missing are kept here (the node table only knows
// names that exist), each with the node id of the directory it was looked up in: invalidating the
// kernel's negative dentry takes the parent's node id and the name.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "flat_map.h"
#include "nodes.h"
#include "union_path.h"

namespace strata {

struct KnownPath {
  std::string path;
  uint64_t parent;  // kernel node id of the directory holding it; 0 when not known here (the node table's)
};

class KnownPaths {
 public:
  using Clock = Nodes::Clock;

  explicit KnownPaths(const Nodes& nodes) : nodes_(nodes) {}

  void SetHorizon(double seconds) { horizon_ = std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)); }
  bool Enabled() const { return horizon_.count() > 0; }

  // A name answered as missing under the directory node `parent`.
  void NoteMissing(const std::string& path, uint64_t parent) {
    if (!Enabled()) return;
    std::unique_lock<std::shared_mutex> lock(mutex_);
    Missing& e = *missing_.TryEmplace(path).first;
    e.seen = Clock::now();
    e.parent = parent;
  }

  KnownPath Get(const std::string& path) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    const Missing* e = missing_.Find(path);
    return KnownPath{path, e == nullptr ? 0 : e->parent};
  }

  // `dir` and every known path below it ("/" is everything); a name answered as missing and made since
  // comes twice.
  std::vector<KnownPath> Under(const std::string& dir) const {
    if (!Enabled()) return {};
    std::vector<KnownPath> out;
    for (std::string& path : nodes_.Under(dir, Cutoff())) out.push_back(KnownPath{std::move(path), 0});
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      missing_.ForEach([&](const std::string& path, const Missing& e) {
        if (InOrBelow(path, dir)) out.push_back(KnownPath{path, e.parent});
      });
    }
    return out;
  }

  // Forgets answers the kernel has expired by now.
  void Prune() {
    auto cutoff = Cutoff();
    std::unique_lock<std::shared_mutex> lock(mutex_);
    missing_.EraseIf([&](const std::string&, const Missing& e) { return e.seen < cutoff; });
  }

 private:
  // Answered before this, expired in the kernel (a tick further back: the clock trails, coarse_clock.h).
  Clock::time_point Cutoff() const { return Clock::now() - horizon_ - Clock::kLag; }

  struct Missing {
    Clock::time_point seen;
    uint64_t parent = 0;
  };

  const Nodes& nodes_;
  std::chrono::microseconds horizon_{0};
  mutable std::shared_mutex mutex_;
  FlatMap<std::string, Missing> missing_;
};

}  // namespace strata
