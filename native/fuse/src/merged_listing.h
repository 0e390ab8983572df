// A merged directory's listing on the FUSE thread, the C++ side of main/node/union/ops/readdir.ts: each
// branch copy the resolver published (dir_layer.h) is read once, and every name is put to the lookup rule
// (lookup_rule.h) with the listings as its facts, stopping at the serving layer. A listing tells no more
// than "there is an entry", which is all the served-only walk asks. The serving copy's d_type goes to the
// kernel, so `find` and `ls` need not stat each entry to know a directory.
#pragma once
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "dir_entries.h"
#include "dir_layer.h"
#include "lookup_rule.h"

namespace strata {

class MergedListing {
 public:
  // Reads every copy; false when one cannot be read (JS answers then).
  bool Read(const DirLayers& layers) {
    copies_.resize(layers.size());
    for (size_t k = 0; k < layers.size(); k++) {
      int copy = layers[k]->Open();
      if (copy < 0 || !copies_[k].Read(copy)) return false;
    }
    // A lone copy serves all its names; with more, each name is put to the rule.
    if (copies_.size() > 1) {
      for (Copy& copy : copies_) copy.Index();
    }
    return true;
  }

  // A directory nothing below merges with: its one copy, opened for reading (ReadOpenEntries).
  bool ReadLone(int fd) {
    copies_.resize(1);
    return copies_[0].Read(fd, true);
  }

  bool Empty() const {
    bool none = true;
    ForEach([&](const std::string&, unsigned char) { none = false; });
    return none;
  }

  // The top copy's union metadata, which goes with it when the union shows the directory empty
  // (BranchFs.clearMeta). false if any of it is not a plain file, such as a copy-up's leftover
  // directory, which the engine clears.
  bool TopMeta(std::vector<std::string>* names) const {
    for (const Entry& m : copies_.at(0).meta) {
      if (m.type != DT_REG) return false;
      names->push_back(m.name);
    }
    return true;
  }

  // fill(name, d_type) for every name the union shows, the top copy's first. A name is listed by the
  // copy that serves it, so once.
  template <class Fill>
  void ForEach(Fill fill) const {
    Facts facts{copies_, {}};
    for (size_t k = 0; k < copies_.size(); k++) {
      for (const Entry& e : copies_[k].entries) {
        facts.name = e.name;
        if (k > 0 && ResolveName(e.name, facts, Until::kServed).served != static_cast<int>(k)) continue;
        fill(e.name, e.type);
      }
    }
  }

 private:
  struct Entry {
    std::string name;
    unsigned char type;
  };

  // One copy's entries, and its union metadata: whiteouts, which hide the name after `.wh.`, and aufs'
  // own names under `.wh..wh.`, which hide nothing (main/common/whiteout.ts, whitedOutName).
  struct Copy {
    std::vector<Entry> entries;
    std::vector<Entry> meta;
    std::unordered_set<std::string_view> names, hidden;

    // `fd`: the copy (an O_PATH descriptor will do), or, `opened`, its listing itself.
    bool Read(int fd, bool opened = false) {
      auto add = [this](std::string_view name, unsigned char type) {
        (IsReservedName(name) ? meta : entries).push_back(Entry{std::string(name), type});
      };
      return opened ? ReadOpenEntries(fd, add) : ReadEntries(fd, add);
    }
    // After Read: views into the settled vectors.
    void Index() {
      names.reserve(entries.size());
      for (const Entry& e : entries) names.insert(e.name);
      for (const Entry& m : meta) {
        std::string_view name(m.name);
        if (name.substr(0, 8) != ".wh..wh.") hidden.insert(name.substr(4));
      }
    }
  };

  struct Facts {
    const std::vector<Copy>& copies;
    std::string_view name;
    int Count() const { return static_cast<int>(copies.size()); }
    LayerEntry Entry(int k) const { return copies[k].names.count(name) ? LayerEntry::kOther : LayerEntry::kNone; }
    bool Whiteout(int k) const { return copies[k].hidden.count(name) > 0; }
    bool Opaque(int) const { return false; }
  };

  std::vector<Copy> copies_;
};

}  // namespace strata
