// The branches field the policy runners share (tdp_rule_test.cc, mergerfs_rule_test.cc): space-separated,
// top-down, each mode,avail,used,minFree,mtime followed by r when mounted read-only, x when statvfs failed
// and p when it holds the parent (mtime: the parent's, in seconds).
#pragma once
#include <sstream>
#include <string>
#include <vector>

#include "policy_filter.h"

namespace strata::test {

inline std::vector<PolicyBranch> ParseBranches(const std::string& field) {
  std::vector<PolicyBranch> out;
  std::istringstream tokens(field);
  for (std::string token; tokens >> token;) {
    std::istringstream in(token);
    std::string mode, avail, used, min_free, mtime, flags;
    std::getline(in, mode, ',');
    std::getline(in, avail, ',');
    std::getline(in, used, ',');
    std::getline(in, min_free, ',');
    std::getline(in, mtime, ',');
    std::getline(in, flags);
    PolicyBranch b;
    b.rw = mode == "rw";
    b.avail = std::stoull(avail);
    b.used = std::stoull(used);
    b.min_free = std::stoull(min_free);
    b.parent_mtime = std::stoll(mtime);
    b.mounted_ro = flags.find('r') != std::string::npos;
    b.statfs_ok = flags.find('x') == std::string::npos;
    b.holds_parent = flags.find('p') != std::string::npos;
    out.push_back(b);
  }
  return out;
}

}  // namespace strata::test
