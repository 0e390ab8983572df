// A reader that, once done with a request, keeps reading the device without sleeping for a few tens of
// microseconds, so that the next request of a busy client is taken the moment it is queued rather than
// after a sleeping reader is woken on another CPU (a new name's stat on a VM: 15.3 µs a call with
// sleeping readers alone, 12.2–13.9 with one spinning). One thread spins at a time, on a non-blocking
// clone of the device (a request read from the clone is answered on it), and it lets go of the
// spinning while it serves, so a request that waits on JS or on a stuck branch holds its thread alone.
// While one caller keeps calling, no thread sleeps on the device meanwhile (session_loop.cc: the
// kernel would wake it for every request, only for it to find the request taken).
//
// How long it spins adapts to the gaps between requests, much as the kernel's halt-polling does: a
// request that came a little after the spinner gave up widens the window (up to kLongest); one that
// came later than any window would reach narrows it if the spin before took nothing (down to none),
// and leaves it if it did (a pause in a busy stream, the end of a burst). So a union whose requests
// come further apart than kLongest soon costs no spinning. Between reads it yields the CPU to whatever
// else is ready to run there.
#pragma once
#include <errno.h>
#include <sched.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "counters.h"
#include "device.h"

namespace strata {

class SpinReader {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kShortest = std::chrono::microseconds(4);
  static constexpr Clock::duration kLongest = std::chrono::microseconds(50);
  // A request after a longer gap ends a quiet spell, which says nothing of how long to spin.
  static constexpr Clock::duration kQuiet = std::chrono::milliseconds(10);

  // Off where `enabled` is false or the device cannot be cloned (a user who mounted through fusermount3
  // may not be allowed to open /dev/fuse). Each read of the clone is counted in `counters`.
  SpinReader(const Device& device, bool enabled, Counters& counters);
  ~SpinReader();
  SpinReader(const SpinReader&) = delete;
  SpinReader& operator=(const SpinReader&) = delete;

  // By a thread done with a request. Unless another thread spins or the window is shut, reads the
  // clone without sleeping and serves each request with `serve(clone, length)` (false: the connection
  // is over), until a window passes with none. false once the connection is over.
  template <typename Serve>
  bool Spin(char* buf, size_t size, Serve&& serve) {
    if (!Begin()) return true;
    bool caught = false;
    for (;;) {
      counters_.Count(Counters::kSpinReads);
      ssize_t n = clone_->Read(buf, size);
      if (n > 0) {
        spinning_.store(false, std::memory_order_release);
        if (!serve(*clone_, static_cast<size_t>(n))) return false;
        caught = true;
        if (spinning_.exchange(true, std::memory_order_acquire)) return true;
        deadline_ = Clock::now() + window_.load(std::memory_order_relaxed);
        continue;
      }
      if (n == 0) return End(false, caught);
      // Any error but an empty queue is the sleeping readers' to meet.
      if (n != -EAGAIN || Clock::now() > deadline_) return End(true, caught);
      sched_yield();
    }
  }

  bool Enabled() const { return clone_ != nullptr; }
  // Whether a thread done with a request spins now: not once requests come too far apart.
  bool WindowOpen() const { return Enabled() && window_.load(std::memory_order_relaxed) != Clock::duration::zero(); }
  // Whether a thread reads the clone now (not while it serves what it read).
  bool Spinning() const { return spinning_.load(std::memory_order_acquire); }
  // Grows with every read of the clone: still, while nobody spins.
  uint64_t Reads() const { return counters_.Ops(Counters::kSpinReads); }

  // By a sleeping reader that was woken for a request: widens or narrows the window by how long after
  // the last spin it came.
  void Woke();

 private:
  bool Begin();
  bool End(bool go_on, bool caught);

  std::unique_ptr<Device> clone_;
  std::atomic<Clock::duration> window_{kLongest};
  // When the last spin ended, or a thread finished a request with the window shut; kAtWork while a
  // spinner reads or serves what it read; Clock's epoch before the first.
  static constexpr Clock::time_point kAtWork = Clock::time_point::max();
  std::atomic<Clock::time_point> idle_since_{};
  // Whether the last spin took any request.
  std::atomic<bool> caught_{false};
  std::atomic<bool> spinning_{false};
  Counters& counters_;
  // Only the thread that holds spinning_ reads or sets it.
  Clock::time_point deadline_;
};

}  // namespace strata
