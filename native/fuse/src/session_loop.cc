#include "session_loop.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "mount.h"
#include "request.h"
#include "requests.h"
#include "ring_loop.h"
#include "spin_reader.h"

namespace strata {

thread_local Request Request::current;

namespace {

uint32_t Opcode(const char* request) { return reinterpret_cast<const struct fuse_in_header*>(request)->opcode; }

// How many threads wait in read() on the device at once. The kernel wakes its readers in the order they
// began to wait, so all of them take turns: with the dozens a busy spell leaves behind, each request
// lands on a thread whose stack and caches have gone cold. So a thread done with a request reads again
// only while fewer than this read, and the rest park (the last to park is the first called back). Two
// per CPU: a client's requests overlap in pairs (an OPEN arrives while the last RELEASE is served), and
// with fewer readers than that a parked thread is called back at nearly every request. At most 16: on a
// big machine, more readers than that would again take turns cold.
constexpr unsigned kMostReaders = 16;

unsigned Readers(unsigned max_threads) {
  // The CPUs this worker may run on (taskset, cpusets), not all the machine has.
  cpu_set_t cpus;
  unsigned count =
      sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : std::thread::hardware_concurrency();
  return std::clamp(2 * count, 2u, std::min(kMostReaders, max_threads));
}

class Loop {
 public:
  Loop(Mount& mount, unsigned max_threads)
      : mount_(mount),
        max_threads_(max_threads),
        readers_wanted_(Readers(max_threads)),
        parks_(max_threads),
        ring_(mount, max_threads),
        spin_(mount.device(), mount.config().spin) {}

  int Run() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Spawn();
    }
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
  // A parked thread's call back: set, under mutex_, by the thread that needs another reader.
  struct Park {
    std::condition_variable called;
    bool woken = false;
  };

  // Under mutex_.
  void Spawn() {
    if (threads_.size() >= max_threads_ || exited_) return;
    readers_++;
    threads_.emplace_back(&Loop::Worker, this, threads_.size());
  }

  // This thread took a request: keep one reader waiting for the next, since a request answered by JS
  // holds its thread.
  void Took() {
    if (--readers_ > 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (parked_.empty()) return Spawn();
    size_t slot = parked_.back();
    parked_.pop_back();
    readers_++;
    parks_[slot].woken = true;
    parks_[slot].called.notify_one();
  }

  // Done with a request: read again while too few threads read, else park until called back. false
  // once the connection has ended.
  bool Rejoin(size_t slot) {
    // Most requests end with too few readers: no lock then, where one a request was shared by them all.
    // A reader more than wanted, when a Took raced this, parks after its next request.
    int readers = readers_.load();
    while (readers < static_cast<int>(readers_wanted_))
      if (readers_.compare_exchange_weak(readers, readers + 1)) return !exited_;
    std::unique_lock<std::mutex> lock(mutex_);
    if (exited_) return false;
    if (readers_ < static_cast<int>(readers_wanted_)) {
      readers_++;
      return true;
    }
    Park& park = parks_[slot];
    park.woken = false;
    parked_.push_back(slot);
    park.called.wait(lock, [&] { return park.woken || exited_.load(); });
    return !exited_;
  }

  void Exit(int error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error < 0) error_ = error;
    exited_ = true;
    for (size_t slot : parked_) parks_[slot].called.notify_one();
  }

  void Worker(size_t slot) {
    pthread_setname_np(pthread_self(), "strata-fuse");
    std::vector<char> buf(RequestBufferSize(mount_.config()));
    do {
      ssize_t n = mount_.device().Read(buf.data(), buf.size());
      if (n == -EINTR || n == -EAGAIN || n == -ENOENT) continue;
      if (n <= 0) return Exit(static_cast<int>(n));
      Took();
      spin_.Woke();
      if (!ServeOne(slot, mount_.device(), buf.data(), static_cast<size_t>(n))) return Exit(0);
      // The kernel takes ring entries only once it has the INIT reply.
      if (Opcode(buf.data()) == FUSE_INIT && mount_.UsesRing()) ring_.Start();
      // The ring's threads wait on it, not on the device.
      bool spun = mount_.UsesRing() || spin_.Spin(buf.data(), buf.size(), [&](const Device& clone, size_t len) {
        mount_.counters().Count(Counters::kSpun);
        return ServeOne(slot, clone, buf.data(), len);
      });
      if (!spun) return Exit(0);
      if (!Rejoin(slot)) return;
    } while (!exited_);
  }

  bool ServeOne(size_t slot, const Device& device, char* request, size_t len) {
    mount_.in_flight().Start(slot);
    bool served = Serve(mount_, device, request, len);
    mount_.in_flight().End(slot);
    return served;
  }

  Mount& mount_;
  const unsigned max_threads_;
  const unsigned readers_wanted_;
  // Threads reading the device or about to; the rest serve a request or are parked.
  std::atomic<int> readers_{0};
  std::atomic<int> error_{0};
  std::atomic<bool> exited_{false};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::vector<Park> parks_;
  std::vector<size_t> parked_;
  RingLoop ring_;
  SpinReader spin_;
};

}  // namespace

int RunSessionLoop(Mount& mount, unsigned max_threads) { return Loop(mount, max_threads).Run(); }

}  // namespace strata
