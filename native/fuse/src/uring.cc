#include "uring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace strata {

namespace {

void* Map(int fd, size_t len, off_t what) {
  void* map = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, what);
  return map == MAP_FAILED ? nullptr : map;
}

template <typename T>
T* At(void* map, uint32_t offset) {
  return reinterpret_cast<T*>(static_cast<char*>(map) + offset);
}

}  // namespace

Uring::~Uring() {
  if (sqes_ != nullptr) munmap(sqes_, sqes_len_);
  if (cq_map_ != nullptr && cq_map_ != sq_map_) munmap(cq_map_, cq_len_);
  if (sq_map_ != nullptr) munmap(sq_map_, sq_len_);
  if (fd_ >= 0) close(fd_);
}

int Uring::Open(unsigned entries) {
  struct io_uring_params p = {};
  p.flags = kSetupSqe128;
  fd_ = static_cast<int>(syscall(__NR_io_uring_setup, entries, &p));
  if (fd_ < 0) return -errno;
  sq_len_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cq_len_ = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single) sq_len_ = cq_len_ = std::max(sq_len_, cq_len_);
  sq_map_ = Map(fd_, sq_len_, IORING_OFF_SQ_RING);
  if (sq_map_ == nullptr) return -errno;
  cq_map_ = single ? sq_map_ : Map(fd_, cq_len_, IORING_OFF_CQ_RING);
  if (cq_map_ == nullptr) return -errno;
  sqes_len_ = p.sq_entries * sizeof(UringSqe);
  sqes_ = Map(fd_, sqes_len_, IORING_OFF_SQES);
  if (sqes_ == nullptr) return -errno;
  sq_tail_ = At<unsigned>(sq_map_, p.sq_off.tail);
  sq_mask_ = At<unsigned>(sq_map_, p.sq_off.ring_mask);
  sq_array_ = At<unsigned>(sq_map_, p.sq_off.array);
  cq_head_ = At<unsigned>(cq_map_, p.cq_off.head);
  cq_tail_ = At<unsigned>(cq_map_, p.cq_off.tail);
  cq_mask_ = At<unsigned>(cq_map_, p.cq_off.ring_mask);
  cqes_ = At<struct io_uring_cqe>(cq_map_, p.cq_off.cqes);
  return 0;
}

UringSqe* Uring::Next() {
  unsigned index = *sq_tail_ & *sq_mask_;
  UringSqe* sqe = static_cast<UringSqe*>(sqes_) + index;
  memset(sqe, 0, sizeof *sqe);
  sq_array_[index] = index;
  return sqe;
}

void Uring::Push() {
  // Only this thread writes the tail; the kernel reads it once the release makes the entry visible.
  __atomic_store_n(sq_tail_, *sq_tail_ + 1, __ATOMIC_RELEASE);
  pushed_++;
}

int Uring::Enter(unsigned wait) {
  long n = syscall(__NR_io_uring_enter, fd_, pushed_, wait, wait > 0 ? IORING_ENTER_GETEVENTS : 0, nullptr, 0);
  if (n < 0) return -errno;
  pushed_ -= static_cast<unsigned>(n);
  return 0;
}

bool Uring::Pop(uint64_t* user_data, int32_t* res) {
  unsigned head = *cq_head_;
  if (head == __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE)) return false;
  const struct io_uring_cqe& cqe = cqes_[head & *cq_mask_];
  *user_data = cqe.user_data;
  *res = cqe.res;
  __atomic_store_n(cq_head_, head + 1, __ATOMIC_RELEASE);
  return true;
}

}  // namespace strata
