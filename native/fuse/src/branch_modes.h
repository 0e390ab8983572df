// What the engine says of its branches (ResolvedDirs.branchModes, fuse/ops.ts BranchModes): the roots of
// those it writes in place, of those the ones whiteouts may be made in, and whether the FUSE threads may
// open files and change attributes themselves (file_ops.cc, attr_ops.cc). Not while moveonenospc is on,
// since the engine must be able to move every file. A handle on a branch written in place takes
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
  void Set(std::vector<int> in_place, std::vector<int> creatable, bool opens) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    in_place_ = std::move(in_place);
    creatable_ = std::move(creatable);
    opens_ = opens;
  }
  bool Opens() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return opens_;
  }
  bool InPlace(int root) const { return Has(in_place_, root); }
  bool Creatable(int root) const { return Has(creatable_, root); }

 private:
  bool Has(const std::vector<int>& roots, int root) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return std::find(roots.begin(), roots.end(), root) != roots.end();
  }

  mutable std::shared_mutex mutex_;
  std::vector<int> in_place_, creatable_;
  bool opens_ = false;
};

}  // namespace strata
