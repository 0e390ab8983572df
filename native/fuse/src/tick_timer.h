// A timer a thread waits on, ticking at a fixed period while armed (a timerfd): arming and disarming
// it from another thread wakes nobody.
#pragma once
#include <errno.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <chrono>

namespace strata {

class TickTimer {
 public:
  TickTimer() : fd_(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) {}
  ~TickTimer() {
    if (fd_ >= 0) close(fd_);
  }
  TickTimer(const TickTimer&) = delete;
  TickTimer& operator=(const TickTimer&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Ticks every `period` from one period on.
  void Arm(std::chrono::nanoseconds period) const { Set(period, period); }
  void Disarm() const { Set(std::chrono::nanoseconds::zero(), std::chrono::nanoseconds::zero()); }
  // Ticks once, now.
  void Fire() const { Set(std::chrono::nanoseconds(1), std::chrono::nanoseconds::zero()); }
  // Until the next tick; false if the timer cannot be read.
  bool Wait() const {
    uint64_t ticks;
    for (;;) {
      if (read(fd_, &ticks, sizeof ticks) == static_cast<ssize_t>(sizeof ticks)) return true;
      if (errno != EINTR) return false;
    }
  }

 private:
  void Set(std::chrono::nanoseconds first, std::chrono::nanoseconds period) const {
    struct itimerspec spec = {};
    spec.it_value.tv_sec = first.count() / 1000000000;
    spec.it_value.tv_nsec = first.count() % 1000000000;
    spec.it_interval.tv_sec = period.count() / 1000000000;
    spec.it_interval.tv_nsec = period.count() % 1000000000;
    timerfd_settime(fd_, 0, &spec, nullptr);
  }

  int fd_;
};

}  // namespace strata
