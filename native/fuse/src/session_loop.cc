#include "session_loop.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "mount.h"
#include "request.h"
#include "requests.h"
#include "ring_loop.h"
#include "spin_reader.h"
#include "tick_timer.h"

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

// While a thread spins, a thread asleep on the device would be woken for every request only to find it
// taken (an unlink took 47.6 µs with none asleep, 61.7 with them, interleaved on a slow VM): so none
// sleeps there while one caller keeps calling, and the thread serving its request reads nothing
// meanwhile. Nothing waits on that but the caller itself, unless another caller comes; so that such a
// caller's request never waits long behind one that takes long (a stuck branch, a big copy-up), a
// watch checks every tick while no thread sleeps on the device, and calls a reader once a whole tick
// passed with the device unread: a request waits two ticks at most. A request handed to JS calls one at
// once, and requests from two callers bring back as many readers as without spinning. A tick of the
// watch costs ~15 µs of CPU on a VM.
constexpr std::chrono::milliseconds kWatchTick{1};
// How long after requests last came from two callers the readers stay as many as without spinning.
constexpr std::chrono::milliseconds kCrowdedFor{2};

unsigned Readers(unsigned max_threads) {
  // The CPUs this worker may run on (taskset, cpusets), not all the machine has.
  cpu_set_t cpus;
  unsigned count =
      sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : std::thread::hardware_concurrency();
  return std::clamp(2 * count, 2u, std::min(kMostReaders, max_threads));
}

class Loop {
 public:
  using Clock = std::chrono::steady_clock;

  Loop(Mount& mount, unsigned max_threads)
      : mount_(mount),
        max_threads_(max_threads),
        readers_wanted_(Readers(max_threads)),
        parks_(max_threads),
        ring_(mount, max_threads),
        spin_(mount.device(), mount.config().spin && watch_timer_.ok(), mount.counters()) {}

  int Run() {
    std::thread watch;
    if (spin_.Enabled()) {
      mount_.in_flight().OnHanded([this] { HandedToEngine(); });
      watch = std::thread(&Loop::Watch, this);
    }
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
    if (watch.joinable()) {
      watch_timer_.Fire();
      watch.join();
      mount_.in_flight().OnHanded(nullptr);
    }
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

  // Under mutex_: a parked thread, or a new one, reads the device.
  void CallReader() {
    if (parked_.empty()) return Spawn();
    size_t slot = parked_.back();
    parked_.pop_back();
    readers_++;
    parks_[slot].woken = true;
    parks_[slot].called.notify_one();
  }

  // Whether the readers may dwindle to none while a thread spins (see kWatchTick): not while requests
  // come too far apart for it to spin, when a reader asleep is woken only for a request it takes.
  bool Solo() const {
    return spin_.WindowOpen() && !mount_.UsesRing() && Clock::now().time_since_epoch().count() >= crowded_until_.load();
  }

  // This thread took a request: keep one reader waiting for the next, since a request answered by JS
  // holds its thread; or, solo, have the watch check that some thread reads.
  void Took() {
    if (--readers_ > 0) return;
    if (Solo()) return ArmWatch();
    std::lock_guard<std::mutex> lock(mutex_);
    CallReader();
  }

  // The watch ticks from the Took that left no reader until a tick finds one; a request costs no call
  // on the timer while it ticks.
  void ArmWatch() {
    if (watch_armed_.load()) return;
    std::lock_guard<std::mutex> lock(watch_mutex_);
    ArmWatchLocked();
  }

  // Under watch_mutex_.
  void ArmWatchLocked() {
    if (watch_armed_) return;
    watch_timer_.Arm(kWatchTick);
    watch_armed_ = true;
  }

  // Requests from two callers (threads) close together may come at once: then one thread serving
  // them all would keep each waiting on the others, so as many readers as without spinning.
  void NoteCaller(const char* request) {
    uint32_t pid = reinterpret_cast<const struct fuse_in_header*>(request)->pid;
    // The kernel's own requests (FORGET) name none.
    if (pid == 0) return;
    // Most requests come from the caller before them: no write to the shared word then.
    if (last_caller_.load(std::memory_order_relaxed) == pid) return;
    uint32_t last = last_caller_.exchange(pid, std::memory_order_relaxed);
    if (last == 0 || last == pid) return;
    crowded_until_.store((Clock::now() + kCrowdedFor).time_since_epoch().count());
    // One reader for the next caller while this thread serves; the others rejoin as they finish.
    if (readers_.load() > 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (readers_ == 0 && !exited_) CallReader();
  }

  // A request this thread serves waits on JS from here: solo, it may be the only thread that would
  // read the next.
  void HandedToEngine() {
    if (!Solo() || readers_.load() > 0 || spin_.Spinning()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (readers_ == 0 && !exited_) CallReader();
  }

  // The watch (kWatchTick).
  void Watch() {
    pthread_setname_np(pthread_self(), "strata-watch");
    uint64_t seen = 0;
    bool fresh = true;
    while (watch_timer_.Wait() && !exited_) {
      if (readers_.load() > 0) {
        std::lock_guard<std::mutex> lock(watch_mutex_);
        watch_timer_.Disarm();
        watch_armed_ = false;
        // A Took that found it still armed before this may have left no reader since.
        if (readers_.load() == 0) ArmWatchLocked();
        fresh = true;
        continue;
      }
      uint64_t reads = spin_.Reads();
      if (fresh || reads != seen) {
        seen = reads;
        fresh = false;
        continue;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (readers_ == 0 && !exited_) CallReader();
      fresh = true;
    }
  }

  // Done with a request: read again while too few threads read, else park until called back. false
  // once the connection has ended.
  bool Rejoin(size_t slot) {
    // Solo, one reader at most, and none while a thread spins.
    bool solo = Solo();
    int wanted = solo ? (spin_.Spinning() ? 0 : 1) : static_cast<int>(readers_wanted_);
    // Most requests end with too few readers: no lock then, where one a request was shared by them all.
    // A reader more than wanted, when a Took raced this, parks after its next request.
    int readers = readers_.load();
    while (readers < wanted)
      if (readers_.compare_exchange_weak(readers, readers + 1)) return !exited_;
    std::unique_lock<std::mutex> lock(mutex_);
    if (exited_) return false;
    if (readers_ < wanted) {
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
    watch_timer_.Fire();
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
    if (spin_.Enabled()) NoteCaller(request);
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
  TickTimer watch_timer_;
  // Whether watch_timer_ ticks: set under watch_mutex_, read without it first.
  std::atomic<bool> watch_armed_{false};
  std::mutex watch_mutex_;
  SpinReader spin_;
  // The last request's caller, and when requests from more than one stop being close together (clock
  // ticks since its epoch): solo again from then.
  std::atomic<uint32_t> last_caller_{0};
  std::atomic<Clock::rep> crowded_until_{0};
};

}  // namespace

int RunSessionLoop(Mount& mount, unsigned max_threads) { return Loop(mount, max_threads).Run(); }

}  // namespace strata
