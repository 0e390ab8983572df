// Runs tdp_rule.h over the cases of test/vectors/tdp-create.json, which
// test/unit/policies/tdpCreate.test.ts compiles this against and feeds on stdin (cases.h), one case a line:
//   case <TAB> branches <TAB> start <TAB> barrier <TAB> native
// branches: space-separated, top-down, each mode,avail,minFree followed by r when mounted read-only, x
// when statvfs failed and p when it holds the parent; start and barrier: -1 for none; native: the
// branch, or -1 for the engine.
#include <sstream>
#include <string>
#include <vector>

#include "cases.h"
#include "tdp_rule.h"

namespace {

strata::PolicyBranch ParseBranch(const std::string& token) {
  std::istringstream in(token);
  std::string mode, avail, min_free, flags;
  std::getline(in, mode, ',');
  std::getline(in, avail, ',');
  std::getline(in, min_free, ',');
  std::getline(in, flags);
  strata::PolicyBranch b;
  b.rw = mode == "rw";
  b.avail = std::stoull(avail);
  b.min_free = std::stoull(min_free);
  b.mounted_ro = flags.find('r') != std::string::npos;
  b.statfs_ok = flags.find('x') == std::string::npos;
  b.holds_parent = flags.find('p') != std::string::npos;
  return b;
}

}  // namespace

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    if (fields.size() < 5) return std::string("too few fields");
    std::vector<strata::PolicyBranch> branches;
    std::istringstream tokens(fields[1]);
    for (std::string token; tokens >> token;) branches.push_back(ParseBranch(token));
    return std::to_string(strata::TopDownParent(branches, std::stoi(fields[2]), std::stoi(fields[3])));
  });
}
