// Runs copy_rules.h over the cases of test/vectors/copy-errors.json, which
// test/unit/union/copyRules.test.ts compiles this against and feeds on stdin, one case a line:
//   case <TAB> step <TAB> errno number <TAB> goes on (1 or 0)
// step: seekData, copyFileRange, chown, listXattrs, getXattr, setXattr.
// Prints each failure and then "N passed, M failed".
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "copy_rules.h"

int main() {
  using strata::CopyStep;
  const std::map<std::string, CopyStep> steps = {
      {"seekData", CopyStep::kSeekData}, {"copyFileRange", CopyStep::kCopyFileRange},
      {"chown", CopyStep::kChown},       {"listXattrs", CopyStep::kListXattrs},
      {"getXattr", CopyStep::kGetXattr}, {"setXattr", CopyStep::kSetXattr}};
  int passed = 0, failed = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string name, step, err, goes_on;
    std::getline(fields, name, '\t');
    std::getline(fields, step, '\t');
    std::getline(fields, err, '\t');
    std::getline(fields, goes_on, '\t');
    auto it = steps.find(step);
    bool got = it != steps.end() && strata::CopyGoesOn(it->second, std::stoi(err));
    if (it != steps.end() && got == (goes_on == "1")) {
      passed++;
    } else {
      failed++;
      std::cout << "FAIL " << name << ": got " << got << ", expected " << goes_on << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
