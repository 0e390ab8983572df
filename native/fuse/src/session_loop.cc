#include "session_loop.h"

#include <errno.h>
#include <stdlib.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "request.h"

namespace strata {

thread_local Request Request::current;

namespace {

class Loop {
 public:
  Loop(struct fuse_session* se, unsigned max_threads) : se_(se), max_threads_(max_threads) {}

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
    return error_;
  }

 private:
  void Spawn() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (threads_.size() >= max_threads_) return;
    idle_++;
    threads_.emplace_back(&Loop::Worker, this);
  }

  void Worker() {
    struct fuse_buf buf = {};
    while (!fuse_session_exited(se_)) {
      int res = fuse_session_receive_buf(se_, &buf);
      // This thread is busy now; keep one waiting for the next request.
      if (--idle_ == 0) Spawn();
      if (res == -EINTR) {
        idle_++;
        continue;
      }
      if (res <= 0) {
        if (res < 0) error_ = res;
        fuse_session_exit(se_);
        break;
      }
      // A spliced request (a large write) leaves its header in the pipe; lookups and listings are
      // always small enough to arrive in memory.
      if (!(buf.flags & FUSE_BUF_IS_FD)) {
        const auto* header = static_cast<const struct fuse_in_header*>(buf.mem);
        Request::current = Request{header->opcode, header->nodeid};
      }
      fuse_session_process_buf(se_, &buf);
      Request::current = Request{};
      idle_++;
    }
    free(buf.mem);
  }

  struct fuse_session* se_;
  const unsigned max_threads_;
  std::atomic<int> idle_{0};
  std::atomic<int> error_{0};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

}  // namespace

int RunSessionLoop(struct fuse_session* se, unsigned max_threads) { return Loop(se, max_threads).Run(); }

}  // namespace strata
