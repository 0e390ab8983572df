// The file handles open on a mount, with the branch descriptor the ops handed over (OpenedHandle.fd)
// when they did: reads and writes on those run as pread/pwrite on the FUSE thread, without JS.
// Also tells file handles apart from directory ones: on a directory's fchmod/fchown/futimens libfuse
// passes its own internal handle, which must not reach the ops as an fh.
#pragma once
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace strata {

class OpenFiles {
 public:
  static constexpr int kServedByJs = -1;

  void Add(uint64_t fh, int fd) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    fds_[fh] = fd;
  }
  void Remove(uint64_t fh) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    fds_.erase(fh);
  }
  bool Contains(uint64_t fh) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return fds_.count(fh) != 0;
  }
  // kServedByJs unless the ops handed over a descriptor.
  int Fd(uint64_t fh) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = fds_.find(fh);
    return it == fds_.end() ? kServedByJs : it->second;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<uint64_t, int> fds_;
};

}  // namespace strata
