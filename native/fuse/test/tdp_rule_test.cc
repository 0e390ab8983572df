// Runs tdp_rule.h over the cases of test/vectors/tdp-create.json, which
// test/unit/policies/tdpCreate.test.ts compiles this against and feeds on stdin, one case a line:
//   case <TAB> branches <TAB> start <TAB> barrier <TAB> native
// branches: space-separated, top-down, each mode,avail,minFree followed by r when mounted read-only, x
// when statvfs failed and p when it holds the parent; start and barrier: -1 for none; native: the
// branch, or -1 for the engine.
// Prints each failure and then "N passed, M failed".
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tdp_rule.h"

namespace {

strata::TdpBranch ParseBranch(const std::string& token) {
  std::istringstream in(token);
  std::string mode, avail, min_free, flags;
  std::getline(in, mode, ',');
  std::getline(in, avail, ',');
  std::getline(in, min_free, ',');
  std::getline(in, flags);
  strata::TdpBranch b;
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
  int passed = 0, failed = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string name, branches_text, start, barrier, native;
    std::getline(fields, name, '\t');
    std::getline(fields, branches_text, '\t');
    std::getline(fields, start, '\t');
    std::getline(fields, barrier, '\t');
    std::getline(fields, native, '\t');
    std::vector<strata::TdpBranch> branches;
    std::istringstream tokens(branches_text);
    for (std::string token; tokens >> token;) branches.push_back(ParseBranch(token));
    int got = strata::TopDownParent(branches, std::stoi(start), std::stoi(barrier));
    if (got == std::stoi(native)) {
      passed++;
    } else {
      failed++;
      std::cout << "FAIL " << name << ": got " << got << ", expected " << native << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
