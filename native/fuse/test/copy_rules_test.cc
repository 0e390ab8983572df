// Runs copy_rules.h over the cases of test/vectors/copy-errors.json, which
// test/unit/union/copyRules.test.ts compiles this against and feeds on stdin (cases.h), one case a line:
//   case <TAB> step <TAB> errno number <TAB> goes on (1 or 0)
// step: seekData, copyFileRange, chown, listXattrs, getXattr, setXattr, flags.
#include <map>
#include <string>

#include "cases.h"
#include "copy_rules.h"

int main() {
  using strata::CopyStep;
  const std::map<std::string, CopyStep> steps = {
      {"seekData", CopyStep::kSeekData}, {"copyFileRange", CopyStep::kCopyFileRange},
      {"chown", CopyStep::kChown},       {"listXattrs", CopyStep::kListXattrs},
      {"getXattr", CopyStep::kGetXattr}, {"setXattr", CopyStep::kSetXattr},
      {"flags", CopyStep::kFlags}};
  return strata::test::RunCases([&](const strata::test::Fields& fields) {
    auto it = steps.find(fields[1]);
    if (it == steps.end() || fields.size() < 4) return std::string("no such step");
    return std::string(strata::CopyGoesOn(it->second, std::stoi(fields[2])) ? "1" : "0");
  });
}
