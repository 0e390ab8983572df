// When each loop thread took the request it is serving, or last saw it make headway: a request that
// stands still (a branch that is itself a stuck mount blocks even a native getattr) makes the worker
// report the union hung; a long copy-up that copies chunk after chunk does not.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace strata {

class InFlight {
 public:
  explicit InFlight(size_t slots) : slots_(slots), started_(new std::atomic<int64_t>[slots]) {
    for (size_t i = 0; i < slots_; i++) started_[i] = 0;
  }

  void Start(size_t slot) {
    started_[slot].store(NowMs(), std::memory_order_relaxed);
    Current() = Serving{this, slot};
  }
  void End(size_t slot) {
    started_[slot].store(0, std::memory_order_relaxed);
    Current() = Serving{};
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
      if (now.in_flight != nullptr) now.in_flight->started_[now.slot].store(0, std::memory_order_relaxed);
    }
    ~HandedToEngine() { Progressed(); }
  };

  // Wall-clock milliseconds at which the request being served that has stood still longest was taken or
  // last made headway; 0 when none.
  int64_t OldestSince() const {
    int64_t oldest = 0;
    for (size_t i = 0; i < slots_; i++) {
      int64_t at = started_[i].load(std::memory_order_relaxed);
      if (at != 0 && (oldest == 0 || at < oldest)) oldest = at;
    }
    return oldest;
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
  static int64_t NowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  const size_t slots_;
  std::unique_ptr<std::atomic<int64_t>[]> started_;
};

}  // namespace strata
