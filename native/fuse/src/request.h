// The request a FUSE thread is serving: who asked (for the ops that make entries as the caller) and
// which mount serves it.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace strata {

class Mount;

struct Request {
  Mount* mount = nullptr;
  uint32_t opcode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  mode_t umask = 0;
  // Let go once the reply is written. A removed directory's last descriptor is one: closing it has the
  // branch's filesystem free the inode, which the caller need not wait for.
  std::vector<std::shared_ptr<const void>> after_reply;

  static thread_local Request current;
};

}  // namespace strata
