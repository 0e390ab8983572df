// Runs the root's renewal in dir_attrs.h over the cases test/unit/fuse/rootRenewal.test.ts feeds on
// stdin (cases.h), one a line:
//   case <TAB> steps <TAB> expected
// steps, space-separated: engine (the engine publishes the root for 300 ms), drop (of the root), dropx
// (of /x), ask (RootRenewable, its epoch kept for the next renew), wait (350 ms), renew (PutRoot with
// the epoch asked). expected: each renew's outcome, put or refused, space-separated.
#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "cases.h"
#include "dir_attrs.h"

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    strata::DirAttrs dirs;
    uint64_t epoch = 0;
    std::string outcomes;
    std::istringstream each(fields[1]);
    for (std::string step; each >> step;) {
      if (step == "engine") {
        dirs.Put("/", {}, 300);
      } else if (step == "drop") {
        dirs.Drop("/");
      } else if (step == "dropx") {
        dirs.Drop("/x");
      } else if (step == "ask") {
        dirs.RootRenewable(&epoch);
      } else if (step == "wait") {
        std::this_thread::sleep_for(std::chrono::milliseconds(350));
      } else if (step == "renew") {
        outcomes += std::string(outcomes.empty() ? "" : " ") + (dirs.PutRoot({}, epoch) != 0 ? "put" : "refused");
      }
    }
    return outcomes;
  });
}
