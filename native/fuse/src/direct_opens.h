// Which files the FUSE threads may open themselves (file_ops.cc), as the engine allows through
// ResolvedDirs.directOpens: none while moveonenospc is on, since the engine must be able to move every
// handle; and of the rest, which branch roots it writes in place, so that their handles take attribute
// changes on the descriptor and may pass through, as the engine's own DirectHandle.attrs says.
#pragma once
#include <algorithm>
#include <shared_mutex>
#include <vector>

namespace strata {

class DirectOpens {
 public:
  // JS thread. `enabled` false: no open is made here.
  void Set(bool enabled, std::vector<int> in_place) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    enabled_ = enabled;
    in_place_ = std::move(in_place);
  }
  bool Enabled() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return enabled_;
  }
  bool InPlace(int root) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return std::find(in_place_.begin(), in_place_.end(), root) != in_place_.end();
  }

 private:
  mutable std::shared_mutex mutex_;
  bool enabled_ = false;
  std::vector<int> in_place_;
};

}  // namespace strata
