// The file handles open on a mount, with the branch descriptor the ops handed over (OpenedHandle.fd)
// when they did: reads and writes on those run as pread/pwrite on the FUSE thread, without JS, and so
// does getattr on the handle when the ops also gave the union's inode number for it, and attribute
// changes when the ops said the file's branch takes them.
// Also tells file handles apart from directory ones: on a directory's fchmod/fchown/futimens libfuse
// passes its own internal handle, which must not reach the ops as an fh.
#pragma once
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace strata {

struct OpenFile {
  static constexpr int kServedByJs = -1;
  static constexpr uint64_t kNoIno = 0;
  int fd = kServedByJs;
  uint64_t ino = kNoIno;
  bool attrs = false;           // attribute changes on the handle may run on fd (DirectHandle.attrs)
  bool passed_through = false;  // the kernel does its reads and writes (FUSE passthrough)
};

class OpenFiles {
 public:
  // `path`: where the handle was opened; attribute-capable handles are also found by it.
  void Add(uint64_t fh, OpenFile file, const std::string& path) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    files_[fh] = file;
    if (file.attrs) by_path_[path] = fh;
  }
  void Remove(uint64_t fh) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    files_.erase(fh);
    for (auto it = by_path_.begin(); it != by_path_.end();) it = it->second == fh ? by_path_.erase(it) : std::next(it);
  }
  void PassedThrough(uint64_t fh) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = files_.find(fh);
    if (it != files_.end()) it->second.passed_through = true;
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

  // The kernel sends fchmod, fchown and futimens by path, without the handle (only ftruncate carries
  // it), so an open, attribute-capable handle of the same path stands in for it.
  OpenFile ByPath(const char* path) const {
    if (path == nullptr) return OpenFile{};
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (by_path_.empty()) return OpenFile{};
    auto it = by_path_.find(path);
    if (it == by_path_.end()) return OpenFile{};
    auto file = files_.find(it->second);
    return file == files_.end() ? OpenFile{} : file->second;
  }

  // After a rename through the union: handles follow their file; one the target replaced no longer
  // has a path.
  void Renamed(const std::string& from, const std::string& to) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (by_path_.empty()) return;
    std::vector<std::pair<std::string, uint64_t>> moved;
    for (auto it = by_path_.begin(); it != by_path_.end();) {
      if (Below(it->first, to)) {
        it = by_path_.erase(it);
      } else if (Below(it->first, from)) {
        moved.emplace_back(to + it->first.substr(from.size()), it->second);
        it = by_path_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [path, fh] : moved) by_path_[path] = fh;
  }

  void Unlinked(const std::string& path) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    by_path_.erase(path);
  }

 private:
  static bool Below(const std::string& path, const std::string& dir) {
    return path.compare(0, dir.size(), dir) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
  }

  mutable std::shared_mutex mutex_;
  std::unordered_map<uint64_t, OpenFile> files_;
  std::unordered_map<std::string, uint64_t> by_path_;
};

}  // namespace strata
