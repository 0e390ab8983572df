// Runs mergerfs_rule.h over the cases of test/vectors/mergerfs-create.json, which
// test/unit/policies/mergerfsCreate.test.ts compiles this against and feeds on stdin (cases.h), one case a
// line:
//   case <TAB> policy <TAB> create <TAB> branches <TAB> barrier <TAB> random <TAB> native
// create: 1 for a file, 0 for mkdir, mknod or symlink; branches: space-separated, top-down, each
// mode,avail,used,minFree,mtime followed by r when mounted read-only, x when statvfs failed and p when
// it holds the parent; barrier: -1 for none; native: the branch, or -1 for the engine.
#include <sstream>
#include <string>
#include <vector>

#include "cases.h"
#include "mergerfs_rule.h"

namespace {

strata::PolicyBranch ParseBranch(const std::string& token) {
  std::istringstream in(token);
  std::string mode, avail, used, min_free, mtime, flags;
  std::getline(in, mode, ',');
  std::getline(in, avail, ',');
  std::getline(in, used, ',');
  std::getline(in, min_free, ',');
  std::getline(in, mtime, ',');
  std::getline(in, flags);
  strata::PolicyBranch b;
  b.rw = mode == "rw";
  b.avail = std::stoull(avail);
  b.used = std::stoull(used);
  b.min_free = std::stoull(min_free);
  b.parent_mtime = std::stoll(mtime);
  b.mounted_ro = flags.find('r') != std::string::npos;
  b.statfs_ok = flags.find('x') == std::string::npos;
  b.holds_parent = flags.find('p') != std::string::npos;
  return b;
}

}  // namespace

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    if (fields.size() < 7) return std::string("too few fields");
    strata::MergerfsPolicy policy;
    if (!strata::MergerfsPolicyNamed(fields[1], &policy)) return std::to_string(strata::kToEngine);
    std::vector<strata::PolicyBranch> branches;
    std::istringstream tokens(fields[3]);
    for (std::string token; tokens >> token;) branches.push_back(ParseBranch(token));
    int pick = strata::MergerfsPick(policy, branches, std::stoi(fields[4]), fields[2] == "1", std::stod(fields[5]));
    return std::to_string(pick);
  });
}
