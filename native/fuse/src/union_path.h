// Union paths as the ops see them: absolute, "/" for the root, no trailing slash.
#pragma once
#include <string>

namespace strata {

// The directory holding `path` ("/" for a name in the root).
inline std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace strata
