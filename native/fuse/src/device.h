// /dev/fuse for one mount: requests are read from it, and replies and notifications written to it,
// whole, one write each (the kernel takes a message only in one piece).
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "kernel_abi.h"

namespace strata {

// Where a request's reply goes: /dev/fuse, or the io_uring entry the request came in (ring_loop.cc).
class ReplyTo {
 public:
  // Error 0 with the payload pieces, or a positive errno and nothing.
  virtual void Reply(uint64_t unique, std::initializer_list<struct iovec> payload) const = 0;
  virtual void Fail(uint64_t unique, int error) const = 0;
  // What the request left to let go once its reply is out (Request::after_reply): /dev/fuse replies
  // are out when Reply returns, so by default it goes at once.
  virtual void AfterReply(std::vector<std::shared_ptr<const void>>) const {}

 protected:
  ~ReplyTo() = default;
};

class Device : public ReplyTo {
 public:
  explicit Device(int fd) : fd_(fd) {}
  int fd() const { return fd_; }

  // One request into buf: its length, 0 at unmount, or -errno (-EINTR, -EAGAIN: try again).
  ssize_t Read(char* buf, size_t size) const;

  void Reply(uint64_t unique, std::initializer_list<struct iovec> payload) const override;
  void Fail(uint64_t unique, int error) const override;

  // Notifications: 0, or the positive errno (ENOENT: the kernel holds nothing for it).
  int InvalInode(uint64_t nodeid, int64_t off, int64_t len) const;
  int InvalEntry(uint64_t parent, const std::string& name) const;
  // `len` bytes of the node's data at `off`, put in its page cache (prefill.h).
  int Store(uint64_t nodeid, uint64_t off, const char* data, size_t len) const;

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
