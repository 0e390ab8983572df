// aufs' tdp, as far as the FUSE threads decide it: the C++ twin of topDownParent
// (main/common/policies/aufs/tdp.ts), which both the tdp create policy and the tdp copy-up policy
// (policies/copyup.ts) run. Checked against the same cases (test/vectors/tdp-create.json, run by
// native/fuse/test/tdp_rule_test.cc).
//
// tdp starts at a branch (for a new name, the highest holding its parent directory; for a copy-up or a
// whiteout, the branch of the copy served) and takes it if the create filter
// (main/common/policies/filters.ts) lets it: not hidden below the name's whiteout or an opaque
// ancestor, rw, its filesystem not mounted read-only, its free space readable and at least its
// minimum. Else the highest branch above the start that holds the parent and the filter lets. Where
// none does, tdp takes the nearest eligible branch above, which means making the parent there first
// (the caller sees it does not hold the parent). Every refusal is the engine's to answer.
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
  bool holds_parent = false;  // the name's parent directory is on this branch
};

inline constexpr int kTdpEngine = -1;

// Whether the create filter lets branch `b` take the name. `barrier`: the highest branch holding the
// name's whiteout or an opaque ancestor, -1 if none does.
inline bool TdpTakes(const std::vector<TdpBranch>& branches, int b, int barrier) {
  const TdpBranch& br = branches[b];
  if (barrier >= 0 && b > barrier) return false;
  return br.rw && !br.mounted_ro && br.statfs_ok && br.avail >= br.min_free;
}

// The branch tdp takes from `start`, or kTdpEngine.
inline int TopDownParent(const std::vector<TdpBranch>& branches, int start, int barrier) {
  if (start < 0 || start >= static_cast<int>(branches.size())) return kTdpEngine;
  if (TdpTakes(branches, start, barrier)) return start;
  for (int b = 0; b < start; b++) {
    if (branches[b].holds_parent && TdpTakes(branches, b, barrier)) return b;
  }
  for (int b = start - 1; b >= 0; b--) {
    if (TdpTakes(branches, b, barrier)) return b;
  }
  return kTdpEngine;
}

}  // namespace strata
