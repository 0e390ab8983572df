// Runs in_flight.h over the cases test/unit/fuse/inFlight.test.ts feeds on stdin, one a line:
//   case <TAB> steps <TAB> expected
// steps, space-separated, on slot 0 of two: start, end, wait (25 ms), progress (this thread's request
// made headway), elsewhere (a thread serving nothing says so). expected: when the oldest request was
// taken or last moved, as none, taken (the time of the first start) or later (after it).
// Prints each failure and then "N passed, M failed".
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "in_flight.h"

int main() {
  int passed = 0, failed = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string name, steps, expected;
    std::getline(fields, name, '\t');
    std::getline(fields, steps, '\t');
    std::getline(fields, expected);
    strata::InFlight in_flight(2);
    int64_t taken = 0;
    std::istringstream each(steps);
    for (std::string step; each >> step;) {
      if (step == "start") {
        in_flight.Start(0);
        if (taken == 0) taken = in_flight.OldestSince();
      } else if (step == "end") {
        in_flight.End(0);
      } else if (step == "wait") {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      } else if (step == "progress") {
        strata::InFlight::Progressed();
      } else if (step == "elsewhere") {
        std::thread([] { strata::InFlight::Progressed(); }).join();
      }
    }
    int64_t oldest = in_flight.OldestSince();
    std::string got = oldest == 0 ? "none" : oldest == taken ? "taken" : oldest > taken ? "later" : "earlier";
    if (got == expected) {
      passed++;
    } else {
      failed++;
      std::cout << "FAIL " << name << ": " << got << ", expected " << expected << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
