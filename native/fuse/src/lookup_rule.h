// The union's visibility rule (aufs semantics), the C++ twin of main/common/lookupRule.ts: the same
// walk over the same per-layer facts, checked against the same cases (test/vectors/lookup-rule.json,
// run by native/fuse/test/lookup_rule_test.cc). See the TypeScript file for the rule in words.
//
// Facts are asked lazily, layer by layer, and only those the answer depends on (never the last layer's
// whiteout or opaque marker), so a caller that gathers them with one syscall each pays only for what
// decides. `Facts` provides:
//   int Count();                 layers, top-down
//   LayerEntry Entry(int k);     what layer k holds at the name
//   bool Whiteout(int k);        `.wh.<name>` in layer k's copy of the parent
//   bool Opaque(int k);          `.wh..wh..opq` inside layer k's copy (asked only of a directory)
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace strata {

enum class LayerEntry { kNone, kDir, kOther };

struct Resolution {
  int served = -1;  // -1: not visible
  std::vector<int> merged;
  bool is_dir = false;
};

enum class Until { kServed, kMerged };

inline constexpr std::string_view kRootName = "/";

// Every name starting with `.wh.` is union metadata (main/common/whiteout.ts).
inline bool IsReservedName(std::string_view name) { return name.substr(0, 4) == ".wh."; }

// `.wh.<name>`, which hides <name> on every branch below (whiteout.ts, whiteoutName).
inline std::string WhiteoutOf(std::string_view name) { return ".wh." + std::string(name); }

// Inside a directory's copy: the copies below are not merged with it.
inline constexpr const char* kOpaqueMarker = ".wh..wh..opq";

// Whether `.wh.<name>` fits in a branch's directory entry (whiteout.ts, canWhiteout): none can hold a
// whiteout for a name within 4 bytes of NAME_MAX.
inline bool CanWhiteout(std::string_view name) { return name.size() + 4 <= 255; }

template <class Facts>
Resolution ResolveName(std::string_view name, Facts& facts, Until until = Until::kMerged) {
  Resolution found;
  bool root = name == kRootName;
  if (!root && IsReservedName(name)) return found;
  for (int k = 0; k < facts.Count(); k++) {
    bool last = k == facts.Count() - 1;
    LayerEntry entry = facts.Entry(k);
    if (root && entry == LayerEntry::kOther) entry = LayerEntry::kNone;
    if (entry == LayerEntry::kNone) {
      if (!root && !last && facts.Whiteout(k)) break;
      continue;
    }
    if (found.served >= 0 && entry != LayerEntry::kDir) break;
    if (found.served < 0) {
      found.served = k;
      found.is_dir = entry == LayerEntry::kDir;
    }
    found.merged.push_back(k);
    if (!found.is_dir || until == Until::kServed || last || facts.Opaque(k) || (!root && facts.Whiteout(k))) break;
  }
  return found;
}

// Would `name` still show if layer k lost its copy and its whiteout, and every layer above it its copy?
template <class Facts>
bool VisibleBelow(std::string_view name, Facts& facts, int k) {
  if (name == kRootName || IsReservedName(name)) return false;
  for (int j = 0; j < k; j++) {
    if (facts.Whiteout(j)) return false;
  }
  for (int j = k + 1; j < facts.Count(); j++) {
    if (facts.Entry(j) != LayerEntry::kNone) return true;
    if (j < facts.Count() - 1 && facts.Whiteout(j)) return false;
  }
  return false;
}

}  // namespace strata
