// What a copy-up does when one of its steps fails, as the engine's copy (union/copyRules.ts) does it:
// goes on (a fallback, or leaving out what cannot be copied) or fails the copy-up. Checked against the
// same cases (test/vectors/copy-errors.json, run by native/fuse/test/copy_rules_test.cc).
#pragma once
#include <errno.h>

namespace strata {

enum class CopyStep { kSeekData, kCopyFileRange, kChown, kListXattrs, kGetXattr, kSetXattr, kFlags };

inline bool CopyGoesOn(CopyStep step, int err) {
  switch (step) {
    case CopyStep::kSeekData:  // the filesystem cannot tell data from holes: the whole file is data
      return err == EINVAL || err == EOPNOTSUPP || err == ENOSYS;
    case CopyStep::kCopyFileRange:  // not between these files: read and write instead
      return err == EXDEV || err == EINVAL || err == EOPNOTSUPP || err == ENOSYS;
    case CopyStep::kChown:  // a daemon that cannot give files away keeps them, without set-ID bits
      return err == EPERM;
    case CopyStep::kListXattrs:  // no xattrs on this filesystem
      return err == EOPNOTSUPP;
    case CopyStep::kGetXattr:  // a namespace this process may not read, or an attribute removed since the list
      return err == EPERM || err == EOPNOTSUPP || err == ENODATA;
    case CopyStep::kSetXattr:  // a namespace this process or the destination does not allow
      return err == EPERM || err == EOPNOTSUPP;
    case CopyStep::kFlags:  // the copy's filesystem keeps no inode flags, or not that one (tmpfs: no sync)
      return err == ENOTTY || err == EINVAL || err == EOPNOTSUPP;
  }
  return false;
}

}  // namespace strata
