// Runs mergerfs_rule.h over the cases of test/vectors/mergerfs-create.json, which
// test/unit/policies/mergerfsCreate.test.ts compiles this against and feeds on stdin (cases.h), one case a
// line:
//   case <TAB> policy <TAB> create <TAB> branches <TAB> barrier <TAB> random <TAB> native
// create: 1 for a file, 0 for mkdir, mknod or symlink; branches: as policy_branches.h reads them;
// barrier: -1 for none; native: the branch, or -1 for the engine.
#include <string>

#include "cases.h"
#include "mergerfs_rule.h"
#include "policy_branches.h"

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    if (fields.size() < 7) return std::string("too few fields");
    strata::MergerfsPolicy policy;
    if (!strata::MergerfsPolicyNamed(fields[1], &policy)) return std::to_string(strata::kToEngine);
    int pick = strata::MergerfsPick(policy, strata::test::ParseBranches(fields[3]), std::stoi(fields[4]),
                                    fields[2] == "1", std::stod(fields[5]));
    return std::to_string(pick);
  });
}
