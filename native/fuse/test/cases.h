// The loop the runners here share (test/support/cppRunner.ts compiles and feeds them): one case a line
// on stdin, tab-separated, its name first and what is expected last; `answer` gets every field and says
// what the rule gives, as the expected field says it. Prints each failure and then "N passed, M failed",
// and returns main's exit code.
#pragma once
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace strata::test {

using Fields = std::vector<std::string>;

inline int RunCases(const std::function<std::string(const Fields&)>& answer) {
  int passed = 0, failed = 0;
  for (std::string line; std::getline(std::cin, line);) {
    Fields fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
    if (fields.size() < 2) fields.resize(2);
    std::string got = answer(fields);
    if (got == fields.back()) {
      passed++;
    } else {
      failed++;
      std::cout << "FAIL " << fields.front() << ": " << got << ", expected " << fields.back() << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace strata::test
