#include "session_loop.h"

#include <errno.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "mount.h"
#include "request.h"
#include "requests.h"
#include "ring_loop.h"

namespace strata {

thread_local Request Request::current;

namespace {

uint32_t Opcode(const char* request) { return reinterpret_cast<const struct fuse_in_header*>(request)->opcode; }

class Loop {
 public:
  Loop(Mount& mount, unsigned max_threads) : mount_(mount), max_threads_(max_threads), ring_(mount, max_threads) {}

  int Run() {
    Spawn();
    // Threads join in order; one spawned later is in the vector before the earlier one returns.
    for (size_t i = 0;; i++) {
      std::thread thread;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (i == threads_.size()) break;
        thread = std::move(threads_[i]);
      }
      thread.join();
    }
    ring_.Stop();
    return error_;
  }

 private:
  void Spawn() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (threads_.size() >= max_threads_ || exited_) return;
    idle_++;
    threads_.emplace_back(&Loop::Worker, this, threads_.size());
  }

  void Worker(size_t slot) {
    std::vector<char> buf(RequestBufferSize(mount_.config()));
    while (!exited_) {
      ssize_t n = mount_.device().Read(buf.data(), buf.size());
      // This thread is busy now; keep one waiting for the next request.
      if (--idle_ == 0 && n > 0) Spawn();
      if (n == -EINTR || n == -EAGAIN || n == -ENOENT) {
        idle_++;
        continue;
      }
      if (n <= 0) {
        if (n < 0) error_ = static_cast<int>(n);
        exited_ = true;
        break;
      }
      mount_.in_flight().Start(slot);
      if (!Serve(mount_, mount_.device(), buf.data(), static_cast<size_t>(n))) exited_ = true;
      mount_.in_flight().End(slot);
      // The kernel takes ring entries only once it has the INIT reply.
      if (Opcode(buf.data()) == FUSE_INIT && mount_.UsesRing()) ring_.Start();
      idle_++;
    }
  }

  Mount& mount_;
  const unsigned max_threads_;
  std::atomic<int> idle_{0};
  std::atomic<int> error_{0};
  std::atomic<bool> exited_{false};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  RingLoop ring_;
};

}  // namespace

int RunSessionLoop(Mount& mount, unsigned max_threads) { return Loop(mount, max_threads).Run(); }

}  // namespace strata
