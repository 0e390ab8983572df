#include "beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string_view>
#include <vector>

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
struct open_how {
  __u64 flags;
  __u64 mode;
  __u64 resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

namespace strata {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) close(fd_);
}

namespace {

constexpr unsigned kResolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
// Longest string one openat2 accepts (PATH_MAX counts the terminating NUL).
constexpr size_t kChunk = PATH_MAX - 1;
constexpr int kDirFlags = O_PATH | O_DIRECTORY;

int Openat2(int dir, const char* path, int flags, mode_t mode) {
  struct open_how how = {};
  how.flags = static_cast<unsigned>(flags | O_CLOEXEC);
  // openat2 refuses a mode that nothing will use, and type bits (a FUSE create's mode has S_IFREG).
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode & 07777) : 0;
  how.resolve = kResolve;
  // EAGAIN: a rename somewhere raced the lookup's checks; asking again is the documented answer.
  for (int tries = 0;; tries++) {
    long fd = syscall(SYS_openat2, dir, path, &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN || tries == 16) return static_cast<int>(fd);
  }
}

// Components of rel; empty ones (leading or doubled slashes) are skipped.
int Split(const std::string& rel, std::vector<std::string_view>* parts) {
  std::string_view rest(rel);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty()) continue;
    if (part == "." || part == "..") return EINVAL;
    parts->push_back(part);
  }
  return 0;
}

// Opens parts[0..n) from root: every chunk but the last as a directory, the last with flags. With n == 0
// that is root itself, opened again as ".".
int OpenParts(int root, const std::vector<std::string_view>& parts, size_t n, int flags, mode_t mode) {
  if (n == 0) return Openat2(root, ".", flags, mode);
  Fd held;
  int dir = root;
  std::string chunk;
  for (size_t k = 0; k < n; k++) {
    if (!chunk.empty() && chunk.size() + 1 + parts[k].size() > kChunk) {
      int next = Openat2(dir, chunk.c_str(), kDirFlags, 0);
      if (next < 0) return -1;
      held = Fd(next);
      dir = next;
      chunk.clear();
    }
    if (!chunk.empty()) chunk += '/';
    chunk += parts[k];
  }
  return Openat2(dir, chunk.c_str(), flags, mode);
}

}  // namespace

int OpenBeneath(int root, const std::string& rel, int flags, mode_t mode) {
  std::vector<std::string_view> parts;
  if (int err = Split(rel, &parts)) {
    errno = err;
    return -1;
  }
  return OpenParts(root, parts, parts.size(), flags, mode);
}

int OpenParent(int root, const std::string& rel, Parent* out) {
  std::vector<std::string_view> parts;
  if (int err = Split(rel, &parts)) return err;
  if (parts.empty()) {
    out->owned = Fd();
    out->dir = root;
    out->leaf = ".";
    return 0;
  }
  out->leaf = std::string(parts.back());
  if (parts.size() == 1) {
    out->owned = Fd();
    out->dir = root;
    return 0;
  }
  int dir = OpenParts(root, parts, parts.size() - 1, kDirFlags, 0);
  if (dir < 0) return errno;
  out->owned = Fd(dir);
  out->dir = dir;
  return 0;
}

}  // namespace strata
