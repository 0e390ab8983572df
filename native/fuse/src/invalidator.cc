#include "invalidator.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "lookup_rule.h"
#include "union_path.h"

namespace strata {
namespace {

// Watches are added through /proc/self/fd/N of the copy opened beneath its branch root: that magic link
// leads to the opened directory itself, whatever its path names now. IN_DONT_FOLLOW would watch the
// link instead (and IN_ONLYDIR then refuses it), so it is left out; nothing is resolved by name.
constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_MODIFY |
                           IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr uint32_t kNameChanges = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
// A quiet directory's (invalidator.h): no event a read or write of a file in it would raise.
constexpr uint32_t kQuietMask = kMask & ~(IN_MODIFY | IN_ATTRIB);
constexpr auto kQuietLinger = std::chrono::seconds(1);
// How long the union's own change to a path masks branch events for it: the kernel's attribute
// timeout bounds what a masked external change can cost.
constexpr auto kSelfWindow = std::chrono::seconds(1);
constexpr auto kPruneEvery = std::chrono::seconds(1);
constexpr auto kGather = std::chrono::milliseconds(2);
constexpr int kMaskedCheckMs = 250;

// An event for a change of attributes alone (not of data, names, or the watched copy's place).
bool AttributesOnly(uint32_t mask) { return (mask & (kMask & ~IN_ONLYDIR)) == IN_ATTRIB; }

bool StartsWith(const std::string& s, const char* prefix) { return s.compare(0, strlen(prefix), prefix) == 0; }

// `fd`'s file handle (struct file_handle, as bytes), or "" when its filesystem gives none.
std::string HandleOf(int fd) {
  std::string bytes(sizeof(struct file_handle) + MAX_HANDLE_SZ, '\0');
  auto* fh = reinterpret_cast<struct file_handle*>(bytes.data());
  fh->handle_bytes = MAX_HANDLE_SZ;
  int mount_id;
  if (name_to_handle_at(fd, "", fh, &mount_id, AT_EMPTY_PATH) < 0) return "";
  bytes.resize(sizeof(struct file_handle) + fh->handle_bytes);
  return bytes;
}

}  // namespace

Invalidator::Invalidator(std::shared_ptr<Session> session, KnownPaths& known, DirAttrs& dirs)
    : session_(std::move(session)), known_(known), dirs_(dirs) {}

void Invalidator::Start(double attr_timeout, Changed changed) {
  changed_ = std::move(changed);
  attrs_outlive_linger_ = attr_timeout > std::chrono::duration<double>(kQuietLinger).count();
  quiets_ = geteuid() == 0;
  inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ < 0)
    fprintf(stderr, "strata: inotify unavailable (%s): branch changes show after the cache timeout\n", strerror(errno));
  wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread(&Invalidator::Run, this);
}

void Invalidator::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  uint64_t one = 1;
  if (write(wake_, &one, sizeof one) < 0) perror("strata: eventfd");
  thread_.join();
  if (inotify_ >= 0) close(inotify_);
  close(wake_);
  pending_.clear();
}

void Invalidator::Watch(const std::string& rel, const DirLayers& layers) {
  if (inotify_ < 0) return;
  // Opening a copy may block on its branch: never on the JS thread, so it is done by the thread.
  bool idle;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    idle = pending_.empty();
    for (const auto& layer : layers) pending_.emplace_back(rel, layer);
  }
  uint64_t one = 1;
  if (idle && write(wake_, &one, sizeof one) < 0) perror("strata: eventfd");
}

void Invalidator::MarkSelf(const std::string& path) {
  if (inotify_ < 0) return;
  size_t slash = path.rfind('/');
  std::string parent = slash == std::string::npos || path == "/" ? "" : slash == 0 ? "/" : path.substr(0, slash);
  auto now = Clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  *self_.TryEmplace(path).first = now;
  if (!parent.empty()) *parent_times_.TryEmplace(parent).first = now;
}

bool Invalidator::Masked(const std::string& path, int wd, const std::string& name) {
  if (!IsSelf(path)) return false;
  MaskedPath& masked = Remember(path);
  if (wd < 0) {
    masked.other = true;
    return true;
  }
  MaskedName event{wd, name};
  if (std::find(masked.names.begin(), masked.names.end(), event) == masked.names.end())
    masked.names.push_back(std::move(event));
  return true;
}

bool Invalidator::KernelAgrees(const std::string& path, const std::vector<MaskedName>& names,
                               std::map<int, int>& copies) {
  uint64_t held = session_->nodes.Find(path);
  for (const auto& [wd, name] : names) {
    auto [it, added] = copies.try_emplace(wd, -1);
    if (added) it->second = OpenCopy(wd);
    // A copy whose watch went was removed (an rm -rf's directories): a name in it shows nowhere.
    if (it->second == -ENOENT && held == 0) continue;
    if (it->second < 0) return false;
    struct stat st;
    bool there = fstatat(it->second, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    // A whiteout there hides the name; one gone from there tells nothing by itself.
    if (StartsWith(name, ".wh.")) {
      if (there && held != 0) return false;
      continue;
    }
    if (there != (held != 0)) return false;
    // The name the kernel holds must lead to the very object its node is: one put there directly in
    // the branch, over the union's own, is news.
    if (there && !(dirs_.Known(&st) && st.st_ino == session_->nodes.InoOf(held))) return false;
  }
  return true;
}

bool Invalidator::IsSelf(const std::string& path) { return Within(self_, path); }

bool Invalidator::MaskedTimes(const std::string& dir) {
  if (!Within(parent_times_, dir)) return false;
  Remember(dir).other = true;
  return true;
}

Invalidator::MaskedPath& Invalidator::Remember(const std::string& path) {
  auto [masked, added] = masked_.TryEmplace(path);
  if (added) masked_order_.emplace_back(Clock::now(), path);
  return *masked;
}

void Invalidator::CheckMasked(Batch& batch) {
  auto now = Clock::now(), due = now - kSelfWindow;
  std::vector<std::string> ready;
  {
    // One lock for them all: the FUSE threads take it at every change they make.
    std::lock_guard<std::mutex> lock(mutex_);
    while (!masked_order_.empty() && masked_order_.front().first < due) {
      std::string path = std::move(masked_order_.front().second);
      masked_order_.pop_front();
      // Changed by the union again since: its new window must pass too.
      if (MarkedSince(self_, path, due) || MarkedSince(parent_times_, path, due))
        masked_order_.emplace_back(now, std::move(path));
      else
        ready.push_back(std::move(path));
    }
  }
  std::map<int, int> copies;
  for (const std::string& path : ready) {
    const MaskedPath& masked = *masked_.Find(path);
    // A name made directly in a branch in the second after the union removed it would stay hidden
    // behind the kernel's negative dentry for the whole entry timeout. The union's own names (a
    // create, a copy-up, an unlink, a rename) are as the kernel holds them: their dentries and
    // directory's cached attributes stay, and where names were all that changed, the attributes and
    // pages of the object the kernel holds there too (a notification saved for each name a rename made).
    if (!masked.names.empty() && !KernelAgrees(path, masked.names, copies)) {
      batch.entries.insert(path);
      batch.attrs.insert(ParentOf(path));
    } else if (masked.other || masked.names.empty()) {
      batch.attrs.insert(path);
    }
    masked_.Erase(path);
  }
  // A burst's table is let go once it is done with.
  if (!ready.empty() && masked_.size() == 0) masked_ = {};
  for (const auto& [wd, fd] : copies)
    if (fd >= 0) close(fd);
}

bool Invalidator::Within(const Marks& marks, const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  return MarkedSince(marks, path, Clock::now() - kSelfWindow);
}

bool Invalidator::MarkedSince(const Marks& marks, const std::string& path, Clock::time_point since) {
  const Clock::time_point* marked = marks.Find(path);
  return marked != nullptr && *marked > since;
}

void Invalidator::AddWatches(Pending pending) {
  for (const auto& [rel, layer] : pending) {
    bool quiet;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quiet = dirs_watched_[rel].quiet;
    }
    // The same inode gives the same wd: re-adding re-points it after a rename.
    int fd = layer->Open();
    int wd = fd < 0 ? -1
                    : inotify_add_watch(inotify_, ("/proc/self/fd/" + std::to_string(fd)).c_str(),
                                        quiet ? kQuietMask : kMask);
    if (wd < 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      dirs_watched_[rel].failed = true;
    }
    if (wd < 0) {
      if (errno == ENOSPC && !warned_) {
        warned_ = true;
        fprintf(stderr,
                "strata: inotify watch limit reached (raise fs.inotify.max_user_watches); changes made directly in "
                "branches may take up to the cache timeout to show\n");
      }
      continue;
    }
    // A copy watched before under the same wd keeps the handle it was given then.
    auto seen = watched_.find(wd);
    if (seen != watched_.end() && seen->second.dir == rel && !seen->second.handle.empty()) continue;
    Watched watched{rel, layer->root(), quiets_ ? HandleOf(fd) : std::string()};
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, added] = watched_.try_emplace(wd, watched);
    if (!added) {
      if (it->second.dir != rel) {
        Unwatched(it->second.dir, wd);
        added = true;
      }
      it->second = std::move(watched);
    }
    if (added) {
      dirs_watched_[rel].active++;
      dirs_watched_[rel].wds.push_back(wd);
    }
  }
}

void Invalidator::Unwatched(const std::string& dir, int wd) {
  DirWatch& d = dirs_watched_[dir];
  d.active--;
  d.wds.erase(std::remove(d.wds.begin(), d.wds.end(), wd), d.wds.end());
}

bool Invalidator::Watches(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (overflowed_) return false;
  auto it = dirs_watched_.find(dir);
  return it != dirs_watched_.end() && it->second.active > 0 && !it->second.failed && !it->second.quiet;
}

void Invalidator::Opened(uint64_t fh, const std::string& dir, bool passed_through) {
  if (inotify_ < 0 || !quiets_) return;
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    handles_[fh] = {dir, passed_through};
    DirWatch& d = dirs_watched_[dir];
    int& count = passed_through ? d.passed_through : d.cached;
    if (!passed_through) d.paged = true;
    // The first passthrough handle quiets the watches; the first cached one must restore them now.
    wake = ++count == 1 && (passed_through ? d.cached == 0 && !d.quiet : d.quiet);
    if (wake) requiet_.insert(dir);
  }
  uint64_t one = 1;
  if (wake && write(wake_, &one, sizeof one) < 0) perror("strata: eventfd");
}

void Invalidator::Released(uint64_t fh) {
  if (inotify_ < 0 || !quiets_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = handles_.find(fh);
  if (it == handles_.end()) return;
  auto [dir, passed_through] = it->second;
  handles_.erase(it);
  DirWatch& d = dirs_watched_[dir];
  if (passed_through && --d.passed_through == 0) d.idle_since = Clock::now();
  if (!passed_through && --d.cached == 0 && d.passed_through > 0) requiet_.insert(dir);
}

int Invalidator::OpenCopy(int wd) {
  auto it = watched_.find(wd);
  if (it == watched_.end()) return -ENOENT;
  Watched& copy = it->second;
  if (copy.handle.empty()) return -1;
  // A copy removed meanwhile has no handle to open (ESTALE), and its watch is going anyway.
  auto* fh = reinterpret_cast<struct file_handle*>(copy.handle.data());
  // The root is held O_PATH, which open_by_handle_at takes for no filesystem (EBADF).
  int on = openat(copy.root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = on < 0 ? -1 : open_by_handle_at(on, fh, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (on >= 0) close(on);
  return fd;
}

void Invalidator::SetMask(const std::string& dir, uint32_t mask) {
  std::vector<int> wds;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wds = dirs_watched_[dir].wds;
  }
  for (int wd : wds) {
    int fd = OpenCopy(wd);
    if (fd < 0) continue;
    // Re-adding the same inode replaces its watch's mask, under the same wd; a new wd means the old
    // watch went (its IN_IGNORED is queued), and the new one is not wanted.
    int now = inotify_add_watch(inotify_, ("/proc/self/fd/" + std::to_string(fd)).c_str(), mask);
    if (now >= 0 && now != wd) inotify_rm_watch(inotify_, now);
    close(fd);
  }
}

void Invalidator::Requiet(bool all, Batch& batch) {
  struct Change {
    bool quiet, paged;
  };
  std::map<std::string, Change> changes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::set<std::string> dirs;
    dirs.swap(requiet_);
    auto now = Clock::now();
    auto weigh = [&](const std::string& dir, DirWatch& d) {
      bool quiet = d.passed_through > 0 && d.cached == 0;
      if (quiet == d.quiet) return;
      if (!quiet && d.cached == 0 && now - d.idle_since < kQuietLinger) return;
      // Quiet from now on for KeepCache, but not whole again before the full watches are back.
      if (quiet) {
        d.quiet = true;
        quiet_.insert(dir);
      }
      if (changes.try_emplace(dir, Change{quiet, d.paged}).second && !quiet) d.paged = false;
    };
    for (const std::string& dir : dirs) weigh(dir, dirs_watched_[dir]);
    if (all)
      for (const std::string& dir : quiet_) weigh(dir, dirs_watched_[dir]);
  }
  for (const auto& [dir, change] : changes) {
    SetMask(dir, change.quiet ? kQuietMask : kMask);
    if (change.quiet) continue;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      DirWatch& d = dirs_watched_[dir];
      d.quiet = false;
      quiet_.erase(dir);
      // A passthrough handle opened while the watches were coming back found them quiet and asked
      // for nothing.
      if (d.passed_through > 0 && d.cached == 0) requiet_.insert(dir);
    }
    if (!change.paged && !attrs_outlive_linger_) continue;
    // What changed in the branches while the watches were quiet went unseen.
    batch.attrs.insert(dir);
    std::string prefix = dir == "/" ? "/" : dir + "/";
    for (KnownPath& k : known_.Under(dir))
      if (k.path.size() > prefix.size() && k.path.find('/', prefix.size()) == std::string::npos)
        batch.attrs.insert(std::move(k.path));
  }
}

void Invalidator::ReadEvents(Batch& batch) {
  alignas(struct inotify_event) char buf[64 * 1024];
  auto merge_changed = [&](const std::string& dir) {
    batch.merges.insert(dir);
    for (KnownPath& k : known_.Under(dir)) batch.entries.insert(std::move(k.path));
  };
  for (;;) {
    ssize_t n = read(inotify_, buf, sizeof buf);
    if (n <= 0) return;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(p);
      p += sizeof *ev + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          overflowed_ = true;
        }
        merge_changed("/");
        continue;
      }
      auto it = watched_.find(ev->wd);
      if (it == watched_.end()) continue;
      if (ev->mask & IN_IGNORED) {
        std::lock_guard<std::mutex> lock(mutex_);
        Unwatched(it->second.dir, ev->wd);
        watched_.erase(it);
        continue;
      }
      const std::string& dir = it->second.dir;
      if (ev->len == 0) {
        // The watched copy itself: its attributes (its mark among them), or it went away.
        if (Masked(dir) || (AttributesOnly(ev->mask) && MaskedTimes(dir))) continue;
        for (const auto& copy : dirs_.Layers(dir)) copy->ForgetMark();
        batch.attrs.insert(dir);
        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) merge_changed(dir);
        continue;
      }
      std::string name = ev->name;
      if (StartsWith(name, ".wh..wh.")) {
        // The opaque marker: what the directory merges changed. The other names there (the union's
        // work directory, which the first copy-up that needs it makes in a branch's root; aufs' own)
        // hide nothing and show nowhere: taken for a marker, the work directory's making threw away
        // every directory the union had resolved, and sent the requests that came next to the engine.
        if (name == kOpaqueMarker && !IsSelf(dir)) merge_changed(dir);
        continue;
      }
      bool whiteout = StartsWith(name, ".wh.");
      std::string path = Join(dir, whiteout ? name.substr(4) : name);
      bool renamed = ev->mask & kNameChanges;
      if (Masked(path, renamed || whiteout ? ev->wd : -1, name) ||
          ((ev->mask & IN_ISDIR) && AttributesOnly(ev->mask) && MaskedTimes(path)))
        continue;
      if (renamed || whiteout) {
        batch.entries.insert(path);
        batch.attrs.insert(dir);
      } else {
        batch.attrs.insert(path);
      }
      if (whiteout || (renamed && (ev->mask & IN_ISDIR))) merge_changed(path);
    }
  }
}

void Invalidator::Prune() {
  auto cutoff = Clock::now() - kSelfWindow;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto* marks : {&self_, &parent_times_})
    marks->EraseIf([&](const std::string&, Clock::time_point marked) { return marked < cutoff; });
}

void Invalidator::Run() {
  pthread_setname_np(pthread_self(), "strata-inval");
  auto next_prune = Clock::now() + kPruneEvery, next_masked_check = Clock::now();
  for (;;) {
    struct pollfd fds[2] = {{wake_, POLLIN, 0}, {inotify_, POLLIN, 0}};
    int rc = poll(fds, inotify_ >= 0 ? 2 : 1, kMaskedCheckMs);
    if (rc < 0 && errno != EINTR) perror("strata: poll");
    uint64_t count;
    if (fds[0].revents & POLLIN && read(wake_, &count, sizeof count) < 0 && errno != EAGAIN) perror("strata: eventfd");

    Batch batch;
    Pending pending;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      pending.swap(pending_);
    }
    if (!pending.empty()) AddWatches(std::move(pending));
    if (inotify_ >= 0 && (fds[1].revents & POLLIN)) {
      // Let a burst (the union's own creates, mostly) gather: one wake-up reads it all.
      std::this_thread::sleep_for(kGather);
      ReadEvents(batch);
    }
    bool periodic = Clock::now() >= next_masked_check;
    if (inotify_ >= 0 && quiets_) Requiet(periodic, batch);
    // A masked event may have hidden a change made directly in the branch at the same time: once the
    // union has left the path alone for a while, its cached attributes and pages go unless only names
    // changed there and the copies hold them as the kernel does, and where they do not, its dentry and
    // its directory's attributes too. Checked every kMaskedCheckMs, not at every wake-up, and only the
    // paths whose window has passed: a burst of the union's own changes masks thousands of paths, and
    // going over all of them at each gathered batch cost a fifth of the worker's CPU in an rm -rf of
    // 10k files.
    if (periodic) {
      next_masked_check = Clock::now() + std::chrono::milliseconds(kMaskedCheckMs);
      CheckMasked(batch);
    }
    // Caches that would answer the next lookup go first, so it cannot refill the kernel from them, and
    // the kernel's right after: a listing made afresh must not meet a name the kernel still holds.
    for (const std::string& dir : batch.merges) {
      dirs_.Drop(dir);
      if (changed_) changed_(dir);
    }
    for (const std::string& path : batch.entries) session_->InvalidateAll(known_.Get(path));
    for (const std::string& path : batch.attrs) {
      if (batch.entries.count(path) == 0) session_->InvalidatePath(path.c_str());
    }
    if (Clock::now() >= next_prune) {
      Prune();
      known_.Prune();
      next_prune = Clock::now() + kPruneEvery;
    }
  }
}

}  // namespace strata
