// What the engine says of its branches (ResolvedDirs.branchModes): the roots of those it writes in place,
// and whether the FUSE threads may open files themselves (file_ops.cc). Not while moveonenospc is on,
// since the engine must be able to move every handle. A handle on a branch written in place takes
// attribute changes on its descriptor and may pass through, as the engine's own DirectHandle.attrs
// says; a hard-linked file on any other branch is a node per name (nodes.h), since a copy-up would part
// its names.
#pragma once
#include <algorithm>
#include <shared_mutex>
#include <vector>

namespace strata {

class BranchModes {
 public:
  // JS thread.
  void Set(std::vector<int> in_place, bool opens) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    in_place_ = std::move(in_place);
    opens_ = opens;
  }
  bool Opens() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return opens_;
  }
  bool InPlace(int root) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return std::find(in_place_.begin(), in_place_.end(), root) != in_place_.end();
  }

 private:
  mutable std::shared_mutex mutex_;
  std::vector<int> in_place_;
  bool opens_ = false;
};

}  // namespace strata
