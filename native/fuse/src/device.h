// /dev/fuse for one mount: requests are read from it, and replies and notifications written to it,
// whole, one write each (the kernel takes a message only in one piece).
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "kernel_abi.h"

namespace strata {

class Device {
 public:
  explicit Device(int fd) : fd_(fd) {}
  int fd() const { return fd_; }

  // One request into buf: its length, 0 at unmount, or -errno (-EINTR, -EAGAIN: try again).
  ssize_t Read(char* buf, size_t size) const;

  // A reply: error 0 with the payload pieces, or a positive errno and nothing.
  void Reply(uint64_t unique, std::initializer_list<struct iovec> payload) const;
  void Fail(uint64_t unique, int error) const;

  // Notifications: 0, or the positive errno (ENOENT: the kernel holds nothing for it).
  int InvalInode(uint64_t nodeid, int64_t off, int64_t len) const;
  int InvalEntry(uint64_t parent, const std::string& name) const;

 private:
  int Send(int32_t error, uint64_t unique, std::initializer_list<struct iovec> payload) const;
  int fd_;
};

template <typename T>
struct iovec Piece(const T& value) {
  return {const_cast<T*>(&value), sizeof(T)};
}
inline struct iovec Piece(const void* data, size_t size) { return {const_cast<void*>(data), size}; }

}  // namespace strata
