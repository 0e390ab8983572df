// Runs lookup_rule.h over the cases of test/vectors/lookup-rule.json, which
// test/unit/union/lookupRule.test.ts compiles this against and feeds on stdin, one case a line:
//   case <TAB> name <TAB> layers <TAB> served <TAB> merged <TAB> isDir <TAB> below
// layers: space-separated, one per layer top-down: n (nothing), d (dir) or f (file), then w when its
// whiteout is there and o when the opaque marker is; served: -1 when not visible; merged: comma-separated;
// isDir: 0 or 1; below: one 0 or 1 per layer. Asking the last layer's whiteout or opaque marker, which
// can decide nothing, fails the case. Prints each failure and then "N passed, M failed".
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "lookup_rule.h"

namespace {

using strata::LayerEntry;

struct Layer {
  LayerEntry entry = LayerEntry::kNone;
  bool whiteout = false;
  bool opaque = false;
};

struct TableFacts {
  std::vector<Layer> layers;
  bool asked_last = false;
  int Count() const { return static_cast<int>(layers.size()); }
  LayerEntry Entry(int k) const { return layers.at(k).entry; }
  bool Whiteout(int k) { return Below(k).whiteout; }
  bool Opaque(int k) { return Below(k).opaque; }
  const Layer& Below(int k) {
    if (k == Count() - 1) asked_last = true;
    return layers.at(k);
  }
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

Layer ParseLayer(const std::string& token) {
  Layer layer;
  layer.entry = token[0] == 'd' ? LayerEntry::kDir : token[0] == 'f' ? LayerEntry::kOther : LayerEntry::kNone;
  layer.whiteout = token.find('w') != std::string::npos;
  layer.opaque = token.find('o') != std::string::npos;
  return layer;
}

std::string Join(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
  return out;
}

}  // namespace

int main() {
  int passed = 0, failed = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> f;
    for (size_t start = 0, tab;; start = tab + 1) {
      tab = line.find('\t', start);
      f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
    }
    if (f.size() != 7) {
      std::cout << "FAIL malformed line: " << line << "\n";
      failed++;
      continue;
    }
    TableFacts facts;
    for (const std::string& token : Split(f[2], ' ')) facts.layers.push_back(ParseLayer(token));
    strata::Resolution got = strata::ResolveName(f[1], facts);
    std::string below;
    for (int k = 0; k < facts.Count(); k++) below += strata::VisibleBelow(f[1], facts, k) ? '1' : '0';
    // Stopping at the serving layer must find the same one.
    strata::Resolution first = strata::ResolveName(f[1], facts, strata::Until::kServed);
    if (first.served != got.served || first.merged.size() != (got.served >= 0 ? 1u : 0u)) got.served = -2;
    bool is_dir = got.served >= 0 && got.is_dir;
    std::string want = f[3] + " [" + f[4] + "] " + f[5] + " " + f[6];
    std::string have = std::to_string(got.served) + " [" + Join(got.merged) + "] " + (is_dir ? "1" : "0") + " " + below;
    if (facts.asked_last) have += " (asked the last layer's whiteout or opaque marker)";
    if (want == have) {
      passed++;
    } else {
      failed++;
      std::cout << "FAIL " << f[0] << ": want " << want << ", got " << have << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
