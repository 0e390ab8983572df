// When each loop thread took the request it is serving, or last saw it make headway: a request that
// stands still (a branch that is itself a stuck mount blocks even a native getattr) makes the worker
// report the union hung; a long copy-up that copies chunk after chunk does not. A request that waits on
// a disk (an fsync writing much dirty data to a slow one) names it, and the worker asks that disk
// whether it is moving (worker/diskHeadway.ts).
#pragma once
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "coarse_clock.h"

namespace strata {

class InFlight {
 public:
  explicit InFlight(size_t slots)
      : slots_(slots), started_(new std::atomic<int64_t>[slots]), devices_(new std::atomic<uint64_t>[slots]) {
    for (size_t i = 0; i < slots_; i++) started_[i] = 0, devices_[i] = 0;
  }

  void Start(size_t slot) {
    devices_[slot].store(0, std::memory_order_relaxed);
    started_[slot].store(NowMs(), std::memory_order_relaxed);
    Current() = Serving{this, slot};
  }
  void End(size_t slot) {
    started_[slot].store(0, std::memory_order_relaxed);
    Current() = Serving{};
  }
  // The request this thread serves waits on I/O to the device `dev` from here on.
  static void WaitsOn(dev_t dev) {
    const Serving& now = Current();
    if (now.in_flight != nullptr) now.in_flight->devices_[now.slot].store(dev, std::memory_order_relaxed);
  }
  // The request this thread serves made headway: its clock starts again.
  static void Progressed() {
    const Serving& now = Current();
    if (now.in_flight != nullptr) now.in_flight->started_[now.slot].store(NowMs(), std::memory_order_relaxed);
  }

  // While this thread waits for the engine, the request is the engine's to time (its clock,
  // worker/pendingRequests.ts, sees a long copy-up's headway; this slot would not): the slot stands
  // aside, and its clock starts again when the answer comes.
  class HandedToEngine {
   public:
    HandedToEngine() {
      const Serving& now = Current();
      if (now.in_flight == nullptr) return;
      now.in_flight->started_[now.slot].store(0, std::memory_order_relaxed);
      if (now.in_flight->on_handed_) now.in_flight->on_handed_();
    }
    ~HandedToEngine() { Progressed(); }
  };

  // Called on the serving thread as a request is handed to the engine (the session loop's, which may
  // want another thread to read meanwhile). Set before the FUSE threads start and after they end.
  void OnHanded(std::function<void()> fn) { on_handed_ = std::move(fn); }

  struct Standing {
    int64_t since;    // wall-clock ms at which it was taken or last made headway
    uint64_t device;  // the dev_t it waits on, 0 for none
  };
  // Every request being served here.
  std::vector<Standing> Requests() const {
    std::vector<Standing> out;
    for (size_t i = 0; i < slots_; i++) {
      int64_t at = started_[i].load(std::memory_order_relaxed);
      if (at != 0) out.push_back(Standing{at, devices_[i].load(std::memory_order_relaxed)});
    }
    return out;
  }

 private:
  struct Serving {
    InFlight* in_flight = nullptr;
    size_t slot = 0;
  };
  static Serving& Current() {
    static thread_local Serving serving;
    return serving;
  }
  static int64_t NowMs() { return CoarseClock::WallMs(); }

  const size_t slots_;
  std::unique_ptr<std::atomic<int64_t>[]> started_;
  std::unique_ptr<std::atomic<uint64_t>[]> devices_;
  std::function<void()> on_handed_;
};

}  // namespace strata
