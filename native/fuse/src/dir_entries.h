// A directory's entries read through a descriptor the caller keeps (an O_PATH one will do): the listing
// is opened afresh from it, never by path.
#pragma once
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string_view>

namespace strata {

// fn(name, d_type) for each entry but "." and "..". false if the directory could not be read to the end.
template <class Fn>
bool ReadEntries(int dir_fd, Fn fn) {
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    close(fd);
    return false;
  }
  errno = 0;
  while (struct dirent* e = readdir(dir)) {
    std::string_view name(e->d_name);
    if (name != "." && name != "..") fn(name, e->d_type);
  }
  bool ok = errno == 0;
  closedir(dir);
  return ok;
}

}  // namespace strata
