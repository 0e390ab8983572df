// Keeps the kernel's caches true to the branches. One thread per mount watches (inotify) every branch
// copy of each directory the union's resolver holds, and turns a change made there behind the union's
// back into invalidations of the union paths it affects: attributes and page cache of the name, the
// directory's attributes for a change of its entries, and the native and JS directory caches when a
// directory's merge changed (a copy, whiteout or opaque marker appeared or went).
//
// Changes the union makes itself are marked by the ops and not echoed back at once: the kernel already
// knows about them, and invalidating every file the union just created or is writing would cost a
// getattr per create and the page cache of every file written. A change made directly in a branch to
// the same name within a second of the union's own change is only invalidated a second after the
// union's last change to it, its dentry too where the copies those events came from no longer hold the
// name as the kernel does (or hold another object under it). Where only names changed and the copies
// agree, nothing is: those were the union's own.
//
// These invalidations run on this thread, never on a FUSE request thread or the JS thread: the kernel
// may wait on pages, or a directory, locked by a request in flight. (The ops invalidate only what
// their own request cannot hold: the other names of a hard link, and a name after an xattr change.)
//
// Quiet directories. A watch for IN_MODIFY or IN_ATTRIB makes the kernel send every read and write of
// a file in that directory through fsnotify's check of its parent, and queue an event per write: 3-5%
// of a 4 KiB read, 13% of a 4 KiB write. While files of a union directory are open through FUSE
// passthrough and none without it, its watches leave those two events out: passthrough keeps those
// files' data true to the branch, and the kernel updates their size on the union's own writes. A
// change made directly in a branch to the attributes of a file there (its size after an append
// included) then shows after the attribute timeout. A handle without passthrough in the directory
// (whose pages the kernel caches) restores the full watches at once; the last passthrough handle's
// release does so a second later (kQuietLinger), so a run of short opens does not flip them. What the
// kernel may hold of the directory's files is invalidated then, since events were missed meanwhile:
// their pages, if any was opened without passthrough since the last restore, and their attributes, if
// the attribute timeout is longer than the linger (with a shorter one, those cached while quiet have
// expired by then).
#pragma once
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "coarse_clock.h"
#include "dir_attrs.h"
#include "dir_layer.h"
#include "flat_map.h"
#include "known_paths.h"
#include "session.h"

namespace strata {

class Invalidator {
 public:
  using Clock = CoarseClock;
  // Tells JS that what `rel` merges changed in a branch, and returns once its resolver dropped what it
  // held for `rel` and below.
  using Changed = std::function<void(const std::string& rel)>;

  Invalidator(std::shared_ptr<Session> session, KnownPaths& known, DirAttrs& dirs);
  ~Invalidator() { Stop(); }

  // `attr_timeout`: the kernel's, in seconds.
  void Start(double attr_timeout, Changed changed);
  // Joins the thread; nothing is invalidated or reported after it returns.
  void Stop();

  // Any thread. `layers`: union directory `rel`'s copies, as published (dir_layer.h).
  void Watch(const std::string& rel, const DirLayers& layers);
  // The union changes `path`. Events for it within a second are its own, and so are events for its
  // parent directory's attributes alone: a copy-up puts back the times of the directory it copies into
  // (copy_up.cc, parentTimes.ts), which the kernel did not see change and need not read again.
  void MarkSelf(const std::string& path);
  // A file handle the kernel was given, in union directory `dir`, and its release (any thread).
  void Opened(uint64_t fh, const std::string& dir, bool passed_through);
  void Released(uint64_t fh);
  // Does every copy of union directory `dir` have a full watch, so that a change made directly in a
  // branch to a file in it is sure to be invalidated? Never again after events were lost.
  bool Watches(const std::string& dir);

 private:
  void Run();
  using Pending = std::vector<std::pair<std::string, std::shared_ptr<DirLayer>>>;
  void AddWatches(Pending pending);
  // What a batch of work invalidates.
  struct Batch {
    std::set<std::string> attrs;    // attributes and data of these paths
    std::set<std::string> entries;  // and their dentries too
    std::set<std::string> merges;   // directories whose merge changed
  };
  void ReadEvents(Batch& batch);
  bool IsSelf(const std::string& path);
  // A name made or removed, in the copy watch `wd` watches: an event taken for the union's own.
  struct MaskedName {
    int wd;
    std::string name;
    bool operator==(const MaskedName& o) const { return wd == o.wd && name == o.name; }
  };
  // IsSelf, remembering the path for a late invalidation and, where `wd` >= 0, the name event: `name`
  // in the copy watch `wd` watches.
  bool Masked(const std::string& path, int wd = -1, const std::string& name = "");
  // The same for an event on directory `dir`'s attributes alone, once the union changed a name in it.
  bool MaskedTimes(const std::string& dir);
  // A masked path's events: the names made or removed, and whether anything else changed.
  struct MaskedPath {
    std::vector<MaskedName> names;
    bool other = false;  // an event besides names made or removed: the data or attributes changed
  };
  // `path`'s entry among the masked ones, made and queued for its check if it had none.
  MaskedPath& Remember(const std::string& path);
  // The late invalidation of the masked paths whose window has passed (the comment in Run).
  void CheckMasked(Batch& batch);
  using Marks = FlatMap<std::string, Clock::time_point>;
  // Does the kernel hold a node for `path` exactly where its masked name events left a name in their
  // copies (a whiteout: none), and is that node the object there? `copies`: the copies opened so far,
  // by wd (OpenCopy's).
  bool KernelAgrees(const std::string& path, const std::vector<MaskedName>& names, std::map<int, int>& copies);
  // The copy watch `wd` watches, reopened by its handle (O_PATH); -ENOENT once the watch went, -1 when
  // it cannot be reopened.
  int OpenCopy(int wd);
  // Was `path` marked within the last kSelfWindow?
  bool Within(const Marks& marks, const std::string& path);
  // Was it marked after `since` (under mutex_)?
  static bool MarkedSince(const Marks& marks, const std::string& path, Clock::time_point since);
  void Prune();
  // Quiets or restores the watches of the directories that asked (`all`: every quiet one too, for
  // the lingering restores). Thread only.
  void Requiet(bool all, Batch& batch);
  void SetMask(const std::string& dir, uint32_t mask);
  // Watch `wd` no longer serves union directory `dir` (under mutex_).
  void Unwatched(const std::string& dir, int wd);

  std::shared_ptr<Session> session_;
  KnownPaths& known_;
  DirAttrs& dirs_;
  Changed changed_;
  bool attrs_outlive_linger_ = false;
  // Only root can reopen a copy by its handle, and only root mounts pass files through.
  bool quiets_ = false;
  int inotify_ = -1;
  int wake_ = -1;  // eventfd: watches to add, or stop
  std::thread thread_;
  bool stopping_ = false;
  bool warned_ = false;
  // Paths whose events were taken for the union's own, with their name events, and the same paths in
  // the order they were first masked, with when, so a check visits only those whose window has passed
  // (thread only).
  FlatMap<std::string, MaskedPath> masked_;
  std::deque<std::pair<Clock::time_point, std::string>> masked_order_;

  struct Watched {
    std::string dir;  // the union directory
    // The copy, to change its watch's mask once it may be published no more: its branch root and file
    // handle (holding its descriptor would keep one open per directory ever watched).
    int root = -1;
    std::string handle;
  };
  std::unordered_map<int, Watched> watched_;  // by wd (thread only)

  std::mutex mutex_;  // guards everything below
  struct DirWatch {
    int active = 0;
    bool failed = false;
    // Handles open on files in it, with and without passthrough, and the watches' state.
    int passed_through = 0, cached = 0;
    bool quiet = false;
    bool paged = false;  // a file was opened without passthrough since the last restore
    std::vector<int> wds;
    Clock::time_point idle_since;  // when the last passthrough handle was released
  };
  std::unordered_map<std::string, DirWatch> dirs_watched_;
  bool overflowed_ = false;
  Pending pending_;                                                     // (union dir, branch copy) to watch
  std::unordered_map<uint64_t, std::pair<std::string, bool>> handles_;  // fh -> (dir, passed through)
  std::set<std::string> requiet_;  // directories whose handles changed what their watches should be
  std::set<std::string> quiet_;    // the quiet directories, whose lingering restores are checked
  Marks self_;                     // paths the union changed, when
  Marks parent_times_;             // the directories they are in, when
};

}  // namespace strata
