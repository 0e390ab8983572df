// What the create filter (main/common/policies/filters.ts) asks of a branch, as far as the FUSE threads
// decide a placement themselves (tdp_rule.h, mergerfs_rule.h): not hidden below the name's whiteout or an
// opaque ancestor, rw, its filesystem not mounted read-only, its free space readable and at least its
// minimum. The path each policy needs on the branch is the policy's to ask. Every refusal is the
// engine's to answer, with its errno and its reasons.
#pragma once
#include <cstdint>
#include <vector>

namespace strata {

struct PolicyBranch {
  bool rw = false;
  bool mounted_ro = false;
  bool statfs_ok = false;
  uint64_t avail = 0;  // f_bavail * f_frsize
  uint64_t used = 0;   // (f_blocks - f_bavail) * f_frsize
  uint64_t min_free = 0;
  bool holds_parent = false;  // the name's parent directory is on this branch, merged by the union
  int64_t parent_mtime = 0;   // its mtime in seconds, where it holds it
};

// The engine decides.
inline constexpr int kToEngine = -1;

// Whether the create filter lets branch `b` take the name. `barrier`: the highest branch holding the
// name's whiteout or an opaque ancestor, -1 if none does.
inline bool FilterTakes(const std::vector<PolicyBranch>& branches, int b, int barrier) {
  const PolicyBranch& br = branches[b];
  if (barrier >= 0 && b > barrier) return false;
  return br.rw && !br.mounted_ro && br.statfs_ok && br.avail >= br.min_free;
}

}  // namespace strata
