// Runs held_posts.h over the cases test/unit/fuse/heldPosts.test.ts feeds on stdin (cases.h), one a line:
//   case <TAB> steps <TAB> expected
// steps, space-separated: hold:X (X held), other:X (held by another thread), call:X (sent as a call
// entering JS sends it: after what is held), flush, stop, wait (past the hold), now (| in the log).
// expected: the log of what was sent, in order, with the nows. Holds last 300 ms here.
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "cases.h"
#include "held_posts.h"

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    std::mutex log_mutex;
    std::string log;
    auto append = [&](const std::string& s) {
      std::lock_guard<std::mutex> lock(log_mutex);
      log += s;
    };
    {
      strata::HeldPosts<std::string> held(append, std::chrono::milliseconds(300));
      std::istringstream each(fields[1]);
      for (std::string step; each >> step;) {
        std::string arg = step.substr(step.find(':') + 1);
        if (step.rfind("hold:", 0) == 0) {
          held.Hold(arg);
        } else if (step.rfind("other:", 0) == 0) {
          std::thread([&] { held.Hold(arg); }).join();
        } else if (step.rfind("call:", 0) == 0) {
          held.Flush();
          append(arg);
        } else if (step == "flush") {
          held.Flush();
        } else if (step == "stop") {
          held.Stop();
        } else if (step == "wait") {
          std::this_thread::sleep_for(std::chrono::seconds(1));
        } else if (step == "now") {
          append("|");
        }
      }
    }
    return log;
  });
}
