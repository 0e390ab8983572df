// Union paths as the ops see them: absolute, "/" for the root, no trailing slash.
#pragma once
#include <string>

namespace strata {

// The directory holding `path` ("/" for a name in the root).
inline std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Whether `path` is `dir` or a name below it.
inline bool InOrBelow(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.compare(0, dir.size(), dir) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
}

// The name `name` in the directory `dir`.
inline std::string Join(const std::string& dir, const char* name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + name;
}
inline std::string Join(const std::string& dir, const std::string& name) { return Join(dir, name.c_str()); }

}  // namespace strata
