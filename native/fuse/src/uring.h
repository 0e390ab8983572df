// One small io_uring with 128-byte submission entries, driven by the thread that owns it: what the
// FUSE ring threads need (ring_loop.cc), through the raw syscalls (Debian 12 has no liburing headers).
#pragma once
#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>

namespace strata {

class Uring {
 public:
  Uring() = default;
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;
  ~Uring();

  // 0, or -errno (ENOSYS: no io_uring; EPERM: io_uring_disabled).
  int Open(unsigned entries);

  // The next free submission entry, zeroed; Push() queues it for the next Wait().
  struct io_uring_sqe* Next();
  void Push();
  // Submits what was pushed: 0 or -errno.
  int Submit() { return Enter(0); }
  // Submits what was pushed and waits for at least one completion: 0 or -errno (-EINTR).
  int Wait() { return Enter(1); }
  // The oldest completion, if any.
  bool Pop(uint64_t* user_data, int32_t* res);

 private:
  int Enter(unsigned wait);

  int fd_ = -1;
  void* sq_map_ = nullptr;
  size_t sq_len_ = 0;
  void* cq_map_ = nullptr;
  size_t cq_len_ = 0;
  void* sqes_ = nullptr;
  size_t sqes_len_ = 0;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_mask_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned* cq_mask_ = nullptr;
  struct io_uring_cqe* cqes_ = nullptr;
  unsigned pushed_ = 0;
};

}  // namespace strata
