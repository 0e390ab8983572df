// What the engine says of its branches (ResolvedDirs.branchModes, fuse/ops.ts BranchModes): the roots of
// those it writes in place, of those the ones whiteouts may be made in, and whether the FUSE threads may
// open files and change attributes themselves (file_ops.cc, attr_ops.cc). Not while moveonenospc is on,
// since the engine must be able to move every file. A handle on a branch written in place takes
// attribute changes on its descriptor and may pass through, as the engine's own DirectHandle.attrs
// says; a hard-linked file on any other branch is a node per name (nodes.h), since a copy-up would part
// its names. Every branch in order, with its minimum free space, and each create function's policy,
// let the FUSE threads place new names (new_names.h). The union's work directory on branches
// whose leftovers the engine has cleared lets them make a missing parent there (copy_up.h).
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "mergerfs_rule.h"

namespace strata {

class BranchModes {
 public:
  struct Ordered {
    int root;
    uint64_t min_free;
  };

  // Which files may pass through (common/passthrough.ts, by the same names): those no copy-up can move,
  // also those of branches the union copies up from, or none.
  enum class Passthrough { kAuto, kAll, kOff };
  static Passthrough PassthroughNamed(const std::string& name) {
    return name == "all" ? Passthrough::kAll : name == "off" ? Passthrough::kOff : Passthrough::kAuto;
  }

  // Where temp entries are built on a branch (union/workDirs.ts).
  struct Work {
    std::string dir;          // relative to the branch root
    std::string temp_prefix;  // their names' start
    std::vector<int> swept;   // the roots where the engine has cleared what a killed worker left
  };

  // JS thread.
  void Set(std::vector<int> in_place, std::vector<int> creatable, bool opens, std::vector<Ordered> order,
           std::map<std::string, std::string> create, bool copyup_tdp, Work work, Passthrough passthrough) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    in_place_ = std::move(in_place);
    creatable_ = std::move(creatable);
    opens_ = opens;
    order_ = std::move(order);
    create_.clear();
    for (const auto& [fn, text] : create) {
      Placement& p = create_[fn];
      p.tdp = text == "tdp";
      p.mergerfs = MergerfsPolicyNamed(text, &p.policy);
    }
    copyup_tdp_ = copyup_tdp;
    work_ = std::move(work);
    passthrough_ = passthrough;
  }
  bool Opens() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return opens_;
  }
  bool InPlace(int root) const { return Has(in_place_, root); }
  // A union that writes no branch in place: nothing in it is ever copied up or moved.
  bool WritesNone() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return in_place_.empty();
  }
  bool Creatable(int root) const { return Has(creatable_, root); }
  Passthrough PassesThrough() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return passthrough_;
  }
  // Every branch, top-down.
  std::vector<Ordered> Order() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return order_;
  }

  // How `fn`'s new names are placed (a CreateFunction: "create", "mkdir", ...), read once from its
  // policy's canonical text (policies/setting.ts: "tdp", "epmfs", "aufs:mfs"): by tdp, by a mergerfs
  // policy the FUSE threads decide (mergerfs_rule.h), or by the engine.
  struct Placement {
    bool tdp = false;
    bool mergerfs = false;
    MergerfsPolicy policy{};
  };
  Placement PlacementOf(const std::string& fn) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = create_.find(fn);
    return it == create_.end() ? Placement() : it->second;
  }
  // Whether the copy-up policy is tdp, which places the whiteout of a name on a branch that cannot change.
  bool CopyupTdp() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return copyup_tdp_;
  }
  // The work directory on the branch `root` and its temp names' prefix, once the engine has swept it
  // (a temp entry made before could be cleared from under its maker); false before.
  bool WorkOn(int root, std::string* dir, std::string* temp_prefix) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (work_.dir.empty() || std::find(work_.swept.begin(), work_.swept.end(), root) == work_.swept.end()) return false;
    *dir = work_.dir;
    *temp_prefix = work_.temp_prefix;
    return true;
  }

 private:
  bool Has(const std::vector<int>& roots, int root) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return std::find(roots.begin(), roots.end(), root) != roots.end();
  }

  mutable std::shared_mutex mutex_;
  std::vector<int> in_place_, creatable_;
  bool opens_ = false;
  std::vector<Ordered> order_;
  std::map<std::string, Placement> create_;
  bool copyup_tdp_ = false;
  Work work_;
  Passthrough passthrough_ = Passthrough::kAuto;
};

// The place of the branch `root` in `order` (BranchModes::Order), -1 if it is none of them.
inline int IndexOf(const std::vector<BranchModes::Ordered>& order, int root) {
  for (size_t i = 0; i < order.size(); i++) {
    if (order[i].root == root) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace strata
