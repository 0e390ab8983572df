// Runs flat_map.h over the cases test/unit/fuse/flatMap.test.ts feeds on stdin (cases.h), one a line:
//   case <TAB> hash <TAB> steps <TAB> expected
// hash: good (std::hash), or weak (the key's last 3 bits, so most keys collide and probes wrap).
// steps, space-separated, on a map of numbers: put:K (logs new, or had when K was there), get:K (logs
// the value put with K, which is K*10, or none), del:K (logs gone or none), size (logs the count),
// below:N (removes every key of N or more, EraseIf), keys (logs the keys held, sorted, ForEach),
// random:SEED:OPS:KEYS (OPS puts, gets and dels of keys below KEYS, and now and then a removal of every
// key a multiple of 3, checked against std::unordered_map: logs agree, or the first op that differed).
#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "cases.h"
#include "flat_map.h"

namespace {

struct WeakHash {
  size_t operator()(uint64_t k) const { return k & 7; }
};

template <typename Hash>
std::string Run(const std::string& steps) {
  strata::FlatMap<uint64_t, uint64_t, Hash> map;
  std::string log;
  auto say = [&](const std::string& s) { log += (log.empty() ? "" : " ") + s; };
  std::istringstream each(steps);
  for (std::string step; each >> step;) {
    std::vector<uint64_t> args;
    std::istringstream parts(step.substr(step.find(':') + 1));
    for (std::string part; std::getline(parts, part, ':');)
      if (step.find(':') != std::string::npos) args.push_back(std::stoull(part));
    if (step.rfind("put:", 0) == 0) {
      auto [value, added] = map.TryEmplace(args[0]);
      if (added) *value = args[0] * 10;
      say(added ? "new" : "had");
    } else if (step.rfind("get:", 0) == 0) {
      const uint64_t* value = map.Find(args[0]);
      say(value ? std::to_string(*value) : "none");
    } else if (step.rfind("del:", 0) == 0) {
      say(map.Erase(args[0]) ? "gone" : "none");
    } else if (step == "size") {
      say(std::to_string(map.size()));
    } else if (step.rfind("below:", 0) == 0) {
      map.EraseIf([&](uint64_t key, uint64_t) { return key >= args[0]; });
    } else if (step == "keys") {
      std::vector<uint64_t> keys;
      map.ForEach([&](uint64_t key, uint64_t value) { keys.push_back(key * 10 == value ? key : 0); });
      std::sort(keys.begin(), keys.end());
      std::string list;
      for (uint64_t key : keys) list += (list.empty() ? "" : ",") + std::to_string(key);
      say("[" + list + "]");
    } else if (step.rfind("random:", 0) == 0) {
      std::mt19937_64 rng(args[0]);
      std::unordered_map<uint64_t, uint64_t> model;
      std::string verdict = "agree";
      for (uint64_t n = 0; n < args[1] && verdict == "agree"; n++) {
        uint64_t key = rng() % args[2], op = rng() % 3;
        bool same = true;
        if (rng() % 500 == 0) {
          auto third = [](uint64_t k) { return k % 3 == 0; };
          map.EraseIf([&](uint64_t k, uint64_t) { return third(k); });
          for (auto it = model.begin(); it != model.end();) it = third(it->first) ? model.erase(it) : std::next(it);
        } else if (op == 0) {
          auto [value, added] = map.TryEmplace(key);
          if (added) *value = key * 10;
          same = added == model.try_emplace(key, key * 10).second;
        } else if (op == 1) {
          const uint64_t* value = map.Find(key);
          auto it = model.find(key);
          same = (value == nullptr) == (it == model.end()) && (value == nullptr || *value == it->second);
        } else {
          same = map.Erase(key) == (model.erase(key) == 1);
        }
        if (!same || map.size() != model.size()) verdict = "op " + std::to_string(n) + " differed";
      }
      say(verdict);
    }
  }
  return log;
}

}  // namespace

int main() {
  return strata::test::RunCases([](const strata::test::Fields& fields) {
    return fields[1] == "weak" ? Run<WeakHash>(fields[2]) : Run<std::hash<uint64_t>>(fields[2]);
  });
}
