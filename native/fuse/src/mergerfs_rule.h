// mergerfs' create policies, as far as the FUSE threads decide them: the C++ twin of
// main/common/policies/mergerfs/ (a scope: which branches qualify; a selector: which of them wins), run
// through the create filter (policy_filter.h). Checked against the same cases
// (test/vectors/mergerfs-create.json, run by native/fuse/test/mergerfs_rule_test.cc).
//
// The caller knows a branch fully only where the parent's publication merges it (holds_parent), and
// passes the barrier it sees there (the name's whiteout). A branch that lacks the parent may still be
// one the engine refuses (hidden below an opaque ancestor, a file in the way): where the policy picks
// one, the caller asks it of the branch before it makes the parent there (new_names.cc), and leaves the
// name to the engine if so. That keeps every pick the engine's: a refused branch never wins a ranking
// the engine would not give it, and a random draw that lands on one and is then redrawn by the engine
// among the rest draws each of those with the engine's odds. The engine also decides every refusal,
// mkdir/mknod/symlink under all and epall (more than one branch), erofs, and msp* where no branch has
// the parent (the engine climbs).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "policy_filter.h"

namespace strata {

struct MergerfsPolicy {
  enum class Scope { kAny, kParent };
  enum class Select {
    kFirst,
    kEvery,
    kMostFree,
    kLeastFree,
    kLeastUsed,
    kLeastUsedShare,
    kNewest,
    kWeighted,
    kUniform
  };
  Scope scope;
  Select select;
};

// The policy named `name` (main/common/policies/names.ts), if the FUSE threads decide it.
inline bool MergerfsPolicyNamed(const std::string& name, MergerfsPolicy* out) {
  using S = MergerfsPolicy::Select;
  constexpr auto kAny = MergerfsPolicy::Scope::kAny, kParent = MergerfsPolicy::Scope::kParent;
  struct Named {
    const char* name;
    MergerfsPolicy policy;
  };
  // msp*: where some branch has the parent, the same as ep*.
  static const Named kNamed[] = {
      {"ff", {kAny, S::kFirst}},
      {"epff", {kParent, S::kFirst}},
      {"all", {kAny, S::kEvery}},
      {"epall", {kParent, S::kEvery}},
      {"mfs", {kAny, S::kMostFree}},
      {"epmfs", {kParent, S::kMostFree}},
      {"lfs", {kAny, S::kLeastFree}},
      {"eplfs", {kParent, S::kLeastFree}},
      {"lus", {kAny, S::kLeastUsed}},
      {"eplus", {kParent, S::kLeastUsed}},
      {"lup", {kAny, S::kLeastUsedShare}},
      {"pfrd", {kAny, S::kWeighted}},
      {"eppfrd", {kParent, S::kWeighted}},
      {"rand", {kAny, S::kUniform}},
      {"eprand", {kParent, S::kUniform}},
      {"mspmfs", {kParent, S::kMostFree}},
      {"msplfs", {kParent, S::kLeastFree}},
      {"msplus", {kParent, S::kLeastUsed}},
      {"msppfrd", {kParent, S::kWeighted}},
      {"newest", {kParent, S::kNewest}},
  };
  for (const Named& n : kNamed) {
    if (name == n.name) {
      *out = n.policy;
      return true;
    }
  }
  return false;
}

namespace mergerfs_rule {

// >0 when a beats b on the selector's measure, 0 when equal (policies/ranking.ts).
inline int Compare(MergerfsPolicy::Select select, const PolicyBranch& a, const PolicyBranch& b) {
  auto sign = [](auto x, auto y) { return x > y ? 1 : x < y ? -1 : 0; };
  switch (select) {
    case MergerfsPolicy::Select::kMostFree:
      return sign(a.avail, b.avail);
    case MergerfsPolicy::Select::kLeastFree:
      return sign(b.avail, a.avail);
    case MergerfsPolicy::Select::kLeastUsed:
      return sign(b.used, a.used);
    case MergerfsPolicy::Select::kLeastUsedShare: {
      // used / (used + avail), compared exactly; an empty filesystem counts as 0/1.
      auto share = [](const PolicyBranch& x, unsigned __int128* u, unsigned __int128* t) {
        *t = static_cast<unsigned __int128>(x.used) + x.avail;
        *u = *t == 0 ? 0 : x.used;
        if (*t == 0) *t = 1;
      };
      unsigned __int128 ua, ta, ub, tb;
      share(a, &ua, &ta);
      share(b, &ub, &tb);
      return sign(ub * ta, ua * tb);
    }
    case MergerfsPolicy::Select::kNewest:
      return sign(a.parent_mtime, b.parent_mtime);
    default:
      return 0;
  }
}

// Ties: mfs, lfs and newest take the lower branch, lus and lup the upper one.
inline bool TiesGoLower(MergerfsPolicy::Select select) {
  return select != MergerfsPolicy::Select::kLeastUsed && select != MergerfsPolicy::Select::kLeastUsedShare;
}

}  // namespace mergerfs_rule

// The branch the policy picks for a new name, or kToEngine. `create`: the function is create (a file),
// which all and epall put on the first branch only. `random`: uniform in [0, 1), the draw of pfrd and
// rand (PolicyInput.random).
inline int MergerfsPick(const MergerfsPolicy& policy, const std::vector<PolicyBranch>& branches, int barrier,
                        bool create, double random) {
  using S = MergerfsPolicy::Select;
  std::vector<int> candidates;
  for (int b = 0; b < static_cast<int>(branches.size()); b++) {
    if (!FilterTakes(branches, b, barrier)) continue;
    if (policy.scope == MergerfsPolicy::Scope::kParent && !branches[b].holds_parent) continue;
    candidates.push_back(b);
  }
  if (candidates.empty()) return kToEngine;
  int win = candidates[0];
  switch (policy.select) {
    case S::kFirst:
      break;
    case S::kEvery:
      if (!create && candidates.size() > 1) return kToEngine;
      break;
    case S::kWeighted: {
      // mergerfs pfrd: the first branch whose running total of free bytes reaches the draw.
      uint64_t sum = 0;
      for (int b : candidates) sum += branches[b].avail;
      if (sum == 0) return kToEngine;
      auto threshold = static_cast<uint64_t>(std::floor(random * static_cast<double>(sum)));
      uint64_t running = 0;
      for (int b : candidates) {
        win = b;
        if ((running += branches[b].avail) >= threshold) break;
      }
      break;
    }
    case S::kUniform:
      win = candidates[static_cast<size_t>(std::floor(random * static_cast<double>(candidates.size())))];
      break;
    default:
      for (size_t i = 1; i < candidates.size(); i++) {
        int c = mergerfs_rule::Compare(policy.select, branches[candidates[i]], branches[win]);
        if (c > 0 || (c == 0 && mergerfs_rule::TiesGoLower(policy.select))) win = candidates[i];
      }
  }
  return win;
}

}  // namespace strata
