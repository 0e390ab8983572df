// A directory's entries read through a descriptor the caller keeps (an O_PATH one will do): the listing
// is opened afresh from it, never by path.
#pragma once
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string_view>

namespace strata {

// fn(name, d_type) for each entry of `fd`, a directory opened for reading and not yet read, but "." and
// "..". false if it could not be read to the end. getdents64 straight into a buffer on the stack:
// fdopendir would add an fstat and two fcntl calls, and a heap buffer, to every read of a directory (an
// rmdir reads its copy for its emptiness).
template <class Fn>
bool ReadOpenEntries(int fd, Fn fn) {
  alignas(struct dirent64) char buf[32768];
  ssize_t n;
  while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const struct dirent64*>(buf + at);
      at += e->d_reclen;
      std::string_view name(e->d_name);
      if (name != "." && name != "..") fn(name, e->d_type);
    }
  }
  return n == 0;
}

// As ReadOpenEntries, through a listing opened afresh from `dir_fd`.
template <class Fn>
bool ReadEntries(int dir_fd, Fn fn) {
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool read = ReadOpenEntries(fd, fn);
  close(fd);
  return read;
}

}  // namespace strata
