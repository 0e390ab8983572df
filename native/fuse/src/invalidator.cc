#include "invalidator.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace strata {
namespace {

// Watches are added through /proc/self/fd/N of the copy opened beneath its branch root: that magic link
// leads to the opened directory itself, whatever its path names now. IN_DONT_FOLLOW would watch the
// link instead (and IN_ONLYDIR then refuses it), so it is left out; nothing is resolved by name.
constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_MODIFY |
                           IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr uint32_t kNameChanges = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
// How long the union's own change to a path masks branch events for it: the kernel's attribute
// timeout bounds what a masked external change can cost.
constexpr auto kSelfWindow = std::chrono::seconds(1);
constexpr auto kPruneEvery = std::chrono::seconds(1);
constexpr auto kGather = std::chrono::milliseconds(2);
constexpr int kMaskedCheckMs = 250;

bool StartsWith(const std::string& s, const char* prefix) { return s.compare(0, strlen(prefix), prefix) == 0; }

std::string Child(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

}  // namespace

Invalidator::Invalidator(std::shared_ptr<Session> session, KnownPaths& known, DirAttrs& dirs)
    : session_(std::move(session)), known_(known), dirs_(dirs) {}

void Invalidator::Start(Changed changed) {
  changed_ = std::move(changed);
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
  std::lock_guard<std::mutex> lock(mutex_);
  self_[path] = Clock::now();
}

bool Invalidator::Masked(const std::string& path) {
  if (!IsSelf(path)) return false;
  masked_.insert(path);
  return true;
}

bool Invalidator::IsSelf(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = self_.find(path);
  return it != self_.end() && Clock::now() - it->second < kSelfWindow;
}

void Invalidator::AddWatches(Pending pending) {
  for (const auto& [rel, layer] : pending) {
    // The same inode gives the same wd: re-adding re-points it after a rename.
    int fd = layer->Open();
    int wd = fd < 0 ? -1 : inotify_add_watch(inotify_, ("/proc/self/fd/" + std::to_string(fd)).c_str(), kMask);
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
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, added] = watched_.try_emplace(wd, rel);
    if (!added && it->second != rel) {
      dirs_watched_[it->second].active--;
      it->second = rel;
      added = true;
    }
    if (added) dirs_watched_[rel].active++;
  }
}

bool Invalidator::Watches(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (overflowed_) return false;
  auto it = dirs_watched_.find(dir);
  return it != dirs_watched_.end() && it->second.active > 0 && !it->second.failed;
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
      std::string dir;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = watched_.find(ev->wd);
        if (it == watched_.end()) continue;
        dir = it->second;
        if (ev->mask & IN_IGNORED) {
          dirs_watched_[it->second].active--;
          watched_.erase(it);
          continue;
        }
      }
      if (ev->len == 0) {
        // The watched copy itself: its attributes, or it went away.
        if (Masked(dir)) continue;
        batch.attrs.insert(dir);
        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) merge_changed(dir);
        continue;
      }
      std::string name = ev->name;
      if (StartsWith(name, ".wh..wh.")) {
        // The opaque marker (or other aufs metadata): what the directory merges changed.
        if (!IsSelf(dir)) merge_changed(dir);
        continue;
      }
      bool whiteout = StartsWith(name, ".wh.");
      std::string path = Child(dir, whiteout ? name.substr(4) : name);
      if (Masked(path)) continue;
      bool renamed = ev->mask & kNameChanges;
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
  for (auto it = self_.begin(); it != self_.end();) it = it->second < cutoff ? self_.erase(it) : std::next(it);
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
    // Caches that would answer the next lookup go first, so it cannot refill the kernel from them.
    for (const std::string& dir : batch.merges) {
      dirs_.Drop(dir);
      if (changed_) changed_(dir);
    }
    // A masked event may have hidden a change made directly in the branch at the same time: once the
    // union has left the path alone for a while, its cached attributes and pages go anyway. Checked
    // every kMaskedCheckMs, not at every wake-up: a burst of the union's own changes masks thousands
    // of paths, and going over all of them at each gathered batch cost a fifth of the worker's CPU in
    // an rm -rf of 10k files.
    if (Clock::now() >= next_masked_check) {
      next_masked_check = Clock::now() + std::chrono::milliseconds(kMaskedCheckMs);
      for (auto it = masked_.begin(); it != masked_.end();) {
        if (IsSelf(*it)) {
          ++it;
          continue;
        }
        batch.attrs.insert(*it);
        it = masked_.erase(it);
      }
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
