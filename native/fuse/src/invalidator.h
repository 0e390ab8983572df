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
// union's last change to it.
//
// These invalidations run on this thread, never on a FUSE request thread or the JS thread: the kernel
// may wait on pages, or a directory, locked by a request in flight. (The ops invalidate only what
// their own request cannot hold: the other names of a hard link, and a name after an xattr change.)
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dir_attrs.h"
#include "dir_layer.h"
#include "known_paths.h"
#include "session.h"

namespace strata {

class Invalidator {
 public:
  using Clock = std::chrono::steady_clock;
  // Tells JS that what `rel` merges changed in a branch, and returns once its resolver dropped what it
  // held for `rel` and below.
  using Changed = std::function<void(const std::string& rel)>;

  Invalidator(std::shared_ptr<Session> session, KnownPaths& known, DirAttrs& dirs);
  ~Invalidator() { Stop(); }

  void Start(Changed changed);
  // Joins the thread; nothing is invalidated or reported after it returns.
  void Stop();

  // Any thread. `layers`: union directory `rel`'s copies, as published (dir_layer.h).
  void Watch(const std::string& rel, const DirLayers& layers);
  void MarkSelf(const std::string& path);
  // Does every copy of union directory `dir` have a watch, so that a change made directly in a
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
  // IsSelf, remembering the path for a late invalidation.
  bool Masked(const std::string& path);
  void Prune();

  std::shared_ptr<Session> session_;
  KnownPaths& known_;
  DirAttrs& dirs_;
  Changed changed_;
  int inotify_ = -1;
  int wake_ = -1;  // eventfd: watches to add, or stop
  std::thread thread_;
  bool stopping_ = false;
  bool warned_ = false;
  std::set<std::string> masked_;  // paths whose events were taken for the union's own (thread only)

  std::mutex mutex_;                              // guards everything below
  std::unordered_map<int, std::string> watched_;  // wd -> union directory
  struct DirWatch {
    int active = 0;
    bool failed = false;
  };
  std::unordered_map<std::string, DirWatch> dirs_watched_;
  bool overflowed_ = false;
  Pending pending_;  // (union dir, branch copy) to watch
  std::unordered_map<std::string, Clock::time_point> self_;
};

}  // namespace strata
