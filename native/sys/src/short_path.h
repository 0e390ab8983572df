// A branch path may be longer than PATH_MAX: a union path may itself be almost PATH_MAX long, and the
// branch root comes on top. The kernel refuses such a string, so the directory holding most of it is
// opened and the rest is named through /proc/self/fd. Opens a directory: pool threads only.
// (main/node/union/bytePaths.ts does the same for Node's fs.)
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <string>

namespace strata {

class ShortPath {
 public:
  explicit ShortPath(const std::string& path) {
    if (path.size() < PATH_MAX) {
      short_ = path;
      return;
    }
    // Room for "/proc/self/fd/N/" in front of the rest.
    size_t slash = path.find('/', path.size() - (PATH_MAX - kPrefixRoom));
    if (slash == std::string::npos || slash == 0 || slash >= PATH_MAX) {
      error_ = ENAMETOOLONG;
      return;
    }
    fd_ = open(path.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) {
      error_ = errno;
      return;
    }
    short_ = "/proc/self/fd/" + std::to_string(fd_) + path.substr(slash);
  }
  ~ShortPath() {
    if (fd_ >= 0) close(fd_);
  }
  ShortPath(const ShortPath&) = delete;
  ShortPath& operator=(const ShortPath&) = delete;

  // 0, or why the path cannot be reached (the syscall is then not to be made).
  int error() const { return error_; }
  const char* c_str() const { return short_.c_str(); }

 private:
  static constexpr size_t kPrefixRoom = 64;
  std::string short_;
  int fd_ = -1;
  int error_ = 0;
};

// Calls `syscall` with a form of `path` the kernel accepts. Like a syscall, it fails with -1 and errno
// when the path cannot be reached.
template <typename Syscall>
auto WithShortPath(const std::string& path, Syscall&& syscall) -> decltype(syscall("")) {
  ShortPath reachable(path);
  if (reachable.error() != 0) {
    errno = reachable.error();
    return -1;
  }
  return syscall(reachable.c_str());
}

}  // namespace strata
