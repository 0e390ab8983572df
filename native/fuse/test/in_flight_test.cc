// Runs in_flight.h over the cases test/unit/fuse/inFlight.test.ts feeds on stdin (cases.h), one a line:
//   case <TAB> steps <TAB> expected
// steps, space-separated, on slot 0 of two: start, end, wait (25 ms), progress (this thread's request
// made headway), elsewhere (a thread serving nothing says so), disk (this thread's request waits on
// device 8:1). expected: when the request was taken or last moved, as none, taken (the time of the first
// start) or later (after it), followed by " on 8:1" when it names that disk.
#include <sys/sysmacros.h>

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
        if (taken == 0) taken = in_flight.Requests().at(0).since;
      } else if (step == "end") {
        in_flight.End(0);
      } else if (step == "wait") {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      } else if (step == "progress") {
        strata::InFlight::Progressed();
      } else if (step == "elsewhere") {
        std::thread([] { strata::InFlight::Progressed(); }).join();
      } else if (step == "disk") {
        strata::InFlight::WaitsOn(makedev(8, 1));
      }
    }
    std::vector<strata::InFlight::Standing> standing = in_flight.Requests();
    if (standing.empty()) return std::string("none");
    int64_t since = standing.at(0).since;
    std::string when = since == taken ? "taken" : since > taken ? "later" : "earlier";
    return standing.at(0).device == makedev(8, 1) ? when + " on 8:1" : when;
  });
}
