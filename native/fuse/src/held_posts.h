// Posts to the JS thread that nothing needs at once, held back so that a burst of them wakes that
// thread once instead of once each: a copy-up made on a FUSE thread tells JS of it (copy_up.cc), and on
// a 2-core machine waking JS for every copy of a small file cost a third of the copy-ups' throughput.
// Held posts go, in the order they were held, before the next call that enters JS (Flush), or kHoldFor
// after the first of them, whichever is first: so JS still sees each before anything asked of it later.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace strata {

template <typename Post>
class HeldPosts {
 public:
  static constexpr auto kHoldFor = std::chrono::milliseconds(20);
  using Send = std::function<void(Post)>;

  explicit HeldPosts(Send send, std::chrono::milliseconds hold_for = kHoldFor)
      : send_(std::move(send)), hold_for_(hold_for) {}
  ~HeldPosts() { Stop(); }
  HeldPosts(const HeldPosts&) = delete;
  HeldPosts& operator=(const HeldPosts&) = delete;

  // Any thread. The thread that sends them late starts with the first post held.
  void Hold(Post post) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) {
      send_(std::move(post));
      return;
    }
    held_.push_back(std::move(post));
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    // Only the first starts the clock; waking the thread for each of a burst would cost what holding
    // them saves.
    if (held_.size() == 1) {
      first_ = Clock::now();
      wake_.notify_one();
    }
  }

  // Any thread: every post held so far is sent when this returns. The lock is held while sending, so
  // a Flush that finds nothing still waits for one sending, and what it sends next comes after.
  void Flush() {
    std::lock_guard<std::mutex> lock(mutex_);
    SendHeld();
  }

  // Sends what is held; posts held afterwards are sent at once.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    Flush();
  }

 private:
  using Clock = std::chrono::steady_clock;

  void SendHeld() {
    for (Post& post : held_) send_(std::move(post));
    held_.clear();
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopped_) {
      if (held_.empty()) {
        wake_.wait(lock);
      } else if (!wake_.wait_until(lock, first_ + hold_for_, [this] { return stopped_ || held_.empty(); })) {
        SendHeld();
      }
    }
  }

  Send send_;
  std::chrono::milliseconds hold_for_;
  std::mutex mutex_;  // guards everything below, and is held while sending
  std::condition_variable wake_;
  std::vector<Post> held_;
  Clock::time_point first_;  // when the oldest held post was held
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace strata
