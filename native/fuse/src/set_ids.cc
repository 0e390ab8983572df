// Set-ID bits the server drops under FUSE_HANDLE_KILLPRIV_V2 (requests.cc says when the kernel asks),
// by the rule the kernel applies on a local filesystem (setattr_should_drop_suidgid), and the
// set-group-ID bit an ACL change drops (FUSE_SETXATTR_ACL_KILL_SGID).
#include <errno.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ops.h"
#include "request.h"

namespace strata::op {

namespace {

// Is the caller in group `gid`, as its own or a supplementary group? Root counts as in every group,
// as CAP_FSETID lets it keep the bit. A caller already gone counts as outside.
bool CallerInGroup(gid_t gid) {
  const Request& caller = Request::current;
  if (caller.uid == 0 || caller.gid == gid) return true;
  if (caller.pid <= 0) return false;
  std::ifstream status("/proc/" + std::to_string(caller.pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.compare(0, 7, "Groups:") != 0) continue;
    std::istringstream groups(line.substr(7));
    for (gid_t g; groups >> g;)
      if (g == gid) return true;
    return false;
  }
  return false;
}

}  // namespace

int DropSetIds(const char* path, struct fuse_file_info* fi, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return 0;
  mode_t mode = st.st_mode & 07777, kept = mode & ~S_ISUID;
  // Without group execute the bit grants nothing (it once meant mandatory locking): it goes only for
  // a caller outside the file's group.
  if ((mode & S_ISGID) && ((mode & S_IXGRP) || !CallerInGroup(st.st_gid))) kept &= ~S_ISGID;
  if (kept == mode) return 0;
  int rc = ChMod(path, kept, fi);
  // A worker that is not root and does not own the file: its own write or truncation of the branch
  // file drops the bits, as the branch's filesystem does for any writer without CAP_FSETID.
  if (rc == -EPERM) return 0;
  return rc < 0 ? rc : 1;
}

int DropSetGid(const char* path) {
  struct stat st;
  int rc = GetAttr(path, &st, nullptr, nullptr);
  if (rc < 0 || !(st.st_mode & S_ISGID)) return rc < 0 ? rc : 0;
  rc = ChMod(path, st.st_mode & 07777 & ~S_ISGID, nullptr);
  return rc < 0 ? rc : 0;
}

}  // namespace strata::op
