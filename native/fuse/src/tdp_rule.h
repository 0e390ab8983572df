// aufs' tdp create policy for a new name, as far as the FUSE threads decide it: the C++ twin of the
// case of main/common/policies/aufs/tdp.ts where the parent's top copy takes the entry. Checked against
// the same cases (test/vectors/tdp-create.json, run by native/fuse/test/tdp_rule_test.cc).
//
// tdp starts at the highest branch holding the parent directory and takes it if the create filter
// (main/common/policies/filters.ts) lets it: not hidden below the name's whiteout or an opaque ancestor,
// rw, its filesystem not mounted read-only, its free space readable and at least its minimum. Where it
// does not, tdp looks above, which means making the parent there: that, and every refusal, is the
// engine's to decide.
#pragma once
#include <cstdint>
#include <vector>

namespace strata {

struct TdpBranch {
  bool rw = false;
  bool mounted_ro = false;
  bool statfs_ok = false;
  uint64_t avail = 0;  // f_bavail * f_frsize
  uint64_t min_free = 0;
};

inline constexpr int kTdpEngine = -1;

// `parent_top`: the highest branch holding the parent as a directory, -1 if none does; `barrier`: the
// highest branch holding the name's whiteout or an opaque ancestor, -1 if none does. Returns the branch
// tdp takes, or kTdpEngine.
inline int TdpPick(const std::vector<TdpBranch>& branches, int parent_top, int barrier) {
  if (parent_top < 0 || parent_top >= static_cast<int>(branches.size())) return kTdpEngine;
  if (barrier >= 0 && parent_top > barrier) return kTdpEngine;
  const TdpBranch& b = branches[parent_top];
  if (!b.rw || b.mounted_ro || !b.statfs_ok || b.avail < b.min_free) return kTdpEngine;
  return parent_top;
}

}  // namespace strata
