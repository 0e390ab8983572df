// The kernel's node ids and what they stand for. A node is one union inode: every name of a hard link
// the kernel looks up gets the same node id, so it keeps one inode (one page cache, one set of
// attributes) for all of them, as overlayfs does. The exception is overlayfs' too: a hard-linked file
// on a branch it would be copied up from gets a node per name, since a copy-up parts its names. Only a
// name of an object with more links joins a node by inode number: a branch hands a removed object's
// number to the next object it makes, often while the kernel still holds the removed one's node.
//
// A node keeps the names the kernel reached it by, each as (parent node id, name), so its union path
// is built afresh from the parents on every request: renaming a directory moves everything below it
// at once. Nodes live while the kernel holds lookups on them (FORGET releases them); a node id is not
// handed out again (node_slots.h), so a stale one can only miss. Open counts let an unlinked open file
// keep a name (libfuse's hidden-file rule, see requests.cc); a node a process holds without a handle
// keeps its branch file once its last name goes (Keep).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "beneath.h"
#include "coarse_clock.h"
#include "flat_map.h"
#include "node_slots.h"

namespace strata {

class Nodes {
 public:
  using Clock = CoarseClock;

  Nodes();

  // Which names of an inode share its node.
  enum class Sharing {
    kOnly,    // it has no other name (a directory, or one link): a node of its own. Its number may
              // be a removed object's, reused by the branch; that object's node is not this one's.
    kLinked,  // more than one link: the node of the names already looked up
    kOwn,     // a node of its own for this name alone (a hard link a copy-up would part)
  };
  // A name the kernel now holds (a LOOKUP, or an entry made): its node id, one more lookup on it.
  // `type`: the object's S_IFMT bits.
  uint64_t Ref(uint64_t parent, const std::string& name, uint64_t ino, Sharing sharing, mode_t type);
  // FORGET.
  void Forget(uint64_t nodeid, uint64_t count);

  // The node's union path through its first name still reachable from the root; `linked`, if given,
  // says whether it has other names.
  std::optional<std::string> Path(uint64_t nodeid, bool* linked = nullptr) const;
  // Its paths through every name still reachable, in the order Path tries them.
  std::vector<std::string> Paths(uint64_t nodeid) const;
  // The node id a union path leads to through names the kernel holds, or 0.
  uint64_t Find(const std::string& path) const;
  // The union inode number the node was last looked up with, or 0.
  uint64_t InoOf(uint64_t nodeid) const;
  // The node a name in a directory leads to when that node is open, else 0; `*last`: the name is the
  // last the kernel knows it by (so it must outlive an unlink: see Hide in requests.cc).
  uint64_t OpenByName(uint64_t parent, const std::string& name, bool* last) const;
  // The union paths of `dir` and of every name below it whose node the kernel was last told of (looked
  // up, or made) at `since` or later (known_paths.h).
  std::vector<std::string> Under(const std::string& dir, Clock::time_point since) const;

  // The node a name leads to when it is one a process can hold with no FUSE handle open (a directory as
  // its working directory or through open(2), which no handle serves attributes for; a FIFO, socket or
  // device, whose opens the kernel keeps to itself), else 0. Its file is kept (Keep) if the name goes.
  uint64_t HeldWithoutHandle(uint64_t parent, const std::string& name) const;
  // The branch file of a node that just lost its last name through the union (an O_PATH descriptor), so
  // fstat and fchmod on a descriptor a process still holds keep working, as on a local filesystem;
  // `writable`: the branch is written in place. Ignored while the node has a name. Dropped with the node.
  struct Kept {
    std::shared_ptr<Fd> fd;
    bool writable = false;
  };
  void Keep(uint64_t nodeid, Kept kept);
  Kept KeptFile(uint64_t nodeid) const;

  void Unlinked(uint64_t parent, const std::string& name);
  // A rename through the union (the entry that was at the target, if any, loses that name; with
  // `exchange` the two swap).
  void Renamed(uint64_t from_parent, const std::string& from, uint64_t to_parent, const std::string& to, bool exchange);

  // The branch file a handle is on, by device and inode number (ino 0: not known, as for a handle the
  // engine serves).
  struct FileId {
    uint64_t dev = 0, ino = 0;
    bool operator==(const FileId& o) const { return dev == o.dev && ino == o.ino; }
  };
  struct OpenIo {
    int32_t backing = 0;  // > 0: pass through to this backing id, else the page cache
    // The node passes through to another file than this open's (a copy-up made this one since, after
    // its branch turned read-only, or the file was replaced in its branch), and the kernel would take
    // neither another backing file nor the page cache for it. The open was not counted, and the node
    // gave up its names, so that the name is looked up afresh as a node of its own.
    bool retired = false;
  };
  // An open handle, and how its I/O runs: a node's opens all go through the kernel's page cache or all
  // pass through to one backing file (the kernel refuses a mix, and a second backing file). `backing`
  // registers one for this open, when the node has none and may pass through (`eligible`): > 0 on
  // success. `file` names the handle's branch file; it is asked only while the node passes through,
  // or is about to.
  OpenIo Opened(uint64_t nodeid, bool eligible, const std::function<FileId()>& file,
                const std::function<int32_t()>& backing);
  struct Release {
    bool unlink_hidden = false;  // the last handle of a node whose name is a hidden one (see Hide)
    int32_t close_backing = 0;   // the backing id no open handle uses any more
  };
  Release Released(uint64_t nodeid, bool passed_through);
  // Whether to prefill the node's page cache (prefill.h): not while it passes through, nor again
  // until a READ from its start shows the kernel no longer holds what the last prefill stored.
  bool Fill(uint64_t nodeid);
  void Unfilled(uint64_t nodeid);
  // The node was renamed to a hidden name to outlive an unlink while open. True when no open is left (or
  // no node): its last release came while it was being hidden, and found nothing to unlink then.
  bool MarkHidden(uint64_t nodeid);
  // The node goes by a hidden name no branch holds (an O_TMPFILE's, requests.cc): as hidden, but its
  // last release has no name to unlink.
  void MarkUnnamed(uint64_t nodeid);
  // linkat(2) named a node that went by the hidden name `hidden` in `hidden_parent` (an unnamed file, or
  // one hidden while open: requests.cc): it goes by `name` in `parent` instead, and nothing is unlinked
  // at its last release. False, and nothing changed, for a node not hidden.
  bool Named(uint64_t nodeid, uint64_t hidden_parent, const std::string& hidden, uint64_t parent,
             const std::string& name);
  // A GETATTR without a handle found the node's name gone from the union: true once per lookup of it,
  // for ESTALE (requests.cc).
  bool TellStale(uint64_t nodeid);

 private:
  struct Name {
    uint64_t parent;
    std::string name;
    bool operator==(const Name& o) const { return parent == o.parent && name == o.name; }
  };
  struct Node {
    uint64_t ino = 0;
    uint64_t lookups = 0;
    std::vector<Name> names;
    int opens = 0;
    int passthrough_opens = 0;
    int32_t backing = 0;
    FileId backing_file;  // the file `backing` passes through to
    bool hidden = false;
    bool unnamed = false;  // hidden, by a name no branch holds
    bool own_inode = false;
    bool filled = false;
    bool told_stale = false;
    mode_t type = 0;
    Kept kept;
    Clock::time_point seen;  // the last Ref
  };
  using Key = std::pair<uint64_t, std::string>;
  // The directory's id spread over every bit (Fibonacci hashing), so one name in many directories, and
  // many names in one, land apart. A hash, not a tree: a lookup is one probe however many names the
  // kernel holds.
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string>()(k.second) ^ (k.first * 0x9e3779b97f4a7c15ULL);
    }
  };

  // Caller holds mutex_. Detach: the name leaves the table; Unname: the node's list of names.
  void Detach(const Name& name);
  // Takes the node off its names and its inode number: a lookup of those makes another node.
  void Unindex(uint64_t nodeid, Node& node);
  void Unname(uint64_t nodeid, const Name& name);
  std::optional<std::string> PathLocked(uint64_t nodeid, int depth) const;
  std::optional<std::string> PathThrough(const Name& name, int depth) const;

  mutable std::mutex mutex_;
  NodeSlots<Node> nodes_;
  FlatMap<uint64_t, uint64_t> by_ino_;  // shared nodes only
  FlatMap<Key, uint64_t, KeyHash> entries_;
};

}  // namespace strata
