// The file handles open on a mount, with the branch descriptor the ops handed over (OpenedHandle.fd)
// when they did: reads and writes on those run as pread/pwrite on the FUSE thread, without JS, and so
// does getattr on the handle when the ops also gave the union's inode number for it.
// Also tells file handles apart from directory ones: on a directory's fchmod/fchown/futimens libfuse
// passes its own internal handle, which must not reach the ops as an fh.
#pragma once
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace strata {

struct OpenFile {
  static constexpr int kServedByJs = -1;
  static constexpr uint64_t kNoIno = 0;
  int fd = kServedByJs;
  uint64_t ino = kNoIno;
};

class OpenFiles {
 public:
  void Add(uint64_t fh, OpenFile file) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    files_[fh] = file;
  }
  void Remove(uint64_t fh) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    files_.erase(fh);
  }
  bool Contains(uint64_t fh) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return files_.count(fh) != 0;
  }
  // A handle JS serves, or one unknown, is {kServedByJs, kNoIno}.
  OpenFile Get(uint64_t fh) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = files_.find(fh);
    return it == files_.end() ? OpenFile{} : it->second;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<uint64_t, OpenFile> files_;
};

}  // namespace strata
