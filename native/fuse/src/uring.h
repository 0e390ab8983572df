// One small io_uring with 128-byte submission entries, driven by the thread that owns it: what the
// FUSE ring threads need (ring_loop.cc), through the raw syscalls (Debian 12 has no liburing headers).
#pragma once
#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>

namespace strata {

// The kernel's values and layout, spelled here because headers before Linux 5.19 (Ubuntu 22.04's)
// lack 128-byte entries and IORING_OP_URING_CMD.
constexpr uint32_t kSetupSqe128 = 1U << 10;
constexpr uint8_t kOpPollAdd = 6;
constexpr uint8_t kOpUringCmd = 46;

struct UringSqe {
  uint8_t opcode;
  uint8_t flags;
  uint16_t ioprio;
  int32_t fd;
  uint32_t cmd_op;
  uint32_t pad1;
  uint64_t addr;
  uint32_t len;
  uint32_t op_flags;  // poll32_events for IORING_OP_POLL_ADD
  uint64_t user_data;
  uint16_t buf_index;
  uint16_t personality;
  int32_t splice_fd_in;
  uint8_t cmd[80];  // IORING_OP_URING_CMD's own argument
};
static_assert(sizeof(UringSqe) == 128, "an IORING_SETUP_SQE128 entry");

class Uring {
 public:
  Uring() = default;
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;
  ~Uring();

  // 0, or -errno (ENOSYS: no io_uring; EPERM: io_uring_disabled).
  int Open(unsigned entries);

  // The next free submission entry, zeroed; Push() queues it for the next Wait().
  UringSqe* Next();
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
