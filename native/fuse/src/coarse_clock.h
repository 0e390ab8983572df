// The clocks a request reads (when a node was last handed to the kernel, whether a directory's
// publication still stands, when the union last changed a path, when the request was taken): the
// kernel's coarse clocks, which the vDSO reads from memory in ~5 ns where the precise ones take ~29 ns
// here, more when their cache lines are cold (four to six reads a request). They trail the precise
// clocks by up to one tick (kLag, a jiffy: 1-10 ms), so a deadline that must not be passed is set a
// tick early, and a horizon that must not be missed reaches a tick further back.
#pragma once
#include <time.h>

#include <chrono>
#include <cstdint>

namespace strata {

struct CoarseClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<CoarseClock>;
  static constexpr bool is_steady = true;

  static time_point now() noexcept { return time_point(Read(CLOCK_MONOTONIC_COARSE)); }
  // Milliseconds since the epoch, as Date.now() gives them.
  static int64_t WallMs() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Read(CLOCK_REALTIME_COARSE)).count();
  }
  static inline const duration kLag = [] {
    struct timespec res = {};
    clock_getres(CLOCK_MONOTONIC_COARSE, &res);
    return std::chrono::seconds(res.tv_sec) + std::chrono::nanoseconds(res.tv_nsec);
  }();

 private:
  static duration Read(clockid_t id) noexcept {
    struct timespec ts = {};
    clock_gettime(id, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
};

}  // namespace strata
