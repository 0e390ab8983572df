// Runs Nodes' open accounting (nodes.h) over the cases test/unit/fuse/nodeOpens.test.ts feeds on stdin
// (cases.h), one a line:  case <TAB> steps <TAB> expected
// steps, space-separated: ref:NAME:INO (a lookup of NAME in the root; logs its node as nK, K counting
// the distinct nodes met), open:K:FILE:ELIGIBLE (an open of node K on branch file FILE, 0 for one the
// engine serves; logs ptB for backing id B, cache, or retired), release:K:PASSED (logs closeB when the
// backing id B is let go of, else -), find:NAME (logs nK, or none when no node has the name).
// expected: the log, space-separated.
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cases.h"
#include "nodes.cc"

namespace {

std::vector<std::string> Split(const std::string& step) {
  std::vector<std::string> parts;
  std::istringstream in(step);
  for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
  return parts;
}

}  // namespace

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    strata::Nodes nodes;
    std::vector<uint64_t> met;  // node ids, in the order first met
    int32_t next_backing = 10;
    std::string log;
    auto say = [&](const std::string& s) { log += (log.empty() ? "" : " ") + s; };
    auto name_of = [&](uint64_t id) {
      for (size_t k = 0; k < met.size(); k++)
        if (met[k] == id) return "n" + std::to_string(k + 1);
      met.push_back(id);
      return "n" + std::to_string(met.size());
    };
    std::istringstream each(fields[1]);
    for (std::string step; each >> step;) {
      std::vector<std::string> p = Split(step);
      if (p[0] == "ref") {
        say(name_of(nodes.Ref(strata::abi::kRootId, p[1], std::stoull(p[2]), strata::Nodes::Sharing::kOnly, S_IFREG)));
      } else if (p[0] == "open") {
        uint64_t id = met.at(std::stoul(p[1]) - 1);
        strata::Nodes::FileId file{1, std::stoull(p[2])};
        auto io = nodes.Opened(
            id, p[3] == "1", [&] { return file; }, [&] { return next_backing++; });
        say(io.retired ? "retired" : io.backing > 0 ? "pt" + std::to_string(io.backing) : "cache");
      } else if (p[0] == "release") {
        auto out = nodes.Released(met.at(std::stoul(p[1]) - 1), p[2] == "1");
        say(out.close_backing > 0 ? "close" + std::to_string(out.close_backing) : "-");
      } else if (p[0] == "find") {
        uint64_t id = nodes.Find("/" + p[1]);
        say(id == 0 ? "none" : name_of(id));
      } else {
        say("bad-step:" + step);
      }
    }
    return log;
  });
}
