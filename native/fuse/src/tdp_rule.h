// aufs' tdp, as far as the FUSE threads decide it: the C++ twin of topDownParent
// (main/common/policies/aufs/tdp.ts), which both the tdp create policy and the tdp copy-up policy
// (policies/copyup.ts) run. Checked against the same cases (test/vectors/tdp-create.json, run by
// native/fuse/test/tdp_rule_test.cc).
//
// tdp starts at a branch (for a new name, the highest holding its parent directory; for a copy-up or a
// whiteout, the branch of the copy served) and takes it if the create filter lets it (policy_filter.h).
// Else the highest branch above the start that holds the parent and the filter lets. Where
// none does, tdp takes the nearest eligible branch above, which means making the parent there first
// (the caller sees it does not hold the parent). Every refusal is the engine's to answer.
#pragma once
#include <vector>

#include "policy_filter.h"

namespace strata {

// The branch tdp takes from `start`, or kToEngine.
inline int TopDownParent(const std::vector<PolicyBranch>& branches, int start, int barrier) {
  if (start < 0 || start >= static_cast<int>(branches.size())) return kToEngine;
  if (FilterTakes(branches, start, barrier)) return start;
  for (int b = 0; b < start; b++) {
    if (branches[b].holds_parent && FilterTakes(branches, b, barrier)) return b;
  }
  for (int b = start - 1; b >= 0; b--) {
    if (FilterTakes(branches, b, barrier)) return b;
  }
  return kToEngine;
}

}  // namespace strata
