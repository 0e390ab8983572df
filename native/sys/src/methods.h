// Every exported method: each validates its arguments on the JS thread and queues one PromiseWork.
#pragma once
#include <napi.h>

namespace strata {

Napi::Value LGetXattr(const Napi::CallbackInfo& info);
Napi::Value LSetXattr(const Napi::CallbackInfo& info);
Napi::Value LListXattr(const Napi::CallbackInfo& info);
Napi::Value LRemoveXattr(const Napi::CallbackInfo& info);
Napi::Value FGetXattr(const Napi::CallbackInfo& info);
Napi::Value FSetXattr(const Napi::CallbackInfo& info);
Napi::Value FListXattr(const Napi::CallbackInfo& info);

Napi::Value Mknod(const Napi::CallbackInfo& info);
Napi::Value Utimensat(const Napi::CallbackInfo& info);
Napi::Value Statvfs(const Napi::CallbackInfo& info);
Napi::Value Renameat2(const Napi::CallbackInfo& info);

Napi::Value LstatBatch(const Napi::CallbackInfo& info);
Napi::Value OpenStat(const Napi::CallbackInfo& info);

Napi::Value Futimens(const Napi::CallbackInfo& info);
Napi::Value SeekData(const Napi::CallbackInfo& info);
Napi::Value SeekHole(const Napi::CallbackInfo& info);
Napi::Value Fallocate(const Napi::CallbackInfo& info);
Napi::Value CopyFileRange(const Napi::CallbackInfo& info);

}  // namespace strata
