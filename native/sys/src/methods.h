// Every exported method: each validates its arguments on the JS thread and queues one PromiseWork.
#pragma once
#include <napi.h>

namespace strata {

// Anchored: (root descriptor, union path) names the entry (anchor.h).
Napi::Value Mkdir(const Napi::CallbackInfo& info);
Napi::Value Unlink(const Napi::CallbackInfo& info);
Napi::Value Rmdir(const Napi::CallbackInfo& info);
Napi::Value Rename(const Napi::CallbackInfo& info);
Napi::Value Link(const Napi::CallbackInfo& info);
Napi::Value Symlink(const Napi::CallbackInfo& info);
Napi::Value Readlink(const Napi::CallbackInfo& info);
Napi::Value Mknod(const Napi::CallbackInfo& info);
Napi::Value Lchown(const Napi::CallbackInfo& info);
Napi::Value Utimens(const Napi::CallbackInfo& info);
Napi::Value Chmod(const Napi::CallbackInfo& info);
Napi::Value Truncate(const Napi::CallbackInfo& info);
Napi::Value Access(const Napi::CallbackInfo& info);
Napi::Value Readdir(const Napi::CallbackInfo& info);
Napi::Value GetXattr(const Napi::CallbackInfo& info);
Napi::Value SetXattr(const Napi::CallbackInfo& info);
Napi::Value ListXattr(const Napi::CallbackInfo& info);
Napi::Value RemoveXattr(const Napi::CallbackInfo& info);
Napi::Value Statvfs(const Napi::CallbackInfo& info);
Napi::Value LstatBatch(const Napi::CallbackInfo& info);
Napi::Value OpenStat(const Napi::CallbackInfo& info);
Napi::Value OpenTmpfile(const Napi::CallbackInfo& info);
Napi::Value LinkFd(const Napi::CallbackInfo& info);
Napi::Value InodeFlagsOf(const Napi::CallbackInfo& info);
Napi::Value RefusesNameChangeIn(const Napi::CallbackInfo& info);

// Descriptors.
Napi::Value FGetXattr(const Napi::CallbackInfo& info);
Napi::Value FSetXattr(const Napi::CallbackInfo& info);
Napi::Value FListXattr(const Napi::CallbackInfo& info);
Napi::Value FRemoveXattr(const Napi::CallbackInfo& info);
Napi::Value FlagsIoctl(const Napi::CallbackInfo& info);
Napi::Value CarryFlagsTo(const Napi::CallbackInfo& info);
Napi::Value Futimens(const Napi::CallbackInfo& info);
Napi::Value SeekData(const Napi::CallbackInfo& info);
Napi::Value SeekHole(const Napi::CallbackInfo& info);
Napi::Value Fallocate(const Napi::CallbackInfo& info);
Napi::Value CopyFileRange(const Napi::CallbackInfo& info);
Napi::Value WriteBehindRange(const Napi::CallbackInfo& info);
Napi::Value Dup3(const Napi::CallbackInfo& info);
Napi::Value TryLock(const Napi::CallbackInfo& info);

}  // namespace strata
