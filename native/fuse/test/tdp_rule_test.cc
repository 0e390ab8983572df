// Runs tdp_rule.h over the cases of test/vectors/tdp-create.json, which
// test/unit/policies/tdpCreate.test.ts compiles this against and feeds on stdin (cases.h), one case a line:
//   case <TAB> branches <TAB> start <TAB> barrier <TAB> native
// branches: as policy_branches.h reads them; start and barrier: -1 for none; native: the branch, or -1
// for the engine.
#include <string>

#include "cases.h"
#include "policy_branches.h"
#include "tdp_rule.h"

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    if (fields.size() < 5) return std::string("too few fields");
    return std::to_string(
        strata::TopDownParent(strata::test::ParseBranches(fields[1]), std::stoi(fields[2]), std::stoi(fields[3])));
  });
}
