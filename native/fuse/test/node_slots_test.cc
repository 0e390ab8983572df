// Runs node_slots.h over the cases test/unit/fuse/nodeSlots.test.ts feeds on stdin (cases.h), one a line:
//   case <TAB> steps <TAB> expected
// steps, space-separated: add (a node; its id is logged as slot/reuses), remove:N (the Nth added),
// get:N (logs hit or miss for the Nth added's id), get:0 (id 0), list (the live ids, in brackets).
// expected: the log, space-separated.
#include <sstream>
#include <string>
#include <vector>

#include "cases.h"
#include "node_slots.h"

namespace {

std::string Id(uint64_t id) { return std::to_string(id & 0xffffffff) + "/" + std::to_string(id >> 32); }

}  // namespace

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    strata::NodeSlots<std::vector<int>> slots;
    std::vector<uint64_t> added;
    std::string log;
    auto say = [&](const std::string& s) { log += (log.empty() ? "" : " ") + s; };
    std::istringstream each(fields[1]);
    for (std::string step; each >> step;) {
      size_t colon = step.find(':');
      size_t n = colon == std::string::npos ? 0 : std::stoul(step.substr(colon + 1));
      uint64_t id = n == 0 ? 0 : added.at(n - 1);
      if (step == "add") {
        added.push_back(slots.Add());
        // A new slot's value is empty, whatever the slot held before.
        std::vector<int>* value = slots.Get(added.back());
        say(value != nullptr && value->empty() ? Id(added.back()) : "bad");
        value->push_back(1);
      } else if (step.rfind("remove:", 0) == 0) {
        slots.Remove(id);
      } else if (step.rfind("get:", 0) == 0) {
        say(slots.Get(id) != nullptr ? "hit" : "miss");
      } else if (step == "list") {
        std::string live;
        slots.ForEach(
            [&](uint64_t each_id, const std::vector<int>&) { live += (live.empty() ? "" : ",") + Id(each_id); });
        say("[" + live + "]");
      }
    }
    return log;
  });
}
