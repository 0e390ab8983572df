// Runs write_behind.h's WriteBehindQueue over the cases of test/vectors/write-behind.json, which
// test/unit/union/writeBehindQueue.test.ts compiles this against and feeds on stdin (cases.h), one case
// a line:
//   case <TAB> depth <TAB> chunks ("pos:len,...") <TAB> refused call (-1 for none) <TAB> calls (";"-joined, or
//   "none")
#include <errno.h>

#include <sstream>
#include <string>
#include <vector>

#include "cases.h"
#include "write_behind.h"

namespace {

std::vector<std::string> calls;
int refused_at = -1;

int Record(int, off_t pos, off_t len, off_t before_pos, off_t before_len) {
  std::string call = std::to_string(pos) + "+" + std::to_string(len);
  if (before_len > 0) call += " wait " + std::to_string(before_pos) + "+" + std::to_string(before_len);
  calls.push_back(call);
  if (static_cast<int>(calls.size()) - 1 != refused_at) return 0;
  errno = EOPNOTSUPP;
  return -1;
}

}  // namespace

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    if (fields.size() < 5) return std::string("malformed case");
    if (std::stoul(fields[1]) != strata::kWritingBack) return "kWritingBack is " + std::to_string(strata::kWritingBack);
    calls.clear();
    refused_at = std::stoi(fields[3]);
    strata::WriteBehindQueue queue(Record);
    std::istringstream chunks(fields[2]);
    for (std::string chunk; std::getline(chunks, chunk, ',');) {
      size_t colon = chunk.find(':');
      if (queue.Copied(3, std::stol(chunk.substr(0, colon)), std::stol(chunk.substr(colon + 1))) != 0)
        return std::string("failed");
    }
    if (queue.Drain(3, [] {}) != 0) return std::string("failed");
    std::string got;
    for (const std::string& call : calls) got += (got.empty() ? "" : ";") + call;
    return got.empty() ? std::string("none") : got;
  });
}
