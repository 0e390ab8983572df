// Runs in_flight.h over the cases test/unit/fuse/inFlight.test.ts feeds on stdin (cases.h), one a line:
//   case <TAB> steps <TAB> expected
// steps, space-separated, on slot 0 of two: start, end, wait (25 ms), progress (this thread's request
// made headway), elsewhere (a thread serving nothing says so). expected: when the oldest request was
// taken or last moved, as none, taken (the time of the first start) or later (after it).
#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "cases.h"
#include "in_flight.h"

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    strata::InFlight in_flight(2);
    int64_t taken = 0;
    std::istringstream each(fields[1]);
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
    return std::string(oldest == 0 ? "none" : oldest == taken ? "taken" : oldest > taken ? "later" : "earlier");
  });
}
