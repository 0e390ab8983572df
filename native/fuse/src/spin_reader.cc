#include "spin_reader.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace strata {

SpinReader::SpinReader(const Device& device, bool enabled, Counters& counters) : counters_(counters) {
  if (!enabled) return;
  int fd = open("/dev/fuse", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  uint32_t session = static_cast<uint32_t>(device.fd());
  if (ioctl(fd, FUSE_DEV_IOC_CLONE, &session) != 0) {
    close(fd);
    return;
  }
  clone_ = std::make_unique<Device>(fd);
}

SpinReader::~SpinReader() {
  if (clone_) close(clone_->fd());
}

bool SpinReader::Begin() {
  if (!clone_) return false;
  Clock::duration window = window_.load(std::memory_order_relaxed);
  if (window == Clock::duration::zero()) {
    caught_.store(false, std::memory_order_relaxed);
    idle_since_.store(Clock::now(), std::memory_order_relaxed);
    return false;
  }
  if (spinning_.exchange(true, std::memory_order_acquire)) return false;
  idle_since_.store(kAtWork, std::memory_order_relaxed);
  deadline_ = Clock::now() + window;
  return true;
}

bool SpinReader::End(bool go_on, bool caught) {
  caught_.store(caught, std::memory_order_relaxed);
  idle_since_.store(Clock::now(), std::memory_order_relaxed);
  spinning_.store(false, std::memory_order_release);
  return go_on;
}

void SpinReader::Woke() {
  if (!clone_) return;
  Clock::time_point idle_since = idle_since_.load(std::memory_order_relaxed);
  // A request taken while the spinner served another was not missed by it.
  if (idle_since == kAtWork) return;
  Clock::duration gap = Clock::now() - idle_since;
  if (gap > kQuiet) return;
  Clock::duration window = window_.load(std::memory_order_relaxed);
  if (gap + window <= kLongest)
    window = std::clamp(2 * window, kShortest, kLongest);
  else if (!caught_.load(std::memory_order_relaxed))
    window = window / 2 < kShortest ? Clock::duration::zero() : window / 2;
  window_.store(window, std::memory_order_relaxed);
}

}  // namespace strata
