// FUSE over io_uring: the kernel puts each request in a ring entry of the queue of the CPU its caller
// runs on, and wakes the thread that registered the entry. That thread is pinned to the same CPU, so
// serving a request takes no wake-up across CPUs, which /dev/fuse reads cost on every request.
//
// Each thread owns one small io_uring and one entry: a thread that waits for JS holds only its own
// entry. A queue starts with one thread and grows by one whenever all of its threads are busy, as the
// /dev/fuse loop does. FORGET and INTERRUPT still come through /dev/fuse, and so does everything
// until every queue has an entry.
#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace strata {

class Mount;

class RingLoop {
 public:
  // Threads one queue may grow to.
  static constexpr unsigned kPerQueue = 16;
  // The kernel's queues: one per possible CPU.
  static unsigned Queues();
  // The in-flight slots (mount.in_flight()) the ring's threads may take, from first_slot on.
  static size_t Slots() { return Queues() * kPerQueue; }

  RingLoop(Mount& mount, size_t first_slot);
  ~RingLoop();

  // After the INIT reply (the kernel refuses entries before it): one thread per queue.
  void Start();
  // Wakes every ring thread and joins it.
  void Stop();

 private:
  struct Queue {
    std::atomic<int> idle{0};
    unsigned threads = 0;
  };
  void Spawn(unsigned qid);
  void Worker(unsigned qid, size_t slot);

  Mount& mount_;
  const size_t first_slot_;
  const int stop_fd_;
  std::unique_ptr<Queue[]> queues_;
  std::mutex mutex_;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace strata
