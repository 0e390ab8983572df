// Branch descriptors the ops handed over at open/create (OpenedHandle.fd): read/write on those handles
// run as pread/pwrite on the FUSE thread without a round trip through JS.
#pragma once
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace strata {

class FdTable {
 public:
  void Set(uint64_t fh, int fd) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    fds_[fh] = fd;
  }
  void Erase(uint64_t fh) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    fds_.erase(fh);
  }
  // -1 when the handle is served by JS.
  int Find(uint64_t fh) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = fds_.find(fh);
    return it == fds_.end() ? -1 : it->second;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<uint64_t, int> fds_;
};

}  // namespace strata
